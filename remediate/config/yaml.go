package config

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// yline is one line of a YAML file as far as block structure goes. There
// is no YAML library here: the rewriters need only mappings and sequences
// in block style, and edit whole lines of them.
type yline struct {
	line
	indent int  // leading blanks
	tab    bool // the indentation holds a tab
	blank  bool // empty, a comment, or a document marker
	// text marks a line that continues a value (block scalar, multi-line
	// quoted or flow value, plain scalar): not structure.
	text bool
	dash bool   // a sequence item "- ..."
	col  int    // column of the content after "- " (indent when !dash)
	key  string // the mapping key on the line, or ""
	val  span   // the value after "key:" or "- ", without a comment
}

type ydoc struct {
	text []byte
	ls   []yline
	nl   string
	err  error // a quote or flow collection left open at the end
}

func parseYAML(text []byte) *ydoc {
	d := &ydoc{text: text, nl: edit.Newline(text)}
	blockCol := -1 // inside a block scalar: its lines are indented deeper
	var quote byte // a quoted value continues on the next line
	open := 0      // a flow collection continues on the next line
	for _, l := range splitLines(text) {
		y := yline{line: l}
		i := l.start
		for i < l.end && (text[i] == ' ' || text[i] == '\t') {
			y.tab = y.tab || text[i] == '\t'
			i++
		}
		y.indent = i - l.start
		content := bytes.TrimRight(text[i:l.end], " \t")
		switch {
		case len(content) == 0:
			y.blank = true
		case blockCol >= 0 && y.indent > blockCol:
			y.text = true
		case quote != 0 || open > 0:
			y.text = true
			_, quote, open = scanValue(text, i, l.end, quote, open)
		case content[0] == '#' || string(content) == "---" || string(content) == "...":
			y.blank, blockCol = true, -1
		default:
			blockCol = -1
			d.structure(&y, i)
			v := text[y.val.start:y.val.end]
			if len(v) > 0 && (v[0] == '|' || v[0] == '>') {
				blockCol = y.col
				if y.key == "" {
					blockCol = y.indent
				}
			}
			_, quote, open = scanValue(text, y.val.start, l.end, 0, 0)
		}
		d.ls = append(d.ls, y)
	}
	if quote != 0 || open > 0 {
		d.err = fmt.Errorf("a quoted value or flow collection is not closed at the end of the file")
	}
	return d
}

// structure reads the dash, key and value of a line whose content starts
// at i.
func (d *ydoc) structure(y *yline, i int) {
	t := d.text
	if t[i] == '-' && (i+1 == y.end || t[i+1] == ' ' || t[i+1] == '\t') {
		y.dash = true
		i++
		for i < y.end && t[i] == ' ' {
			i++
		}
		if i == y.end {
			y.col, y.val = y.indent+2, span{i, i}
			return
		}
	}
	y.col = i - y.start
	if k, after, ok := yamlKey(t, i, y.end); ok {
		for after < y.end && (t[after] == ' ' || t[after] == '\t') {
			after++
		}
		end, _, _ := scanValue(t, after, y.end, 0, 0)
		y.key, y.val = k, span{after, end}
		return
	}
	end, _, _ := scanValue(t, i, y.end, 0, 0)
	y.val = span{i, end}
	y.text = !y.dash
}

// yamlKey reads a mapping key at i: plain (up to ": ") or quoted.
func yamlKey(t []byte, i, e int) (key string, after int, ok bool) {
	j := i
	if t[i] == '"' || t[i] == '\'' {
		j = i + 1
		for j < e && t[j] != t[i] {
			if t[j] == '\\' && t[i] == '"' {
				j++
			}
			j++
		}
		if j >= e {
			return "", 0, false
		}
		key = string(t[i+1 : j])
		j++
		for j < e && t[j] == ' ' {
			j++
		}
		if j < e && t[j] == ':' && (j+1 == e || t[j+1] == ' ' || t[j+1] == '\t') {
			return key, j + 1, true
		}
		return "", 0, false
	}
	if strings.IndexByte("[{#&*!|>%@`,?", t[i]) >= 0 {
		return "", 0, false
	}
	for ; j < e; j++ {
		if t[j] == '#' && (t[j-1] == ' ' || t[j-1] == '\t') {
			return "", 0, false
		}
		if t[j] == ':' && (j+1 == e || t[j+1] == ' ' || t[j+1] == '\t') {
			return strings.TrimRight(string(t[i:j]), " \t"), j + 1, true
		}
	}
	return "", 0, false
}

