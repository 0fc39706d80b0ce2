package config

import (
	"bytes"
	"fmt"
	"path"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// command is a simple command: the words between two operators.
type command struct {
	words  []token
	before string // operator before it ("" at the start of the text)
	after  string // operator after it ("" at the end of the text)
	group  int    // commands on one (continued) line share a group
}

func (c command) span() span { return span{c.words[0].start, c.words[len(c.words)-1].end} }

func splitCommands(toks []token) []command {
	var cmds []command
	cur := command{}
	group := 0
	for _, t := range toks {
		if t.op == "" {
			cur.words = append(cur.words, t)
			continue
		}
		if len(cur.words) > 0 {
			cur.after, cur.group = t.op, group
			cmds = append(cmds, cur)
		}
		cur = command{before: t.op}
		if t.op == "\n" {
			group++
		}
	}
	if len(cur.words) > 0 {
		cur.group = group
		cmds = append(cmds, cur)
	}
	return cmds
}

// reserved words start compound commands; a credential on such a line is
// left alone, because removing it may leave an empty block.
var reserved = map[string]bool{"if": true, "then": true, "else": true, "elif": true, "fi": true, "do": true,
	"done": true, "while": true, "until": true, "for": true, "case": true, "esac": true, "{": true, "}": true, "!": true}

const (
	shapeExport    = "shell export of AWS credentials"
	shapeInline    = "AWS credentials assigned before a command"
	shapeConfigure = "aws configure set of a key"
	reasonHeredoc  = "the credential is written by a here-document (probably into a credentials file): delete that block and configure a profile with `aws configure sso` or a role instead"
)

// shellFix holds the state of one Shell rewrite.
type shellFix struct {
	*plan
	cmds []command
	opts edit.Options
	// profileSet: the script already sets AWS_PROFILE, or the rewrite did.
	profileSet bool
	// exported: an export or assignment of keys was fixed.
	exported bool
	// removed commands by group, with the targets and shape each removal fixes.
	removed map[int][]removal
}

type removal struct {
	cmd     int
	targets []int
	shape   string
}

// Shell rewrites shell scripts (.sh, .bash, .zsh, .envrc, %%bash cells):
// it drops AWS credential exports and assignments, the assignments put
// before a command, and `aws configure set` of a key.
func Shell(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindShell, text, targets)
	lx := lexShell(text)
	if lx.err != nil {
		return p.result(fmt.Sprintf("the script could not be read (%v): delete the credentials by hand", lx.err))
	}
	for _, h := range lx.heredocs {
		for _, i := range p.within(h.start, h.end) {
			p.manual(i, reasonHeredoc)
		}
	}
	s := &shellFix{plan: p, cmds: splitCommands(lx.toks), opts: opts, removed: map[int][]removal{}}
	s.profileSet = s.setsProfile()
	touched := map[int]bool{}
	for ci, c := range s.cmds {
		if ts := p.within(c.span().start, c.span().end); len(ts) > 0 {
			touched[ci] = true
			s.command(ci, ts)
		}
	}
	// Once the script stops exporting keys, the other AWS credential
	// exports go too: a key id left without its secret (say, one read
	// from a vault) breaks the default chain instead of deferring to it.
	for ci := range s.cmds {
		if s.exported && !touched[ci] && s.exportLike(ci) {
			s.command(ci, nil)
		}
	}
	s.flush()
	return p.result(reasonUnknown)
}

func (s *shellFix) word(t token) string { return string(s.text[t.start:t.end]) }

// setsProfile reports whether some command assigns or exports AWS_PROFILE.
func (s *shellFix) setsProfile() bool {
	for _, c := range s.cmds {
		for _, w := range c.words {
			if name, _, ok := assignment(s.word(w)); ok && name == "AWS_PROFILE" {
				return true
			}
		}
	}
	return false
}

// awsAssign reports whether word w assigns an AWS credential variable.
func (s *shellFix) awsAssign(w token) bool {
	name, _, ok := assignment(s.word(w))
	return ok && awsEnvVars[name]
}

