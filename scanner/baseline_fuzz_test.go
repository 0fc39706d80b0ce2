package scanner

import (
	"strings"
	"testing"
)

// FuzzParseBaseline reads arbitrary bytes as a baseline: no panic; an
// error names a position, never the file's text, and carries no control
// character; a baseline that loads knows each fingerprint it lists.
func FuzzParseBaseline(f *testing.F) {
	f.Add([]byte(`[{"rule":"aws-secret","file":"a.py","fingerprint":"0123456789abcdef0123456789abcdef"}]`))
	f.Add([]byte("[]\n"))
	f.Add([]byte("[\n  {\"fingerprint\": 3}\n]"))
	f.Add([]byte("AWS_SECRET_ACCESS_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCD\n"))
	f.Add([]byte(`[{"fingerprint":"a\u001b[2J"},{"rule":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBaseline("b.json", data)
		if err != nil {
			msg := err.Error()
			if strings.IndexFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
				t.Fatalf("error carries a control character: %q", msg)
			}
			const n = 24
			for i := 0; i+n <= len(data); i++ {
				if strings.Contains(msg, string(data[i:i+n])) {
					t.Fatalf("error quotes the file: %s", msg)
				}
			}
			return
		}
		for fp := range b.fingerprints {
			if got := b.Filter([]Finding{{Fingerprint: fp}}); len(got) != 0 {
				t.Fatalf("fingerprint %q listed but not known", fp)
			}
		}
	})
}
