package python

import (
	"bytes"
	"fmt"

	"github.com/rolecall/rolecall/remediate/edit"
)

// kind is the class of a token.
type kind uint8

const (
	tWS      kind = iota // spaces, tabs, form feeds, a lone \r
	tNL                  // a newline that ends no statement: blank or comment line, inside brackets
	tNewline             // a newline that ends a statement
	tComment             // from # to the end of the line, newline excluded
	tCont                // a backslash continuation, newline included
	tName
	tNumber
	tString // prefix and quotes included; f-string fields are part of it
	tOp
	tMagic // an IPython line magic or shell escape: the rest of the line
	tError // a byte that starts no token (?, $, a backtick, a stray backslash)
)

var kindNames = [...]string{"WS", "NL", "NEWLINE", "COMMENT", "CONT", "NAME", "NUMBER", "STRING", "OP", "MAGIC", "ERROR"}

func (k kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// token is a span of the text. Tokens tile the text: each starts where the
// previous one ends.
type token struct {
	kind       kind
	start, end int
	bad        bool // a string that does not terminate
}

// syntaxError is a problem the tokenizer saw, at a byte offset.
type syntaxError struct {
	off int
	msg string
}

// ops lists the operators, longest first within each length class.
var ops3 = []string{"**=", "//=", ">>=", "<<=", "..."}
var ops2 = []string{"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

const ops1 = "+-*/%@&|^~<>()[]{},:;.="

// stringPrefixes are the letters that may precede a quote, lower-cased.
var stringPrefixes = map[string]bool{
	"r": true, "u": true, "b": true, "f": true, "t": true,
	"br": true, "rb": true, "fr": true, "rf": true, "tr": true, "rt": true,
}

type tokenizer struct {
	src  []byte
	toks []token
	errs []syntaxError
	// open holds the offsets of the open brackets, innermost last.
	open []int
	// atStart is true where a statement may begin: a line magic here is
	// IPython's, not a syntax error.
	atStart bool
	// lineHasCode says whether the logical line has a significant token,
	// which decides NEWLINE against NL.
	lineHasCode bool
	// lastSig is the text of the last significant token of the line.
	lastSig string
}

// tokenize splits src into tokens that tile it, and lists what does not
// tokenize (unterminated strings, unbalanced brackets). It never fails.
func tokenize(src []byte) ([]token, []syntaxError) {
	t := &tokenizer{src: src, atStart: true}
	for i := 0; i < len(src); {
		i = t.next(i)
	}
	for _, o := range t.open {
		t.errs = append(t.errs, syntaxError{o, fmt.Sprintf("%q is never closed", src[o])})
	}
	return t.toks, t.errs
}

// emit appends a token and tracks where statements start.
func (t *tokenizer) emit(k kind, start, end int) int {
	t.toks = append(t.toks, token{kind: k, start: start, end: end})
	switch k {
	case tWS, tNL, tComment, tCont:
	case tNewline:
		t.atStart, t.lineHasCode, t.lastSig = true, false, ""
	default:
		t.atStart, t.lineHasCode = false, true
		t.lastSig = string(t.src[start:end])
	}
	return end
}

// lineEnd returns the offset of the newline ending the line at i (before
// its \r in a \r\n pair), or len(src).
func lineEnd(src []byte, i int) int {
	j := bytes.IndexByte(src[i:], '\n')
	if j < 0 {
		return len(src)
	}
	j += i
	if j > i && src[j-1] == '\r' {
		j--
	}
	return j
}

// newlineAt returns the length of the line break at i (1 or 2), or 0.
func newlineAt(src []byte, i int) int {
	switch {
	case i < len(src) && src[i] == '\n':
		return 1
	case i+1 < len(src) && src[i] == '\r' && src[i+1] == '\n':
		return 2
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\f' }

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// next emits the token that starts at i and returns its end.
func (t *tokenizer) next(i int) int {
	src := t.src
	c := src[i]
	if n := newlineAt(src, i); n > 0 {
		if len(t.open) > 0 || !t.lineHasCode {
			return t.emit(tNL, i, i+n)
		}
		return t.emit(tNewline, i, i+n)
	}
	switch {
	case isSpace(c) || c == '\r':
		j := i + 1
		for j < len(src) && (isSpace(src[j]) || src[j] == '\r' && newlineAt(src, j) == 0) {
			j++
		}
		return t.emit(tWS, i, j)
	case c == '#':
		return t.emit(tComment, i, lineEnd(src, i))
	case c == '\\':
		if n := newlineAt(src, i+1); n > 0 {
			return t.emit(tCont, i, i+1+n)
		}
		return t.emit(tError, i, i+1)
	case (c == '%' || c == '!') && len(t.open) == 0 && (t.atStart || t.lastSig == "="):
		// IPython: "%env A=b", "!pip install x", "out = !ls". Neither
		// character can start a Python statement or follow "=", so this
		// never misreads valid Python.
		return t.emit(tMagic, i, lineEnd(src, i))
	case isIdentStart(c):
		j := i + 1
		for j < len(src) && isIdentChar(src[j]) {
			j++
		}
		if j < len(src) && (src[j] == '"' || src[j] == '\'') && j-i <= 2 && stringPrefixes[string(bytes.ToLower(src[i:j]))] {
			return t.str(i, j)
		}
		return t.emit(tName, i, j)
	case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
		return t.emit(tNumber, i, t.number(i))
	case c == '"' || c == '\'':
		return t.str(i, i)
	}
	return t.op(i)
}

func (t *tokenizer) number(i int) int {
	src := t.src
	hex := i+1 < len(src) && src[i] == '0' && (src[i+1] == 'x' || src[i+1] == 'X')
	j := i
	for j < len(src) {
		c := src[j]
		switch {
		case isIdentChar(c) && c < 0x80 || c == '.':
			j++
		case (c == '+' || c == '-') && !hex && (src[j-1] == 'e' || src[j-1] == 'E'):
			j++
		default:
			return j
		}
	}
	return j
}

func (t *tokenizer) op(i int) int {
	src := t.src
	for _, set := range [][]string{ops3, ops2} {
		for _, o := range set {
			if bytes.HasPrefix(src[i:], []byte(o)) {
				return t.emit(tOp, i, i+len(o))
			}
		}
	}
	c := src[i]
	if bytes.IndexByte([]byte(ops1), c) < 0 {
		return t.emit(tError, i, i+1)
	}
	switch c {
	case '(', '[', '{':
		t.open = append(t.open, i)
	case ')', ']', '}':
		if len(t.open) == 0 {
			t.errs = append(t.errs, syntaxError{i, fmt.Sprintf("%q closes nothing", c)})
		} else {
			o := t.open[len(t.open)-1]
			t.open = t.open[:len(t.open)-1]
			if closer(src[o]) != c {
				t.errs = append(t.errs, syntaxError{i, fmt.Sprintf("%q does not close %q from line %d", c, src[o], edit.LineNumber(src, o))})
			}
		}
	}
	return t.emit(tOp, i, i+1)
}

func closer(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	}
	return 0
}

// str emits the string whose prefix starts at i and whose quote is at q.
func (t *tokenizer) str(i, q int) int {
	prefix := bytes.ToLower(t.src[i:q])
	raw := bytes.IndexByte(prefix, 'r') >= 0
	fmtd := bytes.IndexByte(prefix, 'f') >= 0 || bytes.IndexByte(prefix, 't') >= 0
	end, ok := scanString(t.src, q, raw, fmtd)
	t.emit(tString, i, end)
	if !ok {
		t.toks[len(t.toks)-1].bad = true
		t.errs = append(t.errs, syntaxError{i, "string is not terminated"})
	}
	return end
}

// scanString scans the string whose opening quote is at q and returns the
// offset after its closing quote. An unterminated one-line string ends
// before the newline; an unterminated triple-quoted one at the end of text.
func scanString(src []byte, q int, raw, fmtd bool) (int, bool) {
	quote := src[q]
	triple := q+2 < len(src) && src[q+1] == quote && src[q+2] == quote
	p := q + 1
	if triple {
		p = q + 3
	}
	return scanBody(src, p, quote, triple, fmtd)
}

// scanBody scans a string's contents from p to just after its closing quote.
func scanBody(src []byte, p int, quote byte, triple, fmtd bool) (int, bool) {
	for p < len(src) {
		c := src[p]
		switch {
		case c == '\\':
			// Even in a raw string a backslash keeps the next quote from
			// ending it.
			p++
			if n := newlineAt(src, p); n > 0 {
				p += n
			} else if p < len(src) {
				p++
			}
		case c == quote:
			if !triple {
				return p + 1, true
			}
			if p+2 < len(src) && src[p+1] == quote && src[p+2] == quote {
				return p + 3, true
			}
			p++
		case !triple && newlineAt(src, p) > 0:
			return p, false
		case fmtd && c == '{':
			if p+1 < len(src) && src[p+1] == '{' {
				p += 2
				continue
			}
			end, ok := scanField(src, p+1, quote, triple)
			if !ok {
				return end, false
			}
			p = end
		default:
			p++
		}
	}
	return len(src), false
}

// scanField scans an f-string replacement field from just after its "{" to
// just after its "}". Strings inside it may reuse the outer quote (Python
// 3.12); older Pythons reject that, so reading it this way never misreads
// code they accept.
func scanField(src []byte, p int, quote byte, triple bool) (int, bool) {
	depth := 0
	spec := false // in the format spec: literal text with nested fields
	for p < len(src) {
		c := src[p]
		if !triple && newlineAt(src, p) > 0 {
			return p, false
		}
		if spec {
			switch {
			case c == '{':
				end, ok := scanField(src, p+1, quote, triple)
				if !ok {
					return end, false
				}
				p = end
				continue
			case c == '}':
				return p + 1, true
			case c == quote && (!triple || p+2 < len(src) && src[p+1] == quote && src[p+2] == quote):
				return p, false
			}
			p++
			continue
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case '}':
			if depth == 0 {
				return p + 1, true
			}
			depth--
		case ':':
			if depth == 0 {
				spec = true
			}
		case '\\':
			p++
		case '"', '\'':
			k := p
			for k > 0 && p-k < 2 && (src[k-1]|0x20) >= 'a' && (src[k-1]|0x20) <= 'z' {
				k--
			}
			prefix := bytes.ToLower(src[k:p])
			fm := bytes.IndexByte(prefix, 'f') >= 0 || bytes.IndexByte(prefix, 't') >= 0
			end, ok := scanString(src, p, false, fm)
			if !ok {
				return end, false
			}
			p = end
			continue
		}
		p++
	}
	return len(src), false
}

// Validate reports whether text tokenizes as Python (with IPython magics):
// every string terminates and every bracket is closed by its partner. It is
// the check the fixer runs on a rewritten text before writing it.
func Validate(text []byte) error {
	_, errs := tokenize(text)
	if len(errs) == 0 {
		return nil
	}
	e := errs[0]
	return fmt.Errorf("line %d: %s", edit.LineNumber(text, e.off), e.msg)
}
