package lint

import (
	"strings"
)

// This is a reader for the part of Terraform's language that holds IAM
// policies: blocks, attributes, lists, objects, strings, heredocs and
// function calls. What it cannot evaluate (references, interpolation-only
// expressions, other functions) becomes kOther.

type hclTok struct {
	kind byte // 'i' ident, 's' string, 'h' heredoc, 'n' number, 'p' punctuation, '\n' newline
	text string
	line int
}

func hclLex(src []byte) []hclTok {
	var toks []hclTok
	line := 1
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			toks = append(toks, hclTok{'\n', "\n", line})
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#' || c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(string(src[i+2:]), "*/")
			end := len(src)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			line += strings.Count(string(src[i:end]), "\n")
			i = end
		case c == '"':
			j := i + 1
			var b strings.Builder
			for j < len(src) && src[j] != '"' && src[j] != '\n' {
				if src[j] == '\\' && j+1 < len(src) {
					switch src[j+1] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(src[j+1])
					}
					j += 2
					continue
				}
				b.WriteByte(src[j])
				j++
			}
			toks = append(toks, hclTok{'s', b.String(), line})
			i = min(j+1, len(src))
		case c == '<' && i+1 < len(src) && src[i+1] == '<':
			j := i + 2
			if j < len(src) && src[j] == '-' {
				j++
			}
			k := j
			for k < len(src) && src[k] != '\n' {
				k++
			}
			marker := strings.TrimSpace(string(src[j:k]))
			start := line + 1
			body := []string{}
			p := k + 1
			for p < len(src) {
				e := p
				for e < len(src) && src[e] != '\n' {
					e++
				}
				l := string(src[p:e])
				line++
				p = e + 1
				if strings.TrimSpace(l) == marker {
					break
				}
				body = append(body, l)
			}
			toks = append(toks, hclTok{'h', strings.Join(body, "\n"), start})
			toks = append(toks, hclTok{'\n', "\n", line})
			line++
			i = p
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			toks = append(toks, hclTok{'n', string(src[i:j]), line})
			i = j
		case c == '_' || c == '-' && false || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '-' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			toks = append(toks, hclTok{'i', string(src[i:j]), line})
			i = j
		default:
			toks = append(toks, hclTok{'p', string(c), line})
			i++
		}
	}
	return toks
}

type hclParser struct {
	toks []hclTok
	i    int
	// found collects the policy documents: data blocks, jsonencode
	// objects and JSON strings.
	found []hclDoc
	depth int
}

type hclDoc struct {
	n    *node
	json string // a JSON string (heredoc) to parse; n is nil then
	line int
	key  string
}

func (p *hclParser) peek() hclTok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return hclTok{}
}

func (p *hclParser) skipNL() {
	for p.i < len(p.toks) && p.toks[p.i].kind == '\n' {
		p.i++
	}
}

// body reads attributes and blocks until a closing "}" or the end.
// blockType is the enclosing block's type and labels.
func (p *hclParser) body(labels []string) *node {
	obj := &node{kind: kObj, line: p.peek().line}
	p.depth++
	defer func() { p.depth-- }()
	for {
		p.skipNL()
		t := p.peek()
		if t.kind == 0 || t.kind == 'p' && t.text == "}" || p.depth > maxNest {
			return obj
		}
		if t.kind != 'i' {
			p.i++
			continue
		}
		name := t.text
		p.i++
		if nt := p.peek(); nt.kind == 'p' && nt.text == "=" {
			p.i++
			v := p.expr(name)
			obj.keys = append(obj.keys, name)
			obj.vals = append(obj.vals, v)
			continue
		}
		var ls []string
		for p.peek().kind == 's' || p.peek().kind == 'i' {
			ls = append(ls, p.peek().text)
			p.i++
		}
		if nt := p.peek(); nt.kind != 'p' || nt.text != "{" {
			continue
		}
		line := p.peek().line
		p.i++
		b := p.body(append([]string{name}, ls...))
		b.line = line
		p.i++ // "}"
		obj.keys = append(obj.keys, name)
		obj.vals = append(obj.vals, b)
		if name == "data" && len(ls) >= 1 && ls[0] == "aws_iam_policy_document" {
			p.found = append(p.found, hclDoc{n: policyDocument(b), line: line, key: "aws_iam_policy_document"})
		}
	}
}

