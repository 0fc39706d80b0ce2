package ipynb

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/ipynb/pyjson"
)

const (
	mSrc      = "SRCMARK1"
	mMD       = "MDMARK3"
	mStream   = "STREAMMARK4"
	mPlain    = "PLAINMARK5"
	mErr      = "ERRMARK6"
	mMeta     = "METAMARK7"
	mCellMeta = "CELLMETA8"
	mUni      = "UNIMARKé9"
	mHTML     = "HTMLMARK10"
	mJSON     = "JSONMARK11"
	mRaw      = "RAWMARK12"
	mNL       = "QQ\nNLMARK13"
)

func markedNotebook(d decoys) *nbtest.Notebook {
	dataURI := "data:image/png;base64," + d.png
	return &nbtest.Notebook{
		Minor: 5,
		Metadata: nbtest.Map{
			{Key: "kernelspec", Value: nbtest.Map{{Key: "display_name", Value: "Python 3"}, {Key: "language", Value: "python"}, {Key: "name", Value: "python3"}}},
			{Key: "colab", Value: nbtest.Map{{Key: "authorship_tag", Value: d.hash}, {Key: "provenance", Value: []any{}}}},
			{Key: "papermill", Value: nbtest.Map{{Key: "parameters", Value: nbtest.Map{{Key: "token", Value: mMeta}, {Key: "n", Value: 2}}}}},
			{Key: "vscode", Value: nbtest.Map{{Key: "interpreter", Value: nbtest.Map{{Key: "hash", Value: d.hash}}}}},
			{Key: "widgets", Value: nbtest.Map{{Key: "application/vnd.jupyter.widget-state+json", Value: nbtest.Map{
				{Key: "state", Value: nbtest.Map{{Key: d.widget, Value: nbtest.Map{{Key: "model_name", Value: "LayoutModel"}, {Key: "state", Value: nbtest.Map{{Key: "value", Value: d.png}}}}}}},
			}}}},
		},
		Cells: []nbtest.Cell{
			{Type: "markdown", ID: d.cellID, Source: "# Title " + mMD + "\n![plot](" + dataURI + ")\nend\n"},
			{Type: "code", ID: "code-2", ExecutionCount: 1,
				Metadata: nbtest.Map{{Key: "id", Value: d.cellID}, {Key: "outputId", Value: d.widget}, {Key: "title", Value: mCellMeta}},
				Source:   "import os\nkey = \"" + mSrc + "\"\nname = '" + mUni + "'\nprint(key)",
				Outputs: []nbtest.Output{
					{Type: "stream", Name: "stdout", Text: "token is " + mStream + "\nbye\n"},
					{Type: "execute_result", ExecutionCount: 1, Data: nbtest.Map{
						{Key: "text/plain", Value: "{'token': '" + mPlain + "',\n 'n': 1}"},
						{Key: "text/html", Value: "<b>" + mHTML + "</b><img src=\"" + dataURI + "\"/>"},
						{Key: "application/json", Value: nbtest.Map{{Key: "api", Value: mJSON}}},
						{Key: "image/png", Value: d.png},
					}},
					{Type: "display_data", Data: nbtest.Map{
						{Key: "image/png", Value: d.png},
						{Key: "application/vnd.jupyter.widget-view+json", Value: nbtest.Map{{Key: "model_id", Value: d.widget}}},
						{Key: "text/plain", Value: "<Figure size 640x480>"},
					}},
					{Type: "error", EName: "KeyError", EValue: "'x'", Traceback: []string{
						"\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
						"\x1b[0;31mKeyError\x1b[0m: token=\x1b[1;32m" + mErr + "\x1b[0m",
					}},
				}},
			{Type: "code", ID: "code-3", Source: "%%bash\nexport A=1\n"},
			{Type: "code", ID: "code-4", Source: "%%writefile -a ~/.kaggle/kaggle.json\n{\"username\": \"u\"}\n"},
			{Type: "raw", ID: "raw-5", Source: mRaw + "\n"},
			{Type: "code", ID: "code-6", Source: "x = \"" + mNL + "\"\n"},
		},
	}
}

