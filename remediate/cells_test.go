package remediate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

func kernelMeta(lang, name string) nbtest.Map {
	return nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: lang}, {Key: "name", Value: name}}}}
}

var plot = nbtest.Output{Type: "display_data", Data: nbtest.Map{{Key: "image/png", Value: nbtest.FakePNG(400, "")}, {Key: "text/plain", Value: nbtest.Lines("<Figure>")}}}

// rawOutputs returns the raw JSON of each cell's outputs.
func rawOutputs(t *testing.T, data []byte) []string {
	t.Helper()
	nb, err := ipynb.Parse("nb.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range nb.Cells {
		if c.Outputs == nil {
			out = append(out, "")
			continue
		}
		out = append(out, string(data[c.Outputs.Start:c.Outputs.End]))
	}
	return out
}

// Each cell goes to the rewriter of its language, once with all its
// secrets; a cell no rewriter takes names its language.
func TestNotebookCellsByLanguage(t *testing.T) {
	set := testsecrets.New(1301)
	g := set.Get
	cases := []struct {
		name  string
		nb    *nbtest.Notebook
		cells map[int]string // cell -> its source after the fix
		// manual maps a secret's name to a substring of its reason.
		manual map[string]string
	}{
		{
			name: "IRkernel",
			nb: &nbtest.Notebook{Minor: 5, Metadata: kernelMeta("R", "ir"), Cells: []nbtest.Cell{
				{Type: "code", ID: "a", Source: "library(aws.s3)\nSys.setenv(AWS_ACCESS_KEY_ID = \"" + g("aws_key_id") + "\", AWS_SECRET_ACCESS_KEY = \"" + g("aws_secret") + "\")\nb <- get_bucket(\"lake\")"},
				{Type: "code", ID: "b", Source: "plot(cars)", Outputs: []nbtest.Output{plot}},
			}},
			cells: map[int]string{1: "library(aws.s3)\nb <- get_bucket(\"lake\")"},
		},
		{
			name: "a %%bash key pair, %%R and %%sql in a Python notebook",
			nb: &nbtest.Notebook{Minor: 5, Metadata: kernelMeta("python", "python3"), Cells: []nbtest.Cell{
				{Type: "code", ID: "a", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.2") + "\nexport AWS_SECRET_ACCESS_KEY=" + g("aws_secret.2") + "\naws s3 ls",
					Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "events/\n"}}},
				{Type: "code", ID: "b", Source: "%%R\nSys.setenv(AWS_SECRET_ACCESS_KEY = \"" + g("aws_secret.3") + "\")"},
				{Type: "code", ID: "c", Source: "%%sql\nCREATE STAGE s CREDENTIALS = (AWS_KEY_ID = '" + g("aws_key_id.4") + "')"},
			}},
			cells:  map[int]string{1: "%%bash\naws s3 ls", 2: "%%R"},
			manual: map[string]string{"aws_key_id.4": "no rewriter for SQL cells (cell 3)"},
		},
		{
			name: "Scala kernel",
			nb: &nbtest.Notebook{Minor: 5, Metadata: kernelMeta("scala", "spylon-kernel"), Cells: []nbtest.Cell{
				{Type: "code", ID: "a", Source: "sc.hadoopConfiguration.set(\"fs.s3a.access.key\", \"" + g("aws_key_id.5") + "\")\nsc.hadoopConfiguration.set(\"fs.s3a.secret.key\", \"" + g("aws_secret.5") + "\")"},
			}},
			cells: map[int]string{1: "sc.hadoopConfiguration.set(\"fs.s3a.aws.credentials.provider\", \"com.amazonaws.auth.DefaultAWSCredentialsProviderChain\")"},
		},
		{
			name: "a %%writefile cell goes by the file it writes",
			nb: &nbtest.Notebook{Minor: 5, Metadata: kernelMeta("python", "python3"), Cells: []nbtest.Cell{
				{Type: "code", ID: "a", Source: "%%writefile deploy.sh\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.7") + "\naws s3 ls\n"},
			}},
			cells: map[int]string{1: "%%writefile deploy.sh\naws s3 ls\n"},
		},
		{
			name: "a kernel rolecall has no rewriter for",
			nb: &nbtest.Notebook{Minor: 5, Metadata: kernelMeta("julia", "julia-1.10"), Cells: []nbtest.Cell{
				{Type: "code", ID: "a", Source: "ENV[\"AWS_ACCESS_KEY_ID\"] = \"" + g("aws_key_id.6") + "\""},
			}},
			manual: map[string]string{"aws_key_id.6": "no rewriter for julia cells (cell 1)"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, s := testPlanner(t)
			p.Registry = DefaultRegistry()
			data := nbtest.Write(c.nb, nbtest.Jupyter, nbtest.Options{})
			plan := planFor(t, p, s, "nb.ipynb", data)
			for _, it := range plan.Items {
				name := ""
				for n, v := range set.Values() {
					if v == it.Finding.Secret {
						name = n
					}
				}
				want, manual := c.manual[name]
				switch {
				case manual && (it.Fixed || !strings.Contains(it.Reason, want)):
					t.Errorf("%s: fixed %v, reason %q; want %q", name, it.Fixed, it.Reason, want)
				case !manual && !it.Fixed:
					t.Errorf("%s (%s) not fixed: %s", name, it.Finding.RuleID, it.Reason)
				}
				if strings.Contains(it.Reason, "overlaps") || strings.Contains(it.Reason, "edit [") {
					t.Errorf("raw internal message: %q", it.Reason)
				}
			}
			result := plan.Result
			if result == nil {
				result = data
			}
			nb, err := ipynb.Parse("nb.ipynb", result)
			if err != nil {
				t.Fatal(err)
			}
			for _, seg := range nb.Segments {
				if want, ok := c.cells[seg.Cell]; ok && seg.Kind == ipynb.KindSource && string(seg.Text) != want {
					t.Errorf("cell %d:\n%s\nwant\n%s", seg.Cell, seg.Text, want)
				}
			}
			// Outputs without a secret are kept byte for byte.
			before, after := rawOutputs(t, data), rawOutputs(t, result)
			for i := range before {
				if before[i] != after[i] {
					t.Errorf("cell %d outputs changed:\n%s\n%s", i+1, before[i], after[i])
				}
			}
		})
	}
}

