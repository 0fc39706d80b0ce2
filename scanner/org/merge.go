package org

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// Merged is the union of several reports: every repository named (a SARIF
// run may name one with no findings) and every finding once.
type Merged struct {
	repos    map[string]bool
	findings map[string]*Finding
}

// NewMerged returns an empty union.
func NewMerged() *Merged {
	return &Merged{repos: map[string]bool{}, findings: map[string]*Finding{}}
}

// identity is what makes two report lines the same finding.
func identity(f *Finding) string {
	part := ""
	if f.Notebook != nil {
		part = f.Notebook.Part
	}
	return strings.Join([]string{f.Repository, f.Fingerprint, part, f.Commit, strconv.Itoa(f.Line), strconv.Itoa(f.Column)}, "\x00")
}

// Add adds a finding; of two copies, the one first seen earlier stays.
func (m *Merged) Add(f Finding) {
	m.repos[f.Repository] = true
	id := identity(&f)
	if old, ok := m.findings[id]; ok && old.FirstSeen <= f.FirstSeen {
		return
	}
	m.findings[id] = &f
}

// Repositories yields each repository, sorted by name, with its findings.
func (m *Merged) Repositories() iter.Seq2[RepoFindings, error] {
	by := map[string][]Finding{}
	for _, f := range m.findings {
		by[f.Repository] = append(by[f.Repository], *f)
	}
	names := make([]string, 0, len(m.repos))
	for n := range m.repos {
		names = append(names, n)
	}
	slices.Sort(names)
	return func(yield func(RepoFindings, error) bool) {
		for _, n := range names {
			fs := by[n]
			Sort(fs)
			if !yield(RepoFindings{Repository: n, Findings: fs}, nil) {
				return
			}
		}
	}
}

// ReadFile adds a report written by `rolecall org` or `report merge`, in
// jsonl, json or sarif (told apart by their content).
func (m *Merged) ReadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	body := bytes.TrimSpace(data)
	switch {
	case len(body) == 0:
		return nil
	case body[0] == '[':
		var fs []Finding
		if err := json.Unmarshal(body, &fs); err != nil {
			return fmt.Errorf("%s: not a JSON report: %v", path, err)
		}
		return m.addAll(path, fs)
	case body[0] == '{':
		var probe struct {
			Runs json.RawMessage `json:"runs"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Runs != nil {
			return m.readSARIF(path, body)
		}
		return m.readJSONL(path, body)
	}
	return fmt.Errorf("%s: not a rolecall org report (jsonl, json or sarif)", path)
}

func (m *Merged) addAll(path string, fs []Finding) error {
	for i, f := range fs {
		if f.Repository == "" || f.Fingerprint == "" {
			return fmt.Errorf("%s: finding %d has no repository or fingerprint; merge reads reports of rolecall org", path, i+1)
		}
		m.Add(f)
	}
	return nil
}

func (m *Merged) readJSONL(path string, body []byte) error {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var fs []Finding
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var f Finding
		if err := json.Unmarshal(line, &f); err != nil {
			return fmt.Errorf("%s:%d: not a JSON line: %v", path, n, err)
		}
		fs = append(fs, f)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return m.addAll(path, fs)
}

// sarifIn is the part of a multi-run log (report.WriteSARIFRuns) that
// holds findings.
type sarifIn struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string `json:"id"`
					ShortDescription struct {
						Text string `json:"text"`
					} `json:"shortDescription"`
					Help struct {
						Text string `json:"text"`
					} `json:"help"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Properties struct {
			Repository string `json:"repository"`
		} `json:"properties"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine   int `json:"startLine"`
						StartColumn int `json:"startColumn"`
						EndLine     int `json:"endLine"`
						EndColumn   int `json:"endColumn"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          struct {
				Rule        string                    `json:"rule"`
				Fingerprint string                    `json:"fingerprint"`
				Severity    string                    `json:"severity"`
				Secret      string                    `json:"secret"`
				AccountID   string                    `json:"account_id"`
				Commit      string                    `json:"commit"`
				Author      string                    `json:"author"`
				Email       string                    `json:"email"`
				Date        string                    `json:"date"`
				Notebook    *scanner.NotebookLocation `json:"notebook"`
				Repository  string                    `json:"repository"`
				FirstSeen   string                    `json:"first_seen"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func (m *Merged) readSARIF(path string, body []byte) error {
	var log sarifIn
	if err := json.Unmarshal(body, &log); err != nil {
		return fmt.Errorf("%s: not a SARIF log: %v", path, err)
	}
	for ri, run := range log.Runs {
		repo := run.Properties.Repository
		if repo == "" {
			return fmt.Errorf("%s: run %d names no repository; merge reads SARIF written by rolecall org", path, ri+1)
		}
		m.repos[repo] = true
		desc, hint := map[string]string{}, map[string]string{}
		for _, r := range run.Tool.Driver.Rules {
			// A SARIF rule is a rolecall rule at one severity ("RULE/SEVERITY"),
			// its short description the rule's with the severity after it.
			d := r.ShortDescription.Text
			if i := strings.LastIndexByte(r.ID, '/'); i >= 0 {
				d = strings.TrimSuffix(d, " ("+r.ID[i+1:]+")")
			}
			desc[r.ID], hint[r.ID] = d, r.Help.Text
		}
		for i, res := range run.Results {
			p := res.Properties
			sev, err := detectors.ParseSeverity(p.Severity)
			if err != nil || len(res.Locations) != 1 {
				return fmt.Errorf("%s: run %d result %d: no severity or location; merge reads SARIF written by rolecall org", path, ri+1, i+1)
			}
			loc := res.Locations[0].PhysicalLocation
			f := Finding{Repository: cmp.Or(p.Repository, repo), FirstSeen: p.FirstSeen, Finding: scanner.Finding{
				RuleID: cmp.Or(p.Rule, res.RuleID), Description: desc[res.RuleID], Severity: sev, File: fileOf(loc.ArtifactLocation.URI),
				Line: loc.Region.StartLine, Column: loc.Region.StartColumn, EndLine: loc.Region.EndLine, EndColumn: loc.Region.EndColumn - 1,
				Secret: p.Secret, Fingerprint: cmp.Or(p.Fingerprint, res.PartialFingerprints["rolecall/v1"]), Commit: p.Commit, Author: p.Author,
				Email: p.Email, Date: p.Date, AccountID: p.AccountID, Notebook: p.Notebook, Hint: hint[res.RuleID],
			}}
			if f.Fingerprint == "" {
				return fmt.Errorf("%s: run %d result %d has no rolecall/v1 fingerprint", path, ri+1, i+1)
			}
			m.Add(f)
		}
	}
	return nil
}

// fileOf turns an artifact URI back into the path a finding names.
func fileOf(uri string) string {
	abs := strings.HasPrefix(uri, "file://")
	uri = strings.TrimPrefix(uri, "file://")
	parts := strings.Split(uri, "/")
	for i, s := range parts {
		if u, err := url.PathUnescape(s); err == nil {
			parts[i] = u
		}
	}
	p := strings.Join(parts, "/")
	if abs && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}
