package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// rolecallBinary builds the CLI once per test run, for tests where git
// itself runs rolecall (hooks).
func rolecallBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "rolecall-bin")
		if buildErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "rolecall"), ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func TestHistoryCommand(t *testing.T) {
	set := testsecrets.New(51)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	c1 := r.Commit("one")
	r.Write("a.py", fmt.Sprintf("x = 1\ntoken = %q\n", set.Get("token")))
	c2 := r.Commit("two")
	r.Write("a.py", "x = 1\n")
	c3 := r.Commit("remove")

	res := rolecall(t, r.Dir, "history", "--format", "json")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &fs); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	if res.code != 1 || len(fs) != 1 || fs[0]["commit"] != c2 || fs[0]["line"] != float64(2) || fs[0]["file"] != "a.py" ||
		fs[0]["author"] != "Ada" || fs[0]["email"] != "ada@example.org" || fs[0]["date"] == nil {
		t.Errorf("exit %d findings %v", res.code, fs)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"history", "--range", c2 + ".." + c3}, 0},
		{[]string{"history", "--range", c1 + ".." + c3}, 1},
		{[]string{"history", "--since-commit", c2}, 0},
		{[]string{"history", "--branch", "main"}, 1},
		{[]string{"history", "--range", "nope..main"}, 2},
		{[]string{"history", "--range", c1}, 2},
		{[]string{"history", "--range", c1 + "..." + c2}, 2},
		{[]string{"history", t.TempDir()}, 2},
	} {
		if got := rolecall(t, r.Dir, c.args...); got.code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, got.code, c.code, got.stderr)
		}
	}
	// An empty repository has nothing to scan and that is fine.
	if got := rolecall(t, gittest.New(t).Dir, "history"); got.code != 0 || !strings.Contains(got.stderr, "no commits") {
		t.Errorf("empty repository: exit %d %q", got.code, got.stderr)
	}
}

func TestStagedCommand(t *testing.T) {
	set := testsecrets.New(52)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	r.Commit("one")
	if got := rolecall(t, r.Dir, "staged"); got.code != 0 {
		t.Errorf("nothing staged: exit %d", got.code)
	}
	r.Write("a.py", fmt.Sprintf("x = 1\ntoken = %q\n", set.Get("token")))
	r.Git("add", "a.py")
	got := rolecall(t, r.Dir, "staged")
	if got.code != 1 || !strings.Contains(got.stdout, "a.py:2:") || !strings.Contains(got.stderr, "commit blocked") {
		t.Errorf("exit %d\n%s\n%s", got.code, got.stdout, got.stderr)
	}
}

