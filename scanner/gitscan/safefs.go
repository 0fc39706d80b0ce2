package gitscan

import (
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"

	"github.com/rolecall/rolecall/internal/safefile"
)

// safeFS is a git directory on disk as go-git sees it: every read-only
// open (HEAD, config, packed-refs, shallow, the index, refs, packs) goes
// through safefile, so a FIFO or device planted in .git is an error, never
// a hang, and a device is never opened.
type safeFS struct {
	billy.Filesystem
	root string
}

func newSafeFS(dir string) billy.Filesystem { return safeFS{Filesystem: osfs.New(dir), root: dir} }

func (f safeFS) Open(name string) (billy.File, error) { return f.OpenFile(name, os.O_RDONLY, 0) }

func (f safeFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	if flag != os.O_RDONLY {
		return f.Filesystem.OpenFile(name, flag, perm)
	}
	path := name
	if !filepath.IsAbs(path) {
		if !filepath.IsLocal(path) {
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		}
		path = filepath.Join(f.root, path)
	}
	file, _, err := safefile.Open(path)
	if err != nil {
		return nil, err
	}
	return osFile{File: file, name: name}, nil
}

// osFile is an *os.File as a billy.File: go-git only reads, so locks are
// not needed.
type osFile struct {
	*os.File
	name string
}

func (o osFile) Name() string  { return o.name }
func (o osFile) Lock() error   { return nil }
func (o osFile) Unlock() error { return nil }
