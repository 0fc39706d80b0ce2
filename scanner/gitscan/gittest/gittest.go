// Package gittest builds real git repositories in temporary directories for
// tests, with the git CLI (the product itself reads them with go-git).
// Commit dates tick one minute per commit, so date order is deterministic.
package gittest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a git repository under test.
type Repo struct {
	T    testing.TB
	Dir  string
	Tick int
}

// Require skips the test when git is not installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

// Env is the environment every git command runs with: an empty home and no
// system config, so the developer's own git setup cannot change results.
func Env(home string) []string {
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.org", "GIT_COMMITTER_NAME=Ada",
		"GIT_COMMITTER_EMAIL=ada@example.org", "GIT_NO_LAZY_FETCH=1")
}

// New runs git init (with extra args such as --bare) in a new temp dir.
func New(t testing.TB, args ...string) *Repo {
	t.Helper()
	Require(t)
	r := &Repo{T: t, Dir: t.TempDir()}
	r.Git(append([]string{"init", "-q", "-b", "main"}, args...)...)
	return r
}

// Git runs git in the repository and returns its trimmed output.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	return Run(r.T, r.Dir, r.Tick, args...)
}

// Run runs git in dir with dates set from tick; it fails the test on error.
func Run(t testing.TB, dir string, tick int, args ...string) string {
	t.Helper()
	out, err := Try(dir, tick, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs git in dir and returns its output and error.
func Try(dir string, tick int, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := fmt.Sprintf("2024-01-01T%02d:%02d:00Z", tick/60, tick%60)
	home, err := os.MkdirTemp("", "gittest-home")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(home)
	cmd.Env = append(Env(home), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Write writes a file in the work tree, creating directories.
func (r *Repo) Write(path, body string) {
	r.T.Helper()
	p := filepath.Join(r.Dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Commit stages everything and commits; it returns the new commit id.
func (r *Repo) Commit(msg string) string {
	r.T.Helper()
	r.Tick++
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}

// Clone clones src (as a file:// URL, so filters and --depth apply) into a
// new temp dir and returns its path.
func Clone(t testing.TB, src string, args ...string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "clone")
	Run(t, t.TempDir(), 0, append(append([]string{"clone", "-q"}, args...), "file://"+src, dst)...)
	return dst
}
