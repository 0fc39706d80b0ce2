package gitscan

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParsePrePush feeds git's pre-push input parser arbitrary bytes: no
// panic, one update per non-blank line, refs without blanks, ids as
// given, and errors that cannot carry a control character to the terminal.
func FuzzParsePrePush(f *testing.F) {
	a, b, z := strings.Repeat("a1", 20), strings.Repeat("b2", 20), strings.Repeat("0", 40)
	f.Add("refs/heads/main " + a + " refs/heads/main " + b + "\n")
	f.Add("refs/heads/new " + a + " refs/heads/new " + z + "\n\n(delete) " + z + " refs/heads/old " + b + "\r\n")
	f.Add("refs/heads/x " + strings.Repeat("c", 64) + " refs/heads/x " + strings.Repeat("d", 64) + "\n")
	f.Add("refs/heads/\x1b]0;t\x07 " + a + " r " + b)
	f.Add("garbage\x00\n")
	f.Fuzz(func(t *testing.T, in string) {
		ups, err := ParsePrePush(strings.NewReader(in))
		if err != nil {
			if strings.IndexFunc(err.Error(), unicode.IsControl) >= 0 {
				t.Fatalf("error carries a control character: %q", err)
			}
			return
		}
		lines := 0
		for _, l := range strings.Split(in, "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		if len(ups) != lines {
			t.Fatalf("%d updates from %d lines", len(ups), lines)
		}
		for _, u := range ups {
			if u.LocalRef == "" || u.RemoteRef == "" || strings.ContainsAny(u.LocalRef+u.RemoteRef, " \t\n\r") {
				t.Fatalf("bad refs %q %q", u.LocalRef, u.RemoteRef)
			}
			if u.Delete != u.LocalSHA.IsZero() || u.NewBranch != u.RemoteSHA.IsZero() {
				t.Fatalf("delete/new flags disagree with the ids: %+v", u)
			}
			if !strings.Contains(strings.ToLower(in), u.LocalSHA.String()) {
				t.Fatalf("local id %s is not in the input", u.LocalSHA)
			}
		}
	})
}
