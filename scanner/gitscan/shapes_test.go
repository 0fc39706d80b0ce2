package gitscan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// sourceRepo has three commits: a small file with a key, a large file, and
// a second key.
func sourceRepo(t *testing.T, set *testsecrets.Set) *gittest.Repo {
	r := gittest.New(t)
	r.Write("small.py", fmt.Sprintf("token = %q\n", set.Get("token.one")))
	r.Commit("one")
	r.Write("big.txt", strings.Repeat("filler line without secrets\n", 400)) // ~11 KB
	r.Commit("big")
	r.Write("two.py", fmt.Sprintf("token = %q\n", set.Get("token.two")))
	r.Commit("two")
	return r
}

func TestRepositoryShapes(t *testing.T) {
	gittest.Require(t)
	set := testsecrets.New(41)
	src := sourceRepo(t, set)
	both := []string{"token.one", "token.two"}
	cases := []struct {
		name       string
		dir        func(t *testing.T) string
		want       []string // secret names found
		unreadable bool     // some objects are expected to be missing
	}{
		{"work tree", func(t *testing.T) string { return src.Dir }, both, false},
		{"subdirectory of a work tree", func(t *testing.T) string {
			d := filepath.Join(src.Dir, "sub")
			os.MkdirAll(d, 0o755)
			return d
		}, both, false},
		{"bare clone", func(t *testing.T) string { return gittest.Clone(t, src.Dir, "--bare") }, both, false},
		{"partial clone without large blobs", func(t *testing.T) string {
			gittest.Run(t, src.Dir, 0, "config", "uploadpack.allowFilter", "true")
			return gittest.Clone(t, src.Dir, "--filter=blob:limit=1k", "--no-checkout")
		}, both, true},
		{"shallow clone", func(t *testing.T) string { return gittest.Clone(t, src.Dir, "--depth", "1") }, both, false},
		{"alternates (clone --shared)", func(t *testing.T) string { return gittest.Clone(t, src.Dir, "--shared") }, both, false},
		{"alternates with a relative path", func(t *testing.T) string {
			d := gittest.Clone(t, src.Dir, "--shared")
			alt := filepath.Join(d, ".git", "objects", "info", "alternates")
			rel, err := filepath.Rel(filepath.Join(d, ".git", "objects"), filepath.Join(src.Dir, ".git", "objects"))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(alt, []byte("# comment\n"+rel+"\n"), 0o644)
			return d
		}, both, false},
		{"worktreeConfig extension", func(t *testing.T) string {
			d := gittest.Clone(t, src.Dir)
			gittest.Run(t, d, 0, "config", "core.repositoryformatversion", "1")
			gittest.Run(t, d, 0, "config", "extensions.worktreeConfig", "true")
			return d
		}, both, false},
		{"linked worktree", func(t *testing.T) string {
			d := gittest.Clone(t, src.Dir)
			wt := filepath.Join(t.TempDir(), "wt")
			gittest.Run(t, d, 0, "worktree", "add", "-q", wt)
			return wt
		}, both, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := c.dir(t)
			got, res := history(t, dir, nil, set)
			var names []string
			for _, g := range got {
				f := strings.Fields(g)
				names = append(names, f[len(f)-1])
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Errorf("found %v, want %v", got, c.want)
			}
			if (res.Unreadable > 0) != c.unreadable {
				t.Errorf("unreadable objects: %d", res.Unreadable)
			}
		})
	}
}

