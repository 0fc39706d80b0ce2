// Package pycode is the token view of Python (and R) code that iam's call
// inference and policy lint share: the significant tokens of the project's
// Python tokenizer, their bracket partners, and splitting at commas.
package pycode

import "github.com/rolecall/rolecall/remediate/python"

// Code is a text's significant tokens (no spaces, comments, continuations
// or non-logical newlines).
type Code struct {
	Src  []byte
	Toks []python.Token
	// Pair is the partner of a bracket token, -1 for other tokens and for
	// unbalanced brackets.
	Pair []int
}

// Parse tokenizes src.
func Parse(src []byte) *Code {
	toks, pair := python.Significant(src)
	return &Code{Src: src, Toks: toks, Pair: pair}
}

// Text is token i's text.
func (c *Code) Text(i int) string { return string(c.Src[c.Toks[i].Start:c.Toks[i].End]) }

// IsOp reports whether token i is the operator s.
func (c *Code) IsOp(i int, s string) bool {
	return i >= 0 && i < len(c.Toks) && c.Toks[i].Kind == python.KindOp && c.Text(i) == s
}

// IsName reports whether token i is a name.
func (c *Code) IsName(i int) bool {
	return i >= 0 && i < len(c.Toks) && c.Toks[i].Kind == python.KindName
}

// Split cuts tokens [a, b) at their commas outside brackets.
func (c *Code) Split(a, b int) [][2]int {
	var out [][2]int
	s := a
	for i := a; i < b; i++ {
		if c.Pair[i] > i {
			i = c.Pair[i]
			continue
		}
		if c.IsOp(i, ",") {
			if i > s {
				out = append(out, [2]int{s, i})
			}
			s = i + 1
		}
	}
	if b > s {
		out = append(out, [2]int{s, b})
	}
	return out
}

// Find returns the first token in [a, b) outside brackets that is the
// operator op, or -1.
func (c *Code) Find(a, b int, op string) int {
	for k := a; k < b; k++ {
		if c.Pair[k] > k {
			k = c.Pair[k]
			continue
		}
		if c.IsOp(k, op) {
			return k
		}
	}
	return -1
}

// String returns the body (escapes not decoded) and lower-cased prefix of
// string token i; ok is false for other tokens and unterminated strings.
func (c *Code) String(i int) (body, prefix string, ok bool) {
	if c.Toks[i].Kind != python.KindString || c.Toks[i].Bad {
		return "", "", false
	}
	return python.StringParts(c.Text(i))
}