func TestPrePushCommand(t *testing.T) {
	set := testsecrets.New(53)
	r, remote, base := pushedRepo(t)
	r.Write("b.py", fmt.Sprintf("token = %q\n", set.Get("token")))
	tip := r.Commit("new")

	run := func(stdin string, env ...string) result {
		for i := 0; i+1 < len(env); i += 2 {
			t.Setenv(env[i], env[i+1])
		}
		wd, _ := os.Getwd()
		os.Chdir(r.Dir)
		defer os.Chdir(wd)
		var out, errOut strings.Builder
		code := runWith(stdin, &out, &errOut, "pre-push", "origin", remote)
		return result{code, out.String(), errOut.String()}
	}
	got := run(fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", tip, base))
	if got.code != 1 || !strings.Contains(got.stderr, "push blocked") || !strings.Contains(got.stderr, "--no-verify") {
		t.Errorf("push with a secret: exit %d\n%s", got.code, got.stderr)
	}
	if got := run(fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", base, base)); got.code != 0 {
		t.Errorf("push without new commits: exit %d %s", got.code, got.stderr)
	}
	if got := run("garbage\n"); got.code != 2 || !strings.Contains(got.stderr, "pre-push input line 1") {
		t.Errorf("bad input: exit %d %s", got.code, got.stderr)
	}
	// The pre-commit framework passes the range in the environment.
	if got := run("", "PRE_COMMIT_FROM_REF", base, "PRE_COMMIT_TO_REF", tip); got.code != 1 {
		t.Errorf("pre-commit framework range: exit %d %s", got.code, got.stderr)
	}
	if got := run("", "PRE_COMMIT_FROM_REF", tip, "PRE_COMMIT_TO_REF", tip); got.code != 0 {
		t.Errorf("pre-commit framework empty range: exit %d %s", got.code, got.stderr)
	}
}

// pushedRepo is a repository whose one commit, base, is pushed to a bare
// remote "origin".
func pushedRepo(t *testing.T) (r *gittest.Repo, remote, base string) {
	origin := gittest.New(t, "--bare")
	r = gittest.New(t)
	r.Git("remote", "add", "origin", origin.Dir)
	r.Write("a.py", "x = 1\n")
	base = r.Commit("base")
	r.Git("push", "-q", "origin", "main")
	return r, origin.Dir, base
}

// TestInstalledHooksBlockGit installs the hooks and lets git run them.
func TestInstalledHooksBlockGit(t *testing.T) {
	bin := rolecallBinary(t)
	set := testsecrets.New(54)
	remote := gittest.New(t, "--bare")
	r := gittest.New(t)
	r.Git("remote", "add", "origin", remote.Dir)
	r.Write("a.py", "x = 1\n")
	r.Commit("base")
	r.Git("push", "-q", "origin", "main")

	got := rolecall(t, r.Dir, "hook", "install", "--pre-push", "--pre-commit")
	if got.code != 0 || !strings.Contains(got.stdout, filepath.Join(".git", "hooks", "pre-push")) {
		t.Fatalf("install: exit %d %s %s", got.code, got.stdout, got.stderr)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	r.Write("b.py", fmt.Sprintf("token = %q\n", set.Get("token")))
	r.Git("add", "b.py")
	out, err := gittest.Try(r.Dir, 2, "commit", "-q", "-m", "leak")
	if err == nil || !strings.Contains(out, "commit blocked") {
		t.Errorf("pre-commit hook did not block the commit: %v\n%s", err, out)
	}
	r.Git("commit", "-q", "--no-verify", "-m", "leak")
	out, err = gittest.Try(r.Dir, 3, "push", "origin", "main")
	if err == nil || !strings.Contains(out, "push blocked") {
		t.Errorf("pre-push hook did not block the push: %v\n%s", err, out)
	}
	if remoteHead := gittest.Run(t, remote.Dir, 0, "rev-parse", "main"); remoteHead == r.Git("rev-parse", "HEAD") {
		t.Error("the commit reached the remote")
	}

	// A foreign hook is kept unless --force, and then backed up.
	hook := filepath.Join(r.Dir, ".git", "hooks", "pre-push")
	os.WriteFile(hook, []byte("#!/bin/sh\necho mine\n"), 0o755)
	if got := rolecall(t, r.Dir, "hook", "install"); got.code != 2 || !strings.Contains(got.stderr, "--force") {
		t.Errorf("foreign hook overwritten: exit %d %s", got.code, got.stderr)
	}
	if got := rolecall(t, r.Dir, "hook", "install", "--force"); got.code != 0 {
		t.Errorf("--force: exit %d %s", got.code, got.stderr)
	}
	if b, _ := os.ReadFile(hook + ".rolecall-backup"); string(b) != "#!/bin/sh\necho mine\n" {
		t.Errorf("backup holds %q", b)
	}
	// core.hooksPath is honoured.
	r.Git("config", "core.hooksPath", ".githooks")
	if got := rolecall(t, r.Dir, "hook", "install"); got.code != 0 || !strings.Contains(got.stdout, ".githooks") {
		t.Errorf("core.hooksPath: %s %s", got.stdout, got.stderr)
	}
}
