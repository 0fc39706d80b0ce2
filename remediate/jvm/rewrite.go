package jvm

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
)

const (
	shapeSpark    = "S3A credentials set on a Spark/Hadoop configuration"
	shapeConstant = "constant used only by S3A credential settings"
	shapeURL      = "credentials in an s3 URL"
	shapeComment  = "comment"
)

// call is conf.set("fs.s3a...", value) or builder.config("spark.hadoop.fs.s3a...", value).
type call struct {
	dot, name, open, close int // token indexes
	key                    int // the key string token
	vFirst, vLast          int // the value's first and last significant tokens
	prefix, scope, option  string
	targets                []int
	used                   bool // its value is a constant that goes
}

// constant is `val NAME = "..."` (or a Java String declaration) holding a key.
type constant struct {
	name    string
	tok     int // the string token
	targets []int
	reason  string
	calls   []*call
}

type rewriter struct {
	src     []byte
	toks    []token
	pair    []int
	targets []edit.Target
	opts    edit.Options
	calls   []*call
	preset  map[string]bool // scopes whose provider the code already sets
	// scopeDone marks the scopes whose credential settings go.
	scopeDone map[string]bool
	out       []edit.Outcome
	edits     []edit.Edit
	notes     []string
}

// Rewrite takes the AWS keys at targets out of Scala or Java code: S3A
// credential settings are replaced by one credential provider setting per
// bucket scope, constants that only feed them are deleted, and keys in s3
// URLs and comments are removed. Anything else is left to a person with a
// reason.
func Rewrite(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	r := &rewriter{src: text, targets: targets, opts: opts, preset: map[string]bool{}}
	for i := range targets {
		r.out = append(r.out, edit.Outcome{Target: i})
	}
	toks, err := tokenize(text)
	if err == nil {
		r.toks = toks
		r.pair, err = brackets(text, toks)
	}
	if err != nil {
		return r.result(fmt.Sprintf("the code could not be read (%v), so rolecall will not edit it: remove the key by hand", err))
	}
	r.findCalls()
	consts := map[string]*constant{}
	urls := map[int]edit.Edit{}
	comments := map[int][]int{}
	for i, t := range targets {
		if !t.Kind.IsAWS() {
			r.manual(i, fmt.Sprintf("rolecall's Scala/Java rewriter takes out AWS keys, not a %s: move it to the environment or a secret manager by hand", t.Kind))
			continue
		}
		ti := r.tokAt(t.Start)
		if ti < 0 || r.tokAt(t.End-1) != ti {
			r.manual(i, fmt.Sprintf("the key at %s spans several tokens: remove it by hand", r.at(t.Start)))
			continue
		}
		if c := r.callHolding(ti); c != nil {
			c.targets = append(c.targets, i)
			continue
		}
		switch r.toks[ti].kind {
		case tComment:
			comments[ti] = append(comments[ti], i)
			continue
		case tString:
			if e, ok := r.urlEdit(ti, t); ok {
				urls[ti] = e
				r.fix(i, shapeURL)
				continue
			}
			if name, ok := r.declaration(ti); ok {
				c := consts[name]
				if c == nil {
					c = &constant{name: name, tok: ti}
					consts[name] = c
				}
				c.targets = append(c.targets, i)
				continue
			}
		}
		r.manual(i, fmt.Sprintf("the key at %s is not in a Spark/Hadoop fs.s3a setting, an s3 URL or a constant that feeds one: remove it by hand and rely on the default credential chain", r.at(t.Start)))
	}
	for _, c := range consts {
		r.uses(c)
	}
	r.planScopes()
	for _, c := range consts {
		r.settleConstant(c)
	}
	for _, e := range urls {
		r.edits = append(r.edits, e)
	}
	for ti, ts := range comments {
		r.edits = append(r.edits, r.deleteComment(ti))
		for _, i := range ts {
			r.fix(i, shapeComment)
		}
	}
	return r.result("rolecall does not recognise how this code uses the key: remove it by hand")
}

