package lint

import (
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/remediate/python"
)

// policyArgs are the boto3 IAM/S3 methods that take a policy document, and
// the keyword that holds it.
var policyArgs = map[string][]string{
	"put_role_policy": {"PolicyDocument"}, "put_user_policy": {"PolicyDocument"}, "put_group_policy": {"PolicyDocument"},
	"create_policy": {"PolicyDocument"}, "create_policy_version": {"PolicyDocument"},
	"create_role": {"AssumeRolePolicyDocument"}, "update_assume_role_policy": {"PolicyDocument"},
	"put_bucket_policy": {"Policy"},
}

// pyDocs finds the policy documents passed to those methods in Python
// code: dict literals (directly, through json.dumps, or through a name
// bound to one) and JSON string literals. lineOf maps an offset in src.
func pyDocs(src []byte, lineOf func(off int) (int, int, int), vars map[string]*node) []document {
	var toks []python.Token
	for _, t := range python.Tokens(src) {
		switch t.Kind {
		case python.KindSpace, python.KindNL, python.KindComment, python.KindCont:
			continue
		}
		toks = append(toks, t)
	}
	x := &pyLit{src: src, toks: toks, lineOf: lineOf, vars: vars}
	x.pairs()
	var docs []document
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Kind != python.KindName {
			continue
		}
		name := x.text(i)
		// NAME = literal
		if x.isOp(i+1, "=") && (i == 0 || toks[i-1].Kind == python.KindNewline) {
			if v := x.value(i+2, x.stmtEnd(i+2)); v != nil && v.kind != kOther {
				vars[name] = v
			}
			continue
		}
		keys, ok := policyArgs[name]
		if !ok || !x.isOp(i+1, "(") || x.pair[i+1] < 0 {
			continue
		}
		for _, arg := range x.split(i+2, x.pair[i+1]) {
			if !(toks[arg[0]].Kind == python.KindName && x.isOp(arg[0]+1, "=")) {
				continue
			}
			k := x.text(arg[0])
			for _, want := range keys {
				if k != want {
					continue
				}
				v := x.value(arg[0]+2, arg[1])
				if v == nil || v.kind != kObj {
					continue
				}
				role := roleFor(k, v)
				if name == "create_policy" || name == "put_role_policy" || name == "put_user_policy" {
					role = roleIdentity
				}
				docs = append(docs, document{root: v, role: role})
			}
		}
	}
	return docs
}

// maxNest bounds the nesting of literals and expressions followed.
const maxNest = 200

type pyLit struct {
	src    []byte
	toks   []python.Token
	pair   []int
	lineOf func(off int) (int, int, int)
	vars   map[string]*node
	nest   int
}

func (x *pyLit) text(i int) string { return string(x.src[x.toks[i].Start:x.toks[i].End]) }

func (x *pyLit) isOp(i int, s string) bool {
	return i >= 0 && i < len(x.toks) && x.toks[i].Kind == python.KindOp && x.text(i) == s
}

func (x *pyLit) pairs() {
	x.pair = make([]int, len(x.toks))
	var st []int
	for i := range x.toks {
		x.pair[i] = -1
		if x.toks[i].Kind != python.KindOp {
			continue
		}
		switch x.text(i) {
		case "(", "[", "{":
			st = append(st, i)
		case ")", "]", "}":
			if len(st) > 0 {
				o := st[len(st)-1]
				st = st[:len(st)-1]
				x.pair[o], x.pair[i] = i, o
			}
		}
	}
}

func (x *pyLit) stmtEnd(i int) int {
	for ; i < len(x.toks); i++ {
		if x.toks[i].Kind == python.KindNewline {
			return i
		}
		if x.pair[i] > i {
			i = x.pair[i]
		}
	}
	return len(x.toks)
}

func (x *pyLit) split(a, b int) [][2]int {
	var out [][2]int
	s := a
	for i := a; i < b; i++ {
		if x.pair[i] > i {
			i = x.pair[i]
			continue
		}
		if x.isOp(i, ",") {
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

func (x *pyLit) at(i int) *node {
	n := &node{}
	n.line, n.cell, n.cellLine = x.lineOf(x.toks[i].Start)
	return n
}

// value converts the literal in [a, b).
func (x *pyLit) value(a, b int) *node {
	if a >= b || x.nest > maxNest {
		return nil
	}
	x.nest++
	defer func() { x.nest-- }()
	n := x.at(a)
	t := x.toks[a]
	switch {
	case t.Kind == python.KindString:
		s, ok := x.str(a)
		if !ok {
			return n
		}
		for k := a + 1; k < b && x.toks[k].Kind == python.KindString; k++ {
			more, ok := x.str(k)
			if !ok {
				return n
			}
			s += more
		}
		if strings.HasPrefix(strings.TrimSpace(s), "{") {
			if doc := jsonNode([]byte(s), func(off int) (int, int, int) { return n.line, n.cell, n.cellLine }); doc != nil {
				return doc
			}
		}
		n.kind, n.s = kStr, s
	case t.Kind == python.KindName:
		name := x.text(a)
		// json.dumps(X)
		if name == "json" && x.isOp(a+1, ".") && a+3 < b && x.text(a+2) == "dumps" && x.isOp(a+3, "(") && x.pair[a+3] > 0 {
			args := x.split(a+4, x.pair[a+3])
			if len(args) > 0 {
				return x.value(args[0][0], args[0][1])
			}
		}
		if a+1 == b {
			if v, ok := x.vars[name]; ok {
				return v
			}
		}
	case x.isOp(a, "{") && x.pair[a] > 0:
		n.kind = kObj
		for _, it := range x.split(a+1, x.pair[a]) {
			colon := -1
			for k := it[0]; k < it[1]; k++ {
				if x.pair[k] > k {
					k = x.pair[k]
					continue
				}
				if x.isOp(k, ":") {
					colon = k
					break
				}
			}
			if colon < 0 || x.toks[it[0]].Kind != python.KindString {
				continue
			}
			key, _ := x.str(it[0])
			v := x.value(colon+1, it[1])
			if v == nil {
				v = x.at(colon)
			}
			n.keys, n.vals = append(n.keys, key), append(n.vals, v)
		}
	case x.isOp(a, "[") && x.pair[a] > 0:
		n.kind = kList
		for _, it := range x.split(a+1, x.pair[a]) {
			if v := x.value(it[0], it[1]); v != nil {
				n.vals = append(n.vals, v)
			}
		}
	}
	return n
}

// str decodes a plain string literal; f-strings and bytes are not
// literals.
func (x *pyLit) str(i int) (string, bool) {
	s := x.text(i)
	k := strings.IndexAny(s, `'"`)
	if k < 0 || x.toks[i].Bad {
		return "", false
	}
	pre := strings.ToLower(s[:k])
	if strings.ContainsAny(pre, "fb") {
		return "", false
	}
	body := s[k:]
	if strings.Contains(pre, "r") || !strings.Contains(body, `\`) {
		q := 1
		if len(body) >= 6 && body[1] == body[0] && body[2] == body[0] {
			q = 3
		}
		return body[q : len(body)-q], true
	}
	if body[0] == '\'' && len(body) >= 2 && !strings.HasPrefix(body, "'''") {
		body = `"` + strings.ReplaceAll(body[1:len(body)-1], `"`, `\"`) + `"`
	}
	u, err := strconv.Unquote(body)
	return u, err == nil
}
