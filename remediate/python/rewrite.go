package python

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// unitKind is the kind of code a fix edits as one piece.
type unitKind int

const (
	uCall    unitKind = iota // a call to a known API with credential arguments
	uGetenv                  // os.getenv("AWS_...", "<fallback>")
	uEnv                     // os.environ[...] = ..., setdefault, putenv, update
	uSpark                   // a statement setting fs.s3a.* credentials
	uMagic                   // %env, !export, !aws configure set (or commented)
	uComment                 // a plain comment
	uURL                     // s3a://KEY:SECRET@bucket inside a string
)

// unit is one piece of code the fix edits as a whole: a call, a
// statement, a magic line. It is fixed entirely or not at all.
type unit struct {
	kind       unitKind
	key        int // the "(" of a call, a statement's first token, the magic/comment/string token
	stmt       int // the statement it is in, -1 for a comment
	start, end int // byte span, for order and nesting
	label      string
	api        *api
	targets    []int
	creds      []cred
	uses       map[int]bool // tokens of constant names among its credentials
	reason     string       // why a person must fix it; "" when it can be fixed
	shape      string

	env    envForm    // uEnv
	open   int        // uEnv, uGetenv: the call's "(" (-1 for a subscript assignment)
	varTok int        // uEnv subscript, setdefault, putenv, uGetenv: the variable's name string
	magic  *magicLine // uMagic
	url    span       // uURL: the "KEY:SECRET@" to delete

	edits []edit.Edit
}

// cred is a value that holds a credential and goes when the unit is fixed.
type cred struct {
	grp           int // the "(" or "{" of the group holding it; -1 for a statement's value
	idx           int // its item in that group
	vFirst, vLast int
	what          string // how reasons name it: "aws_access_key_id", "storage_options['key']"
}

// constant is a name assigned a literal that holds a key.
type constant struct {
	name    string
	stmts   []int
	targets []int
	users   []*unit
	reason  string
	// from is, for a value derived from another constant
	// (SECRET_URL = SECRET.replace("/", "%2F")), that constant; derived
	// lists such values of this one. A constant goes only with all of them.
	from    *constant
	derived []*constant
}

type rewriter struct {
	p        *prog
	targets  []edit.Target
	opts     edit.Options
	units    []*unit
	byKey    map[[2]int]*unit
	consts   map[string]*constant
	order    []*constant
	tUnit    []*unit
	tConst   []*constant
	tReason  []string
	notes    []string
	noteSeen map[string]bool
}

// Rewrite plans the edits that take the AWS credentials at targets out of
// Python source text. Default: delete them so the SDK's default chain
// (role, SSO, AWS_PROFILE) supplies credentials; with opts.Profile: point
// the code at that profile with each library's own parameter. A call or
// statement is edited entirely or not at all: when one of its credentials
// cannot be taken out, none are, and the Outcome says why.
func Rewrite(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	res := edit.Result{Outcomes: make([]edit.Outcome, len(targets))}
	for i := range targets {
		res.Outcomes[i].Target = i
	}
	if len(targets) == 0 {
		return res
	}
	p := parse(text)
	if len(p.errs) > 0 {
		why := fmt.Sprintf("the code does not tokenize (%v), so rolecall will not edit it: fix the syntax, then run rolecall fix again", Validate(text))
		return manual(res, why)
	}
	r := &rewriter{
		p: p, targets: targets, opts: opts,
		byKey: map[[2]int]*unit{}, consts: map[string]*constant{}, noteSeen: map[string]bool{},
		tUnit: make([]*unit, len(targets)), tConst: make([]*constant, len(targets)), tReason: make([]string, len(targets)),
	}
	for i := range targets {
		r.locate(i)
	}
	for k := 0; k < len(r.order); k++ { // derived values join the list
		r.checkConstant(r.order[k])
	}
	r.dropIdle()
	for _, u := range r.units {
		r.checkTargets(u)
	}
	var edits []edit.Edit
	for attempt := 0; ; attempt++ {
		// Each failed attempt leaves one more unit or constant to a
		// person, so this ends.
		r.settle()
		var ok bool
		if edits, ok = r.plan(); ok {
			break
		}
		if attempt > len(r.units)+len(r.order) {
			return manual(res, "rolecall could not plan edits that do not overlap (a rolecall bug; please report it): edit by hand")
		}
	}
	edits = r.fillEmptyBlocks(edits)
	if out, err := edit.Apply(text, edits); err != nil {
		return manual(res, "rolecall planned two edits of the same code (a rolecall bug; please report it): edit by hand")
	} else if err := Validate(out); err != nil {
		return manual(res, fmt.Sprintf("the rewritten code would not tokenize (%v; a rolecall bug, please report it): edit by hand", err))
	}
	res.Edits = edits
	for i := range targets {
		o := &res.Outcomes[i]
		switch {
		case r.tUnit[i] != nil:
			u := r.tUnit[i]
			o.Fixed, o.Shape, o.Reason = u.reason == "", u.shape, u.reason
		case r.tConst[i] != nil:
			c := r.tConst[i]
			o.Fixed, o.Reason = c.reason == "", c.reason
			o.Shape = r.constantShape(c)
		default:
			o.Reason = r.tReason[i]
		}
		if !o.Fixed {
			o.Shape = ""
		}
	}
	res.Notes = r.notes
	return res
}

