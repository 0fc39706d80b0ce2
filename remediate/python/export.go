package python

import "strings"

// This file is the read-only view of the tokenizer that the iam package's
// call analysis uses, so that Python (and R, whose call syntax the same
// tokens cover) is split into tokens by one tokenizer only.

// TokenKind is the class of a Token.
type TokenKind uint8

// Token kinds, as the tokenizer names them.
const (
	KindSpace   = TokenKind(tWS)
	KindNL      = TokenKind(tNL)
	KindNewline = TokenKind(tNewline)
	KindComment = TokenKind(tComment)
	KindCont    = TokenKind(tCont)
	KindName    = TokenKind(tName)
	KindNumber  = TokenKind(tNumber)
	KindString  = TokenKind(tString)
	KindOp      = TokenKind(tOp)
	KindMagic   = TokenKind(tMagic)
	KindError   = TokenKind(tError)
)

// Token is a span of the text.
type Token struct {
	Kind       TokenKind
	Start, End int
	// Bad marks a string that does not terminate.
	Bad bool
}

// ShellWord is one word of a shell command line, quotes kept.
type ShellWord struct {
	Text       string
	Start, End int
}

// ShellWords splits src[a:b] into words as the magic parser does; complex
// is true when the line has shell syntax beyond words (pipes, redirections,
// command substitution).
func ShellWords(src []byte, a, b int) (words []ShellWord, complex bool) {
	ws, complex := shellWords(src, a, b)
	for _, w := range ws {
		words = append(words, ShellWord{Text: w.text, Start: w.start, End: w.end})
	}
	return words, complex
}

// StringParts splits a terminated string literal's text into the text
// between its quotes (escapes not decoded) and its prefix, lower-cased;
// ok is false when the quotes do not enclose anything well-formed.
func StringParts(lit string) (body, prefix string, ok bool) {
	k := strings.IndexAny(lit, `'"`)
	if k < 0 {
		return "", "", false
	}
	prefix = strings.ToLower(lit[:k])
	body = lit[k:]
	q := 1
	if len(body) >= 6 && body[1] == body[0] && body[2] == body[0] {
		q = 3
	}
	if len(body) < 2*q {
		return "", prefix, false
	}
	return body[q : len(body)-q], prefix, true
}

// Significant returns src's tokens but spaces, comments, continuations and
// non-logical newlines, with the partner of each bracket among them (-1 for
// other tokens and unbalanced brackets), as the rewriter pairs them.
func Significant(src []byte) ([]Token, []int) {
	p := parse(src)
	idx := make([]int, len(p.toks))
	var toks []Token
	for i, t := range p.toks {
		idx[i] = -1
		if trivia(t.kind) {
			continue
		}
		idx[i] = len(toks)
		toks = append(toks, Token{Kind: TokenKind(t.kind), Start: t.start, End: t.end, Bad: t.bad})
	}
	pair := make([]int, len(toks))
	for i := range p.toks {
		if idx[i] < 0 {
			continue
		}
		pair[idx[i]] = -1
		if o := p.pair[i]; o >= 0 {
			pair[idx[i]] = idx[o]
		}
	}
	return toks, pair
}
