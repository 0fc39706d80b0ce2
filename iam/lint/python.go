package lint

import (
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/iam/internal/pycode"
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
	x := &pyLit{Code: pycode.Parse(src), lineOf: lineOf, vars: vars}
	toks := x.Toks
	var docs []document
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Kind != python.KindName {
			continue
		}
		name := x.Text(i)
		// NAME = literal
		if x.IsOp(i+1, "=") && (i == 0 || toks[i-1].Kind == python.KindNewline) {
			if v := x.value(i+2, x.stmtEnd(i+2)); v != nil && v.kind != kOther {
				vars[name] = v
			}
			continue
		}
		keys, ok := policyArgs[name]
		if !ok || !x.IsOp(i+1, "(") || x.Pair[i+1] < 0 {
			continue
		}
		for _, arg := range x.Split(i+2, x.Pair[i+1]) {
			if !(toks[arg[0]].Kind == python.KindName && x.IsOp(arg[0]+1, "=")) {
				continue
			}
			k := x.Text(arg[0])
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
	*pycode.Code
	lineOf func(off int) (int, int, int)
	vars   map[string]*node
	nest   int
}

func (x *pyLit) stmtEnd(i int) int {
	for ; i < len(x.Toks); i++ {
		if x.Toks[i].Kind == python.KindNewline {
			return i
		}
		if x.Pair[i] > i {
			i = x.Pair[i]
		}
	}
	return len(x.Toks)
}

func (x *pyLit) at(i int) *node {
	n := &node{}
	n.line, n.cell, n.cellLine = x.lineOf(x.Toks[i].Start)
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
	t := x.Toks[a]
	switch {
	case t.Kind == python.KindString:
		s, ok := x.str(a)
		if !ok {
			return n
		}
		for k := a + 1; k < b && x.Toks[k].Kind == python.KindString; k++ {
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
		name := x.Text(a)
		// json.dumps(X)
		if name == "json" && x.IsOp(a+1, ".") && a+3 < b && x.Text(a+2) == "dumps" && x.IsOp(a+3, "(") && x.Pair[a+3] > 0 {
			args := x.Split(a+4, x.Pair[a+3])
			if len(args) > 0 {
				return x.value(args[0][0], args[0][1])
			}
		}
		if a+1 == b {
			if v, ok := x.vars[name]; ok {
				return v
			}
		}
	case x.IsOp(a, "{") && x.Pair[a] > 0:
		n.kind = kObj
		for _, it := range x.Split(a+1, x.Pair[a]) {
			colon := x.Find(it[0], it[1], ":")
			if colon < 0 || x.Toks[it[0]].Kind != python.KindString {
				continue
			}
			key, _ := x.str(it[0])
			v := x.value(colon+1, it[1])
			if v == nil {
				v = x.at(colon)
			}
			n.keys, n.vals = append(n.keys, key), append(n.vals, v)
		}
	case x.IsOp(a, "[") && x.Pair[a] > 0:
		n.kind = kList
		for _, it := range x.Split(a+1, x.Pair[a]) {
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
	body, pre, ok := x.String(i)
	if !ok || strings.ContainsAny(pre, "fb") {
		return "", false
	}
	if strings.Contains(pre, "r") || !strings.Contains(body, `\`) {
		return body, true
	}
	u, err := strconv.Unquote(`"` + strings.ReplaceAll(body, `"`, `\"`) + `"`)
	return u, err == nil
}