func (r *rewriter) result(fallback string) edit.Result {
	for i := range r.out {
		if !r.out[i].Fixed && r.out[i].Reason == "" {
			r.out[i].Reason = fallback
		}
	}
	res := edit.Result{Outcomes: r.out, Notes: r.notes}
	sort.SliceStable(r.edits, func(i, j int) bool { return r.edits[i].Start < r.edits[j].Start })
	if _, err := edit.Apply(r.src, r.edits); err != nil {
		for i := range res.Outcomes {
			res.Outcomes[i] = edit.Outcome{Target: i, Reason: "rolecall planned edits of the same code twice (a rolecall bug; please report it): remove the key by hand"}
		}
		return res
	}
	res.Edits = r.edits
	return res
}

func (r *rewriter) fix(i int, shape string) {
	if !r.out[i].Fixed && r.out[i].Reason == "" {
		r.out[i].Fixed, r.out[i].Shape = true, shape
	}
}

func (r *rewriter) manual(i int, why string) {
	if !r.out[i].Fixed && r.out[i].Reason == "" {
		r.out[i].Reason = why
	}
}

func (r *rewriter) note(n string) {
	for _, m := range r.notes {
		if m == n {
			return
		}
	}
	r.notes = append(r.notes, n)
}

func (r *rewriter) text(i int) string { return string(r.src[r.toks[i].start:r.toks[i].end]) }

func (r *rewriter) at(off int) string {
	return fmt.Sprintf("line %d", strings.Count(string(r.src[:min(off, len(r.src))]), "\n")+1)
}

func (r *rewriter) tokAt(off int) int {
	i := sort.Search(len(r.toks), func(i int) bool { return r.toks[i].end > off })
	if i < len(r.toks) && r.toks[i].start <= off {
		return i
	}
	return -1
}

func trivia(k kind) bool { return k == tSpace || k == tNewline || k == tComment }

// next and prev skip blanks, newlines and comments; -1 past either end.
func (r *rewriter) next(i int) int {
	for i++; i < len(r.toks); i++ {
		if !trivia(r.toks[i].kind) {
			return i
		}
	}
	return -1
}

func (r *rewriter) prev(i int) int {
	for i--; i >= 0; i-- {
		if !trivia(r.toks[i].kind) {
			return i
		}
	}
	return -1
}

func (r *rewriter) punct(i int, c byte) bool {
	return i >= 0 && r.toks[i].kind == tPunct && r.src[r.toks[i].start] == c
}

// plainString returns the content of a string token without prefix or
// escapes, or false.
func (r *rewriter) plainString(i int) (string, bool) {
	s := r.text(i)
	if i < 0 || r.toks[i].kind != tString || len(s) < 2 || s[0] != '"' || strings.HasPrefix(s, `"""`) || strings.ContainsRune(s, '\\') {
		return "", false
	}
	return s[1 : len(s)-1], true
}

var setters = map[string]bool{"set": true, "config": true, "setIfMissing": true}

// findCalls lists every setter call whose key is an fs.s3a credential, and
// the scopes whose credential provider is already set.
func (r *rewriter) findCalls() {
	for i, t := range r.toks {
		if t.kind != tIdent || !setters[r.text(i)] || !r.punct(r.prev(i), '.') || !r.punct(r.next(i), '(') {
			continue
		}
		open := r.next(i)
		close := r.pair[open]
		args := r.args(open, close)
		if len(args) != 2 || args[0][0] != args[0][1] {
			continue
		}
		key, ok := r.plainString(args[0][0])
		if !ok {
			continue
		}
		prefix, scope, option, ok := config.S3AProperty(key)
		switch {
		case !ok:
		case option == "aws.credentials.provider":
			r.preset[scope] = true
		case option == "access.key" || option == "secret.key" || option == "session.token":
			r.calls = append(r.calls, &call{dot: r.prev(i), name: i, open: open, close: close, key: args[0][0],
				vFirst: args[1][0], vLast: args[1][1], prefix: prefix, scope: scope, option: option})
		}
	}
}

