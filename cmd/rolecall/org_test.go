package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/org"
	"github.com/rolecall/rolecall/scanner/org/orgtest"
)

// orgRepos serves n repositories, each with one secret, and writes their
// URLs to a --repos file.
func orgRepos(t *testing.T, n int) (*orgtest.Server, string) {
	set := testsecrets.New(131)
	srv := orgtest.New(t)
	var lines []string
	for i := range n {
		r := gittest.New(t)
		r.Write("app.py", fmt.Sprintf("import os\npassword = %q\n", set.Get(fmt.Sprintf("password.%d", i))))
		r.Commit("one")
		name := fmt.Sprintf("r%d", i)
		srv.Add(t, name, r.Dir)
		lines = append(lines, srv.CloneURL(name))
	}
	list := filepath.Join(t.TempDir(), "repos.txt")
	writeFile(t, list, "# the org\n"+strings.Join(lines, "\n")+"\n")
	return srv, list
}

// holdAt makes the server hold the git requests for repo: reached is
// closed when the first arrives, and they go on once release is closed.
func holdAt(srv *orgtest.Server, repo string) (reached, release chan struct{}) {
	reached, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv.SetGate(func(r string) {
		if r == repo {
			once.Do(func() { close(reached) })
			<-release
		}
	})
	return reached, release
}

// startUntil starts cmd and waits until the server holds it at reached.
func startUntil(t *testing.T, cmd *exec.Cmd, reached chan struct{}) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the run never reached the held repository")
	}
}

func readSummary(t *testing.T, path string) org.Summary {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s org.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	// Exactly the documented fields.
	var fields map[string]any
	json.Unmarshal(data, &fields)
	var keys []string
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"blobs_scanned", "commits_scanned", "duration_s", "failed", "findings", "new_findings", "repositories", "scanned", "unchanged"}
	if !slices.Equal(keys, want) {
		t.Errorf("summary fields %v, want %v", keys, want)
	}
	return s
}

func jsonLines(t *testing.T, data string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON lines: %v\n%s", err, data)
		}
		out = append(out, m)
	}
	return out
}