// A cell whose edit fails is left alone with a sentence; the other cells
// keep their fixes.
func TestOneCellFailureKeepsTheOthers(t *testing.T) {
	set := testsecrets.New(1302)
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "code", ID: "a", Source: "import os\nKEY = \"" + set.Get("aws_key_id") + "\""},
		{Type: "code", ID: "b", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + set.Get("aws_key_id.2") + "\nexport AWS_SECRET_ACCESS_KEY=" + set.Get("aws_secret.2")},
		{Type: "code", ID: "c", Source: "%%R\nSys.setenv(AWS_ACCESS_KEY_ID = \"" + set.Get("aws_key_id.3") + "\")"},
	}}
	p, s := testPlanner(t)
	overlapping := func(text []byte, ts []edit.Target, _ edit.Options) edit.Result {
		r := deleteLines(text, ts, edit.Options{})
		r.Edits = append(r.Edits, edit.Edit{Start: 0, End: len(text)}) // overlaps the others
		return r
	}
	p.Registry.ForLang = func(lang string) (edit.Rewriter, func([]byte) error) {
		switch lang {
		case "shell":
			return overlapping, nil
		case "r":
			return deleteLines, func([]byte) error { return fmt.Errorf("unexpected end of input") }
		}
		return deleteLines, nil
	}
	plan := planFor(t, p, s, "nb.ipynb", nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{}))
	if !plan.Changed() {
		t.Fatal("the Python cell's fix was dropped too")
	}
	for _, it := range plan.Items {
		switch it.Finding.Notebook.Cell {
		case 1:
			if !it.Fixed {
				t.Errorf("cell 1 not fixed: %s", it.Reason)
			}
		case 2:
			if it.Fixed || !strings.Contains(it.Reason, "two edits of the same code in cell 2") {
				t.Errorf("cell 2: %+v", it)
			}
		case 3:
			if it.Fixed || !strings.Contains(it.Reason, "cell 3 would not parse after the edit (unexpected end of input)") {
				t.Errorf("cell 3: %+v", it)
			}
		}
		if strings.Contains(it.Reason, "edit [") {
			t.Errorf("raw internal message: %q", it.Reason)
		}
	}
	if !bytes.Contains(plan.Result, []byte(set.Get("aws_key_id.2"))) || !bytes.Contains(plan.Result, []byte(set.Get("aws_key_id.3"))) {
		t.Error("a failed cell was edited")
	}
}

