package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

var severityColor = map[detectors.Severity]string{
	detectors.High: ansiRed, detectors.Medium: ansiYellow, detectors.Low: ansiCyan,
}

func writeText(w io.Writer, fs []scanner.Finding, o Options) error {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	for i := range fs {
		f := &fs[i]
		sev := strings.ToUpper(f.Severity.String())
		fmt.Fprintf(&b, "%s %s  %s\n", paint(severityColor[f.Severity]+ansiBold, fmt.Sprintf("%-6s", sev)),
			paint(ansiBold, Where(f)), f.RuleID)
		fmt.Fprintf(&b, "       %s: %s", f.Description, f.Secret)
		if f.AccountID != "" {
			fmt.Fprintf(&b, "  (AWS account %s)", f.AccountID)
		}
		if o.FailOn != 0 && f.Severity < o.FailOn {
			b.WriteString(paint(ansiDim, "  [below --fail-on]"))
		}
		b.WriteByte('\n')
		if f.Commit != "" {
			fmt.Fprintf(&b, "       commit %s", shortSHA(f.Commit))
			if f.Author != "" {
				fmt.Fprintf(&b, " by %s", f.Author)
				if f.Email != "" {
					fmt.Fprintf(&b, " <%s>", f.Email)
				}
			}
			if f.Date != "" {
				fmt.Fprintf(&b, " on %s", f.Date)
			}
			b.WriteByte('\n')
		}
		if f.Hint != "" {
			fmt.Fprintf(&b, "       %s\n", paint(ansiDim, f.Hint))
		}
		b.WriteByte('\n')
	}
	if o.Stats != nil {
		b.WriteString(summary(fs, o.Stats))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func summary(fs []scanner.Finding, st *Stats) string {
	counts := map[detectors.Severity]int{}
	files := map[string]bool{}
	for _, f := range fs {
		counts[f.Severity]++
		files[f.File] = true
	}
	var parts []string
	if len(fs) == 0 {
		parts = append(parts, "no secrets found")
	} else {
		var sevs []string
		for _, s := range []detectors.Severity{detectors.High, detectors.Medium, detectors.Low} {
			if counts[s] > 0 {
				sevs = append(sevs, fmt.Sprintf("%d %s", counts[s], s))
			}
		}
		parts = append(parts, fmt.Sprintf("%d finding%s (%s) in %d file%s", len(fs), plural(len(fs)),
			strings.Join(sevs, ", "), len(files), plural(len(files))))
	}
	scanned := fmt.Sprintf("%d file%s scanned", st.Files, plural(st.Files))
	if st.Commits > 0 {
		scanned = fmt.Sprintf("%d commit%s and %s", st.Commits, plural(st.Commits), scanned)
	}
	parts = append(parts, scanned)
	if st.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped (see warnings)", st.Skipped))
	}
	if st.Baselined > 0 {
		parts = append(parts, fmt.Sprintf("%d known from the baseline", st.Baselined))
	}
	return strings.Join(parts, "; ") + "."
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// shortSHA abbreviates a commit id; it cuts between characters, so even
// an id that is not hex stays valid UTF-8.
func shortSHA(s string) string {
	if len(s) <= 12 {
		return s
	}
	n := 12
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
