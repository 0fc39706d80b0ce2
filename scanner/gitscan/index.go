package gitscan

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/rolecall/rolecall/internal/safefile"
)

// rolecall reads the index itself: go-git's decoder refuses the split
// index ("link", written by `git update-index --split-index` and
// core.splitIndex) and the sparse index ("sdir", `git sparse-checkout
// --sparse-index`), both mandatory extensions, so a pre-commit hook in such
// a repository could not say what is staged. Only what the staged scan
// needs is decoded: name, mode, object id, stage and two flags.

// indexEntry is one entry of the index.
type indexEntry struct {
	Name string
	Mode filemode.FileMode
	Hash plumbing.Hash
	// Stage 0 is a merged entry; 1-3 are the sides of a conflict.
	Stage        int
	IntentToAdd  bool
	SkipWorktree bool
}

// sparseDir reports whether the entry stands for a whole directory outside
// a sparse index's cone: its id is the directory's tree.
func (e *indexEntry) sparseDir() bool { return e.Mode == filemode.Dir }

// maxIndexSize bounds the index read into memory (git's own limit on an
// index is far above any real one; this keeps a hostile file from taking
// all memory).
const maxIndexSize = 1 << 30

// readIndex reads the index file at path, merging a split index with its
// shared index.
func readIndex(path string) ([]indexEntry, error) {
	entries, link, err := decodeIndexFile(path)
	if err != nil || link == nil {
		return entries, err
	}
	shared := filepath.Join(filepath.Dir(path), "sharedindex."+link.shared.String())
	base, nested, err := decodeIndexFile(shared)
	if err != nil {
		return nil, fmt.Errorf("split index: reading its shared index: %w (git update-index --no-split-index writes a whole index)", err)
	}
	if nested != nil {
		return nil, fmt.Errorf("split index: the shared index %s is split itself", shared)
	}
	return link.merge(base, entries)
}

