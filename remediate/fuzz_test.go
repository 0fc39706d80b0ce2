package remediate

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/remediate/edit"
)

// FuzzSpliceSource splices an arbitrary new source into a cell of an
// arbitrary notebook the way fix does: the file must stay JSON, keep its
// cells, and the cell must read back as exactly the new source.
func FuzzSpliceSource(f *testing.F) {
	model := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "markdown", ID: "m1", Source: "# Title\n\nsome text"},
		{Type: "code", ID: "c1", Source: "import boto3\ns3 = boto3.client(\"s3\")\n", Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "ok\n"}}},
		{Type: "code", ID: "c2", Source: "x = \"é\\u00e9\"\ny = 1"},
	}}
	for _, st := range []nbtest.Style{nbtest.Jupyter, nbtest.VSCode, nbtest.Colab, nbtest.Minified} {
		for _, o := range []nbtest.Options{{}, {OneString: true}, {CRLF: true, ASCII: true}} {
			f.Add(nbtest.Write(model, st, o), uint8(1), "s3 = boto3.client(\"s3\")\n")
			f.Add(nbtest.Write(model, st, o), uint8(2), "")
			f.Add(nbtest.Write(model, st, o), uint8(0), "a\r\nb\rc\u2028\"\\\x00\x1b\u00e9\U0001F600")
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8, src string) {
		if !utf8.ValidString(src) {
			return // cell text is always decoded JSON, hence valid UTF-8
		}
		nb, err := ipynb.Parse("nb.ipynb", data)
		if err != nil || nb == nil || len(nb.Cells) == 0 || !json.Valid(data) {
			return
		}
		cell := nb.Cells[int(k)%len(nb.Cells)]
		v := cell.Source
		if v == nil || v.Kind != ipynb.JSONString && v.Kind != ipynb.JSONArray {
			return
		}
		if v.Kind == ipynb.JSONArray {
			for _, e := range v.Elems {
				if e.Kind != ipynb.JSONString {
					return // not a source fix would touch
				}
			}
		}
		enc := encodeSource(src, v, data, usesASCIIEscapes(data))
		out, err := edit.Apply(data, []edit.Edit{{Start: v.Start, End: v.End, New: enc}})
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		if err := validateNotebook("nb.ipynb", out, len(nb.Cells)); err != nil {
			t.Fatalf("spliced notebook: %v\n%s", err, out)
		}
		again, _ := ipynb.Parse("nb.ipynb", out)
		for _, s := range again.Segments {
			if s.Kind == ipynb.KindSource && s.Cell == cell.Index && string(s.Text) != src {
				t.Fatalf("cell %d reads back as %q, want %q", cell.Index, s.Text, src)
			}
		}
	})
}
