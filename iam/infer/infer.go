// Package infer finds the AWS calls in code and notebooks and turns each
// into the (action, resource) pairs it needs. It reads Python (boto3 and the
// data libraries built on it), R (paws, aws.s3) and shell (the AWS CLI),
// in files and in notebook cells, with the project's own tokenizers.
package infer

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/rolecall/rolecall/iam/policy"
)

// Site is where a call is.
type Site struct {
	File string `json:"file"`
	Line int    `json:"line"` // 1-based, in the file as stored (for a notebook, the raw JSON)
	// Cell and CellLine locate a call in a notebook (1-based); 0 elsewhere.
	Cell     int    `json:"cell,omitempty"`
	CellLine int    `json:"cell_line,omitempty"`
	Call     string `json:"call"` // the callee as written, e.g. s3.get_object
}

func (s Site) String() string {
	if s.Cell > 0 {
		return fmt.Sprintf("%s:%d (cell %d, line %d): %s", s.File, s.Line, s.Cell, s.CellLine, s.Call)
	}
	return fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Call)
}

// Use is one permission one call needs. Warning is set when the resource
// could not be known and Grant.Resource is "*" for that reason.
type Use struct {
	Site     Site         `json:"site"`
	Grant    policy.Grant `json:"-"`
	Action   string       `json:"action"`
	Resource string       `json:"resource"`
	// Condition narrows the grant (an s3:prefix, iam:PassedToService).
	Condition policy.Condition `json:"condition,omitempty"`
	Warning   string           `json:"warning,omitempty"`
}

// Result is what a set of sources needs.
type Result struct {
	Uses []Use
	// Notes name calls that were seen but could not be mapped (an AWS
	// service outside the table), so nothing is dropped silently.
	Notes []string
}

// Grants lists the grants of every use.
func (r *Result) Grants() []policy.Grant {
	gs := make([]policy.Grant, len(r.Uses))
	for i, u := range r.Uses {
		gs[i] = u.Grant
	}
	return gs
}

// Warnings lists the warnings of the uses whose resource is unknown.
func (r *Result) Warnings() []string {
	var ws []string
	for _, u := range r.Uses {
		if u.Warning != "" {
			ws = append(ws, u.Site.String()+": "+u.Warning)
		}
	}
	return ws
}

// str is what is known about a string value: the whole of it (exact), or
// only a literal prefix (the rest is unknown; prefix "" knows nothing).
type str struct {
	s     string
	exact bool
	known bool // false: not a string we can say anything about
}

func lit(s string) str    { return str{s: s, exact: true, known: true} }
func prefix(s string) str { return str{s: s, known: s != ""} }
func (v str) pattern() string {
	if v.exact {
		return v.s
	}
	return v.s + "*"
}

// concat joins two values as Python's + does.
func concat(a, b str) str {
	if !a.known {
		return str{}
	}
	if !a.exact {
		return a
	}
	if !b.known {
		return prefix(a.s)
	}
	if b.exact {
		return lit(a.s + b.s)
	}
	return prefix(a.s + b.s)
}

// untilField cuts a template at its first placeholder ("{" of an f-string
// or str.format, "%" of %-formatting).
func untilField(s string, marks string) str {
	if k := strings.IndexAny(s, marks); k >= 0 {
		return prefix(s[:k])
	}
	return lit(s)
}

// s3URL splits an s3://, s3a:// or s3n:// URL (or, for s3fs, a bare
// "bucket/key") into bucket and key. ok is false when the bucket is not
// wholly known.
func s3URL(v str, bare bool) (bucket string, key str, ok bool) {
	if !v.known {
		return "", str{}, false
	}
	rest := v.s
	found := false
	for _, sch := range []string{"s3://", "s3a://", "s3n://"} {
		if strings.HasPrefix(strings.ToLower(rest), sch) {
			rest, found = rest[len(sch):], true
			break
		}
	}
	if !found && !bare {
		return "", str{}, false
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 && at < strings.IndexByte(rest+"/", '/') {
		rest = rest[at+1:] // s3a://KEY:SECRET@bucket: the bucket follows the user part
	}
	b, k, slash := strings.Cut(rest, "/")
	if !slash {
		if !v.exact || b == "" {
			return "", str{}, false
		}
		return b, lit(""), true
	}
	if b == "" {
		return "", str{}, false
	}
	return b, str{s: k, exact: v.exact, known: true}, true
}

// isS3URL reports whether v is known to be an S3 URL.
func isS3URL(v str) bool {
	l := strings.ToLower(v.s)
	return v.known && (strings.HasPrefix(l, "s3://") || strings.HasPrefix(l, "s3a://") || strings.HasPrefix(l, "s3n://"))
}

// objectARN is the ARN of an object, or of the objects under a prefix.
func objectARN(bucket string, key str, tree bool) string {
	k := key.s
	if i := strings.IndexAny(k, "*?[{"); i >= 0 { // a glob: everything from it on is unknown
		k, key.exact = k[:i], false
	}
	if tree && key.exact {
		// a directory read: the objects below it
		k = strings.TrimSuffix(k, "/")
		if k != "" {
			k += "/"
		}
		return "arn:aws:s3:::" + bucket + "/" + k + "*"
	}
	if !key.exact {
		return "arn:aws:s3:::" + bucket + "/" + k + "*"
	}
	return "arn:aws:s3:::" + bucket + "/" + k
}

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

// prefixCondition narrows s3:ListBucket to a literal key prefix.
func prefixCondition(key str) policy.Condition {
	k := key.s
	if i := strings.IndexAny(k, "*?[{"); i >= 0 {
		k = k[:i]
	}
	if k == "" {
		return nil
	}
	return policy.Condition{"StringLike": {"s3:prefix": {k + "*"}}}
}

// sqsARN turns a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)
// or a queue name into an ARN.
func sqsARN(v str) (string, bool) {
	if !v.known {
		return "", false
	}
	if strings.HasPrefix(v.s, "arn:") {
		return v.pattern(), true
	}
	u, err := url.Parse(v.s)
	if err != nil || u.Host == "" {
		if v.exact && !strings.Contains(v.s, "/") {
			return "arn:aws:sqs:*:*:" + v.s, true
		}
		return "", false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	region := "*"
	if h := strings.Split(u.Host, "."); len(h) >= 3 && h[0] == "sqs" {
		region = h[1]
	}
	if len(parts) != 2 || parts[0] == "" {
		return "", false
	}
	name := parts[1]
	if !v.exact {
		name += "*"
	}
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, parts[0], name), true
}

// named builds "arn:aws:SERVICE:*:*:TYPE/NAME" from a name or passes an
// ARN through; a prefix gets "*".
func named(v str, tmpl string) (string, bool) {
	if !v.known {
		return "", false
	}
	if strings.HasPrefix(v.s, "arn:") {
		return v.pattern(), true
	}
	return strings.Replace(tmpl, "NAME", v.pattern(), 1), true
}
