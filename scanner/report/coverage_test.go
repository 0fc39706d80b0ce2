package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// incomplete is a coverage record with one gap of each kind of subject.
func incomplete() *scanner.Coverage {
	c := &scanner.Coverage{CommitsScanned: 4, BlobsScanned: 9, Shallow: true,
		Skipped: []scanner.Gap{{Path: "logo.png", Object: "1f", Reason: scanner.ReasonBinary}},
		Unreadable: []scanner.Gap{
			{Ref: "refs/heads/old", Reason: "unresolvable ref: object 5a is missing"},
			{Path: "data/a b.py", Object: "9b", Reason: "cannot read blob 9b"},
			{Object: "c0ffee", Reason: ShallowAdvice},
		}}
	c.Settle()
	return c
}

func TestSARIFInvocation(t *testing.T) {
	complete := &scanner.Coverage{FilesScanned: 3}
	complete.Settle()
	cases := []struct {
		name          string
		cov           *scanner.Coverage
		successful    bool
		notifications int
	}{
		{"complete", complete, true, 0},
		{"incomplete: one notification per cause", incomplete(), false, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := render(t, "sarif", nil, Options{Coverage: c.cov})
			if p := sariftest.Problems([]byte(out)); len(p) > 0 {
				t.Errorf("invalid SARIF: %v", p)
			}
			var log struct {
				Runs []struct {
					Invocations []struct {
						ExecutionSuccessful bool `json:"executionSuccessful"`
						Notifications       []struct {
							Level      string                `json:"level"`
							Message    struct{ Text string } `json:"message"`
							Locations  []json.RawMessage     `json:"locations"`
							Properties map[string]string     `json:"properties"`
						} `json:"toolExecutionNotifications"`
					} `json:"invocations"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs[0].Invocations) != 1 {
				t.Fatalf("%v\n%s", err, out)
			}
			inv := log.Runs[0].Invocations[0]
			if inv.ExecutionSuccessful != c.successful || len(inv.Notifications) != c.notifications {
				t.Fatalf("invocation %+v", inv)
			}
			for i, g := range c.cov.Unreadable {
				n := inv.Notifications[i]
				if n.Level != "error" || n.Message.Text != g.String() || n.Properties["ref"] != g.Ref || n.Properties["path"] != g.Path || n.Properties["object"] != g.Object {
					t.Errorf("notification %d %+v for %+v", i, n, g)
				}
				if (g.Path != "") != (len(n.Locations) == 1) {
					t.Errorf("notification %d: a location exactly when there is a path: %s", i, n.Locations)
				}
			}
		})
	}
	// Without a coverage record (fix's SARIF) there is no invocation.
	if out := render(t, "sarif", nil, Options{}); strings.Contains(out, "invocations") {
		t.Errorf("invocations without a coverage record")
	}
}

func TestCoverageInTextAndJobSummary(t *testing.T) {
	cov := incomplete()
	st := StatsOf(cov)
	text := render(t, "text", nil, Options{Stats: &st})
	if !strings.Contains(text, "no secrets found; 4 commits and 9 files scanned; 1 skipped (--summary lists them); INCOMPLETE (2 unreadable, history cut by a shallow clone).") {
		t.Errorf("summary line: %q", text)
	}
	var b strings.Builder
	if err := WriteGitHubSummary(&b, "schedule: the full history", 4, nil, Options{Coverage: cov}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"**Incomplete", "Not read (3)", "- ref refs/heads/old: unresolvable ref", "- data/a b.py object 9b", "Skipped (1)", "git fetch --unshallow"} {
		if !strings.Contains(md, want) {
			t.Errorf("job summary lacks %q:\n%s", want, md)
		}
	}
	// Long lists are cut with a pointer to --summary.
	many := &scanner.Coverage{}
	for i := range summaryGapLimit + 5 {
		many.Unreadable = append(many.Unreadable, scanner.Gap{Path: fmt.Sprintf("f%d", i), Reason: "permission denied"})
	}
	many.Settle()
	b.Reset()
	WriteGitHubSummary(&b, "push", 1, nil, Options{Coverage: many})
	if got := strings.Count(b.String(), "permission denied"); got != summaryGapLimit || !strings.Contains(b.String(), "and 5 more") {
		t.Errorf("%d gaps listed:\n%s", got, b.String())
	}
}