// manual leaves every target of res to a person, for reason why.
func manual(res edit.Result, why string) edit.Result {
	res.Edits = nil
	for i := range res.Outcomes {
		res.Outcomes[i] = edit.Outcome{Target: i, Reason: why}
	}
	return res
}

// note adds companion advice once.
func (r *rewriter) note(s string) {
	if !r.noteSeen[s] {
		r.noteSeen[s] = true
		r.notes = append(r.notes, s)
	}
}

// profileNote reminds that a named profile must exist where the code runs.
func (r *rewriter) profileNote() {
	p := r.opts.Profile
	r.note(fmt.Sprintf("the code now names profile %s: define it in ~/.aws/config wherever the code runs (aws configure sso --profile %s, or role_arn with source_profile or credential_source); with a profile named, boto3 no longer reads keys from the environment", p, p))
}

// at names a place for reasons: "line 12", or as the caller names it.
func (r *rewriter) at(off int) string {
	if r.opts.Place != nil {
		return r.opts.Place(off)
	}
	return fmt.Sprintf("line %d", r.p.line(off))
}

// locate decides which unit or constant target i belongs to.
func (r *rewriter) locate(i int) {
	t := r.targets[i]
	p := r.p
	if !t.Kind.IsAWS() {
		r.tReason[i] = fmt.Sprintf("rolecall's Python rewriter takes out AWS keys, not a %s: move it to the environment or a secret manager by hand", t.Kind)
		return
	}
	if t.Start < 0 || t.End > len(p.src) || t.Start >= t.End {
		r.tReason[i] = "the finding lies outside the code (a rolecall bug; please report it): remove the key by hand"
		return
	}
	ti := p.tokAt(t.Start)
	if ti < 0 || p.tokAt(t.End-1) != ti {
		r.tReason[i] = fmt.Sprintf("the key at %s spans several tokens: remove it by hand", r.at(t.Start))
		return
	}
	var u *unit
	var c *constant
	var why string
	switch tk := p.toks[ti]; tk.kind {
	case tMagic:
		u = r.magicUnit(ti, false)
	case tComment:
		switch {
		case databricksMagic.MatchString(p.text(ti)):
			// A line of a Databricks %sh or %sql cell: code of another
			// language, which deleting a line could break.
			why = fmt.Sprintf("the key is in a Databricks magic cell (# MAGIC) at %s: remove it by hand, for example with dbutils.secrets.get", r.at(t.Start))
		case p.up[ti] < 0 && p.onlySpaceBefore(tk.start) && commentMagic.MatchString(p.text(ti)):
			u = r.magicUnit(ti, true)
		default:
			u = r.simpleUnit(uComment, ti, "a comment", "comment")
		}
	case tString:
		if u = r.urlUnit(ti, t.Start, t.End); u == nil {
			u, c, why = r.valueSite(ti, false)
		}
	default:
		why = fmt.Sprintf("the key at %s is not in a string, a comment or a magic line: remove it by hand", r.at(t.Start))
	}
	switch {
	case u != nil:
		u.targets = append(u.targets, i)
		r.tUnit[i] = u
	case c != nil:
		c.targets = append(c.targets, i)
		r.tConst[i] = c
	default:
		r.tReason[i] = why
	}
}

// dropIdle forgets the units that hold no key and use no constant that
// goes: looking at a constant's uses makes a unit for each, and those the
// constant does not feed must not be edited.
func (r *rewriter) dropIdle() {
	units := r.units[:0]
	r.byKey = map[[2]int]*unit{}
	for _, u := range r.units {
		if len(u.targets) > 0 || len(u.uses) > 0 {
			units = append(units, u)
			r.byKey[[2]int{int(u.kind), u.key}] = u
		}
	}
	r.units = units
}

// unitFor returns the unit of this kind and key, making it with mk.
func (r *rewriter) unitFor(k unitKind, key int, mk func() *unit) *unit {
	id := [2]int{int(k), key}
	if u, ok := r.byKey[id]; ok {
		return u
	}
	u := mk()
	u.kind, u.key = k, key
	u.stmt = -1
	if t := r.p.tokAt(u.start); t >= 0 && k != uComment {
		u.stmt = r.p.stmtOf[t]
	}
	if u.uses == nil {
		u.uses = map[int]bool{}
	}
	r.byKey[id] = u
	r.units = append(r.units, u)
	return u
}

