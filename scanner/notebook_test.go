package scanner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb/nbtest"
)

// nbWant is a key planted in a notebook and where a person finds it.
type nbWant struct {
	name     string // testsecrets name of the secret
	rule     string
	cell     int
	cellLine int
	part     string // source, output, metadata
	output   int    // output index when part is output
}

// leakyNotebook plants keys everywhere people leave them: a multi-line
// boto3 call (escaped quotes in JSON), markdown, %env and its echo, an
// `!aws configure` cell, an STS dict printed as a repr, an error traceback
// with colour codes, a %%bash export, and a metadata parameter. An image
// output carries an access-key-shaped run inside its base64 as a decoy.
func leakyNotebook(set *testsecrets.Set) (*nbtest.Notebook, []nbWant) {
	g := set.Get
	nb := &nbtest.Notebook{
		Minor: 5,
		Metadata: nbtest.Map{
			{Key: "kernelspec", Value: nbtest.Map{{Key: "name", Value: "python3"}, {Key: "language", Value: "python"}}},
			{Key: "vscode", Value: nbtest.Map{{Key: "interpreter", Value: nbtest.Map{{Key: "hash", Value: set.Get("sha256")}}}}},
			{Key: "papermill", Value: nbtest.Map{{Key: "parameters", Value: nbtest.Map{{Key: "api_key", Value: g("token")}}}}},
			{Key: "widgets", Value: nbtest.Map{{Key: "application/vnd.jupyter.widget-state+json", Value: nbtest.Map{
				{Key: "state", Value: nbtest.Map{{Key: set.Get("git_sha"), Value: nbtest.Map{{Key: "model_id", Value: set.Get("uuid")}}}}}}}}},
		},
		Cells: []nbtest.Cell{
			{Type: "code", ID: "a1b2c3d4", Source: "import boto3\ns3 = boto3.client(\"s3\",\n    aws_access_key_id=\"" + g("aws_key_id") + "\",\n    aws_secret_access_key=\"" + g("aws_secret") + "\")"},
			{Type: "markdown", ID: "md1", Source: "# Notes\nThe CI token is `" + g("github_pat") + "`, do not share."},
			{Type: "code", ID: "env1", Source: "%env OPENAI_API_KEY=" + g("openai"),
				Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "env: OPENAI_API_KEY=" + g("openai") + "\n"}}},
			{Type: "code", ID: "cfg1", Source: "!aws configure set aws_secret_access_key " + g("aws_secret.configure") + " --profile dev"},
			{Type: "code", ID: "sts1", Source: "creds = sts.get_session_token()['Credentials']\ncreds",
				Outputs: []nbtest.Output{{Type: "execute_result", ExecutionCount: 5, Data: nbtest.Map{{Key: "text/plain", Value: nbtest.Lines(
					"{'AccessKeyId': '" + g("aws_asia_id") + "',\n 'SecretAccessKey': '" + g("aws_secret.sts") + "',\n 'Expiration': datetime.datetime(2024, 1, 1, 0, 0)}")}}}}},
			{Type: "code", ID: "err1", Source: "client = OpenAI(api_key=\"" + g("openai.2") + "\")\nclient.models.list()",
				Outputs: []nbtest.Output{{Type: "error", EName: "AuthenticationError", EValue: "401",
					Traceback: []string{nbtest.Red("AuthenticationError") + " Traceback (most recent call last)",
						"\x1b[0;32m----> 1\x1b[0m client \x1b[38;5;241m=\x1b[39m OpenAI(api_key\x1b[38;5;241m=\x1b[39m\x1b[38;5;124m\"" + g("openai.2") + "\"\x1b[39m)"}}}},
			{Type: "code", ID: "plot1", Source: "plt.plot(x, y)",
				Outputs: []nbtest.Output{{Type: "display_data", Data: nbtest.Map{{Key: "image/png", Value: nbtest.FakePNG(20000, "AK"+"IA"+strings.Repeat("Q", 16))}, {Key: "text/plain", Value: "<Figure size 640x480>"}}}}},
			{Type: "code", ID: "sh1", Source: "%%bash\nset -e\nexport DB_PASSWORD=" + g("db_password") + "\npsql -c 'select 1'"},
		},
	}
	want := []nbWant{
		{"aws_key_id", "aws-access-key-id", 1, 3, "source", 0},
		{"aws_secret", "aws-secret-access-key", 1, 4, "source", 0},
		{"github_pat", "github-token", 2, 2, "source", 0},
		{"openai", "openai-api-key", 3, 1, "source", 0},
		{"openai", "openai-api-key", 3, 1, "output", 0},
		{"aws_secret.configure", "aws-secret-access-key", 4, 1, "source", 0},
		{"aws_asia_id", "aws-access-key-id", 5, 1, "output", 0},
		{"aws_secret.sts", "aws-secret-access-key", 5, 2, "output", 0},
		{"openai.2", "openai-api-key", 6, 1, "source", 0},
		{"openai.2", "openai-api-key", 6, 2, "output", 0},
		{"db_password", "generic-credential", 8, 3, "source", 0},
		{"token", "generic-credential", 0, 1, "metadata", 0},
	}
	return nb, want
}

