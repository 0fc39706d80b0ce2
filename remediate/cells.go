package remediate

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/remediate/edit"
)

// errSameBytes stands for edit.Apply's overlap error where a person reads
// it: its offsets mean nothing to them.
var errSameBytes = errors.New("rolecall planned two edits of the same bytes, a rolecall bug; please report it")

// nbCell is one cell's source as the fixer sees it, in any notebook format.
type nbCell struct {
	cell *ipynb.Cell
	seg  *ipynb.Segment // its source segment
	text []byte         // decoded source
	// body is where the cell's code starts: after a cell magic ("%%bash"
	// line, a Databricks "%sh" or Zeppelin "%spark" line) that is the
	// notebook's syntax, not the code's.
	body  int
	start int         // offset of text in the joined Python program
	edits []edit.Edit // in text
	items []int       // plan items in the cell's code
}

// lang is the language the cell's code is in.
func (c *nbCell) lang() string { return c.seg.Lang }

func (c *nbCell) code() bool { return c.cell.Type == "code" }

// python reports whether the cell joins the notebook's Python program.
func (c *nbCell) python() bool { return c.code() && c.lang() == "python" && c.seg.WriteFile == "" }

// magicBody returns where the code of a cell starts: past a "%%magic"
// line, or past a Databricks "%sh" or Zeppelin "%spark.r" word. A Python cell keeps its magics:
// the Python rewriter reads IPython's.
func magicBody(text []byte, lang string) int {
	if lang == "python" {
		return 0
	}
	i := 0
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') {
		i++
	}
	switch {
	case bytes.HasPrefix(text[i:], []byte("%%")):
		return edit.LineEnd(text, i)
	case bytes.HasPrefix(text[i:], []byte("%")):
		j := i + 1
		for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z' || text[j] == '-' || text[j] == '.') {
			j++
		}
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		return j
	}
	return 0
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

// langName names a cell language in a sentence.
func langName(lang string) string {
	switch lang {
	case "r":
		return "R"
	case "sql":
		return "SQL"
	case "", "text":
		return "plain-text"
	}
	return lang
}

// place names an offset of the cell's text the way the scan names a place
// in a notebook: "cell 4 line 2".
func (c *nbCell) place(off int) string {
	off = min(max(off, 0), len(c.text))
	return fmt.Sprintf("cell %d line %d", c.cell.Index, bytes.Count(c.text[:off], []byte("\n"))+1)
}

// programPlace names an offset of the Python cells joined into one
// program by its cell and line, for the rewriter's reasons.
func programPlace(py []*nbCell) func(off int) string {
	return func(off int) string {
		for _, c := range py {
			if off >= c.start && off <= c.start+len(c.text) {
				return c.place(off - c.start)
			}
		}
		return fmt.Sprintf("offset %d of the notebook's Python code", off)
	}
}

// planCells plans the edits of every cell: the Python cells as one
// program (a constant in one cell and its use in another are seen
// together), every other code cell once, with all its secrets, by the
// rewriter of its language, and prose cells by taking the secret out of
// the text. A cell whose edit fails is left alone with a sentence that
// says why; the other cells keep their fixes. It returns the secrets some
// code cell still holds, with such a cell.
func (p *Planner) planCells(plan *FilePlan, cells []*nbCell, where []place) map[string]int {
	var program bytes.Buffer
	var py []*nbCell
	for _, c := range cells {
		c.body = magicBody(c.text, c.lang())
		if c.python() {
			c.start = program.Len()
			program.Write(c.text)
			program.WriteByte('\n')
			py = append(py, c)
		}
	}
	var pyTargets []edit.Target
	var pyIndex []int
	var prose []int // items in markdown and raw cells
	for i, it := range plan.Items {
		w := where[i]
		if w.cell == nil || !fixable(it.Kind) {
			continue
		}
		if !w.cell.code() {
			prose = append(prose, i) // decided once the code is
			continue
		}
		w.cell.items = append(w.cell.items, i)
		if w.cell.python() {
			pyTargets = append(pyTargets, p.target(it, w.start+w.cell.start, w.end+w.cell.start))
			pyIndex = append(pyIndex, i)
		}
	}
	if rw, _ := p.Registry.ForLang("python"); len(pyTargets) > 0 && rw != nil {
		opts := p.Options
		opts.Place = programPlace(py)
		res := rw(program.Bytes(), pyTargets, opts)
		plan.record(res, pyIndex)
		if !splitEdits(res.Edits, py) {
			failCells(plan, py, "rolecall's edit of the Python code would span two cells (a rolecall bug; please report it): fix the Python cells by hand")
		}
	}
	for _, c := range cells {
		if c.code() && !c.python() && len(c.items) > 0 {
			p.planCell(plan, c, where)
		}
	}
	p.checkCells(plan, cells, py)

	// A secret some code cell still holds stays everywhere: taking its
	// copies out of prose and outputs would claim a fix that is not one.
	blocked := map[string]int{}
	for i, it := range plan.Items {
		if w := where[i]; w.cell != nil && w.cell.code() && !it.Fixed {
			blocked[it.Finding.Secret] = w.cell.cell.Index
		}
	}
	for _, i := range prose {
		it, w := &plan.Items[i], where[i]
		if c, ok := blocked[it.Finding.Secret]; ok {
			it.Reason = stillInCode(c)
			continue
		}
		// Markdown and raw cells are prose: take the secret out of the text.
		w.cell.edits = append(w.cell.edits, edit.Edit{Start: w.start, End: w.end, New: Redacted})
		it.Fixed, it.Shape = true, "removed from a "+w.cell.cell.Type+" cell"
	}
	return blocked
}

