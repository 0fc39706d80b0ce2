// Package remediate turns findings into fixes: it asks a language rewriter
// for edits that take each credential out of the code (so that the SDK's
// default credential chain or a named profile supplies it), applies them,
// re-parses and re-scans the result, and only then offers it as a diff, a
// SARIF fix or a write. Notebooks are edited inside their JSON strings, with
// the file's own escaping and layout, and the outputs that echo a removed
// secret are cleared.
package remediate

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

// Registry supplies the language rewriters. Tests substitute their own.
type Registry struct {
	// ForPath returns the rewriter and the validator of its output for a
	// plain file, or a nil rewriter when rolecall cannot rewrite the file.
	ForPath func(path string, lang detectors.Lang) (edit.Rewriter, func([]byte) error)
	// ForLang returns the rewriter and validator for a notebook cell's
	// language ("python", "r", "shell", "scala"...; the ipynb Lang
	// vocabulary), or a nil rewriter. The Python cells of a notebook are
	// rewritten as one program, so a constant in one cell and its use in
	// another are seen together; other cells one by one.
	ForLang func(lang string) (edit.Rewriter, func([]byte) error)
}

// Planner plans fixes for files.
type Planner struct {
	Registry Registry
	Options  edit.Options
	// Scanner re-scans every result: a fix that leaves a secret it claims
	// to remove is not offered.
	Scanner *scanner.Scanner
}

// Item is what became of one finding.
type Item struct {
	Finding scanner.Finding
	Kind    edit.Kind
	Fixed   bool
	Shape   string // what was rewritten
	Reason  string // why a person must fix it, when not Fixed
	// Raw is the secret as the file spells it: in a notebook's JSON a
	// secret holding `"` or `\` is escaped. Redaction, the history check
	// and filter-repo expressions work on these bytes.
	Raw string
}

// Redact returns text with every secret of the plan, in its decoded and
// raw spellings, redacted; AWS key ids stay whole (they are identifiers)
// unless RedactKeyIDs.
func (p *FilePlan) Redact(text string) string {
	for _, it := range p.Items {
		shown := scanner.Display(it.Finding.Secret, false, p.RedactKeyIDs)
		if shown == it.Finding.Secret {
			continue
		}
		for _, s := range []string{it.Raw, it.Finding.Secret} {
			if s != "" {
				text = strings.ReplaceAll(text, s, shown)
			}
		}
	}
	return text
}

// FilePlan is the fix for one file.
type FilePlan struct {
	Path     string
	Original []byte
	// Result is the fixed content, nil when nothing is changed.
	Result []byte
	// Edits turn Original into Result (byte offsets in Original).
	Edits []edit.Edit
	Items []Item
	Notes []string
	// RedactKeyIDs makes Redact hide AWS key ids too (--redact-key-ids).
	RedactKeyIDs bool
}

// Changed reports whether the plan edits the file.
func (p *FilePlan) Changed() bool { return p.Result != nil && !bytes.Equal(p.Result, p.Original) }

// Reasons given to people for what rolecall does not rewrite.
const (
	reasonPrincipalID = "an AWS principal id (user, role or group), not a credential: nothing to rotate; remove it if it should not be public"
	reasonOutputOnly  = "the secret is only in an output of this notebook, not in its code: find where the code gets it, fix that, then clear the outputs (Jupyter: Edit > Clear Outputs of All Cells)"
	reasonNoRewriter  = "rolecall has no rewriter for this kind of file: move the credential to the environment or a secret manager by hand"
)

func reasonOtherToken(f scanner.Finding) string {
	return fmt.Sprintf("no automatic fix for this kind of secret (%s; rolecall rewrites AWS keys and configuration passwords): revoke it, then read it from the environment or a secret manager", f.Description)
}

// KindOf tells the rewriters what a finding is, from its rule and the text
// around it (a generic finding on `AWS_SECRET_ACCESS_KEY=...` is an AWS
// secret).
func KindOf(f scanner.Finding, line []byte) edit.Kind {
	switch f.RuleID {
	case "aws-access-key-id":
		if len(f.Secret) == 20 && !strings.HasPrefix(f.Secret, "AKIA") && !strings.HasPrefix(f.Secret, "ASIA") &&
			!strings.HasPrefix(f.Secret, "ABIA") && !strings.HasPrefix(f.Secret, "ACCA") && !strings.HasPrefix(f.Secret, "A3T") {
			return edit.Other // AIDA, AROA...: a principal, not a key
		}
		return edit.AccessKeyID
	case "aws-secret-access-key":
		return edit.SecretAccessKey
	case "aws-session-token":
		return edit.SessionToken
	case "hadoop-s3a-credential", "generic-credential":
		l := strings.ToLower(string(line))
		switch {
		case strings.Contains(l, "secret_access_key") || strings.Contains(l, "secretaccesskey") || strings.Contains(l, "secret.key") || strings.Contains(l, "secret_key"):
			return edit.SecretAccessKey
		case strings.Contains(l, "session_token") || strings.Contains(l, "sessiontoken") || strings.Contains(l, "session.token"):
			return edit.SessionToken
		case strings.Contains(l, "access_key_id") || strings.Contains(l, "accesskeyid") || strings.Contains(l, "access.key"):
			return edit.AccessKeyID
		case f.RuleID == "generic-credential" && (strings.Contains(l, "pass") || strings.Contains(l, "pwd")):
			return edit.Password
		}
	}
	return edit.Other
}

// fixable reports whether a rewriter should see a target of this kind.
func fixable(k edit.Kind) bool { return k.IsAWS() || k == edit.Password }

