package python

import (
	"sort"

	"github.com/rolecall/rolecall/remediate/edit"
)

// span is a byte range [a, b) of the text to delete.
type span struct{ a, b int }

// atLineEnd reports whether offset off is at the end of its line's code:
// a newline, a comment, a continuation backslash or the end of the text.
func (p *prog) atLineEnd(off int) bool {
	src := p.src
	return off >= len(src) || newlineAt(src, off) > 0 || src[off] == '#' || src[off] == '\\' && newlineAt(src, off+1) > 0
}

// spacesBefore returns off moved back over spaces and tabs.
func (p *prog) spacesBefore(off int) int {
	for off > 0 && isSpace(p.src[off-1]) {
		off--
	}
	return off
}

// spacesAfter returns off moved forward over spaces and tabs.
func (p *prog) spacesAfter(off int) int {
	for off < len(p.src) && isSpace(p.src[off]) {
		off++
	}
	return off
}

// commentBetween reports whether a comment lies between tokens a and b
// that none of the cuts already removes: deleting across it would lose it.
func (p *prog) commentBetween(a, b int, cuts []span) bool {
	for i := a + 1; i < b; i++ {
		if p.toks[i].kind != tComment {
			continue
		}
		covered := false
		for _, c := range cuts {
			if c.a <= p.toks[i].start && p.toks[i].end <= c.b {
				covered = true
			}
		}
		if !covered {
			return true
		}
	}
	return false
}

// planGroup returns the edits that delete the items del of g and replace
// the items repl with new text. An item alone on its lines goes with its
// lines (comment included); otherwise it goes with one adjacent comma, so
// the layout and the trailing-comma style of what remains are kept.
func (p *prog) planGroup(g *group, del map[int]bool, repl map[int]string) []edit.Edit {
	cuts := p.cuts(g, del)
	if len(repl) == 0 && p.empties(g, del, cuts) {
		// Nothing but layout would remain: close the brackets up, "f()".
		return []edit.Edit{{Start: p.toks[g.open].end, End: p.toks[g.close].start}}
	}
	var out []edit.Edit
	for _, c := range cuts {
		out = append(out, edit.Edit{Start: c.a, End: c.b})
	}
	for k, text := range repl {
		it := g.items[k]
		out = append(out, edit.Edit{Start: p.toks[it.first].start, End: p.toks[it.last].end, New: text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// empties reports whether deleting the items del of g (with cuts) leaves
// nothing in it but spaces and line breaks: no item, no comment.
func (p *prog) empties(g *group, del map[int]bool, cuts []span) bool {
	return len(del) == len(g.items) && p.onlySpaceLeft(p.toks[g.open].end, p.toks[g.close].start, cuts)
}

// cuts returns the spans that delete the items del of g.
func (p *prog) cuts(g *group, del map[int]bool) []span {
	var cuts []span
	for k, it := range g.items {
		if !del[k] {
			continue
		}
		start, end := p.toks[it.first].start, p.toks[it.last].end
		tail := it.last
		if it.comma >= 0 {
			tail = it.comma
		}
		switch {
		case p.onlySpaceBefore(start) && p.restOfLineEmpty(tail):
			cuts = append(cuts, span{p.lineStart(start), p.lineEndAfter(tail)})
		case it.comma >= 0:
			b := p.toks[it.comma].end
			if after := p.spacesAfter(b); !p.atLineEnd(after) {
				cuts = append(cuts, span{start, after})
			} else {
				cuts = append(cuts, span{p.spacesBefore(start), b})
			}
		default:
			// The last item: it takes the comma after the last item kept.
			kept := -1
			for j := k - 1; j >= 0; j-- {
				if !del[j] {
					kept = j
					break
				}
			}
			from, fromTok := p.toks[g.open].end, g.open
			if kept >= 0 {
				fromTok = g.items[kept].comma
				from = p.toks[fromTok].start
			}
			if !p.commentBetween(fromTok, it.first, cuts) {
				cuts = append(cuts, span{from, end})
				continue
			}
			if kept >= 0 {
				cuts = append(cuts, span{from, p.toks[fromTok].end})
			}
			cuts = append(cuts, span{p.spacesBefore(start), end})
		}
	}
	cuts = merge(cuts)
	for k, c := range cuts {
		// What ends its line leaves no spaces behind: "f(a,\n", not "f(a, \n".
		if p.atLineEnd(p.spacesAfter(c.b)) {
			cuts[k].a = p.spacesBefore(c.a)
		}
	}
	return cuts
}

// merge sorts spans and joins those that overlap or touch.
func merge(cuts []span) []span {
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].a < cuts[j].a })
	var out []span
	for _, c := range cuts {
		if n := len(out); n > 0 && c.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, c.b)
			continue
		}
		out = append(out, c)
	}
	return out
}

