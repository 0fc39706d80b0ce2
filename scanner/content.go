package scanner

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/rolecall/rolecall/detectors"
)

// Scanner finds secrets in file contents. It is safe for concurrent use;
// every source (directory, git history, index) goes through Scan.
type Scanner struct {
	engine *detectors.Engine
	key    *FingerprintKey
}

// New returns a Scanner that runs engine's rules.
func New(engine *detectors.Engine) *Scanner { return &Scanner{engine: engine} }

// WithFingerprintKey sets the key of the findings' fingerprints (before the
// scanner is used) and returns s.
func (s *Scanner) WithFingerprintKey(k *FingerprintKey) *Scanner {
	s.key = k
	return s
}

// Content is one version of one file.
type Content struct {
	// Path is the path reported to the user (slash-separated).
	Path string
	// RulePath is the path rules and allowlists see, relative to the scan
	// root; empty means Path.
	RulePath string
	Data     []byte
}

func (c *Content) rulePath() string {
	if c.RulePath != "" {
		return c.RulePath
	}
	return c.Path
}

// IsBinary sniffs content the way git does (a NUL byte in the first 8000
// bytes), except that UTF-16 and UTF-32 text, which Scan decodes, is not
// binary. Notebooks are JSON and never hold a raw NUL.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 && textEncoding(data) == ""
}

// PathAllowed reports whether a global allowlist suppresses everything at
// path (relative to the scan root), so it need not be read.
func (s *Scanner) PathAllowed(path string) bool { return s.engine.PathAllowed(path) }

// PathClass names everything about path that detection depends on (see
// detectors.Engine.PathClass): a scan of content under one path stands for
// a scan under any path of the same class, moved there with Moved.
func (s *Scanner) PathClass(path string) string { return s.engine.PathClass(path) }

// Moved returns copies of fs, found under another path of path's class,
// attributed to path with the scanner's fingerprint key, so they equal
// what Scan would find under path (fs itself is left as it was).
func (s *Scanner) Moved(fs []Finding, path string) []Finding {
	if len(fs) == 0 {
		return nil
	}
	out := slices.Clone(fs)
	for i := range out {
		out[i].MoveTo(path, s.key)
	}
	return out
}

// Scan returns the findings in c, in file order, and warnings about content
// it could only partly understand.
func (s *Scanner) Scan(c Content) (findings []Finding, warnings []string) {
	if s.engine.PathAllowed(c.rulePath()) {
		return nil, nil
	}
	// UTF-16 of ASCII is half NUL bytes; a BOM marks the rest.
	if bytes.IndexByte(c.Data, 0) >= 0 || hasPrefix(c.Data, 0xff, 0xfe) || hasPrefix(c.Data, 0xfe, 0xff) {
		if d := decodeText(c.Data); d != nil {
			return s.scanDecoded(c, d)
		}
	}
	return s.scanUTF8(c)
}

func (s *Scanner) scanUTF8(c Content) (findings []Finding, warnings []string) {
	if fs, ws, ok := s.scanNotebook(c); ok {
		return fs, ws
	}
	return s.scanText(c), nil
}

// scanDecoded scans UTF-16 or UTF-32 text as UTF-8 and maps the findings'
// byte offsets back to the file (lines and columns are the same).
func (s *Scanner) scanDecoded(c Content, d *decoded) ([]Finding, []string) {
	c.Data = d.text
	fs, ws := s.scanUTF8(c)
	for i := range fs {
		fs[i].Offset, fs[i].EndOffset = d.rawOffset(fs[i].Offset), d.rawOffset(fs[i].EndOffset)
		fs[i].FileEncoding = d.Encoding
	}
	return fs, ws
}

// scanText scans a file as one plain-text fragment.
func (s *Scanner) scanText(c Content) []Finding {
	ms := s.engine.Detect(detectors.Fragment{Path: c.rulePath(), Text: c.Data})
	if len(ms) == 0 {
		return nil
	}
	li := NewLineIndex(c.Data)
	out := make([]Finding, 0, len(ms))
	for _, m := range ms {
		out = append(out, s.finding(c, li, m, m.Start, m.End))
	}
	return out
}

// finding builds a Finding for match m whose secret occupies the raw bytes
// [start, end) of the file.
func (s *Scanner) finding(c Content, li *LineIndex, m detectors.Match, start, end int) Finding {
	f := Finding{
		RuleID:      m.Rule.ID,
		Description: m.Rule.Description,
		Severity:    m.Severity,
		File:        c.Path,
		Secret:      m.Secret,
		Fingerprint: s.key.Fingerprint(m.Rule.ID, c.Path, m.Secret),
		AccountID:   m.AccountID,
		Hint:        m.Rule.Hint,
		Offset:      start,
		EndOffset:   end,
		KeyID:       m.KeyID,
		RulePath:    c.rulePath(),
		Encoding:    m.Encoding,
	}
	f.Line, f.Column = li.Pos(start)
	f.EndLine, f.EndColumn = li.lastCharPos(start, end)
	return f
}

// Warning is a problem with one input that did not stop the scan.
type Warning struct {
	Path    string
	Message string
}

func (w Warning) String() string {
	if w.Path == "" {
		return w.Message
	}
	return fmt.Sprintf("%s: %s", w.Path, w.Message)
}