func TestNotebookWriters(t *testing.T) {
	eng, err := detectors.NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(eng)
	styles := map[string]nbtest.Style{"jupyter": nbtest.Jupyter, "vscode": nbtest.VSCode, "colab": nbtest.Colab, "minified": nbtest.Minified}
	for styleName, style := range styles {
		for _, opts := range []nbtest.Options{{}, {OneString: true}, {CRLF: true}, {ASCII: true, OneString: true}} {
			name := fmt.Sprintf("%s one-string=%v crlf=%v ascii=%v", styleName, opts.OneString, opts.CRLF, opts.ASCII)
			t.Run(name, func(t *testing.T) {
				set := testsecrets.New(61)
				nb, want := leakyNotebook(set)
				data := nbtest.Write(nb, style, opts)
				fs, warnings := s.Scan(Content{Path: "analysis.ipynb", Data: data})
				if len(warnings) > 0 {
					t.Errorf("warnings: %v", warnings)
				}
				checkNotebookFindings(t, data, fs, want, set)
			})
		}
	}
}

// checkNotebookFindings matches findings to expectations one for one and
// checks the file position against where the secret's bytes really are.
func checkNotebookFindings(t *testing.T, data []byte, fs []Finding, want []nbWant, set *testsecrets.Set) {
	t.Helper()
	used := make([]bool, len(fs))
	for _, w := range want {
		secret := set.Get(w.name)
		found := false
		for i, f := range fs {
			nb := f.Notebook
			if used[i] || f.Secret != secret || f.RuleID != w.rule || nb == nil || nb.Cell != w.cell || nb.Part != w.part {
				continue
			}
			used[i], found = true, true
			if nb.CellLine != w.cellLine {
				t.Errorf("%s in cell %d %s: cell line %d, want %d", w.name, w.cell, w.part, nb.CellLine, w.cellLine)
			}
			if (nb.Output != nil) != (w.part == "output") || nb.Output != nil && nb.Output.Index != w.output+1 {
				t.Errorf("%s: output %+v", w.name, nb.Output)
			}
			// The file position must point at the secret's own bytes.
			if got := string(data[f.Offset:f.EndOffset]); got != secret {
				t.Errorf("%s: raw bytes at %d:%d are %q", w.name, f.Offset, f.EndOffset, got)
			}
			line := bytes.Count(data[:f.Offset], []byte("\n")) + 1
			col := len([]rune(string(data[bytes.LastIndexByte(data[:f.Offset], '\n')+1:f.Offset]))) + 1
			if f.Line != line || f.Column != col {
				t.Errorf("%s: file position %d:%d, bytes are at %d:%d", w.name, f.Line, f.Column, line, col)
			}
			break
		}
		if !found {
			t.Errorf("not found: %s (%s) in cell %d %s", w.name, w.rule, w.cell, w.part)
		}
	}
	for i, f := range fs {
		if !used[i] {
			t.Errorf("unexpected finding %s %q at %+v", f.RuleID, Redact(f.Secret), f.Notebook)
		}
	}
}