func decodeIndexFile(path string) ([]indexEntry, *splitLink, error) {
	data, err := safefile.ReadFile(path, maxIndexSize) // a FIFO or device is refused, never opened blocking
	if err != nil {
		return nil, nil, err
	}
	entries, link, err := decodeIndex(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return entries, link, nil
}

var errShortIndex = errors.New("the index is truncated (git status rewrites it; or remove it and run git reset)")

// decodeIndex decodes index format versions 2, 3 and 4.
func decodeIndex(data []byte) ([]indexEntry, *splitLink, error) {
	if len(data) < 12+sha1.Size || string(data[:4]) != "DIRC" {
		return nil, nil, errors.New("not a git index (no DIRC signature)")
	}
	body := data[:len(data)-sha1.Size]
	if sum := sha1.Sum(body); !bytes.Equal(sum[:], data[len(body):]) {
		return nil, nil, errors.New("the index checksum does not match: the file is damaged (remove it and run git reset to rebuild it)")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, nil, fmt.Errorf("index version %d is not one git writes (2, 3 or 4)", version)
	}
	count := int(binary.BigEndian.Uint32(data[8:]))
	if count > len(body)/40 {
		return nil, nil, errShortIndex
	}
	entries := make([]indexEntry, 0, count)
	pos, prev := 12, ""
	for range count {
		e, next, err := decodeEntry(body, pos, version, prev)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
		pos, prev = next, e.Name
	}
	var link *splitLink
	for pos+8 <= len(body) {
		sig := string(body[pos : pos+4])
		size := int(binary.BigEndian.Uint32(body[pos+4:]))
		pos += 8
		if size > len(body)-pos {
			return nil, nil, errShortIndex
		}
		ext := body[pos : pos+size]
		pos += size
		switch {
		case sig == "link":
			l, err := decodeLink(ext)
			if err != nil {
				return nil, nil, fmt.Errorf("split index: %w (git update-index --no-split-index writes a whole index)", err)
			}
			link = l
		case sig == "sdir":
			// Marks a sparse index: its directory entries are decoded as
			// entries and expanded by the staged scan.
		case sig[0] >= 'A' && sig[0] <= 'Z':
			// Optional extensions (cache tree, resolve undo, untracked
			// cache, fsmonitor, end of entries, entry offsets) say nothing
			// about what is staged.
		default:
			return nil, nil, fmt.Errorf("the index uses the %q extension, which rolecall cannot read; rewrite the index without it (for example git update-index --no-split-index, or git sparse-checkout disable) and try again", sig)
		}
	}
	return entries, link, nil
}

// Entry layout: ctime, mtime (8 bytes each), dev, ino, mode, uid, gid,
// size (4 each), object id (20), flags (2), [extended flags (2)], name.
const entryFixed = 40 + sha1.Size + 2

func decodeEntry(b []byte, pos int, version uint32, prev string) (indexEntry, int, error) {
	start := pos
	if pos+entryFixed > len(b) {
		return indexEntry{}, 0, errShortIndex
	}
	var e indexEntry
	e.Mode = filemode.FileMode(binary.BigEndian.Uint32(b[pos+24:]))
	copy(e.Hash[:], b[pos+40:pos+40+sha1.Size])
	flags := binary.BigEndian.Uint16(b[pos+60:])
	e.Stage = int(flags>>12) & 3
	pos += entryFixed
	if flags&0x4000 != 0 {
		if version < 3 || pos+2 > len(b) {
			return indexEntry{}, 0, errors.New("an index entry has extended flags in a version 2 index: the file is damaged")
		}
		ext := binary.BigEndian.Uint16(b[pos:])
		e.SkipWorktree = ext&0x4000 != 0
		e.IntentToAdd = ext&0x2000 != 0
		pos += 2
	}
	if version == 4 {
		// The name is the previous one less its last N bytes, plus a
		// NUL-terminated suffix; entries are not padded.
		strip, n := indexVarint(b[pos:])
		if n == 0 || strip > uint64(len(prev)) {
			return indexEntry{}, 0, errors.New("an index entry's name is damaged")
		}
		pos += n
		end := bytes.IndexByte(b[pos:], 0)
		if end < 0 {
			return indexEntry{}, 0, errShortIndex
		}
		e.Name = prev[:len(prev)-int(strip)] + string(b[pos:pos+end])
		return e, pos + end + 1, nil
	}
	nameLen := int(flags & 0xfff)
	if nameLen == 0xfff { // longer names are NUL-terminated
		nameLen = bytes.IndexByte(b[pos:], 0)
		if nameLen < 0 {
			return indexEntry{}, 0, errShortIndex
		}
	}
	if pos+nameLen > len(b) {
		return indexEntry{}, 0, errShortIndex
	}
	e.Name = string(b[pos : pos+nameLen])
	pos += nameLen
	// Padded with 1 to 8 NULs to a multiple of 8 bytes from the entry start.
	pos = start + (pos-start+8)&^7
	if pos > len(b) {
		return indexEntry{}, 0, errShortIndex
	}
	return e, pos, nil
}

// indexVarint decodes git's offset varint (each continuation adds one
// before shifting, so encodings are unique); n is 0 when it is invalid.
func indexVarint(b []byte) (v uint64, n int) {
	for i, c := range b {
		if i == 9 {
			return 0, 0
		}
		if i > 0 {
			v++
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// splitLink is a split index's link to its shared index: which shared
// entries it deletes and which it replaces.
type splitLink struct {
	shared plumbing.Hash
	// delete and replace are EWAH bitmaps over the shared index's
	// entries, decoded once its length bounds them.
	delete, replace []byte
}

func decodeLink(b []byte) (*splitLink, error) {
	if len(b) < sha1.Size {
		return nil, errShortIndex
	}
	l := &splitLink{}
	copy(l.shared[:], b)
	rest := b[sha1.Size:]
	if len(rest) == 0 {
		return l, nil
	}
	n, err := ewahLen(rest)
	if err != nil {
		return nil, err
	}
	l.delete, rest = rest[:n], rest[n:]
	if n, err = ewahLen(rest); err != nil {
		return nil, err
	}
	l.replace = rest[:n]
	return l, nil
}

// merge applies the split index to its shared index as git does: the
// replaced shared entries take the split index's first entries in order
// (keeping their names), deleted ones go, and the split index's other
// entries are added; the result is sorted by name and stage.
func (l *splitLink) merge(shared, split []indexEntry) ([]indexEntry, error) {
	deleted, err := decodeEWAH(l.delete, len(shared))
	if err != nil {
		return nil, fmt.Errorf("split index: delete bitmap: %w", err)
	}
	replaced, err := decodeEWAH(l.replace, len(shared))
	if err != nil {
		return nil, fmt.Errorf("split index: replace bitmap: %w", err)
	}
	if len(replaced) > len(split) {
		return nil, errors.New("split index: it replaces more entries than it holds (the index is damaged; git update-index --no-split-index)")
	}
	out := slices.Clone(shared)
	for i, pos := range replaced {
		if pos >= len(out) {
			return nil, errors.New("split index: a replaced entry is past the end of the shared index")
		}
		e := split[i]
		e.Name = out[pos].Name
		out[pos] = e
	}
	gone := map[int]bool{}
	for _, pos := range deleted {
		gone[pos] = true
	}
	merged := out[:0]
	for i, e := range out {
		if !gone[i] {
			merged = append(merged, e)
		}
	}
	merged = append(merged, split[len(replaced):]...)
	slices.SortStableFunc(merged, func(a, b indexEntry) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.Stage - b.Stage
	})
	return merged, nil
}

// ewahLen is the length of the EWAH bitmap b starts with: bit count, word
// count, the 64-bit words, the last run-length word's position.
func ewahLen(b []byte) (int, error) {
	if len(b) < 12 {
		return 0, errShortIndex
	}
	words := int(binary.BigEndian.Uint32(b[4:]))
	if words > (len(b)-12)/8 {
		return 0, errShortIndex
	}
	return 12 + 8*words, nil
}

// decodeEWAH decodes a bitmap in git's EWAH serialisation into the
// positions of its set bits, which must all be below limit (the entries
// the bitmap is about): a damaged or hostile bitmap cannot make it
// allocate more than that.
func decodeEWAH(b []byte, limit int) ([]int, error) {
	if len(b) == 0 {
		return nil, nil
	}
	n, err := ewahLen(b)
	if err != nil {
		return nil, err
	}
	words := (n - 12) / 8
	var set []int
	add := func(p int) error {
		if p >= limit {
			return fmt.Errorf("bit %d is past the %d entries it is about", p, limit)
		}
		set = append(set, p)
		return nil
	}
	pos := 0
	for i := 0; i < words; {
		rlw := binary.BigEndian.Uint64(b[8+8*i:])
		i++
		run := int(rlw >> 1 & 0xffffffff)
		literals := int(rlw >> 33)
		if rlw&1 != 0 && run > 0 {
			if run > limit/64+1 {
				return nil, fmt.Errorf("a run of %d words is past the %d entries it is about", run, limit)
			}
			for k := range run * 64 {
				if pos+k >= limit {
					break // padding past the last entry
				}
				set = append(set, pos+k)
			}
		}
		pos += run * 64
		for j := 0; j < literals && i < words; j++ {
			w := binary.BigEndian.Uint64(b[8+8*i:])
			for k := range 64 {
				if w>>k&1 != 0 {
					if err := add(pos + k); err != nil {
						return nil, err
					}
				}
			}
			pos += 64
			i++
		}
		if pos > limit+64 && i < words {
			return nil, fmt.Errorf("the bitmap runs past the %d entries it is about", limit)
		}
	}
	return set, nil
}
