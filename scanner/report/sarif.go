package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
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
	ColumnKind  string            `json:"columnKind"`
	Results     []sarifResult     `json:"results"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
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
	Message          *sarifText `json:"message,omitempty"`
	PhysicalLocation struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
		Region           SARIFRegion      `json:"region"`
	} `json:"physicalLocation"`
}

type sarifArtifactLoc struct {
	URI        string         `json:"uri"`
	URIBaseID  string         `json:"uriBaseId,omitempty"`
	Properties map[string]any `json:"properties,omitempty"`
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
//
// GitHub code scanning takes a result's severity from its rule's
// security-severity only, so there is one SARIF rule per rolecall rule and
// severity, with the id "RULE/SEVERITY" (generic-credential/high,
// generic-credential/low); properties.rule holds the rolecall rule id.
func WriteSARIFWithFixes(w io.Writer, fs []scanner.Finding, o Options, fixes map[int][]SARIFFix) error {
	run := sarifRun{ColumnKind: "unicodeCodePoints", Results: []sarifResult{}}
	run.Tool.Driver = sarifDriver{Name: "rolecall", Version: o.Version, InformationURI: "https://github.com/rolecall/rolecall", Rules: []sarifRule{}}
	byID := map[string]*detectors.Rule{}
	wanted := map[string]sarifRuleKey{}
	for _, r := range o.Rules {
		byID[r.ID] = r
		k := sarifRuleKey{r.ID, r.Severity}
		wanted[k.id()] = k
	}
	for i := range fs {
		k := sarifRuleKey{fs[i].RuleID, fs[i].Severity}
		wanted[k.id()] = k
	}
	ids := make([]string, 0, len(wanted))
	for id := range wanted {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	index := map[string]int{}
	for _, id := range ids {
		index[id] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, newSARIFRule(wanted[id], byID[wanted[id].rule]))
	}
	prints := partialFingerprints(fs)
	for i := range fs {
		f := &fs[i]
		id := sarifRuleKey{f.RuleID, f.Severity}.id()
		res := sarifResult{
			RuleID:              id,
			RuleIndex:           index[id],
			Level:               sarifLevel[f.Severity],
			PartialFingerprints: map[string]string{"rolecall/v1": prints[i]},
			Properties:          map[string]any{"rule": f.RuleID, "severity": f.Severity.String(), "fingerprint": f.Fingerprint},
			Fixes:               fixes[i],
		}
		msg := fmt.Sprintf("%s %s at %s", f.Description, f.Secret, Where(f))
		if f.AccountID != "" {
			msg += fmt.Sprintf(" (AWS account %s)", f.AccountID)
		}
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation = artifactLocation(f.File)
		if f.Commit != "" {
			msg += fmt.Sprintf(", introduced in commit %s", shortSHA(f.Commit))
			res.Properties["commit"] = f.Commit
			// The region is in the file as that commit holds it, which may
			// differ from the checked-out file: say which version it is.
			loc.PhysicalLocation.ArtifactLocation.Properties = map[string]any{"commit": f.Commit}
			loc.Message = &sarifText{Text: fmt.Sprintf("%s as of commit %s", f.File, shortSHA(f.Commit))}
		}
		res.Message.Text = msg + "."
		if f.Notebook != nil {
			res.Properties["notebook"] = f.Notebook
		}
		loc.PhysicalLocation.Region = SARIFRegion{StartLine: f.Line, StartColumn: f.Column, EndLine: f.EndLine, EndColumn: f.EndColumn + 1}
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	if run.Tool.Driver.Rules == nil {
		run.Tool.Driver.Rules = []sarifRule{}
	}
	if o.Coverage != nil {
		run.Invocations = []sarifInvocation{invocation(o.Coverage)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifRuleKey is one SARIF rule: a rolecall rule at one severity.
type sarifRuleKey struct {
	rule string
	sev  detectors.Severity
}

func (k sarifRuleKey) id() string { return k.rule + "/" + k.sev.String() }

// newSARIFRule writes a rule's metadata; r is nil for a finding whose rule
// the options do not list.
func newSARIFRule(k sarifRuleKey, r *detectors.Rule) sarifRule {
	desc, hint, tags := k.rule, "Remove the secret from the code and rotate it.", []string(nil)
	if r != nil {
		desc, tags = r.Description, r.Tags
		if r.Hint != "" {
			hint = r.Hint
		}
	}
	sr := sarifRule{ID: k.id(), Name: ruleName(k.rule) + ruleName(k.sev.String()), Properties: map[string]any{}}
	sr.ShortDescription.Text = fmt.Sprintf("%s (%s)", desc, k.sev)
	why := whyItMatters(tags)
	sr.FullDescription.Text = fmt.Sprintf("%s, found by rolecall rule %s at %s severity. %s", desc, k.rule, k.sev, why)
	sr.Help.Text = hint
	sr.Help.Markdown = ruleHelpMarkdown(k, desc, hint, why, tags)
	sr.DefaultConfiguration.Level = sarifLevel[k.sev]
	sr.Properties["tags"] = uniqueTags(append([]string{"security", "secret"}, tags...))
	sr.Properties["security-severity"] = securitySeverity[k.sev]
	sr.Properties["precision"] = "high"
	if strings.HasPrefix(k.rule, "generic") {
		sr.Properties["precision"] = "medium"
	}
	return sr
}

// uniqueTags keeps the first of each tag: SARIF requires tags to be unique.
func uniqueTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func whyItMatters(tags []string) string {
	switch {
	case slices.Contains(tags, "aws") && slices.Contains(tags, "key-id"):
		return "An access key id is not a secret by itself, but it names a key whose secret is usually close by (in the file, its history or a colleague's copy); it tells you which key to rotate."
	case slices.Contains(tags, "aws"):
		return "Anyone who can read the repository, a fork or a clone can sign AWS requests as the key's owner until the key is deactivated; deleting the line does not help, since git history keeps it."
	case slices.Contains(tags, "token"):
		return "Anyone who can read the repository or its history can call the service as the token's owner until the token is revoked."
	}
	return "The credential opens the system it belongs to for anyone who can read the repository or its history, until it is changed."
}

func ruleHelpMarkdown(k sarifRuleKey, desc, hint, why string, tags []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (rolecall rule `%s`, severity %s)\n\n%s\n\n## How to fix it\n\n", desc, k.rule, k.sev, why)
	fmt.Fprintf(&b, "1. %s\n", hint)
	if slices.Contains(tags, "aws") {
		b.WriteString("2. Rewrite the code to use a role or a named profile: `rolecall fix` prints the diff, `rolecall fix --write` applies it.\n")
		b.WriteString("3. Rotate the key: `aws iam get-access-key-last-used --access-key-id KEY_ID` names its owner, " +
			"`aws iam update-access-key --user-name USER --access-key-id KEY_ID --status Inactive` stops it, " +
			"`aws iam delete-access-key --user-name USER --access-key-id KEY_ID` removes it once nothing breaks. " +
			"`rolecall fix` prints this checklist with the key id filled in.\n")
	} else {
		b.WriteString("2. Revoke or change the credential at its issuer, then read it from the environment or a secret manager.\n")
	}
	b.WriteString("\nIf it was committed, rotating it is not optional: `rolecall fix --replace-text FILE` writes the input for " +
		"`git filter-repo --replace-text FILE`, which purges it from history.\n\n" +
		"False positive? Add `rolecall:allow` in a comment on the line, or an allowlist in `.rolecall.toml`.")
	return b.String()
}

// partialFingerprints gives each result its own value: the finding's
// fingerprint (rule, file, secret) with the part of the file it is in (a
// notebook cell's source, an output, metadata) and, for the same secret
// more than once in one part, its ordinal. Lines may move without changing
// it, so GitHub keeps tracking the same alert.
func partialFingerprints(fs []scanner.Finding) []string {
	out := make([]string, len(fs))
	seen := map[string]int{}
	for i := range fs {
		f := &fs[i]
		key := f.Fingerprint
		if nb := f.Notebook; nb != nil {
			key += fmt.Sprintf("\x00%s\x00%d\x00%s", nb.Part, nb.Cell, nb.MetadataKey)
			if nb.Output != nil {
				key += fmt.Sprintf("\x00%d", nb.Output.Index)
			}
		}
		n := seen[key]
		seen[key] = n + 1
		if n == 0 && f.Notebook == nil {
			out[i] = f.Fingerprint
			continue
		}
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d", key, n)))
		out[i] = hex.EncodeToString(sum[:16])
	}
	return out
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

// sarifInvocation says whether the scan read everything in scope; each
// thing it could not read is a notification naming its path, ref or
// object.
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
	Properties                 map[string]any      `json:"properties"`
}

type sarifNotification struct {
	Level      string              `json:"level"`
	Message    sarifText           `json:"message"`
	Locations  []sarifFileLocation `json:"locations,omitempty"`
	Properties map[string]any      `json:"properties,omitempty"`
}

// sarifFileLocation names a whole file (a notification has no region).
type sarifFileLocation struct {
	PhysicalLocation struct {
		ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	} `json:"physicalLocation"`
}

func invocation(c *scanner.Coverage) sarifInvocation {
	inv := sarifInvocation{
		ExecutionSuccessful:        c.Complete,
		ToolExecutionNotifications: []sarifNotification{},
		Properties: map[string]any{
			"filesScanned": c.FilesScanned, "commitsScanned": c.CommitsScanned,
			"blobsScanned": c.BlobsScanned, "skipped": len(c.Skipped), "shallow": c.Shallow,
		},
	}
	if c.Shallow && !slices.ContainsFunc(c.Unreadable, func(g scanner.Gap) bool { return g.Reason == ShallowAdvice }) {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level:   "error",
			Message: sarifText{Text: ShallowAdvice},
		})
	}
	for _, g := range c.Unreadable {
		n := sarifNotification{Level: "error", Message: sarifText{Text: g.String()}, Properties: map[string]any{}}
		if g.Path != "" {
			var loc sarifFileLocation
			loc.PhysicalLocation.ArtifactLocation = artifactLocation(g.Path)
			n.Locations = []sarifFileLocation{loc}
			n.Properties["path"] = g.Path
		}
		if g.Ref != "" {
			n.Properties["ref"] = g.Ref
		}
		if g.Object != "" {
			n.Properties["object"] = g.Object
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	return inv
}

// ShallowAdvice says how to get the history a shallow clone cut.
const ShallowAdvice = scanner.ReasonShallow + ": the history is cut at this commit and older commits are not scanned; " +
	"run git fetch --unshallow (in GitHub Actions: actions/checkout with fetch-depth: 0)"
