package ipynb

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

func TestNBFormat3(t *testing.T) {
	d := newDecoys()
	model := markedNotebook(d)
	for _, crlf := range []bool{false, true} {
		data := nbtest.Jupyter3(model, nbtest.Options{CRLF: crlf})
		nb, err := Parse("old.ipynb", data)
		if err != nil {
			t.Fatal(err)
		}
		checkAllMaps(t, data, nb)
		checkNoDecoys(t, nb, d)
		if nb.Format != FormatJupyter3 || len(nb.Cells) != len(model.Cells) {
			t.Fatalf("format %q, %d cells", nb.Format, len(nb.Cells))
		}
		if c := nb.Cells[1]; c.Type != "code" || c.Lang != "python" || c.Source == nil || c.Outputs.Len() != 4 {
			t.Errorf("code cell: %+v", c)
		}
		cases := []struct {
			marker string
			kind   Kind
			cell   int
			out    Output
		}{
			{mSrc, KindSource, 2, Output{}},
			{mMD, KindSource, 1, Output{}},
			{mStream, KindOutput, 2, Output{0, "stream", "stdout"}},
			{mPlain, KindOutput, 2, Output{1, "pyout", "text/plain"}},
			{mHTML, KindOutput, 2, Output{1, "pyout", "text/html"}},
			{mJSON, KindOutput, 2, Output{1, "pyout", "application/json"}},
			{mErr, KindOutput, 2, Output{3, "pyerr", ""}},
			{mMeta, KindMetadata, 0, Output{}},
		}
		for _, c := range cases {
			s := one(t, nb, c.marker)
			if s.Kind != c.kind || s.Cell != c.cell || s.Output != nil && *s.Output != c.out {
				t.Errorf("%s: %s cell %d output %+v", c.marker, s.Kind, s.Cell, s.Output)
			}
			i := bytes.Index(s.Text, []byte(c.marker))
			if got := rawOf(data, s, i, len(c.marker)); got != c.marker {
				t.Errorf("%s maps to %q", c.marker, got)
			}
		}
		if s := one(t, nb, "export A=1"); s.Lang != "shell" {
			t.Errorf("bash cell lang %q", s.Lang)
		}
	}
}

