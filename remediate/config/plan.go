package config

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// awsEnvVars are the environment variables that hold static AWS
// credentials. When one is removed, the others set in the same place go
// too: a key id left without its secret makes the SDKs fail (botocore
// raises PartialCredentialsError) instead of falling through to the
// default chain.
var awsEnvVars = map[string]bool{
	"AWS_ACCESS_KEY_ID":     true,
	"AWS_SECRET_ACCESS_KEY": true,
	"AWS_SESSION_TOKEN":     true,
	"AWS_SECURITY_TOKEN":    true, // the legacy name boto2 and some SDKs still read
}

// awsConfigKeys are the same credentials as keys of ~/.aws/config,
// dbt-athena outputs and `aws configure set`.
var awsConfigKeys = map[string]bool{
	"aws_access_key_id":     true,
	"aws_secret_access_key": true,
	"aws_session_token":     true,
}

// Reasons shared by several rewriters.
const (
	reasonOtherSecret = "move this secret out of the file: keep it in a secret manager (or your CI's secret store) and read it from the environment at run time"
	reasonUnknown     = "rolecall does not recognise how this file uses the credential: delete it by hand and rely on the default credential chain (AWS_PROFILE, SSO, an instance or task role)"
)

// plan collects the edits, outcomes and notes of one rewrite.
type plan struct {
	kind    string
	text    []byte
	targets []edit.Target
	out     []edit.Outcome
	decided []bool
	edits   []edit.Edit
	notes   []string
}

func newPlan(kind string, text []byte, targets []edit.Target) *plan {
	p := &plan{kind: kind, text: text, targets: targets, decided: make([]bool, len(targets))}
	for i := range targets {
		p.out = append(p.out, edit.Outcome{Target: i})
	}
	return p
}

// fix marks target i as removed by the plan's edits.
func (p *plan) fix(i int, shape string) {
	if !p.decided[i] {
		p.decided[i] = true
		p.out[i].Fixed, p.out[i].Shape = true, shape
	}
}

// manual marks target i as left for a person, with what to do.
func (p *plan) manual(i int, reason string) {
	if !p.decided[i] {
		p.decided[i] = true
		p.out[i].Reason = reason
	}
}

func (p *plan) fixAll(ts []int, shape string) {
	for _, i := range ts {
		p.fix(i, shape)
	}
}

func (p *plan) manualAll(ts []int, reason string) {
	for _, i := range ts {
		p.manual(i, reason)
	}
}

// dropped reports whether every target in ts lies inside an item that
// drop marks: only then does dropping the items fix them all.
func (p *plan) dropped(ts []int, items []span, drop []bool) bool {
	for _, i := range ts {
		ok := false
		for j, it := range items {
			ok = ok || drop[j] && it.contains(p.targets[i])
		}
		if !ok {
			return false
		}
	}
	return true
}

func (p *plan) add(es ...edit.Edit) { p.edits = append(p.edits, es...) }

// note adds companion advice once.
func (p *plan) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, m := range p.notes {
		if m == n {
			return
		}
	}
	p.notes = append(p.notes, n)
}

// within returns the indexes of the undecided targets inside [start, end).
func (p *plan) within(start, end int) []int {
	var out []int
	for i, t := range p.targets {
		if !p.decided[i] && t.Start >= start && t.End <= end {
			out = append(out, i)
		}
	}
	return out
}

