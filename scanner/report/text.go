package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/muesli/termenv"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// Styles of the text report, in the 16 ANSI colours every terminal has
// (the caller decides whether to colour at all: Options.Color).
var (
	severityStyle = map[detectors.Severity]func(termenv.Style) termenv.Style{
		detectors.High:   func(s termenv.Style) termenv.Style { return s.Foreground(termenv.ANSIRed).Bold() },
		detectors.Medium: func(s termenv.Style) termenv.Style { return s.Foreground(termenv.ANSIYellow).Bold() },
		detectors.Low:    func(s termenv.Style) termenv.Style { return s.Foreground(termenv.ANSICyan).Bold() },
	}
	bold  = termenv.Style.Bold
	faint = termenv.Style.Faint
)

// hintIndent is where a finding's detail lines start.
const hintIndent = "       "

func writeText(w io.Writer, fs []scanner.Finding, o Options) error {
	paint := func(style func(termenv.Style) termenv.Style, s string) string {
		if !o.Color {
			return s
		}
		return style(termenv.String(s)).String()
	}
	var b strings.Builder
	for i := range fs {
		f := &fs[i]
		sev := strings.ToUpper(f.Severity.String())
		fmt.Fprintf(&b, "%s %s  %s\n", paint(severityStyle[f.Severity], fmt.Sprintf("%-6s", sev)),
			paint(bold, Where(f)), f.RuleID)
		fmt.Fprintf(&b, "       %s: %s", f.Description, f.Secret)
		if f.AccountID != "" {
			fmt.Fprintf(&b, "  (AWS account %s)", f.AccountID)
		}
		if o.FailOn != 0 && f.Severity < o.FailOn {
			b.WriteString(paint(faint, "  [below --fail-on]"))
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
		if v := f.Verification; v != nil {
			fmt.Fprintf(&b, "       verified: %s\n", VerificationText(v))
		}
		if f.Hint != "" {
			for _, line := range wrap(f.Hint, o.Width-len(hintIndent)) {
				fmt.Fprintf(&b, "%s%s\n", hintIndent, paint(faint, line))
			}
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

// wrap breaks text into lines of at most width columns at spaces (a longer
// word gets a line of its own); width under 20 leaves it whole.
func wrap(text string, width int) []string {
	if width < 20 || utf8.RuneCountInString(text) <= width {
		return []string{text}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
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
		parts = append(parts, fmt.Sprintf("%d skipped (--summary lists them)", st.Skipped))
	}
	if st.Baselined > 0 {
		parts = append(parts, fmt.Sprintf("%d known from the baseline", st.Baselined))
	}
	if st.Incomplete != "" {
		parts = append(parts, st.Incomplete)
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

// VerificationText says what scan --verify found, in one line.
func VerificationText(v *scanner.Verification) string {
	s := v.Status
	switch {
	case v.ARN != "":
		s += " as " + v.ARN
	case v.Account != "" && v.Status == "canary":
		s += " (canary-token account " + v.Account + ", not called)"
	case v.Error != "":
		s += " (" + v.Error + ")"
	}
	return s
}
