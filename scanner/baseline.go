package scanner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// Baseline is the set of fingerprints of findings already known and
// accepted, read from an earlier JSON report.
type Baseline map[string]bool

// LoadBaseline reads a report written by `rolecall ... --format json`.
func LoadBaseline(path string) (Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	var entries []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("baseline %s is not a rolecall JSON report: %s; make one with --format json --output FILE", path, jsonProblem(data, err))
	}
	b := Baseline{}
	for i, e := range entries {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("baseline %s: entry %d has no fingerprint; was it written by rolecall --format json?", path, i+1)
		}
		b[e.Fingerprint] = true
	}
	return b, nil
}

// Filter returns the findings whose fingerprint is not in the baseline.
func (b Baseline) Filter(fs []Finding) []Finding {
	if len(b) == 0 {
		return fs
	}
	out := fs[:0:0]
	for _, f := range fs {
		if !b[f.Fingerprint] {
			out = append(out, f)
		}
	}
	return out
}

// jsonProblem says in words why data is not the JSON array of findings a
// baseline is, without Go type names.
func jsonProblem(data []byte, err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return fmt.Sprintf("it is not valid JSON (at byte %d)", syntax.Offset)
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
