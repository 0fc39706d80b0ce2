package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// ciCheckout is a clone the way actions/checkout leaves it with
// fetch-depth: 0: remote-tracking refs for every branch.
type ciCheckout struct {
	dir, origin             string
	base, onMain, onFeature string // commits
	set                     *testsecrets.Set
}

func newCICheckout(t *testing.T) *ciCheckout {
	set := testsecrets.New(81)
	origin := gittest.New(t)
	origin.Write("README.md", "# notebooks\n")
	base := origin.Commit("base")
	origin.Write("load.py", fmt.Sprintf("import boto3\nKEY = %q\n", set.Get("aws_key_id")))
	onMain := origin.Commit("load data")
	origin.Git("checkout", "-q", "-b", "feature", base)
	origin.Write("spike.py", fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	onFeature := origin.Commit("spike")
	origin.Git("checkout", "-q", "main")
	dir := gittest.Clone(t, origin.Dir)
	return &ciCheckout{dir: dir, origin: origin.Dir, base: base, onMain: onMain, onFeature: onFeature, set: set}
}

// event writes a recorded payload with its placeholders filled in.
func (c *ciCheckout) event(t *testing.T, name string, fill map[string]string) string {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "github-events", name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	keys := make([]string, 0, len(fill))
	for k := range fill {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		s = strings.ReplaceAll(s, k, fill[k])
	}
	path := filepath.Join(t.TempDir(), "event.json")
	os.WriteFile(path, []byte(s), 0o644)
	return path
}

func TestCIGitHub(t *testing.T) {
	c := newCICheckout(t)
	gone := strings.Repeat("ab", 20)
	cases := []struct {
		name, event, payload string
		fill                 map[string]string
		code                 int
		scope                string   // in the summary
		rules                []string // found, sorted
	}{
		{"push", "push", "push.json", map[string]string{"BEFORE": c.base, "AFTER": c.onMain, "REF": "refs/heads/main"},
			1, "push to refs/heads/main", []string{"aws-access-key-id"}},
		{"push of a new branch", "push", "push-new-branch.json", map[string]string{"AFTER": c.onFeature, "REF": "refs/heads/feature"},
			1, "new branch refs/heads/feature: commits not on any other branch or tag", []string{"github-token"}},
		{"force push whose old tip is gone", "push", "push-force.json", map[string]string{"BEFORE": gone, "AFTER": c.onFeature, "REF": "refs/heads/feature"},
			1, "force push to refs/heads/feature", []string{"github-token"}},
		{"pull request", "pull_request", "pull_request.json", map[string]string{"BASE": c.base, "HEAD": c.onFeature, "REF": "feature"},
			1, "pull request #7", []string{"github-token"}},
		{"schedule", "schedule", "schedule.json", nil,
			1, "schedule: the full history", []string{"aws-access-key-id", "github-token"}},
		{"push with no new commits", "push", "push.json", map[string]string{"BEFORE": c.onMain, "AFTER": c.onMain, "REF": "refs/heads/main"},
			0, "added no commits", nil},
		{"branch deleted", "push", "push-delete.json", map[string]string{"BEFORE": c.onMain, "REF": "refs/heads/old"},
			0, "deleted refs/heads/old", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			summary := filepath.Join(out, "summary.md")
			sarif := filepath.Join(out, "rolecall.sarif")
			t.Setenv("GITHUB_EVENT_NAME", tc.event)
			t.Setenv("GITHUB_EVENT_PATH", c.event(t, tc.payload, tc.fill))
			t.Setenv("GITHUB_STEP_SUMMARY", summary)
			r := rolecall(t, c.dir, "ci", "github", "--sarif", sarif)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tc.code, r.stdout, r.stderr)
			}
			// Annotations: one per finding, on the file, redacted.
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if line == "" {
					continue
				}
				if !strings.HasPrefix(line, "::error file=") && !strings.HasPrefix(line, "::warning file=") {
					t.Errorf("not an annotation: %q", line)
				}
				rule := line[strings.Index(line, "title=")+6:]
				got = append(got, rule[:strings.Index(rule, "%3A")])
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tc.rules, ",") {
				t.Errorf("annotations for %v, want %v\n%s", got, tc.rules, r.stdout)
			}
			if strings.Contains(r.stdout, c.set.Get("github_pat")) {
				t.Error("an annotation holds a full secret")
			}
			// Job summary: the scope, and a row per finding with its commit.
			md, err := os.ReadFile(summary)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), tc.scope) {
				t.Errorf("summary lacks %q:\n%s", tc.scope, md)
			}
			if rows := strings.Count(string(md), "\n| "); len(tc.rules) > 0 && rows != len(tc.rules)+2 {
				t.Errorf("summary has %d finding rows, want %d:\n%s", rows-2, len(tc.rules), md)
			}
			if len(tc.rules) > 0 && !strings.Contains(string(md), "| load.py |") && !strings.Contains(string(md), "| spike.py |") {
				t.Errorf("summary table lacks the file:\n%s", md)
			}
			// SARIF: always written, valid for upload-sarif.
			data, err := os.ReadFile(sarif)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range sariftest.Problems(data) {
				t.Error("SARIF:", p)
			}
			var log struct {
				Runs []struct{ Results []json.RawMessage } `json:"runs"`
			}
			json.Unmarshal(data, &log)
			if n := len(log.Runs[0].Results); n != len(tc.rules) {
				t.Errorf("SARIF has %d results, want %d", n, len(tc.rules))
			}
		})
	}
}

// Without other branches in the checkout a new branch's range is unknown:
// rolecall scans the commits the event lists, never the whole history.
func TestCIGitHubNewBranchWithoutOtherRefs(t *testing.T) {
	c := newCICheckout(t)
	single := gittest.Clone(t, c.origin, "--single-branch", "--branch", "feature")
	gittest.Run(t, single, 0, "update-ref", "-d", "refs/remotes/origin/HEAD")
	t.Setenv("GITHUB_EVENT_NAME", "push")
	t.Setenv("GITHUB_EVENT_PATH", c.event(t, "push-new-branch.json", map[string]string{"AFTER": c.onFeature, "REF": "refs/heads/feature"}))
	t.Setenv("GITHUB_STEP_SUMMARY", filepath.Join(t.TempDir(), "s.md"))
	r := rolecall(t, single, "ci", "github", "--sarif", filepath.Join(t.TempDir(), "r.sarif"))
	if r.code != 1 || !strings.Contains(r.stderr, "fetch-depth: 0") || !strings.Contains(r.stderr, "the 1 commit(s) the event lists") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

func TestCIGitHubOutsideActions(t *testing.T) {
	t.Setenv("GITHUB_EVENT_NAME", "")
	if r := rolecall(t, "", "ci", "github"); r.code != 2 || !strings.Contains(r.stderr, "GitHub Actions") {
		t.Errorf("exit %d %s", r.code, r.stderr)
	}
}