// args splits the tokens between open and close at top-level commas into
// [first, last] significant tokens.
func (r *rewriter) args(open, close int) [][2]int {
	var out [][2]int
	first, last := -1, -1
	for i := r.next(open); i >= 0 && i < close; i = r.next(i) {
		if r.punct(i, ',') {
			if first < 0 {
				return nil
			}
			out = append(out, [2]int{first, last})
			first, last = -1, -1
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
		if r.pair[i] > i {
			i = r.pair[i]
			last = i
		}
	}
	if first >= 0 {
		out = append(out, [2]int{first, last})
	}
	return out
}

func (r *rewriter) callHolding(ti int) *call {
	for _, c := range r.calls {
		if c.vFirst <= ti && ti <= c.vLast {
			return c
		}
	}
	return nil
}

// s3URL matches the userinfo of an s3, s3a or s3n URL.
var s3URL = regexp.MustCompile(`(?i)\bs3[an]?://([^@\s"'{}$]+)@`)

func (r *rewriter) urlEdit(ti int, t edit.Target) (edit.Edit, bool) {
	tk := r.toks[ti]
	for _, m := range s3URL.FindAllSubmatchIndex(r.src[tk.start:tk.end], -1) {
		a, b := tk.start+m[2], tk.start+m[3]
		if a <= t.Start && t.End <= b {
			return edit.Edit{Start: a, End: b + 1}, true
		}
	}
	return edit.Edit{}, false
}

var declHead = regexp.MustCompile(`^[ \t]*(?:(?:private|protected|public|static|final|lazy|override|implicit)[ \t]+)*(?:val|var|String|final[ \t]+var)[ \t]+([A-Za-z_$][\w$]*)[ \t]*(?::[ \t]*String[ \t]*)?=[ \t]*$`)

var declTail = regexp.MustCompile(`^[ \t]*;?[ \t]*(?://[^\n]*)?\r?\n?$`)

// declaration reports whether string token ti is the whole value of a
// constant declared alone on its line, and its name.
func (r *rewriter) declaration(ti int) (string, bool) {
	tk := r.toks[ti]
	if _, ok := r.plainString(ti); !ok {
		return "", false
	}
	head := r.src[edit.LineStart(r.src, tk.start):tk.start]
	tail := r.src[tk.end:edit.LineEnd(r.src, tk.end)]
	m := declHead.FindSubmatch(head)
	if m == nil || !declTail.Match(tail) {
		return "", false
	}
	return string(m[1]), true
}

// uses ties a constant to the S3A calls whose whole value it is; any other
// use keeps it.
func (r *rewriter) uses(c *constant) {
	for i, t := range r.toks {
		switch {
		case t.kind == tIdent && r.text(i) == c.name:
			if i < c.tok && r.next(i) >= 0 && r.punct(r.next(i), '=') && r.next(r.next(i)) == c.tok ||
				i < c.tok && r.punct(r.next(i), ':') {
				continue // the declaration itself
			}
			k := r.callHolding(i)
			if k == nil || k.vFirst != i || k.vLast != i {
				if c.reason == "" {
					c.reason = fmt.Sprintf("constant %s is also used at %s; remove the key by hand", c.name, r.at(t.start))
				}
				continue
			}
			c.calls = append(c.calls, k)
		case t.kind == tString && !strings.HasPrefix(r.text(i), `"`):
			s := r.text(i)
			if strings.Contains(s, "$"+c.name) || strings.Contains(s, "${"+c.name) {
				if c.reason == "" {
					c.reason = fmt.Sprintf("constant %s is interpolated into a string at %s; remove the key by hand", c.name, r.at(t.start))
				}
			}
		}
	}
	if c.reason == "" {
		for _, k := range c.calls {
			k.used = true
		}
	}
}

// settleConstant deletes a constant whose every use went with its call.
func (r *rewriter) settleConstant(c *constant) {
	for _, k := range c.calls {
		if c.reason == "" && !r.removed(k) {
			c.reason = fmt.Sprintf("constant %s feeds a setting rolecall leaves alone: remove the key by hand", c.name)
		}
	}
	if c.reason == "" {
		tk := r.toks[c.tok]
		r.edits = append(r.edits, edit.Edit{Start: edit.LineStart(r.src, tk.start), End: edit.LineEnd(r.src, tk.end)})
	}
	for _, i := range c.targets {
		if c.reason != "" {
			r.manual(i, c.reason)
		} else {
			r.fix(i, shapeConstant)
		}
	}
}

func (r *rewriter) removed(k *call) bool { return r.scopeDone[k.scope] }

// planScopes takes out, in each scope (all buckets, or one) where a key or
// a constant that goes is set, every credential setting of the scope: a
// key id left without its secret breaks the default chain. The first
// becomes the credential provider setting, unless the code sets one.
func (r *rewriter) planScopes() {
	r.scopeDone = map[string]bool{}
	byScope := map[string][]*call{}
	var order []string
	for _, c := range r.calls {
		if _, ok := byScope[c.scope]; !ok {
			order = append(order, c.scope)
		}
		byScope[c.scope] = append(byScope[c.scope], c)
	}
	provider := config.ProviderClass(r.opts)
	for _, scope := range order {
		cs := byScope[scope]
		active := false
		for _, c := range cs {
			active = active || len(c.targets) > 0 || c.used
		}
		if !active {
			continue
		}
		var es []edit.Edit
		why := ""
		for k, c := range cs {
			if k == 0 && !r.preset[scope] {
				es = append(es, edit.Edit{Start: r.toks[c.key].start, End: r.toks[c.vLast].end,
					New: `"` + c.prefix + config.S3AOption(scope, "aws.credentials.provider") + `", "` + provider + `"`})
				continue
			}
			e, ok := r.deleteCall(c)
			if !ok {
				why = fmt.Sprintf("the fs.s3a.%s setting at %s is part of a larger expression: remove the S3A keys by hand and set fs.s3a.aws.credentials.provider to %s", c.option, r.at(r.toks[c.name].start), provider)
				break
			}
			es = append(es, e)
		}
		for _, c := range cs {
			for _, i := range c.targets {
				if why != "" {
					r.manual(i, why)
				} else {
					r.fix(i, shapeSpark)
				}
			}
		}
		if why != "" {
			continue
		}
		r.scopeDone[scope] = true
		r.edits = append(r.edits, es...)
		if r.preset[scope] {
			r.note("this code already sets fs.s3a.aws.credentials.provider: check that it names a role or profile provider (not SimpleAWSCredentialsProvider or TemporaryAWSCredentialsProvider), since the keys are gone")
		}
		if r.opts.Profile != "" {
			r.note(fmt.Sprintf("Spark's S3A profile provider reads the profile from the environment: set AWS_PROFILE=%s on the driver and on every executor (for example spark.executorEnv.AWS_PROFILE=%s), with that profile in ~/.aws/config on every node", r.opts.Profile, r.opts.Profile))
		}
	}
}

// deleteCall returns the edit that takes a setter call out: its whole
// statement when it is one, or its link in a builder chain.
func (r *rewriter) deleteCall(c *call) (edit.Edit, bool) {
	closeEnd := r.toks[c.close].end
	rest := r.src[closeEnd:edit.LineEnd(r.src, closeEnd)]
	restBlank := declTail.Match(rest)
	chainGoesOn := r.punct(r.next(c.close), '.')
	if start, ok := r.stmtStart(c.dot); ok && restBlank && !chainGoesOn {
		return edit.Edit{Start: edit.LineStart(r.src, r.toks[start].start), End: edit.LineEnd(r.src, closeEnd)}, true
	}
	dotStart := r.toks[c.dot].start
	lineHead := r.src[edit.LineStart(r.src, dotStart):dotStart]
	atLineStart := len(strings.Trim(string(lineHead), " \t")) == 0
	if !chainGoesOn && !atLineStart && r.text(c.name) != "config" {
		return edit.Edit{}, false
	}
	if atLineStart && restBlank && !strings.Contains(string(rest), ";") && r.prev(c.dot) >= 0 {
		return edit.Edit{Start: edit.LineStart(r.src, dotStart), End: edit.LineEnd(r.src, closeEnd)}, true
	}
	return edit.Edit{Start: dotStart, End: closeEnd}, true
}

// notBefore are words after which a statement is the body of another
// (else conf.set(...)), which deleting would break.
var notBefore = map[string]bool{"else": true, "do": true, "then": true, "yield": true, "return": true, "throw": true, "new": true}

// stmtStart returns the first token of the statement whose receiver chain
// ends at dot (conf, sc.hadoopConfiguration, spark.sparkContext()
// .hadoopConfiguration()), if that statement starts a line on its own.
func (r *rewriter) stmtStart(dot int) (int, bool) {
	start := dot
	for {
		// start is a '.': before it comes a name or a call, on this line or,
		// when the '.' starts a continuation line, on an earlier one.
		j := r.prevRaw(start, true)
		if j >= 0 && (r.punct(j, ')') || r.punct(j, ']')) && r.pair[j] >= 0 {
			j = r.prevRaw(r.pair[j], false)
		}
		if j < 0 || r.toks[j].kind != tIdent {
			return 0, false
		}
		start = j
		if k := r.prevRaw(start, false); r.punct(k, '.') {
			start = k
			continue
		}
		break
	}
	if r.toks[start].kind != tIdent {
		return 0, false
	}
	if head := r.src[edit.LineStart(r.src, r.toks[start].start):r.toks[start].start]; len(strings.Trim(string(head), " \t")) > 0 {
		return 0, false
	}
	p := r.prev(start)
	switch {
	case p < 0 || r.punct(p, ';') || r.punct(p, '{') || r.punct(p, '}'):
		return start, true
	case r.toks[p].kind == tIdent && notBefore[r.text(p)]:
		return 0, false
	case r.punct(p, ')'):
		if o := r.prev(r.pair[p]); o >= 0 && (r.text(o) == "if" || r.text(o) == "while" || r.text(o) == "for") {
			return 0, false
		}
		return start, true
	case r.toks[p].kind == tIdent || r.toks[p].kind == tString || r.punct(p, ']'):
		return start, true
	}
	return 0, false
}

// prevRaw returns the token before i, skipping blanks (and newlines when
// newlines is set), or -1.
func (r *rewriter) prevRaw(i int, newlines bool) int {
	for i--; i >= 0; i-- {
		if k := r.toks[i].kind; k != tSpace && (k != tNewline || !newlines) {
			return i
		}
	}
	return -1
}

// deleteComment removes a comment holding a key: its line when it is
// alone there.
func (r *rewriter) deleteComment(ti int) edit.Edit {
	tk := r.toks[ti]
	ls, le := edit.LineStart(r.src, tk.start), edit.LineEnd(r.src, tk.end)
	head := strings.Trim(string(r.src[ls:tk.start]), " \t")
	tail := strings.TrimRight(string(r.src[tk.end:le]), " \t\r\n")
	if head == "" && tail == "" {
		return edit.Edit{Start: ls, End: le}
	}
	a := tk.start
	for a > ls && (r.src[a-1] == ' ' || r.src[a-1] == '\t') {
		a--
	}
	return edit.Edit{Start: a, End: tk.end}
}