func (s *shellFix) command(ci int, ts []int) {
	c := s.cmds[ci]
	w := c.words
	first := s.word(w[0])
	if reserved[first] {
		s.manualAll(ts, "the credential is set on the same line as a compound command ("+first+" ...): delete it by hand, keeping the block non-empty")
		return
	}
	k := s.assignsFrom(w, 0)
	switch {
	case k == len(w):
		s.assignments(ci, ts, w, 0)
	case k == 0 && isExport(first):
		s.assignments(ci, ts, w, s.options(w))
	case k > 0:
		s.inline(ts, w, 0, k)
	case first == "env" && s.assignsFrom(w, 1) > 1:
		s.inline(ts, w, 1, s.assignsFrom(w, 1))
	case isAWSCLI(first) && len(w) >= 5 && s.word(w[1]) == "configure" && s.word(w[2]) == "set" && configKey(unquoteWord(s.word(w[3]))):
		s.removed[c.group] = append(s.removed[c.group], removal{ci, ts, shapeConfigure})
		if s.opts.Profile != "" {
			s.note("to give profile %s credentials without keys, run `aws configure sso --profile %s` interactively, or set role_arn and credential_source for it", s.opts.Profile, s.opts.Profile)
		} else {
			s.note("instead of storing keys with `aws configure set`, run `aws configure sso` interactively, or give the profile a role_arn and credential_source")
		}
	default:
		reason := reasonOtherSecret
		if len(ts) > 0 && s.targets[ts[0]].Kind.IsAWS() {
			reason = "the key is passed to `" + first + "` on its command line: remove it there and let the command use the default credential chain (AWS_PROFILE, SSO, an instance role)"
		}
		s.manualAll(ts, reason)
	}
}

// assignsFrom returns the index of the first word from i on that is not
// an assignment.
func (s *shellFix) assignsFrom(w []token, i int) int {
	for i < len(w) {
		if _, _, ok := assignment(s.word(w[i])); !ok {
			break
		}
		i++
	}
	return i
}

// options returns the index of the first argument of export / declare
// after its options (declare -x).
func (s *shellFix) options(w []token) int {
	i := 1
	for i < len(w) && strings.HasPrefix(s.word(w[i]), "-") {
		i++
	}
	return i
}

// exportLike reports whether command ci is an export or a line of
// assignments that sets an AWS credential variable.
func (s *shellFix) exportLike(ci int) bool {
	w := s.cmds[ci].words
	first := s.word(w[0])
	from := 0
	switch {
	case isExport(first):
		from = s.options(w)
	case s.assignsFrom(w, 0) != len(w):
		return false
	}
	for _, x := range w[from:] {
		if s.awsAssign(x) {
			return true
		}
	}
	return false
}

func isExport(w string) bool { return w == "export" || w == "declare" || w == "typeset" }

func isAWSCLI(w string) bool { return path.Base(unquoteWord(w)) == "aws" }

// configKey reports whether an `aws configure set` key names a credential
// (aws_access_key_id, or profile.dev.aws_access_key_id).
func configKey(k string) bool {
	return awsConfigKeys[k[strings.LastIndexByte(k, '.')+1:]]
}

func (s *shellFix) otherVarReason(ts []int) string {
	if len(ts) > 0 && s.targets[ts[0]].Kind.IsAWS() {
		return "the key is kept in a variable of your own: change the code that reads it to use the default credential chain (or AWS_PROFILE), then delete the assignment"
	}
	return reasonOtherSecret
}

// assignments handles `export A=1 B=2` (the items start at from > 0,
// after export and its options) and a line of plain assignments `A=1 B=2`
// (from is 0).
func (s *shellFix) assignments(ci int, ts []int, w []token, from int) {
	export := from > 0
	items := w[from:]
	drop := make([]bool, len(items))
	for j, x := range items {
		drop[j] = s.awsAssign(x)
	}
	if !s.dropped(ts, spans(items), drop) {
		s.manualAll(ts, s.otherVarReason(ts))
		return
	}
	profile := "AWS_PROFILE=" + shellQuote(s.opts.Profile)
	wantProfile := s.opts.Profile != "" && !s.profileSet
	c := s.cmds[ci]
	switch {
	case all(drop) && wantProfile && !export:
		// A plain assignment is not exported; the profile must be.
		s.add(edit.Edit{Start: c.span().start, End: c.span().end, New: "export " + profile})
	case all(drop) && !wantProfile:
		s.removed[c.group] = append(s.removed[c.group], removal{ci, ts, shapeExport})
		s.exported = true
		return
	default:
		replace := map[int]string{}
		if wantProfile && export {
			replace[firstOf(drop)] = profile
		} else if wantProfile {
			s.note("add `export %s` to the script: rolecall did not place it next to other assignments", profile)
		}
		es, _ := removeItems(s.text, spans(items), drop, replace, nil)
		s.add(es...)
	}
	s.profileSet = s.profileSet || wantProfile
	s.exported = true
	s.fixAll(ts, shapeExport)
}

