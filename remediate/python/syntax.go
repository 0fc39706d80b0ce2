package python

import (
	"github.com/rolecall/rolecall/remediate/edit"

	"sort"
	"strings"
)

// prog is a tokenized text with the little structure the rewrites need:
// bracket partners, statements, argument lists and imported names.
type prog struct {
	src    []byte
	toks   []token
	errs   []syntaxError
	pair   []int // the partner of a bracket token, -1 for other tokens
	up     []int // the innermost open bracket around a token, -1 at depth 0
	stmts  []stmt
	stmtOf []int // the statement a token belongs to, -1 for none
	lines  []int // offsets where lines start
	alias  map[string]string
	groups map[int]*group
}

// stmt is a simple statement: a logical line, or part of one split by ";".
type stmt struct {
	first, last int // its first and last significant tokens
	end         int // the NEWLINE token that ends it, -1 when ";" or the text ends it
	semi        int // the ";" after it, -1 if none
	prevSemi    int // the ";" before it on the same logical line, -1 if none
}

// group is the inside of a bracket pair split at its top-level commas:
// call arguments, dict entries, list elements.
type group struct {
	open, close int
	items       []item
}

// item is one comma-separated element of a group.
type item struct {
	first, last   int    // its first and last significant tokens
	comma         int    // the "," after it, -1 if none
	name          string // keyword of a keyword argument, or a dict key's string value
	keyed         bool   // a keyword argument or a dict entry
	vFirst, vLast int    // the value's tokens (the whole item when not keyed)
	star          bool   // *args, **kwargs
}

var keywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// defaultAliases are the names notebooks use without an import in the
// cells rolecall sees (an import in a cell that was not passed, a
// %run-loaded setup).
var defaultAliases = map[string]string{
	"boto3": "boto3", "aioboto3": "aioboto3", "s3fs": "s3fs", "fsspec": "fsspec", "os": "os",
	"pandas": "pandas", "pd": "pandas", "dd": "dask.dataframe", "wr": "awswrangler", "sagemaker": "sagemaker",
}

