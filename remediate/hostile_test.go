package remediate

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

// cellSources returns each cell's decoded source, by cell number.
func cellSources(t *testing.T, name string, data []byte) map[int]string {
	t.Helper()
	nb, err := ipynb.Parse(name, data)
	if err != nil || nb == nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	out := map[int]string{}
	for _, s := range nb.Segments {
		if s.Kind == ipynb.KindSource {
			out[s.Cell] = string(s.Text)
		}
	}
	return out
}

// What one place left to a person, an odd cell ending or a malformed cell
// does to the rest of the file: it keeps its fixes, and nothing else
// changes.
func TestHostileNotebooks(t *testing.T) {
	set := testsecrets.New(1307)
	g := set.Get
	jupyter := func(cells ...nbtest.Cell) []byte {
		return nbtest.Write(&nbtest.Notebook{Minor: 5, Metadata: kernelMeta("python", "python3"), Cells: cells}, nbtest.Jupyter, nbtest.Options{})
	}
	cases := []struct {
		name, file string
		data       []byte
		// cells maps a cell to its source after the fix; a file without
		// cells is compared whole with want.
		cells map[int]string
		want  string
		// manual maps a cell (in a plain file, a line) to a substring of
		// the reason of every item there; items elsewhere must be fixed.
		manual map[int]string
	}{
		{
			name: "a key also in a cell no rewriter takes",
			file: "nb.ipynb",
			data: jupyter(
				nbtest.Cell{Type: "code", ID: "a", Source: "import boto3\ns3 = boto3.client('s3', aws_access_key_id='" + g("aws_key_id") + "', aws_secret_access_key='" + g("aws_secret") + "')"},
				nbtest.Cell{Type: "code", ID: "b", Source: "%%sql\nCREATE STAGE s CREDENTIALS = (AWS_KEY_ID = '" + g("aws_key_id") + "')"},
				nbtest.Cell{Type: "code", ID: "c", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.2") + "\naws s3 ls"}),
			cells: map[int]string{
				1: "import boto3\ns3 = boto3.client('s3')",
				2: "%%sql\nCREATE STAGE s CREDENTIALS = (AWS_KEY_ID = '" + g("aws_key_id") + "')",
				3: "%%bash\naws s3 ls",
			},
			manual: map[int]string{2: "no rewriter for SQL cells (cell 2)"},
		},
		{
			name:   "a key also in code the rewriter leaves",
			file:   "load.py",
			data:   []byte("import boto3\ns3 = boto3.client('s3', aws_access_key_id='" + g("aws_key_id.3") + "', aws_secret_access_key='" + g("aws_secret.3") + "')\nprint('" + g("aws_key_id.3") + "')\n"),
			want:   "import boto3\ns3 = boto3.client('s3')\nprint('" + g("aws_key_id.3") + "')\n",
			manual: map[int]string{3: "print(...) at line 3 is not an API"},
		},
		{
			name: "CRLF inside sources, last lines deleted",
			file: "nb.ipynb",
			data: jupyter(
				nbtest.Cell{Type: "code", ID: "a", Source: "x = 1\r\nKEY = '" + g("aws_key_id.4") + "'"},
				nbtest.Cell{Type: "code", ID: "b", Source: "%%bash\r\naws s3 ls\r\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.5")}),
			cells: map[int]string{1: "x = 1", 2: "%%bash\r\naws s3 ls"},
		},
		{
			name: "a source list holding a number",
			file: "nb.ipynb",
			data: []byte(`{"cells": [
 {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["%%bash\n", 7, "\n", "export AWS_ACCESS_KEY_ID=` + g("aws_key_id.6") + `\n"]},
 {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["%%bash\n", "export AWS_ACCESS_KEY_ID=` + g("aws_key_id.7") + `\n", "aws s3 ls"]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
`),
			cells:  map[int]string{1: "%%bash\n\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.6") + "\n", 2: "%%bash\naws s3 ls"},
			manual: map[int]string{1: "the source of cell 1 is not a string or a list of strings"},
		},
		{
			name: "R Markdown front matter stays YAML",
			file: "report.Rmd",
			data: []byte("---\ntitle: Lake\nparams:\n  key: " + g("aws_key_id.9") + "\n---\n\n```{bash}\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.10") + "\naws s3 ls\n```\n"),
			want: "---\ntitle: Lake\nparams:\n  key: \"" + Redacted + "\"\n---\n\n```{bash}\naws s3 ls\n```\n",
		},
		{
			name: "a Databricks MAGIC cell with blank lines and CRLF",
			file: "etl.py",
			data: []byte("# Databricks notebook source\r\n# MAGIC %sh\r\n# MAGIC\r\n# MAGIC export AWS_ACCESS_KEY_ID=" + g("aws_key_id.8") + "\r\n# MAGIC\r\n# MAGIC aws s3 ls\r\n"),
			want: "# Databricks notebook source\r\n# MAGIC %sh\r\n# MAGIC\r\n# MAGIC\r\n# MAGIC aws s3 ls\r\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, s := testPlanner(t)
			p.Registry = DefaultRegistry()
			plan := planFor(t, p, s, c.file, c.data)
			for _, it := range plan.Items {
				cell := it.Finding.Line
				if it.Finding.Notebook != nil {
					cell = it.Finding.Notebook.Cell
				}
				want, manual := c.manual[cell]
				switch {
				case manual && (it.Fixed || !strings.Contains(it.Reason, want)):
					t.Errorf("cell %d: fixed %v, reason %q; want %q", cell, it.Fixed, it.Reason, want)
				case !manual && !it.Fixed:
					t.Errorf("cell %d: %s not fixed: %s", cell, it.Finding.RuleID, it.Reason)
				}
			}
			if !plan.Changed() {
				t.Fatal("nothing fixed")
			}
			if c.cells == nil {
				if string(plan.Result) != c.want {
					t.Errorf("got\n%q\nwant\n%q", plan.Result, c.want)
				}
				return
			}
			got := cellSources(t, c.file, plan.Result)
			for cell, want := range c.cells {
				if got[cell] != want {
					t.Errorf("cell %d:\n%q\nwant\n%q", cell, got[cell], want)
				}
			}
		})
	}
}

