// Package escape makes text from input (file names, git names and emails,
// commit subjects, config-supplied text) safe to print on a terminal or in
// a CI log: a file named with ESC sequences must not retitle the terminal
// or clear the screen, and a newline in a name must not forge a report
// line.
package escape

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns s with every control character written as a visible
// escape: C0 controls, DEL and ESC as \x1b, C1 controls and the Unicode
// line separators and bidirectional overrides (which reorder what a
// reader sees) as \u0085, and bytes that are not UTF-8 as \xff. Text that
// needs none is returned as is.
func Text(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Lines is Text for a text of several lines: the line breaks stay, every
// other control character is escaped.
func Lines(s string) string {
	if firstUnsafe(strings.ReplaceAll(s, "\n", " ")) < 0 {
		return s
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = Text(l)
	}
	return strings.Join(ls, "\n")
}

// firstUnsafe returns the index of the first byte Text must rewrite, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune: C1 controls (U+0080-U+009F, of which U+009B is a CSI on
// some terminals), line and paragraph separators, and the bidirectional
// embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	return r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 ||
		r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}
