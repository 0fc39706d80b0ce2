package main

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// The hostile-repository suite: real repositories, built at test time and
// then damaged the way shallow checkouts, interrupted fetches and bad disks
// leave them. Each case runs the real binary under a deadline (a hang
// fails the case instead of the run) and checks the exit status, the
// message and the --summary coverage record.

// caseDeadline is how long one command may take before the case counts as
// hung.
const caseDeadline = 60 * time.Second

// invocation is one run of the binary.
type invocation struct {
	dir   string
	args  []string
	env   []string
	stdin string
	// ids are object ids the setup made, for the case's check.
	ids map[string]string
}

// ran is what a run left behind.
type ran struct {
	code           int
	stdout, stderr string
	summary        scanner.Coverage
	raw            map[string]json.RawMessage // the summary's fields, to check names
	inv            invocation
}

// env returns the value of name in the run's extra environment.
func (r ran) env(name string) string {
	for _, kv := range r.inv.env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

// runBinary runs the built CLI with --summary under the case deadline.
func runBinary(t *testing.T, inv invocation) ran {
	t.Helper()
	bin := filepath.Join(rolecallBinary(t), "rolecall")
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), caseDeadline)
	defer cancel()
	args := append(append([]string(nil), inv.args...), "--summary", filepath.Join(out, "summary.json"))
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = inv.dir
	cmd.Env = append(gittest.Env(t.TempDir()), inv.env...)
	cmd.Stdin = strings.NewReader(inv.stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("rolecall %s hung (no exit within %s)\nstderr: %s", strings.Join(args, " "), caseDeadline, stderr.String())
	}
	r := ran{stdout: stdout.String(), stderr: stderr.String(), inv: inv}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(out, "summary.json")); err == nil {
		if err := json.Unmarshal(data, &r.summary); err != nil {
			t.Fatalf("--summary is not the coverage record: %v\n%s", err, data)
		}
		json.Unmarshal(data, &r.raw)
	}
	return r
}

// hasGap reports whether gs holds a gap naming subject (a path, ref or
// object) whose reason contains reason.
func hasGap(gs []scanner.Gap, subject, reason string) bool {
	return slices.ContainsFunc(gs, func(g scanner.Gap) bool {
		return (g.Path == subject || g.Ref == subject || g.Object == subject) && strings.Contains(g.Reason, reason)
	})
}

// history is a repository of three commits whose oldest holds a token that
// the second removes: a shallow clone never sees it.
type history struct {
	origin                 *gittest.Repo
	first, second, third   string
	set                    *testsecrets.Set
	secretFile, secretName string
}

func newHistory(t *testing.T) *history {
	h := &history{set: testsecrets.New(91), origin: gittest.New(t)}
	h.origin.Write("app.py", fmt.Sprintf("token = %q\n", h.set.Get("github_pat")))
	h.first = h.origin.Commit("add the loader")
	h.origin.Write("app.py", "import os\ntoken = os.environ['TOKEN']\n")
	h.second = h.origin.Commit("read the token from the environment")
	h.origin.Write("README.md", "# loader\n")
	h.third = h.origin.Commit("readme")
	return h
}

// ci runs ci github for an event in a clone of the origin made with
// cloneArgs (--depth N for actions/checkout's shallow checkouts).
func (h *history) ci(t *testing.T, event, payload string, cloneArgs ...string) invocation {
	return invocation{dir: gittest.Clone(t, h.origin.Dir, cloneArgs...), args: []string{"ci", "github"}, env: ghEnv(t, event, payload)}
}