func (r *rewriter) simpleUnit(k unitKind, ti int, label, shape string) *unit {
	return r.unitFor(k, ti, func() *unit {
		t := r.p.toks[ti]
		return &unit{start: t.start, end: t.end, label: label + " at " + r.at(t.start), shape: shape}
	})
}

// valueSite finds where the value token ti (a string holding a key, or a
// name that uses a constant) goes. use is true for a constant's uses,
// which never make new constants.
func (r *rewriter) valueSite(ti int, use bool) (*unit, *constant, string) {
	p := r.p
	o := p.up[ti]
	if o < 0 {
		return r.stmtSite(ti, use)
	}
	switch p.src[p.toks[o].start] {
	case '(':
		if p.isCall(o) {
			return r.callSite(o, ti)
		}
		return nil, nil, fmt.Sprintf("the key sits in a tuple or parentheses at %s, and rolecall cannot follow where it is used: remove it by hand", r.at(p.toks[ti].start))
	case '{':
		return r.dictSite(o, ti)
	}
	return nil, nil, fmt.Sprintf("the key sits in a list or subscript at %s, and rolecall cannot follow where it is used: remove it by hand", r.at(p.toks[ti].start))
}

// dictSite follows a dict out to the call whose argument it is.
func (r *rewriter) dictSite(d, ti int) (*unit, *constant, string) {
	p := r.p
	for {
		o := p.up[d]
		if o < 0 {
			si := p.stmtOf[d]
			if si >= 0 {
				if name, eq, ok := p.simpleAssign(si); ok && eq < d {
					return nil, nil, fmt.Sprintf("the key sits in a dict assigned to %s at %s, and rolecall cannot follow where that dict is used: remove the key by hand", name, r.at(p.toks[d].start))
				}
			}
			break
		}
		g := p.group(o)
		k := g.itemAt(d)
		if k < 0 || g.items[k].vFirst != d || g.items[k].vLast != p.pair[d] {
			break
		}
		switch {
		case p.isOpen(o, '{'):
			d = o
			continue
		case p.isCall(o):
			return r.callSite(o, ti)
		}
		break
	}
	return nil, nil, fmt.Sprintf("the key sits in a data structure at %s, and rolecall cannot follow where it is used: remove it by hand", r.at(p.toks[ti].start))
}

// callSite finds the unit for a value inside the arguments of call o.
func (r *rewriter) callSite(o, ti int) (*unit, *constant, string) {
	p := r.p
	g := p.group(o)
	cal := p.calleeOf(o)
	k := g.itemAt(ti)
	label := p.norm(cal.start, cal.end) + "(...)"
	if sparkMethods[cal.final] && cal.recv >= 0 && k >= 0 && k == g.positional(1) && len(g.items) == 2 {
		if key := g.positional(0); key >= 0 && g.items[key].first == g.items[key].last {
			if v, _ := p.strValue(g.items[key].first); s3aKey.MatchString(v) {
				return r.sparkUnit(o), nil, ""
			}
		}
	}
	resolved := ""
	if cal.dotted != "" {
		resolved = p.resolve(cal.dotted)
	}
	switch resolved {
	case "os.getenv", "os.environ.get":
		return r.getenvUnit(o, label), nil, ""
	case "os.environ.setdefault", "os.putenv", "os.environ.update":
		if si := p.stmtOf[o]; si >= 0 && p.stmts[si].first == cal.start && p.stmts[si].last == g.close {
			return r.envUnit(si), nil, ""
		}
		return nil, nil, fmt.Sprintf("%s at %s is part of a larger expression: remove the key by hand", label, r.at(p.toks[o].start))
	}
	if a := p.apiFor(cal, resolved, g); a != nil {
		return r.unitFor(uCall, o, func() *unit {
			u := &unit{key: o, api: a, start: p.toks[cal.start].start, end: p.toks[g.close].end, shape: a.shape,
				label: label + " at " + r.at(p.toks[o].start)}
			r.enumerateCall(u)
			return u
		}), nil, ""
	}
	return nil, nil, fmt.Sprintf("%s at %s is not an API rolecall knows how to point at a role or profile: remove the key by hand (read it from the environment, or use the SDK's default credential chain)", label, r.at(p.toks[o].start))
}

// stmtSite finds the unit for a value at the top level of a statement.
func (r *rewriter) stmtSite(ti int, use bool) (*unit, *constant, string) {
	p := r.p
	si := p.stmtOf[ti]
	where := r.at(p.toks[ti].start)
	if si < 0 {
		return nil, nil, fmt.Sprintf("rolecall does not recognise the code around the key at %s: remove it by hand", where)
	}
	if _, _, ok := p.environAssign(si); ok {
		return r.envUnit(si), nil, ""
	}
	if name, eq, ok := p.simpleAssign(si); ok && ti > eq && !use {
		return nil, r.constant(name, si), ""
	}
	return nil, nil, fmt.Sprintf("rolecall does not recognise the statement holding the key at %s: remove the key by hand", where)
}

