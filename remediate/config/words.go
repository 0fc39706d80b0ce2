package config

import (
	"bytes"
	"strings"
)

// token is a shell word or operator with its byte span; op is "" for a
// word and the operator otherwise ("\n" ends a line).
type token struct {
	start, end int
	op         string
}

// lexer splits shell text, or the arguments of a Dockerfile instruction,
// into words. It keeps quotes, escapes and substitutions inside the word
// they belong to, so a word's span is exactly what deleting it removes.
type lexer struct {
	text   []byte
	escape byte // '\\', or the Dockerfile's `# escape=` character
	// shell turns on what only a shell has: operators, comments,
	// backquotes and here-documents.
	shell    bool
	toks     []token
	heredocs []span // here-document bodies, terminator line included
	pending  []heredoc
	// wantDelim: the last word was a bare `<<`, so the next is a delimiter.
	wantDelim, wantStrip bool
	err                  error
}

type heredoc struct {
	delim string
	strip bool // <<- strips leading tabs from the terminator line
}

func lexShell(text []byte) *lexer {
	lx := &lexer{text: text, escape: '\\', shell: true}
	lx.run(0, len(text))
	return lx
}

// lexArgs splits a Dockerfile instruction's arguments in [start, end).
func lexArgs(text []byte, start, end int, escape byte) *lexer {
	lx := &lexer{text: text, escape: escape}
	lx.run(start, end)
	return lx
}

func (lx *lexer) fail(off int, format string, args ...any) {
	if lx.err == nil {
		lx.err = errorAt(lx.text, off, format, args...)
	}
}

func (lx *lexer) run(i, end int) {
	t := lx.text
	for i < end && lx.err == nil {
		c := t[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == lx.escape && lx.continuation(i) > 0:
			i = lx.continuation(i)
		case c == '\n':
			i++
			if lx.shell {
				lx.toks = append(lx.toks, token{i - 1, i, "\n"})
				i = lx.bodies(i)
			}
		case lx.shell && c == '#':
			for i < end && t[i] != '\n' {
				i++
			}
		case lx.shell && strings.IndexByte(";&|()", c) >= 0:
			n := 1
			if i+1 < end && (t[i+1] == c && c != '(' && c != ')' || c == '|' && t[i+1] == '&') {
				n = 2
			}
			lx.toks = append(lx.toks, token{i, i + n, string(t[i : i+n])})
			i += n
		default:
			i = lx.word(i, end)
		}
	}
	if lx.err == nil && len(lx.pending) > 0 {
		lx.fail(end, "here-document %q is not terminated", lx.pending[0].delim)
	}
}

// continuation returns the offset after an escaped line break at i, or 0.
// A Dockerfile allows blanks between the escape and the line break, and
// comment lines inside a continued instruction.
func (lx *lexer) continuation(i int) int {
	t := lx.text
	j := i + 1
	if !lx.shell {
		for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
			j++
		}
	}
	if j < len(t) && t[j] == '\r' {
		j++
	}
	if j >= len(t) || t[j] != '\n' {
		return 0
	}
	j++
	for !lx.shell && j < len(t) {
		k := j
		for k < len(t) && (t[k] == ' ' || t[k] == '\t') {
			k++
		}
		if k >= len(t) || t[k] != '#' {
			break
		}
		for k < len(t) && t[k] != '\n' {
			k++
		}
		j = min(k+1, len(t))
	}
	return j
}

