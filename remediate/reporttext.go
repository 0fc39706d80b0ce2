package remediate

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/rolecall/rolecall/detectors"
)

// WriteText renders the report for people: a summary per file (what is
// or would be fixed, what must be fixed by hand and why), the rotation
// checklist once for all keys, a table of the keys, then notes, the
// profile stanza and the trust policies.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	r.writeSummary(&b)
	r.writeRotation(&b)
	r.writeKeyTable(&b)
	if len(r.Notes) > 0 {
		b.WriteString("\nAlso:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", sentence(n))
		}
	}
	if r.ProfileConfig != "" {
		b.WriteString("\n" + r.ProfileConfig)
	}
	if len(r.TrustPolicies) > 0 {
		b.WriteString("\nTrust policies for the role the code will run as (rolecall fix --report FILE writes them as JSON):\n")
		names := make([]string, 0, len(r.TrustPolicies))
		for n := range r.TrustPolicies {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "  %s: %s\n", n, r.TrustPolicies[n])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// fileSummary is what the report says about one file.
type fileSummary struct {
	file    string
	fixed   int
	shapes  []string
	manual  int
	reasons []string            // in order of first appearance
	places  map[string][]string // reason -> places
}

func (r *Report) writeSummary(b *strings.Builder) {
	if len(r.Fixed)+len(r.Manual) == 0 {
		return
	}
	fixedVerb, fixWord := "were fixed", "fixed"
	if !r.Applied {
		b.WriteString("Dry run: nothing was written (apply the fixes with rolecall fix --write, or rolecall fix | git apply).\n")
		fixedVerb, fixWord = "would be fixed", "would fix"
	}
	var files []*fileSummary
	byFile := map[string]*fileSummary{}
	get := func(file string) *fileSummary {
		if s, ok := byFile[file]; ok {
			return s
		}
		s := &fileSummary{file: file, places: map[string][]string{}}
		byFile[file] = s
		files = append(files, s)
		return s
	}
	for _, it := range r.Fixed {
		s := get(it.File)
		s.fixed++
		if it.Shape != "" && !slices.Contains(s.shapes, it.Shape) {
			s.shapes = append(s.shapes, it.Shape)
		}
	}
	for _, it := range r.Manual {
		s := get(it.File)
		s.manual++
		reason := sentence(it.Reason)
		if reason == "" {
			reason = "rolecall has no rewrite for this secret; take it out by hand."
		}
		if _, ok := s.places[reason]; !ok {
			s.reasons = append(s.reasons, reason)
		}
		s.places[reason] = append(s.places[reason], itemPlace(it))
	}
	total := len(r.Fixed) + len(r.Manual)
	fmt.Fprintf(b, "%s in %s: %d %s", count(total, "finding"), count(len(files), "file"), len(r.Fixed), fixedVerb)
	if len(r.Manual) > 0 {
		fmt.Fprintf(b, ", %d must be fixed by hand", len(r.Manual))
	}
	b.WriteString(".\n\n")
	for _, s := range files {
		var parts []string
		if s.fixed > 0 {
			p := fmt.Sprintf("%s %d", fixWord, s.fixed)
			if len(s.shapes) > 0 {
				p += " (" + strings.Join(s.shapes, ", ") + ")"
			}
			parts = append(parts, p)
		}
		if s.manual > 0 {
			parts = append(parts, fmt.Sprintf("%d to fix by hand", s.manual))
		}
		fmt.Fprintf(b, "  %s: %s.\n", s.file, strings.Join(parts, "; "))
		for _, reason := range s.reasons {
			fmt.Fprintf(b, "    - %s\n      At %s.\n", reason, strings.Join(s.places[reason], "; "))
		}
	}
}

// itemPlace names an item inside its file, as the scan does: "cell 4 line 2
// (file 50:9)", or "line 3".
func itemPlace(it ReportItem) string {
	if p := strings.TrimSpace(strings.TrimPrefix(it.Where, it.File)); it.Cell > 0 && p != "" {
		return p
	}
	return fmt.Sprintf("line %d", it.Line)
}

func (r *Report) writeRotation(b *strings.Builder) {
	if len(r.Keys) == 0 {
		return
	}
	var ids []string
	inHistory := false
	for _, k := range r.Keys {
		if detectors.IsAWSID(k.KeyID) {
			ids = append(ids, k.KeyID)
		}
		inHistory = inHistory || k.InHistory
	}
	b.WriteString("\nRotate every leaked key, fixed or not: a key stays valid until it is deactivated. ")
	if len(ids) > 0 {
		b.WriteString("The commands run as printed, in a shell with the AWS CLI:\n\n")
		fmt.Fprintf(b, "  KEYS=%q\n", strings.Join(ids, " "))
	} else {
		b.WriteString("Set KEYS to the key ids (not shown here), then run the commands in a shell with the AWS CLI:\n\n  KEYS=\"KEY_ID ...\"\n")
	}
	for i, s := range rotationSteps(r.now) {
		fmt.Fprintf(b, "  %d. %s:\n     for k in $KEYS; do %s; done\n", i+1, s.what, s.cmd(`"$k"`))
	}
	if inHistory {
		fmt.Fprintf(b, "  %d. %s\n", len(rotationSteps(r.now))+1, historyStep)
	}
}

func (r *Report) writeKeyTable(b *strings.Builder) {
	if len(r.Keys) == 0 {
		return
	}
	fmt.Fprintf(b, "\nLeaked keys (%d):\n", len(r.Keys))
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  KEY ID\tACCOUNT\tPLACES\tIN COMMITTED HISTORY")
	for _, k := range r.Keys {
		account := k.AccountID
		if account == "" {
			account = "unknown"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", k.KeyID, account, len(k.Locations), map[bool]string{true: "yes", false: "no"}[k.InHistory])
	}
	tw.Flush()
}

// toolNames keep their spelling at the start of a sentence: they are typed
// as written.
var toolNames = map[string]bool{"git": true, "aws": true, "rolecall": true, "dbt": true, "docker": true, "terraform": true, "boto3": true, "export": true, "pip": true}

// sentence makes a message a sentence: a capital first letter (unless it
// starts with a command's name) and a full stop at the end.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	first, _, _ := strings.Cut(s, " ")
	if !toolNames[first] && strings.IndexFunc(first, func(r rune) bool { return !unicode.IsLower(r) }) < 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		s += "."
	}
	return s
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