// simpleAssign matches "NAME = value" and "NAME: type = value".
func (p *prog) simpleAssign(si int) (name string, eq int, ok bool) {
	s := p.stmts[si]
	if !p.isName(s.first) {
		return "", 0, false
	}
	eq = p.topAssign(si)
	if eq < 0 {
		return "", 0, false
	}
	if n := p.next(s.first); n != eq && !p.isOp(n, ":") {
		return "", 0, false
	}
	return p.text(s.first), eq, eq < s.last
}

// topAssign returns the statement's only top-level "=", or -1 when it has
// none or several (a = b = "...").
func (p *prog) topAssign(si int) int {
	s := p.stmts[si]
	eq := -1
	for i := s.first; i >= 0 && i <= s.last; i = p.next(i) {
		if p.pair[i] > i {
			i = p.pair[i]
			continue
		}
		if p.isOp(i, "=") {
			if eq >= 0 {
				return -1
			}
			eq = i
		}
	}
	return eq
}

// environAssign matches `os.environ["NAME"] = value`.
func (p *prog) environAssign(si int) (nameTok, eq int, ok bool) {
	s := p.stmts[si]
	eq = p.topAssign(si)
	if eq < 0 || eq == s.last {
		return 0, 0, false
	}
	b := p.prev(eq)
	if !p.isOp(b, "]") || p.pair[b] < 0 {
		return 0, 0, false
	}
	o := p.pair[b]
	d, ok := p.dotted(s.first, p.prev(o))
	if !ok || p.resolve(d) != "os.environ" {
		return 0, 0, false
	}
	k := p.next(o)
	if p.next(k) != b || p.toks[k].kind != tString {
		return 0, 0, false
	}
	return k, eq, true
}

// constant returns the constant name, recording statement si as one of
// its definitions.
func (r *rewriter) constant(name string, si int) *constant {
	c := r.consts[name]
	if c == nil {
		c = &constant{name: name}
		r.consts[name] = c
		r.order = append(r.order, c)
	}
	for _, s := range c.stmts {
		if s == si {
			return c
		}
	}
	c.stmts = append(c.stmts, si)
	return c
}

// s3URL matches an s3, s3a or s3n URL with userinfo; group 1 is the
// userinfo ("KEY:SECRET"). Braces are excluded so an f-string field
// ("s3a://{key}:{secret}@...") never matches.
// The userinfo may hold '/': most AWS secrets contain one, and people paste
// them into URLs unencoded.
var s3URL = regexp.MustCompile(`(?i)\bs3[an]?://([^@\s'"{}]+)@`)

// urlUnit returns the unit for a key inside the userinfo of an s3 URL
// ("s3a://KEY:SECRET@bucket/path") in string token ti, or nil.
func (r *rewriter) urlUnit(ti, a, b int) *unit {
	p := r.p
	t := p.toks[ti]
	s := string(p.src[t.start:t.end])
	for _, m := range s3URL.FindAllStringSubmatchIndex(s, -1) {
		ua, ub := t.start+m[2], t.start+m[3]
		if ua <= a && b <= ub {
			return r.unitFor(uURL, ti, func() *unit {
				return &unit{start: t.start, end: t.end, label: "the URL at " + r.at(t.start), shape: "credentials in an s3 URL", url: span{ua, ub + 1}}
			})
		}
	}
	return nil
}

// s3FieldURL matches an s3, s3a or s3n URL in an f-string whose userinfo
// holds {fields}; group 1 is the userinfo.
var s3FieldURL = regexp.MustCompile(`(?i)\bs3[an]?://((?:\{[^{}]*\}|[^@\s'"{}])*\{[^{}]*\}(?:\{[^{}]*\}|[^@\s'"{}])*)@`)

// fieldURLUnit returns the unit for an f-string token i whose s3 URL takes
// constant name into its userinfo (f"s3a://{KEY}:{SECRET}@bucket"), or
// nil: the userinfo goes, and with it the use.
func (r *rewriter) fieldURLUnit(i int, name string) *unit {
	p := r.p
	t := p.toks[i]
	s := string(p.src[t.start:t.end])
	for _, m := range s3FieldURL.FindAllStringSubmatchIndex(s, -1) {
		if !interpolates(s[m[2]:m[3]], name, false) || interpolates(s[:m[2]]+s[m[3]:], name, false) {
			continue
		}
		ua, ub := t.start+m[2], t.start+m[3]
		u := r.unitFor(uURL, i, func() *unit {
			return &unit{start: t.start, end: t.end, label: "the URL at " + r.at(t.start), shape: "credentials in an s3 URL"}
		})
		u.url = span{ua, ub + 1}
		return u
	}
	return nil
}

