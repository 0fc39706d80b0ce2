package org

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

// Formats lists the report formats of `rolecall org` and `report merge`.
var Formats = []string{"jsonl", "json", "sarif", "text"}

// CheckFormat validates a --format value.
func CheckFormat(f string) error {
	if !slices.Contains(Formats, f) {
		return fmt.Errorf("--format %q: use one of %s", f, strings.Join(Formats, ", "))
	}
	return nil
}

// RepoFindings is one repository's part of a report.
type RepoFindings struct {
	Repository string
	Findings   []Finding
	// Failed: this run could not scan the repository; Findings are what
	// an earlier run recorded, if any.
	Failed bool
}

// Sort puts findings in report order: by file, commit, position, rule.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.Repository, b.Repository), scanner.Compare(&a.Finding, &b.Finding))
	})
}

// redacted returns the findings as they may be shown: as every other
// report shows them, AWS key ids in full unless o.RedactKeyIDs.
func redacted(fs []Finding, o report.Options) []Finding {
	if o.ShowSecrets {
		return fs
	}
	out := slices.Clone(fs)
	for i := range out {
		out[i].Secret = scanner.Display(out[i].Secret, false, o.RedactKeyIDs)
	}
	return out
}

// WriteJSONL writes one finding a line; o says what may be shown.
func WriteJSONL(w io.Writer, fs []Finding, o report.Options) error {
	bw := bufio.NewWriter(w)
	for _, f := range redacted(fs, o) {
		data, err := json.Marshal(&f)
		if err != nil {
			return err
		}
		bw.Write(data)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Write renders a report of the repositories in format, one repository at
// a time. Secrets are redacted unless o.ShowSecrets.
func Write(w io.Writer, format string, repos iter.Seq2[RepoFindings, error], o report.Options) error {
	switch format {
	case "jsonl":
		for r, err := range repos {
			if err != nil {
				return err
			}
			if err := WriteJSONL(w, r.Findings, o); err != nil {
				return err
			}
		}
		return nil
	case "json":
		return writeJSON(w, repos, o)
	case "sarif":
		return report.WriteSARIFRuns(w, sarifRuns(repos), o)
	case "text":
		return writeText(w, repos, o)
	}
	return CheckFormat(format)
}

// writeJSON writes one array, laid out like the other commands' JSON.
func writeJSON(w io.Writer, repos iter.Seq2[RepoFindings, error], o report.Options) error {
	bw := bufio.NewWriter(w)
	arr := report.NewJSONArray(bw, "")
	for r, err := range repos {
		if err != nil {
			return err
		}
		for _, f := range redacted(r.Findings, o) {
			if err := arr.Add(&f); err != nil {
				return err
			}
		}
	}
	arr.Close()
	bw.WriteByte('\n')
	return bw.Flush()
}

func sarifRuns(repos iter.Seq2[RepoFindings, error]) iter.Seq2[report.SARIFRun, error] {
	return func(yield func(report.SARIFRun, error) bool) {
		for r, err := range repos {
			if err != nil {
				yield(report.SARIFRun{}, err)
				return
			}
			run := report.SARIFRun{Properties: map[string]any{"repository": r.Repository}}
			for _, f := range r.Findings {
				run.Findings = append(run.Findings, f.Finding)
				run.ResultProperties = append(run.ResultProperties, map[string]any{"repository": f.Repository, "first_seen": f.FirstSeen})
			}
			if !yield(run, nil) {
				return
			}
		}
	}
}

func writeText(w io.Writer, repos iter.Seq2[RepoFindings, error], o report.Options) error {
	n, scanned, failed := 0, 0, 0
	for r, err := range repos {
		if err != nil {
			return err
		}
		if r.Failed {
			failed++
		} else {
			scanned++
		}
		if len(r.Findings) == 0 {
			continue
		}
		n += len(r.Findings)
		fmt.Fprintf(w, "== %s ==\n", r.Repository)
		fs := make([]scanner.Finding, len(r.Findings))
		for i := range r.Findings {
			fs[i] = r.Findings[i].Finding
		}
		if err := report.Write(w, "text", fs, o); err != nil {
			return err
		}
	}
	// Never a clean report for what was not read.
	var msg string
	switch {
	case n == 0 && failed == 0:
		msg = fmt.Sprintf("no secrets found in %d repositories", scanned)
	case n == 0:
		msg = fmt.Sprintf("no secrets found in %d repositories; INCOMPLETE: %d could not be scanned (the warnings name them)", scanned, failed)
	case failed > 0:
		msg = fmt.Sprintf("INCOMPLETE: %d repositories could not be scanned this run (the warnings name them); what is shown for them is from an earlier run", failed)
	default:
		return nil
	}
	_, err := fmt.Fprintln(w, msg)
	return err
}