// A run killed with SIGKILL halfway and started again finishes the rest
// without fetching or scanning the repositories it had finished.
func TestOrgKilledAndResumed(t *testing.T) {
	bin := filepath.Join(rolecallBinary(t), "rolecall")
	srv, list := orgRepos(t, 4)
	reached, release := holdAt(srv, "r2")
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	args := []string{"org", "--repos", list, "--state", state, "-j", "1", "-o", filepath.Join(dir, "out.jsonl"),
		"--summary", filepath.Join(dir, "summary.json"), "-q"}
	cmd := exec.Command(bin, args...)
	startUntil(t, cmd, reached)
	cmd.Process.Kill() // SIGKILL: no cleanup runs
	cmd.Wait()
	close(release)
	before := []int{srv.Requests("r0"), srv.Requests("r1")}
	if before[0] == 0 || before[1] == 0 {
		t.Fatalf("the first two repositories were not fetched before the kill: %v", before)
	}

	out, err := exec.Command(bin, args...).CombinedOutput()
	if code := exitCodeOf(err); code != 1 {
		t.Fatalf("resumed run: exit %d, %s", code, out)
	}
	if after := []int{srv.Requests("r0"), srv.Requests("r1")}; !slices.Equal(after, before) {
		t.Errorf("finished repositories fetched again: requests %v then %v", before, after)
	}
	if srv.Requests("r3") == 0 {
		t.Errorf("the rest was not scanned")
	}
	s := readSummary(t, filepath.Join(dir, "summary.json"))
	if s.Repositories != 4 || s.Scanned != 4 || s.CommitsScanned != 4 || s.Findings != 4 || s.NewFindings != 4 || len(s.Failed) != 0 {
		t.Errorf("summary of the resumed run: %+v", s)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "out.jsonl"))
	repos := map[string]bool{}
	for _, f := range jsonLines(t, string(data)) {
		repos[f["repository"].(string)] = true
		if f["first_seen"] == "" || strings.Count(f["secret"].(string), "*") != 3 {
			t.Errorf("finding %v", f)
		}
	}
	if len(repos) != 4 {
		t.Errorf("report holds %d repositories, want 4:\n%s", len(repos), data)
	}

	// The next run starts afresh: nothing new, nothing fetched for naught.
	out, err = exec.Command(bin, append(args, "--new")...).CombinedOutput()
	if code := exitCodeOf(err); code != 0 {
		t.Fatalf("next run --new: exit %d, %s", code, out)
	}
	if s := readSummary(t, filepath.Join(dir, "summary.json")); s.Unchanged != 4 || s.CommitsScanned != 0 || s.NewFindings != 0 {
		t.Errorf("next run: %+v", s)
	}
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestOrgShardsAndMerge(t *testing.T) {
	srv, list := orgRepos(t, 6)
	srv.Add(t, "broken", t.TempDir())
	srv.Broken["broken"] = true
	f, err := os.OpenFile(list, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, srv.CloneURL("broken"))
	f.Close()
	dir := t.TempDir()

	whole := rolecall(t, "", "org", "--repos", list, "--state", filepath.Join(dir, "whole"), "-f", "json", "-q")
	if whole.code != 1 {
		t.Fatalf("exit %d: %s", whole.code, whole.stderr)
	}
	var parts []string
	for k := 1; k <= 3; k++ {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.sarif", k))
		args := []string{"org", "--repos", list, "--state", filepath.Join(dir, fmt.Sprint(k)), "-f", "sarif", "-o", out,
			"--summary", filepath.Join(dir, "s.json"), "-q"}
		if k == 3 {
			t.Setenv("JOB_COMPLETION_INDEX", "2")
			args = append(args, "--shards", "3")
		} else {
			args = append(args, "--shard", fmt.Sprintf("%d/3", k))
		}
		res := rolecall(t, "", args...)
		s := readSummary(t, filepath.Join(dir, "s.json"))
		if res.code != 0 && res.code != 1 && !(res.code == 3 && len(s.Failed) == 1 && s.Findings == 0) {
			t.Fatalf("shard %d: exit %d %+v %s", k, res.code, s, res.stderr)
		}
		parts = append(parts, out)
	}
	merged := rolecall(t, "", append([]string{"report", "merge", "-f", "json"}, parts...)...)
	if merged.code != 0 {
		t.Fatalf("merge: exit %d %s", merged.code, merged.stderr)
	}
	blank := func(s string) []map[string]any {
		var fs []map[string]any
		if err := json.Unmarshal([]byte(s), &fs); err != nil {
			t.Fatalf("%v\n%s", err, s)
		}
		for _, f := range fs {
			delete(f, "first_seen")
		}
		return fs
	}
	w, m := blank(whole.stdout), blank(merged.stdout)
	if len(w) != 6 || fmt.Sprint(w) != fmt.Sprint(m) {
		t.Errorf("three shards merged:\n%v\nwant\n%v", m, w)
	}
	only := filepath.Join(dir, "broken.txt")
	writeFile(t, only, srv.CloneURL("broken")+"\n")
	if res := rolecall(t, "", "org", "-f", "text", "--repos", only, "--state", filepath.Join(dir, "b")); res.code != 3 ||
		!strings.Contains(res.stderr, "broken.git: not scanned: fetching") ||
		!strings.Contains(res.stdout, "no secrets found in 0 repositories; INCOMPLETE: 1 could not be scanned") {
		t.Errorf("a failed repository: exit %d, %s%s", res.code, res.stdout, res.stderr)
	}
	bad := rolecall(t, "", "report", "merge", list)
	if bad.code != 2 || !strings.Contains(bad.stderr, "not a rolecall org report") {
		t.Errorf("merge of a non-report: %d %s", bad.code, bad.stderr)
	}
	for _, args := range [][]string{
		{"org"},
		{"org", "--dir", dir, "--repos", list},
		{"org", "--dir", dir, "--shard", "4/3"},
		{"org", "--dir", dir, "-f", "github"},
	} {
		if res := rolecall(t, "", args...); res.code != 2 {
			t.Errorf("%v: exit %d %s", args, res.code, res.stderr)
		}
	}
}