// inline handles `A=1 B=2 cmd args` and `env A=1 cmd args`: the words
// from..k-1 are assignments that apply to cmd only.
func (s *shellFix) inline(ts []int, w []token, from, k int) {
	drop := make([]bool, len(w))
	hasProfile := false
	for j := from; j < k; j++ {
		drop[j] = s.awsAssign(w[j])
		name, _, _ := assignment(s.word(w[j]))
		hasProfile = hasProfile || name == "AWS_PROFILE"
	}
	if !s.dropped(ts, spans(w), drop) {
		s.manualAll(ts, s.otherVarReason(ts))
		return
	}
	replace := map[int]string{}
	if p := s.opts.Profile; p != "" && !hasProfile {
		if k < len(w) && isAWSCLI(s.word(w[k])) {
			if !s.hasWord(w, "--profile") {
				last := w[len(w)-1]
				s.add(edit.Edit{Start: last.end, End: last.end, New: " --profile " + shellQuote(p)})
			}
		} else {
			replace[firstOf(drop)] = "AWS_PROFILE=" + shellQuote(p)
		}
	}
	es, _ := removeItems(s.text, spans(w), drop, replace, nil)
	s.add(es...)
	s.fixAll(ts, shapeInline)
}

func (s *shellFix) hasWord(w []token, x string) bool {
	for _, t := range w {
		if v := unquoteWord(s.word(t)); v == x || strings.HasPrefix(v, x+"=") {
			return true
		}
	}
	return false
}

func spans(w []token) []span {
	out := make([]span, len(w))
	for i, t := range w {
		out[i] = span{t.start, t.end}
	}
	return out
}

// flush removes the commands marked for removal, group by group: a line
// whose commands all go is deleted; otherwise a command goes with the `;`
// or `&&` that joins it to the next (or previous) one, and any other
// operator (a pipe, `||`) leaves the whole line to a person.
func (s *shellFix) flush() {
	for g, rs := range s.removed {
		var group []int
		for ci, c := range s.cmds {
			if c.group == g {
				group = append(group, ci)
			}
		}
		drop := make([]bool, len(group))
		items := make([]span, len(group))
		for j, ci := range group {
			items[j] = s.cmds[ci].span()
			for _, r := range rs {
				drop[j] = drop[j] || r.cmd == ci
			}
		}
		joins := func(sep []byte) bool {
			sep = bytes.Trim(sep, " \t")
			return string(sep) == ";" || string(sep) == "&&"
		}
		var es []edit.Edit
		ok := true
		switch {
		case all(drop) && s.plainGroup(group):
			ls := splitLines(s.text)
			es = []edit.Edit{deleteLines(ls, lineOf(ls, items[0].start), lineOf(ls, items[len(items)-1].end-1))}
		case all(drop):
			ok = false // inside ( ) or after a pipe: the line would be left broken
		default:
			es, ok = removeItems(s.text, items, drop, nil, joins)
		}
		for _, r := range rs {
			for _, i := range r.targets {
				if ok {
					s.fix(i, r.shape)
				} else {
					s.manual(i, "the command that sets the credential is joined to others by a pipe or `||`: delete it by hand")
				}
			}
		}
		if ok {
			s.add(es...)
		}
	}
}

// plainGroup reports whether the commands of a group are joined only by
// `;` and `&&`, so deleting their lines removes nothing else.
func (s *shellFix) plainGroup(group []int) bool {
	if b := s.cmds[group[0]].before; b != "" && b != "\n" {
		return false
	}
	for _, ci := range group[1:] {
		if b := s.cmds[ci].before; b != ";" && b != "&&" {
			return false
		}
	}
	a := s.cmds[group[len(group)-1]].after
	return a == "" || a == "\n" || a == ";"
}

// validateShell checks that the script still tokenizes (quotes, $( ),
// here-documents) and that no then/do/else/{ block was left empty.
func validateShell(text []byte) error {
	lx := lexShell(text)
	if lx.err != nil {
		return lx.err
	}
	opener := map[string]bool{"then": true, "do": true, "else": true, "{": true}
	closer := map[string]bool{"fi": true, "done": true, "else": true, "elif": true, "}": true}
	var open string
	for _, c := range splitCommands(lx.toks) {
		for i, w := range c.words {
			word := string(text[w.start:w.end])
			if open != "" && closer[word] {
				return errorAt(text, w.start, "empty %q block", open)
			}
			open = ""
			if opener[word] && (i == 0 || reserved[string(text[c.words[i-1].start:c.words[i-1].end])]) {
				open = word
			} else if i == 0 || !reserved[word] {
				break
			}
		}
	}
	return nil
}