// Plan computes the fix for one file: data is its content as scanned and
// findings are what the scanner reported in it.
func (p *Planner) Plan(file string, data []byte, findings []scanner.Finding) (plan *FilePlan) {
	plan = &FilePlan{Path: file, Original: data}
	defer func() {
		// One odd file must not stop the fixes of the others.
		if r := recover(); r != nil {
			plan.abandon(fmt.Sprintf("internal error while planning the fix (please report it): %v; fix this by hand", r))
			plan.manual(func(*Item) string {
				return "internal error while planning the fix (please report it); fix this by hand"
			})
		}
	}()
	for _, f := range findings {
		raw := ""
		if f.Offset >= 0 && f.Offset <= f.EndOffset && f.EndOffset <= len(data) {
			raw = string(data[f.Offset:f.EndOffset])
		}
		plan.Items = append(plan.Items, Item{Finding: f, Kind: KindOf(f, lineAt(data, f.Offset)), Raw: raw})
	}
	switch ipynb.Sniff(file, data) {
	case ipynb.FormatJupyter, ipynb.FormatZeppelin:
		p.planNotebook(plan)
	case ipynb.FormatRMarkdown, ipynb.FormatQuarto, ipynb.FormatDatabricks:
		p.planTextNotebook(plan)
	default:
		p.planText(plan)
	}
	if plan.Changed() {
		p.verify(plan)
	}
	return plan
}

// manual marks every item not yet decided as needing a person.
func (plan *FilePlan) manual(reason func(*Item) string) {
	for i := range plan.Items {
		it := &plan.Items[i]
		if !it.Fixed && it.Reason == "" {
			it.Reason = reason(it)
		}
	}
}

// abandon drops every edit of the plan: nothing is half-edited.
func (plan *FilePlan) abandon(why string) {
	plan.Result, plan.Edits = nil, nil
	for i := range plan.Items {
		it := &plan.Items[i]
		if it.Fixed {
			it.Fixed, it.Shape = false, ""
			it.Reason = why
		}
	}
}

func lineAt(data []byte, off int) []byte {
	off = min(max(off, 0), len(data))
	return data[edit.LineStart(data, off):edit.LineEnd(data, off)]
}

// planText fixes a plain file with the rewriter for its path.
func (p *Planner) planText(plan *FilePlan) {
	lang := detectors.LangForPath(plan.Path)
	rw, validate := p.Registry.ForPath(plan.Path, lang)
	if rw == nil {
		plan.manual(p.reasonFor(reasonNoRewriter))
		return
	}
	var targets []edit.Target
	var index []int // target -> item
	for i, it := range plan.Items {
		if !fixable(it.Kind) {
			continue
		}
		f := it.Finding
		targets = append(targets, edit.Target{Start: f.Offset, End: f.EndOffset, Secret: f.Secret, Rule: f.RuleID, Kind: it.Kind, KeyID: f.KeyID})
		index = append(index, i)
	}
	if len(targets) > 0 {
		res := rw(plan.Original, targets, p.Options)
		plan.record(res, index)
		if len(res.Edits) > 0 {
			out, err := edit.Apply(plan.Original, res.Edits)
			switch {
			case err != nil:
				plan.abandon("the rewrite produced overlapping edits (a rolecall bug; please report it): fix this by hand")
			case validate != nil && validate(out) != nil:
				plan.abandon(fmt.Sprintf("the rewritten file would not parse (%v): fix this by hand", validate(out)))
			default:
				plan.Result, plan.Edits = out, res.Edits
			}
		}
	}
	plan.manual(p.reasonFor(reasonNoRewriter))
}

// record copies a rewriter's outcomes onto the plan's items.
func (plan *FilePlan) record(res edit.Result, index []int) {
	for _, o := range res.Outcomes {
		if o.Target < 0 || o.Target >= len(index) {
			continue
		}
		it := &plan.Items[index[o.Target]]
		it.Fixed, it.Shape, it.Reason = o.Fixed, o.Shape, o.Reason
	}
	for _, n := range res.Notes {
		plan.addNote(n)
	}
}

func (plan *FilePlan) addNote(n string) {
	for _, m := range plan.Notes {
		if m == n {
			return
		}
	}
	plan.Notes = append(plan.Notes, n)
}

// reasonFor gives the reason for an item no rewriter took on.
func (p *Planner) reasonFor(fallback string) func(*Item) string {
	return func(it *Item) string {
		switch {
		case it.Kind == edit.Other && it.Finding.RuleID == "aws-access-key-id":
			return reasonPrincipalID
		case it.Kind == edit.Other:
			return reasonOtherToken(it.Finding)
		}
		return fallback
	}
}

// verify re-scans the fixed content: every secret the plan claims to
// remove must be gone from the file, and the file must scan without error.
// Otherwise the whole plan for this file is dropped.
func (p *Planner) verify(plan *FilePlan) {
	if p.Scanner == nil {
		return
	}
	after, _ := p.Scanner.Scan(scanner.Content{Path: plan.Path, Data: plan.Result})
	for _, it := range plan.Items {
		if !it.Fixed {
			continue
		}
		if bytes.Contains(plan.Result, []byte(it.Finding.Secret)) {
			plan.abandon("the rewrite would leave a copy of the secret in the file: fix this by hand")
			return
		}
		for _, f := range after {
			if f.Secret == it.Finding.Secret {
				plan.abandon(fmt.Sprintf("the rewrite would leave the secret at line %d: fix this by hand", f.Line))
				return
			}
		}
	}
}
