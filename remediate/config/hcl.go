package config

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// htok is an HCL token: kind is 'i' (identifier), 's' (string or
// heredoc), 'n' (number), 'c' (comment), 'o' (a two-character operator),
// '\n', or the punctuation byte itself.
type htok struct {
	kind       byte
	start, end int
}

type hclLexer struct {
	text []byte
	toks []htok
	err  error
}

func (lx *hclLexer) fail(off int, msg string) {
	if lx.err == nil {
		lx.err = errorAt(lx.text, off, "%s", msg)
	}
}

func lexHCL(text []byte) ([]htok, error) {
	lx := &hclLexer{text: text}
	t := text
	for i := 0; i < len(t) && lx.err == nil; {
		c := t[i]
		start := i
		kind := c
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#' || c == '/' && i+1 < len(t) && t[i+1] == '/':
			kind, i = 'c', eol(t, i)
		case c == '/' && i+1 < len(t) && t[i+1] == '*':
			e := bytes.Index(t[i+2:], []byte("*/"))
			if e < 0 {
				lx.fail(i, "unterminated /* comment")
				continue
			}
			kind, i = 'c', i+2+e+2
		case c == '"':
			kind, i = 's', lx.str(i+1)
		case c == '<' && i+1 < len(t) && t[i+1] == '<':
			kind, i = 's', lx.heredoc(i)
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			for i < len(t) && (t[i] == '_' || t[i] == '-' || t[i] >= 'a' && t[i] <= 'z' || t[i] >= 'A' && t[i] <= 'Z' || t[i] >= '0' && t[i] <= '9') {
				i++
			}
			kind = 'i'
		case c >= '0' && c <= '9':
			for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.' || t[i] == 'e' || t[i] == 'E') {
				i++
			}
			kind = 'n'
		case strings.IndexByte("=!<>&|", c) >= 0 && i+1 < len(t) && strings.IndexByte("=>&|", t[i+1]) >= 0:
			kind, i = 'o', i+2
		default:
			i++
		}
		lx.toks = append(lx.toks, htok{kind, start, i})
	}
	return lx.toks, lx.err
}

// eol returns the offset of the line break at or after i (or the end).
func eol(t []byte, i int) int {
	if e := bytes.IndexByte(t[i:], '\n'); e >= 0 {
		return i + e
	}
	return len(t)
}

// str returns the offset after the quote closing a string whose content
// starts at i, skipping ${ } and %{ } templates (which may hold strings).
func (lx *hclLexer) str(i int) int {
	t := lx.text
	for i < len(t) {
		switch c := t[i]; {
		case c == '\\':
			i += 2
		case c == '"':
			return i + 1
		case c == '\n':
			lx.fail(i, "unterminated string")
			return i
		case (c == '$' || c == '%') && i+1 < len(t) && t[i+1] == c:
			i += 2 // $${ and %%{ are literal
		case (c == '$' || c == '%') && i+1 < len(t) && t[i+1] == '{':
			i += 2
			for depth := 1; depth > 0 && i < len(t); {
				switch t[i] {
				case '"':
					i = lx.str(i + 1)
					continue
				case '{':
					depth++
				case '}':
					depth--
				}
				i++
			}
		default:
			i++
		}
	}
	lx.fail(i, "unterminated string")
	return i
}

// heredoc returns the offset after a <<EOF or <<-EOF heredoc's terminator.
func (lx *hclLexer) heredoc(i int) int {
	t := lx.text
	e := eol(t, i)
	marker := strings.TrimSpace(strings.TrimLeft(string(t[i+2:e]), "-"))
	if marker == "" {
		lx.fail(i, "heredoc without a marker")
		return e
	}
	for j := e + 1; j < len(t); {
		k := eol(t, j)
		if strings.TrimSpace(string(t[j:k])) == marker {
			return k
		}
		j = k + 1
	}
	lx.fail(i, "heredoc "+marker+" is not terminated")
	return len(t)
}

// hclBlock is a block: `type "label" ... { body }`.
type hclBlock struct {
	typ    string
	labels []string
	parent *hclBlock
}

func (b *hclBlock) label(i int) string {
	if b == nil || i >= len(b.labels) {
		return ""
	}
	return b.labels[i]
}

