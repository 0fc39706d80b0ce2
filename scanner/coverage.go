package scanner

// Coverage says what a scan had in scope and what it read, so that "no
// secrets found" can only mean "read everything in scope and found
// nothing". Its JSON form (written by --summary, and shared by `org`'s
// summary) is a public interface documented in the README.
type Coverage struct {
	// Complete is false when anything in scope was not read (Unreadable is
	// not empty) or the history is cut (Shallow).
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
}

// Gap is one thing a scan did not read, named by the path, ref or object
// it concerns, with the reason.
type Gap struct {
	Path   string `json:"path,omitempty"`
	Ref    string `json:"ref,omitempty"`
	Object string `json:"object,omitempty"`
	Reason string `json:"reason"`
}

// Settle sets Complete from what was recorded; call it once the scan ends.
func (c *Coverage) Settle() {
	c.Complete = len(c.Unreadable) == 0 && !c.Shallow
	if c.Skipped == nil {
		c.Skipped = []Gap{}
	}
	if c.Unreadable == nil {
		c.Unreadable = []Gap{}
	}
}
