package scanner

import (
	"fmt"
	"strings"
)

// Coverage says what a scan had in scope and what it read, so that "no
// secrets found" can only mean "read everything in scope and found
// nothing". Its JSON form (written by --summary, and shared by `org`'s
// summary) is a public interface documented in the README.
type Coverage struct {
	// Complete is false when anything in scope was not read (Unreadable is
	// not empty), the history is cut (Shallow) or the scan was interrupted.
	Complete       bool `json:"complete"`
	FilesScanned   int  `json:"files_scanned"`
	CommitsScanned int  `json:"commits_scanned"`
	BlobsScanned   int  `json:"blobs_scanned"`
	// Skipped lists what was deliberately passed over (size, binary, not a
	// regular file, allowlisted path, submodule not entered).
	Skipped []Gap `json:"skipped"`
	// Unreadable lists what was in scope and could not be read (missing or
	// corrupt object, permission, undecodable text, unresolvable ref).
	Unreadable []Gap `json:"unreadable"`
	Shallow    bool  `json:"shallow"`
	Findings   int   `json:"findings"`
	// Interrupted is set when the scan was stopped (Ctrl-C) before it
	// ended; Unreadable then also says so.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Gap is one thing a scan did not read, named by the path, ref or object
// it concerns, with the reason. A blob of git history names its path and
// its object.
type Gap struct {
	Path   string `json:"path,omitempty"`
	Ref    string `json:"ref,omitempty"`
	Object string `json:"object,omitempty"`
	Reason string `json:"reason"`
}

// Skipped is a file (or blob, ref, submodule) that was passed over, and why.
type Skipped = Gap

// Reasons for skipping. They start the Reason text so that scripts can
// group gaps; the README lists them.
const (
	ReasonSize         = "over the size limit"
	ReasonBinary       = "binary"
	ReasonNotRegular   = "not a regular file"
	ReasonAllowlisted  = "allowlisted path"
	ReasonSubmodule    = "submodule not entered"
	ReasonInterrupted  = "interrupted"
	ReasonShallow      = "shallow clone"
	ReasonUnresolvable = "unresolvable ref"
)

// String names what the gap concerns and why, for warnings and reports.
func (g Gap) String() string {
	return g.Subject() + ": " + g.Reason
}

// Subject is the path, ref or object the gap concerns (path and object for
// a blob of history).
func (g Gap) Subject() string {
	var parts []string
	if g.Ref != "" {
		parts = append(parts, "ref "+g.Ref)
	}
	if g.Path != "" {
		parts = append(parts, g.Path)
	}
	if g.Object != "" {
		parts = append(parts, "object "+g.Object)
	}
	if len(parts) == 0 {
		return "(scan)"
	}
	return strings.Join(parts, " ")
}

// Settle sets Complete from what was recorded; call it once the scan ends.
func (c *Coverage) Settle() {
	c.Complete = len(c.Unreadable) == 0 && !c.Shallow && !c.Interrupted
	if c.Skipped == nil {
		c.Skipped = []Gap{}
	}
	if c.Unreadable == nil {
		c.Unreadable = []Gap{}
	}
}

// Add merges o into c (a submodule's scan into its superproject's, or the
// repositories of an organisation). Paths in o are prefixed with prefix
// ("" to keep them).
func (c *Coverage) Add(o Coverage, prefix string) {
	c.FilesScanned += o.FilesScanned
	c.CommitsScanned += o.CommitsScanned
	c.BlobsScanned += o.BlobsScanned
	c.Findings += o.Findings
	c.Shallow = c.Shallow || o.Shallow
	c.Interrupted = c.Interrupted || o.Interrupted
	for _, g := range o.Skipped {
		c.Skipped = append(c.Skipped, g.under(prefix))
	}
	for _, g := range o.Unreadable {
		c.Unreadable = append(c.Unreadable, g.under(prefix))
	}
}

func (g Gap) under(prefix string) Gap {
	if prefix == "" {
		return g
	}
	if g.Path != "" {
		g.Path = prefix + "/" + g.Path
	} else {
		g.Reason = fmt.Sprintf("in %s: %s", prefix, g.Reason)
	}
	return g
}

// MarkInterrupted records that the scan stopped before reading all of its
// scope.
func (c *Coverage) MarkInterrupted() {
	c.Interrupted = true
	c.Unreadable = append(c.Unreadable, Gap{Reason: ReasonInterrupted + " (Ctrl-C): the scan stopped early; what was not reached is not listed"})
}

// Summary is one clause for a text summary line: what was not read, or ""
// when everything in scope was.
func (c *Coverage) Summary() string {
	var parts []string
	n := 0
	for _, g := range c.Unreadable {
		if !strings.HasPrefix(g.Reason, ReasonShallow) && !strings.HasPrefix(g.Reason, ReasonInterrupted) {
			n++
		}
	}
	if n > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable", n))
	}
	if c.Shallow {
		parts = append(parts, "history cut by a shallow clone")
	}
	if c.Interrupted {
		parts = append(parts, "interrupted")
	}
	if len(parts) == 0 {
		return ""
	}
	return "INCOMPLETE (" + strings.Join(parts, ", ") + ")"
}
