// Package pyjson writes JSON strings and splits lines exactly the way the
// notebook writers do (Python's json.dumps and str.splitlines, and
// JavaScript's JSON.stringify), so that a string rolecall splices into a
// notebook is byte-for-byte what Jupyter, VS Code or Colab would have written.
package pyjson

import (
	"strings"
	"unicode/utf8"
)

// Quote writes s as a JSON string the way Python's json.dumps and
// JavaScript's JSON.stringify do: only " \ and control characters are
// escaped (\n \r \t \b \f, others as lowercase \u00xx); with ascii
// (ensure_ascii=True) everything outside printable ASCII becomes \uXXXX,
// astral characters as surrogate pairs.
func Quote(s string, ascii bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				if c < 0x20 || ascii && c == 0x7f {
					b.WriteString(`\u00`)
					b.WriteString(hex2(c))
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !ascii {
			b.WriteString(s[i : i+n])
		} else if r >= 0x10000 {
			r -= 0x10000
			b.WriteString(`\u` + hex4(0xd800+(r>>10)) + `\u` + hex4(0xdc00+(r&0x3ff)))
		} else {
			b.WriteString(`\u` + hex4(r))
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

func hex2(c byte) string { return hex4(rune(c))[2:] }

func hex4(r rune) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15]})
}

// SplitLines is Python's str.splitlines(keepends=True): it breaks after
// \n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029.
func SplitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
			fallthrough
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, s[start:i+n])
			start = i + n
		}
		i += n
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// SplitLF splits after each "\n" only, as VS Code does.
func SplitLF(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}
