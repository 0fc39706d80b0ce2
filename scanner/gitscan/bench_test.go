package gitscan

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// BenchmarkHistoryVsGitLog scans a generated notebook-heavy history of
// 1,500 commits (or ROLECALL_BENCH_REPO) and, in the same iteration, runs
// `git log -p -U0 --full-history --all` on it, so that both see the same
// machine load; it reports the ratio of the two wall times and fails if a
// planted key is missed:
//
//	go test -run '^$' -bench HistoryVsGitLog -benchtime 5x ./scanner/gitscan
func BenchmarkHistoryVsGitLog(b *testing.B) {
	gittest.Require(b)
	dir, planted := benchHistory(b, 1500)
	defer debug.SetGCPercent(debug.SetGCPercent(200)) // as rolecall history sets it
	b.ResetTimer()
	var ours, git time.Duration
	for range b.N {
		start := time.Now()
		cmd := exec.Command("git", "-C", dir, "log", "-p", "-U0", "--full-history", "--all")
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
		git += time.Since(start)
		start = time.Now()
		res := scanHistory(b, dir)
		ours += time.Since(start)
		found := map[string]bool{}
		for _, f := range res.Findings {
			found[f.Secret] = true
		}
		for _, p := range planted {
			if !found[p] {
				b.Fatalf("planted secret %.4s*** not found", p)
			}
		}
	}
	b.ReportMetric(float64(ours)/float64(git), "x-git-log-p")
}

// BenchmarkLargeDeltaBlob: a 4 MB file stored as a delta of a 2 MB one
// (issue 14's slow path: seconds through go-git).
func BenchmarkLargeDeltaBlob(b *testing.B) {
	readPacks(b, 0)
	r, _ := csvHistory(b, "")
	b.ResetTimer()
	for range b.N {
		if res := scanHistory(b, r.Dir); res.Blobs != 2 {
			b.Fatalf("%d blobs scanned", res.Blobs)
		}
	}
}

// benchHistories holds the generated histories, by length, for the run:
// the benchmark function is called again for each b.N.
var benchHistories = map[int]struct {
	dir     string
	planted []string
}{}

func benchHistory(b *testing.B, commits int) (dir string, planted []string) {
	b.Helper()
	if h, ok := benchHistories[commits]; ok {
		return h.dir, h.planted
	}
	dir, err := os.MkdirTemp("", "rolecall-bench")
	if err != nil {
		b.Fatal(err)
	}
	dir = filepath.Join(dir, "history.git")
	if planted, err = gittest.NotebookHistory(dir, commits, 1); err != nil {
		b.Fatal(err)
	}
	benchHistories[commits] = struct {
		dir     string
		planted []string
	}{dir, planted}
	return dir, planted
}

func scanHistory(b *testing.B, dir string) *Result {
	b.Helper()
	repo, err := Open(dir, runtime.GOMAXPROCS(0))
	if err != nil {
		b.Fatal(err)
	}
	defer repo.Close()
	refs, err := repo.Refs()
	if err != nil {
		b.Fatal(err)
	}
	var sel Selection
	for _, r := range refs {
		sel.Include = append(sel.Include, r.Commit)
	}
	walk, err := repo.Select(sel)
	if err != nil {
		b.Fatal(err)
	}
	res, err := repo.ScanCommits(context.Background(), newScanner(b), walk.Commits, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// TestMain removes the generated benchmark histories.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, h := range benchHistories {
		os.RemoveAll(filepath.Dir(h.dir))
	}
	os.Exit(code)
}
