// Package edit is the contract between rolecall's fixer and the
// language-specific rewriters: a rewriter receives a text and the secrets
// found in it (Targets), and returns byte-span Edits that remove them, with
// an Outcome per target saying what was done or why a person must do it.
//
// Rewriters never write files. The fixer applies the edits, re-parses the
// result, checks the secrets are gone, and only then writes.
package edit

import (
	"bytes"
	"fmt"
	"sort"
)

// Kind is what a secret is, which decides how code that holds it is
// rewritten.
type Kind int

const (
	Other           Kind = iota // a token or password of another service
	AccessKeyID                 // AWS access key id (AKIA..., ASIA...)
	SecretAccessKey             // AWS secret access key
	SessionToken                // AWS session token
	Password                    // a database or service password (dbt, .env)
)

func (k Kind) String() string {
	switch k {
	case AccessKeyID:
		return "access key id"
	case SecretAccessKey:
		return "secret access key"
	case SessionToken:
		return "session token"
	case Password:
		return "password"
	}
	return "credential"
}

// IsAWS reports whether the kind is one of the three AWS credential parts.
func (k Kind) IsAWS() bool { return k == AccessKeyID || k == SecretAccessKey || k == SessionToken }

// Target is one secret to take out of a text.
type Target struct {
	Start, End int // byte offsets of the secret in the text
	Secret     string
	Rule       string // the detector rule that found it
	Kind       Kind
	// KeyID is, for an AWS secret or token, the access key id found with it.
	KeyID string
}

// Options are the user's choices for the rewrite.
type Options struct {
	// Profile, when set, points code at this named profile with each
	// library's own parameter; empty means rely on the default credential
	// chain (role, SSO, AWS_PROFILE). Rewriters never invent a name.
	Profile string
	// Hadoop is "3.3" or "3.4": which credential provider class names
	// Spark/Hadoop configuration gets (3.4 uses AWS SDK v2 names).
	Hadoop string
	// Place, if set, names a byte offset of the text for reasons the way
	// the scan names it ("cell 4 line 2" when the text is a notebook's
	// cells joined); nil means "line N" of the text.
	Place func(off int) string
}

// Edit replaces Text[Start:End] of the original text with New.
type Edit struct {
	Start, End int
	New        string
}

// Outcome is what became of one target.
type Outcome struct {
	Target int  // index into the targets given to the rewriter
	Fixed  bool // an edit removes it
	// Shape names what was rewritten ("boto3.client keyword arguments"),
	// or, when not Fixed, Reason says why a person must fix it.
	Shape  string
	Reason string
}

// Result is a rewriter's plan for one text.
type Result struct {
	Edits    []Edit
	Outcomes []Outcome // one per target, in target order
	// Notes are companion steps the code change needs, printed in the
	// report and never written into the repository ("set AWS_PROFILE on
	// every Spark node").
	Notes []string
}

// Rewriter plans the edits for one text.
type Rewriter func(text []byte, targets []Target, opts Options) Result

// Manual returns a result where no target is fixed, each with reason.
func Manual(targets []Target, reason string) Result {
	r := Result{}
	for i := range targets {
		r.Outcomes = append(r.Outcomes, Outcome{Target: i, Reason: reason})
	}
	return r
}

// Apply applies non-overlapping edits to text. Edits may come in any order;
// two edits at the same insertion point are applied in the order given.
func Apply(text []byte, edits []Edit) ([]byte, error) {
	es := append([]Edit(nil), edits...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start < es[j].Start })
	var out bytes.Buffer
	last := 0
	for _, e := range es {
		if e.Start < last || e.End < e.Start || e.End > len(text) {
			return nil, fmt.Errorf("edit [%d,%d) overlaps another edit or lies outside the text (%d bytes)", e.Start, e.End, len(text))
		}
		out.Write(text[last:e.Start])
		out.WriteString(e.New)
		last = e.End
	}
	out.Write(text[last:])
	// An empty result is a result (an .env that held only the keys), not
	// "no change": never nil.
	if out.Len() == 0 {
		return []byte{}, nil
	}
	return out.Bytes(), nil
}

// Lines splits text into lines that keep their line breaks.
func Lines(text []byte) [][]byte {
	var out [][]byte
	for len(text) > 0 {
		k := bytes.IndexByte(text, '\n') + 1
		if k == 0 {
			k = len(text)
		}
		out = append(out, text[:k])
		text = text[k:]
	}
	return out
}

// LineNumber returns the 1-based number of the line holding off, for
// reasons and errors that name a place.
func LineNumber(text []byte, off int) int {
	return bytes.Count(text[:min(max(off, 0), len(text))], []byte{'\n'}) + 1
}

// LineStart returns the offset of the start of the line holding off.
func LineStart(text []byte, off int) int {
	return bytes.LastIndexByte(text[:off], '\n') + 1
}

// LineEnd returns the offset just past the newline ending the line that
// holds off (or len(text) on the last line).
func LineEnd(text []byte, off int) int {
	if i := bytes.IndexByte(text[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(text)
}

// DeleteLines returns an edit removing whole lines from the one holding
// start to the one holding end-1, newlines included.
func DeleteLines(text []byte, start, end int) Edit {
	if end > start {
		end--
	}
	return Edit{Start: LineStart(text, start), End: LineEnd(text, end)}
}

// Indent returns the leading spaces and tabs of the line holding off.
func Indent(text []byte, off int) string {
	s := LineStart(text, off)
	e := s
	for e < len(text) && (text[e] == ' ' || text[e] == '\t') {
		e++
	}
	return string(text[s:e])
}

// Newline returns the line ending the text uses ("\r\n" or "\n").
func Newline(text []byte) string {
	if i := bytes.IndexByte(text, '\n'); i > 0 && text[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}