func TestZeppelin(t *testing.T) {
	d := newDecoys()
	note := nbtest.Map{
		{Key: "paragraphs", Value: []any{
			nbtest.Map{
				{Key: "text", Value: "%pyspark\nkey = \"ZMARK1\"\nprint(key)"},
				{Key: "user", Value: "anonymous"},
				{Key: "dateUpdated", Value: "2024-01-01T00:00:00+0000"},
				{Key: "config", Value: nbtest.Map{{Key: "editorMode", Value: "ace/mode/python"}}},
				{Key: "settings", Value: nbtest.Map{{Key: "params", Value: nbtest.Map{{Key: "password", Value: "ZMARK5"}}}}},
				{Key: "results", Value: nbtest.Map{{Key: "code", Value: "SUCCESS"}, {Key: "msg", Value: []any{
					nbtest.Map{{Key: "type", Value: "TEXT"}, {Key: "data", Value: "printed ZMARK2\n"}},
					nbtest.Map{{Key: "type", Value: "IMG"}, {Key: "data", Value: d.png}},
					nbtest.Map{{Key: "type", Value: "HTML"}, {Key: "data", Value: "<img src=\"data:image/png;base64," + d.png + "\"> ZMARK3"}},
				}}}},
				{Key: "id", Value: "paragraph_1700000000000_" + d.cellID},
				{Key: "jobName", Value: "paragraph_" + d.widget},
			},
			nbtest.Map{{Key: "text", Value: "%md\n# Notes ZMARK4"}, {Key: "id", Value: "p2"}},
			nbtest.Map{{Key: "text", Value: "val x = 1"}, {Key: "id", Value: "p3"}},
			nbtest.Map{{Key: "text", Value: "%spark.sql\nselect 1"}, {Key: "id", Value: "p4"}},
			nbtest.Map{{Key: "text", Value: "%sh\nexport Y=2"}, {Key: "id", Value: "p5"}},
		}},
		{Key: "name", Value: "My note"},
		{Key: "id", Value: "2ABCDEF"},
		{Key: "defaultInterpreterGroup", Value: "spark"},
		{Key: "version", Value: "0.10.1"},
	}
	for _, style := range []nbtest.Style{nbtest.Colab, nbtest.Minified} {
		data := nbtest.Marshal(note, style, nbtest.Options{})
		if f := Sniff("notes/My note_2ABCDEF.zpln", data); f != FormatZeppelin {
			t.Fatalf("Sniff = %q", f)
		}
		if f := Sniff("notebook/2ABCDEF/note.json", data); f != FormatZeppelin {
			t.Fatalf("Sniff note.json = %q", f)
		}
		nb, err := Parse("n.zpln", data)
		if err != nil {
			t.Fatal(err)
		}
		checkAllMaps(t, data, nb)
		checkNoDecoys(t, nb, d)
		wantLangs := []string{"python", "markdown", "scala", "sql", "shell"}
		if len(nb.Cells) != len(wantLangs) || nb.Language != "scala" {
			t.Fatalf("%d cells, language %q", len(nb.Cells), nb.Language)
		}
		for i, want := range wantLangs {
			if nb.Cells[i].Lang != want {
				t.Errorf("paragraph %d lang %q, want %q", i+1, nb.Cells[i].Lang, want)
			}
		}
		if s := one(t, nb, "ZMARK1"); s.Kind != KindSource || s.Cell != 1 || s.CellID != "paragraph_1700000000000_"+d.cellID || s.Lang != "python" {
			t.Errorf("source segment %+v", s)
		}
		if s := one(t, nb, "ZMARK2"); s.Output == nil || *s.Output != (Output{0, "TEXT", ""}) {
			t.Errorf("TEXT result: %+v", s.Output)
		}
		if s := one(t, nb, "ZMARK3"); s.Output == nil || s.Output.Index != 2 || s.Output.Type != "HTML" {
			t.Errorf("HTML result: %+v", s.Output)
		}
		if s := one(t, nb, "ZMARK4"); s.CellType != "markdown" || s.Lang != "markdown" {
			t.Errorf("md paragraph: %+v", s)
		}
		if s := one(t, nb, "ZMARK5"); s.Kind != KindMetadata || s.Key != "paragraphs[0].settings.params.password" || !bytes.HasPrefix(s.Text, []byte("password: ")) {
			t.Errorf("form param: %q %q", s.Key, s.Text)
		}
		for _, m := range []string{"ZMARK1", "ZMARK2", "ZMARK3", "ZMARK4"} {
			s := one(t, nb, m)
			if got := rawOf(data, s, bytes.Index(s.Text, []byte(m)), len(m)); got != m {
				t.Errorf("%s maps to %q", m, got)
			}
		}
		if len(find(nb, "anonymous")) != 0 || len(find(nb, "ace/mode")) != 0 {
			t.Error("paragraph machinery (user, config) was scanned")
		}
	}
}

// cellWant describes an expected text-format cell.
type cellWant struct {
	typ, lang, text string
}

func checkTextCells(t *testing.T, name, src string, format Format, want []cellWant) *Notebook {
	t.Helper()
	data := []byte(src)
	if f := Sniff(name, data); f != format {
		t.Fatalf("Sniff(%s) = %q, want %q", name, f, format)
	}
	nb, err := Parse(name, data)
	if err != nil || nb == nil {
		t.Fatalf("Parse: %v", err)
	}
	checkAllMaps(t, data, nb)
	if len(nb.Cells) != len(want) {
		for _, c := range nb.Cells {
			t.Logf("cell %d %s %s %q", c.Index, c.Type, c.Lang, data[c.SrcStart:c.SrcEnd])
		}
		t.Fatalf("%d cells, want %d", len(nb.Cells), len(want))
	}
	for i, w := range want {
		c := nb.Cells[i]
		var text string
		for _, s := range nb.Segments {
			if s.Kind == KindSource && s.Cell == i+1 {
				text = string(s.Text)
				if s.CellType != w.typ || s.Lang != w.lang {
					t.Errorf("cell %d segment: type %q lang %q, want %q %q", i+1, s.CellType, s.Lang, w.typ, w.lang)
				}
			}
		}
		if c.Index != i+1 || c.Type != w.typ || text != w.text {
			t.Errorf("cell %d: index %d type %q text %q, want %q %q", i+1, c.Index, c.Type, text, w.typ, w.text)
		}
		if c.Start > c.SrcStart || c.SrcEnd > c.End || c.End > len(data) {
			t.Errorf("cell %d: spans [%d %d %d %d] out of order", i+1, c.Start, c.SrcStart, c.SrcEnd, c.End)
		}
	}
	return nb
}

