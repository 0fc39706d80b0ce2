package infer

import (
	"bytes"
	"strings"

	"github.com/rolecall/rolecall/iam/internal/pycode"
	"github.com/rolecall/rolecall/remediate/python"
)

// val is what the evaluator knows about an expression's value.
type val struct {
	s      str            // a string
	list   []str          // a list of strings
	dict   map[string]str // a dict with string keys
	mod    string         // a module or function, by its imported dotted name
	h      *handle        // an SDK or library object
	method string         // a method bound to h (or to an unknown receiver when h is nil)
}

// first is the value as one string: a string, or a list's first element.
func (v val) first() str {
	if !v.s.known && len(v.list) > 0 {
		return v.list[0]
	}
	return v.s
}

// handle is an object whose methods call AWS.
type handle struct {
	kind  string // session, client, resource, sub, objects, paginator, waiter, fs, reader, writer, estimator, model, processor, predictor
	svc   string // the boto3 service name
	sub   string // Bucket, Object, Table for kind sub
	fixed map[string]str
	name  string // paginator or waiter operation
	role  str    // SageMaker execution role
	tree  bool   // fs: paths name directories too
}

// evaluator walks Python (or R) tokens statement by statement, keeping the
// names bound so far: module aliases, string constants and handles. One
// evaluator reads all the cells of a notebook in order, as the kernel does.
type evaluator struct {
	c     *collector
	r     bool // R: $ and :: are member access, <- assigns
	vars  map[string]val
	alias map[string]string
	shell func(text []byte, base int) // reads a shell line at offset base

	*pycode.Code
	nest int // recursion depth of primary, bounded against hostile input
	site func(off int, call string) Site
}

// maxNest bounds the nesting of expressions the evaluator follows.
const maxNest = 200

var defaultAliases = map[string]string{
	"boto3": "boto3", "s3fs": "s3fs", "fsspec": "fsspec", "pd": "pandas", "pandas": "pandas", "dd": "dask.dataframe",
	"pl": "polars", "polars": "polars", "wr": "awswrangler", "awswrangler": "awswrangler", "sagemaker": "sagemaker",
}

func newEvaluator(c *collector, r bool) *evaluator {
	return &evaluator{c: c, r: r, vars: map[string]val{}, alias: map[string]string{}}
}

