// Package lint finds IAM policy documents in JSON, Terraform,
// CloudFormation/SAM (YAML or JSON) and Python/notebook code, and checks
// them for the mistakes that make a role over-privileged or assumable by
// the wrong principal. Every source is turned into one tree (node) with
// line numbers, and the checks read only that tree.
package lint

import (
	"strings"

	"github.com/rolecall/rolecall/ipynb"
)

// kind is a node's type.
type kind uint8

const (
	kOther kind = iota // a number, bool, null, or an expression rolecall cannot evaluate
	kStr
	kList
	kObj
)

// node is a policy value with the line it starts on (in the file as
// stored) and, in notebooks, its cell and line in the cell.
type node struct {
	kind     kind
	s        string
	keys     []string
	vals     []*node
	line     int
	cell     int
	cellLine int
}

// get returns the member named key (case-sensitive, as IAM is), or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kObj {
		return nil
	}
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// strs lists a string or a list's strings; other values give "?" so that
// a check treats them as unknown rather than absent.
func (n *node) strs() []string {
	switch {
	case n == nil:
		return nil
	case n.kind == kStr:
		return []string{n.s}
	case n.kind == kList:
		var out []string
		for _, v := range n.vals {
			out = append(out, v.strs()...)
		}
		return out
	}
	return []string{"?"}
}

// statements lists a document's statements (a single object or a list).
func (n *node) statements() []*node {
	st := n.get("Statement")
	if st == nil {
		return nil
	}
	if st.kind == kObj {
		return []*node{st}
	}
	var out []*node
	for _, v := range st.vals {
		if v.kind == kObj {
			out = append(out, v)
		}
	}
	return out
}

// fromJSON converts a parsed JSON value; lineOf maps a file offset to
// (line, cell, cell line).
func fromJSON(v *ipynb.Value, lineOf func(off int) (int, int, int)) *node {
	n := &node{}
	n.line, n.cell, n.cellLine = lineOf(v.Start)
	switch v.Kind {
	case ipynb.JSONString:
		n.kind, n.s = kStr, v.Decode()
	case ipynb.JSONArray:
		n.kind = kList
		for i := range v.Elems {
			n.vals = append(n.vals, fromJSON(&v.Elems[i], lineOf))
		}
	case ipynb.JSONObject:
		n.kind = kObj
		for i := range v.Members {
			m := &v.Members[i]
			n.keys = append(n.keys, m.Name())
			n.vals = append(n.vals, fromJSON(&m.Value, lineOf))
		}
	}
	return n
}

// docRole says what a document is for, from the key that holds it.
type docRole uint8

const (
	roleAny      docRole = iota // identity or resource policy
	roleTrust                   // AssumeRolePolicyDocument, assume_role_policy
	roleIdentity                // PolicyDocument of a role/user/group policy
)

// document is a policy found in a file.
type document struct {
	root *node
	role docRole
}

// findDocs walks a tree for policy documents: objects with a Statement
// (and a Version, or statements with an Effect), labelled by the key that
// holds them.
func findDocs(n *node, parentKey string, out *[]document) {
	if n == nil {
		return
	}
	if n.kind == kObj {
		if st := n.get("Statement"); st != nil && (n.get("Version") != nil || looksLikeStatements(st)) {
			*out = append(*out, document{root: n, role: roleFor(parentKey, n)})
			return
		}
		for i, k := range n.keys {
			findDocs(n.vals[i], k, out)
		}
		return
	}
	for _, v := range n.vals {
		findDocs(v, parentKey, out)
	}
}

func looksLikeStatements(st *node) bool {
	if st.kind == kObj {
		return st.get("Effect") != nil
	}
	for _, v := range st.vals {
		if v.get("Effect") != nil {
			return true
		}
	}
	return false
}

func roleFor(key string, doc *node) docRole {
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "assumerole") || strings.Contains(k, "assume_role"):
		return roleTrust
	case k == "policydocument":
		return roleIdentity
	}
	for _, s := range doc.statements() {
		for _, a := range s.get("Action").strs() {
			if strings.HasPrefix(strings.ToLower(a), "sts:assumerole") && s.get("Principal") != nil {
				return roleTrust
			}
		}
	}
	return roleAny
}
