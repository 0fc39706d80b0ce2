package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// GitHub Actions workflow commands: one annotation per finding, on the line
// of the file (docs.github.com: "Workflow commands for GitHub Actions").

var annotationLevel = map[detectors.Severity]string{detectors.High: "error", detectors.Medium: "warning", detectors.Low: "notice"}

func writeGitHub(w io.Writer, fs []scanner.Finding) error {
	var b strings.Builder
	for i := range fs {
		b.WriteString(Annotation(&fs[i]))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Annotation renders one finding (already redacted) as a workflow command.
func Annotation(f *scanner.Finding) string {
	props := []string{
		"file=" + escapeProperty(f.File),
		fmt.Sprintf("line=%d", f.Line),
		fmt.Sprintf("endLine=%d", f.EndLine),
	}
	if f.Line == f.EndLine {
		props = append(props, fmt.Sprintf("col=%d", f.Column), fmt.Sprintf("endColumn=%d", f.EndColumn+1))
	}
	props = append(props, "title="+escapeProperty(f.RuleID+": "+f.Description))
	msg := fmt.Sprintf("%s at %s", f.Secret, Where(f))
	if f.Commit != "" {
		msg += fmt.Sprintf(" (commit %s)", shortSHA(f.Commit))
	}
	if f.Hint != "" {
		msg += "\n" + f.Hint
	}
	return fmt.Sprintf("::%s %s::%s", annotationLevel[f.Severity], strings.Join(props, ","), escapeData(msg))
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
