package gitscan

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/index"

	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// TestReadIndex decodes indexes git wrote, in every version and with the
// split and sparse extensions, and compares the entries with what git
// itself lists (git ls-files --stage --sparse).
func TestReadIndex(t *testing.T) {
	cases := []struct {
		name  string
		setup func(r *gittest.Repo)
	}{
		{"version 2", func(r *gittest.Repo) { r.Git("update-index", "--index-version", "2") }},
		{"version 3 (intent to add)", func(r *gittest.Repo) {
			r.Write("new.py", "x\n")
			r.Git("add", "-N", "new.py")
			r.Git("update-index", "--index-version", "3")
		}},
		{"version 4 (prefix-compressed names)", func(r *gittest.Repo) { r.Git("update-index", "--index-version", "4") }},
		{"name over 4095 bytes (NUL-terminated)", func(r *gittest.Repo) {
			// Only in the index: no file system takes such a path.
			blob := r.Git("rev-parse", "HEAD:a.py")
			r.Git("update-index", "--add", "--cacheinfo", "100644,"+blob+","+strings.Repeat("n/", 2100)+"x.py")
		}},
		{"split index", func(r *gittest.Repo) {
			r.Git("update-index", "--split-index")
			r.Write("dir/b.py", "changed\n")
			r.Write("fresh.py", "new\n")
			r.Git("rm", "-q", "--cached", "dir/c.py")
			r.Git("add", "dir/b.py", "fresh.py")
		}},
		{"sparse index", func(r *gittest.Repo) {
			r.Git("sparse-checkout", "set", "--sparse-index", "dir")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := gittest.New(t)
			r.Write("a.py", "a\n")
			r.Write("dir/b.py", "b\n")
			r.Write("dir/c.py", "c\n")
			r.Write("other/d.py", "d\n")
			r.Commit("one")
			c.setup(r)
			got, err := readIndex(filepath.Join(r.Dir, ".git", "index"))
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, e := range got {
				flags := ""
				if e.IntentToAdd {
					flags = " ita"
				}
				lines = append(lines, e.Mode.String()[1:]+" "+e.Hash.String()+" "+string(rune('0'+e.Stage))+"\t"+e.Name+flags)
			}
			want := strings.Split(r.Git("ls-files", "--stage", "--sparse"), "\n")
			for i, w := range want {
				if strings.HasSuffix(w, "new.py") {
					want[i] += " ita"
				}
			}
			if !slices.Equal(lines, want) {
				t.Errorf("entries\n%s\nwant (git ls-files --stage --sparse)\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestReadIndexRefusesDamage: a damaged index is an error that says what
// to do, never a panic or an empty list.
func TestReadIndexRefusesDamage(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.py", "a\n")
	r.Commit("one")
	good, err := os.ReadFile(filepath.Join(r.Dir, ".git", "index"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 5, 12, 40, len(good) - 21, len(good) - 1} {
		if _, _, err := decodeIndex(good[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	flipped := slices.Clone(good)
	flipped[20] ^= 1
	if _, _, err := decodeIndex(flipped); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged: %v", err)
	}
	// go-git agrees on a plain index.
	var idx index.Index
	f, _ := os.Open(filepath.Join(r.Dir, ".git", "index"))
	defer f.Close()
	if err := index.NewDecoder(f).Decode(&idx); err != nil {
		t.Fatal(err)
	}
	ours, _, _ := decodeIndex(good)
	if len(ours) != len(idx.Entries) || ours[0].Name != idx.Entries[0].Name || ours[0].Hash != idx.Entries[0].Hash {
		t.Errorf("ours %v, go-git %v", ours, idx.Entries)
	}
}
