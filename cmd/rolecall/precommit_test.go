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
// is (the pre-commit tool cannot be installed here: PyPI is out of reach).
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
	for _, id := range []string{"rolecall", "rolecall-pre-push"} {
		h, ok := hooks[id]
		if !ok {
			t.Fatalf("hook %s is missing from .pre-commit-hooks.yaml", id)
		}
		if h["language"] != "golang" || h["pass_filenames"] != "false" || !strings.HasPrefix(h["entry"], "rolecall ") {
			t.Errorf("hook %s: %v", id, h)
		}
	}
	if !strings.Contains(hooks["rolecall-pre-push"]["stages"], "pre-push") || !strings.Contains(hooks["rolecall"]["stages"], "pre-commit") {
		t.Errorf("stages: %v", hooks)
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