func TestJupytextPercent(t *testing.T) {
	src := `# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
#   kernelspec:
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Title

# %%
import os
key = "PMARK"

# %% tags=["parameters"]
# %%bash
# echo hi

# %% [raw]
raw text
`
	nb := checkTextCells(t, "nb.py", src, FormatPercent, []cellWant{
		{"markdown", "markdown", "# # Title\n"},
		{"code", "python", "import os\nkey = \"PMARK\"\n"},
		{"code", "shell", "# %%bash\n# echo hi\n"},
		{"raw", "text", "raw text\n"},
	})
	if s := one(t, nb, "format_name"); s.Kind != KindMetadata || s.Cell != 0 {
		t.Errorf("header segment: %s cell %d", s.Kind, s.Cell)
	}
	s := one(t, nb, "PMARK")
	if got := rawOf([]byte(src), s, bytes.Index(s.Text, []byte("PMARK")), 5); got != "PMARK" {
		t.Errorf("maps to %q", got)
	}

	// VS Code / Spyder cells: no header, CRLF, code before the first marker.
	checkTextCells(t, "script.py", "import sys\r\n\r\n#%% load\r\nx = 1\r\n\r\n# %% [md]\r\n# note\r\n", FormatPercent, []cellWant{
		{"code", "python", "import sys\r\n"},
		{"code", "python", "x = 1\r\n"},
		{"markdown", "markdown", "# note\r\n"},
	})
	checkTextCells(t, "analysis.R", "# %%\nSys.setenv(A = \"b\")\n", FormatPercent, []cellWant{{"code", "r", "Sys.setenv(A = \"b\")\n"}})
	checkTextCells(t, "job.scala", "// %%\nval a = 1\n", FormatPercent, []cellWant{{"code", "scala", "val a = 1\n"}})
	// "# %%bash" alone is a commented magic, not a marker.
	if f := Sniff("plain.py", []byte("# %%bash\nx = 1\n")); f != FormatNone {
		t.Errorf("plain script sniffed as %q", f)
	}
}

func TestJupytextLight(t *testing.T) {
	src := `# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:light
#   kernelspec:
#     name: python3
# ---

# # Title
# text

import os
x = 1

y = 2


def f():
    return 1

# + tags=["parameters"]
a = 1


b = 2
# -

# comment before code
z = 3

# end
`
	checkTextCells(t, "nb.py", src, FormatLight, []cellWant{
		{"markdown", "markdown", "# # Title\n# text\n"},
		{"code", "python", "import os\nx = 1\n\ny = 2\n"},
		{"code", "python", "def f():\n    return 1\n"},
		{"code", "python", "a = 1\n\n\nb = 2\n"},
		{"code", "python", "# comment before code\nz = 3\n"},
		{"markdown", "markdown", "# end\n"},
	})
	// Without the header a script is just a script.
	if f := Sniff("nb.py", []byte("import os\n\n# + \nx = 1\n# -\n")); f != FormatNone {
		t.Errorf("headerless light script sniffed as %q", f)
	}
}

func TestDatabricksSource(t *testing.T) {
	src := `# Databricks notebook source
import os

# COMMAND ----------

# DBTITLE 1,Configure the CLI
# MAGIC %sh
# MAGIC export REGION=DBMARK1
# MAGIC
# MAGIC echo done

# COMMAND ----------

# MAGIC %md
# MAGIC # Heading ![x](data:image/png;base64,iVBORw0KGgoAAAA)

# COMMAND ----------

# MAGIC %sql
# MAGIC SELECT 1

# COMMAND ----------

spark.conf.set("k", "DBMARK2")
`
	nb := checkTextCells(t, "etl.py", src, FormatDatabricks, []cellWant{
		{"code", "python", "import os\n"},
		{"code", "shell", "%sh\nexport REGION=DBMARK1\n\necho done\n"},
		{"markdown", "markdown", "%md\n# Heading ![x](data:image/png;base64,               )\n"},
		{"code", "sql", "%sql\nSELECT 1\n"},
		{"code", "python", "spark.conf.set(\"k\", \"DBMARK2\")\n"},
	})
	for _, m := range []string{"DBMARK1", "DBMARK2", "export REGION"} {
		s := one(t, nb, m)
		if got := rawOf([]byte(src), s, bytes.Index(s.Text, []byte(m)), len(m)); got != m {
			t.Errorf("%s maps to %q", m, got)
		}
	}
	if c := nb.Cells[1]; !strings.HasPrefix(src[c.Start:], "# DBTITLE") {
		t.Errorf("titled cell starts at %q", src[c.Start:c.Start+10])
	}
	scala := "// Databricks notebook source\nval a = 1\n\n// COMMAND ----------\n\n// MAGIC %sh ls\n"
	checkTextCells(t, "job.scala", scala, FormatDatabricks, []cellWant{
		{"code", "scala", "val a = 1\n"},
		{"code", "shell", "%sh ls\n"},
	})
	sql := "-- Databricks notebook source exported at Tue, 1 Jan 2019 00:00:00 UTC\r\nSELECT 1\r\n\r\n-- COMMAND ----------\r\n\r\n-- MAGIC %python\r\n-- MAGIC x = 1\r\n"
	checkTextCells(t, "q.sql", sql, FormatDatabricks, []cellWant{
		{"code", "sql", "SELECT 1\r\n"},
		{"code", "python", "%python\r\nx = 1\r\n"},
	})
}

