package gitscan

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// packedHistory builds a history with many versions of a few files (so
// git stores most as deltas), secrets added, moved and removed on the way.
func packedHistory(t *testing.T, set *testsecrets.Set) *gittest.Repo {
	r := gittest.New(t)
	rng := rand.New(rand.NewPCG(5, 6))
	var py, nbCells []string
	for i := 0; i < 60; i++ {
		py = append(py, fmt.Sprintf("value_%d = compute(%d)\n", i, rng.IntN(1000)))
		if i%15 == 7 {
			py = append(py, fmt.Sprintf("api_key = %q\n", set.Get(fmt.Sprintf("token.py%d", i))))
		}
		if i == 40 {
			py = py[len(py)/2:] // drops some keys: they stay in history
		}
		cell := fmt.Sprintf(`{"cell_type": "code", "execution_count": %d, "metadata": {}, "outputs": [], "source": ["x = %d\n"`, i, rng.IntN(100))
		if i%20 == 3 {
			cell += fmt.Sprintf(`, "aws_secret_access_key = \"%s\"\n"`, set.Get(fmt.Sprintf("aws_secret.nb%d", i)))
		}
		nbCells = append(nbCells, cell+"]}")
		r.Write("analysis.py", strings.Join(py, ""))
		r.Write("notebooks/run.ipynb", `{"cells": [`+strings.Join(nbCells, ",\n")+`], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`+"\n")
		if i%5 == 0 { // incompressible, so that packs of 1 MiB split
			var b strings.Builder
			for b.Len() < 200000 {
				fmt.Fprintf(&b, "%016x\n", rng.Uint64())
			}
			r.Write(fmt.Sprintf("data/part%d.txt", i), b.String())
		}
		r.Commit(fmt.Sprintf("step %d", i))
	}
	return r
}

// The history reads packs itself; whatever way git stored the objects
// (loose, deltas by offset or by id, deep chains, several packs), the
// findings are those of the loose objects.
func TestPackedHistoryMatchesLoose(t *testing.T) {
	set := testsecrets.New(41)
	r := packedHistory(t, set)
	loose, res := history(t, r.Dir, nil, set)
	if len(loose) < 6 || res.Unreadable != 0 {
		t.Fatalf("the loose history has %d findings, %d unreadable", len(loose), res.Unreadable)
	}
	for _, c := range []struct {
		name string
		git  [][]string
	}{
		{"gc", [][]string{{"gc", "-q"}}},
		{"deep chains", [][]string{{"repack", "-q", "-adf", "--depth=250", "--window=250"}}},
		{"ref deltas", [][]string{{"-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-adf"}}},
		{"no deltas", [][]string{{"repack", "-q", "-adf", "--depth=0"}}},
		{"several packs", [][]string{{"repack", "-q", "-adf", "--depth=0", "--max-pack-size=1m"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := gittest.Clone(t, r.Dir, "--mirror")
			for _, args := range c.git {
				gittest.Run(t, dir, 0, args...)
			}
			packs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "*.pack"))
			if len(packs) == 0 || c.name == "several packs" && len(packs) < 2 {
				t.Fatalf("%d packs", len(packs))
			}
			for _, bulk := range []int{0, 1 << 30} { // packs read by rolecall, then by go-git
				readPacks(t, bulk)
				got, res := history(t, dir, nil, set)
				if res.Unreadable != 0 {
					t.Errorf("bulk %d: %d unreadable objects", bulk, res.Unreadable)
				}
				wantFindings(t, got, loose...)
			}
		})
	}
}

// A large file stored as a delta of another (issue 14: seconds through
// go-git's streaming delta path) is read like any other, and a key at its
// end is found on the right line.
func TestLargeDeltaBlob(t *testing.T) {
	readPacks(t, 0)
	set := testsecrets.New(42)
	key := fmt.Sprintf("api_key = %q\n", set.Get("token.big"))
	r, c2 := csvHistory(t, key)
	lines := strings.Count(r.Git("show", "HEAD:big.csv"), "\n") + 1 // Git trims the last newline
	deltas := r.Git("cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectsize) %(deltabase)")
	isDelta := false
	for _, l := range strings.Split(deltas, "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "blob" && f[1] != "0" && strings.Trim(f[2], "0") != "" {
			isDelta = true
		}
	}
	if !isDelta {
		t.Fatalf("git stored no blob as a delta:\n%s", deltas)
	}
	got, _ := history(t, r.Dir, nil, set)
	wantFindings(t, got, fmt.Sprintf("%s big.csv:%d generic-credential token.big", short(c2), lines))

	// Over --max-file-size, whether stored whole or as a delta: skipped
	// and named, not read, not unreadable.
	for _, limit := range []int64{3 << 20, 1 << 20} {
		repo, err := Open(r.Dir, 2)
		if err != nil {
			t.Fatal(err)
		}
		walk, _ := repo.Select(Selection{Include: []plumbing.Hash{plumbing.NewHash(c2)}})
		res, err := repo.ScanCommits(context.Background(), newScanner(t), walk.Commits, Options{Options: scanner.Options{MaxFileSize: limit}})
		repo.Close()
		if err != nil {
			t.Fatal(err)
		}
		var skipped []string
		for _, s := range res.Skipped {
			skipped = append(skipped, s.Path)
		}
		want := "[big.csv]"
		if limit < 2<<20 {
			want = "[big.csv small.csv]"
		}
		sort.Strings(skipped)
		if fmt.Sprint(skipped) != want || res.Unreadable != 0 || len(res.Findings) != 0 {
			t.Errorf("limit %d: skipped %v, %d unreadable, %d findings; want %s skipped", limit, skipped, res.Unreadable, len(res.Findings), want)
		}
	}
}

