package org_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/org"
	"github.com/rolecall/rolecall/scanner/report"
)

// The text report never reads as clean while a repository failed, with or
// without findings elsewhere.
func TestTextReportSaysIncomplete(t *testing.T) {
	found := org.Finding{Repository: "a", Finding: scanner.Finding{RuleID: "generic-credential", File: "x.py", Line: 1}}
	cases := []struct {
		repos []org.RepoFindings
		want  string
	}{
		{[]org.RepoFindings{{Repository: "a"}, {Repository: "b"}}, "no secrets found in 2 repositories\n"},
		{[]org.RepoFindings{{Repository: "a"}, {Repository: "b", Failed: true}}, "no secrets found in 1 repositories; INCOMPLETE: 1 could not be scanned"},
		{[]org.RepoFindings{{Repository: "a", Findings: []org.Finding{found}}, {Repository: "b", Failed: true}}, "INCOMPLETE: 1 repositories could not be scanned this run"},
		{[]org.RepoFindings{{Repository: "a", Findings: []org.Finding{found}}}, "== a =="},
	}
	for _, c := range cases {
		var out bytes.Buffer
		seq := func(yield func(org.RepoFindings, error) bool) {
			for _, r := range c.repos {
				if !yield(r, nil) {
					return
				}
			}
		}
		if err := org.Write(&out, "text", seq, report.Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), c.want) {
			t.Errorf("%+v:\n%s\nwant %q", c.repos, out.String(), c.want)
		}
		if len(c.repos) == 1 && strings.Contains(out.String(), "INCOMPLETE") {
			t.Errorf("a complete run says INCOMPLETE:\n%s", out.String())
		}
	}
}
