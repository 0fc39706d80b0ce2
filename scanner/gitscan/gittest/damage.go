package gittest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The helpers below damage a repository the ways disks, interrupted
// fetches and partial copies do, for tests of what a scan says when it
// cannot read something.

// RemoveLoose deletes the loose object id from the repository at dir (a
// work tree or a bare repository).
func RemoveLoose(t testing.TB, dir, id string) {
	t.Helper()
	p := filepath.Join(gitDir(dir), "objects", id[:2], id[2:])
	if err := os.Remove(p); err != nil {
		t.Fatalf("removing loose object %s: %v", id, err)
	}
}

// CorruptPacked overwrites the middle of object id's compressed data in
// the pack that holds it (run git repack first), keeping the entry header
// so that the object is found but cannot be inflated.
func CorruptPacked(t testing.TB, dir, id string) {
	t.Helper()
	packs, _ := filepath.Glob(filepath.Join(gitDir(dir), "objects", "pack", "*.idx"))
	for _, idx := range packs {
		out := Run(t, dir, 0, "verify-pack", "-v", idx)
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			// sha type size size-in-pack offset [depth base]
			if len(f) < 5 || f[0] != id {
				continue
			}
			inPack, _ := strconv.Atoi(f[3])
			off, _ := strconv.ParseInt(f[4], 10, 64)
			pack := strings.TrimSuffix(idx, ".idx") + ".pack"
			fh, err := os.OpenFile(pack, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			// Skip the entry header (type and size, a few bytes) and the
			// zlib header; garble the rest.
			start := off + 4
			n := max(inPack-6, 2)
			if _, err := fh.WriteAt([]byte(strings.Repeat("\xa5", n)), start); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("object %s is in no pack of %s", id, dir)
}

// WriteRef points ref at id without git's checks (git update-ref refuses
// a missing object), as a damaged or partly copied repository has it.
func WriteRef(t testing.TB, dir, ref, id string) {
	t.Helper()
	p := filepath.Join(gitDir(dir), filepath.FromSlash(ref))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gitDir(dir string) string {
	if info, err := os.Stat(filepath.Join(dir, ".git")); err == nil && info.IsDir() {
		return filepath.Join(dir, ".git")
	}
	return dir
}