// A rewriter's notes are companion steps of its edits: a cell that loses
// its edits loses its notes, and a plan that is dropped says nothing of
// edits it does not make.
func TestNotesFollowEdits(t *testing.T) {
	set := testsecrets.New(1308)
	nb := nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "code", ID: "a", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + set.Get("aws_key_id") + "\naws s3 ls",
			Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "key " + set.Get("aws_key_id") + "\n"}}},
		{Type: "code", ID: "b", Source: "%%R\nSys.setenv(AWS_ACCESS_KEY_ID = \"" + set.Get("aws_key_id.2") + "\")"},
	}}, nbtest.Jupyter, nbtest.Options{})
	noted := func(note string) edit.Rewriter {
		return func(text []byte, ts []edit.Target, o edit.Options) edit.Result {
			r := deleteLines(text, ts, o)
			r.Notes = []string{note}
			return r
		}
	}
	keeps := func(text []byte, ts []edit.Target, o edit.Options) edit.Result {
		r := deleteLines(text, ts, o)
		r.Edits = nil // claims a fix it does not make
		r.Notes = []string{"shell note"}
		return r
	}
	cases := []struct {
		name        string
		shell       edit.Rewriter
		rValid      error
		want, never []string
	}{
		{"a cell that fails", noted("shell note"), fmt.Errorf("unexpected symbol"), []string{"shell note", "output 1 (stream, stdout) removed"}, []string{"R note"}},
		{"a plan dropped", keeps, nil, nil, []string{"shell note", "R note", "removed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, s := testPlanner(t)
			p.Registry.ForLang = func(lang string) (edit.Rewriter, func([]byte) error) {
				if lang == "r" {
					return noted("R note"), func([]byte) error { return c.rValid }
				}
				return c.shell, nil
			}
			plan := planFor(t, p, s, "nb.ipynb", nb)
			notes := strings.Join(plan.Notes, "\n")
			for _, n := range c.want {
				if !strings.Contains(notes, n) {
					t.Errorf("no note %q in %q", n, plan.Notes)
				}
			}
			for _, n := range c.never {
				if strings.Contains(notes, n) {
					t.Errorf("note %q in %q", n, plan.Notes)
				}
			}
		})
	}
}

