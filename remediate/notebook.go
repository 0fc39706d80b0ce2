package remediate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/pyjson"
	"github.com/rolecall/rolecall/remediate/edit"
)

// Redacted replaces copies of a removed secret that rolecall does not
// rewrite (in outputs it does not clear, in markdown).
const Redacted = "***REMOVED***"

// nbCell is one cell's source as the fixer sees it.
type nbCell struct {
	cell  *ipynb.Cell
	seg   *ipynb.Segment // its source segment
	text  []byte         // decoded source
	start int            // offset of text in the joined Python program
	edits []edit.Edit    // in text
}

// planNotebook fixes a Jupyter notebook inside its JSON: the Python cells
// are rewritten as one program, %%bash cells one by one, and the result is
// spliced back into each cell's source string with the file's own layout.
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
	where := locate(plan, cells)

	// Python cells, joined with "\n" into one program.
	var program bytes.Buffer
	var pyTargets []edit.Target
	var pyIndex []int
	var prose []int // items in markdown and raw cells
	for _, c := range cells {
		if c.cell.Type == "code" && c.seg.Lang == "python" {
			c.start = program.Len()
			program.Write(c.text)
			program.WriteByte('\n')
		}
	}
	for i, it := range plan.Items {
		w := where[i]
		if w.cell == nil || !fixable(it.Kind) {
			continue
		}
		t := edit.Target{Start: w.start, End: w.end, Secret: it.Finding.Secret, Rule: it.Finding.RuleID, Kind: it.Kind, KeyID: it.Finding.KeyID}
		switch {
		case w.cell.cell.Type == "code" && w.cell.seg.Lang == "python" && p.Registry.Python != nil:
			t.Start += w.cell.start
			t.End += w.cell.start
			pyTargets = append(pyTargets, t)
			pyIndex = append(pyIndex, i)
		case w.cell.cell.Type == "code" && w.cell.seg.Lang == "shell" && p.Registry.Shell != nil:
			res := p.Registry.Shell(w.cell.text, []edit.Target{t}, p.Options)
			plan.record(res, []int{i})
			w.cell.edits = append(w.cell.edits, res.Edits...)
		case w.cell.cell.Type != "code":
			prose = append(prose, i) // decided once the code is
		}
	}
	if len(pyTargets) > 0 {
		opts := p.Options
		opts.Place = cellPlace(cells)
		res := p.Registry.Python(program.Bytes(), pyTargets, opts)
		plan.record(res, pyIndex)
		if !splitEdits(res.Edits, cells) {
			plan.abandon("an edit would span two cells (a rolecall bug; please report it): fix this by hand")
			plan.manual(p.reasonFor(reasonNoRewriter))
			return
		}
	}
	// A secret some code cell still holds stays everywhere: taking its
	// copies out of prose and outputs would claim a fix that is not one.
	blocked := map[string]int{} // secret -> a cell that still holds it
	for i, it := range plan.Items {
		if w := where[i]; w.cell != nil && w.cell.cell.Type == "code" && !it.Fixed {
			blocked[it.Finding.Secret] = w.cell.cell.Index
		}
	}
	for _, i := range prose {
		it, w := &plan.Items[i], where[i]
		if c, ok := blocked[it.Finding.Secret]; ok {
			it.Reason = fmt.Sprintf("the same secret is still in the code of cell %d, which rolecall leaves alone: fix that first", c)
			continue
		}
		// Markdown and raw cells are prose: take the secret out of the text.
		w.cell.edits = append(w.cell.edits, edit.Edit{Start: w.start, End: w.end, New: Redacted})
		it.Fixed, it.Shape = true, "removed from a "+w.cell.cell.Type+" cell"
	}
	edits, err := p.spliceCells(plan, nb, cells, blocked)
	if err != nil {
		plan.abandon(err.Error())
	} else if len(edits) > 0 {
		out, err := edit.Apply(data, edits)
		if err != nil {
			plan.abandon("the rewrite of this notebook produced overlapping edits (a rolecall bug; please report it): fix this by hand")
		} else if err = validateNotebook(out, len(nb.Cells)); err != nil {
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

// cellPlace names an offset of the joined Python program the way the scan
// names a place in a notebook: "cell 4 line 2".
func cellPlace(cells []*nbCell) func(off int) string {
	return func(off int) string {
		for _, c := range cells {
			if c.cell.Type == "code" && c.seg.Lang == "python" && off >= c.start && off <= c.start+len(c.text) {
				return fmt.Sprintf("cell %d line %d", c.cell.Index, bytes.Count(c.text[:off-c.start], []byte("\n"))+1)
			}
		}
		return fmt.Sprintf("offset %d", off)
	}
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
		if s, ok := bySeg[c.Index]; ok && c.Source != nil {
			out = append(out, &nbCell{cell: c, seg: s, text: s.Text})
		}
	}
	return out
}

// place is where a finding sits in a cell's decoded source.
type place struct {
	cell       *nbCell
	start, end int
}

// locate finds each source finding in its cell's decoded text: the
// occurrence of the secret whose bytes map back to the finding's offset.
func locate(plan *FilePlan, cells []*nbCell) []place {
	byCell := map[int]*nbCell{}
	for _, c := range cells {
		byCell[c.cell.Index] = c
	}
	out := make([]place, len(plan.Items))
	for i, it := range plan.Items {
		loc := it.Finding.Notebook
		if loc == nil || loc.Part != "source" {
			continue
		}
		c := byCell[loc.Cell]
		if c == nil {
			continue
		}
		secret := []byte(it.Finding.Secret)
		for from := 0; ; {
			j := bytes.Index(c.text[from:], secret)
			if j < 0 {
				break
			}
			j += from
			if c.seg.RawOffset(j) == it.Finding.Offset {
				out[i] = place{cell: c, start: j, end: j + len(secret)}
				break
			}
			from = j + 1
		}
	}
	return out
}

// splitEdits hands each program edit to the cell it falls in. A deletion
// that takes a cell's last line also takes the "\n" that joined the cells;
// that byte is not part of the cell.
func splitEdits(edits []edit.Edit, cells []*nbCell) bool {
	for _, e := range edits {
		ok := false
		for _, c := range cells {
			end := c.start + len(c.text)
			if c.cell.Type != "code" || c.seg.Lang != "python" || e.Start < c.start || e.Start > end {
				continue
			}
			if e.End == end+1 {
				e.End = end
			}
			if e.End > end {
				return false
			}
			c.edits = append(c.edits, edit.Edit{Start: e.Start - c.start, End: e.End - c.start, New: e.New})
			ok = true
			break
		}
		if !ok {
			return false
		}
	}
	return true
}

// spliceCells turns cell edits into edits of the raw file: each edited
// source is re-encoded in place, the outputs of edited code cells are
// cleared (they may echo the key), and other copies of a removed secret
// are redacted.
func (p *Planner) spliceCells(plan *FilePlan, nb *ipynb.Notebook, cells []*nbCell, blocked map[string]int) ([]edit.Edit, error) {
	data := plan.Original
	ascii := usesASCIIEscapes(data)
	var edits []edit.Edit
	edited := map[int]bool{}
	for _, c := range cells {
		if len(c.edits) == 0 {
			continue
		}
		text, err := edit.Apply(c.text, c.edits)
		if err != nil {
			// Never the edit package's own words: the user cannot act on
			// byte ranges.
			return nil, fmt.Errorf("the rewrite of cell %d produced overlapping edits (a rolecall bug; please report it): fix this cell by hand", c.cell.Index)
		}
		if len(c.text) > 0 && c.text[len(c.text)-1] != '\n' {
			text = bytes.TrimSuffix(text, []byte("\n")) // a cell's last line has no newline
		}
		if c.seg.Lang == "python" && p.Registry.ValidatePython != nil {
			if err := p.Registry.ValidatePython(text); err != nil {
				return nil, fmt.Errorf("cell %d would not parse after the edit (%v): fix this by hand", c.cell.Index, err)
			}
		}
		src := c.cell.Source
		edits = append(edits, edit.Edit{Start: src.Start, End: src.End, New: encodeSource(string(text), src, data, ascii)})
		edited[c.cell.Index] = true
		if out := c.cell.Outputs; c.cell.Type == "code" && out != nil && out.Kind == ipynb.JSONArray && len(out.Elems) > 0 {
			edits = append(edits, edit.Edit{Start: out.Start, End: out.End, New: "[]"})
		}
	}
	// Copies of removed secrets in outputs of cells not cleared and in
	// metadata. Sources are never touched here: prose cells were edited
	// above, and a code cell only ever by a rewriter.
	removed := map[string]bool{}
	for _, it := range plan.Items {
		if _, stays := blocked[it.Finding.Secret]; it.Fixed && !stays {
			removed[it.Finding.Secret] = true
		}
	}
	for i := range nb.Segments {
		s := &nb.Segments[i]
		if s.Kind == ipynb.KindSource || edited[s.Cell] && s.Kind == ipynb.KindOutput {
			continue
		}
		for secret := range removed {
			for from := 0; ; {
				j := bytes.Index(s.Text[from:], []byte(secret))
				if j < 0 {
					break
				}
				j += from
				edits = append(edits, edit.Edit{Start: s.RawOffset(j), End: s.RawEnd(j + len(secret)), New: Redacted})
				from = j + len(secret)
			}
		}
	}
	for i := range plan.Items {
		it := &plan.Items[i]
		if c, stays := blocked[it.Finding.Secret]; stays && !it.Fixed && it.Reason == "" && it.Finding.Notebook != nil && it.Finding.Notebook.Part != "source" {
			it.Reason = fmt.Sprintf("the same secret is still in the code of cell %d, which rolecall leaves alone: fix that first", c)
		}
		if !it.Fixed && removed[it.Finding.Secret] && it.Finding.Notebook != nil && it.Finding.Notebook.Part != "source" {
			it.Fixed = true
			if edited[it.Finding.Notebook.Cell] {
				it.Shape = "output cleared"
			} else {
				it.Shape = "copy redacted"
			}
		}
	}
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	return dedupeEdits(edits), nil
}

// dedupeEdits drops an edit wholly inside an earlier one (a redaction in an
// output that is cleared anyway).
func dedupeEdits(es []edit.Edit) []edit.Edit {
	out := es[:0]
	for _, e := range es {
		if n := len(out); n > 0 && e.Start >= out[n-1].Start && e.End <= out[n-1].End && e.End > e.Start {
			continue
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
func validateNotebook(data []byte, cells int) error {
	if !json.Valid(data) {
		return fmt.Errorf("not valid JSON")
	}
	nb, err := ipynb.Parse("check.ipynb", data)
	if err != nil {
		return err
	}
	if len(nb.Cells) != cells {
		return fmt.Errorf("%d cells instead of %d", len(nb.Cells), cells)
	}
	return nil
}