// scanValue finds where a value starting at v ends (before a comment and
// trailing blanks), carrying an open quote or flow collection from the
// line before and reporting those left open at the end of this line.
func scanValue(t []byte, v, e int, quote byte, open int) (end int, q byte, o int) {
	end = v
	i := v
	for ; i < e; i++ {
		c := t[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote == '"':
				i++
			case c == quote && quote == '\'' && i+1 < e && t[i+1] == '\'':
				i++
			case c == quote:
				quote = 0
			}
			end = i + 1
			continue
		}
		switch {
		case (c == '"' || c == '\'') && (i == v || open > 0 && strings.IndexByte(" [{,", t[i-1]) >= 0):
			quote = c
		case c == '#' && (i == v || t[i-1] == ' ' || t[i-1] == '\t'):
			return min(end, e), quote, open
		case (c == '[' || c == '{') && (i == v || open > 0):
			open++
		case (c == ']' || c == '}') && open > 0:
			open--
		}
		if c != ' ' && c != '\t' {
			end = i + 1
		}
	}
	return min(end, e), quote, open
}

func (d *ydoc) value(i int) string { return string(d.text[d.ls[i].val.start:d.ls[i].val.end]) }

// emptyVal reports whether line i's key (or dash) has no inline value,
// an anchor or tag alone counting as none: its value is a nested block.
func (d *ydoc) emptyVal(i int) bool {
	v := d.value(i)
	return v == "" || !strings.Contains(v, " ") && (v[0] == '&' || v[0] == '!')
}

// structural reports whether line i is a key or sequence item line.
func (d *ydoc) structural(i int) bool { return !d.ls[i].blank && !d.ls[i].text }

// end returns the index after the last line of the node at line i: the
// key on it (with the lines nested under the key), or, with item, the
// whole sequence item the line starts. Trailing blank lines and comments
// are not part of the node.
func (d *ydoc) end(i int, item bool) int {
	base := d.ls[i].col
	if item {
		base = d.ls[i].indent
	}
	last, seq := i, false
	for j := i + 1; j < len(d.ls); j++ {
		l := d.ls[j]
		switch {
		case l.blank:
			continue
		case l.text || l.indent > base:
		case !item && l.indent == base && l.dash && d.ls[i].key != "" && d.emptyVal(i) && (seq || last == i):
			seq = true // an indentless sequence: "key:" then "- item" at its indent
		default:
			return last + 1
		}
		last = j
	}
	return last + 1
}

// kids returns the lines of the direct children of key line i: the keys
// of its mapping or the items of its sequence.
func (d *ydoc) kids(i int) []int {
	var out []int
	at := -1
	for j, end := i+1, d.end(i, false); j < end; j++ {
		if !d.structural(j) {
			continue
		}
		if at < 0 {
			at = d.ls[j].indent
		}
		if d.ls[j].indent == at {
			out = append(out, j)
		}
	}
	return out
}

// members returns the key lines of the mapping that sequence item i holds.
func (d *ydoc) members(i int) []int {
	var out []int
	if d.ls[i].key != "" {
		out = append(out, i)
	}
	for j, end := i+1, d.end(i, true); j < end; j++ {
		if d.structural(j) && d.ls[j].indent == d.ls[i].col && !d.ls[j].dash {
			out = append(out, j)
		}
	}
	return out
}

// top returns the key lines at the top level of the document.
func (d *ydoc) top() []int {
	var out []int
	for j := range d.ls {
		if d.structural(j) && d.ls[j].indent == 0 && !d.ls[j].dash && d.ls[j].key != "" {
			out = append(out, j)
		}
	}
	return out
}

// find returns the line among lines whose key is key, or -1.
func (d *ydoc) find(lines []int, key string) int {
	for _, j := range lines {
		if d.ls[j].key == key {
			return j
		}
	}
	return -1
}

// parent returns the line of the node that holds line j and whether that
// node is the sequence item on that line (rather than its key); -1 at the
// top level.
func (d *ydoc) parent(j int) (int, bool) {
	pos := d.ls[j].indent
	for k := j - 1; k >= 0; k-- {
		if !d.structural(k) {
			continue
		}
		l := d.ls[k]
		switch {
		case l.dash && l.key != "" && l.col < pos:
			return k, false
		case l.indent < pos:
			return k, l.dash
		case d.ls[j].dash && !l.dash && l.indent == pos && l.key != "" && d.emptyVal(k):
			return k, false
		}
	}
	return -1, false
}

// lineAt returns the structural line that holds offset off (a value
// continued over several lines belongs to the line of its key), or -1.
func (d *ydoc) lineAt(off int) int {
	j := sort.Search(len(d.ls), func(i int) bool { return d.ls[i].next > off })
	for ; j >= 0 && j < len(d.ls); j-- {
		if d.structural(j) {
			return j
		}
		if !d.ls[j].text {
			return -1
		}
	}
	return -1
}

