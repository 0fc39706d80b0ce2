package remediate

import (
	"bytes"
	"fmt"

	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/remediate/edit"
)

// planTextNotebook fixes a notebook kept as text (R Markdown, Quarto,
// Databricks source exports): each chunk or cell goes to the rewriter of
// its engine or magic, and its edits are mapped back to the file's lines,
// with a Databricks "# MAGIC " prefix kept on every line.
func (p *Planner) planTextNotebook(plan *FilePlan) {
	nb, err := ipynb.Parse(plan.Path, plan.Original)
	if err != nil || nb == nil {
		p.planText(plan)
		return
	}
	cells := sourceCells(nb)
	p.planCells(plan, cells, locate(plan, cells))
	var edits []edit.Edit
	emptied := 0 // cells the fix empties, which some formats then drop
	for _, c := range cells {
		if len(c.edits) == 0 {
			continue
		}
		if text, err := edit.Apply(c.text, c.edits); err == nil && len(bytes.TrimSpace(text[min(c.body, len(text)):])) == 0 {
			emptied++
		}
		edits = append(edits, lineEdits(plan.Original, c)...)
	}
	if len(edits) > 0 {
		sortEdits(edits)
		out, err := edit.Apply(plan.Original, edits)
		if err != nil {
			err = errSameBytes
		} else {
			err = sameCells(plan.Path, out, len(nb.Cells), emptied)
		}
		if err != nil {
			plan.abandon(fmt.Sprintf("the edited notebook would be invalid (%v): fix this by hand", err))
		} else {
			plan.Result, plan.Edits = out, edits
		}
	}
	plan.manual(p.reasonFor(reasonNoRewriter))
}

// sameCells checks that an edited text notebook still reads as the same
// cells, but for those the fix emptied.
func sameCells(path string, data []byte, cells, emptied int) error {
	nb, err := ipynb.Parse(path, data)
	switch {
	case err != nil:
		return err
	case nb == nil:
		return fmt.Errorf("no longer a notebook")
	case len(nb.Cells) > cells || len(nb.Cells) < cells-emptied:
		return fmt.Errorf("%d cells instead of %d", len(nb.Cells), cells)
	}
	return nil
}

// lineEdits maps a cell's edits to the file. Where the cell's lines are the
// file's own bytes an edit maps one for one; where the file prefixes them
// ("# MAGIC "), the edited lines are rewritten whole, each new line with
// the prefix of the first.
func lineEdits(data []byte, c *nbCell) []edit.Edit {
	es := append([]edit.Edit(nil), c.edits...)
	sortEdits(es)
	var out []edit.Edit
	for k := 0; k < len(es); {
		a := edit.LineStart(c.text, es[k].Start)
		b := lineEndOf(c.text, es[k])
		j := k + 1
		for j < len(es) && es[j].Start < b {
			b = max(b, lineEndOf(c.text, es[j]))
			j++
		}
		group := es[k:j]
		k = j
		rawA := c.seg.RawOffset(a)
		lineA := edit.LineStart(data, rawA)
		if !prefixed(data, c, a, b) {
			for _, e := range group {
				end := c.seg.RawOffset(e.Start)
				if e.End > e.Start {
					end = c.seg.RawEnd(e.End)
				}
				out = append(out, edit.Edit{Start: c.seg.RawOffset(e.Start), End: end, New: e.New})
			}
			continue
		}
		shifted := make([]edit.Edit, len(group))
		for i, e := range group {
			shifted[i] = edit.Edit{Start: e.Start - a, End: e.End - a, New: e.New}
		}
		text, err := edit.Apply(c.text[a:b], shifted)
		if err != nil {
			continue // checkCells already refused such a cell
		}
		prefix := string(data[lineA:rawA])
		var nb bytes.Buffer
		for _, l := range edit.Lines(text) {
			if len(bytes.TrimRight(l, "\r\n")) == 0 {
				nb.WriteString(string(bytes.TrimRight([]byte(prefix), " ")))
			} else {
				nb.WriteString(prefix)
			}
			nb.Write(l)
		}
		end := rawA
		if b > a {
			end = c.seg.RawEnd(b)
		}
		out = append(out, edit.Edit{Start: lineA, End: end, New: nb.String()})
	}
	return out
}

// lineEndOf is the end of the last line an edit touches.
func lineEndOf(text []byte, e edit.Edit) int {
	if e.End > e.Start && e.End > 0 && text[e.End-1] == '\n' {
		return e.End
	}
	return edit.LineEnd(text, min(e.End, len(text)))
}

// prefixed reports whether some line of text[a:b] is not the file's own
// line: the file puts a prefix before it.
func prefixed(data []byte, c *nbCell, a, b int) bool {
	for i := a; i < b; i = edit.LineEnd(c.text, i) {
		r := c.seg.RawOffset(i)
		if r != edit.LineStart(data, r) {
			return true
		}
		if edit.LineEnd(c.text, i) == i {
			break
		}
	}
	return false
}
