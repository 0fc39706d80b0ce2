package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// sarifDoc is the part of a SARIF log these tests read.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID               string         `json:"id"`
					ShortDescription sarifText      `json:"shortDescription"`
					FullDescription  sarifText      `json:"fullDescription"`
					Help             sarifText      `json:"help"`
					Properties       map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID              string            `json:"ruleId"`
			RuleIndex           int               `json:"ruleIndex"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
			Locations           []sarifLocation   `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func parseSARIF(t *testing.T, out string) sarifDoc {
	t.Helper()
	for _, p := range sariftest.Problems([]byte(out)) {
		t.Error(p)
	}
	var d sarifDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// GitHub ranks an alert by its rule's security-severity: 9.0 and up
// critical, 7.0 high, 4.0 medium, 0.1 low. A result must reach the rank of
// its own severity even when its rule's default is another.
func TestSARIFSeverityReachesGitHub(t *testing.T) {
	eng, _ := detectors.NewEngine(nil)
	set := testsecrets.New(7)
	var fs []scanner.Finding
	for i, sev := range []detectors.Severity{detectors.High, detectors.Medium, detectors.Low} {
		fs = append(fs, scanner.Finding{RuleID: "generic-credential", Description: "Credential", Severity: sev,
			File: "app.py", Line: i + 1, Column: 1, EndLine: i + 1, EndColumn: 10, Secret: set.Get("db_password"), Fingerprint: fmt.Sprint("f", i)})
	}
	d := parseSARIF(t, render(t, "sarif", fs, Options{Rules: eng.Rules()}))
	rank := func(v float64) string {
		switch {
		case v >= 9:
			return "critical"
		case v >= 7:
			return "high"
		case v >= 4:
			return "medium"
		case v > 0:
			return "low"
		}
		return "none"
	}
	run := d.Runs[0]
	for i, res := range run.Results {
		rule := run.Tool.Driver.Rules[res.RuleIndex]
		v, _ := strconv.ParseFloat(rule.Properties["security-severity"].(string), 64)
		want := fs[i].Severity.String()
		got := rank(v)
		if got != want && !(want == "high" && got == "critical") {
			t.Errorf("a %s result shows in GitHub as %s (rule %s, security-severity %v)", want, got, rule.ID, v)
		}
		if res.RuleID != "generic-credential/"+want || res.Properties["rule"] != "generic-credential" {
			t.Errorf("result %d: ruleId %s, properties.rule %v", i, res.RuleID, res.Properties["rule"])
		}
	}
}

func TestSARIFRuleHelp(t *testing.T) {
	eng, _ := detectors.NewEngine(nil)
	d := parseSARIF(t, render(t, "sarif", nil, Options{Rules: eng.Rules()}))
	rules := d.Runs[0].Tool.Driver.Rules
	if len(rules) != len(eng.Rules()) {
		t.Errorf("%d SARIF rules for %d rolecall rules", len(rules), len(eng.Rules()))
	}
	for _, r := range rules {
		if r.FullDescription.Text == r.ShortDescription.Text || !strings.Contains(r.FullDescription.Text, r.ShortDescription.Text[:strings.LastIndex(r.ShortDescription.Text, " (")]) {
			t.Errorf("%s: fullDescription %q does not say more than shortDescription %q", r.ID, r.FullDescription.Text, r.ShortDescription.Text)
		}
		md := r.Help.Markdown
		for _, want := range []string{"## How to fix it", "rolecall:allow", "git filter-repo"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s: help.markdown lacks %q", r.ID, want)
			}
		}
		if strings.HasPrefix(r.ID, "aws-") && !strings.Contains(md, "aws iam update-access-key") {
			t.Errorf("%s: help.markdown lacks the rotation commands:\n%s", r.ID, md)
		}
	}
}

