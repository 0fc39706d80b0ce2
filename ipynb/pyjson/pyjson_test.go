package pyjson

import (
	"reflect"
	"testing"
)

func TestQuote(t *testing.T) {
	cases := []struct {
		in, want, wantASCII string
	}{
		{`a"b\c`, `"a\"b\\c"`, `"a\"b\\c"`},
		{"\n\r\t\b\f", `"\n\r\t\b\f"`, `"\n\r\t\b\f"`},
		{"\x00\x1b\x1f\x7f", `"\u0000\u001b\u001f` + "\x7f\"", `"\u0000\u001b\u001f\u007f"`},
		{"é😀", "\"é😀\"", `"\u00e9\ud83d\ude00"`},
		{"</script>\u2028", "\"</script>\u2028\"", `"</script>\u2028"`},
	}
	for _, c := range cases {
		if got := Quote(c.in, false); got != c.want {
			t.Errorf("Quote(%q) = %s, want %s", c.in, got, c.want)
		}
		if got := Quote(c.in, true); got != c.wantASCII {
			t.Errorf("Quote(%q, ascii) = %s, want %s", c.in, got, c.wantASCII)
		}
	}
}

func TestSplitLines(t *testing.T) {
	got := SplitLines("a\r\nb\rc\u2028d\u0085e\n")
	want := []string{"a\r\n", "b\r", "c\u2028", "d\u0085", "e\n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SplitLines = %q, want %q", got, want)
	}
	if got := SplitLF("a\rb\nc"); !reflect.DeepEqual(got, []string{"a\rb\n", "c"}) {
		t.Errorf("SplitLF = %q", got)
	}
}
