package gitscan

import (
	"crypto/sha1"
	"encoding/binary"
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

// TestDecodeEWAH decodes bitmaps built by hand in git's layout: a run of
// set bits, literal words, and both.
func TestDecodeEWAH(t *testing.T) {
	rlw := func(runBit bool, run, literals uint64) uint64 {
		w := run<<1 | literals<<33
		if runBit {
			w |= 1
		}
		return w
	}
	encode := func(bits uint32, words ...uint64) []byte {
		b := binary.BigEndian.AppendUint32(nil, bits)
		b = binary.BigEndian.AppendUint32(b, uint32(len(words)))
		for _, w := range words {
			b = binary.BigEndian.AppendUint64(b, w)
		}
		return binary.BigEndian.AppendUint32(b, 0)
	}
	seq := func(from, to int) []int {
		var out []int
		for i := from; i < to; i++ {
			out = append(out, i)
		}
		return out
	}
	cases := []struct {
		name string
		data []byte
		want []int
	}{
		{"empty", encode(0, rlw(false, 0, 0)), nil},
		{"literal", encode(64, rlw(false, 0, 1), 1<<0|1<<5|1<<63), []int{0, 5, 63}},
		{"run of zeros then a literal", encode(130, rlw(false, 2, 1), 1<<1), []int{129}},
		{"run of ones", encode(128, rlw(true, 2, 0)), seq(0, 128)},
		{"ones then literal", encode(70, rlw(true, 1, 1), 1<<3), append(seq(0, 64), 67)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := ewahLen(append(c.data, 'x'))
			if err != nil || n != len(c.data) {
				t.Fatalf("length %d (%v), want %d", n, err, len(c.data))
			}
			got, err := decodeEWAH(c.data, 200)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("got %v err %v, want %v", got, err, c.want)
			}
		})
	}
	for n := 1; n < 12; n++ {
		if _, err := decodeEWAH(encode(64, rlw(false, 0, 1), 1)[:n], 200); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	// Bits past the entries the bitmap is about, or a run of ones that
	// would allocate billions of positions, are errors.
	for _, bad := range [][]byte{encode(64, rlw(false, 0, 1), 1<<40), encode(1<<31, rlw(true, 1<<31-1, 0))} {
		if got, err := decodeEWAH(bad, 30); err == nil {
			t.Errorf("%d positions from a hostile bitmap, no error", len(got))
		}
	}
}

// FuzzDecodeIndex: a hostile index is an error, never a panic or a hang.
func FuzzDecodeIndex(f *testing.F) {
	r := gittest.New(f)
	r.Write("a.py", "a\n")
	r.Write("dir/b.py", "b\n")
	r.Commit("one")
	for _, v := range []string{"2", "3", "4"} {
		r.Git("update-index", "--index-version", v)
		data, err := os.ReadFile(filepath.Join(r.Dir, ".git", "index"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Fix the checksum so that mutations reach the entry decoder.
		if len(data) >= 32 {
			body := data[:len(data)-20]
			sum := sha1.Sum(body)
			data = append(slices.Clone(body), sum[:]...)
		}
		entries, link, err := decodeIndex(data)
		if err == nil && link != nil {
			link.merge(entries, entries)
		}
	})
}
