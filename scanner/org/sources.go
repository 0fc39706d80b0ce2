package org

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/safefile"
)

// Repository is one repository of an organisation scan.
type Repository struct {
	// Name is the repository as listed (owner/name, the URL or the path);
	// it names the repository in reports and picks its shard.
	Name string
	// URL is a clone URL; empty for a repository on this machine, which
	// is scanned in place at Path.
	URL  string
	Path string
}

// FromFile reads --repos: one clone URL or local path a line; blank lines
// and lines starting with # are ignored. Relative paths are taken from the
// file's directory.
func FromFile(path string) ([]Repository, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--repos: %w", err)
	}
	defer f.Close()
	var out []Repository
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.Contains(line, "://") {
			out = append(out, Repository{Name: line, URL: line})
			continue
		}
		p := line
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		out = append(out, Repository{Name: line, Path: p})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--repos %s: %w", path, err)
	}
	return out, nil
}

// FromDir finds every git repository below dir: work trees (a .git entry)
// and bare repositories. It does not look inside a repository it found,
// and follows no symbolic links.
func FromDir(dir string) ([]Repository, error) {
	var out []Repository
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // unreadable corner: the repositories elsewhere still count
		}
		if !d.IsDir() {
			return nil
		}
		if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
			out = append(out, Repository{Name: p, Path: p})
			return filepath.SkipDir
		}
		if isBare(p) {
			out = append(out, Repository{Name: p, Path: p})
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--dir: %w", err)
	}
	return out, nil
}

func isBare(p string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(p, name)); err != nil {
			return false
		}
	}
	return true
}

// Shard is the part of the repositories one machine scans: K of N, 1-based.
type Shard struct{ K, N int }

// ParseShard reads --shard K/N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	kk, err1 := strconv.Atoi(k)
	nn, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || nn < 1 || kk < 1 || kk > nn {
		return Shard{}, fmt.Errorf("--shard %q: write K/N with 1 <= K <= N, e.g. 2/8", s)
	}
	return Shard{kk, nn}, nil
}

// IndexedShard is the shard of a Kubernetes Indexed Job's pod: --shards N
// with JOB_COMPLETION_INDEX (0-based) from the environment.
func IndexedShard(n int, index string) (Shard, error) {
	if n < 1 {
		return Shard{}, fmt.Errorf("--shards %d: use a positive number", n)
	}
	if index == "" {
		return Shard{}, fmt.Errorf("--shards needs JOB_COMPLETION_INDEX in the environment (set by a Kubernetes Indexed Job); elsewhere use --shard K/N")
	}
	i, err := strconv.Atoi(index)
	if err != nil || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("JOB_COMPLETION_INDEX=%q: want 0 to %d for --shards %d", index, n-1, n)
	}
	return Shard{i + 1, n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Holds reports whether the repository named name belongs to the shard:
// FNV-1a of the name, so every machine agrees without talking.
func (s Shard) Holds(name string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return int(h.Sum64()%uint64(s.N)) == s.K-1
}

// Select returns the repositories of the shard, each name once.
func (s Shard) Select(repos []Repository) []Repository {
	seen := map[string]bool{}
	var out []Repository
	for _, r := range repos {
		if s.Holds(r.Name) && !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r)
		}
	}
	return out
}

// checkLocal refuses a local path that is not itself a git repository
// before anything reads it: opening would look for one in the parent
// directories (and scan another repository under this name), an empty .git
// directory would pass for an empty repository (a silent clean), and a
// FIFO where git keeps a file (.git, HEAD, config, packed-refs, a ref)
// would block the reader for ever.
func checkLocal(path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	gitDir := path
	if info, err := os.Stat(filepath.Join(path, ".git")); err == nil {
		switch {
		case info.Mode().IsRegular():
			return nil // "gitdir: PATH", read as a small regular file
		case !info.IsDir():
			return fmt.Errorf("not a git repository: %s is %s", filepath.Join(path, ".git"), safefile.Kind(info.Mode()))
		}
		gitDir = filepath.Join(path, ".git")
	}
	head, err := os.Stat(filepath.Join(gitDir, "HEAD"))
	objects, err2 := os.Stat(filepath.Join(gitDir, "objects"))
	if err != nil || err2 != nil || !head.Mode().IsRegular() || !objects.IsDir() {
		return fmt.Errorf("not a git repository: %s has no HEAD file and objects directory", path)
	}
	for _, name := range []string{"config", "packed-refs", "commondir", "shallow"} {
		if info, err := os.Stat(filepath.Join(gitDir, name)); err == nil && !info.Mode().IsRegular() {
			return fmt.Errorf("%s is %s, not a file: refusing to read the repository", filepath.Join(gitDir, name), safefile.Kind(info.Mode()))
		}
	}
	var bad error
	filepath.WalkDir(filepath.Join(gitDir, "refs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := os.Stat(p); err == nil && !info.Mode().IsRegular() && !info.IsDir() {
			bad = fmt.Errorf("the ref %s is %s, not a file: refusing to read the repository", p, safefile.Kind(info.Mode()))
			return filepath.SkipAll
		}
		return nil
	})
	return bad
}
