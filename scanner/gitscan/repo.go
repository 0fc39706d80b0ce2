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
	"bytes"
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/rolecall/rolecall/internal/safefile"
)

// Repo is a repository opened read-only. Objects are read through a pool of
// storage handles, one per worker: go-git's pack readers share a file
// offset and must not be used from two goroutines at once. Handles are
// opened on first use, so a pre-push scan of three commits opens few.
type Repo struct {
	// Dir is the git directory; WorkTree is "" for a bare repository.
	Dir      string
	WorkTree string
	// Warnings report parts of the repository that cannot be read (a
	// missing alternate object directory).
	Warnings []string

	fs         billy.Filesystem
	alternates []string
	main       *filesystem.Storage // refs, index, shallow; the first store of objects
	objects    *objectChain        // for use on the caller's goroutine
	shallow    map[plumbing.Hash]bool

	packOnce sync.Once
	pack     *packReader // see packs

	handles    chan *objectChain
	mu         sync.Mutex
	opened     int
	maxHandles int
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
	r := &Repo{Dir: gitDir, WorkTree: workTree, fs: readFS{fs}, maxHandles: max(1, workers)}
	r.handles = make(chan *objectChain, r.maxHandles)
	r.alternates = objectDirs(fs, commonDirOf(gitDir), func(w string) { r.Warnings = append(r.Warnings, w) })
	r.objects = r.newObjectChain(mainCacheBytes)
	r.main = r.objects.stores[0]
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
	return r, nil
}

// Close releases the pack file descriptors.
func (r *Repo) Close() error {
	errs := []error{r.objects.Close()}
	if r.pack != nil {
		errs = append(errs, r.pack.Close())
	}
	for {
		select {
		case o := <-r.handles:
			errs = append(errs, o.Close())
		default:
			return errors.Join(errs...)
		}
	}
}

// withObjects runs fn with an object store of its own, opening a new one
// when all are busy and fewer than the worker count exist.
func (r *Repo) withObjects(fn func(o *objectChain)) {
	var o *objectChain
	select {
	case o = <-r.handles:
	default:
		r.mu.Lock()
		if r.opened < r.maxHandles {
			r.opened++
			r.mu.Unlock()
			o = r.newObjectChain(cacheBytes)
		} else {
			r.mu.Unlock()
			o = <-r.handles
		}
	}
	defer func() { r.handles <- o }()
	fn(o)
}

// CommonDir is the git directory shared by all worktrees (hooks, config).
func (r *Repo) CommonDir() string { return commonDirOf(r.Dir) }

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
	b, err := safefile.ReadFile(path, safefile.SmallCap)
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
	dot := newSafeFS(gitDir)
	b, err := safefile.ReadFile(filepath.Join(gitDir, "commondir"), safefile.SmallCap)
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
	return dotgit.NewRepositoryFilesystem(dot, newSafeFS(common)), nil
}

// checkExtensions refuses only the repository extensions that change how
// objects or references are stored. go-git's own check also refuses
// worktreeConfig and partialClone, which do not matter to a reader; this is
// why rolecall opens the storage directly rather than through git.Open.
func checkExtensions(gitDir string) error {
	paths := []string{filepath.Join(gitDir, "config")}
	if common := commonDirOf(gitDir); common != gitDir {
		paths = append(paths, filepath.Join(common, "config")) // a linked worktree's
	}
	for _, path := range paths {
		f, _, err := safefile.Open(path)
		if errors.As(err, new(*safefile.Error)) {
			return fmt.Errorf("reading the git config: %w", err) // a FIFO or device planted as .git/config
		}
		if f != nil {
			f.Close()
		}
		cfg := readGitConfig(path)
		if v := strings.ToLower(cfg["extensions.objectformat"]); v != "" && v != "sha1" {
			return fmt.Errorf("uses %s object ids, which rolecall cannot read yet", v)
		}
		if v := strings.ToLower(cfg["extensions.refstorage"]); v != "" && v != "files" {
			return fmt.Errorf("stores references as %s, which rolecall cannot read yet (convert with `git refs migrate --ref-format=files`)", v)
		}
	}
	return nil
}

// readGitConfig reads the simple form of a git config file: keys are
// "section.key" (or `section "sub".key`) in lower case, the last value
// wins; includes and continuations are not followed.
func readGitConfig(path string) map[string]string {
	f, _, err := safefile.Open(path)
	if err != nil {
		return map[string]string{}
	}
	defer f.Close()
	return parseGitConfig(f)
}

// parseGitConfig reads the simple form of git config text (see
// readGitConfig).
func parseGitConfig(rd io.Reader) map[string]string {
	out := map[string]string{}
	section := ""
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			name, sub, _ := strings.Cut(strings.Trim(line, "[] \t"), " ")
			section = strings.ToLower(name)
			if sub != "" {
				section += " " + sub
			}
		default:
			key, value, _ := strings.Cut(line, "=")
			out[section+"."+strings.ToLower(strings.TrimSpace(key))] = strings.Trim(strings.TrimSpace(value), `"`)
		}
	}
	return out
}

// ConfigValue returns a key of the repository's config, e.g.
// ConfigValue("core", "hookspath") or ConfigValue(`remote "origin"`, "url").
func (r *Repo) ConfigValue(section, key string) string {
	return readGitConfig(filepath.Join(r.CommonDir(), "config"))[section+"."+strings.ToLower(key)]
}

func commonDirOf(gitDir string) string {
	b, err := safefile.ReadFile(filepath.Join(gitDir, "commondir"), safefile.SmallCap)
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

// Submodule is a submodule the HEAD commit's .gitmodules declares.
type Submodule struct {
	Name, Path string
	// GitDir is its repository under .git/modules, "" when it was never
	// cloned (git submodule update --init).
	GitDir string
}

// Submodules lists the submodules declared in HEAD's .gitmodules, in the
// order of their paths.
func (r *Repo) Submodules() []Submodule {
	data, ok := r.HeadFile(".gitmodules")
	if !ok {
		return nil
	}
	cfg := parseGitConfig(bytes.NewReader(data))
	var out []Submodule
	for key, path := range cfg {
		section, ok := strings.CutSuffix(key, ".path")
		name, isSub := strings.CutPrefix(section, "submodule ")
		if !ok || !isSub || path == "" {
			continue
		}
		name = strings.Trim(name, `"`)
		sm := Submodule{Name: name, Path: path}
		// The name comes from a committed file: never let it leave
		// .git/modules.
		dir := filepath.Join(r.CommonDir(), "modules", filepath.FromSlash(name))
		if filepath.IsLocal(filepath.FromSlash(name)) && isGitDir(dir) {
			sm.GitDir = dir
		}
		out = append(out, sm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
