package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/scanner"
)

// WriteGitHubSummary writes a Markdown job summary (for GITHUB_STEP_SUMMARY):
// what was scanned and a table of findings with file, cell and commit.
// Secrets are redacted unless o.ShowSecrets.
func WriteGitHubSummary(w io.Writer, scope string, commits int, fs []scanner.Finding, o Options) error {
	fs = escapeFindings(prepare(fs, o))
	var b strings.Builder
	b.WriteString("## rolecall\n\n")
	fmt.Fprintf(&b, "Scanned %s (%d commit%s).\n\n", escapeMarkdown(scope), commits, plural(commits))
	if o.Coverage != nil {
		writeCoverageMarkdown(&b, o.Coverage)
	}
	if len(fs) == 0 {
		b.WriteString("No secrets found.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "**%d finding%s**; fix with `rolecall fix`, allow a false positive with a `rolecall:allow` comment.\n\n", len(fs), plural(len(fs)))
	b.WriteString("| Severity | Rule | File | Cell | Line | Commit | Secret |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, f := range fs {
		cell := ""
		if nb := f.Notebook; nb != nil {
			cell = fmt.Sprintf("%d", nb.Cell)
			if nb.Output != nil {
				cell += fmt.Sprintf(" (output %d)", nb.Output.Index)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s | `%s` |\n", f.Severity, escapeMarkdown(f.RuleID), escapeMarkdown(f.File), cell, f.Line,
			escapeMarkdown(shortSHA(f.Commit)), codeCell(f.Secret))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeMarkdown keeps file names from breaking the table: control
// characters (newlines included) become visible escapes first.
func escapeMarkdown(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(escape.Text(s))
}

// codeCell writes a secret as a code span in a table cell: a backtick
// would end the span and a pipe, even inside it, the cell.
func codeCell(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`).Replace(escape.Text(s))
}

// summaryGapLimit caps each list of the job summary; --summary FILE has
// them all.
const summaryGapLimit = 50

// writeCoverageMarkdown lists what the scan could not read and what it
// passed over.
func writeCoverageMarkdown(b *strings.Builder, c *scanner.Coverage) {
	if c.Complete {
		fmt.Fprintf(b, "Coverage: complete (%d file versions scanned, %d skipped).\n\n", c.BlobsScanned+c.FilesScanned, len(c.Skipped))
	} else {
		b.WriteString("**Incomplete: part of the scope could not be read.**\n\n")
	}
	list := func(title string, gs []scanner.Gap) {
		if len(gs) == 0 {
			return
		}
		fmt.Fprintf(b, "%s (%d):\n\n", title, len(gs))
		for i, g := range gs {
			if i == summaryGapLimit {
				fmt.Fprintf(b, "- ... and %d more (rolecall --summary FILE lists them all)\n", len(gs)-i)
				break
			}
			fmt.Fprintf(b, "- %s\n", escapeMarkdown(g.String()))
		}
		b.WriteString("\n")
	}
	list("Not read", c.Unreadable)
	list("Skipped", c.Skipped)
}