// The GitHub API lists the repositories (pages, a rate-limit wait that is
// shown); the token goes to the API host's clones, so the private one is
// scanned; forks stay out unless asked for.
func TestOrgFromGitHubAPI(t *testing.T) {
	srv, _ := orgRepos(t, 3)
	srv.Token = testsecrets.New(132).Get("password")
	srv.Private["r1"] = true
	srv.RateLimited = true
	srv.Listed = []orgtest.Listed{{FullName: "acme/r0", Served: "r0"}, {FullName: "acme/r1", Served: "r1"},
		{FullName: "acme/r2", Served: "r2", Fork: true}}
	t.Setenv("GITHUB_TOKEN", srv.Token)
	dir := t.TempDir()
	for _, c := range []struct {
		extra []string
		repos []string
	}{
		{nil, []string{"acme/r0", "acme/r1"}},
		{[]string{"--include-forks"}, []string{"acme/r0", "acme/r1", "acme/r2"}},
	} {
		args := append([]string{"org", "--github-org", "acme", "--api-url", srv.URL + "/api", "--state", t.TempDir(),
			"--summary", filepath.Join(dir, "s.json")}, c.extra...)
		res := rolecall(t, "", args...)
		if res.code != 1 || !strings.Contains(res.stderr, "rate limit reached: waiting") {
			t.Fatalf("exit %d\n%s", res.code, res.stderr)
		}
		var got []string
		for _, f := range jsonLines(t, res.stdout) {
			got = append(got, f["repository"].(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, c.repos) {
			t.Errorf("%v: findings in %v, want %v\n%s", c.extra, got, c.repos, res.stderr)
		}
		if s := readSummary(t, filepath.Join(dir, "s.json")); s.Repositories != len(c.repos) || len(s.Failed) != 0 {
			t.Errorf("summary %+v", s)
		}
	}
}

// The first Ctrl-C stops an org run like any scan: the repositories done
// so far are reported (jsonl to -o, and json rendered from the store), the
// summary says "interrupted", the exit status is 130, and the next run
// with the same state finishes the rest without fetching those again.
func TestOrgInterruptedReportsAndResumes(t *testing.T) {
	bin := filepath.Join(rolecallBinary(t), "rolecall")
	for _, format := range []string{"jsonl", "json"} {
		t.Run(format, func(t *testing.T) {
			srv, list := orgRepos(t, 4)
			reached, release := holdAt(srv, "r2")
			defer func() {
				select {
				case <-release:
				default:
					close(release)
				}
			}()
			dir := t.TempDir()
			out, summary := filepath.Join(dir, "out."+format), filepath.Join(dir, "summary.json")
			args := []string{"org", "--repos", list, "--state", filepath.Join(dir, "state"), "-j", "1", "-f", format,
				"-o", out, "--summary", summary}
			cmd := exec.Command(bin, args...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			startUntil(t, cmd, reached)
			cmd.Process.Signal(os.Interrupt)
			err := cmd.Wait()
			close(release)
			if code := exitCodeOf(err); code != exitInterrupted {
				t.Fatalf("interrupted run: exit %d, want %d\n%s", code, exitInterrupted, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted with 2 of 4 repositories done") {
				t.Errorf("stderr does not say the run is incomplete:\n%s", stderr.String())
			}
			var s map[string]any
			data, _ := os.ReadFile(summary)
			if err := json.Unmarshal(data, &s); err != nil || s["interrupted"] != true || s["scanned"] != 2.0 || s["findings"] != 2.0 {
				t.Errorf("summary of the interrupted run: %s", data)
			}
			data, _ = os.ReadFile(out)
			var got []string
			if format == "jsonl" {
				for _, f := range jsonLines(t, string(data)) {
					got = append(got, f["repository"].(string))
				}
			} else {
				var fs []map[string]any
				if err := json.Unmarshal(data, &fs); err != nil {
					t.Fatalf("json report: %v\n%s", err, data)
				}
				for _, f := range fs {
					got = append(got, f["repository"].(string))
				}
			}
			slices.Sort(got)
			if want := []string{srv.CloneURL("r0"), srv.CloneURL("r1")}; !slices.Equal(got, want) {
				t.Errorf("report of the interrupted run holds %v, want %v", got, want)
			}

			before := []int{srv.Requests("r0"), srv.Requests("r1")}
			res, err := exec.Command(bin, append(args, "-q")...).CombinedOutput()
			if code := exitCodeOf(err); code != 1 {
				t.Fatalf("resumed run: exit %d, %s", code, res)
			}
			if after := []int{srv.Requests("r0"), srv.Requests("r1")}; !slices.Equal(after, before) {
				t.Errorf("finished repositories fetched again: requests %v then %v", before, after)
			}
			if s := readSummary(t, summary); s.Scanned != 4 || s.CommitsScanned != 4 || s.Findings != 4 || s.NewFindings != 4 {
				t.Errorf("summary of the resumed run: %+v", s)
			}
		})
	}
}