// onlySpaceLeft reports whether [a, b) holds nothing but spaces and line
// breaks once the cuts are removed.
func (p *prog) onlySpaceLeft(a, b int, cuts []span) bool {
	for i := a; i < b; i++ {
		cut := false
		for _, c := range cuts {
			if c.a <= i && i < c.b {
				cut = true
				i = c.b - 1
				break
			}
		}
		if !cut && !isSpace(p.src[i]) && p.src[i] != '\n' && p.src[i] != '\r' {
			return false
		}
	}
	return true
}

// insertFirst returns the edit that makes text the first item of g,
// following the group's layout: "f(text, a)" or one item per line.
func (p *prog) insertFirst(g *group, text string) edit.Edit {
	if len(g.items) == 0 {
		return edit.Edit{Start: p.toks[g.open].end, End: p.toks[g.close].start, New: text}
	}
	first := p.toks[g.items[0].first].start
	if p.onlySpaceBefore(first) {
		return edit.Edit{Start: first, End: first, New: text + "," + edit.Newline(p.src) + edit.Indent(p.src, first)}
	}
	return edit.Edit{Start: first, End: first, New: text + ", "}
}

// deleteStmt returns the edit that deletes statement si: its whole lines
// when it is alone on them, or it and one ";" next to it.
func (p *prog) deleteStmt(si int) (edit.Edit, bool) {
	s := p.stmts[si]
	start, end := p.toks[s.first].start, p.toks[s.last].end
	if s.prevSemi >= 0 {
		return edit.Edit{Start: p.toks[s.prevSemi].start, End: end}, true
	}
	last := s.last
	if s.semi >= 0 {
		if n := p.next(s.semi); n >= 0 && p.toks[n].kind != tNewline {
			return edit.Edit{Start: start, End: p.toks[n].start}, true
		}
		last = s.semi
	}
	if !p.onlySpaceBefore(start) || !p.restOfLineEmpty(last) {
		return edit.Edit{}, false
	}
	return edit.Edit{Start: p.lineStart(start), End: p.lineEndAfter(last)}, true
}

// deleteLink returns the edit that takes ".config(...)" (tokens dot to
// close) out of a method chain. A link alone on its line goes with the
// line; on the last line of a backslash-continued chain it takes the
// continuation before it instead, so the chain still ends cleanly.
func (p *prog) deleteLink(dot, close int) edit.Edit {
	start, end := p.toks[dot].start, p.toks[close].end
	prev := p.prev(dot)
	if !p.onlySpaceBefore(start) {
		return edit.Edit{Start: start, End: end}
	}
	if !p.restOfLineEmpty(close) {
		// "    .config(...))" or "    .config(...).getOrCreate()": the
		// rest of the line joins the line before, unless a comment ends it.
		if p.commentBetween(prev, dot, nil) {
			return edit.Edit{Start: start, End: end}
		}
		return edit.Edit{Start: p.toks[prev].end, End: end}
	}
	j := close + 1
	for j < len(p.toks) && (p.toks[j].kind == tWS || p.toks[j].kind == tComment) {
		j++
	}
	if j < len(p.toks) && (p.toks[j].kind == tCont || p.toks[j].kind == tNL) {
		return edit.Edit{Start: p.lineStart(start), End: p.toks[j].end}
	}
	stop := len(p.src)
	if j < len(p.toks) {
		stop = p.toks[j].start
	}
	return edit.Edit{Start: p.toks[prev].end, End: stop}
}

// deleteComment returns the edit that takes comment token i away: its line
// when nothing else is on it, else the comment and the spaces before it.
func (p *prog) deleteComment(i int) edit.Edit {
	t := p.toks[i]
	if p.onlySpaceBefore(t.start) {
		return edit.Edit{Start: p.lineStart(t.start), End: p.lineEndAfter(i)}
	}
	return edit.Edit{Start: p.spacesBefore(t.start), End: t.end}
}
