package remediate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/pyjson"
	"github.com/rolecall/rolecall/remediate/edit"
)

// Redacted replaces copies of a removed secret that rolecall does not
// rewrite (in outputs it does not clear, in markdown).
const Redacted = "***REMOVED***"

// planNotebook fixes a Jupyter or Zeppelin notebook inside its JSON: each code cell is
// rewritten by the rewriter of its language (the Python cells as one
// program), and the result is spliced back into each cell's source string
// with the file's own layout.
func (p *Planner) planNotebook(plan *FilePlan) {
	data := plan.Original
	nb, err := ipynb.Parse(plan.Path, data)
	if err != nil || nb == nil || nb.Root == nil {
		plan.manual(func(*Item) string {
			return "the notebook is not valid JSON, so rolecall will not edit it: fix the JSON, then run rolecall fix again"
		})
		return
	}
	cells := sourceCells(nb)
	blocked := p.planCells(plan, cells, locate(plan, cells))
	edits := p.spliceCells(plan, nb, cells, blocked)
	if len(edits) > 0 {
		out, err := edit.Apply(data, edits)
		if err != nil {
			err = errSameBytes
		} else {
			err = validateNotebook(plan.Path, out, len(nb.Cells))
		}
		if err != nil {
			plan.abandon(fmt.Sprintf("the edited notebook would be invalid (%v): fix this by hand", err))
		} else {
			plan.Result, plan.Edits = out, edits
		}
	}
	plan.manual(func(it *Item) string {
		if it.Finding.Notebook != nil && it.Finding.Notebook.Part != "source" {
			return reasonOutputOnly
		}
		return p.reasonFor(reasonNoRewriter)(it)
	})
}

// sourceCells lists the cells that have a source segment.
func sourceCells(nb *ipynb.Notebook) []*nbCell {
	bySeg := map[int]*ipynb.Segment{}
	for i := range nb.Segments {
		s := &nb.Segments[i]
		if s.Kind == ipynb.KindSource {
			bySeg[s.Cell] = s
		}
	}
	var out []*nbCell
	for i := range nb.Cells {
		c := &nb.Cells[i]
		if s, ok := bySeg[c.Index]; ok && (c.Source != nil || nb.Root == nil) {
			out = append(out, &nbCell{cell: c, seg: s, text: s.Text})
		}
	}
	return out
}

// spliceCells turns cell edits into edits of the raw file: each edited
// source is re-encoded in place; of an edited code cell only the outputs
// that hold a removed secret (as written or URL-encoded) are removed, so
// its plots and tables stay; and every other copy of a removed secret is
// redacted, in every form it appears in.
func (p *Planner) spliceCells(plan *FilePlan, nb *ipynb.Notebook, cells []*nbCell, blocked map[string]int) []edit.Edit {
	data := plan.Original
	ascii := usesASCIIEscapes(data)
	var edits []edit.Edit
	edited := map[int]*nbCell{}
	for _, c := range cells {
		if len(c.edits) == 0 {
			continue
		}
		text, err := edit.Apply(c.text, c.edits)
		if err != nil {
			failCells(plan, []*nbCell{c}, fmt.Sprintf("rolecall planned two edits of the same text in cell %d (a rolecall bug; please report it): fix this cell by hand", c.cell.Index))
			continue
		}
		if len(c.text) > 0 && c.text[len(c.text)-1] != '\n' {
			text = bytes.TrimSuffix(text, []byte("\n")) // a cell's last line has no newline
		}
		src := c.cell.Source
		edits = append(edits, edit.Edit{Start: src.Start, End: src.End, New: encodeSource(string(text), src, data, ascii)})
		if c.code() {
			edited[c.cell.Index] = c
		}
	}
	removed := removedSecrets(plan, blocked)
	drop := map[[2]int]bool{} // (cell, output index) removed
	for i := range nb.Segments {
		s := &nb.Segments[i]
		if s.Kind != ipynb.KindOutput || edited[s.Cell] == nil {
			continue
		}
		if hits := removed.find(s.Text); len(hits) > 0 {
			drop[[2]int{s.Cell, s.Output.Index}] = true
			plan.addNote(fmt.Sprintf("%s cell %d: output %d (%s) removed, since it showed %s", plan.Path, s.Cell, s.Output.Index+1, outputName(s.Output), hits[0].describe()))
		}
	}
	for idx, c := range edited {
		if out := c.cell.Outputs; out != nil && out.Kind == ipynb.JSONArray {
			edits = append(edits, dropElems(out, func(k int) bool { return drop[[2]int{idx, k}] })...)
		}
	}
	for i := range nb.Segments {
		s := &nb.Segments[i]
		if s.Kind == ipynb.KindSource || s.Output != nil && drop[[2]int{s.Cell, s.Output.Index}] {
			continue
		}
		for _, h := range removed.find(s.Text) {
			edits = append(edits, edit.Edit{Start: s.RawOffset(h.start), End: s.RawEnd(h.end), New: Redacted})
			where := fmt.Sprintf("cell %d %s", s.Cell, partName(s))
			if s.Cell == 0 {
				where = partName(s)
			}
			plan.addNote(fmt.Sprintf("%s %s: %s replaced with %s", plan.Path, where, h.describe(), Redacted))
		}
	}
	sortEdits(edits)
	edits = mergeEdits(edits)
	// A finding in an output or in metadata is fixed when the edits take
	// out all of its bytes: a copy of a removed secret, or an encoded copy
	// the detectors read as a secret of its own.
	for i := range plan.Items {
		it := &plan.Items[i]
		loc := it.Finding.Notebook
		if loc == nil || loc.Part == "source" || it.Fixed {
			continue
		}
		if c, stays := blocked[it.Finding.Secret]; stays && it.Reason == "" {
			it.Reason = stillInCode(c)
		}
		if !covered(edits, it.Finding.Offset, it.Finding.EndOffset) {
			continue
		}
		it.Fixed, it.Reason = true, ""
		if loc.Output != nil && drop[[2]int{loc.Cell, loc.Output.Index}] {
			it.Shape = "output removed"
		} else {
			it.Shape = "copy redacted"
		}
	}
	return edits
}