// useOf says how name token i is used, for a reason: ", in a
// %-formatted string", ", as an argument of f(...)", or "".
func (r *rewriter) useOf(i int) string {
	p := r.p
	o := p.up[i]
	switch {
	case p.toks[i].kind != tName || o < 0:
		return ""
	case p.isOpen(o, '(') && !p.isCall(o) && p.isOp(p.prev(o), "%"):
		return ", in a %-formatted string (rolecall rewrites s3 URLs written as f-strings)"
	case p.isCall(o):
		c := p.calleeOf(o)
		return ", as an argument of " + p.norm(c.start, c.end) + "(...)"
	}
	return ""
}

// derivedConstant makes, for a use i of constant c that is the whole value
// of a module assignment built from c alone (SECRET_URL =
// SECRET.replace("/", "%2F"), quote(SECRET, safe="")), a constant of that
// value derived from c, whose own uses are checked like any constant's.
func (r *rewriter) derivedConstant(c *constant, i int) *constant {
	p := r.p
	si := p.stmtOf[i]
	if si < 0 || p.up[i] >= 0 && p.stmtOf[p.up[i]] != si {
		return nil
	}
	name, eq, ok := p.simpleAssign(si)
	if !ok || i < eq || name == c.name || p.toks[p.stmts[si].first].start != p.lineStart(p.toks[p.stmts[si].first].start) {
		return nil
	}
	// Built from c alone: every other name is an attribute or a callee.
	for k := p.next(eq); k >= 0 && k <= p.stmts[si].last; k = p.next(k) {
		if p.toks[k].kind == tName && k != i && p.isName(k) && !p.isOp(p.prev(k), ".") && !p.isCall(p.next(k)) && !p.isOp(p.next(k), "=") {
			return nil
		}
		if p.toks[k].kind == tString {
			if _, prefix := p.strValue(k); strings.ContainsAny(prefix, "ft") {
				return nil
			}
		}
	}
	if _, ok := r.consts[name]; ok {
		return nil // assigned twice, or a constant of its own
	}
	d := r.constant(name, si)
	d.from = c
	c.derived = append(c.derived, d)
	return d
}

// checkConstant finds the uses of a constant. Each must be a credential
// of a unit the fix removes; any other use keeps the constant.
func (r *rewriter) checkConstant(c *constant) {
	p := r.p
	def := map[int]bool{}
	for _, si := range c.stmts {
		s := p.stmts[si]
		def[s.first] = true
		_, eq, _ := p.simpleAssign(si)
		switch kind := p.valueKind(p.next(eq), s.last); {
		case c.from != nil:
			// A value derived from another constant: its expression is
			// that constant's use, checked there.
		case kind == vFString:
			c.reason = fmt.Sprintf("constant %s is built with an f-string at %s: remove the key by hand", c.name, r.at(p.toks[s.first].start))
		case kind == vExpr || kind == vName || kind == vNone:
			c.reason = fmt.Sprintf("constant %s is computed (string concatenation or a call) at %s: remove the key by hand", c.name, r.at(p.toks[s.first].start))
		}
		if _, ok := p.deleteStmt(si); !ok && c.reason == "" {
			c.reason = fmt.Sprintf("the assignment to %s at %s shares its line with other code: remove it by hand", c.name, r.at(p.toks[s.first].start))
		}
	}
	used := func(i int) {
		if c.reason == "" {
			c.reason = fmt.Sprintf("constant %s is also used at %s%s; edit by hand", c.name, r.at(p.toks[i].start), r.useOf(i))
		}
	}
	for i, t := range p.toks {
		switch t.kind {
		case tName:
			if p.text(i) != c.name || def[i] {
				continue
			}
			if p.isOp(p.prev(i), ".") {
				// Cfg.KEY or self.KEY: the name may be this one, defined
				// in a class body; never delete what may still be read.
				used(i)
				continue
			}
			if o := p.up[i]; o >= 0 && p.isCall(o) && p.isOp(p.next(i), "=") && (p.isOp(p.prev(i), "(") || p.isOp(p.prev(i), ",")) {
				continue // a keyword argument's name
			}
			u, _, _ := r.valueSite(i, true)
			if u == nil || !u.consumes(i) {
				if d := r.derivedConstant(c, i); d != nil {
					continue
				}
				used(i)
				continue
			}
			u.uses[i] = true
			c.users = append(c.users, u)
		case tString, tMagic, tComment:
			// {NAME} in an f-string, $NAME or {NAME} in a magic.
			if t.kind == tComment && !(p.onlySpaceBefore(t.start) && commentMagic.MatchString(p.text(i))) {
				continue
			}
			if _, prefix := p.strValue(i); t.kind == tString && !strings.ContainsAny(prefix, "ft") {
				continue
			}
			if interpolates(p.text(i), c.name, t.kind != tString) {
				if u := r.fieldURLUnit(i, c.name); u != nil && t.kind == tString {
					u.uses[i] = true
					c.users = append(c.users, u)
					continue
				}
				used(i)
			}
		}
	}
}