func (lx *lexer) word(i, end int) int {
	t := lx.text
	start := i
	for i < end && lx.err == nil {
		c := t[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if lx.shell && strings.IndexByte(";&|()", c) >= 0 {
			switch {
			case c == '&' && i > start && (t[i-1] == '>' || t[i-1] == '<'): // 2>&1
				i++
				continue
			case c == '(' && i > start && t[i-1] == '=': // arr=(a b)
				i = lx.balanced(i+1, '(', ')')
				continue
			}
			break
		}
		switch c {
		case lx.escape:
			if n := lx.continuation(i); n > 0 {
				i = n
			} else {
				i += 2
			}
		case '\'':
			i = lx.closeQuote(i+1, '\'', false)
		case '"':
			i = lx.closeQuote(i+1, '"', true)
		case '`':
			if lx.shell {
				i = lx.closeQuote(i+1, '`', true)
			} else {
				i++
			}
		case '$':
			switch {
			case i+1 < end && t[i+1] == '(':
				i = lx.balanced(i+2, '(', ')')
			case i+1 < end && t[i+1] == '{':
				i = lx.balanced(i+2, '{', '}')
			case lx.shell && i+1 < end && t[i+1] == '\'':
				i = lx.closeQuote(i+2, '\'', true)
			default:
				i++
			}
		default:
			i++
		}
	}
	i = min(i, end)
	lx.toks = append(lx.toks, token{start, i, ""})
	if lx.shell {
		lx.hereWord(start, i)
	}
	return i
}

// closeQuote returns the offset after the quote q that closes a quoted
// part starting at i.
func (lx *lexer) closeQuote(i int, q byte, escapes bool) int {
	t := lx.text
	for i < len(t) {
		switch c := t[i]; {
		case c == q:
			return i + 1
		case escapes && c == lx.escape:
			i += 2
		case q == '"' && c == '$' && i+1 < len(t) && t[i+1] == '(':
			i = lx.balanced(i+2, '(', ')')
		case q == '"' && lx.shell && c == '`':
			i = lx.closeQuote(i+1, '`', true)
		default:
			i++
		}
	}
	lx.fail(len(t), "unterminated %c quote", q)
	return len(t)
}

// balanced returns the offset after the close that matches an open already
// read, skipping quoted parts.
func (lx *lexer) balanced(i int, open, close byte) int {
	t := lx.text
	for depth := 1; i < len(t); {
		switch c := t[i]; c {
		case lx.escape:
			i += 2
			continue
		case '\'':
			i = lx.closeQuote(i+1, '\'', false)
			continue
		case '"':
			i = lx.closeQuote(i+1, '"', true)
			continue
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	lx.fail(len(t), "unterminated %c", open)
	return len(t)
}

// hereWord notes a here-document started by the word text[s:e]
// (`<<EOF`, `<<-'EOF'`, or `<<` followed by the delimiter word).
func (lx *lexer) hereWord(s, e int) {
	w := string(lx.text[s:e])
	if lx.wantDelim {
		lx.wantDelim = false
		lx.pending = append(lx.pending, heredoc{unquoteWord(w), lx.wantStrip})
		return
	}
	k := strings.Index(w, "<<")
	if k < 0 || strings.Contains(w, "<<<") || strings.ContainsAny(w[:k], `'"`) {
		return
	}
	d := w[k+2:]
	strip := strings.HasPrefix(d, "-")
	d = strings.TrimPrefix(d, "-")
	if d == "" {
		lx.wantDelim, lx.wantStrip = true, strip
		return
	}
	lx.pending = append(lx.pending, heredoc{unquoteWord(d), strip})
}

// bodies skips the bodies of pending here-documents that start at i.
func (lx *lexer) bodies(i int) int {
	t := lx.text
	for _, h := range lx.pending {
		start := i
		found := false
		for i < len(t) && !found {
			e := bytes.IndexByte(t[i:], '\n')
			next := len(t)
			if e >= 0 {
				next = i + e + 1
			} else {
				e = len(t) - i
			}
			l := strings.TrimSuffix(string(t[i:i+e]), "\r")
			if h.strip {
				l = strings.TrimLeft(l, "\t")
			}
			found = l == h.delim
			i = next
		}
		if !found {
			lx.fail(start, "here-document %q is not terminated", h.delim)
			return len(t)
		}
		lx.heredocs = append(lx.heredocs, span{start, i})
	}
	lx.pending = nil
	return i
}

// unquoteWord removes shell quotes and escapes from a simple word.
func unquoteWord(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '\'', '"':
		case '\\':
			if i+1 < len(w) {
				i++
				b.WriteByte(w[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// assignment splits a word NAME=VALUE; ok is false for other words.
func assignment(w string) (name, value string, ok bool) {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return "", "", false
	}
	name = strings.TrimSuffix(w[:eq], "+")
	for i, c := range name {
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return "", "", false
		}
	}
	return name, w[eq+1:], name != ""
}
