package gitscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/rolecall/rolecall/internal/safefile"
)

// go-git resolves alternates (objects/info/alternates, written by
// `git clone --shared` or `--reference`) by building a new storage, and
// loading the alternate's whole pack index, on every object it looks up
// there: 30 ms per object on a large repository (go-git/go-git#67). rolecall
// hides the alternates file from go-git and chains one long-lived storage
// per object directory instead.

var errReadOnly = errors.New("rolecall opens repositories read-only")

// objectChain looks objects up in a repository's own object directory, then
// in its alternates, in order. It satisfies go-git's object storer so that
// object.GetCommit and friends accept it.
type objectChain struct {
	stores []*filesystem.Storage
}

var _ storer.EncodedObjectStorer = (*objectChain)(nil)

func (o *objectChain) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	for _, s := range o.stores {
		obj, err := s.EncodedObject(t, h)
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return obj, err
		}
	}
	return nil, plumbing.ErrObjectNotFound
}

func (o *objectChain) HasEncodedObject(h plumbing.Hash) error {
	for _, s := range o.stores {
		if err := s.HasEncodedObject(h); !errors.Is(err, plumbing.ErrObjectNotFound) {
			return err
		}
	}
	return plumbing.ErrObjectNotFound
}

func (o *objectChain) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	for _, s := range o.stores {
		n, err := s.EncodedObjectSize(h)
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			return n, err
		}
	}
	return 0, plumbing.ErrObjectNotFound
}

// HashesWithPrefix finds the objects whose id starts with prefix (for
// abbreviated commit ids).
func (o *objectChain) HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	for _, s := range o.stores {
		hs, err := s.HashesWithPrefix(prefix)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out, nil
}

func (o *objectChain) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (o *objectChain) SetEncodedObject(plumbing.EncodedObject) (plumbing.Hash, error) {
	return plumbing.ZeroHash, errReadOnly
}

func (o *objectChain) IterEncodedObjects(t plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	return o.stores[0].IterEncodedObjects(t)
}

func (o *objectChain) AddAlternate(string) error { return errReadOnly }

func (o *objectChain) Close() error {
	var errs []error
	for _, s := range o.stores {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// objectDirs lists the repository roots (directories holding "objects") to
// read objects from: the repository's own, then its alternates, following
// alternates of alternates as git does (up to 5 deep, each once).
func objectDirs(repoFS billy.Filesystem, commonDir string, warn func(string)) []string {
	dirs := []string{}
	seen := map[string]bool{}
	var visit func(objectsDir string, depth int)
	visit = func(objectsDir string, depth int) {
		path := filepath.Join(objectsDir, "info", "alternates")
		f, _, err := safefile.Open(path)
		var nr *safefile.Error
		if errors.As(err, &nr) {
			warn(fmt.Sprintf("%s is %s, not read: objects stored in alternate directories cannot be read", path, nr.Reason))
		}
		if err != nil {
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			alt := line
			if !filepath.IsAbs(alt) {
				alt = filepath.Join(objectsDir, alt) // relative to the object directory
			}
			alt = filepath.Clean(alt)
			if seen[alt] {
				continue
			}
			seen[alt] = true
			if filepath.Base(alt) != "objects" {
				warn(fmt.Sprintf("alternate object directory %s is not named objects; its objects are not read", alt))
				continue
			}
			if info, err := os.Stat(alt); err != nil || !info.IsDir() {
				warn(fmt.Sprintf("alternate object directory %s is missing; objects stored there cannot be read", alt))
				continue
			}
			dirs = append(dirs, filepath.Dir(alt))
			if depth < 5 {
				visit(alt, depth+1)
			}
		}
	}
	visit(filepath.Join(commonDir, "objects"), 0)
	return dirs
}

// newObjectChain opens storage for the repository and each alternate.
func (r *Repo) newObjectChain(cacheSize cache.FileSize) *objectChain {
	stores := []*filesystem.Storage{newStorage(r.fs, cacheSize)}
	for _, d := range r.alternates {
		stores = append(stores, newStorage(readFS{newSafeFS(d)}, cacheSize))
	}
	return &objectChain{stores: stores}
}

func newStorage(fs billy.Filesystem, cacheSize cache.FileSize) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(fs, cache.NewObjectLRU(cacheSize), filesystem.Options{
		// No LargeObjectThreshold: go-git would stream a large object that
		// is stored as a delta, reading its base through a ReaderAt a few
		// bytes at a time (seconds for a 4 MB file; issue 14). The bulk
		// history scan reads packs itself, so what comes here is a few
		// commits' worth of objects.
		KeepDescriptors: true,
	})
}

// readFS is the view of a git directory go-git gets: the alternates file is
// hidden (see above), and pack indexes are read in one call, where go-git
// would decode them with a system call per 4-byte field (200,000 calls for
// a 100,000-object pack).
type readFS struct{ billy.Filesystem }

func isAlternatesFile(name string) bool {
	return filepath.ToSlash(filepath.Clean(name)) == "objects/info/alternates"
}

func (f readFS) Open(name string) (billy.File, error) { return f.OpenFile(name, os.O_RDONLY, 0) }

func (f readFS) OpenFile(name string, flag int, perm os.FileMode) (billy.File, error) {
	if isAlternatesFile(name) {
		return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
	}
	if flag == os.O_RDONLY && strings.HasSuffix(name, ".idx") {
		data, err := util.ReadFile(f.Filesystem, name)
		if err != nil {
			return nil, err
		}
		return &memFile{name: name, Reader: bytes.NewReader(data)}, nil
	}
	return f.Filesystem.OpenFile(name, flag, perm)
}

func (f readFS) Stat(name string) (os.FileInfo, error) {
	if isAlternatesFile(name) {
		return nil, &os.PathError{Op: "stat", Path: name, Err: os.ErrNotExist}
	}
	return f.Filesystem.Stat(name)
}

// memFile is a read-only billy.File over bytes in memory.
type memFile struct {
	name string
	*bytes.Reader
}

func (m *memFile) Name() string              { return m.name }
func (m *memFile) Write([]byte) (int, error) { return 0, errReadOnly }
func (m *memFile) Close() error              { return nil }
func (m *memFile) Lock() error               { return nil }
func (m *memFile) Unlock() error             { return nil }
func (m *memFile) Truncate(int64) error      { return errReadOnly }
