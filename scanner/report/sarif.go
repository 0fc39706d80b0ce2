package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// SARIF 2.1.0, the subset GitHub code scanning reads
// (docs.github.com: "SARIF support for code scanning"). Plain structs keep
// the output exactly under our control: column units, fingerprints, fixes.

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver sarifDriver `json:"driver"`
	} `json:"tool"`
	// Columns count code points, like Finding.Column.
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
	Fixes               []SARIFFix        `json:"fixes,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           SARIFRegion      `json:"region"`
	} `json:"physicalLocation"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

// SARIFRegion is a text region; EndColumn is exclusive, as SARIF says.
type SARIFRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// SARIFFix is a proposed edit (filled in by `rolecall fix --format sarif`).
type SARIFFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []SARIFArtifactChange `json:"artifactChanges"`
}

// SARIFArtifactChange holds the replacements for one file.
type SARIFArtifactChange struct {
	ArtifactLocation sarifArtifactLoc   `json:"artifactLocation"`
	Replacements     []SARIFReplacement `json:"replacements"`
}

// SARIFReplacement replaces a region of the unmodified file.
type SARIFReplacement struct {
	DeletedRegion   SARIFRegion `json:"deletedRegion"`
	InsertedContent sarifText   `json:"insertedContent"`
}

// NewSARIFFix builds a fix for one file from replacements.
func NewSARIFFix(description, file string, reps []SARIFReplacement) SARIFFix {
	return SARIFFix{
		Description: sarifText{Text: description},
		ArtifactChanges: []SARIFArtifactChange{{
			ArtifactLocation: artifactLocation(file),
			Replacements:     reps,
		}},
	}
}

// NewSARIFReplacement replaces region with text.
func NewSARIFReplacement(region SARIFRegion, text string) SARIFReplacement {
	return SARIFReplacement{DeletedRegion: region, InsertedContent: sarifText{Text: text}}
}

var sarifLevel = map[detectors.Severity]string{detectors.High: "error", detectors.Medium: "warning", detectors.Low: "note"}

// GitHub ranks alerts by security-severity: 7.0-8.9 high, 4.0-6.9 medium.
var securitySeverity = map[detectors.Severity]string{detectors.High: "8.9", detectors.Medium: "5.5", detectors.Low: "2.0"}

// artifactLocation makes a percent-encoded artifact location from a path: a
// reference relative to the source root, or a file:// URI for an absolute
// path (which %SRCROOT% cannot resolve).
func artifactLocation(p string) sarifArtifactLoc {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	uri := strings.Join(parts, "/")
	if strings.HasPrefix(p, "/") {
		return sarifArtifactLoc{URI: "file://" + uri}
	}
	return sarifArtifactLoc{URI: uri, URIBaseID: "%SRCROOT%"}
}

func writeSARIF(w io.Writer, fs []scanner.Finding, o Options) error {
	return WriteSARIFWithFixes(w, fs, o, nil)
}

// WriteSARIFWithFixes writes SARIF where fixes[i] are the fixes of fs[i].
// fs must already be prepared (redacted) by the caller unless it comes
// through Write.
func WriteSARIFWithFixes(w io.Writer, fs []scanner.Finding, o Options, fixes map[int][]SARIFFix) error {
	run := sarifRun{ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	run.Tool.Driver = sarifDriver{Name: "rolecall", Version: o.Version, InformationURI: "https://github.com/rolecall/rolecall"}
	index := map[string]int{}
	addRule := func(id string, r *detectors.Rule) {
		if _, ok := index[id]; ok {
			return
		}
		sr := sarifRule{ID: id, Name: id, Properties: map[string]any{}}
		sr.ShortDescription.Text = id
		sr.FullDescription.Text = id
		sr.Help.Text = "Remove the secret from the code and rotate it."
		sr.DefaultConfiguration.Level = "error"
		if r != nil {
			sr.Name = ruleName(r.ID)
			sr.ShortDescription.Text = r.Description
			sr.FullDescription.Text = r.Description + "."
			sr.Help.Text = r.Hint
			sr.Help.Markdown = fmt.Sprintf("**%s**\n\n%s\n\nFalse positive? Add `rolecall:allow` in a comment on the line, or an allowlist in `.rolecall.toml`.", r.Description, r.Hint)
			sr.DefaultConfiguration.Level = sarifLevel[r.Severity]
			sr.Properties["tags"] = append([]string{"security", "secret"}, r.Tags...)
			sr.Properties["security-severity"] = securitySeverity[r.Severity]
			sr.Properties["precision"] = "high"
			if strings.HasPrefix(r.ID, "generic") {
				sr.Properties["precision"] = "medium"
			}
		}
		index[id] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sr)
	}
	byID := map[string]*detectors.Rule{}
	for _, r := range o.Rules {
		byID[r.ID] = r
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		addRule(id, byID[id])
	}
	for i := range fs {
		f := &fs[i]
		addRule(f.RuleID, byID[f.RuleID])
		res := sarifResult{
			RuleID:              f.RuleID,
			RuleIndex:           index[f.RuleID],
			Level:               sarifLevel[f.Severity],
			PartialFingerprints: map[string]string{"rolecall/v1": f.Fingerprint},
			Properties:          map[string]any{"severity": f.Severity.String()},
			Fixes:               fixes[i],
		}
		msg := fmt.Sprintf("%s %s at %s", f.Description, f.Secret, Where(f))
		if f.AccountID != "" {
			msg += fmt.Sprintf(" (AWS account %s)", f.AccountID)
		}
		if f.Commit != "" {
			msg += fmt.Sprintf(", introduced in commit %s", shortSHA(f.Commit))
			res.Properties["commit"] = f.Commit
		}
		if f.Verification != nil {
			msg += "; verified " + VerificationText(f.Verification)
			res.Properties["verification"] = f.Verification
		}
		res.Message.Text = msg + "."
		if f.Notebook != nil {
			res.Properties["notebook"] = f.Notebook
		}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation = artifactLocation(f.File)
		loc.PhysicalLocation.Region = SARIFRegion{StartLine: f.Line, StartColumn: f.Column, EndLine: f.EndLine, EndColumn: f.EndColumn + 1}
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// ruleName turns "aws-secret-access-key" into "AwsSecretAccessKey", the
// PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
