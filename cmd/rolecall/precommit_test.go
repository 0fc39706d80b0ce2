package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// hookDef is one entry of .pre-commit-hooks.yaml.
type hookDef map[string]string

// readHookDefs reads the flat list-of-maps YAML that .pre-commit-hooks.yaml
// is, so the entries are checked where the pre-commit tool is absent too.
func readHookDefs(t *testing.T) map[string]hookDef {
	data, err := os.ReadFile(filepath.Join("..", "..", ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	hooks := map[string]hookDef{}
	var cur hookDef
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "- ") {
			cur = hookDef{}
			line = "  " + line[2:]
		}
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || cur == nil {
			t.Fatalf("unexpected line %q", line)
		}
		cur[k] = strings.TrimSpace(v)
		if k == "id" {
			hooks[cur["id"]] = cur
		}
	}
	return hooks
}

// runHook runs a hook's entry the way pre-commit does for language: golang
// with pass_filenames: false: the module's binaries on PATH, the entry split
// on spaces, run from the repository root, stdin not connected.
func runHook(t *testing.T, h hookDef, repo string, env ...string) (int, string) {
	bin := rolecallBinary(t)
	args := strings.Fields(h["entry"])
	cmd := exec.Command(filepath.Join(bin, args[0]), args[1:]...)
	cmd.Dir = repo
	cmd.Env = append(gittest.Env(t.TempDir()), append([]string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)...)
	return exitAndOutput(t, cmd)
}

// exitAndOutput runs cmd and returns its exit status and combined output.
func exitAndOutput(t *testing.T, cmd *exec.Cmd) (int, string) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func TestPreCommitHooks(t *testing.T) {
	hooks := readHookDefs(t)
	for id, lang := range map[string]string{"rolecall": "golang", "rolecall-pre-push": "golang", "rolecall-system": "system",
		"rolecall-system-pre-push": "system", "rolecall-docker": "docker"} {
		h, ok := hooks[id]
		if !ok {
			t.Fatalf("hook %s is missing from .pre-commit-hooks.yaml", id)
		}
		if h["language"] != lang || h["pass_filenames"] != "false" || !strings.Contains(h["entry"], "rolecall ") || h["minimum_pre_commit_version"] == "" {
			t.Errorf("hook %s: %v", id, h)
		}
		// pre-commit 3.0 knows the stages as commit and push (3.2 added
		// pre-commit and pre-push, and reads the old names as aliases).
		want := "[commit]"
		if strings.HasSuffix(id, "pre-push") {
			want = "[push]"
		}
		if h["stages"] != want {
			t.Errorf("hook %s: stages %s, want %s", id, h["stages"], want)
		}
	}

	set := testsecrets.New(91)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	base := r.Commit("base")

	t.Run("pre-commit stage", func(t *testing.T) {
		if code, out := runHook(t, hooks["rolecall"], r.Dir); code != 0 {
			t.Errorf("clean index: exit %d\n%s", code, out)
		}
		r.Write("b.py", fmt.Sprintf("token = %q\n", set.Get("token")))
		r.Git("add", "b.py")
		code, out := runHook(t, hooks["rolecall"], r.Dir)
		if code != 1 || !strings.Contains(out, "b.py:1:") {
			t.Errorf("staged secret: exit %d\n%s", code, out)
		}
		r.Git("reset", "-q")
	})
	t.Run("pre-push stage", func(t *testing.T) {
		r.Write("c.py", fmt.Sprintf("token = %q\n", set.Get("token.push")))
		tip := r.Commit("push me")
		env := []string{"PRE_COMMIT_FROM_REF=" + base, "PRE_COMMIT_TO_REF=" + tip, "PRE_COMMIT_REMOTE_NAME=origin",
			"PRE_COMMIT_REMOTE_URL=https://example.org/repo.git", "PRE_COMMIT_LOCAL_BRANCH=refs/heads/main", "PRE_COMMIT_REMOTE_BRANCH=refs/heads/main"}
		code, out := runHook(t, hooks["rolecall-pre-push"], r.Dir, env...)
		if code != 1 || !strings.Contains(out, "c.py:1:") || !strings.Contains(out, "push blocked") {
			t.Errorf("pushed secret: exit %d\n%s", code, out)
		}
		env[1] = "PRE_COMMIT_TO_REF=" + base
		if code, out := runHook(t, hooks["rolecall-pre-push"], r.Dir, env...); code != 0 {
			t.Errorf("nothing new: exit %d\n%s", code, out)
		}
	})
}

// TestPreCommitTryRepo runs the real pre-commit tool: `pre-commit try-repo`
// with this repository's hooks in a repository with a staged key. It uses
// the system variant: the golang one makes pre-commit download this
// module's dependencies, and tests send no traffic off the machine.
func TestPreCommitTryRepo(t *testing.T) {
	tool, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("the pre-commit tool is not installed (apt-get install pre-commit, or pip install pre-commit): try-repo not tested")
	}
	hookRepo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin := rolecallBinary(t)
	set := testsecrets.New(92)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	r.Commit("base")
	env := append(gittest.Env(t.TempDir()), "PRE_COMMIT_HOME="+t.TempDir(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	try := func() (int, string) {
		cmd := exec.Command(tool, "try-repo", hookRepo, "rolecall-system", "--verbose")
		cmd.Dir, cmd.Env = r.Dir, env
		return exitAndOutput(t, cmd)
	}
	r.Write("b.py", "y = 2\n")
	r.Git("add", "b.py")
	if code, out := try(); code != 0 || !strings.Contains(out, "Passed") {
		t.Fatalf("clean staged change: exit %d\n%s", code, out)
	}
	r.Write("b.py", fmt.Sprintf("token = %q\n", set.Get("token")))
	r.Git("add", "b.py")
	code, out := try()
	if code != 1 || !strings.Contains(out, "Failed") || !strings.Contains(out, "b.py:1:") || !strings.Contains(out, "commit blocked") {
		t.Errorf("staged key: exit %d\n%s", code, out)
	}
	if strings.Contains(out, set.Get("token")) {
		t.Error("the hook output holds the full secret")
	}
}