// hclAttr is `name = expression`, from the name to the end of the
// expression; eq is the offset of the `=`, valStart of the expression.
type hclAttr struct {
	name                     string
	start, eq, valStart, end int
	block                    *hclBlock // nil at the top level (.tfvars)
}

type hclParser struct {
	text  []byte
	toks  []htok
	i     int
	attrs []hclAttr
	err   error
}

func parseHCL(text []byte) ([]hclAttr, error) {
	toks, err := lexHCL(text)
	if err != nil {
		return nil, err
	}
	h := &hclParser{text: text, toks: toks}
	h.body(nil)
	return h.attrs, h.err
}

func (h *hclParser) fail(t htok, msg string) {
	if h.err == nil {
		h.err = errorAt(h.text, t.start, "%s", msg)
	}
	h.i = len(h.toks)
}

func (h *hclParser) str(t htok) string { return string(h.text[t.start:t.end]) }

func (h *hclParser) body(b *hclBlock) {
	for h.i < len(h.toks) {
		t := h.toks[h.i]
		switch {
		case t.kind == '\n' || t.kind == 'c':
			h.i++
		case t.kind == '}' && b != nil:
			h.i++
			return
		case t.kind == 'i' && h.i+1 < len(h.toks) && h.toks[h.i+1].kind == '=':
			a := hclAttr{name: h.str(t), start: t.start, eq: h.toks[h.i+1].start, block: b}
			h.i += 2
			if h.i < len(h.toks) {
				a.valStart = h.toks[h.i].start
			}
			a.end = h.expr()
			if a.end < 0 {
				h.fail(t, "attribute "+a.name+" has no value")
				return
			}
			h.attrs = append(h.attrs, a)
		case t.kind == 'i':
			nb := &hclBlock{typ: h.str(t), parent: b}
			j := h.i + 1
			for j < len(h.toks) && (h.toks[j].kind == 's' || h.toks[j].kind == 'i') {
				nb.labels = append(nb.labels, strings.Trim(h.str(h.toks[j]), `"`))
				j++
			}
			if j >= len(h.toks) || h.toks[j].kind != '{' {
				h.fail(t, "expected an attribute or a block")
				return
			}
			h.i = j + 1
			h.body(nb)
		default:
			h.fail(t, "unexpected "+h.str(t))
			return
		}
	}
	if b != nil {
		h.fail(htok{start: len(h.text)}, "block "+b.typ+" is not closed")
	}
}

// expr skips an expression and returns the end of its last token: it ends
// at a line break or a `}` outside brackets.
func (h *hclParser) expr() int {
	end := -1
	for depth := 0; h.i < len(h.toks); h.i++ {
		t := h.toks[h.i]
		switch t.kind {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return end
			}
			depth--
		case '\n':
			if depth == 0 {
				return end
			}
		case 'c':
			continue
		}
		end = t.end
	}
	return end
}

func validateHCL(text []byte) error {
	_, err := parseHCL(text)
	return err
}

// tfKeys are the static credential arguments of the AWS provider and the
// S3 backend.
var tfKeys = map[string]bool{"access_key": true, "secret_key": true, "token": true}

func credBlock(b *hclBlock) string {
	switch {
	case b == nil:
	case b.typ == "provider" && b.label(0) == "aws":
		return `Terraform provider "aws" credentials`
	case b.typ == "backend" && b.label(0) == "s3" && b.parent != nil && b.parent.typ == "terraform":
		return `Terraform backend "s3" credentials`
	}
	return ""
}