// TestWriterMatrix parses the same notebook as every writer stores it and
// checks cells, languages, decoded text and the raw span of every marker.
func TestWriterMatrix(t *testing.T) {
	d := newDecoys()
	model := markedNotebook(d)
	styles := []struct {
		name  string
		style nbtest.Style
	}{{"jupyter", nbtest.Jupyter}, {"vscode", nbtest.VSCode}, {"colab", nbtest.Colab}, {"minified", nbtest.Minified}}
	for _, st := range styles {
		for _, oneString := range []bool{false, true} {
			for _, crlf := range []bool{false, true} {
				for _, ascii := range []bool{false, true} {
					opt := nbtest.Options{OneString: oneString, CRLF: crlf, ASCII: ascii}
					name := fmt.Sprintf("%s/onestring=%v/crlf=%v/ascii=%v", st.name, oneString, crlf, ascii)
					t.Run(name, func(t *testing.T) {
						data := nbtest.Write(model, st.style, opt)
						checkMarked(t, data, model, d, opt)
					})
				}
			}
		}
	}
}

func checkMarked(t *testing.T, data []byte, model *nbtest.Notebook, d decoys, opt nbtest.Options) {
	nb, err := Parse("nb.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	checkAllMaps(t, data, nb)
	checkNoDecoys(t, nb, d)
	if nb.Format != FormatJupyter || nb.Language != "python" || len(nb.Warnings) > 0 {
		t.Errorf("format %q language %q warnings %q", nb.Format, nb.Language, nb.Warnings)
	}
	if len(nb.Cells) != len(model.Cells) {
		t.Fatalf("%d cells, want %d", len(nb.Cells), len(model.Cells))
	}
	wantLang := []string{"markdown", "python", "shell", "text", "text", "python"}
	for i, mc := range model.Cells {
		c := nb.Cells[i]
		if c.Index != i+1 || c.ID != mc.ID || c.Type != mc.Type {
			t.Errorf("cell %d: index %d id %q type %q, want %q %q", i+1, c.Index, c.ID, c.Type, mc.ID, mc.Type)
		}
		if c.Source == nil || !bytes.Equal(data[c.SrcStart:c.SrcEnd], c.Source.Raw()) {
			t.Errorf("cell %d: source span wrong", i+1)
		}
		var src *Segment
		for k := range nb.Segments {
			if s := &nb.Segments[k]; s.Kind == KindSource && s.Cell == i+1 {
				src = s
			}
		}
		if src == nil {
			t.Errorf("cell %d: no source segment", i+1)
			continue
		}
		want := mc.Source
		if i == 0 { // the image payload is blanked, length kept
			want = strings.Replace(want, d.png, strings.Repeat(" ", len(d.png)), 1)
		}
		if string(src.Text) != want {
			t.Errorf("cell %d source:\n got %q\nwant %q", i+1, src.Text, want)
		}
		if src.CellID != mc.ID || src.CellType != mc.Type || src.Lang != wantLang[i] {
			t.Errorf("cell %d segment: id %q type %q lang %q, want %q %q %q", i+1, src.CellID, src.CellType, src.Lang, mc.ID, mc.Type, wantLang[i])
		}
	}
	if s := one(t, nb, "export A=1"); s.Lang != "shell" {
		t.Errorf("%%%%bash cell lang %q", s.Lang)
	}
	if s := one(t, nb, `"username"`); s.WriteFile != "~/.kaggle/kaggle.json" {
		t.Errorf("WriteFile %q", s.WriteFile)
	}

	escaped := func(s string) string { q := pyjson.Quote(s, opt.ASCII); return q[1 : len(q)-1] }
	cases := []struct {
		marker, key string
		kind        Kind
		cell        int
		out         *Output
		lang        string
	}{
		{mSrc, "", KindSource, 2, nil, "python"},
		{mUni, "", KindSource, 2, nil, "python"},
		{mMD, "", KindSource, 1, nil, "markdown"},
		{mRaw, "", KindSource, 5, nil, "text"},
		{mStream, "", KindOutput, 2, &Output{0, "stream", "stdout"}, "text"},
		{mPlain, "", KindOutput, 2, &Output{1, "execute_result", "text/plain"}, "text"},
		{mHTML, "", KindOutput, 2, &Output{1, "execute_result", "text/html"}, "text"},
		{mJSON, "", KindOutput, 2, &Output{1, "execute_result", "application/json"}, "json"},
		{mErr, "", KindOutput, 2, &Output{3, "error", ""}, "text"},
		{mMeta, "metadata.papermill.parameters.token", KindMetadata, 0, nil, "text"},
		{mCellMeta, "cells[1].metadata.title", KindMetadata, 2, nil, "text"},
	}
	for _, c := range cases {
		s := one(t, nb, c.marker)
		if s.Kind != c.kind || s.Cell != c.cell || s.Key != c.key || s.Lang != c.lang {
			t.Errorf("%s: in %s cell %d key %q lang %q, want %s cell %d key %q lang %q", c.marker, s.Kind, s.Cell, s.Key, s.Lang, c.kind, c.cell, c.key, c.lang)
		}
		if (s.Output == nil) != (c.out == nil) || s.Output != nil && *s.Output != *c.out {
			t.Errorf("%s: output %+v, want %+v", c.marker, s.Output, c.out)
		}
		i := bytes.Index(s.Text, []byte(c.marker))
		if got, want := rawOf(data, s, i, len(c.marker)), escaped(c.marker); got != want {
			t.Errorf("%s: raw span %q, want %q", c.marker, got, want)
		}
	}

	// A value between escaped quotes maps to the escapes themselves.
	s := one(t, nb, mSrc)
	q := `"` + mSrc + `"`
	if got := rawOf(data, s, bytes.Index(s.Text, []byte(q)), len(q)); got != `\"`+mSrc+`\"` {
		t.Errorf("quoted marker maps to %q", got)
	}
	// The metadata segment shows the name next to the value.
	if s := one(t, nb, mMeta); string(s.Text) != `token: "`+mMeta+`"` || rawOf(data, s, 0, len("token")) != "token" { // rolecall:allow (test marker)
		t.Errorf("metadata text %q", s.Text)
	}
	// The traceback lost its colours but kept the text around the marker,
	// and "ename: evalue" comes after it, so lines count as displayed.
	if s := one(t, nb, mErr); !bytes.HasSuffix(s.Text, []byte("\nKeyError: 'x'")) || !bytes.Contains(s.Text, []byte("KeyError: token="+mErr)) {
		t.Errorf("traceback text %q", s.Text)
	}
	// A newline inside the marker: one JSON escape in a one-string source,
	// the end of one list element and the start of the next otherwise.
	s = one(t, nb, "NLMARK13")
	i := bytes.Index(s.Text, []byte(mNL))
	got := rawOf(data, s, i, len(mNL))
	if opt.OneString {
		if got != `QQ\nNLMARK13` {
			t.Errorf("newline marker maps to %q", got)
		}
	} else if !strings.HasPrefix(got, `QQ\n"`) || !strings.HasSuffix(got, `"NLMARK13`) {
		t.Errorf("newline marker maps to %q", got)
	}
}

func TestNotebookLevelSkips(t *testing.T) {
	d := newDecoys()
	data := nbtest.Write(markedNotebook(d), nbtest.Jupyter, nbtest.Options{})
	nb, err := Parse("x.ipynb", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range nb.Segments {
		if s.Kind == KindMetadata && (strings.Contains(s.Key, "kernelspec") || strings.Contains(s.Key, "widgets") || strings.Contains(s.Key, "colab")) {
			t.Errorf("metadata %s should be skipped", s.Key)
		}
		if s.Output != nil && (strings.HasPrefix(s.Output.MIME, "image/png") || strings.Contains(s.Output.MIME, "widget")) {
			t.Errorf("output %s should be skipped", s.Output.MIME)
		}
	}
	// The figure's text/plain is kept even next to skipped MIME types.
	if s := one(t, nb, "<Figure size"); s.Output == nil || s.Output.Type != "display_data" || s.Output.Index != 2 {
		t.Errorf("display_data text/plain: %+v", s.Output)
	}
}
