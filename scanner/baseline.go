package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/internal/safefile"
)

// Baseline is the set of fingerprints of findings already known and
// accepted, read from an earlier JSON report. The zero value knows nothing.
type Baseline struct {
	Path         string
	fingerprints map[string]bool
	// unkeyed counts findings known only by the fingerprint older versions
	// wrote (a plain hash): they still match, and the user is told to
	// refresh the file.
	unkeyed map[string]bool
}

// LoadBaseline reads a report written by `rolecall ... --format json`. The
// path may be a link, but only to a regular file.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := safefile.ReadFile(path, safefile.PayloadCap)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	return ParseBaseline(path, data)
}

// ParseBaseline reads the JSON of a report. Errors give the line and
// column, never the file's text.
func ParseBaseline(path string, data []byte) (*Baseline, error) {
	var entries []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("baseline %s is not a rolecall JSON report: %s; make one with --format json --output FILE", path, jsonProblem(data, err))
	}
	b := &Baseline{Path: path, fingerprints: map[string]bool{}}
	for i, e := range entries {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("baseline %s: entry %d has no fingerprint; was it written by rolecall --format json?", path, i+1)
		}
		b.fingerprints[e.Fingerprint] = true
	}
	return b, nil
}

// jsonValueKind keeps the kind of a JSON value from encoding/json's
// description, which for a number includes its text.
func jsonValueKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	return kind
}

func jsonKind(k string) string {
	switch k {
	case "slice":
		return "an array"
	case "struct":
		return "an object"
	}
	return "a " + k
}

// Filter returns the findings whose fingerprint is not in the baseline.
func (b *Baseline) Filter(fs []Finding) []Finding {
	if b == nil || len(b.fingerprints) == 0 {
		return fs
	}
	out := fs[:0:0]
	for _, f := range fs {
		switch {
		case b.fingerprints[f.Fingerprint]:
		case b.fingerprints[UnkeyedFingerprint(f.RuleID, f.File, f.Secret)]:
			if b.unkeyed == nil {
				b.unkeyed = map[string]bool{}
			}
			b.unkeyed[f.Fingerprint] = true
		default:
			out = append(out, f)
		}
	}
	return out
}

// Knows reports whether the baseline accepted f (a nil baseline knows
// nothing).
func (b *Baseline) Knows(f Finding) bool { return len(b.Filter([]Finding{f})) == 0 }

// RefreshAdvice is a warning to show once when findings matched only by
// the unkeyed fingerprints older versions wrote, else "".
func (b *Baseline) RefreshAdvice() string {
	if b == nil || len(b.unkeyed) == 0 {
		return ""
	}
	return fmt.Sprintf("baseline %s: %d finding(s) matched only by fingerprints from an older rolecall (a plain hash, which a dictionary can reverse); they still count as known, but write the baseline again to key them: rolecall scan --format json --output %s .", b.Path, len(b.unkeyed), b.Path)
}

// jsonProblem says in words why data is not the JSON array of findings a
// baseline is, without Go type names.
func jsonProblem(data []byte, err error) string {
	// Positions, never text: the file may be anything a link pointed at.
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		line, col := NewLineIndex(data).Pos(int(min(syntax.Offset, int64(len(data)))))
		return fmt.Sprintf("it is not valid JSON (at line %d, column %d)", line, col)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type.Kind().String() != "slice" {
		line, col := NewLineIndex(data).Pos(int(min(te.Offset, int64(len(data)))))
		return fmt.Sprintf("it has a JSON %s at line %d, column %d where a finding has %s", jsonValueKind(te.Value), line, col, jsonKind(te.Type.Kind().String()))
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) == nil {
		if _, ok := probe["runs"]; ok {
			return "it is a SARIF log, and --baseline reads the JSON array rolecall --format json writes"
		}
		return "it is a JSON object, not the array of findings rolecall --format json writes"
	}
	return "it is not an array of findings with a fingerprint each"
}