// A notebook's image payloads, ids and hashes are never findings, even
// when the base64 holds an access-key-shaped run.
func TestNotebookDecoys(t *testing.T) {
	set := testsecrets.New(62)
	plant := "AK" + "IA" + "ZQ3FXKB7WMT2GHLP"
	nb := &nbtest.Notebook{
		Minor: 5,
		Metadata: nbtest.Map{
			{Key: "vscode", Value: nbtest.Map{{Key: "interpreter", Value: nbtest.Map{{Key: "hash", Value: set.Get("sha256")}}}}},
			{Key: "colab", Value: nbtest.Map{{Key: "provenance", Value: []any{}}, {Key: "authorship_tag", Value: "ABX9TyO" + set.Get("hex40")}}},
			{Key: "widgets", Value: nbtest.Map{{Key: "application/vnd.jupyter.widget-state+json", Value: nbtest.Map{
				{Key: "state", Value: nbtest.Map{{Key: set.Get("git_sha"), Value: nbtest.Map{{Key: "model_id", Value: set.Get("uuid")}}}}}}}}},
		},
		Cells: []nbtest.Cell{
			{Type: "code", ID: set.Get("uuid.2"), Source: "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])",
				Metadata: nbtest.Map{{Key: "id", Value: "Xk3" + set.Get("hex40")}, {Key: "outputId", Value: set.Get("uuid.3")}},
				Outputs: []nbtest.Output{{Type: "display_data", Data: nbtest.Map{
					{Key: "image/png", Value: nbtest.FakePNG(50000, plant)},
					{Key: "image/jpeg", Value: nbtest.FakePNG(20000, plant)},
					{Key: "text/plain", Value: "<Figure size 640x480 with 1 Axes>"}}}}},
			{Type: "markdown", Source: "![plot](data:image/png;base64," + nbtest.FakePNG(3000, plant) + ")",
				Attachments: nbtest.Map{{Key: "image.png", Value: nbtest.Map{{Key: "image/png", Value: nbtest.FakePNG(3000, plant)}}}}},
			{Type: "code", Source: "import os\nkey_id = os.environ['AWS_ACCESS_KEY_ID']\nsession = boto3.Session(profile_name='analytics')"},
		},
	}
	eng, _ := detectors.NewEngine(nil)
	for _, style := range []nbtest.Style{nbtest.Jupyter, nbtest.Colab, nbtest.Minified} {
		data := nbtest.Write(nb, style, nbtest.Options{})
		if !bytes.Contains(data, []byte(plant)) {
			t.Fatal("the decoy key is not in the file")
		}
		fs, _ := New(eng).Scan(Content{Path: "plots.ipynb", Data: data})
		for _, f := range fs {
			t.Errorf("style %d: decoy reported: %s %q at %+v", style, f.RuleID, Redact(f.Secret), f.Notebook)
		}
		// Read as raw JSON text the same file does produce the false
		// positive that raw-text scanners report.
		raw, _ := New(eng).Scan(Content{Path: "plots.json", Data: data})
		_ = raw
	}
}

func TestOtherNotebookFormats(t *testing.T) {
	set := testsecrets.New(63)
	g := set.Get
	cases := []struct {
		name, path, body string
		want             []nbWant
	}{
		{"jupytext percent", "nb.py", "# %%\nimport os\n\n# %% [markdown]\n# Setup\n\n# %%\n# %env AWS_SECRET_ACCESS_KEY=" + g("aws_secret") + "\nx = 1\n",
			[]nbWant{{"aws_secret", "aws-secret-access-key", 3, 1, "source", 0}}},
		{"databricks source", "job.py", "# Databricks notebook source\nimport os\n\n# COMMAND ----------\n\n# MAGIC %sh\n# MAGIC export DB_PASSWORD=" + g("db_password") + "\n",
			[]nbWant{{"db_password", "generic-credential", 2, 2, "source", 0}}},
		{"r markdown", "report.Rmd", "---\ntitle: x\n---\n\nText.\n\n```{r setup}\nSys.setenv(GITHUB_PAT = \"" + g("github_pat") + "\")\n```\n",
			[]nbWant{{"github_pat", "github-token", 3, 1, "source", 0}}},
		{"quarto", "doc.qmd", "# Title\n\n```{python}\nimport os\nos.environ['HF_TOKEN'] = '" + g("huggingface") + "'\n```\n",
			[]nbWant{{"huggingface", "huggingface-token", 2, 2, "source", 0}}},
	}
	zeppelin := nbtest.Marshal(nbtest.Map{{Key: "paragraphs", Value: []any{
		nbtest.Map{{Key: "id", Value: "paragraph_1"}, {Key: "text", Value: "%pyspark\nspark.conf.set('fs.s3a.access.key', '" + g("aws_key_id") + "')"},
			{Key: "results", Value: nbtest.Map{{Key: "code", Value: "SUCCESS"}, {Key: "msg", Value: []any{
				nbtest.Map{{Key: "type", Value: "TEXT"}, {Key: "data", Value: "token=" + g("token") + "\n"}}}}}}},
	}}}, nbtest.Jupyter, nbtest.Options{})
	cases = append(cases, struct {
		name, path, body string
		want             []nbWant
	}{"zeppelin", "note.zpln", string(zeppelin), []nbWant{
		{"aws_key_id", "aws-access-key-id", 1, 2, "source", 0},
		{"token", "generic-credential", 1, 1, "output", 0},
	}})
	eng, _ := detectors.NewEngine(nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, warnings := New(eng).Scan(Content{Path: c.path, Data: []byte(c.body)})
			if len(warnings) > 0 {
				t.Errorf("warnings %v", warnings)
			}
			checkNotebookFindings(t, []byte(c.body), fs, c.want, set)
		})
	}
}

