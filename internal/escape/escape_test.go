package escape

import "testing"

func TestText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"src/app.py", "src/app.py"},
		{"café/ü.py", "café/ü.py"},
		{"\x1b]0;pwned\x07title", `\x1b]0;pwned\x07title`},
		{"a\nHIGH   fake.py:1:1", `a\x0aHIGH   fake.py:1:1`},
		{"cr\rtab\tdel\x7f", `cr\x0dtab\x09del\x7f`},
		{"c1\u009b2J", `c1\u009b2J`},
		{"bidi\u202egnp.exe", `bidi\u202egnp.exe`},
		{"bad\xffutf8\xc3", `bad\xffutf8\xc3`},
		{"", ""},
	} {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestLines(t *testing.T) {
	if got := Lines("a\x1b[2J\nb\r\n"); got != `a\x1b[2J`+"\n"+`b\x0d`+"\n" {
		t.Errorf("Lines = %q", got)
	}
}
