package config

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// rtok is an R token: kind is 'i' (identifier, backquoted too), 's'
// (string), 'n' (number), 'c' (comment), 'o' (operator), '\n', or the
// byte itself for ( ) [ ] { } , ; and a lone =.
type rtok struct {
	kind       byte
	start, end int
}

type rLexer struct {
	text []byte
	toks []rtok
	err  error
}

func (lx *rLexer) fail(off int, msg string) {
	if lx.err == nil {
		lx.err = errorAt(lx.text, off, "%s", msg)
	}
}

func isRIdent(c byte) bool {
	return c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func lexR(text []byte) ([]rtok, error) {
	lx := &rLexer{text: text}
	t := text
	for i := 0; i < len(t) && lx.err == nil; {
		c := t[i]
		start := i
		kind := byte('o')
		next := byte(0)
		if i+1 < len(t) {
			next = t[i+1]
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			continue
		case c == '\n':
			kind, i = '\n', i+1
		case c == '#':
			kind, i = 'c', eol(t, i)
		case (c == 'r' || c == 'R') && (next == '"' || next == '\''):
			kind, i = 's', lx.raw(i)
		case c == '"' || c == '\'':
			kind, i = 's', lx.quoted(i+1, c)
		case c == '`':
			kind, i = 'i', lx.quoted(i+1, c)
		case c >= '0' && c <= '9' || c == '.' && next >= '0' && next <= '9':
			for i++; i < len(t) && (isRIdent(t[i]) || (t[i] == '+' || t[i] == '-') && (t[i-1] == 'e' || t[i-1] == 'E') && !bytes.HasPrefix(t[start:], []byte("0x"))); i++ {
			}
			kind = 'n'
		case isRIdent(c):
			for i < len(t) && isRIdent(t[i]) {
				i++
			}
			kind = 'i'
		case c == '%':
			e := bytes.IndexAny(t[i+1:], "%\n")
			if e < 0 || t[i+1+e] != '%' {
				lx.fail(i, "unterminated %operator%")
				continue
			}
			i += e + 2
		case strings.IndexByte("()[]{},;", c) >= 0:
			kind, i = c, i+1
		case c == '=' && next != '=':
			kind, i = '=', i+1
		default:
			for _, op := range []string{"<<-", "->>", "<-", "->", ":::", "::", "==", "!=", "<=", ">=", "&&", "||", "|>"} {
				if bytes.HasPrefix(t[i:], []byte(op)) {
					i += len(op)
					break
				}
			}
			if i == start {
				i++
			}
		}
		lx.toks = append(lx.toks, rtok{kind, start, i})
	}
	return lx.toks, lx.err
}

// quoted returns the offset after the quote q closing a string (or
// backquoted name) whose content starts at i; strings may span lines.
func (lx *rLexer) quoted(i int, q byte) int {
	for t := lx.text; i < len(t); i++ {
		switch t[i] {
		case '\\':
			i++
		case q:
			return i + 1
		}
	}
	lx.fail(len(lx.text), "unterminated "+string(q)+" string")
	return len(lx.text)
}

// raw returns the offset after a raw string r"(...)" (R 4.0), with any
// number of dashes and ( [ { as delimiters.
func (lx *rLexer) raw(i int) int {
	t := lx.text
	q := t[i+1]
	j := i + 2
	for j < len(t) && t[j] == '-' {
		j++
	}
	if j >= len(t) || strings.IndexByte("([{", t[j]) < 0 {
		lx.fail(i, "malformed raw string")
		return len(t)
	}
	closer := string(")]}"[strings.IndexByte("([{", t[j])]) + strings.Repeat("-", j-i-2) + string(q)
	e := bytes.Index(t[j+1:], []byte(closer))
	if e < 0 {
		lx.fail(i, "unterminated raw string")
		return len(t)
	}
	return j + 1 + e + len(closer)
}

// rArg is one argument of a call: [start, end) from its name (or value)
// to the end of its value; name is "" when positional; nameEnd and val are
// the offsets after the name and of the value.
type rArg struct {
	start, end   int
	name         string
	nameEnd, val int
}

// rCall is a call `ns::name(args)`.
type rCall struct {
	name        string // without the namespace
	start, end  int    // from the callee to the closing parenthesis
	args        []rArg
	parent, arg int // the call and argument whose value this call is, or -1
}

// rCalls finds every call in the tokens.
func rCalls(text []byte, toks []rtok) ([]rCall, error) {
	match := make([]int, len(toks))
	var stack []int
	for k, t := range toks {
		switch t.kind {
		case '(', '[', '{':
			stack = append(stack, k)
		case ')', ']', '}':
			if len(stack) == 0 || "([{"[strings.IndexByte(")]}", t.kind)] != toks[stack[len(stack)-1]].kind {
				return nil, errorAt(text, t.start, "unbalanced %c", t.kind)
			}
			match[stack[len(stack)-1]] = k
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return nil, errorAt(text, toks[stack[0]].start, "unclosed %c", toks[stack[0]].kind)
	}
	var calls []rCall
	callAt := map[int]int{}
	for k, t := range toks {
		if t.kind != '(' || k == 0 || toks[k-1].kind != 'i' {
			continue
		}
		c := rCall{name: strings.Trim(string(text[toks[k-1].start:toks[k-1].end]), "`"), start: toks[k-1].start, end: toks[match[k]].end, parent: -1}
		if k >= 3 && toks[k-2].kind == 'o' && strings.HasPrefix(string(text[toks[k-2].start:toks[k-2].end]), "::") && toks[k-3].kind == 'i' {
			c.start = toks[k-3].start
		}
		c.args = rArgs(text, toks, match, k+1, match[k])
		callAt[c.start] = len(calls)
		calls = append(calls, c)
	}
	// Link each call to the argument whose whole value it is.
	for ci := range calls {
		for ai, a := range calls[ci].args {
			if cj, ok := callAt[a.val]; ok && calls[cj].end == a.end {
				calls[cj].parent, calls[cj].arg = ci, ai
			}
		}
	}
	return calls, nil
}

// rArgs splits the tokens in [from, to) at top-level commas.
func rArgs(text []byte, toks []rtok, match []int, from, to int) []rArg {
	var out []rArg
	var sig []int
	flush := func() {
		if len(sig) == 0 {
			return
		}
		a := rArg{start: toks[sig[0]].start, end: toks[sig[len(sig)-1]].end, val: toks[sig[0]].start}
		if len(sig) >= 3 && (toks[sig[0]].kind == 'i' || toks[sig[0]].kind == 's') && toks[sig[1]].kind == '=' {
			a.name = strings.Trim(string(text[toks[sig[0]].start:toks[sig[0]].end]), "`\"'")
			a.nameEnd, a.val = toks[sig[0]].end, toks[sig[2]].start
		}
		out = append(out, a)
		sig = nil
	}
	for k := from; k < to; k++ {
		switch toks[k].kind {
		case ',':
			flush()
		case '\n', 'c':
		case '(', '[', '{':
			sig = append(sig, k, match[k])
			k = match[k]
		default:
			sig = append(sig, k)
		}
	}
	flush()
	return out
}

func validateR(text []byte) error {
	toks, err := lexR(text)
	if err != nil {
		return err
	}
	_, err = rCalls(text, toks)
	return err
}

// R argument names that hold credentials.
var (
	pawsKeys = map[string]bool{"access_key_id": true, "secret_access_key": true, "session_token": true}
	awsS3Key = map[string]bool{"key": true, "secret": true, "session_token": true}
)

// rFix holds the state of one R rewrite.
type rFix struct {
	*plan
	calls      []rCall
	opts       edit.Options
	profileSet bool // some Sys.setenv already sets AWS_PROFILE
}

// R rewrites R code: AWS keys in Sys.setenv(), paws
// config = list(credentials = list(creds = list(...))), and the key,
// secret and session_token arguments of aws.s3 / aws.signature calls.
func R(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindR, text, targets)
	toks, err := lexR(text)
	var calls []rCall
	if err == nil {
		calls, err = rCalls(text, toks)
	}
	if err != nil {
		return p.result(fmt.Sprintf("the R code could not be read (%v): delete the credentials by hand", err))
	}
	r := &rFix{plan: p, calls: calls, opts: opts}
	for _, c := range calls {
		for _, a := range c.args {
			r.profileSet = r.profileSet || c.name == "Sys.setenv" && a.name == "AWS_PROFILE"
		}
	}
	type group struct {
		call, arg int // the call, and for paws the creds argument
		shape     string
	}
	var groups []group
	ts := map[group][]int{}
	for i, t := range targets {
		ci, ai := r.innermost(t)
		if ci < 0 {
			continue
		}
		c, a := calls[ci], calls[ci].args[ai]
		var g group
		switch {
		case c.name == "Sys.setenv" && awsEnvVars[a.name]:
			g = group{ci, -1, "R Sys.setenv of AWS credentials"}
		case pawsKeys[a.name] && c.name == "list" && r.pawsCreds(ci):
			g = group{c.parent, c.arg, "paws credentials"}
		case awsS3Key[a.name] && t.Kind.IsAWS() && c.name != "list" && c.name != "c":
			g = group{ci, -1, "aws.s3 key and secret arguments"}
		case t.Kind.IsAWS():
			p.manual(i, "delete the key from the R code and rely on the default credential chain (AWS_PROFILE in ~/.Renviron, SSO, an instance role)")
			continue
		default:
			p.manual(i, "read the secret at run time instead (Sys.getenv() with the variable set outside the code, or keyring::key_get())")
			continue
		}
		if ts[g] == nil {
			groups = append(groups, g)
		}
		ts[g] = append(ts[g], i)
	}
	for _, g := range groups {
		switch {
		case g.arg >= 0:
			r.paws(g.call, g.arg)
		case calls[g.call].name == "Sys.setenv":
			r.setenv(g.call)
		default:
			r.dropArgs(g.call, func(a rArg) bool { return awsS3Key[a.name] }, nil)
			if opts.Profile != "" {
				p.note("set AWS_PROFILE=%s (for example in ~/.Renviron) so that aws.signature finds the profile", opts.Profile)
			}
		}
		p.fixAll(ts[g], g.shape)
	}
	if len(groups) > 0 && opts.Profile == "" {
		p.note("the R code now uses the default credential chain: set AWS_PROFILE (for example in ~/.Renviron) or use SSO or an instance role")
	}
	return p.result(reasonUnknown)
}

// innermost returns the call and argument holding target t with the
// smallest span, or -1.
func (r *rFix) innermost(t edit.Target) (int, int) {
	best, ba := -1, -1
	for ci, c := range r.calls {
		for ai, a := range c.args {
			if (span{a.start, a.end}).contains(t) && (best < 0 || a.end-a.start < r.calls[best].args[ba].end-r.calls[best].args[ba].start) {
				best, ba = ci, ai
			}
		}
	}
	return best, ba
}

// pawsCreds reports whether list call ci is the value of `creds =` in a
// list that is the value of `credentials =`.
func (r *rFix) pawsCreds(ci int) bool {
	c := r.calls[ci]
	if c.parent < 0 || r.calls[c.parent].args[c.arg].name != "creds" || r.calls[c.parent].name != "list" {
		return false
	}
	l := r.calls[c.parent]
	return l.parent >= 0 && r.calls[l.parent].args[l.arg].name == "credentials"
}

// namedArg writes `name = value` with the spacing around `=` of a.
func (r *rFix) namedArg(a rArg, name, value string) string {
	q := byte('"')
	if c := r.text[a.val]; c == '\'' {
		q = c
	}
	v := dquote(value)
	if q == '\'' {
		v = "'" + strings.ReplaceAll(strings.ReplaceAll(value, `\`, `\\`), "'", `\'`) + "'"
	}
	return name + string(r.text[a.nameEnd:a.val]) + v
}

// dropArgs removes the arguments of call ci that drop selects, the first
// replaced by replace when it is not nil.
func (r *rFix) dropArgs(ci int, drop func(rArg) bool, replace func(rArg) string) {
	c := r.calls[ci]
	items := make([]span, len(c.args))
	d := make([]bool, len(c.args))
	rep := map[int]string{}
	for k, a := range c.args {
		items[k], d[k] = span{a.start, a.end}, drop(a)
		if d[k] && replace != nil && len(rep) == 0 {
			rep[k] = replace(a)
		}
	}
	es, _ := removeItems(r.text, items, d, rep, nil)
	r.add(es...)
}

// setenv removes the AWS credentials from a Sys.setenv call; with a
// profile the first becomes AWS_PROFILE, and a call left empty goes when
// it is a statement of its own.
func (r *rFix) setenv(ci int) {
	c := r.calls[ci]
	drop := func(a rArg) bool { return awsEnvVars[a.name] }
	if r.opts.Profile != "" && !r.profileSet {
		r.profileSet = true
		r.dropArgs(ci, drop, func(a rArg) string { return r.namedArg(a, "AWS_PROFILE", r.opts.Profile) })
		return
	}
	left := 0
	for _, a := range c.args {
		if !drop(a) {
			left++
		}
	}
	if left == 0 && alone(r.text, c.start, c.end, "#", ";") {
		ls := splitLines(r.text)
		r.add(deleteLines(ls, lineOf(ls, c.start), lineOf(ls, c.end-1)))
		return
	}
	r.dropArgs(ci, drop, nil)
}

// paws removes `creds = list(...)` (argument ai of list call li). An
// enclosing list(...) argument left empty goes too, up to the service
// call; with a profile, creds becomes profile = "P".
func (r *rFix) paws(li, ai int) {
	l := r.calls[li]
	if p := r.opts.Profile; p != "" {
		has := false
		for _, a := range l.args {
			has = has || a.name == "profile"
		}
		var replace func(rArg) string
		if !has {
			replace = func(a rArg) string { return r.namedArg(a, "profile", p) }
		}
		r.dropArgs(li, func(a rArg) bool { return a.name == "creds" }, replace)
		return
	}
	for l.name == "list" && len(l.args) == 1 && l.parent >= 0 {
		li, ai = l.parent, l.arg
		l = r.calls[li]
	}
	gone := l.args[ai]
	r.dropArgs(li, func(a rArg) bool { return a == gone }, nil)
}
