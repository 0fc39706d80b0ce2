package ipynb

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

// fuzzNames picks the file name, hence the format, from the first fuzz
// argument, so one corpus covers every reader.
var fuzzNames = []string{"nb.ipynb", "n.zpln", "note.json", "s.py", "s.R", "s.scala", "q.sql", "r.Rmd", "d.qmd"}

func fuzzSel(name string) uint8 {
	for i, n := range fuzzNames {
		if n == name {
			return uint8(i)
		}
	}
	panic(name)
}

func FuzzParse(f *testing.F) {
	d := newDecoys()
	model := markedNotebook(d)
	for _, st := range []nbtest.Style{nbtest.Jupyter, nbtest.VSCode, nbtest.Colab, nbtest.Minified} {
		f.Add(fuzzSel("nb.ipynb"), nbtest.Write(model, st, nbtest.Options{}))
		f.Add(fuzzSel("nb.ipynb"), nbtest.Write(model, st, nbtest.Options{OneString: true, CRLF: true, ASCII: true}))
	}
	f.Add(fuzzSel("nb.ipynb"), nbtest.Jupyter3(model, nbtest.Options{}))
	zep := nbtest.Map{{Key: "paragraphs", Value: []any{nbtest.Map{
		{Key: "text", Value: "%sh\necho \"a\"\n"}, {Key: "id", Value: "p1"},
		{Key: "results", Value: nbtest.Map{{Key: "msg", Value: []any{nbtest.Map{{Key: "type", Value: "TEXT"}, {Key: "data", Value: "a\u001b[0m\n"}}}}}},
		{Key: "result", Value: nbtest.Map{{Key: "type", Value: "HTML"}, {Key: "msg", Value: "<img src='data:image/png;base64,AAAA'>"}}},
	}}}}
	f.Add(fuzzSel("n.zpln"), nbtest.Marshal(zep, nbtest.Minified, nbtest.Options{}))
	f.Add(fuzzSel("s.py"), []byte("# ---\n# jupyter:\n#   jupytext:\n# ---\n\n# %% [markdown]\n# t\n\n# %%\n# %%bash\nx = 1\n"))
	f.Add(fuzzSel("s.py"), []byte("# ---\n# jupyter:\n#   kernelspec: {}\n# ---\n\n# # T\n\nx = 1\n\ny = 2\n\n\n# +\na\n\n\nb\n# -\n"))
	f.Add(fuzzSel("s.py"), []byte("# Databricks notebook source\nx = 1\n\n# COMMAND ----------\n\n# DBTITLE 1,t\n# MAGIC %sh\n# MAGIC ls\n# MAGIC\n"))
	f.Add(fuzzSel("s.scala"), []byte("// Databricks notebook source\r\n// MAGIC %md x\r\n"))
	f.Add(fuzzSel("r.Rmd"), []byte("---\na: 1\n---\n\ntext\n\n```{r x}\n1\n```\n\n````\n```{r}\n````\n```{python\n"))
	f.Add(fuzzSel("nb.ipynb"), []byte(`{"cells":[{"cell_type":"markdown","source":["![a](data:image/png;base64,\/AAA=)\\u00e9"]}],"metadata":{"a":{"widgets":{"w":"x"}}},"nbformat":4}`))
	f.Add(fuzzSel("nb.ipynb"), []byte(`{"cells":[{"cell_type":"code","source":"","outputs":[{"output_type":"error","traceback":["\u001b[0;3","1mx\\u001b[0m"],"evalue":"v"}]}]}`))

	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		name := fuzzNames[int(sel)%len(fuzzNames)]
		nb, err := Parse(name, data)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		// We read a superset of JSON: anything encoding/json accepts must
		// parse, unless it nests deeper than our bound.
		if json.Valid(data) {
			if _, err := ParseJSON(data); err != nil && !strings.Contains(err.Error(), "nested more than") {
				t.Fatalf("valid JSON rejected: %v", err)
			}
		}
		if nb == nil {
			return
		}
		for i := range nb.Segments {
			if msg := checkMap(data, &nb.Segments[i]); msg != "" {
				t.Fatalf("segment %d (%s cell %d): %s", i, nb.Segments[i].Kind, nb.Segments[i].Cell, msg)
			}
		}
		for _, c := range nb.Cells {
			if c.Start < 0 || c.Start > c.End || c.End > len(data) || c.SrcStart < 0 || c.SrcStart > c.SrcEnd || c.SrcEnd > len(data) {
				t.Fatalf("cell %d spans [%d %d] src [%d %d] of %d", c.Index, c.Start, c.End, c.SrcStart, c.SrcEnd, len(data))
			}
		}
	})
}