// Where a Databricks cell's edited lines start on a blank "# MAGIC" line,
// the lines written keep the "# MAGIC " of the others.
func TestMagicPrefixOfEditedLines(t *testing.T) {
	set := testsecrets.New(1309)
	data := []byte("# Databricks notebook source\n# MAGIC %sh\n# MAGIC\n# MAGIC export AWS_ACCESS_KEY_ID=" + set.Get("aws_key_id") + "\n# MAGIC aws s3 ls\n")
	p, s := testPlanner(t)
	// A rewriter whose edit starts at the blank line before the key.
	p.Registry.ForLang = func(string) (edit.Rewriter, func([]byte) error) {
		return func(text []byte, ts []edit.Target, _ edit.Options) edit.Result {
			a := edit.LineStart(text, ts[0].Start) - 1
			return edit.Result{Edits: []edit.Edit{{Start: a, End: edit.LineEnd(text, ts[0].Start), New: "\nexport AWS_PROFILE=dev\n"}},
				Outcomes: []edit.Outcome{{Target: 0, Fixed: true, Shape: "test"}}}
		}, nil
	}
	plan := planFor(t, p, s, "etl.py", data)
	want := "# Databricks notebook source\n# MAGIC %sh\n# MAGIC\n# MAGIC export AWS_PROFILE=dev\n# MAGIC aws s3 ls\n"
	if !bytes.Equal(plan.Result, []byte(want)) {
		t.Errorf("got\n%q\nwant\n%q", plan.Result, want)
	}
}

