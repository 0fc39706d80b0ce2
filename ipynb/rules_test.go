package ipynb

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

func TestCellMagic(t *testing.T) {
	cases := []struct {
		src, lang, file string
		ok              bool
	}{
		{"%%bash\nls", "shell", "", true},
		{"\n  %%sh -e\nls", "shell", "", true},
		{"%%script bash --bg\nls", "shell", "", true},
		{"%%script /usr/bin/python3\nx", "python", "", true},
		{"%%sql postgresql://u@h/db\nselect 1", "sql", "", true},
		{"%%bigquery df\nselect 1", "sql", "", true},
		{"%%R -i df\nsummary(df)", "r", "", true},
		{"%%writefile creds.json\n{}", "text", "creds.json", true},
		{"%%writefile -a \"my dir/.env\"\nK=v", "text", "my dir/.env", true},
		{"%%file x.py\n", "text", "x.py", true},
		{"%%html\n<b>", "text", "", true},
		{"%%time\nx = 1", "", "", false},
		{"%%capture out\nx = 1", "", "", false},
		{"!aws configure set k v\n!ls", "", "", false},
		{"%env K=v", "", "", false},
		{"%sql\nselect 1", "sql", "", true}, // Databricks cell exported to Jupyter
		{"%sh\nls", "shell", "", true},
		{"%pip install x", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		lang, file, ok := cellMagic([]byte(c.src), false)
		if lang != c.lang || file != c.file || ok != c.ok {
			t.Errorf("cellMagic(%q) = %q %q %v, want %q %q %v", c.src, lang, file, ok, c.lang, c.file, c.ok)
		}
	}
	if lang, _, ok := cellMagic([]byte("# %%bash\nls"), true); !ok || lang != "shell" {
		t.Errorf("commented magic: %q %v", lang, ok)
	}
	if _, _, ok := cellMagic([]byte("# %%bash\nls"), false); ok {
		t.Error("a comment is not a magic in a notebook cell")
	}
}

func TestKernelLanguage(t *testing.T) {
	cases := []struct{ meta, want string }{
		{`{}`, "python"},
		{`{"kernelspec": {"language": "R", "name": "ir"}}`, "r"},
		{`{"kernelspec": {"name": "ir"}}`, "r"},
		{`{"language_info": {"name": "scala"}}`, "scala"},
		{`{"kernelspec": {"language": "C++17"}}`, "text"},
		{`{"kernelspec": {"name": "julia-1.9"}}`, "julia"},
		{`{"application/vnd.databricks.v1+notebook": {"language": "sql"}}`, "sql"},
	}
	for _, c := range cases {
		nb, err := Parse("k.ipynb", []byte(`{"cells": [{"cell_type": "code", "source": "x"}], "metadata": `+c.meta+`}`))
		if err != nil {
			t.Fatal(err)
		}
		if nb.Language != c.want || nb.Segments[0].Lang != c.want {
			t.Errorf("%s: language %q, segment %q, want %q", c.meta, nb.Language, nb.Segments[0].Lang, c.want)
		}
	}
}

func TestMIMEBundles(t *testing.T) {
	bigJS := strings.Repeat("var a = 1;\n", 7000) // > 64 KiB: a bundled library
	out := nbtest.Output{Type: "display_data", Data: nbtest.Map{
		{Key: "image/svg+xml", Value: "<svg><text>SVGMARK</text><image href=\"data:image/png;base64,AAAAQUJD\"/></svg>"},
		{Key: "image/jpeg", Value: "JPEGMARK"},
		{Key: "image/gif", Value: "GIFMARK"},
		{Key: "application/pdf", Value: "PDFMARK"},
		{Key: "application/javascript", Value: "var k = 'JSMARK';"},
		{Key: "application/vnd.plotly.v1+json", Value: nbtest.Map{{Key: "data", Value: "PLOTLYMARK"}}},
		{Key: "application/vnd.bokehjs_exec.v0+json", Value: "BOKEHMARK"},
		{Key: "application/vnd.holoviews_load.v0+json", Value: "HVMARK"},
		{Key: "application/vnd.dataresource+json", Value: nbtest.Map{{Key: "data", Value: []any{"TABLEMARK"}}}},
		{Key: "text/latex", Value: "$LATEXMARK$"},
		{Key: "text/markdown", Value: "MDOUTMARK"},
	}}
	big := nbtest.Output{Type: "display_data", Data: nbtest.Map{{Key: "application/javascript", Value: bigJS + "BIGJSMARK"}}}
	str := nbtest.Output{Type: "execute_result", Data: nbtest.Map{{Key: "application/json", Value: `{"k": "STRJSONMARK"}`}}}
	model := &nbtest.Notebook{Cells: []nbtest.Cell{{Type: "code", Outputs: []nbtest.Output{out, big, str}}}}
	data := nbtest.Write(model, nbtest.Jupyter, nbtest.Options{})
	nb, err := Parse("m.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	checkAllMaps(t, data, nb)
	for _, m := range []string{"JPEGMARK", "GIFMARK", "PDFMARK", "PLOTLYMARK", "BOKEHMARK", "HVMARK", "BIGJSMARK", "QUJD"} {
		if len(find(nb, m)) > 0 {
			t.Errorf("%s was scanned", m)
		}
	}
	for m, mime := range map[string]string{"SVGMARK": "image/svg+xml", "JSMARK": "application/javascript",
		"TABLEMARK": "application/vnd.dataresource+json", "LATEXMARK": "text/latex", "MDOUTMARK": "text/markdown",
		"STRJSONMARK": "application/json"} {
		s := one(t, nb, m)
		if s.Output == nil || s.Output.MIME != mime {
			t.Errorf("%s: output %+v", m, s.Output)
		}
		if want := strings.HasSuffix(mime, "json"); want != (s.Lang == "json") {
			t.Errorf("%s: lang %q", m, s.Lang)
		}
	}
	// Raw JSON values are the file's own bytes.
	s := one(t, nb, "TABLEMARK")
	if !bytes.HasPrefix(s.Text, []byte("{\n")) || !bytes.Contains(data, s.Text) {
		t.Errorf("JSON bundle is not the raw value: %q", s.Text)
	}
	if s := one(t, nb, "STRJSONMARK"); string(s.Text) != `{"k": "STRJSONMARK"}` {
		t.Errorf("JSON string not decoded: %q", s.Text)
	}
}

func TestMetadataRules(t *testing.T) {
	data := []byte(`{"cells": [{"cell_type": "markdown", "source": "x", "id": "CELLIDMARK",
  "attachments": {"a.png": {"image/png": "ATTACHMARK", "text/plain": "ATTACHTEXT"}},
  "metadata": {"tags": ["parameters", "TAGMARK"], "execution": {"iopub.execute_input": "TIMEMARK"}, "widgets": {"w": "CELLWIDGET"}}}],
 "metadata": {
  "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}, "x": "ROOTWIDGET"},
  "application/vnd.databricks.v1+notebook": {"notebookName": "etl", "widgets": {"token": {"currentValue": "DBWIDGETMARK", "nuid": "NUIDMARK"}}},
  "toc": {"title": "TOCMARK"}, "jupytext": {"formats": "JTMARK"},
  "pass\u0077ord": "ESCKEYMARK",
  "` + strings.Repeat("k", 300) + `": ["LONGKEY1", "LONGKEY2"]
 },
 "nbformat": 4, "nbformat_minor": 5}`)
	nb, err := Parse("meta.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	checkAllMaps(t, data, nb)
	for _, m := range []string{"CELLIDMARK", "ATTACHMARK", "ATTACHTEXT", "TIMEMARK", "ROOTWIDGET", "CELLWIDGET", "NUIDMARK", "TOCMARK", "JTMARK"} {
		if len(find(nb, m)) > 0 {
			t.Errorf("%s was scanned", m)
		}
	}
	want := map[string]string{
		"TAGMARK":      `cells[0].metadata.tags[1]`,
		"DBWIDGETMARK": `metadata["application/vnd.databricks.v1+notebook"].widgets.token.currentValue`,
		"ESCKEYMARK":   `metadata.password`,
	}
	for m, key := range want {
		if s := one(t, nb, m); s.Key != key || s.Kind != KindMetadata {
			t.Errorf("%s: key %q, want %q", m, s.Key, key)
		}
	}
	// The escaped key decodes, and maps back to its escapes.
	s := one(t, nb, "ESCKEYMARK")
	if !bytes.HasPrefix(s.Text, []byte(`password: "`)) || rawOf(data, s, 0, len("password")) != `pass\u0077ord` {
		t.Errorf("escaped key: %q maps to %q", s.Text, rawOf(data, s, 0, len("password")))
	}
	// An array element is shown under its array's key.
	if s := one(t, nb, "TAGMARK"); string(s.Text) != `tags: "TAGMARK"` {
		t.Errorf("array element text %q", s.Text)
	}
	// A key too long to be a name is not repeated for each element.
	if s := one(t, nb, "LONGKEY1"); string(s.Text) != `"LONGKEY1"` || len(s.Key) > maxKeyLen+20 {
		t.Errorf("long key: text %q, key %d bytes", s.Text, len(s.Key))
	}
}