// Only outputs that show a removed secret go, in any form; other copies
// are redacted in every form, and notes say where.
func TestOutputsHoldingASecret(t *testing.T) {
	set := testsecrets.New(1303)
	token := set.Get("aws_token")
	html := nbtest.Output{Type: "display_data", Data: nbtest.Map{{Key: "text/html", Value: nbtest.Lines("<table><tr><td>1</td></tr></table>")}}}
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "code", ID: "a", Source: "import boto3\ns3 = boto3.client('s3', aws_access_key_id='" + set.Get("aws_asia_id") + "', aws_secret_access_key='" + set.Get("aws_secret") + "', aws_session_token='" + token + "')\nshow(s3)",
			Outputs: []nbtest.Output{plot, {Type: "stream", Name: "stdout", Text: "token=" + url.QueryEscape(token) + "\n"}, html}},
		{Type: "code", ID: "b", Source: "url",
			Outputs: []nbtest.Output{{Type: "execute_result", ExecutionCount: 2, Data: nbtest.Map{{Key: "text/plain", Value: nbtest.Lines("'https://b.s3.amazonaws.com/k?X-Amz-Security-Token=" + url.QueryEscape(token) + "&X-Amz-Credential=" + set.Get("aws_asia_id") + "'")}}}}},
	}}
	for _, o := range []nbtest.Options{{}, {OneString: true}, {CRLF: true}} {
		data := nbtest.Write(nb, nbtest.Jupyter, o)
		p, s := testPlanner(t)
		p.Registry = DefaultRegistry()
		plan := planFor(t, p, s, "nb.ipynb", data)
		want := *nb
		want.Cells = append([]nbtest.Cell(nil), nb.Cells...)
		want.Cells[0].Source = "import boto3\ns3 = boto3.client('s3')\nshow(s3)"
		want.Cells[0].Outputs = []nbtest.Output{plot, html}
		want.Cells[1].Outputs = []nbtest.Output{{Type: "execute_result", ExecutionCount: 2, Data: nbtest.Map{{Key: "text/plain", Value: nbtest.Lines("'https://b.s3.amazonaws.com/k?X-Amz-Security-Token=" + Redacted + "&X-Amz-Credential=" + Redacted + "'")}}}}
		if w := nbtest.Write(&want, nbtest.Jupyter, o); !bytes.Equal(plan.Result, w) {
			t.Errorf("%+v: got\n%s\nwant\n%s", o, plan.Result, w)
		}
		notes := strings.Join(plan.Notes, "\n")
		for _, n := range []string{"cell 1: output 2 (stream, stdout) removed, since it showed a URL-encoded copy of the session token",
			"cell 2 output 1 (execute_result, text/plain): a URL-encoded copy of the session token replaced with ***REMOVED***",
			"cell 2 output 1 (execute_result, text/plain): the access key id replaced"} {
			if !strings.Contains(notes, n) {
				t.Errorf("no note %q in\n%s", n, notes)
			}
		}
		if fs, _ := s.Scan(scanner.Content{Path: "nb.ipynb", Data: plan.Result}); len(fs) > 0 {
			t.Errorf("findings after the fix: %+v", fs)
		}
	}
}

func TestDropElems(t *testing.T) {
	src := []byte(`[ 1 , 2 , 3 , 4 ]`)
	v, err := ipynb.ParseJSON(src)
	if err != nil {
		t.Fatal(err)
	}
	for drop, want := range map[string]string{
		"":     `[ 1 , 2 , 3 , 4 ]`,
		"0":    `[ 2 , 3 , 4 ]`,
		"13":   `[ 1 , 3 ]`,
		"23":   `[ 1 , 2 ]`,
		"023":  `[ 2 ]`,
		"0123": `[]`,
		"12":   `[ 1 , 4 ]`,
	} {
		es := dropElems(v, func(k int) bool { return strings.ContainsRune(drop, rune('0'+k)) })
		got, err := edit.Apply(src, es)
		if err != nil || string(got) != want {
			t.Errorf("drop %q: %q (%v), want %q", drop, got, err, want)
		}
	}
}

// Text notebooks are hostile too: planning one never ends in an internal
// error, and a changed plan applies and keeps its cells.
func FuzzTextNotebook(f *testing.F) {
	for _, s := range []string{
		"# Databricks notebook source\nK = \"@K\"\n\n# COMMAND ----------\n\n# MAGIC %sh\n# MAGIC export AWS_ACCESS_KEY_ID=@K\n# MAGIC export AWS_SECRET_ACCESS_KEY=@S\n",
		"# Databricks notebook source\n# MAGIC %r\r\n# MAGIC Sys.setenv(AWS_ACCESS_KEY_ID = \"@K\")\r\n# MAGIC\r\n# MAGIC x <- 1\r\n",
		"---\ntitle: x\n---\n\n```{bash}\nexport AWS_ACCESS_KEY_ID=@K AWS_SECRET_ACCESS_KEY=@S\n```\n\n```{r}\nSys.setenv(AWS_SECRET_ACCESS_KEY = \"@S\")\n```\n",
	} {
		f.Add(s, ".py")
		f.Add(s, ".Rmd")
	}
	set := testsecrets.New(1304)
	f.Fuzz(func(t *testing.T, src, ext string) {
		src = strings.NewReplacer("@K", set.Get("aws_key_id"), "@S", set.Get("aws_secret")).Replace(src)
		p, s := testPlanner(t)
		p.Registry = DefaultRegistry()
		name := "nb" + ext
		fs, _ := s.Scan(scanner.Content{Path: name, Data: []byte(src)})
		plan := p.Plan(name, []byte(src), fs)
		for _, it := range plan.Items {
			if strings.Contains(it.Reason, "internal error") || strings.Contains(it.Reason, "edit [") {
				t.Fatalf("%q: %s", src, it.Reason)
			}
		}
		if plan.Changed() {
			if got, err := edit.Apply([]byte(src), plan.Edits); err != nil || !bytes.Equal(got, plan.Result) {
				t.Fatalf("the plan's edits do not give its result: %v", err)
			}
		}
	})
}