// interpolates reports whether text reads the Python variable name: inside
// a {...} field (f-strings, IPython's {expr} in magics) or, in a magic, as
// $NAME or ${NAME}. A bare word is not a read: in `%env AWS_SECRET_ACCESS_KEY=...`
// the name is the environment variable's, not the constant's.
func interpolates(text, name string, magic bool) bool {
	for i := 0; ; {
		k := strings.Index(text[i:], name)
		if k < 0 {
			return false
		}
		k += i
		end := k + len(name)
		i = k + 1
		if k > 0 && isIdentChar(text[k-1]) || end < len(text) && isIdentChar(text[end]) {
			continue // part of a longer word
		}
		if magic && (k > 0 && text[k-1] == '$' || k > 1 && text[k-2:k] == "${") {
			return true
		}
		if insideBraces(text, k) {
			return true
		}
	}
}

// insideBraces reports whether offset k lies inside an open {...} field
// ({{ and }} are literal braces).
func insideBraces(text string, k int) bool {
	depth := 0
	for j := 0; j < k; j++ {
		switch {
		case strings.HasPrefix(text[j:], "{{") || strings.HasPrefix(text[j:], "}}"):
			j++
		case text[j] == '{':
			depth++
		case text[j] == '}' && depth > 0:
			depth--
		}
	}
	return depth > 0
}

// consumes reports whether name token i is exactly one of u's credentials.
func (u *unit) consumes(i int) bool {
	for _, c := range u.creds {
		if c.vFirst == i && c.vLast == i {
			return true
		}
	}
	return false
}

// checkTargets makes sure every key of u lies in one of its credentials.
func (r *rewriter) checkTargets(u *unit) {
	if u.reason != "" || u.kind == uComment || u.kind == uURL {
		return
	}
	if u.kind == uMagic {
		r.checkMagic(u)
		return
	}
	p := r.p
	for _, i := range u.targets {
		ti := p.tokAt(r.targets[i].Start)
		in := false
		for _, c := range u.creds {
			if c.vFirst <= ti && ti <= c.vLast {
				in = true
			}
		}
		if !in {
			u.reason = r.outside(u, ti)
			return
		}
	}
}

// outside says why a key of u that is not one of its credentials stays.
func (r *rewriter) outside(u *unit, ti int) string {
	p := r.p
	o := p.up[ti]
	if o >= 0 && p.isOpen(o, '(') {
		g := p.group(o)
		if k := g.itemAt(ti); k >= 0 {
			it := g.items[k]
			if !it.keyed && !it.star && u.kind == uCall {
				return fmt.Sprintf("%s takes the credentials as positional arguments: remove them by hand so the default credential chain applies", u.label)
			}
			if it.keyed {
				return fmt.Sprintf("%s gets the key in %s=, which rolecall does not rewrite: remove it by hand", u.label, it.name)
			}
		}
	}
	if o >= 0 && p.isOpen(o, '{') {
		g := p.group(o)
		if k := g.itemAt(ti); k >= 0 && g.items[k].name != "" {
			name := g.items[k].name
			if u.kind == uEnv {
				return fmt.Sprintf("the key is stored in $%s, which the AWS SDKs do not read: remove it by hand and change the code that reads $%s", name, name)
			}
			return fmt.Sprintf("%s gets the key in its %q entry, which rolecall does not rewrite: remove it by hand", u.label, name)
		}
	}
	return fmt.Sprintf("%s holds the key where rolecall does not rewrite it: remove it by hand", u.label)
}

// vkind is what a value is made of.
type vkind int

const (
	vLiteral vkind = iota // string literals only
	vNone                 // None
	vName                 // a single name
	vFString              // has an f-string
	vExpr                 // anything else: concatenation, calls, subscripts
)

// valueKind classifies the value made of tokens a..b.
func (p *prog) valueKind(a, b int) vkind {
	if a < 0 || b < a {
		return vExpr
	}
	if a == b && p.toks[a].kind == tName {
		switch {
		case p.text(a) == "None":
			return vNone
		case p.isName(a):
			return vName
		}
		return vExpr
	}
	lit := true
	for i := a; i >= 0 && i <= b; i = p.next(i) {
		if p.toks[i].kind != tString {
			lit = false
			continue
		}
		if _, prefix := p.strValue(i); strings.ContainsAny(prefix, "ft") {
			return vFString
		}
	}
	if lit {
		return vLiteral
	}
	return vExpr
}

// checkValues makes sure every credential of u can go: a literal, None,
// or a constant that goes too.
func (r *rewriter) checkValues(u *unit) string {
	p := r.p
	for _, c := range u.creds {
		switch p.valueKind(c.vFirst, c.vLast) {
		case vName:
			name := p.text(c.vFirst)
			k := r.consts[name]
			if k == nil || !u.uses[c.vFirst] {
				return fmt.Sprintf("%s passes %s=%s, a variable rolecall does not remove: remove all the credentials of this call by hand, or none", u.label, c.what, name)
			}
			if k.reason != "" {
				return fmt.Sprintf("%s uses constant %s, which rolecall cannot remove (%s)", u.label, name, k.reason)
			}
		case vFString:
			return fmt.Sprintf("%s builds %s with an f-string: remove the key by hand", u.label, c.what)
		case vExpr:
			return fmt.Sprintf("%s computes %s (string concatenation or a call): remove the key by hand", u.label, c.what)
		}
	}
	return ""
}

