// Package report renders findings for people (text), programs (json), code
// scanning (sarif) and GitHub Actions (workflow-command annotations). Every
// format redacts secrets unless Options.ShowSecrets is set.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/scanner"
)

// Formats lists the names accepted by --format.
var Formats = []string{"text", "json", "sarif", "github"}

// Options control rendering.
type Options struct {
	ShowSecrets bool
	// Width, if set, wraps the text report's hints to the terminal's width.
	Width int
	// RedactKeyIDs hides AWS key and principal ids too (shown in full by
	// default: they are identifiers, not secrets).
	RedactKeyIDs bool
	Color        bool
	// Rules supply SARIF rule metadata; findings of rules not listed still
	// render.
	Rules   []*detectors.Rule
	Version string
	// FailOn is the lowest severity that fails the run; the text report
	// marks findings below it.
	FailOn detectors.Severity
	// Stats, if set, ends the text report with a summary line.
	Stats *Stats
	// AnnotationsRestIn says where findings beyond GitHub's annotation
	// limit can be read ("the job summary and code scanning").
	AnnotationsRestIn string
	// Coverage, if set, is written to SARIF as the run's invocation.
	Coverage *scanner.Coverage
}

// Stats summarise a scan for the text report.
type Stats struct {
	Files   int
	Skipped int
	Commits int
	// Baselined counts findings dropped because the baseline knew them.
	Baselined int
	// Incomplete says what was not read ("" when everything was); see
	// scanner.Coverage.Summary.
	Incomplete string
}

// StatsOf summarises a coverage record for the text report.
func StatsOf(c *scanner.Coverage) Stats {
	// A history scan reads blobs, a directory scan files: never both.
	return Stats{Files: c.FilesScanned + c.BlobsScanned, Commits: c.CommitsScanned, Skipped: len(c.Skipped), Incomplete: c.Summary()}
}

// Write renders fs in the named format.
func Write(w io.Writer, format string, fs []scanner.Finding, o Options) error {
	fs = prepare(fs, o)
	switch format {
	case "text":
		return writeText(w, escapeFindings(fs), o)
	case "json":
		return writeJSON(w, fs)
	case "sarif":
		return writeSARIF(w, fs, o)
	case "github":
		return writeGitHub(w, escapeFindings(fs), o)
	}
	return fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(Formats, ", "))
}

// prepare copies the findings with secrets redacted unless asked not to, so
// no writer can print a secret by mistake.
func prepare(fs []scanner.Finding, o Options) []scanner.Finding {
	out := make([]scanner.Finding, len(fs))
	copy(out, fs)
	if !o.ShowSecrets {
		for i := range out {
			out[i].Secret = scanner.Display(out[i].Secret, false, o.RedactKeyIDs)
			out[i].KeyID = ""
		}
	}
	return out
}

// escapeFindings writes every string that came from input (paths, git
// names, emails, rule text from a config, secrets) with escape.Text, for
// the formats a terminal or a CI log shows as is. JSON and SARIF escape
// control characters in their own encoding and keep the real values.
func escapeFindings(fs []scanner.Finding) []scanner.Finding {
	for i := range fs {
		f := &fs[i]
		for _, p := range []*string{&f.RuleID, &f.Description, &f.File, &f.Secret, &f.Commit, &f.Author,
			&f.Email, &f.Date, &f.AccountID, &f.Hint} {
			*p = escape.Text(*p)
		}
		if f.Notebook != nil {
			nb := *f.Notebook
			nb.CellID, nb.CellType, nb.MetadataKey = escape.Text(nb.CellID), escape.Text(nb.CellType), escape.Text(nb.MetadataKey)
			if nb.Output != nil {
				out := *nb.Output
				out.Type, out.MIME = escape.Text(out.Type), escape.Text(out.MIME)
				nb.Output = &out
			}
			f.Notebook = &nb
		}
	}
	return fs
}

func writeJSON(w io.Writer, fs []scanner.Finding) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(fs)
}

// Where describes a finding's location the way a person looks for it: a
// notebook cell and line, or a file line and column.
func Where(f *scanner.Finding) string {
	nb := f.Notebook
	if nb == nil {
		return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
	}
	var b strings.Builder
	b.WriteString(f.File)
	if nb.Checkpoint {
		b.WriteString(" (checkpoint copy)")
	}
	switch {
	case nb.Part == "metadata" && nb.Cell == 0:
		fmt.Fprintf(&b, " metadata %s", nb.MetadataKey)
	case nb.Part == "metadata":
		fmt.Fprintf(&b, " cell %d metadata %s", nb.Cell, nb.MetadataKey)
	case nb.Output != nil:
		fmt.Fprintf(&b, " cell %d output %d (%s) line %d", nb.Cell, nb.Output.Index, outputKind(nb.Output), nb.CellLine)
	default:
		fmt.Fprintf(&b, " cell %d line %d", nb.Cell, nb.CellLine)
	}
	fmt.Fprintf(&b, " (file %d:%d)", f.Line, f.Column)
	return b.String()
}

func outputKind(o *scanner.OutputLocation) string {
	if o.MIME != "" && o.MIME != o.Type {
		return o.Type + " " + o.MIME
	}
	return o.Type
}