// expr reads one expression; key is the attribute it is assigned to.
func (p *hclParser) expr(key string) *node {
	t := p.peek()
	n := &node{line: t.line}
	if p.depth > maxNest {
		p.i = len(p.toks)
		return n
	}
	p.depth++
	defer func() { p.depth-- }()
	switch {
	case t.kind == 's':
		p.i++
		n.kind, n.s = kStr, t.text
		if strings.HasPrefix(strings.TrimSpace(t.text), "{") {
			p.found = append(p.found, hclDoc{json: t.text, line: t.line - 1, key: key})
		}
	case t.kind == 'h':
		p.i++
		n.kind, n.s = kStr, t.text
		if strings.HasPrefix(strings.TrimSpace(t.text), "{") {
			p.found = append(p.found, hclDoc{json: t.text, line: t.line - 1, key: key})
		}
	case t.kind == 'n':
		p.i++
	case t.kind == 'p' && t.text == "[":
		p.i++
		n.kind = kList
		p.seq("]", func() { n.vals = append(n.vals, p.expr(key)) })
	case t.kind == 'p' && t.text == "{":
		p.i++
		n.kind = kObj
		p.seq("}", func() {
			c := p.peek()
			if c.kind != 'i' && c.kind != 's' {
				p.i++
				return
			}
			p.i++
			if sep := p.peek(); sep.kind == 'p' && (sep.text == "=" || sep.text == ":") {
				p.i++
			}
			n.keys = append(n.keys, c.text)
			n.vals = append(n.vals, p.expr(c.text))
		})
	case t.kind == 'i':
		p.i++
		if c := p.peek(); c.kind == 'p' && c.text == "(" {
			p.i++
			var args []*node
			p.seq(")", func() { args = append(args, p.expr(key)) })
			if t.text == "jsonencode" && len(args) == 1 {
				p.found = append(p.found, hclDoc{n: args[0], line: t.line, key: key})
				return args[0]
			}
			return n
		}
		switch t.text {
		case "true", "false", "null":
			return n
		}
		// a reference: a.b.c, a[0]
		for {
			c := p.peek()
			if c.kind == 'p' && (c.text == "." || c.text == "*") || c.kind == 'i' && p.toks[p.i-1].text == "." {
				p.i++
				continue
			}
			if c.kind == 'p' && c.text == "[" {
				for p.i < len(p.toks) && p.peek().text != "]" {
					p.i++
				}
				p.i++
				continue
			}
			break
		}
	default:
		p.i++
	}
	return n
}

// seq reads the comma- or newline-separated items of a list, object or
// argument list up to close (consumed); item reads one and must make
// progress, else the token is skipped.
func (p *hclParser) seq(close string, item func()) {
	for {
		p.skipNL()
		c := p.peek()
		if c.kind == 0 || c.kind == 'p' && c.text == close {
			p.i++
			return
		}
		if c.kind == 'p' && c.text == "," {
			p.i++
			continue
		}
		before := p.i
		item()
		if p.i == before {
			p.i++
		}
	}
}

// policyDocument turns an aws_iam_policy_document body into the JSON
// document Terraform renders (Version 2012-10-17, Effect Allow by default).
func policyDocument(b *node) *node {
	doc := &node{kind: kObj, line: b.line}
	ver := &node{kind: kStr, s: "2012-10-17", line: b.line}
	if v := b.get("version"); v != nil {
		ver = v
	}
	doc.keys, doc.vals = append(doc.keys, "Version"), append(doc.vals, ver)
	sts := &node{kind: kList, line: b.line}
	for i, k := range b.keys {
		if k != "statement" {
			continue
		}
		s := b.vals[i]
		st := &node{kind: kObj, line: s.line}
		add := func(k string, v *node) { st.keys, st.vals = append(st.keys, k), append(st.vals, v) }
		eff := &node{kind: kStr, s: "Allow", line: s.line}
		if e := s.get("effect"); e != nil {
			eff = e
		}
		add("Effect", eff)
		for _, m := range [][2]string{{"actions", "Action"}, {"not_actions", "NotAction"}, {"resources", "Resource"}, {"not_resources", "NotResource"}} {
			if v := s.get(m[0]); v != nil {
				add(m[1], v)
			}
		}
		princ := &node{kind: kObj, line: s.line}
		cond := &node{kind: kObj, line: s.line}
		for j, sk := range s.keys {
			v := s.vals[j]
			switch sk {
			case "principals":
				typ := v.get("type")
				if typ != nil && typ.kind == kStr {
					princ.keys = append(princ.keys, typ.s)
					princ.vals = append(princ.vals, v.get("identifiers"))
					princ.line = v.line
				}
			case "condition":
				test, variable := v.get("test"), v.get("variable")
				if test != nil && variable != nil && test.kind == kStr && variable.kind == kStr {
					op := cond.get(test.s)
					if op == nil {
						op = &node{kind: kObj, line: v.line}
						cond.keys, cond.vals = append(cond.keys, test.s), append(cond.vals, op)
					}
					op.keys, op.vals = append(op.keys, variable.s), append(op.vals, v.get("values"))
				}
			}
		}
		if len(princ.keys) > 0 {
			add("Principal", princ)
		}
		if len(cond.keys) > 0 {
			add("Condition", cond)
		}
		sts.vals = append(sts.vals, st)
	}
	doc.keys, doc.vals = append(doc.keys, "Statement"), append(doc.vals, sts)
	return doc
}