// Terraform rewrites the AWS provider and S3 backend blocks of .tf files:
// access_key, secret_key and token go; with a profile, `profile = "P"`
// takes the place of the first.
func Terraform(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindTerraform, text, targets)
	attrs, err := parseHCL(text)
	if err != nil {
		return p.result(fmt.Sprintf("the file could not be read as HCL (%v): delete the credentials by hand", err))
	}
	ls := splitLines(text)
	var blocks []*hclBlock
	group := map[*hclBlock][]int{}
	for _, a := range attrs {
		ts := p.within(a.start, a.end)
		if len(ts) == 0 {
			continue
		}
		var reason string
		switch b := a.block; {
		case credBlock(b) != "" && tfKeys[a.name]:
			if group[b] == nil {
				blocks = append(blocks, b)
			}
			group[b] = append(group[b], ts...)
			continue
		case b != nil && b.typ == "variable" && a.name == "default":
			v := b.label(0)
			reason = fmt.Sprintf("remove the default of variable %q and pass the value from the environment (TF_VAR_%s) or a secret store; better, drop the variable and let the provider use a profile or role", v, v)
		case b == nil:
			reason = fmt.Sprintf("remove %s from this file and pass it from the environment (TF_VAR_%s) or a secret store; better, drop the variable and let the provider use a profile or role", a.name, a.name)
		default:
			reason = "move this value out of the configuration: read it from a variable fed by TF_VAR_... or from a secret store (data \"aws_secretsmanager_secret_version\")"
		}
		p.manualAll(ts, reason)
	}
	for _, b := range blocks {
		tfBlock(p, ls, attrs, b, group[b], opts)
	}
	if len(p.edits) > 0 {
		if opts.Profile != "" {
			p.note("profile %s must exist in ~/.aws/config wherever terraform runs (aws configure sso --profile %s); in CI prefer an OIDC role to a profile", opts.Profile, opts.Profile)
		} else {
			p.note("terraform now uses the default credential chain: set AWS_PROFILE or run `aws sso login` locally, and use an OIDC role in CI")
		}
	}
	return p.result(reasonUnknown)
}

// tfBlock deletes the credential attributes of one block.
func tfBlock(p *plan, ls []line, attrs []hclAttr, b *hclBlock, ts []int, opts edit.Options) {
	var keys []hclAttr
	hasProfile := false
	for _, a := range attrs {
		if a.block == b && tfKeys[a.name] {
			keys = append(keys, a)
		}
		hasProfile = hasProfile || a.block == b && a.name == "profile"
	}
	for _, a := range keys {
		if !alone(p.text, a.start, a.end, "#", "//") {
			p.manualAll(ts, "the credential shares its line with other code (a one-line block?): delete it by hand")
			return
		}
	}
	for k, a := range keys {
		first, last := lineOf(ls, a.start), lineOf(ls, a.end-1)
		if k == 0 && opts.Profile != "" && !hasProfile {
			p.add(replaceLine(ls, first, last, tfProfileLine(p.text, ls, attrs, b, a, opts.Profile)))
			continue
		}
		p.add(deleteLines(ls, first, last))
	}
	p.fixAll(ts, credBlock(b))
}

// tfProfileLine writes `profile = "P"` in place of attribute a, with its
// indentation. The `=` is aligned with the neighbouring attributes only
// when they are aligned with each other (as terraform fmt leaves them);
// otherwise one blank separates name and `=`.
func tfProfileLine(text []byte, ls []line, attrs []hclAttr, b *hclBlock, a hclAttr, profile string) string {
	at := lineOf(ls, a.start)
	col := func(x hclAttr) int { return x.eq - ls[lineOf(ls, x.eq)].start }
	var cols []int
	for _, x := range attrs {
		if x.block != b || tfKeys[x.name] || lineOf(ls, x.start) != lineOf(ls, x.end-1) {
			continue
		}
		// Neighbours: single-line attributes in the run of attribute
		// lines around a, the group terraform fmt aligns.
		if runOfAttrs(ls, attrs, b, at, lineOf(ls, x.start)) {
			cols = append(cols, col(x))
		}
	}
	indent := string(text[ls[at].start:a.start])
	pad := " "
	if len(cols) > 0 && sameInts(cols) && cols[0]-len(indent)-len("profile") > 1 {
		pad = strings.Repeat(" ", cols[0]-len(indent)-len("profile"))
	}
	return indent + "profile" + pad + string(text[a.eq:a.valStart]) + dquote(profile)
}

// runOfAttrs reports whether every line between lines x and y (inclusive)
// starts an attribute of block b.
func runOfAttrs(ls []line, attrs []hclAttr, b *hclBlock, x, y int) bool {
	if x > y {
		x, y = y, x
	}
	starts := map[int]bool{}
	for _, a := range attrs {
		if a.block == b {
			starts[lineOf(ls, a.start)] = true
		}
	}
	for l := x; l <= y; l++ {
		if !starts[l] {
			return false
		}
	}
	return true
}

func sameInts(xs []int) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}
