// Package jvm rewrites the Spark and Hadoop S3A credential settings of
// Scala and Java code (.scala, .sc, .java files and Scala notebook cells)
// the way the Python rewriter does for PySpark: the fs.s3a access key,
// secret key and session token settings go, and one
// fs.s3a.aws.credentials.provider setting takes the place of the first, so
// the default credential chain (an instance role, IRSA, AWS_PROFILE) or a
// named profile supplies the credentials.
//
// It works on a small lossless tokenizer for the C-family string and
// comment syntax (Scala's triple-quoted and interpolated strings and
// nested block comments included), so every edit is a byte span of the
// original and nothing else changes.
package jvm

import (
	"bytes"
	"fmt"
)

type kind uint8

const (
	tSpace   kind = iota // blanks, without newlines
	tNewline             // one "\n" (or "\r\n")
	tComment             // "// ..." or "/* ... */"
	tString              // "...", """...""", s"...", 'c'
	tIdent               // identifiers, keywords, numbers
	tPunct               // one byte of anything else
)

type token struct {
	kind       kind
	start, end int
}

// tokenize splits src into tokens that cover it exactly, or fails on an
// unterminated string or comment.
func tokenize(src []byte) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		start := i
		k := tPunct
		switch {
		case c == '\n':
			k, i = tNewline, i+1
		case c == '\r' && i+1 < len(src) && src[i+1] == '\n':
			k, i = tNewline, i+2
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\f' || src[i] == '\r' && !(i+1 < len(src) && src[i+1] == '\n')) {
				i++
			}
			k = tSpace
		case bytes.HasPrefix(src[i:], []byte("//")):
			k = tComment
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if i > start && src[i-1] == '\r' {
				i--
			}
		case bytes.HasPrefix(src[i:], []byte("/*")):
			k = tComment
			end, err := blockEnd(src, i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '"':
			k = tString
			end, err := stringEnd(src, i)
			if err != nil {
				return nil, err
			}
			i = end
		case c == '\'':
			// A character literal ('a', '\n'); a lone quote (a Scala
			// symbol) is punctuation.
			if j := charEnd(src, i); j > 0 {
				k, i = tString, j
			} else {
				i++
			}
		case isIdent(c):
			for i < len(src) && isIdent(src[i]) {
				i++
			}
			k = tIdent
			if i < len(src) && src[i] == '"' { // s"...", f"...", raw"..."
				end, err := stringEnd(src, i)
				if err != nil {
					return nil, err
				}
				k, i = tString, end
			}
		default:
			i++
		}
		toks = append(toks, token{k, start, i})
	}
	return toks, nil
}

func isIdent(c byte) bool {
	return c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// stringEnd returns the offset after the string starting with the quote
// at i: a triple-quoted string ends at the first """ (extra quotes before
// it belong to the string), a plain one at an unescaped quote on its line.
func stringEnd(src []byte, i int) (int, error) {
	if bytes.HasPrefix(src[i:], []byte(`"""`)) {
		j := bytes.Index(src[i+3:], []byte(`"""`))
		if j < 0 {
			return 0, errorAt(src, i, "unterminated \"\"\" string")
		}
		end := i + 3 + j + 3
		for end < len(src) && src[end] == '"' {
			end++
		}
		return end, nil
	}
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		case '\n':
			return 0, errorAt(src, i, "unterminated string")
		}
	}
	return 0, errorAt(src, i, "unterminated string")
}

// blockEnd returns the offset after the block comment at i; Scala nests
// them.
func blockEnd(src []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(src); {
		switch {
		case bytes.HasPrefix(src[j:], []byte("/*")):
			depth++
			j += 2
		case bytes.HasPrefix(src[j:], []byte("*/")):
			depth--
			j += 2
			if depth == 0 {
				return j, nil
			}
		default:
			j++
		}
	}
	return 0, errorAt(src, i, "unterminated comment")
}

// charEnd returns the offset after a character literal at i, or 0.
func charEnd(src []byte, i int) int {
	j := i + 1
	if j < len(src) && src[j] == '\\' {
		j += 2
		for j < len(src) && j < i+8 && src[j] != '\'' && src[j] != '\n' { // '\u0041'
			j++
		}
	} else if j < len(src) && src[j] != '\'' && src[j] != '\n' {
		j++
	}
	if j < len(src) && src[j] == '\'' {
		return j + 1
	}
	return 0
}

func errorAt(text []byte, off int, msg string) error {
	return fmt.Errorf("line %d: %s", bytes.Count(text[:min(off, len(text))], []byte{'\n'})+1, msg)
}

// Validate checks that Scala or Java code still tokenizes and that its
// brackets balance, as far as an edit of a call can break them.
func Validate(src []byte) error {
	toks, err := tokenize(src)
	if err != nil {
		return err
	}
	_, err = brackets(src, toks)
	return err
}

// brackets pairs each ( [ { token with its closer (pair[i] = j both ways;
// -1 for other tokens).
func brackets(src []byte, toks []token) ([]int, error) {
	pair := make([]int, len(toks))
	var stack []int
	for i, t := range toks {
		pair[i] = -1
		if t.kind != tPunct {
			continue
		}
		switch c := src[t.start]; c {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if len(stack) == 0 || src[toks[stack[len(stack)-1]].start] != "([{"[bytes.IndexByte([]byte(")]}"), c)] {
				return nil, errorAt(src, t.start, fmt.Sprintf("unbalanced %c", c))
			}
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			pair[o], pair[i] = i, o
		}
	}
	if len(stack) > 0 {
		return nil, errorAt(src, toks[stack[0]].start, fmt.Sprintf("unclosed %c", src[toks[stack[0]].start]))
	}
	return pair, nil
}