// Two results never share a partialFingerprint (GitHub would merge them
// into one alert), and a moved line keeps its value.
func TestSARIFPartialFingerprintsUnique(t *testing.T) {
	set := testsecrets.New(8)
	secret := set.Get("aws_secret")
	fp := scanner.NewFingerprintKey(nil).Fingerprint("aws-secret-access-key", "nb.ipynb", secret)
	mk := func(line int, nb *scanner.NotebookLocation) scanner.Finding {
		return scanner.Finding{RuleID: "aws-secret-access-key", Description: "AWS secret access key", Severity: detectors.High,
			File: "nb.ipynb", Line: line, Column: 3, EndLine: line, EndColumn: 42, Secret: secret, Fingerprint: fp, Notebook: nb}
	}
	fs := []scanner.Finding{
		mk(10, &scanner.NotebookLocation{Cell: 2, CellLine: 1, Part: "source"}),
		mk(30, &scanner.NotebookLocation{Cell: 2, CellLine: 1, Part: "output", Output: &scanner.OutputLocation{Index: 1, Type: "stream"}}),
		mk(31, &scanner.NotebookLocation{Cell: 2, CellLine: 2, Part: "output", Output: &scanner.OutputLocation{Index: 1, Type: "stream"}}),
		mk(50, &scanner.NotebookLocation{Cell: 4, CellLine: 1, Part: "source"}),
	}
	d := parseSARIF(t, render(t, "sarif", fs, Options{}))
	first := map[string]string{}
	for i, r := range d.Runs[0].Results {
		first[fmt.Sprint(i)] = r.PartialFingerprints["rolecall/v1"]
	}
	for i := range fs {
		fs[i].Line += 5
		fs[i].EndLine += 5
	}
	moved := parseSARIF(t, render(t, "sarif", fs, Options{}))
	for i, r := range moved.Runs[0].Results {
		if r.PartialFingerprints["rolecall/v1"] != first[fmt.Sprint(i)] {
			t.Errorf("result %d: partialFingerprint changed when lines moved", i)
		}
	}
}

func TestSARIFHistoryResultNamesItsCommit(t *testing.T) {
	fs := sampleFindings(testsecrets.New(9))
	d := parseSARIF(t, render(t, "sarif", fs, Options{}))
	res := d.Runs[0].Results[1]
	if res.Properties["commit"] != fs[1].Commit {
		t.Errorf("properties.commit = %v, want %s", res.Properties["commit"], fs[1].Commit)
	}
	loc := res.Locations[0]
	if loc.PhysicalLocation.ArtifactLocation.Properties["commit"] != fs[1].Commit || loc.Message == nil || !strings.Contains(loc.Message.Text, "as of commit 0123456") {
		t.Errorf("the location does not say which version of the file it is in: %+v", loc)
	}
	if d.Runs[0].Results[0].Locations[0].Message != nil {
		t.Error("a working-tree result names a commit")
	}
}

func TestGitHubAnnotationLimit(t *testing.T) {
	set := testsecrets.New(10)
	var fs []scanner.Finding
	// Low first, so only ordering by severity puts the errors on top.
	for i, sev := range []detectors.Severity{detectors.Low, detectors.Medium, detectors.High} {
		for j := 0; j < 12; j++ {
			fs = append(fs, scanner.Finding{RuleID: "r", Description: "d", Severity: sev, File: "f.py", Line: i*100 + j + 1,
				Column: 1, EndLine: i*100 + j + 1, EndColumn: 5, Secret: set.Get("db_password")})
		}
	}
	out := render(t, "github", fs, Options{AnnotationsRestIn: "the job summary"})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	count := map[string]int{}
	for _, l := range lines {
		count[l[:strings.IndexByte(l, ' ')]]++
	}
	if count["::error"] != 10 || count["::warning"] != 10 || count["::notice"] != 10 {
		t.Errorf("annotations per level %v, want 10 each (9 notices and the closing one)", count)
	}
	if !strings.HasPrefix(lines[0], "::error") || !strings.HasPrefix(lines[10], "::warning") {
		t.Errorf("not the most severe first:\n%s", out)
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "::notice title=rolecall%3A 7 more findings::") || !strings.Contains(last, "in the job summary.") {
		t.Errorf("closing notice %q", last)
	}
	if out := render(t, "github", fs[:3], Options{}); strings.Contains(out, "more finding") {
		t.Errorf("a closing notice without anything left out:\n%s", out)
	}
}
