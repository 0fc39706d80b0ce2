package detectors

import (
	"bytes"
	"math"
	"strings"
)

// Entropy is the Shannon entropy of s in bits per byte.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// placeholderWords are values people leave where a credential will go. A
// secret equal to one of them (ignoring case and separators) is not a secret.
var placeholderWords = map[string]bool{
	"password": true, "passwd": true, "pass": true, "secret": true, "token": true,
	"changeme": true, "changeit": true, "placeholder": true, "dummy": true,
	"redacted": true, "hidden": true, "removed": true, "masked": true,
	"test": true, "testing": true, "sample": true, "example": true, "todo": true,
	"fixme": true, "null": true, "none": true, "nil": true, "undefined": true,
	"empty": true, "true": true, "false": true, "foobar": true, "foo": true,
	"bar": true, "replaceme": true, "secretkey": true, "accesskey": true,
	"apikey": true, "mypassword": true, "yourpassword": true, "notasecret": true,
	"secretaccesskey": true, "accesskeyid": true, "fake": true, "invalid": true,
	// Type names, as in schemas and docs: `password: string`.
	"string": true, "str": true, "text": true, "value": true, "number": true,
	"integer": true, "boolean": true, "object": true, "array": true, "bytes": true,
	"optional": true, "required": true, "secretstr": true,
}

// placeholderFragments mark a value as a template or documentation stand-in
// wherever they appear in it.
var placeholderFragments = []string{
	"EXAMPLE", "example", "Example", "xxxx", "XXXX", "****", "...", "\u2026",
	"####", "${", "{{", "}}", "$(", "%(", "%s", "{}", "your_", "your-",
	"YOUR_", "YOUR-", "Your", "yourkey", "YOURKEY", "changeme", "CHANGEME",
	"change_me", "CHANGE_ME", "replace_me", "REPLACE_ME", "replace-me",
	"placeholder", "PLACEHOLDER", "dummy", "DUMMY", "insert_", "INSERT_",
	"enter_your", "ENTER_YOUR", "_here", "_HERE", "-here", "_goes_", "redacted",
	"REDACTED", "notreal", "NOTREAL", "not-a-real", "not_a_real",
	"***REMOVED***", // what rolecall fix and git filter-repo leave behind
}

// IsPlaceholder reports whether s is a documentation stand-in rather than a
// credential: AWS's example keys, template syntax, masked values, words like
// "changeme", or a single repeated character.
func IsPlaceholder(s string) bool {
	if s == "" {
		return true
	}
	for _, f := range placeholderFragments {
		if strings.Contains(s, f) {
			return true
		}
	}
	if lt := strings.IndexByte(s, '<'); lt >= 0 && strings.IndexByte(s[lt:], '>') > 0 {
		return true // <your key>
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		return true // [BLANK], [REDACTED]
	}
	if strings.HasPrefix(s, "$") || strings.HasPrefix(s, "%") && strings.HasSuffix(s, "%") {
		return true // $VAR, %VAR%
	}
	if placeholderWords[normalizeWord(s)] {
		return true
	}
	if strings.Count(strings.ToLower(s), strings.ToLower(s[:1])) == len(s) {
		return true
	}
	if strings.Contains(strings.ToLower(s), "xxx") && len(s) < 12 {
		return true
	}
	return false
}

func normalizeWord(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hasSequence reports whether s holds a run of n characters that ascend or
// descend by one (abcdef, 123456): a hand-typed fake, not random output.
func hasSequence(s string, n int) bool {
	up, down := 1, 1
	for i := 1; i < len(s); i++ {
		switch int(s[i]) - int(s[i-1]) {
		case 1:
			up++
			down = 1
		case -1:
			down++
			up = 1
		default:
			up, down = 1, 1
		}
		if up >= n || down >= n {
			return true
		}
	}
	return false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// charClasses counts which of upper, lower, digit and other appear in s.
func charClasses(s string) (n int) {
	var upper, lower, digit, other bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			other = true
		}
	}
	for _, b := range []bool{upper, lower, digit, other} {
		if b {
			n++
		}
	}
	return n
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lowerASCII writes the ASCII-lowercased text into buf, reusing its storage.
// Offsets stay aligned with text because only single bytes change.
func lowerASCII(buf, text []byte) []byte {
	if cap(buf) < len(text) {
		buf = make([]byte, len(text))
	}
	buf = buf[:len(text)]
	for i, c := range text {
		buf[i] = lowerByte[c]
	}
	return buf
}

// maxLine bounds how far line-oriented checks look on one line: minified
// JSON and base64 payloads make lines of megabytes, and a search per
// keyword hit over the whole line would make a scan quadratic.
const maxLine = 4096

// lineStart returns the start of the line holding offset i, or i-maxLine
// when the line begins further back.
func lineStart(text []byte, i int) int {
	from := max(0, i-maxLine)
	if j := bytes.LastIndexByte(text[from:i], '\n'); j >= 0 {
		return from + j + 1
	}
	return from
}

// lineEnd returns the end of the line holding offset i (its newline), or
// i+maxLine when the line ends further on.
func lineEnd(text []byte, i int) int {
	to := min(len(text), i+maxLine)
	if j := bytes.IndexByte(text[i:to], '\n'); j >= 0 {
		return i + j
	}
	return to
}

// lineOf returns the line (without its newline) around offset i, cut to
// maxLine on each side.
func lineOf(text []byte, i int) []byte {
	return text[lineStart(text, i):lineEnd(text, i)]
}