// Zeppelin paragraphs go to the rewriter of their interpreter; a result
// without a secret stays.
func TestZeppelinParagraphs(t *testing.T) {
	set := testsecrets.New(1305)
	para := func(id, text, result string) string {
		res := ""
		if result != "" {
			res = `, "results": {"code": "SUCCESS", "msg": [{"type": "TEXT", "data": ` + quoteJSON(result) + `}]}`
		}
		return `{"id": "` + id + `", "text": ` + quoteJSON(text) + res + `}`
	}
	data := []byte(`{"name": "etl", "defaultInterpreterGroup": "spark", "paragraphs": [` +
		para("p1", "%sh\nexport AWS_ACCESS_KEY_ID="+set.Get("aws_key_id")+"\nexport AWS_SECRET_ACCESS_KEY="+set.Get("aws_secret")+"\naws s3 ls", "events/\n") + `, ` +
		para("p2", "%spark.pyspark\nimport boto3\ns3 = boto3.client('s3', aws_access_key_id='"+set.Get("aws_key_id.2")+"', aws_secret_access_key='"+set.Get("aws_secret.2")+"')", "") + `, ` +
		para("p3", "%spark\nsc.hadoopConfiguration.set(\"fs.s3a.access.key\", \""+set.Get("aws_key_id.3")+"\")", "res0: Unit = ()\n") + `]}` + "\n")
	p, s := testPlanner(t)
	p.Registry = DefaultRegistry()
	plan := planFor(t, p, s, "note.zpln", data)
	for _, it := range plan.Items {
		if !it.Fixed {
			t.Errorf("%s in paragraph %d not fixed: %s", it.Finding.RuleID, it.Finding.Notebook.Cell, it.Reason)
		}
	}
	for _, want := range []string{
		`"text": "%sh\naws s3 ls"`,
		`"text": "%spark.pyspark\nimport boto3\ns3 = boto3.client('s3')"`,
		`"text": "%spark\nsc.hadoopConfiguration.set(\"fs.s3a.aws.credentials.provider\", \"com.amazonaws.auth.DefaultAWSCredentialsProviderChain\")"`,
		`"msg": [{"type": "TEXT", "data": "events/\n"}]`, `"data": "res0: Unit = ()\n"`,
	} {
		if !bytes.Contains(plan.Result, []byte(want)) {
			t.Errorf("the fixed note lacks %s:\n%s", want, plan.Result)
		}
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The Python cells are one program: when one would not parse, they all
// keep their code, and the other cells their fixes.
func TestPythonFailureKeepsOtherCells(t *testing.T) {
	set := testsecrets.New(1306)
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "code", ID: "a", Source: "KEY = \"" + set.Get("aws_key_id") + "\""},
		{Type: "code", ID: "b", Source: "SECRET = \"" + set.Get("aws_secret") + "\""},
		{Type: "code", ID: "c", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + set.Get("aws_key_id.2")},
	}}
	p, s := testPlanner(t)
	p.Registry.ForLang = func(lang string) (edit.Rewriter, func([]byte) error) {
		if lang == "python" {
			return deleteLines, func(b []byte) error {
				if len(b) == 0 {
					return fmt.Errorf("empty cell")
				}
				return nil
			}
		}
		return deleteLines, nil
	}
	plan := planFor(t, p, s, "nb.ipynb", nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{}))
	for _, it := range plan.Items {
		cell := it.Finding.Notebook.Cell
		switch {
		case cell < 3 && (it.Fixed || !strings.Contains(it.Reason, "cell 1 would not parse after the edit (empty cell)")):
			t.Errorf("cell %d: %+v", cell, it)
		case cell == 3 && !it.Fixed:
			t.Errorf("the bash cell lost its fix: %s", it.Reason)
		}
	}
}
