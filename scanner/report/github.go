package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// GitHub Actions workflow commands: one annotation per finding, on the line
// of the file (docs.github.com: "Workflow commands for GitHub Actions").

var annotationLevel = map[detectors.Severity]string{detectors.High: "error", detectors.Medium: "warning", detectors.Low: "notice"}

// GitHub shows at most 10 error and 10 warning annotations (and 10
// notices) per step and drops the rest without a word, so the most severe
// come first and one closing notice says how many more there are.
const annotationsPerLevel = 10

func writeGitHub(w io.Writer, fs []scanner.Finding, o Options) error {
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return fs[order[i]].Severity > fs[order[j]].Severity })
	limit := map[detectors.Severity]int{detectors.High: annotationsPerLevel, detectors.Medium: annotationsPerLevel, detectors.Low: annotationsPerLevel}
	count := map[detectors.Severity]int{}
	for i := range fs {
		count[fs[i].Severity]++
	}
	for sev, n := range count {
		if n > limit[sev] {
			// The closing notice takes a notice slot of its own.
			limit[detectors.Low] = annotationsPerLevel - 1
		}
	}
	shown := map[detectors.Severity]int{}
	var b strings.Builder
	rest := 0
	for _, i := range order {
		f := &fs[i]
		if shown[f.Severity] >= limit[f.Severity] {
			rest++
			continue
		}
		shown[f.Severity]++
		b.WriteString(Annotation(f))
		b.WriteByte('\n')
	}
	if rest > 0 {
		where := o.AnnotationsRestIn
		if where == "" {
			where = "the full report (rolecall scan --format text, json or sarif)"
		}
		more := fmt.Sprintf("%d more findings", rest)
		if rest == 1 {
			more = "1 more finding"
		}
		fmt.Fprintf(&b, "::notice title=rolecall%%3A %s::%s\n", more,
			escapeData(fmt.Sprintf("GitHub shows at most %d error, %d warning and %d notice annotations per step; %s, not annotated here, are in %s.",
				annotationsPerLevel, annotationsPerLevel, annotationsPerLevel, more, where)))
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