// prefix returns line i up to its content: the indent and any "- ". An
// empty item ("-" at the end of a line or of the file) has its content
// column past the line's end: the missing blank is added, never read from
// beyond the line.
func (d *ydoc) prefix(i int) string {
	l := d.ls[i]
	end := min(l.start+l.col, l.end)
	return string(d.text[l.start:end]) + strings.Repeat(" ", l.start+l.col-end)
}

// deleteNode removes key line i with everything nested under it. A key
// that opens a sequence item ("- env:") keeps the dash: the item's next
// key moves up behind it, or the whole item goes when it has no other.
func (d *ydoc) deleteNode(i int) edit.Edit {
	l := d.ls[i]
	if !l.dash {
		return edit.Edit{Start: l.start, End: d.ls[d.end(i, false)-1].next}
	}
	if ms := d.members(i); len(ms) > 1 {
		m := d.ls[ms[1]]
		return edit.Edit{Start: l.start, End: m.start + m.indent, New: d.prefix(i)}
	}
	return d.deleteItem(i)
}

// deleteItem removes the sequence item that line i starts.
func (d *ydoc) deleteItem(i int) edit.Edit {
	return edit.Edit{Start: d.ls[i].start, End: d.ls[d.end(i, true)-1].next}
}

// replaceNode rewrites the node at line i (a key, or with item the whole
// item) as one line: its prefix followed by content.
func (d *ydoc) replaceNode(i int, item bool, content string) edit.Edit {
	return edit.Edit{Start: d.ls[i].start, End: d.ls[d.end(i, item)-1].end, New: d.prefix(i) + content}
}

// insertBefore inserts lines before line i.
func (d *ydoc) insertBefore(i int, lines ...string) edit.Edit {
	return insertLines(d.text, d.ls[i].start, d.nl, lines...)
}

// unit is the indentation step the file uses, guessed from the first
// nested line (2 when there is none).
func (d *ydoc) unit() int {
	for j, l := range d.ls {
		if d.structural(j) && l.indent > 0 {
			return l.indent
		}
	}
	return 2
}

// yamlScalar writes s as a plain scalar when it can be one, else quoted.
func yamlScalar(s string) string {
	if shellSafe(s) && !strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "@") {
		return s
	}
	return dquote(s)
}

// validateYAML checks what line edits can break: tabs in indentation,
// indentation that matches no enclosing block or nests under a line that
// opens none, and duplicate keys in one mapping.
func validateYAML(text []byte) error {
	d := parseYAML(text)
	if d.err != nil {
		return d.err
	}
	type level struct {
		indent int
		keys   map[string]bool
	}
	var stack []level
	opens := false
	for j, l := range d.ls {
		if !d.structural(j) {
			continue
		}
		if l.tab {
			return fmt.Errorf("line %d: tab in indentation", j+1)
		}
		switch {
		case len(stack) == 0:
			stack = append(stack, level{l.indent, map[string]bool{}})
		case l.indent > stack[len(stack)-1].indent:
			if !opens {
				return fmt.Errorf("line %d: unexpected indentation", j+1)
			}
			stack = append(stack, level{l.indent, map[string]bool{}})
		default:
			for len(stack) > 1 && stack[len(stack)-1].indent > l.indent {
				stack = stack[:len(stack)-1]
			}
			if stack[len(stack)-1].indent != l.indent {
				return fmt.Errorf("line %d: indentation matches no enclosing block", j+1)
			}
		}
		if l.dash {
			stack = append(stack, level{l.col, map[string]bool{}})
		}
		if cur := stack[len(stack)-1]; l.key != "" {
			if cur.keys[l.key] {
				return fmt.Errorf("line %d: duplicate key %q", j+1, l.key)
			}
			cur.keys[l.key] = true
		}
		opens = d.emptyVal(j)
	}
	return nil
}

// dropKids returns the edits that delete the children of key line e that
// drop selects (keys with what they hold, or whole items). The first
// dropped child becomes replace(child) instead when replace is not nil;
// when every child goes, so does e.
func (d *ydoc) dropKids(e int, drop func(j int) bool, replace func(j int) string) []edit.Edit {
	ks := d.kids(e)
	var gone []int
	for _, k := range ks {
		if drop(k) {
			gone = append(gone, k)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	if len(gone) == len(ks) && replace == nil {
		return []edit.Edit{d.deleteNode(e)}
	}
	var es []edit.Edit
	for n, k := range gone {
		switch {
		case n == 0 && replace != nil:
			es = append(es, d.replaceNode(k, d.ls[k].dash, replace(k)))
		case d.ls[k].dash:
			es = append(es, d.deleteItem(k))
		default:
			es = append(es, d.deleteNode(k))
		}
	}
	return es
}
