package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// runHostile runs the built CLI in dir with a deadline: a hostile input
// must never make rolecall hang, so a run that outlives it fails the test
// (and is killed) instead of blocking the suite.
func runHostile(t *testing.T, dir string, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(rolecallBinary(t), "rolecall"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("rolecall %s: still running after 20s (hung on hostile input)\n%s", strings.Join(args, " "), errOut.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errOut.String()}
}

// plant replaces path (relative to dir) with a FIFO, or with a character
// device when dev is set (root only).
func plant(t *testing.T, dir, rel string, dev bool) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.RemoveAll(p); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	if dev {
		err = syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|5) // /dev/zero's numbers
	} else {
		err = syscall.Mkfifo(p, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestHostileGitFiles plants a FIFO (and, as root, a /dev/zero device)
// in place of each file go-git or rolecall reads under .git, and runs
// every command that reads the repository: none may hang, and each either
// scans and names what it could not read, or stops with exit 2 naming the
// file.
func TestHostileGitFiles(t *testing.T) {
	set := testsecrets.New(91)
	origin := gittest.New(t)
	origin.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	origin.Commit("one")
	origin.Write("b.py", "x = 1\n")
	origin.Commit("two")
	kinds := []bool{false}
	if os.Geteuid() == 0 {
		kinds = append(kinds, true)
	}
	files := []string{".git/config", ".git/HEAD", ".git/packed-refs", ".git/shallow", ".git/objects/info/alternates", ".git/index", ".git/refs/heads/main"}
	// Files a command cannot do without: it stops with exit 2 naming them.
	vital := map[string]string{
		"history":   ".git/config .git/HEAD .git/packed-refs .git/shallow .git/refs/heads/main",
		"ci github": ".git/config .git/HEAD .git/packed-refs .git/shallow .git/refs/heads/main",
		"staged":    ".git/config .git/shallow .git/index",
		"pre-push":  ".git/config .git/shallow",
	}
	commands := []struct {
		name  string
		args  []string
		stdin string
		env   func(dir string) []string
	}{
		{name: "history", args: []string{"history", "-q"}},
		{name: "staged", args: []string{"staged", "-q"}},
		{name: "pre-push", args: []string{"pre-push", "-q"}, stdin: ""},
		{name: "ci github", args: []string{"ci", "github", "-q", "--sarif", "out.sarif"}, env: func(dir string) []string {
			return []string{"GITHUB_EVENT_NAME=schedule", "GITHUB_EVENT_PATH=", "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary.md")}
		}},
	}
	for _, file := range files {
		for _, dev := range kinds {
			what := "FIFO"
			if dev {
				what = "device"
			}
			for _, c := range commands {
				t.Run(fmt.Sprintf("%s as %s/%s", file, what, c.name), func(t *testing.T) {
					dir := gittest.Clone(t, origin.Dir)
					gittest.Run(t, dir, 0, "pack-refs", "--all")
					plant(t, dir, file, dev)
					var env []string
					if c.env != nil {
						env = c.env(t.TempDir())
					}
					r := runHostile(t, dir, env, c.stdin, c.args...)
					base := filepath.Base(file)
					if strings.Contains(" "+vital[c.name]+" ", " "+file+" ") && (r.code != 2 || !strings.Contains(r.stderr, "not read: a "+what)) {
						t.Errorf("exit %d, want 2 saying %s is a %s and was not read: %s", r.code, file, what, r.stderr)
					}
					if r.code == 2 && !strings.Contains(r.stderr, base) {
						t.Errorf("exit 2 without naming %s: %s", base, r.stderr)
					}
					if r.code != 2 && r.code != 0 && r.code != 1 && r.code != 3 {
						t.Errorf("exit %d: %s", r.code, r.stderr)
					}
				})
			}
		}
	}
}

// TestHostileEventPayload: the payload path is a FIFO or a device.
func TestHostileEventPayload(t *testing.T) {
	c := newCICheckout(t)
	kinds := []bool{false}
	if os.Geteuid() == 0 {
		kinds = append(kinds, true)
	}
	for _, dev := range kinds {
		dir := t.TempDir()
		plant(t, dir, "event.json", dev)
		r := runHostile(t, c.dir, []string{"GITHUB_EVENT_NAME=push", "GITHUB_EVENT_PATH=" + filepath.Join(dir, "event.json"),
			"GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary.md")}, "", "ci", "github", "--sarif", filepath.Join(dir, "out.sarif"))
		if r.code != 2 || !strings.Contains(r.stderr, "event payload") || !strings.Contains(r.stderr, "not read") {
			t.Errorf("device=%v: exit %d, %s; want 2 saying the payload was not read", dev, r.code, r.stderr)
		}
	}
}