func stillInCode(cell int) string {
	return fmt.Sprintf("the same secret is still in the code of cell %d, which rolecall leaves alone: fix that first", cell)
}

func (p *Planner) target(it Item, start, end int) edit.Target {
	f := it.Finding
	return edit.Target{Start: start, End: end, Secret: f.Secret, Rule: f.RuleID, Kind: it.Kind, KeyID: f.KeyID}
}

// rewriterFor returns the rewriter of a cell that is not Python: by its
// %%writefile target, or by its language.
func (p *Planner) rewriterFor(c *nbCell) (edit.Rewriter, func([]byte) error, string) {
	if c.seg.WriteFile != "" && p.Registry.ForPath != nil {
		rw, v := p.Registry.ForPath(c.seg.WriteFile, detectors.LangForPath(c.seg.WriteFile))
		return rw, v, "the file " + c.seg.WriteFile + " that this %%writefile cell writes"
	}
	if p.Registry.ForLang == nil {
		return nil, nil, ""
	}
	rw, v := p.Registry.ForLang(c.lang())
	return rw, v, langName(c.lang()) + " cells"
}

// planCell rewrites one cell that is not Python with all its secrets at
// once: one rewrite per cell never plans two edits of the same line.
func (p *Planner) planCell(plan *FilePlan, c *nbCell, where []place) {
	rw, _, what := p.rewriterFor(c)
	if rw == nil {
		for _, i := range c.items {
			plan.Items[i].Reason = fmt.Sprintf("rolecall has no rewriter for %s (cell %d): move the credential to the environment or a secret manager by hand", what, c.cell.Index)
		}
		return
	}
	body := c.text[c.body:]
	var targets []edit.Target
	var index []int
	for _, i := range c.items {
		it := plan.Items[i]
		s, e := where[i].start, where[i].end
		if s < c.body {
			plan.Items[i].Reason = fmt.Sprintf("the key is on the cell magic line of cell %d: remove it by hand", c.cell.Index)
			continue
		}
		targets = append(targets, p.target(it, s-c.body, e-c.body))
		index = append(index, i)
	}
	if len(targets) == 0 {
		return
	}
	opts := p.Options
	opts.Place = func(off int) string { return c.place(c.body + off) }
	res := rw(body, targets, opts)
	plan.record(res, index)
	for _, e := range res.Edits {
		c.edits = append(c.edits, edit.Edit{Start: e.Start + c.body, End: e.End + c.body, New: e.New})
	}
}

// checkCells applies each cell's edits and re-parses the cell. A cell that
// fails loses its edits alone, except a Python cell: the Python cells are
// one program (a constant deleted in one, its use in another), so they
// fail together.
func (p *Planner) checkCells(plan *FilePlan, cells, py []*nbCell) {
	for _, c := range cells {
		if len(c.edits) == 0 || !c.code() {
			continue
		}
		var why string
		out, err := edit.Apply(c.text, c.edits)
		_, validate, _ := p.rewriterFor(c)
		if c.python() {
			_, validate = p.Registry.ForLang("python")
		}
		switch {
		case err != nil:
			why = fmt.Sprintf("rolecall planned two edits of the same code in cell %d (a rolecall bug; please report it): fix this cell by hand", c.cell.Index)
		case validate != nil:
			if len(c.text) > 0 && c.text[len(c.text)-1] != '\n' {
				out = bytes.TrimSuffix(out, []byte("\n"))
			}
			if err := validate(out[min(c.body, len(out)):]); err != nil {
				why = fmt.Sprintf("cell %d would not parse after the edit (%v): fix this cell by hand", c.cell.Index, err)
			}
		}
		if why == "" {
			continue
		}
		if c.python() {
			failCells(plan, py, why) // and the later Python cells have no edits left
			continue
		}
		failCells(plan, []*nbCell{c}, why)
	}
}

// failCells drops the edits of cells and leaves their items to a person.
func failCells(plan *FilePlan, cells []*nbCell, why string) {
	for _, c := range cells {
		c.edits = nil
		for _, i := range c.items {
			it := &plan.Items[i]
			if it.Fixed || it.Reason == "" {
				it.Fixed, it.Shape, it.Reason = false, "", why
			}
		}
	}
}

// splitEdits hands each program edit to the cell it falls in. A deletion
// that takes a cell's last line also takes the "\n" that joined the cells;
// that byte is not part of the cell.
func splitEdits(edits []edit.Edit, cells []*nbCell) bool {
	for _, e := range edits {
		ok := false
		for _, c := range cells {
			end := c.start + len(c.text)
			if e.Start < c.start || e.Start > end {
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

// sortEdits orders edits by position, for splicing.
func sortEdits(es []edit.Edit) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start < es[j].Start })
}
