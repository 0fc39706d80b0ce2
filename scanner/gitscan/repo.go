// Package gitscan reads git repositories with go-git and feeds the file
// versions that commits introduce, the staged index and pushed commit ranges
// to the scanner.
//
// go-git is slow when used naively (Commit.Patch, Log with file filters,
// reopening packs per object). This package works at the storage layer: the
// packs stay open (KeepDescriptors) behind an object cache, trees are
// compared by hash so unchanged subtrees are never read, each (blob, path)
// is scanned once, and attribution to a commit only diffs what was found.
package gitscan

import (
	"bufio"
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// Repo is a repository opened read-only. Objects are read through a pool of
// storage handles, one per worker: go-git's pack readers share a file
// offset and must not be used from two goroutines at once.
type Repo struct {
	// Dir is the git directory; WorkTree is "" for a bare repository.
	Dir      string
	WorkTree string
	fs       billy.Filesystem
	handles  chan *filesystem.Storage
	main     *filesystem.Storage
	shallow  map[plumbing.Hash]bool
}

// go-git hashes with sha1cd, which detects SHA-1 collision attacks; that
// matters when writing objects received from others, but a scanner only
// reads, and the standard library's SHA-1 is several times faster.
func init() {
	if err := hash.RegisterHash(crypto.SHA1, sha1.New); err != nil {
		panic(err)
	}
}

// cacheBytes is the object cache of each worker's storage handle; it
// doubles as the delta-base cache, which matters for notebooks stored as
// deltas. The main handle only walks commits and refs.
const (
	cacheBytes     = 64 * cache.MiByte
	mainCacheBytes = 16 * cache.MiByte
)

// Open opens the repository at path: a work tree (or a directory inside
// one), a bare repository, or a git directory. workers is how many
// goroutines will read objects at once.
func Open(path string, workers int) (*Repo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("cannot open repository %s: %w", path, unwrapPath(err))
	}
	gitDir, workTree, err := findGitDir(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fs, err := repositoryFS(gitDir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := &Repo{Dir: gitDir, WorkTree: workTree, fs: fs, handles: make(chan *filesystem.Storage, max(1, workers))}
	r.main = r.newStorage(mainCacheBytes)
	if err := checkExtensions(gitDir); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	shallow, err := r.main.Shallow()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the shallow file: %w", path, err)
	}
	r.shallow = map[plumbing.Hash]bool{}
	for _, h := range shallow {
		r.shallow[h] = true
	}
	for i := 0; i < cap(r.handles); i++ {
		r.handles <- r.newStorage(cacheBytes)
	}
	return r, nil
}

func (r *Repo) newStorage(cacheSize cache.FileSize) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(r.fs, cache.NewObjectLRU(cacheSize), filesystem.Options{
		KeepDescriptors: true,
		// Objects read once (large blobs) should not evict the delta bases.
		LargeObjectThreshold: 4 << 20,
		// Absolute paths in objects/info/alternates (git clone --shared or
		// --reference) are resolved from the file system root.
		AlternatesFS: osfs.New("/"),
	})
}

// Close releases the pack file descriptors.
func (r *Repo) Close() error {
	var errs []error
	errs = append(errs, r.main.Close())
	for {
		select {
		case s := <-r.handles:
			errs = append(errs, s.Close())
		default:
			return errors.Join(errs...)
		}
	}
}

// withStorage runs fn with a storage handle of its own.
func (r *Repo) withStorage(fn func(s *filesystem.Storage)) {
	s := <-r.handles
	defer func() { r.handles <- s }()
	fn(s)
}

// CommonDir is the git directory shared by all worktrees (hooks, config).
func (r *Repo) CommonDir() string { return commonDirOf(r.Dir) }

// Storer is the repository's main object and reference store, for callers
// on one goroutine.
func (r *Repo) Storer() storer.Storer { return r.main }

// findGitDir locates the git directory for path, walking up from a
// directory inside a work tree the way git does.
func findGitDir(path string) (gitDir, workTree string, err error) {
	if isGitDir(path) {
		return path, "", nil // bare repository or a .git directory itself
	}
	for dir := path; ; {
		dotGit := filepath.Join(dir, ".git")
		info, err := os.Stat(dotGit)
		switch {
		case err == nil && info.IsDir():
			return dotGit, dir, nil
		case err == nil:
			gd, err := readGitFile(dotGit)
			return gd, dir, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("not a git repository (nor any parent directory): pass the path of a clone or a bare repository")
		}
		dir = parent
	}
}

func isGitDir(path string) bool {
	for _, name := range []string{"HEAD", "objects"} {
		if _, err := os.Stat(filepath.Join(path, name)); err != nil {
			return false
		}
	}
	return true
}

// readGitFile follows a ".git" file ("gitdir: ..."), as used by linked
// worktrees and submodules.
func readGitFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return "", fmt.Errorf("%s does not start with \"gitdir:\"", path)
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(filepath.Dir(path), target)
	}
	if !isGitDir(target) && !isLinkedWorktreeDir(target) {
		return "", fmt.Errorf("%s points at %s, which is not a git directory", path, target)
	}
	return target, nil
}

func isLinkedWorktreeDir(path string) bool {
	_, err := os.Stat(filepath.Join(path, "commondir"))
	return err == nil
}

// repositoryFS joins a linked worktree's private directory (HEAD, index)
// with the common directory it shares with the main clone (objects, refs).
func repositoryFS(gitDir string) (billy.Filesystem, error) {
	dot := osfs.New(gitDir)
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if errors.Is(err, os.ErrNotExist) {
		return dot, nil
	}
	if err != nil {
		return nil, err
	}
	common := strings.TrimSpace(string(b))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	if !isGitDir(common) {
		return nil, fmt.Errorf("the commondir %s of worktree %s is not a git directory", common, gitDir)
	}
	return dotgit.NewRepositoryFilesystem(dot, osfs.New(common)), nil
}

// checkExtensions refuses only the repository extensions that change how
// objects or references are stored. go-git's own check also refuses
// worktreeConfig and partialClone, which do not matter to a reader; this is
// why rolecall opens the storage directly rather than through git.Open.
func checkExtensions(gitDir string) error {
	for _, cfg := range []string{filepath.Join(gitDir, "config"), filepath.Join(commonDirOf(gitDir), "config")} {
		f, err := os.Open(cfg)
		if err != nil {
			continue
		}
		section := ""
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.HasPrefix(line, "[") {
				section = strings.ToLower(strings.Trim(line, "[] \t"))
				continue
			}
			if section != "extensions" {
				continue
			}
			key, value, _ := strings.Cut(line, "=")
			key, value = strings.ToLower(strings.TrimSpace(key)), strings.ToLower(strings.TrimSpace(value))
			switch {
			case key == "objectformat" && value != "sha1":
				f.Close()
				return fmt.Errorf("uses %s object ids, which rolecall cannot read yet", value)
			case key == "refstorage" && value != "files":
				f.Close()
				return fmt.Errorf("stores references as %s, which rolecall cannot read yet (convert with `git refs migrate --ref-format=files`)", value)
			}
		}
		f.Close()
	}
	return nil
}

func commonDirOf(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	common := strings.TrimSpace(string(b))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	return common
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
