// Package edittest checks rewriters' edits in tests: that they are minimal,
// touching only the lines a change needs.
package edittest

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
)

// Placeholder is a mark in a rewriter test's input, replaced at run time
// with set's fake value for Name, so no file holds anything key-shaped.
type Placeholder struct {
	Mark, Name string
	Kind       edit.Kind
}

// Fill replaces the placeholders of tmpl and returns the text and one
// target per occurrence, in text order, as the detectors would report
// them; an AWS secret or session token carries keyID as its key id.
func Fill(set *testsecrets.Set, phs []Placeholder, tmpl, keyID string) (string, []edit.Target) {
	var sb strings.Builder
	var targets []edit.Target
	for i := 0; i < len(tmpl); {
		matched := false
		for _, ph := range phs {
			if strings.HasPrefix(tmpl[i:], ph.Mark) {
				v := set.Get(ph.Name)
				t := edit.Target{Start: sb.Len(), End: sb.Len() + len(v), Secret: v, Rule: "test", Kind: ph.Kind}
				if ph.Kind == edit.SecretAccessKey || ph.Kind == edit.SessionToken {
					t.KeyID = keyID
				}
				targets = append(targets, t)
				sb.WriteString(v)
				i += len(ph.Mark)
				matched = true
				break
			}
		}
		if !matched {
			sb.WriteByte(tmpl[i])
			i++
		}
	}
	return sb.String(), targets
}

// Lines splits s into lines that keep their line breaks.
func Lines(s string) []string {
	var out []string
	for _, l := range edit.Lines([]byte(s)) {
		out = append(out, string(l))
	}
	return out
}

// KeptLines reports, for each line of in, whether a longest-common-
// subsequence line diff against out keeps it unchanged.
func KeptLines(in, out string) (lines []string, kept []bool) {
	a, b := Lines(in), Lines(out)
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	kept = make([]bool, n)
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			kept[i] = true
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	return a, kept
}

// Touches reports whether e changes the line spanning [start, end): it
// replaces bytes of it, or inserts inside it.
func Touches(e edit.Edit, start, end int) bool {
	if e.Start == e.End {
		return start < e.Start && e.Start < end
	}
	return e.Start < end && e.End > start
}

// CheckUntouchedKept fails t when a line that no edit touches does not
// survive unchanged from in to out.
func CheckUntouchedKept(t testing.TB, name, in, out string, es []edit.Edit) {
	t.Helper()
	forLines(in, out, es, func(i int, line string, touched []edit.Edit, kept bool) {
		if len(touched) == 0 && !kept {
			t.Errorf("%s: line %d changed though no edit touches it: %q", name, i+1, line)
		}
	})
}

// CheckEditsOnChangedLines fails t when an edit touches a line that the
// line diff from in to out keeps unchanged: the edits are not minimal.
func CheckEditsOnChangedLines(t testing.TB, name, in, out string, es []edit.Edit) {
	t.Helper()
	forLines(in, out, es, func(i int, line string, touched []edit.Edit, kept bool) {
		if kept && len(touched) > 0 {
			t.Errorf("%s: edit %+v touches line %d, which the change leaves as it was: %q", name, touched[0], i+1, line)
		}
	})
}

// forLines calls fn for each line of in with the edits touching it and
// whether the diff to out keeps it.
func forLines(in, out string, es []edit.Edit, fn func(i int, line string, touched []edit.Edit, kept bool)) {
	lines, kept := KeptLines(in, out)
	off := 0
	for i, l := range lines {
		var touched []edit.Edit
		for _, e := range es {
			if Touches(e, off, off+len(l)) {
				touched = append(touched, e)
			}
		}
		fn(i, l, touched, kept[i])
		off += len(l)
	}
}