// Front matter stays YAML that loads: a key that is a whole plain scalar
// is replaced by a quoted placeholder (a bare "*" starts an alias).
func TestYAMLRedaction(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"  key: @\n", "  key: \"" + Redacted + "\"\n"},
		{"  key: @ # rotate\r\n", "  key: \"" + Redacted + "\" # rotate\r\n"},
		{"- @\n", "- \"" + Redacted + "\"\n"},
		{"keys: [@, x]\n", "keys: [\"" + Redacted + "\", x]\n"},
		{"key: \"@\"\n", "key: \"" + Redacted + "\"\n"},
		{"key: '@'\n", "key: '" + Redacted + "'\n"},
		{"url: s3a://@@lake\n", "url: s3a://" + Redacted + "@lake\n"},
		{"note: the key @ expired\n", "note: the key " + Redacted + " expired\n"},
		{"key: @ and more\n", ""},
	} {
		start := strings.IndexByte(c.in, '@')
		text := []byte(c.in)
		red, ok := yamlRedaction(text, start, start+1)
		got := ""
		if ok {
			got = c.in[:start] + red + c.in[start+1:]
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

// Malformed notebooks, odd kernels, magic lines without bodies,
// unterminated strings, CRLF, tabs and non-ASCII text: planning never
// panics or blames itself, every finding is decided with a reason, and a
// changed plan is its edits applied and still reads as a notebook.
func TestHostileInputs(t *testing.T) {
	set := testsecrets.New(1310)
	k, sk := set.Get("aws_key_id"), set.Get("aws_secret")
	cases := []struct {
		name, file, data string
		manual           string // when set, in the reason of every item not fixed
	}{
		{"kernel language a number", "nb.ipynb", `{"cells": [{"cell_type": "code", "source": "import boto3\nboto3.client('s3', aws_access_key_id='` + k + `')", "outputs": {}}], "metadata": {"kernelspec": {"language": 5}}, "nbformat": 4, "nbformat_minor": 2}`, ""},
		{"cells an object", "nb.ipynb", `{"cells": {"a": "` + k + `"}, "metadata": {}, "nbformat": 4}`, "JSON but not a notebook rolecall can read"},
		{"outputs a string", "nb.ipynb", `{"cells": [{"cell_type": "code", "source": "x = 1", "outputs": "` + k + `"}], "metadata": {}, "nbformat": 4}`, "in the notebook's metadata (cells[0].outputs)"},
		{"no cell_type", "nb.ipynb", `{"cells": [{"source": ["KEY = '` + k + `'\n"]}], "metadata": {}, "nbformat": 4}`, "cell 1 has the cell type \"\""},
		{"unicode and ensure_ascii escapes", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["# caf\u00e9 \ud83d\ude00\n", "%env AWS_SECRET_ACCESS_KEY=` + sk + `\n", "x = '\u00e9'"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"an unterminated Scala string in a Scala kernel", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "sc.hadoopConfiguration.set(\"fs.s3a.access.key\", \"` + k + `\")\nval s = \"open"}], "metadata": {"kernelspec": {"language": "scala"}}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"a Python cell whose string stays open", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "s = \"\"\"notes"}, {"cell_type": "code", "metadata": {}, "outputs": [], "source": "KEY = \"` + k + `\""}, {"cell_type": "code", "metadata": {}, "outputs": [], "source": "\"\"\""}, {"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%bash\nexport AWS_SECRET_ACCESS_KEY=` + sk + `"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "cell 1 does not tokenize on its own (line 1: string is not terminated)"},
		{"a reason names the cell and its line", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "KEY = \"` + k + `\""}, {"cell_type": "code", "metadata": {}, "outputs": [], "source": "x = 1\nprint(KEY)"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "constant KEY is also used at cell 2 line 2"},
		{"a Scala reason counts the cell magic's line", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%scala\nval k = \"` + k + `\"\nhc.set(\"fs.s3a.access.key\", k)\nlog(k)"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, "constant k is also used at cell 1 line 4"},
		{"a chunk's reason names the chunk and its line", "report.Rmd", "---\ntitle: x\n---\n\n```{python}\nKEY = '" + k + "'\nprint(KEY)\n```\n", "constant KEY is also used at cell 2 line 2"},
		{"a %%bash line alone, then a key cell", "nb.ipynb", `{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%bash"}, {"cell_type": "code", "metadata": {}, "outputs": [], "source": "%%bash\t\r\n\texport AWS_ACCESS_KEY_ID=` + k + `\t"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, ""},
		{"MAGIC lines without bodies", "etl.py", "# Databricks notebook source\n# MAGIC %sh\n\n# COMMAND ----------\n\n# MAGIC\n# MAGIC\n\n# COMMAND ----------\n\n# MAGIC %sh export AWS_ACCESS_KEY_ID=" + k + "\n", ""},
		{"a MAGIC %scala cell with an unterminated string", "etl.py", "# Databricks notebook source\r\n# MAGIC %scala\r\n# MAGIC sc.hadoopConfiguration.set(\"fs.s3a.secret.key\", \"" + sk + "\")\r\n# MAGIC val s = \"\"\"open\r\n", ""},
		{"a chunk without its closing fence", "report.qmd", "```{bash}\nexport AWS_ACCESS_KEY_ID=" + k + "\n", ""},
		{"a Zeppelin paragraph without text", "note.zpln", `{"paragraphs": [{"id": "p"}, {"id": "q", "text": "%sh\nexport AWS_ACCESS_KEY_ID=` + k + `"}]}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, s := testPlanner(t)
			p.Registry = DefaultRegistry()
			data := []byte(c.data)
			fs, _ := s.Scan(scanner.Content{Path: c.file, Data: data})
			if len(fs) == 0 {
				t.Fatal("no findings to plan")
			}
			plan := p.Plan(c.file, data, fs)
			for _, it := range plan.Items {
				switch {
				case strings.Contains(it.Reason, "internal error") || strings.Contains(it.Reason, "rolecall bug") || strings.Contains(it.Reason, "edit ["):
					t.Errorf("%s: %s", it.Finding.RuleID, it.Reason)
				case !it.Fixed && it.Reason == "":
					t.Errorf("%s: neither fixed nor given a reason", it.Finding.RuleID)
				case !it.Fixed && !strings.Contains(it.Reason, c.manual):
					t.Errorf("%s: reason %q, want %q", it.Finding.RuleID, it.Reason, c.manual)
				}
				t.Logf("%s fixed=%v %s%s", it.Finding.RuleID, it.Fixed, it.Shape, it.Reason)
			}
			if !plan.Changed() {
				return
			}
			if got, err := edit.Apply(data, plan.Edits); err != nil || !bytes.Equal(got, plan.Result) {
				t.Errorf("the edits do not give the result: %v", err)
			}
			if nb, err := ipynb.Parse(c.file, plan.Result); err != nil || nb == nil {
				t.Errorf("the result no longer reads as a notebook: %v\n%s", err, plan.Result)
			}
		})
	}
}