func TestRMarkdownAndQuarto(t *testing.T) {
	rmd := "---\ntitle: \"Report\"\nparams:\n  token: \"RMDMARK\"\n---\n\nIntro text.\n\n" +
		"```{r setup, include=FALSE}\nlibrary(aws.s3)\nSys.setenv(\"K\" = \"v\")\n```\n\nMore prose `r 1+1`.\n\n" +
		"```{python}\nx = 1\n```\n\n````markdown\n```{r}\nshown, not run\n```\n````\n\n```{bash}\nls\n```\n"
	nb := checkTextCells(t, "report.Rmd", rmd, FormatRMarkdown, []cellWant{
		{"raw", "yaml", "title: \"Report\"\nparams:\n  token: \"RMDMARK\"\n"},
		{"markdown", "markdown", "Intro text.\n"},
		{"code", "r", "library(aws.s3)\nSys.setenv(\"K\" = \"v\")\n"},
		{"markdown", "markdown", "More prose `r 1+1`.\n"},
		{"code", "python", "x = 1\n"},
		{"markdown", "markdown", "````markdown\n```{r}\nshown, not run\n```\n````\n"},
		{"code", "shell", "ls\n"},
	})
	if nb.Language != "r" {
		t.Errorf("language %q", nb.Language)
	}
	qmd := "---\ntitle: Q\njupyter: python3\n---\n\n```{python}\n#| echo: false\nimport os\n```\n\n::: {.callout-note}\nText\n:::\n\n```{.python}\nnot run\n```\n"
	checkTextCells(t, "doc.qmd", qmd, FormatQuarto, []cellWant{
		{"raw", "yaml", "title: Q\njupyter: python3\n"},
		{"code", "python", "#| echo: false\nimport os\n"},
		{"markdown", "markdown", "::: {.callout-note}\nText\n:::\n\n```{.python}\nnot run\n```\n"},
	})
	// An unclosed chunk runs to the end of the file.
	checkTextCells(t, "cut.Rmd", "```{r}\nx <- 1\n", FormatRMarkdown, []cellWant{{"code", "r", "x <- 1\n"}})
}

func TestSniff(t *testing.T) {
	cases := []struct {
		name, data string
		want       Format
	}{
		{"a.ipynb", "{}", FormatJupyter},
		{"a.IPYNB", "\xef\xbb\xbf\r\n {", FormatJupyter},
		{"a.ipynb", "version https://git-lfs.github.com/spec/v1\n", FormatNone},
		{"a.ipynb", "", FormatNone},
		{"n.zpln", "{}", FormatZeppelin},
		{"dir/note.json", `{"paragraphs": []}`, FormatZeppelin},
		{"dir/note.json", `{"name": "x"}`, FormatNone},
		{"data.json", `{"cells": []}`, FormatNone},
		{"a.py", "print(1)\n", FormatNone},
		{"a.py", "# Databricks notebook source\nx=1\n", FormatDatabricks},
		{"a.txt", "# Databricks notebook source\n", FormatNone},
		{"a.Rmd", "", FormatRMarkdown},
		{"a.qmd", "# t", FormatQuarto},
		{`C:\nb\x.py`, "# %%\n", FormatPercent},
		{"a.go", "# %%\n", FormatNone},
	}
	for _, c := range cases {
		if got := Sniff(c.name, []byte(c.data)); got != c.want {
			t.Errorf("Sniff(%q, %q) = %q, want %q", c.name, c.data, got, c.want)
		}
	}
	if nb, err := Parse("main.go", []byte("package main")); nb != nil || err != nil {
		t.Errorf("Parse of a non-notebook = %v, %v; want nil, nil", nb, err)
	}
}
