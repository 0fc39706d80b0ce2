// Package policy holds IAM policy documents: the grouping of (action,
// resource) pairs into statements and their JSON, text and Terraform forms.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Version is the current IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement. Action and Resource are always lists here;
// Principal and Condition only when set.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    []string   `json:"Action"`
	Resource  []string   `json:"Resource,omitempty"`
	Condition Condition  `json:"Condition,omitempty"`
}

// Principal names who a trust policy lets assume the role.
type Principal struct {
	Service   string `json:"Service,omitempty"`
	Federated string `json:"Federated,omitempty"`
	AWS       string `json:"AWS,omitempty"`
}

// Condition is operator -> key -> values.
type Condition map[string]map[string][]string

// key is the canonical form of a condition, for grouping.
func (c Condition) key() string {
	if len(c) == 0 {
		return ""
	}
	b, _ := json.Marshal(c) // map keys are sorted by encoding/json
	return string(b)
}

// Grant is one permission the code needs: an action on a resource, with an
// optional condition (an s3:prefix on ListBucket, iam:PassedToService on
// PassRole).
type Grant struct {
	Action    string
	Resource  string
	Condition Condition
}

// Build groups grants into statements: first the actions each (resource,
// condition) needs, then the resources that need the same action set under
// the same condition, so each statement is one action set on the resources
// that need exactly it. Sids are derived from the services and numbered.
func Build(grants []Grant) Document {
	type rc struct{ res, cond string }
	actions := map[rc]map[string]bool{}
	conds := map[string]Condition{}
	for _, g := range grants {
		k := rc{g.Resource, g.Condition.key()}
		conds[k.cond] = g.Condition
		if actions[k] == nil {
			actions[k] = map[string]bool{}
		}
		actions[k][g.Action] = true
	}
	type group struct {
		actions   []string
		resources []string
		cond      string
	}
	byKey := map[string]*group{}
	var order []string
	for k, set := range actions {
		as := make([]string, 0, len(set))
		for a := range set {
			as = append(as, a)
		}
		sort.Strings(as)
		gk := strings.Join(as, ",") + "\x00" + k.cond
		g := byKey[gk]
		if g == nil {
			g = &group{actions: as, cond: k.cond}
			byKey[gk] = g
			order = append(order, gk)
		}
		g.resources = append(g.resources, k.res)
	}
	sort.Strings(order)
	doc := Document{Version: Version, Statement: []Statement{}}
	seen := map[string]int{}
	for _, gk := range order {
		g := byKey[gk]
		sort.Strings(g.resources)
		sid := sidFor(g.actions)
		seen[sid]++
		if seen[sid] > 1 {
			sid = fmt.Sprintf("%s%d", sid, seen[sid])
		}
		doc.Statement = append(doc.Statement, Statement{
			Sid: sid, Effect: "Allow", Action: g.actions, Resource: g.resources, Condition: conds[g.cond],
		})
	}
	return doc
}

// sidFor names a statement after its services and access level, e.g.
// S3Read, AthenaGlueWrite. Sids are alphanumeric, as IAM requires.
func sidFor(actions []string) string {
	var svcs []string
	write := false
	for _, a := range actions {
		svc, name, _ := strings.Cut(a, ":")
		s := camel(svc)
		if !slices.Contains(svcs, s) {
			svcs = append(svcs, s)
		}
		if !readVerb(name) {
			write = true
		}
	}
	level := "Read"
	if write {
		level = "Write"
	}
	return strings.Join(svcs, "") + level
}

func readVerb(name string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select", "Receive", "Search", "Lookup"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String()
}

// JSON renders the document with two-space indentation and a final newline.
func (d Document) JSON() []byte { return encode(d, "  ") }

// Compact renders the document on one line (for reports that list
// several documents).
func (d Document) Compact() []byte {
	return bytes.TrimSuffix(encode(d, ""), []byte("\n"))
}

// encode writes JSON without HTML escaping (ARNs hold "<ACCOUNT_ID>"
// placeholders a reader must see as typed).
func encode(d Document, indent string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(d) // plain strings and maps cannot fail to encode
	return buf.Bytes()
}

// Terraform renders the document as an aws_iam_policy_document data block.
func (d Document) Terraform(name string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "data \"aws_iam_policy_document\" %s {\n", quote(name))
	for _, s := range d.Statement {
		b.WriteString("  statement {\n")
		if s.Sid != "" {
			fmt.Fprintf(&b, "    sid     = %s\n", quote(s.Sid))
		}
		fmt.Fprintf(&b, "    effect  = %s\n", quote(s.Effect))
		if p := s.Principal; p != nil {
			typ, id := "AWS", p.AWS
			switch {
			case p.Service != "":
				typ, id = "Service", p.Service
			case p.Federated != "":
				typ, id = "Federated", p.Federated
			}
			fmt.Fprintf(&b, "    principals {\n      type        = %s\n      identifiers = [%s]\n    }\n", quote(typ), quote(id))
		}
		fmt.Fprintf(&b, "    actions = %s\n", list(s.Action))
		if len(s.Resource) > 0 {
			fmt.Fprintf(&b, "    resources = %s\n", list(s.Resource))
		}
		ops := make([]string, 0, len(s.Condition))
		for op := range s.Condition {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			keys := make([]string, 0, len(s.Condition[op]))
			for k := range s.Condition[op] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(&b, "    condition {\n      test     = %s\n      variable = %s\n      values   = %s\n    }\n",
					quote(op), quote(k), list(s.Condition[op][k]))
			}
		}
		b.WriteString("  }\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// quote writes a Terraform string: JSON escaping, plus "${" and "%{"
// escaped so an ARN never turns into an interpolation.
func quote(s string) string {
	b, _ := json.Marshal(s)
	q := strings.ReplaceAll(string(b), "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}

func list(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