// covered reports whether one edit replaces all of [start, end).
func covered(edits []edit.Edit, start, end int) bool {
	for _, e := range edits {
		if e.Start <= start && end <= e.End && e.End > e.Start {
			return true
		}
	}
	return false
}

// dropElems returns the edits that remove the elements of array v for
// which drop is true, keeping the file's separators and indentation.
func dropElems(v *ipynb.Value, drop func(int) bool) []edit.Edit {
	n := len(v.Elems)
	kept := 0
	for k := range n {
		if !drop(k) {
			kept++
		}
	}
	switch {
	case kept == n:
		return nil
	case kept == 0:
		return []edit.Edit{{Start: v.Start, End: v.End, New: "[]"}}
	}
	// A trailing run of dropped elements goes with the separator before it;
	// any other dropped element with the separator after it.
	r := n
	for r > 0 && drop(r-1) {
		r--
	}
	var es []edit.Edit
	for k := 0; k < r; k++ {
		if drop(k) {
			es = append(es, edit.Edit{Start: v.Elems[k].Start, End: v.Elems[k+1].Start})
		}
	}
	if r < n {
		es = append(es, edit.Edit{Start: v.Elems[r-1].End, End: v.Elems[n-1].End})
	}
	return es
}

func outputName(o *ipynb.Output) string {
	if o.MIME != "" && o.MIME != o.Type {
		return o.Type + ", " + o.MIME
	}
	return o.Type
}

func partName(s *ipynb.Segment) string {
	switch {
	case s.Output != nil:
		return fmt.Sprintf("output %d (%s)", s.Output.Index+1, outputName(s.Output))
	case s.Key != "":
		return s.Key
	}
	return string(s.Kind)
}

// mergeEdits drops an edit wholly inside an earlier one (a redaction in an
// output that is removed anyway) and joins overlapping redactions (two
// secrets that share bytes).
func mergeEdits(es []edit.Edit) []edit.Edit {
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && e.Start < out[n-1].End {
			last := &out[n-1]
			if e.End <= last.End && e.End > e.Start {
				continue
			}
			if last.New == Redacted && e.New == Redacted {
				last.End = e.End
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// encodeSource writes a cell source as the file wrote the original: a
// single JSON string, or a list of lines with the original's separators
// and indentation.
func encodeSource(text string, v *ipynb.Value, data []byte, ascii bool) string {
	if v.Kind == ipynb.JSONString {
		return pyjson.Quote(text, ascii)
	}
	lines := pyjson.SplitLines(text)
	if len(lines) == 0 {
		return "[]"
	}
	prefix, sep, suffix := "", ",", ""
	if n := len(v.Elems); n > 0 {
		prefix = string(data[v.Start+1 : v.Elems[0].Start])
		suffix = string(data[v.Elems[n-1].End : v.End-1])
		if n > 1 {
			sep = string(data[v.Elems[0].End:v.Elems[1].Start])
		} else {
			sep = "," + prefix
		}
	}
	var b strings.Builder
	b.WriteString("[" + prefix)
	for i, l := range lines {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(pyjson.Quote(l, ascii))
	}
	b.WriteString(suffix + "]")
	return b.String()
}

var nonASCIIEscape = regexp.MustCompile(`\\u(00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})`)

// usesASCIIEscapes reports whether the file was written with
// ensure_ascii: no raw non-ASCII bytes, but \uXXXX escapes for them.
func usesASCIIEscapes(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return false
		}
	}
	return nonASCIIEscape.Match(data)
}

// validateNotebook checks that the edited file is still JSON that reads as
// a notebook with the same cells.
func validateNotebook(path string, data []byte, cells int) error {
	if !json.Valid(data) {
		return fmt.Errorf("not valid JSON")
	}
	nb, err := ipynb.Parse(path, data)
	if err != nil {
		return err
	}
	if len(nb.Cells) != cells {
		return fmt.Errorf("%d cells instead of %d", len(nb.Cells), cells)
	}
	return nil
}