// ghEnv writes a GitHub event payload and returns the environment that
// names it.
func ghEnv(t *testing.T, name, payload string) []string {
	dir := t.TempDir()
	path := filepath.Join(dir, "event.json")
	if err := os.WriteFile(path, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"GITHUB_EVENT_NAME=" + name, "GITHUB_EVENT_PATH=" + path, "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "step-summary.md")}
}

func pushPayload(before, after string) string {
	return fmt.Sprintf(`{"ref": "refs/heads/main", "before": %q, "after": %q, "commits": [{"id": %q}], "repository": {"full_name": "o/r"}}`, before, after, after)
}

func TestHostileRepositories(t *testing.T) {
	gittest.Require(t)
	missing := strings.Repeat("5a", 20)
	cases := []struct {
		name string
		// setup builds the repository and returns how to run rolecall on it.
		setup func(t *testing.T) invocation
		code  int
		// stderr must hold each of these; never any of notStderr.
		stderr, notStderr []string
		// unreadable and skipped are gaps the coverage record must hold:
		// {path, ref or object; part of the reason}.
		unreadable, skipped [][2]string
		// check looks further at the coverage record and the output.
		check func(t *testing.T, r ran)
	}{
		{
			name: "shallow clone: history warns and marks it",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				return invocation{dir: gittest.Clone(t, h.origin.Dir, "--depth", "1"), args: []string{"history"}}
			},
			code:   0,
			stderr: []string{"git fetch --unshallow", "fetch-depth: 0", "--fail-incomplete"},
			check: func(t *testing.T, r ran) {
				if !r.summary.Shallow || r.summary.Complete || r.summary.CommitsScanned != 1 {
					t.Errorf("coverage %+v: want shallow, incomplete, 1 commit", r.summary)
				}
				if !strings.Contains(r.stdout, "INCOMPLETE (history cut by a shallow clone)") {
					t.Errorf("summary line: %s", r.stdout)
				}
			},
		},
		{
			name: "shallow clone: history --fail-incomplete exits 3",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				return invocation{dir: gittest.Clone(t, h.origin.Dir, "--depth", "1"), args: []string{"history", "--fail-incomplete"}}
			},
			code:   3,
			stderr: []string{"git fetch --unshallow"},
		},
		{
			name: "shallow clone with a secret at the tip: findings win",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				h.origin.Write("later.py", fmt.Sprintf("token = %q\n", h.set.Get("github_pat.2")))
				h.origin.Commit("again")
				return invocation{dir: gittest.Clone(t, h.origin.Dir, "--depth", "1"), args: []string{"history", "--fail-incomplete"}}
			},
			code: 1,
			check: func(t *testing.T, r ran) {
				if r.summary.Findings != 1 || !r.summary.Shallow {
					t.Errorf("coverage %+v", r.summary)
				}
			},
		},
		{
			name: "shallow checkout: a push is never a force push",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				return h.ci(t, "push", pushPayload(h.second, h.third), "--depth", "1")
			},
			code:      2,
			stderr:    []string{"shallow checkout", "fetch-depth: 0", "git fetch --unshallow"},
			notStderr: []string{"force push"},
		},
		{
			name: "shallow checkout: a new branch's range is cut",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				h.origin.Git("checkout", "-q", "-b", "feature")
				h.origin.Write("feature.py", "x = 1\n")
				tip := h.origin.Commit("feature")
				payload := strings.Replace(pushPayload(strings.Repeat("0", 40), tip), "refs/heads/main", "refs/heads/feature", 1)
				return h.ci(t, "push", payload, "--depth", "1", "--branch", "feature")
			},
			code:   2,
			stderr: []string{"fetch-depth: 0"},
		},
		{
			name: "shallow checkout: a schedule's full history is cut",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				return h.ci(t, "schedule", `{}`, "--depth", "1")
			},
			code:   2,
			stderr: []string{"fetch-depth: 0"},
		},
		{
			name: "shallow checkout deep enough for the push: scanned",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				return h.ci(t, "push", pushPayload(h.second, h.third), "--depth", "2")
			},
			code: 0,
			check: func(t *testing.T, r ran) {
				if !r.summary.Complete || r.summary.CommitsScanned != 1 {
					t.Errorf("coverage %+v", r.summary)
				}
			},
		},
		{
			name: "ref to a missing object is named",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				gittest.WriteRef(t, h.origin.Dir, "refs/heads/ghost", missing)
				return invocation{dir: h.origin.Dir, args: []string{"history"}}
			},
			code:       1, // the rest is scanned: the old token is found
			stderr:     []string{"refs/heads/ghost", missing},
			unreadable: [][2]string{{"refs/heads/ghost", "missing"}},
		},
		{
			name: "ref to a missing object: ci github fails closed with 3",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				gittest.WriteRef(t, r.Dir, "refs/heads/ghost", missing)
				return invocation{dir: r.Dir, args: []string{"ci", "github", "--sarif", "rolecall.sarif"}, env: ghEnv(t, "schedule", `{}`)}
			},
			code:       3,
			stderr:     []string{"refs/heads/ghost"},
			unreadable: [][2]string{{"refs/heads/ghost", "unresolvable ref"}},
			check: func(t *testing.T, r ran) {
				step, _ := os.ReadFile(r.env("GITHUB_STEP_SUMMARY"))
				if !strings.Contains(string(step), "Incomplete") || !strings.Contains(string(step), "ref refs/heads/ghost") {
					t.Errorf("job summary does not list what was not read:\n%s", step)
				}
				sarif, err := os.ReadFile(filepath.Join(r.inv.dir, "rolecall.sarif"))
				if err != nil {
					t.Fatal(err)
				}
				checkInvocation(t, sarif, false, []string{"refs/heads/ghost"})
			},
		},
		{
			name: "ref to a tree is skipped, not unreadable",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				r.Git("update-ref", "refs/tags/just-a-tree", r.Git("rev-parse", "HEAD^{tree}"))
				return invocation{dir: r.Dir, args: []string{"history", "--fail-incomplete"}}
			},
			code:    0,
			skipped: [][2]string{{"refs/tags/just-a-tree", "points at a tree"}},
		},
		{
			name: "shallow checkout without the pull request's base",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				payload := fmt.Sprintf(`{"number": 7, "pull_request": {"number": 7, "base": {"sha": %q}, "head": {"sha": %q}}}`, h.first, h.third)
				return h.ci(t, "pull_request", payload, "--depth", "1")
			},
			code:   2,
			stderr: []string{"fetch-depth: 0"},
		},
		{
			name: "missing tip commit: incomplete, never 'no commits to scan'",
			setup: func(t *testing.T) invocation {
				r, tip := oneCommit(t)
				gittest.RemoveLoose(t, r.Dir, tip)
				return invocation{dir: r.Dir, args: []string{"history", "--fail-incomplete"}}
			},
			code:       3,
			stderr:     []string{"refs/heads/main", "no commit in scope could be read"},
			notStderr:  []string{"no commits to scan"},
			unreadable: [][2]string{{"refs/heads/main", "is missing"}},
		},
		{
			name: "corrupt pack around the tip commit",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				r.Write("a.py", "x = 2\n")
				tip := r.Commit("two")
				r.Git("repack", "-a", "-d", "-q")
				gittest.CorruptPacked(t, r.Dir, tip)
				return invocation{dir: r.Dir, args: []string{"history", "--fail-incomplete"}}
			},
			code:       3,
			stderr:     []string{"refs/heads/main", "cannot be read"},
			notStderr:  []string{"no commits to scan", "panic"},
			unreadable: [][2]string{{"refs/heads/main", "cannot be read"}},
		},
		{
			name: "missing parent commit is named",
			setup: func(t *testing.T) invocation {
				h := newHistory(t)
				gittest.RemoveLoose(t, h.origin.Dir, h.second)
				return invocation{dir: h.origin.Dir, args: []string{"history", "--branch", "main", "--fail-incomplete"}, ids: map[string]string{"gone": h.second}}
			},
			code: 3,
			check: func(t *testing.T, r ran) {
				if !hasGap(r.summary.Unreadable, r.inv.ids["gone"], "commit is missing") {
					t.Errorf("no gap names the missing commit: %+v", r.summary.Unreadable)
				}
			},
		},
		{
			name: "missing tree: the commit is named",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				r.Write("b.py", "y = 1\n")
				tip := r.Commit("two")
				gittest.RemoveLoose(t, r.Dir, r.Git("rev-parse", "HEAD^{tree}"))
				return invocation{dir: r.Dir, args: []string{"history", "--fail-incomplete"}, ids: map[string]string{"tip": tip}}
			},
			code:   3,
			stderr: []string{"cannot read the tree of commit"},
			check: func(t *testing.T, r ran) {
				if !hasGap(r.summary.Unreadable, r.inv.ids["tip"], "cannot read the tree") || r.summary.CommitsScanned != 2 {
					t.Errorf("coverage %+v", r.summary)
				}
			},
		},
		{
			name: "missing blob: path and object named",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				blob := r.Git("rev-parse", "HEAD:a.py")
				gittest.RemoveLoose(t, r.Dir, blob)
				return invocation{dir: r.Dir, args: []string{"history", "--fail-incomplete"}}
			},
			code:   3,
			stderr: []string{"a.py"},
			check: func(t *testing.T, r ran) {
				if len(r.summary.Unreadable) != 1 || r.summary.Unreadable[0].Path != "a.py" || len(r.summary.Unreadable[0].Object) != 40 {
					t.Errorf("unreadable %+v, want a.py and its blob", r.summary.Unreadable)
				}
			},
		},
		{
			name: "pre-push blocks a push whose tip cannot be read",
			setup: func(t *testing.T) invocation {
				r, remote, base := pushedRepo(t)
				r.Write("b.py", "y = 2\n")
				tip := r.Commit("new")
				gittest.RemoveLoose(t, r.Dir, tip)
				return invocation{dir: r.Dir, args: []string{"pre-push", "origin", remote},
					stdin: fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", tip, base), ids: map[string]string{"tip": tip}}
			},
			code:   3,
			stderr: []string{"push blocked", "cannot be read", "git fsck"},
			check: func(t *testing.T, r ran) {
				if !hasGap(r.summary.Unreadable, r.inv.ids["tip"], "commit is missing") || !strings.Contains(r.stderr, r.inv.ids["tip"]) {
					t.Errorf("the tip is not named: %+v\n%s", r.summary, r.stderr)
				}
			},
		},
		{
			name: "staged blob missing: commit blocked",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				r.Write("a.py", "x = 2\n")
				r.Git("add", "a.py")
				gittest.RemoveLoose(t, r.Dir, r.Git("rev-parse", ":a.py"))
				return invocation{dir: r.Dir, args: []string{"staged"}}
			},
			code:   3,
			stderr: []string{"commit blocked", "a.py"},
			check: func(t *testing.T, r ran) {
				if !slices.ContainsFunc(r.summary.Unreadable, func(g scanner.Gap) bool { return g.Path == "a.py" }) {
					t.Errorf("coverage %+v", r.summary)
				}
			},
		},
		{
			name: "staged reads a split index",
			setup: func(t *testing.T) invocation {
				set := testsecrets.New(92)
				r, _ := oneCommit(t)
				r.Git("update-index", "--split-index")
				r.Write("a.py", fmt.Sprintf("x = 1\ntoken = %q\n", set.Get("github_pat")))
				r.Git("add", "a.py")
				return invocation{dir: r.Dir, args: []string{"staged"}}
			},
			code:   1,
			stderr: []string{"commit blocked"},
			check: func(t *testing.T, r ran) {
				if !r.summary.Complete || r.summary.BlobsScanned == 0 || !strings.Contains(r.stdout, "a.py:2:") {
					t.Errorf("coverage %+v\n%s", r.summary, r.stdout)
				}
			},
		},
		{
			name: "staged reads a sparse index, outside the cone too",
			setup: func(t *testing.T) invocation {
				set := testsecrets.New(93)
				r := gittest.New(t)
				r.Write("in/a.py", "x = 1\n")
				r.Write("out/b.py", "y = 1\n")
				r.Commit("one")
				r.Git("sparse-checkout", "set", "--sparse-index", "in")
				r.Write("in/a.py", fmt.Sprintf("x = 1\ntoken = %q\n", set.Get("github_pat")))
				r.Git("add", "in/a.py")
				return invocation{dir: r.Dir, args: []string{"staged"}}
			},
			code: 1,
			check: func(t *testing.T, r ran) {
				if !strings.Contains(r.stdout, "in/a.py:2:") {
					t.Errorf("stdout %s", r.stdout)
				}
			},
		},
		{
			name: "staged names an index extension it cannot read",
			setup: func(t *testing.T) invocation {
				r, _ := oneCommit(t)
				addIndexExtension(t, filepath.Join(r.Dir, ".git", "index"), "zzzz")
				return invocation{dir: r.Dir, args: []string{"staged"}}
			},
			code:   2,
			stderr: []string{`"zzzz" extension`, "rewrite the index"},
		},
		{
			name: "submodules not entered are listed",
			setup: func(t *testing.T) invocation {
				return invocation{dir: withSubmodule(t), args: []string{"history"}}
			},
			code:    0,
			skipped: [][2]string{{"libs/vendor", "submodule not entered"}},
		},
		{
			name: "history --recurse-submodules scans the submodule's history",
			setup: func(t *testing.T) invocation {
				return invocation{dir: withSubmodule(t), args: []string{"history", "--recurse-submodules", "--format", "json"}}
			},
			code: 1,
			check: func(t *testing.T, r ran) {
				var fs []struct{ File, Commit string }
				if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil || len(fs) != 1 || fs[0].File != "libs/vendor/creds.py" {
					t.Errorf("findings %+v (%v), want libs/vendor/creds.py", fs, err)
				}
				if r.summary.CommitsScanned != 3 || len(r.summary.Skipped) != 0 || !r.summary.Complete {
					t.Errorf("coverage %+v: want 2 commits of the superproject and 1 of the submodule", r.summary)
				}
			},
		},
		{
			name: "--recurse-submodules names a submodule that was never cloned",
			setup: func(t *testing.T) invocation {
				// A clone without --recurse-submodules has .gitmodules but
				// nothing under .git/modules.
				return invocation{dir: gittest.Clone(t, withSubmodule(t)), args: []string{"history", "--recurse-submodules", "--fail-incomplete"}}
			},
			code:       3,
			stderr:     []string{"libs/vendor", "git submodule update --init"},
			unreadable: [][2]string{{"libs/vendor", "submodule not cloned"}},
		},
		{
			name: "scan: a file it may not read is unreadable",
			setup: func(t *testing.T) invocation {
				if os.Geteuid() == 0 {
					t.Skip("root reads every file")
				}
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "ok.py"), "x = 1\n")
				writeFile(t, filepath.Join(dir, "locked.py"), "x = 1\n")
				if err := os.Chmod(filepath.Join(dir, "locked.py"), 0); err != nil {
					t.Fatal(err)
				}
				return invocation{dir: dir, args: []string{"scan", "--fail-incomplete", "."}}
			},
			code:       3,
			stderr:     []string{"locked.py", "permission denied"},
			unreadable: [][2]string{{"locked.py", "permission denied"}},
		},
		{
			name: "scan counts skipped files by reason",
			setup: func(t *testing.T) invocation {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "ok.py"), "x = 1\n")
				writeFile(t, filepath.Join(dir, "img.bin"), "\x00\x01\x02")
				writeFile(t, filepath.Join(dir, "big.py"), strings.Repeat("x = 1\n", 400))
				writeFile(t, filepath.Join(dir, "fixtures", "keys.py"), "x = 1\n")
				writeFile(t, filepath.Join(dir, ".rolecall.toml"), "[[allowlists]]\npaths = [\"fixtures/**\"]\n")
				return invocation{dir: dir, args: []string{"scan", "--max-file-size", "1KiB", ".", "--config", ".rolecall.toml", "fixtures/keys.py"}}
			},
			code: 0,
			// fixtures/keys.py is reached by the walk and named as an
			// argument: allowlisted both ways.
			skipped: [][2]string{{"img.bin", "binary"}, {"big.py", "over the size limit"}, {"fixtures/keys.py", "allowlisted path"}},
			check: func(t *testing.T, r ran) {
				allowed := 0
				for _, g := range r.summary.Skipped {
					if g.Path == "fixtures/keys.py" {
						allowed++
					}
				}
				if !r.summary.Complete || r.summary.FilesScanned != 2 || allowed != 2 {
					t.Errorf("coverage %+v", r.summary)
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runBinary(t, c.setup(t))
			if r.code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.code, r.stdout, r.stderr)
			}
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			for _, s := range c.notStderr {
				if strings.Contains(r.stderr, s) {
					t.Errorf("stderr holds %q:\n%s", s, r.stderr)
				}
			}
			if c.code != 2 {
				checkSummaryFields(t, r)
			}
			for _, g := range c.unreadable {
				if r.summary.Complete || !hasGap(r.summary.Unreadable, g[0], g[1]) {
					t.Errorf("coverage record lacks unreadable %s (%s), or says complete: %+v", g[0], g[1], r.summary)
				}
			}
			for _, g := range c.skipped {
				if !hasGap(r.summary.Skipped, g[0], g[1]) {
					t.Errorf("coverage record lacks skipped %s (%s): %+v", g[0], g[1], r.summary.Skipped)
				}
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

// checkSummaryFields checks the --summary record has exactly the public
// field names.
func checkSummaryFields(t *testing.T, r ran) {
	t.Helper()
	if r.raw == nil {
		t.Fatalf("no --summary written\nstderr: %s", r.stderr)
	}
	want := []string{"blobs_scanned", "commits_scanned", "complete", "files_scanned", "findings", "shallow", "skipped", "unreadable"}
	var got []string
	for k := range r.raw {
		if k != "interrupted" {
			got = append(got, k)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("summary fields %v, want %v", got, want)
	}
	for _, list := range []string{"skipped", "unreadable"} {
		if string(r.raw[list]) == "null" {
			t.Errorf("%s is null; an empty list is []", list)
		}
	}
}

// notification is a SARIF toolExecutionNotifications entry.
type notification struct {
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations  []map[string]map[string]any `json:"locations"`
	Properties map[string]string           `json:"properties"`
}

// checkInvocation checks a SARIF log's run invocation: valid SARIF,
// executionSuccessful as wanted, and a notification naming each subject
// in its properties.
func checkInvocation(t *testing.T, data []byte, successful bool, subjects []string) {
	t.Helper()
	if p := sariftest.Problems(data); len(p) > 0 {
		t.Errorf("invalid SARIF: %v", p)
	}
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful *bool          `json:"executionSuccessful"`
				Notifications       []notification `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
		t.Fatalf("want one run with one invocation: %s", data)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful == nil || *inv.ExecutionSuccessful != successful {
		t.Errorf("executionSuccessful %v, want %v", inv.ExecutionSuccessful, successful)
	}
	for _, n := range inv.Notifications {
		// The schema: a message with text, a level from its enum, and
		// locations without a region (whose startLine would have to be 1+).
		if n.Message.Text == "" || !slices.Contains([]string{"none", "note", "warning", "error"}, n.Level) {
			t.Errorf("notification %+v", n)
		}
		for _, l := range n.Locations {
			if _, ok := l["physicalLocation"]["region"]; ok {
				t.Errorf("notification location has a region: %v", l)
			}
		}
	}
	for _, s := range subjects {
		if !slices.ContainsFunc(inv.Notifications, func(n notification) bool {
			return n.Properties["path"] == s || n.Properties["ref"] == s || n.Properties["object"] == s
		}) {
			t.Errorf("no notification names %s: %+v", s, inv.Notifications)
		}
	}
}

// addIndexExtension appends an empty extension with signature sig to the
// index at path and fixes the checksum, as a newer git might write it.
func addIndexExtension(t *testing.T, path, sig string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	body := append(data[:len(data)-20:len(data)-20], []byte(sig+"\x00\x00\x00\x00")...)
	sum := sha1.Sum(body)
	if err := os.WriteFile(path, append(body, sum[:]...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// withSubmodule returns a clone of a superproject (two commits) whose
// submodule at libs/vendor (one commit) holds a token in its history.
func withSubmodule(t *testing.T) string {
	t.Helper()
	set := testsecrets.New(94)
	sub := gittest.New(t)
	sub.Write("creds.py", fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	sub.Commit("vendor it")
	super := gittest.New(t)
	super.Write("app.py", "x = 1\n")
	super.Commit("one")
	super.Git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.Dir, "libs/vendor")
	super.Commit("add the submodule")
	return super.Dir
}

// TestInterruptWritesPartialReport sends SIGINT to a running scan of a
// tree and of a history: each must report what it found so far, mark the
// coverage record interrupted and exit 130.
func TestInterruptWritesPartialReport(t *testing.T) {
	bin := filepath.Join(rolecallBinary(t), "rolecall")
	set := testsecrets.New(95)
	// Keyword-dense files: slow enough to scan that the signal lands while
	// most are still ahead (about a second each on the development machine).
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "password = \"x%dy\"  # secret_key token aws_access_key_id\n", i)
	}
	const files = 40
	body := func(i int) string {
		if i == 0 {
			return fmt.Sprintf("token = %q\n", set.Get("github_pat")) + b.String()
		}
		return b.String()
	}
	cases := []struct {
		name  string
		setup func(t *testing.T) (dir string, args []string)
		// scanned is the coverage record's count of what was read.
		scanned func(c scanner.Coverage) int
	}{
		{"scan", func(t *testing.T) (string, []string) {
			dir := t.TempDir()
			for i := range files {
				writeFile(t, filepath.Join(dir, fmt.Sprintf("f%03d.py", i)), body(i))
			}
			return dir, []string{"scan", dir}
		}, func(c scanner.Coverage) int { return c.FilesScanned }},
		{"history", func(t *testing.T) (string, []string) {
			r := gittest.New(t)
			for i := range files {
				r.Write(fmt.Sprintf("f%03d.py", i), body(i))
				r.Commit(fmt.Sprintf("file %d", i))
			}
			return r.Dir, []string{"history"}
		}, func(c scanner.Coverage) int { return c.BlobsScanned }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, args := c.setup(t)
			out := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), caseDeadline)
			defer cancel()
			args = append(args, "--format", "json", "-j", "1", "--max-file-size", "100MiB",
				"--summary", filepath.Join(out, "summary.json"), "-o", filepath.Join(out, "report.json"))
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = dir
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Skipf("the scan ended (%v) before it could be interrupted; this machine is too fast for the fixture", err)
			case <-time.After(time.Second):
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			err := <-done
			if ctx.Err() != nil {
				t.Fatalf("no exit within %s of SIGINT", caseDeadline)
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Fatalf("exit %v, want 130\nstderr: %s", err, stderr.String())
			}
			var findings []map[string]any
			data, _ := os.ReadFile(filepath.Join(out, "report.json"))
			if err := json.Unmarshal(data, &findings); err != nil {
				t.Fatalf("the partial report is not JSON: %v\n%s", err, data)
			}
			var cov scanner.Coverage
			data, _ = os.ReadFile(filepath.Join(out, "summary.json"))
			if err := json.Unmarshal(data, &cov); err != nil {
				t.Fatalf("no coverage record: %v\n%s", err, data)
			}
			if cov.Complete || !cov.Interrupted || c.scanned(cov) >= files || cov.Findings != len(findings) ||
				!slices.ContainsFunc(cov.Unreadable, func(g scanner.Gap) bool { return strings.HasPrefix(g.Reason, "interrupted") }) {
				t.Errorf("coverage %+v, want interrupted and incomplete, fewer than %d read, %d findings", cov, files, len(findings))
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say the scan was interrupted: %s", stderr.String())
			}
		})
	}
}

// TestHelpListsExitStatuses: the root help is where a script author looks
// for the exit statuses.
func TestHelpListsExitStatuses(t *testing.T) {
	r := rolecall(t, "", "--help")
	for _, want := range []string{"0    nothing", "1    findings", "2    a usage", "3    incomplete", "130  interrupted", "--fail-incomplete"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("rolecall --help lacks %q:\n%s", want, r.stdout)
		}
	}
}

// oneCommit is a repository with one commit of one file; it returns the
// commit.
func oneCommit(t *testing.T) (*gittest.Repo, string) {
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	return r, r.Commit("one")
}