// result finishes the plan: undecided targets get fallback as Reason, and
// the edits are checked before they are handed out. When the edits
// overlap, leave a fixed secret in place, touch a secret left for a person,
// or produce a text that no longer validates, no edit is handed out and
// the targets that were to be fixed get the error as Reason, so a file is
// never half-edited.
func (p *plan) result(fallback string) edit.Result {
	for i := range p.targets {
		p.manual(i, fallback)
	}
	res := edit.Result{Outcomes: p.out, Notes: p.notes}
	fixed := false
	for _, o := range p.out {
		fixed = fixed || o.Fixed
	}
	if !fixed {
		return res
	}
	// At one offset an insertion goes before a replacement that starts
	// there, the order edit.Apply needs.
	sort.SliceStable(p.edits, func(i, j int) bool {
		a, b := p.edits[i], p.edits[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.End == a.Start && b.End != b.Start
	})
	if err := p.check(); err != nil {
		for i := range res.Outcomes {
			if o := &res.Outcomes[i]; o.Fixed {
				o.Fixed, o.Shape, o.Reason = false, "", err.Error()
			}
		}
		return res
	}
	res.Edits = p.edits
	return res
}

func (p *plan) check() error {
	covered := func(t edit.Target) bool {
		for _, e := range p.edits {
			if t.Start >= e.Start && t.End <= e.End {
				return true
			}
		}
		return false
	}
	touched := func(t edit.Target) bool {
		for _, e := range p.edits {
			if t.Start < e.End && e.Start < t.End {
				return true
			}
		}
		return false
	}
	for i, t := range p.targets {
		if p.out[i].Fixed != covered(t) || !p.out[i].Fixed && touched(t) {
			return fmt.Errorf("rolecall could not plan a consistent rewrite of this %s file: delete the credentials by hand and rely on the default credential chain", p.kind)
		}
	}
	out, err := edit.Apply(p.text, p.edits)
	if err != nil {
		// The overlap's byte offsets mean nothing to a person.
		return fmt.Errorf("rolecall planned two edits of the same text in this %s file (a rolecall bug; please report it): delete the credentials by hand", p.kind)
	}
	if Validate(p.kind, p.text) == nil {
		if err := Validate(p.kind, out); err != nil {
			return fmt.Errorf("removing the credentials automatically would break the file (%v): delete them by hand", err)
		}
	}
	return nil
}

// errorAt returns an error that names the line of text holding off.
func errorAt(text []byte, off int, format string, args ...any) error {
	line := bytes.Count(text[:min(max(off, 0), len(text))], []byte{'\n'}) + 1
	return fmt.Errorf("line %d: %s", line, fmt.Sprintf(format, args...))
}

// line is one line of a text: [start, end) is its content without the line
// terminator, next is where the following line starts.
type line struct{ start, end, next int }

func splitLines(text []byte) []line {
	var ls []line
	for s := 0; s < len(text); {
		n := edit.LineEnd(text, s)
		e := n
		if e > s && text[e-1] == '\n' {
			e--
			if e > s && text[e-1] == '\r' {
				e--
			}
		}
		ls = append(ls, line{s, e, n})
		s = n
	}
	return ls
}

// lineOf returns the index of the line holding off.
func lineOf(ls []line, off int) int {
	return sort.Search(len(ls), func(i int) bool { return ls[i].next > off })
}

// indentOf counts the leading spaces and tabs of a line.
func indentOf(text []byte, l line) int {
	n := 0
	for l.start+n < l.end && (text[l.start+n] == ' ' || text[l.start+n] == '\t') {
		n++
	}
	return n
}

// isBlank reports whether text[s:e] holds only spaces and tabs.
func isBlank(text []byte, s, e int) bool {
	return len(bytes.Trim(text[s:e], " \t\r")) == 0
}

// replaceLine rewrites the content of the lines first..last (indexes into
// ls) as one line, keeping the last line's terminator.
func replaceLine(ls []line, first, last int, content string) edit.Edit {
	return edit.Edit{Start: ls[first].start, End: ls[last].end, New: content}
}

// deleteLines removes the lines first..last (indexes into ls) whole.
func deleteLines(ls []line, first, last int) edit.Edit {
	return edit.Edit{Start: ls[first].start, End: ls[last].next}
}

// insertLines inserts whole lines at offset at, which is a line start or
// the end of the text; nl is the text's line ending.
func insertLines(text []byte, at int, nl string, lines ...string) edit.Edit {
	body := strings.Join(lines, nl)
	if at == len(text) && at > 0 && text[at-1] != '\n' {
		return edit.Edit{Start: at, End: at, New: nl + body}
	}
	return edit.Edit{Start: at, End: at, New: body + nl}
}

// span is a byte range [start, end).
type span struct{ start, end int }

func (s span) contains(t edit.Target) bool { return t.Start >= s.start && t.End <= s.end }

// removeItems returns the edits that drop items from a list whose items
// are separated by what lies between them (commas, blanks, `;`): a run of
// dropped items goes with the separator after it, or, at the end of the
// list, with the separator before it, so the rest keeps its layout. An item
// with a replacement is rewritten in place instead of dropped. ok, when
// not nil, must accept the separator text between the items a removal
// joins or cuts; when it does not, removeItems reports false.
func removeItems(text []byte, items []span, drop []bool, replace map[int]string, ok func(sep []byte) bool) ([]edit.Edit, bool) {
	var es []edit.Edit
	sepOK := func(a, b int) bool { return ok == nil || ok(text[items[a].end:items[b].start]) }
	for i := 0; i < len(items); {
		if r, has := replace[i]; has {
			es = append(es, edit.Edit{Start: items[i].start, End: items[i].end, New: r})
			i++
			continue
		}
		if !drop[i] {
			i++
			continue
		}
		j := i
		for j+1 < len(items) && drop[j+1] && !hasKey(replace, j+1) {
			j++
		}
		switch {
		case j+1 < len(items):
			for k := i; k <= j; k++ {
				if !sepOK(k, k+1) {
					return nil, false
				}
			}
			es = append(es, edit.Edit{Start: items[i].start, End: items[j+1].start})
		case i > 0:
			for k := i - 1; k < j; k++ {
				if !sepOK(k, k+1) {
					return nil, false
				}
			}
			es = append(es, edit.Edit{Start: items[i-1].end, End: items[j].end})
		default:
			es = append(es, edit.Edit{Start: items[i].start, End: items[j].end})
		}
		i = j + 1
	}
	return es, true
}

func hasKey(m map[int]string, k int) bool { _, ok := m[k]; return ok }

// firstOf returns the smallest index set in drop, or -1.
func firstOf(drop []bool) int {
	for i, d := range drop {
		if d {
			return i
		}
	}
	return -1
}

// all reports whether every element of drop is set.
func all(drop []bool) bool {
	for _, d := range drop {
		if !d {
			return false
		}
	}
	return len(drop) > 0
}

// shellSafe reports whether s can stand unquoted in a shell word, a YAML
// plain scalar or a .env value.
func shellSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.@/+=", c)) {
			return false
		}
	}
	return true
}

// shellQuote quotes s for a shell word (and a .env value) when it needs it.
func shellQuote(s string) string {
	if shellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dquote quotes s in double quotes with backslash escapes, valid in R, HCL
// and YAML for the characters a profile name holds.
func dquote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
