package config

import "testing"

// An empty sequence item at the end of a line or of the file has its
// content column past the line: prefix pads it and never reads the next
// line or past the end (the fuzzer found the latter as a panic).
func TestYAMLPrefixEmptyItem(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"steps:\n  -", "  - "},
		{"steps:\n  -\n  - a: b\n", "  - "},
		{"steps:\n  - a: b\n", "  - "},
		{"a:\n  b: c\n", "  "},
	} {
		text := []byte(tc.text)
		d := parseYAML(text[:len(text):len(text)])
		if got := d.prefix(1); got != tc.want {
			t.Errorf("%q: prefix(1) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
