package ipynb

import (
	"bytes"
	"testing"
)

func TestAppendJSONStringMapsEveryByte(t *testing.T) {
	cases := []struct {
		name, raw, want string
		ansi            bool
	}{
		{"plain", `abc`, "abc", false},
		{"escaped quotes", `key = \"AKIA\"\n`, "key = \"AKIA\"\n", false},
		{"unicode", `caf\u00e9 \ud83d\ude00!`, "café 😀!", false},
		{"lone surrogate", `a\ud83db`, "a\uFFFDb", false},
		{"bad escape kept", `a\qb`, `a\qb`, false},
		{"trailing backslash", `ab\`, `ab\`, false},
		{"short unicode", `a\u12`, `a\u12`, false},
		{"ansi stripped", `\u001b[0;31mKeyError\u001b[0m: 'x'`, "KeyError: 'x'", true},
		{"ansi kept when off", `\u001b[0m`, "\x1b[0m", false},
		{"raw esc byte", "a\x1b[1mb", "ab", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(`"` + c.raw + `"`)
			b := NewBuilder(Segment{})
			AppendJSONString(b, data, 1, len(data)-1, c.ansi)
			seg := b.Segment()
			if string(seg.Text) != c.want {
				t.Fatalf("decoded %q, want %q", seg.Text, c.want)
			}
			for d := 0; d < len(seg.Text); d++ {
				r, e := seg.RawOffset(d), seg.RawEnd(d+1)
				if r < 1 || e > len(data)-1 || r >= e {
					t.Errorf("byte %d maps to raw [%d,%d) outside the string", d, r, e)
				}
			}
		})
	}
}

func TestRawSpanOfEscapedSecret(t *testing.T) {
	data := []byte(`"x = \"SECRET\"\n"`)
	b := NewBuilder(Segment{})
	AppendJSONString(b, data, 1, len(data)-1, false)
	seg := b.Segment()
	i := bytes.Index(seg.Text, []byte("SECRET"))
	rs, re := seg.RawOffset(i), seg.RawEnd(i+len("SECRET"))
	if got := string(data[rs:re]); got != "SECRET" {
		t.Errorf("raw span %q, want SECRET", got)
	}
	// A span that starts on an escape covers the whole escape.
	q := bytes.IndexByte(seg.Text, '"')
	if got := string(data[seg.RawOffset(q):seg.RawEnd(q+1)]); got != `\"` {
		t.Errorf("escape maps to %q, want \\\"", got)
	}
}

func TestBuilderJoinsAdjacentExactPieces(t *testing.T) {
	data := []byte("abcdef")
	b := NewBuilder(Segment{})
	b.Exact(data[0:3], 0)
	b.Exact(data[3:6], 3)
	seg := b.Segment()
	if len(seg.pieces) != 1 {
		t.Errorf("%d pieces, want 1", len(seg.pieces))
	}
	if seg.RawOffset(4) != 4 || seg.RawEnd(6) != 6 {
		t.Errorf("offsets wrong: %d %d", seg.RawOffset(4), seg.RawEnd(6))
	}
}