// settle spreads "cannot fix" until nothing changes: a unit that uses a
// constant that must stay, a constant used by a unit that must stay, and
// units in the same statement or nested in one another (a statement is
// never half edited).
func (r *rewriter) settle() {
	for changed := true; changed; {
		changed = false
		for _, u := range r.units {
			if u.reason == "" {
				if why := r.checkValues(u); why != "" {
					u.reason = why
					changed = true
				}
			}
		}
		for _, u := range r.units {
			if u.reason == "" || u.kind == uComment {
				continue
			}
			for _, v := range r.units {
				if v.reason != "" || v.kind == uComment {
					continue
				}
				if u.stmt >= 0 && u.stmt == v.stmt || u.start <= v.start && v.end <= u.end || v.start <= u.start && u.end <= v.end {
					v.reason = u.reason
					changed = true
				}
			}
		}
		for _, c := range r.order {
			if c.reason == "" {
				c.reason = r.keptBy(c)
				changed = changed || c.reason != ""
			}
		}
	}
}

// keptBy says why constant c must stay because code tied to it stays: a
// unit it feeds, a value derived from it, or the constant it is derived
// from; "" when nothing holds it.
func (r *rewriter) keptBy(c *constant) string {
	if f := c.from; f != nil && f.reason != "" {
		return fmt.Sprintf("%s is derived from constant %s, which rolecall leaves alone: %s", c.name, f.name, f.reason)
	}
	type user struct{ label, reason string }
	var users []user
	for _, d := range c.derived {
		users = append(users, user{d.name, d.reason})
	}
	for _, u := range c.users {
		users = append(users, user{u.label, u.reason})
	}
	for _, u := range users {
		if u.reason != "" {
			return fmt.Sprintf("constant %s feeds %s, which rolecall leaves alone: %s", c.name, u.label, u.reason)
		}
	}
	return ""
}

// constantShape names what a removed constant fed.
func (r *rewriter) constantShape(c *constant) string {
	users := c.users
	for _, d := range c.derived {
		users = append(users, d.users...)
	}
	if len(users) == 0 {
		return "unused constant"
	}
	var shapes []string
	seen := map[string]bool{}
	for _, u := range users {
		if !seen[u.shape] {
			seen[u.shape] = true
			shapes = append(shapes, u.shape)
		}
	}
	return "module constant used by " + strings.Join(shapes, ", ")
}

// plan computes the edits of every fixable unit and constant. When two
// overlap, it leaves the later one to a person and returns false: the
// caller settles and plans again.
func (r *rewriter) plan() ([]edit.Edit, bool) {
	st := &planState{
		envProfileDone: r.p.setsAWSProfile(),
		providerDone:   r.p.existingProviders(),
		preset:         r.p.existingProviders(),
	}
	sorted := append([]*unit(nil), r.units...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	r.notes, r.noteSeen = nil, map[string]bool{}
	type owned struct {
		e edit.Edit
		u *unit
		c *constant
	}
	var all []owned
	for _, u := range sorted {
		u.edits = nil
		if u.reason != "" {
			continue
		}
		if why := r.planUnit(u, st); why != "" {
			u.reason = why
			return nil, false
		}
		for _, e := range u.edits {
			all = append(all, owned{e: e, u: u})
		}
	}
	for _, c := range r.order {
		if c.reason != "" {
			continue
		}
		for _, si := range c.stmts {
			e, _ := r.p.deleteStmt(si)
			all = append(all, owned{e: e, c: c})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].e.Start != all[j].e.Start {
			return all[i].e.Start < all[j].e.Start
		}
		return all[i].e.End < all[j].e.End // an insertion before a deletion at the same place
	})
	const overlap = "this edit would overlap another one rolecall plans on the same lines: edit by hand"
	var out []edit.Edit
	for _, cur := range all {
		if n := len(out); n > 0 && cur.e.Start < out[n-1].End {
			last := out[n-1]
			if last.New == "" && cur.e.End <= last.End && cur.u != nil && cur.u.kind == uComment {
				continue // a comment deleted with the line that holds it
			}
			if cur.u != nil {
				cur.u.reason = overlap
			} else {
				cur.c.reason = overlap
			}
			return nil, false
		}
		out = append(out, cur.e)
	}
	return out, true
}

// planState carries what one unit's plan tells the next: AWS_PROFILE and
// the S3A provider are set once per text.
type planState struct {
	envProfileDone bool
	providerDone   map[string]bool // by bucket ("" for all buckets)
	preset         map[string]bool // providers the code set before the fix
}