// parse tokenizes src and finds its structure.
func parse(src []byte) *prog {
	toks, errs := tokenize(src)
	p := &prog{src: src, toks: toks, errs: errs, groups: map[int]*group{}, alias: map[string]string{}}
	p.lines = append(p.lines, 0)
	for i, c := range src {
		if c == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	p.brackets()
	p.statements()
	p.imports()
	return p
}

// brackets pairs the brackets and records the innermost one around
// each token.
func (p *prog) brackets() {
	p.pair = make([]int, len(p.toks))
	p.up = make([]int, len(p.toks))
	var stack []int
	for i, t := range p.toks {
		p.pair[i] = -1
		p.up[i] = -1
		if len(stack) > 0 {
			p.up[i] = stack[len(stack)-1]
		}
		if t.kind != tOp || t.end-t.start != 1 {
			continue
		}
		switch p.src[t.start] {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if len(stack) > 0 {
				o := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				p.pair[o], p.pair[i] = i, o
				p.up[i] = p.up[o]
			}
		}
	}
}

func trivia(k kind) bool { return k == tWS || k == tNL || k == tComment || k == tCont }

// statements splits the tokens into simple statements.
func (p *prog) statements() {
	p.stmtOf = make([]int, len(p.toks))
	cur := -1
	prevSemi := -1
	closeAt := func(last, end, semi int) {
		if cur < 0 {
			return
		}
		s := &p.stmts[cur]
		s.last, s.end, s.semi = last, end, semi
		for i := s.first; i <= last; i++ {
			p.stmtOf[i] = cur
		}
		cur = -1
	}
	last := -1
	for i, t := range p.toks {
		p.stmtOf[i] = -1
		switch {
		case trivia(t.kind):
		case t.kind == tNewline:
			closeAt(last, i, -1)
			prevSemi = -1
		case p.isOp(i, ";") && p.up[i] < 0:
			closeAt(last, -1, i)
			prevSemi = i
		default:
			if cur < 0 {
				p.stmts = append(p.stmts, stmt{first: i, end: -1, semi: -1, prevSemi: prevSemi})
				cur = len(p.stmts) - 1
			}
			last = i
		}
	}
	closeAt(last, -1, -1)
}

// imports records the names that import statements bind.
func (p *prog) imports() {
	for _, s := range p.stmts {
		first := p.text(s.first)
		if first != "import" && first != "from" {
			continue
		}
		var toks []string
		for i := s.first; i <= s.last; i++ {
			if !trivia(p.toks[i].kind) && p.toks[i].kind != tNewline && p.text(i) != "(" && p.text(i) != ")" {
				toks = append(toks, p.text(i))
			}
		}
		if first == "import" {
			bindImports(p.alias, "", toks[1:])
			continue
		}
		// from MOD import a as b, c
		k := 1
		mod := ""
		for k < len(toks) && toks[k] != "import" {
			mod += toks[k]
			k++
		}
		if k < len(toks) {
			bindImports(p.alias, mod, toks[k+1:])
		}
	}
}

// bindImports reads "a.b as c, d" (from == "") or "x as y, z" (from MOD).
func bindImports(alias map[string]string, from string, toks []string) {
	for len(toks) > 0 {
		name := ""
		k := 0
		for k < len(toks) && toks[k] != "," && toks[k] != "as" {
			name += toks[k]
			k++
		}
		bound := name
		full := name
		if from != "" {
			full = from + "." + name
		} else {
			bound, _, _ = strings.Cut(name, ".")
			full = bound
		}
		if k+1 < len(toks) && toks[k] == "as" {
			bound = toks[k+1]
			if from == "" {
				full = name
			}
			k += 2
		}
		if bound != "" && bound != "*" {
			alias[bound] = full
		}
		for k < len(toks) && toks[k] != "," {
			k++
		}
		if k < len(toks) {
			k++
		}
		toks = toks[k:]
	}
}

// resolve turns a dotted name as written into what it names, through the
// imports: "pd.read_csv" -> "pandas.read_csv", "client" -> "boto3.client".
func (p *prog) resolve(dotted string) string {
	head, rest, dot := strings.Cut(dotted, ".")
	full, ok := p.alias[head]
	if !ok {
		full, ok = defaultAliases[head]
	}
	if !ok {
		return dotted
	}
	if dot {
		return full + "." + rest
	}
	return full
}

// aliasFor returns a name an import binds to target (a module or object
// path), or "".
func (p *prog) aliasFor(target string) string {
	var names []string
	for k, v := range p.alias {
		if v == target {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return names[0]
}

func (p *prog) text(i int) string { return string(p.src[p.toks[i].start:p.toks[i].end]) }

func (p *prog) isOp(i int, s string) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == tOp && p.text(i) == s
}

func (p *prog) isName(i int) bool {
	return i >= 0 && i < len(p.toks) && p.toks[i].kind == tName && !keywords[p.text(i)]
}

// next returns the next token after i that is not trivia, or -1.
func (p *prog) next(i int) int {
	for i++; i < len(p.toks); i++ {
		if !trivia(p.toks[i].kind) {
			return i
		}
	}
	return -1
}

// prev returns the previous token before i that is not trivia, or -1.
func (p *prog) prev(i int) int {
	for i--; i >= 0; i-- {
		if !trivia(p.toks[i].kind) {
			return i
		}
	}
	return -1
}

// tokAt returns the token holding offset off.
func (p *prog) tokAt(off int) int {
	i := sort.Search(len(p.toks), func(i int) bool { return p.toks[i].end > off })
	if i == len(p.toks) {
		return -1
	}
	return i
}

// line returns the 1-based line of offset off.
func (p *prog) line(off int) int {
	return sort.Search(len(p.lines), func(i int) bool { return p.lines[i] > off })
}

// isOpen reports whether token i opens a bracket of the given kind.
func (p *prog) isOpen(i int, c byte) bool {
	return i >= 0 && p.toks[i].kind == tOp && p.toks[i].end-p.toks[i].start == 1 && p.src[p.toks[i].start] == c && p.pair[i] >= 0
}

// isCall reports whether the "(" at i calls something.
func (p *prog) isCall(i int) bool {
	if !p.isOpen(i, '(') {
		return false
	}
	b := p.prev(i)
	return p.isName(b) || p.isOp(b, ")") || p.isOp(b, "]")
}

// exprStart returns the first token of the primary expression (a name with
// its attributes, calls and subscripts) that ends at token e.
func (p *prog) exprStart(e int) int {
	i := e
	for {
		switch {
		case p.toks[i].kind == tName || p.toks[i].kind == tString:
			j := p.prev(i)
			if p.toks[i].kind == tName && p.isOp(j, ".") {
				if k := p.prev(j); k >= 0 && (p.isName(k) || p.isOp(k, ")") || p.isOp(k, "]") || p.toks[k].kind == tString) {
					i = k
					continue
				}
			}
			return i
		case (p.isOp(i, ")") || p.isOp(i, "]")) && p.pair[i] >= 0:
			o := p.pair[i]
			if j := p.prev(o); p.isName(j) || p.isOp(j, ")") || p.isOp(j, "]") {
				i = j
				continue
			}
			return o
		default:
			return i
		}
	}
}

// norm returns the significant tokens from a to b joined without spaces:
// the same expression written over several lines compares equal.
func (p *prog) norm(a, b int) string {
	var sb strings.Builder
	for i := a; i <= b && i >= 0; i++ {
		if !trivia(p.toks[i].kind) {
			sb.WriteString(p.text(i))
		}
	}
	return sb.String()
}

// dotted returns "a.b.c" when tokens a..b are exactly such a name.
func (p *prog) dotted(a, b int) (string, bool) {
	var parts []string
	want := true // a name
	for i := a; i <= b; i++ {
		if trivia(p.toks[i].kind) {
			continue
		}
		if want && p.toks[i].kind != tName || !want && !p.isOp(i, ".") {
			return "", false
		}
		if want {
			parts = append(parts, p.text(i))
		}
		want = !want
	}
	return strings.Join(parts, "."), len(parts) > 0 && !want
}

// callee describes what a call calls.
type callee struct {
	start, end int    // the tokens of the called expression
	dotted     string // "boto3.client" when it is a plain dotted name
	final      string // the name it ends with ("client"), "" if none
	recv       int    // the last token of the receiver before ".final", -1 if none
}

// calleeOf describes the callee of the call whose "(" is open.
func (p *prog) calleeOf(open int) callee {
	e := p.prev(open)
	c := callee{start: p.exprStart(e), end: e, recv: -1}
	c.dotted, _ = p.dotted(c.start, e)
	if p.toks[e].kind == tName {
		c.final = p.text(e)
		if d := p.prev(e); p.isOp(d, ".") && d > c.start {
			c.recv = p.prev(d)
		}
	}
	return c
}

// group returns the items between the bracket at open and its partner.
func (p *prog) group(open int) *group {
	if g, ok := p.groups[open]; ok {
		return g
	}
	g := &group{open: open, close: p.pair[open]}
	p.groups[open] = g
	dict := p.src[p.toks[open].start] == '{'
	cur := item{first: -1, comma: -1}
	flush := func(comma int) {
		if cur.first >= 0 {
			cur.comma = comma
			p.describe(&cur, dict)
			g.items = append(g.items, cur)
		}
		cur = item{first: -1, comma: -1}
	}
	for i := p.next(open); i >= 0 && i < g.close; i = p.next(i) {
		if p.isOp(i, ",") {
			flush(i)
			continue
		}
		if cur.first < 0 {
			cur.first = i
		}
		if p.pair[i] > i {
			i = p.pair[i]
		}
		cur.last = i
	}
	flush(-1)
	return g
}

// describe fills in an item's keyword or key and its value tokens.
func (p *prog) describe(it *item, dict bool) {
	it.vFirst, it.vLast = it.first, it.last
	if p.isOp(it.first, "*") || p.isOp(it.first, "**") {
		it.star = true
		return
	}
	if !dict {
		if n := p.next(it.first); p.isName(it.first) && p.isOp(n, "=") && n < it.last {
			it.keyed, it.name = true, p.text(it.first)
			it.vFirst = p.next(n)
		}
		return
	}
	for i := it.first; i <= it.last && i >= 0; i = p.next(i) {
		if p.pair[i] > i {
			i = p.pair[i]
			continue
		}
		if p.isOp(i, ":") {
			if i == it.last {
				return
			}
			it.keyed = true
			if k := it.first; p.next(k) == i && p.toks[k].kind == tString {
				it.name, _ = p.strValue(k)
			}
			it.vFirst = p.next(i)
			return
		}
	}
}

// itemAt returns the index of the item of g that holds token t, or -1.
func (g *group) itemAt(t int) int {
	for k, it := range g.items {
		if it.first <= t && t <= it.last {
			return k
		}
	}
	return -1
}

// find returns the index of the keyed item called name, or -1.
func (g *group) find(name string) int {
	for k, it := range g.items {
		if it.keyed && it.name == name {
			return k
		}
	}
	return -1
}

// positional returns the n-th positional item, or -1.
func (g *group) positional(n int) int {
	for k, it := range g.items {
		if it.keyed || it.star {
			continue
		}
		if n == 0 {
			return k
		}
		n--
	}
	return -1
}

// strValue returns the text between a plain string literal's quotes and its
// prefix (lower-cased). Escapes are not decoded: the names compared with it
// have none.
func (p *prog) strValue(i int) (string, string) {
	t := p.toks[i]
	if t.kind != tString || t.bad {
		return "", ""
	}
	body, prefix, _ := StringParts(p.text(i))
	return body, prefix
}

// quoteOf returns the quote character of string token i.
func (p *prog) quoteOf(i int) byte {
	s := p.text(i)
	if k := strings.IndexAny(s, `'"`); k >= 0 {
		return s[k]
	}
	return '"'
}

// onlySpaceBefore reports whether only spaces precede offset off on its line.
func (p *prog) onlySpaceBefore(off int) bool {
	for i := off - 1; i >= 0 && p.src[i] != '\n'; i-- {
		if !isSpace(p.src[i]) && p.src[i] != '\r' {
			return false
		}
	}
	return true
}

// restOfLineEmpty reports whether, after token i, its line holds only
// spaces, a comment or a continuation backslash.
func (p *prog) restOfLineEmpty(i int) bool {
	for j := i + 1; j < len(p.toks); j++ {
		switch p.toks[j].kind {
		case tWS, tComment:
		case tNL, tNewline, tCont:
			return true
		default:
			return false
		}
	}
	return true
}

// lineEndAfter returns the offset just past the newline ending the line
// of token i (or the end of text).
func (p *prog) lineEndAfter(i int) int {
	for j := i + 1; j < len(p.toks); j++ {
		switch p.toks[j].kind {
		case tNL, tNewline, tCont:
			return p.toks[j].end
		}
	}
	return len(p.src)
}

// lineStart returns the offset of the start of the line holding off.
func (p *prog) lineStart(off int) int { return edit.LineStart(p.src, off) }