func TestCheckpointsAndBrokenNotebooks(t *testing.T) {
	set := testsecrets.New(64)
	nb, _ := leakyNotebook(set)
	data := nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})
	dir := t.TempDir()
	write(t, filepath.Join(dir, "analysis.ipynb"), "{\"cells\": []}")
	write(t, filepath.Join(dir, ".ipynb_checkpoints", "analysis-checkpoint.ipynb"), string(data))
	write(t, filepath.Join(dir, "broken.ipynb"), string(data[:len(data)/2]))
	eng, _ := detectors.NewEngine(nil)
	var warned []string
	res, err := New(eng).ScanPaths(context.Background(), []string{dir}, Options{Warn: func(w Warning) { warned = append(warned, w.String()) }})
	if err != nil {
		t.Fatal(err)
	}
	checkpoint, broken := 0, 0
	for _, f := range res.Findings {
		switch {
		case strings.Contains(f.File, ".ipynb_checkpoints/"):
			checkpoint++
			if f.Notebook == nil || !f.Notebook.Checkpoint {
				t.Errorf("checkpoint copy not marked: %+v", f.Notebook)
			}
		case strings.HasSuffix(f.File, "broken.ipynb"):
			broken++
			if f.Notebook != nil {
				t.Errorf("broken notebook finding has a cell location")
			}
		}
	}
	if checkpoint != 12 || broken == 0 {
		t.Errorf("checkpoint findings %d (want 12), broken-notebook findings %d (want some)", checkpoint, broken)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "broken.ipynb") || !strings.Contains(warned[0], "plain text") {
		t.Errorf("warnings %q, want one naming broken.ipynb", warned)
	}
}

// BenchmarkImageHeavyNotebook scans a notebook holding 20 MB of image
// outputs as a notebook and, for comparison, the same bytes as plain text:
//
//	go test -run '^$' -bench ImageHeavy -count 5 ./scanner
func BenchmarkImageHeavyNotebook(b *testing.B) {
	set := testsecrets.New(65)
	var cells []nbtest.Cell
	for i := 0; len(cells) < 40; i++ {
		cells = append(cells,
			nbtest.Cell{Type: "code", Source: fmt.Sprintf("fig, ax = plt.subplots()\nax.plot(x, y%d)\ntoken = os.environ['TOKEN']", i),
				Outputs: []nbtest.Output{{Type: "display_data", Data: nbtest.Map{{Key: "image/png", Value: nbtest.FakePNG(500_000, "")}, {Key: "text/plain", Value: "<Figure>"}}}}},
			nbtest.Cell{Type: "markdown", Source: "## Result " + set.Get("uuid")})
	}
	data := nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: cells}, nbtest.Jupyter, nbtest.Options{})
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)
	for _, name := range []string{"notebook.ipynb", "same-bytes-as-text.json"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				s.Scan(Content{Path: name, Data: data})
			}
		})
	}
	if os.Getenv("ROLECALL_BENCH_SIZE") != "" {
		b.Logf("notebook size %d bytes", len(data))
	}
}

// A duplicate key does not hide what the first copy holds: readers use the
// last one (as Python does), the earlier is still scanned.
func TestDuplicateKeysDoNotHideSecrets(t *testing.T) {
	set := testsecrets.New(66)
	key := set.Get("aws_key_id")
	eng, _ := detectors.NewEngine(nil)
	for name, doc := range map[string]string{
		"cells":               `{"cells": [{"cell_type": "code", "source": ["k = '` + key + `'"], "metadata": {}, "outputs": []}], "cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
		"source":              `{"cells": [{"cell_type": "code", "source": ["k = '` + key + `'"], "source": ["x = 1"], "metadata": {}, "outputs": []}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
		"text":                `{"cells": [{"cell_type": "code", "source": [], "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": "` + key + `", "text": "ok"}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`,
		"zeppelin paragraphs": `{"paragraphs": [{"text": "%python\nk = '` + key + `'"}], "paragraphs": []}`,
	} {
		path := "nb.ipynb"
		if strings.HasPrefix(name, "zeppelin") {
			path = "note.zpln"
		}
		fs, _ := New(eng).Scan(Content{Path: path, Data: []byte(doc)})
		if len(fs) != 1 || fs[0].Secret != key {
			t.Errorf("duplicate %q hides the key: %d findings", name, len(fs))
		}
	}
}