// run evaluates one text: a file or one cell.
func (e *evaluator) run(src []byte, site func(off int, call string) Site) {
	e.Code, e.site = pycode.Parse(src), site
	// Statements end at NEWLINE tokens, at ";" outside brackets and, in R
	// (whose newlines the Python tokenizer does not mark), at a line break
	// outside brackets after a token that does not continue the expression.
	start, depth, line, prevLine, pos := 0, 0, 0, 0, 0
	for i := 0; i <= len(e.Toks); i++ {
		if i < len(e.Toks) {
			line += bytes.Count(e.Src[pos:e.Toks[i].Start], []byte{'\n'})
			pos = e.Toks[i].Start
		}
		if i == len(e.Toks) || e.Toks[i].Kind == python.KindNewline || e.Text(i) == ";" && depth == 0 ||
			e.r && e.Toks[i].Kind != python.KindMagic && i > start && line != prevLine && depth == 0 && !e.continues(i-1) {
			e.statement(start, i)
			start = i
			if i < len(e.Toks) && (e.Toks[i].Kind == python.KindNewline || e.Text(i) == ";") {
				start = i + 1
			}
			depth = 0
		}
		if i < len(e.Toks) && e.Toks[i].Kind == python.KindOp {
			switch e.Text(i) {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		prevLine = line
	}
}

// continues says whether an R line ends in an operator that carries the
// expression to the next line.
func (e *evaluator) continues(i int) bool {
	switch e.Text(i) {
	case "+", "-", "*", "/", ",", "=", "<", "(", "[", "{", "%", "|", "&":
		return true
	}
	return false
}

// member says whether token i is member access: "." (and "$" in R).
func (e *evaluator) member(i int) bool {
	if e.IsOp(i, ".") {
		return true
	}
	return e.r && i >= 0 && i < len(e.Toks) && e.Toks[i].Kind == python.KindError && e.Text(i) == "$"
}

func (e *evaluator) statement(a, b int) {
	if a >= b {
		return
	}
	if e.Toks[a].Kind == python.KindMagic {
		t := e.Toks[a]
		text := e.Src[t.Start:t.End]
		switch {
		case len(text) > 1 && text[0] == '!':
			e.shell(text[1:], t.Start+1)
		case len(text) > 4 && string(text[:4]) == "%sx ":
			e.shell(text[4:], t.Start+4)
		}
		return
	}
	switch e.Text(a) {
	case "import", "from":
		if !e.r {
			e.imports(a, b)
			return
		}
	case "library", "require":
		if e.r {
			return
		}
	}
	// NAME = expr, self.NAME = expr, NAME <- expr, with EXPR as NAME:
	if e.IsName(a) && a+1 < b {
		target, k := e.Text(a), a+1
		for !e.r && e.IsOp(k, ".") && e.IsName(k+1) {
			target += "." + e.Text(k+1)
			k += 2
		}
		if e.IsOp(k, "=") {
			e.vars[target] = e.expr(k+1, b)
			return
		}
		if e.r && e.IsOp(a+1, "<") && e.IsOp(a+2, "-") && e.Toks[a+2].Start == e.Toks[a+1].End {
			e.vars[e.Text(a)] = e.expr(a+3, b)
			return
		}
	}
	if e.Text(a) == "with" && !e.r {
		for k := a + 1; k < b; k++ {
			if e.Pair[k] > k {
				k = e.Pair[k]
				continue
			}
			if e.Text(k) == "as" && e.IsName(k+1) {
				e.vars[e.Text(k+1)] = e.expr(a+1, k)
				e.walk(k+2, b)
				return
			}
		}
	}
	e.walk(a, b)
}

// imports binds the names of an import statement.
func (e *evaluator) imports(a, b int) {
	dotted := func(i int) (string, int) {
		var parts []string
		for i < b && (e.IsName(i) || e.IsOp(i, ".")) && e.Text(i) != "import" && e.Text(i) != "as" {
			parts = append(parts, e.Text(i))
			i++
		}
		return strings.Join(parts, ""), i
	}
	if e.Text(a) == "import" {
		for i := a + 1; i < b; {
			name, j := dotted(i)
			bind := strings.SplitN(name, ".", 2)[0]
			target := bind
			if j+1 < b && e.Text(j) == "as" {
				bind, target, j = e.Text(j+1), name, j+2
			}
			e.alias[bind] = target
			i = j + 1 // past ","
		}
		return
	}
	from, i := dotted(a + 1)
	if i >= b || e.Text(i) != "import" {
		return
	}
	for i++; i < b; i++ {
		if !e.IsName(i) {
			continue
		}
		name := e.Text(i)
		bind := name
		if e.Text(i+1) == "as" && i+2 < b {
			bind = e.Text(i + 2)
			i += 2
		}
		e.alias[bind] = from + "." + name
	}
}

// walk evaluates every expression in [a, b) for the calls it makes.
func (e *evaluator) walk(a, b int) {
	for i := a; i < b; {
		if (e.IsName(i) || e.Toks[i].Kind == python.KindString) && !e.member(i-1) {
			_, j := e.primary(i, b)
			if j > i {
				i = j
				continue
			}
		}
		i++
	}
}

// expr evaluates [a, b): string concatenation and %-formatting of
// primaries; anything else is walked and unknown.
func (e *evaluator) expr(a, b int) val {
	if a >= b {
		return val{}
	}
	v, j := e.primary(a, b)
	for j < b {
		switch {
		case e.IsOp(j, "+"):
			w, k := e.primary(j+1, b)
			v = val{s: concat(v.s, w.s)}
			j = k
		case e.IsOp(j, "%") && v.s.known:
			v = val{s: untilField(v.s.s, "%")}
			e.walk(j+1, b)
			return v
		default:
			e.walk(j, b)
			return val{}
		}
	}
	return v
}

// primary evaluates an atom and its trailers (attributes, calls,
// subscripts) starting at token i; it returns the value and the index
// after it.
func (e *evaluator) primary(i, b int) (val, int) {
	if i >= b {
		return val{}, i
	}
	if e.nest > maxNest {
		return val{}, b // too deeply nested to be code anyone wrote by hand
	}
	e.nest++
	defer func() { e.nest-- }()
	start := i
	var v val
	t := e.Toks[i]
	switch {
	case t.Kind == python.KindString:
		v.s = lit("")
		for i < b && e.Toks[i].Kind == python.KindString {
			v.s = concat(v.s, e.stringValue(i))
			i++
		}
	case t.Kind == python.KindName:
		name := e.Text(i)
		i++
		if e.r && e.IsOp(i, ":") && e.IsOp(i+1, ":") && e.IsName(i+2) {
			v.mod = name + "." + e.Text(i+2)
			i += 3
			break
		}
		// the longest bound attribute chain: self.s3, cfg.BUCKET
		for e.member(i) && e.IsName(i+1) {
			if _, ok := e.vars[name+"."+e.Text(i+1)]; !ok {
				break
			}
			name += "." + e.Text(i+1)
			i += 2
		}
		if x, ok := e.vars[name]; ok {
			v = x
		} else if m, ok := e.alias[name]; ok {
			v.mod = m
		} else if m, ok := defaultAliases[name]; ok && !e.r {
			v.mod = m
		} else {
			v.mod = "?" + name // an unknown name; R's aws.s3 functions are called bare
		}
	case e.IsOp(i, "(") && e.Pair[i] > 0:
		v = e.expr(i+1, e.Pair[i])
		i = e.Pair[i] + 1
	case e.IsOp(i, "[") && e.Pair[i] > 0:
		v = e.items(i)
		i = e.Pair[i] + 1
	case e.IsOp(i, "{") && e.Pair[i] > 0:
		v = e.items(i)
		i = e.Pair[i] + 1
	default:
		return val{}, i + 1
	}
	for i < b {
		switch {
		case e.member(i) && e.IsName(i+1):
			v = e.attr(v, e.Text(i+1))
			i += 2
		case e.IsOp(i, "(") && e.Pair[i] > 0:
			site := e.site(e.Toks[start].Start, strings.Join(strings.Fields(string(e.Src[e.Toks[start].Start:e.Toks[i].Start])), ""))
			v = e.call(v, e.args(i), site)
			i = e.Pair[i] + 1
		case e.IsOp(i, "[") && e.Pair[i] > 0:
			e.walk(i+1, e.Pair[i])
			v = val{}
			i = e.Pair[i] + 1
		default:
			return v, i
		}
	}
	return v, i
}

// items evaluates a list or dict display.
func (e *evaluator) items(open int) val {
	close := e.Pair[open]
	dict := e.IsOp(open, "{")
	var v val
	if dict {
		v.dict = map[string]str{}
	}
	for _, it := range e.Split(open+1, close) {
		if dict {
			colon := e.Find(it[0], it[1], ":")
			if colon < 0 {
				e.walk(it[0], it[1])
				continue
			}
			key := e.expr(it[0], colon)
			val := e.expr(colon+1, it[1])
			if key.s.exact {
				v.dict[key.s.s] = val.s
			}
			continue
		}
		x := e.expr(it[0], it[1])
		v.list = append(v.list, x.s)
	}
	return v
}

// args evaluates the arguments of the call whose "(" is token open.
func (e *evaluator) args(open int) args {
	a := args{kw: map[string]val{}}
	for _, it := range e.Split(open+1, e.Pair[open]) {
		if e.IsName(it[0]) && e.IsOp(it[0]+1, "=") && !e.IsOp(it[0]+2, "=") {
			a.kw[e.Text(it[0])] = e.expr(it[0]+2, it[1])
			continue
		}
		if e.IsOp(it[0], "*") || e.IsOp(it[0], "**") {
			e.walk(it[0]+1, it[1])
			continue
		}
		a.pos = append(a.pos, e.expr(it[0], it[1]))
	}
	return a
}

// stringValue reads a string literal: its whole value, or the literal
// prefix of an f-string. Bytes literals are not paths.
func (e *evaluator) stringValue(i int) str {
	body, pre, ok := e.String(i)
	if !ok || strings.Contains(pre, "b") {
		return str{}
	}
	if strings.Contains(pre, "f") {
		return e.fstring(body)
	}
	if strings.Contains(body, `\`) && !strings.Contains(pre, "r") {
		if k := strings.IndexByte(body, '\\'); k >= 0 {
			return prefix(body[:k])
		}
	}
	return lit(body)
}

// fstring evaluates an f-string body: fields that name a known string
// constant are filled in; the value is exact up to the first other field.
func (e *evaluator) fstring(body string) str {
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '{' && i+1 < len(body) && body[i+1] == '{', c == '}' && i+1 < len(body) && body[i+1] == '}':
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(body[i:], '}')
			if end < 0 {
				return prefix(b.String())
			}
			name := strings.TrimSpace(body[i+1 : i+end])
			v, ok := e.vars[name]
			if !ok || !v.s.exact {
				return prefix(b.String())
			}
			b.WriteString(v.s.s)
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return lit(b.String())
}

// attr evaluates v.name.
func (e *evaluator) attr(v val, name string) val {
	if h := v.h; h != nil {
		switch {
		case name == "meta":
			return v
		case name == "client" && h.kind == "resource":
			return val{h: &handle{kind: "client", svc: h.svc}}
		case name == "objects" && h.kind == "sub" && h.sub == "Bucket":
			return val{h: &handle{kind: "objects", svc: "s3", fixed: h.fixed}}
		}
		return val{h: h, method: name}
	}
	_, known := resolveMod(v.mod)
	if !known || v.mod == "" {
		switch name {
		case "read", "readStream":
			return val{h: &handle{kind: "reader"}}
		case "write", "writeStream":
			return val{h: &handle{kind: "writer"}}
		}
	}
	if v.mod != "" && v.method == "" {
		return val{mod: v.mod + "." + name}
	}
	return val{method: name}
}

// resolveMod strips the unknown-name mark.
func resolveMod(m string) (string, bool) {
	if strings.HasPrefix(m, "?") {
		return m[1:], false
	}
	return m, true
}