// A damaged entry in a pack is counted as unreadable and named; the other
// versions are still scanned.
func TestDamagedPackEntry(t *testing.T) {
	readPacks(t, 0)
	set := testsecrets.New(43)
	r := gittest.New(t)
	r.Write("a.py", fmt.Sprintf("api_key = %q\n", set.Get("token.a")))
	r.Commit("a")
	victim := strings.Repeat("a line that compresses well\n", 2000)
	r.Write("b.txt", victim)
	r.Commit("b")
	r.Git("repack", "-q", "-adf", "--depth=0")
	id := r.Git("rev-parse", "HEAD:b.txt")
	packs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs", len(packs))
	}
	p, err := openPack(strings.TrimSuffix(packs[0], ".pack") + ".idx")
	if err != nil {
		t.Fatal(err)
	}
	loc := (&packReader{packs: []*packObjects{p}}).locate(plumbing.NewHash(id))
	p.f.Close()
	data, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := loc.off + 8; i < loc.off+40; i++ {
		data[i] ^= 0x55
	}
	os.Chmod(packs[0], 0o644)
	if err := os.WriteFile(packs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, res := history(t, r.Dir, nil, set)
	if res.Unreadable == 0 {
		t.Error("the damaged blob was not counted as unreadable")
	}
	if len(got) != 1 || !strings.HasSuffix(got[0], "a.py:1 generic-credential token.a") {
		t.Errorf("findings %q; want the key in a.py", got)
	}
}

// applyDelta builds what go-git's delta encoder describes, and refuses
// damaged deltas without panicking.
func TestApplyDelta(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	text := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcdefgh \n"[rng.IntN(10)]
		}
		return b
	}
	base := text(300000)
	for _, target := range [][]byte{
		nil,
		base,
		append(append(text(100), base[1000:200000]...), text(5000)...),
		bytes.Repeat(base[:70000], 3), // copies longer than 64 KiB
		text(1000),
	} {
		delta := packfile.DiffDelta(base, target)
		got, err := applyDelta(base, delta)
		if err != nil || !bytes.Equal(got, target) {
			t.Fatalf("applyDelta: %d bytes, %v; want %d bytes", len(got), err, len(target))
		}
		for i := 0; i < 200; i++ {
			bad := bytes.Clone(delta)
			switch i % 3 {
			case 0:
				bad = bad[:rng.IntN(len(bad))]
			case 1:
				bad[rng.IntN(len(bad))] ^= byte(1 + rng.IntN(255))
			case 2:
				bad = append(bad, byte(rng.IntN(256)))
			}
			if out, err := applyDelta(base, bad); err == nil && len(out) > 1<<20 {
				t.Fatalf("a damaged delta built %d bytes", len(out))
			}
		}
	}
	if _, err := applyDelta(base[:10], packfile.DiffDelta(base, base)); err == nil {
		t.Error("a delta for another base was applied")
	}
}

// csvHistory is the repository of issue 14's slow path: a 2 MiB CSV file,
// then a 4 MiB one made of it twice (with tail at its end), which git gc
// stores as a delta of the first.
func csvHistory(tb testing.TB, tail string) (r *gittest.Repo, second string) {
	r = gittest.New(tb)
	var small strings.Builder
	for i := 0; small.Len() < 2<<20; i++ {
		fmt.Fprintf(&small, "%d,%d,sensor-%d,%.3f\n", i, i*7, i%50, float64(i)/7)
	}
	r.Write("small.csv", small.String())
	r.Commit("small")
	r.Write("big.csv", small.String()+strings.ReplaceAll(small.String(), "sensor", "probe")+tail)
	second = r.Commit("big")
	r.Git("gc", "-q")
	return r, second
}

// readPacks makes scans of at least commits commits read the packs
// themselves (0: every scan) until the test ends.
func readPacks(t testing.TB, commits int) {
	old := bulkCommits
	bulkCommits = commits
	t.Cleanup(func() { bulkCommits = old })
}

// A FIFO planted as a pack index or as the pack beside a good index is an
// error for openPack (the objects are then read the slow way), never a
// hang.
func TestOpenPackRefusesFIFOs(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.txt", "a\n")
	r.Commit("a")
	r.Git("repack", "-q", "-ad")
	idxs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("%d pack indexes", len(idxs))
	}
	dir := t.TempDir()
	good, err := os.ReadFile(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	goodIdx := filepath.Join(dir, "good.idx")
	if err := os.WriteFile(goodIdx, good, 0o644); err != nil {
		t.Fatal(err)
	}
	fifoIdx := filepath.Join(dir, "fifo.idx")
	for _, p := range []string{fifoIdx, filepath.Join(dir, "good.pack")} {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skip("no FIFOs here:", err)
		}
	}
	for _, idx := range []string{fifoIdx, goodIdx} {
		done := make(chan error, 1)
		go func() {
			p, err := openPack(idx)
			if p != nil {
				p.f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: opened a pack through a FIFO", filepath.Base(idx))
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: openPack hung on a FIFO", filepath.Base(idx))
		}
	}
}