func TestEmptyAndOddRepositories(t *testing.T) {
	set := testsecrets.New(42)
	t.Run("empty", func(t *testing.T) {
		r := gittest.New(t)
		repo, err := Open(r.Dir, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		refs, err := repo.Refs()
		if err != nil || len(refs) != 0 {
			t.Errorf("refs %v, %v", refs, err)
		}
	})
	t.Run("unborn HEAD with other branches", func(t *testing.T) {
		r := gittest.New(t)
		r.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("token.a")))
		r.Commit("a")
		r.Git("checkout", "-q", "--orphan", "fresh")
		got, _ := history(t, r.Dir, nil, set)
		if len(got) != 1 {
			t.Errorf("findings %v", got)
		}
	})
	t.Run("submodule entry", func(t *testing.T) {
		r := gittest.New(t)
		r.Write("a.txt", "x\n")
		sha := r.Commit("a")
		r.Git("update-index", "--add", "--cacheinfo", "160000,"+sha+",vendor/lib")
		r.Commit("add submodule")
		got, res := history(t, r.Dir, nil, set)
		if len(got) != 0 || res.Unreadable != 0 {
			t.Errorf("findings %v unreadable %d", got, res.Unreadable)
		}
	})
	t.Run("huge blob is skipped by size", func(t *testing.T) {
		r := gittest.New(t)
		r.Write("big.py", strings.Repeat("#\n", 2000)+fmt.Sprintf("token = %q\n", set.Get("token.big")))
		r.Commit("big")
		repo, err := Open(r.Dir, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		refs, _ := repo.Refs()
		walk, _ := repo.Select(Selection{Include: []plumbing.Hash{refs[0].Commit}})
		var warned []string
		res, err := repo.ScanCommits(context.Background(), newScanner(t), walk.Commits, Options{Options: scanner.Options{
			MaxFileSize: 1000, Warn: func(w scanner.Warning) { warned = append(warned, w.String()) }}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 0 || len(res.Skipped) != 1 || len(warned) != 1 || !strings.Contains(warned[0], "big.py") {
			t.Errorf("findings %d skipped %v warnings %v", len(res.Findings), res.Skipped, warned)
		}
	})
	t.Run("missing alternate", func(t *testing.T) {
		src := sourceRepo(t, set)
		d := gittest.Clone(t, src.Dir, "--shared")
		os.WriteFile(filepath.Join(d, ".git", "objects", "info", "alternates"), []byte("/nonexistent/objects\n"), 0o644)
		repo, err := Open(d, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer repo.Close()
		if len(repo.Warnings) != 1 || !strings.Contains(repo.Warnings[0], "/nonexistent/objects") {
			t.Errorf("warnings %v", repo.Warnings)
		}
	})
	t.Run("not a repository", func(t *testing.T) {
		if _, err := Open(t.TempDir(), 1); err == nil || !strings.Contains(err.Error(), "not a git repository") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("sha256 repository is refused clearly", func(t *testing.T) {
		r := gittest.New(t)
		gittest.Run(t, r.Dir, 0, "config", "core.repositoryformatversion", "1")
		gittest.Run(t, r.Dir, 0, "config", "extensions.objectFormat", "sha256")
		if _, err := Open(r.Dir, 1); err == nil || !strings.Contains(err.Error(), "sha256") {
			t.Errorf("error %v", err)
		}
	})
}

func TestStaged(t *testing.T) {
	set := testsecrets.New(43)
	r := gittest.New(t)
	r.Write("old.py", fmt.Sprintf("token = %q\n", set.Get("token.committed")))
	r.Commit("old")
	// Staged: a new key in an existing file (the old one must not be
	// reported again), a new file, and an unstaged change that git commit
	// would not record.
	r.Write("old.py", fmt.Sprintf("token = %q\nother_token = %q\n", set.Get("token.committed"), set.Get("token.staged")))
	r.Write("new.py", fmt.Sprintf("\n\npassword = %q\n", set.Get("db_password")))
	r.Git("add", "old.py", "new.py")
	r.Write("unstaged.py", fmt.Sprintf("token = %q\n", set.Get("token.unstaged")))
	repo, err := Open(r.Dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	res, err := repo.ScanStaged(context.Background(), newScanner(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, describe(res.Findings, set),
		" new.py:3 generic-credential db_password",
		" old.py:2 generic-credential token.staged")

	// Before the first commit, HEAD is unborn: everything staged counts.
	r2 := gittest.New(t)
	r2.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("token.first")))
	r2.Git("add", "a.py")
	repo2, err := Open(r2.Dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer repo2.Close()
	res, err = repo2.ScanStaged(context.Background(), newScanner(t), Options{})
	if err != nil || len(res.Findings) != 1 {
		t.Errorf("unborn HEAD: %v, %d findings", err, len(res.Findings))
	}
}

// TestPrePush drives the hook protocol: an existing branch pushed forward,
// a new branch, and a delete, against a real remote.
func TestPrePush(t *testing.T) {
	set := testsecrets.New(44)
	remote := gittest.New(t, "--bare")
	r := gittest.New(t)
	r.Git("remote", "add", "origin", remote.Dir)
	r.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("token.pushed")))
	r.Commit("already pushed")
	r.Git("push", "-q", "origin", "main")
	old := r.Git("rev-parse", "HEAD")
	r.Write("b.py", fmt.Sprintf("token = %q\n", set.Get("token.main")))
	r.Commit("new on main")
	r.Write("c.py", "print(3)\n")
	r.Commit("another")
	mainTip := r.Git("rev-parse", "HEAD")
	r.Git("checkout", "-q", "-b", "topic")
	r.Write("d.py", fmt.Sprintf("token = %q\n", set.Get("token.topic")))
	r.Commit("topic work")
	topicTip := r.Git("rev-parse", "HEAD")
	zero := strings.Repeat("0", 40)

	cases := []struct {
		name, stdin string
		want        []string
	}{
		{"existing branch", fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", mainTip, old), []string{"token.main"}},
		{"new branch", fmt.Sprintf("refs/heads/topic %s refs/heads/topic %s\n", topicTip, zero), []string{"token.main", "token.topic"}},
		{"delete", fmt.Sprintf("(delete) %s refs/heads/gone %s\n", zero, old), nil},
		{"two refs", fmt.Sprintf("refs/heads/main %s refs/heads/main %s\nrefs/heads/topic %s refs/heads/topic %s\n", mainTip, old, topicTip, zero), []string{"token.main", "token.topic"}},
		{"nothing new", fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", old, old), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			repo, err := Open(r.Dir, 2)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			updates, err := ParsePrePush(strings.NewReader(c.stdin))
			if err != nil {
				t.Fatal(err)
			}
			sel, err := repo.PushSelection(updates)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			if len(sel.Include) > 0 {
				walk, _ := repo.Select(sel)
				res, err := repo.ScanCommits(context.Background(), newScanner(t), walk.Commits, Options{})
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range describe(res.Findings, set) {
					f := strings.Fields(g)
					names = append(names, f[len(f)-1])
				}
			}
			if strings.Join(names, ",") != strings.Join(c.want, ",") {
				t.Errorf("found %v, want %v", names, c.want)
			}
		})
	}
	for _, bad := range []string{"refs/heads/main abc refs/heads/main def\n", "just one field\n"} {
		if _, err := ParsePrePush(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "pre-push input line 1") {
			t.Errorf("ParsePrePush(%q) error %v", bad, err)
		}
	}
}