// planUnit fills in u.edits, or says why u cannot be fixed.
func (r *rewriter) planUnit(u *unit, st *planState) string {
	switch u.kind {
	case uCall:
		return r.planCall(u)
	case uGetenv:
		u.edits = r.p.planGroup(r.p.group(u.open), map[int]bool{u.creds[0].idx: true}, nil)
		u.shape = "os.getenv fallback"
		return ""
	case uEnv:
		return r.planEnv(u, st)
	case uSpark:
		return r.planSpark(u, st)
	case uMagic:
		return r.planMagic(u, st)
	case uComment:
		u.edits = []edit.Edit{r.p.deleteComment(u.key)}
		return ""
	case uURL:
		u.edits = []edit.Edit{{Start: u.url.a, End: u.url.b}}
		r.note(fmt.Sprintf("s3a:// URLs no longer carry keys (Hadoop rejects them there anyway): S3A takes its credentials from fs.s3a.aws.credentials.provider; where the cluster does not set it, set it to %s", r.provider()))
		return ""
	}
	return "rolecall does not know this shape"
}

// quote returns the quote character the unit's code uses: that of its
// first string, or a single quote.
func (r *rewriter) quote(u *unit) byte {
	p := r.p
	for i := p.tokAt(u.start); i >= 0 && i < len(p.toks) && p.toks[i].start < u.end; i++ {
		if p.toks[i].kind == tString {
			return p.quoteOf(i)
		}
	}
	return '\''
}

// fillEmptyBlocks puts "pass" where deleting statements would leave a
// block (if, def, try...) without a body.
func (r *rewriter) fillEmptyBlocks(edits []edit.Edit) []edit.Edit {
	p := r.p
	deleted := func(si int) int {
		s := p.stmts[si]
		a, b := p.toks[s.first].start, p.toks[s.last].end
		for k, e := range edits {
			if e.New == "" && e.Start <= a && b <= e.End {
				return k
			}
		}
		return -1
	}
	indent := func(si int) int {
		a := p.toks[p.stmts[si].first].start
		return a - p.lineStart(a)
	}
	for hi, h := range p.stmts {
		if !p.isOp(h.last, ":") || h.end < 0 || !p.onlySpaceBefore(p.toks[h.first].start) {
			continue
		}
		var body []int
		for si := hi + 1; si < len(p.stmts); si++ {
			if p.stmts[si].prevSemi >= 0 {
				continue
			}
			if indent(si) <= indent(hi) {
				break
			}
			body = append(body, si)
		}
		if len(body) == 0 {
			continue
		}
		first := -1
		all := true
		for _, si := range body {
			k := deleted(si)
			if k < 0 {
				all = false
				break
			}
			if first < 0 {
				first = k
			}
		}
		if !all {
			continue
		}
		e := &edits[first]
		a := p.toks[p.stmts[body[0]].first].start
		if e.Start == p.lineStart(a) {
			nl := ""
			if e.End > 0 && p.src[e.End-1] == '\n' {
				nl = edit.Newline(p.src)
			}
			e.New = edit.Indent(p.src, a) + "pass" + nl
		}
	}
	return edits
}

// setsAWSProfile reports whether the text already sets AWS_PROFILE, so
// the fix must not set it a second time.
func (p *prog) setsAWSProfile() bool {
	for i, t := range p.toks {
		switch t.kind {
		case tMagic, tComment:
			if setsProfileMagic.MatchString(p.text(i)) {
				return true
			}
		case tString:
			if v, _ := p.strValue(i); v != "AWS_PROFILE" {
				continue
			}
			n := p.next(i)
			if p.isOp(n, "]") && p.isOp(p.next(n), "=") {
				return true
			}
			if p.inEnvCall(i) && (p.isOp(n, ",") || p.isOp(n, ":")) {
				return true
			}
		case tName:
			if p.text(i) == "AWS_PROFILE" && p.isOp(p.next(i), "=") && p.inEnvCall(i) {
				return true
			}
		}
	}
	return false
}

// inEnvCall reports whether token i is inside the arguments of a call that
// sets environment variables.
func (p *prog) inEnvCall(i int) bool {
	for o := p.up[i]; o >= 0; o = p.up[o] {
		if p.isCall(o) {
			c := p.calleeOf(o)
			switch p.resolve(c.dotted) {
			case "os.environ.setdefault", "os.putenv", "os.environ.update":
				return true
			}
			return false
		}
	}
	return false
}

// existingProviders lists the buckets whose S3A credential provider the
// text already sets.
func (p *prog) existingProviders() map[string]bool {
	out := map[string]bool{}
	for i, t := range p.toks {
		if t.kind != tString {
			continue
		}
		v, _ := p.strValue(i)
		if m := s3aProvider.FindStringSubmatch(v); m != nil {
			out[m[1]] = true
		}
	}
	return out
}
