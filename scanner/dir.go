package scanner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/sourcegraph/conc/pool"

	"github.com/rolecall/rolecall/internal/safefile"
)

// DefaultMaxFileSize is the size above which files are skipped (with a
// warning that names them).
const DefaultMaxFileSize = 10 << 20

// Options tune a scan.
type Options struct {
	Jobs        int   // worker goroutines; 0 means GOMAXPROCS
	MaxFileSize int64 // 0 means DefaultMaxFileSize
	// Warn, if set, receives each warning as it happens (never concurrently).
	Warn func(Warning)
}

// Workers is the number of worker goroutines to run.
func (o Options) Workers() int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return runtime.GOMAXPROCS(0)
}

// SizeLimit is the size above which files are skipped.
func (o Options) SizeLimit() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return DefaultMaxFileSize
}

// Result is what a scan found and what it could not look at.
type Result struct {
	Findings []Finding
	Files    int   // files scanned
	Bytes    int64 // bytes scanned
	Binary   int   // binary files passed over (also listed in Skipped)
	Skipped  []Skipped
	// Unreadable lists files in scope that could not be read.
	Unreadable []Gap
	Warnings   []Warning
}

// Coverage is the record of what the scan read.
func (r *Result) Coverage() Coverage {
	return Coverage{FilesScanned: r.Files, Skipped: r.Skipped, Unreadable: r.Unreadable, Findings: len(r.Findings)}
}

// collector gathers results from concurrent workers.
type collector struct {
	mu   sync.Mutex
	res  Result
	warn func(Warning)
}

func (c *collector) warnf(path, format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := Warning{Path: path, Message: fmt.Sprintf(format, args...)}
	c.res.Warnings = append(c.res.Warnings, w)
	if c.warn != nil {
		c.warn(w)
	}
}

// internalError records a file whose scan panicked as unreadable (never a
// silent clean) and warns. A warning callback that panics too must not
// end the worker: the walk's queue waits on the workers.
func (c *collector) internalError(path string, v any, stack []byte) {
	c.mu.Lock()
	c.res.Unreadable = append(c.res.Unreadable, Gap{Path: path, Reason: fmt.Sprintf("internal error, not fully scanned: %v", v)})
	c.mu.Unlock()
	defer func() { _ = recover() }()
	c.warnf(path, "internal error, file not fully scanned (please report this): %v\n%s", v, stack)
}

func (c *collector) skip(path, reason string) {
	c.warnf(path, "skipped: %s", reason)
	c.skipQuietly(path, reason)
}

// skipQuietly records what is passed over too often to warn about each
// (binary files, allowlisted paths).
func (c *collector) skipQuietly(path, reason string) {
	c.mu.Lock()
	c.res.Skipped = append(c.res.Skipped, Skipped{Path: path, Reason: reason})
	c.mu.Unlock()
}

// unreadable records a file in scope that could not be read.
func (c *collector) unreadable(path string, err error) {
	c.warnf(path, "cannot read: %v", err)
	c.mu.Lock()
	c.res.Unreadable = append(c.res.Unreadable, Gap{Path: path, Reason: err.Error()})
	c.mu.Unlock()
}

func (c *collector) add(fs []Finding, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.res.Findings = append(c.res.Findings, fs...)
	c.res.Files++
	c.res.Bytes += int64(bytes)
}

// ScanPaths scans files and directory trees. Directories are walked without
// following symbolic links (a link inside the tree points either at files
// already scanned or outside the tree, which is not ours to read), and .git
// directories are skipped. A path given on the command line that is itself a
// link is followed: the user named it.
func (s *Scanner) ScanPaths(ctx context.Context, paths []string, opts Options) (*Result, error) {
	col := &collector{warn: opts.Warn}
	// The walk queues files ahead of the workers, so that a worker done
	// with one never waits for the walk to list the next (with a hand-off
	// per file, a tree of small files kept two workers 80% busy).
	type job struct {
		c      Content
		abs    string
		follow bool
	}
	jobs := make(chan job, 256)
	p := pool.New()
	for range opts.Workers() {
		p.Go(func() {
			for j := range jobs {
				if ctx.Err() != nil {
					continue // interrupted: drain the queue unread
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							col.internalError(j.c.Path, r, debug.Stack())
						}
					}()
					s.scanFile(j.c, j.abs, j.follow, opts.SizeLimit(), col)
				}()
			}
		})
	}
	submit := func(c Content, abs string, follow bool) { jobs <- job{c, abs, follow} }
	var walkErr error
	func() {
		defer close(jobs) // even if the walk panics: the workers end
		for _, arg := range paths {
			if err := s.walkArg(ctx, arg, col, submit); err != nil {
				walkErr = err
				break
			}
		}
	}()
	p.Wait()
	if walkErr != nil && ctx.Err() == nil {
		return nil, walkErr
	}
	SortFindings(col.res.Findings)
	// Interrupted: what was found so far, with the context's error.
	return &col.res, ctx.Err()
}

func (s *Scanner) walkArg(ctx context.Context, arg string, col *collector, submit func(Content, string, bool)) error {
	info, err := os.Stat(arg)
	if err != nil {
		return fmt.Errorf("cannot scan %s: %w", arg, cause(err))
	}
	display := filepath.ToSlash(filepath.Clean(arg))
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			col.skip(display, ReasonNotRegular+": "+safefile.Kind(info.Mode()))
			return nil
		}
		if s.engine.PathAllowed(display) {
			col.skipQuietly(display, ReasonAllowlisted)
			return nil
		}
		submit(Content{Path: display}, arg, true)
		return nil
	}
	root, err := filepath.EvalSymlinks(arg)
	if err != nil {
		return fmt.Errorf("cannot scan %s: %w", arg, err)
	}
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, relErr := filepath.Rel(root, path)
		if relErr != nil {
			return relErr
		}
		relSlash := filepath.ToSlash(rel)
		shown := filepath.ToSlash(filepath.Join(arg, rel))
		if err != nil {
			if path == root {
				return fmt.Errorf("cannot scan %s: %w", arg, err)
			}
			col.unreadable(shown, cause(err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Name() == ".git" && path != root {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil // a worktree's .git file
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			// Not followed: a link points at a file the walk reaches
			// anyway, or outside the tree.
			col.skipQuietly(shown, "symbolic link, "+ReasonNotRegular+" (not followed)")
			return nil
		case !d.Type().IsRegular():
			col.skip(shown, ReasonNotRegular+": "+safefile.Kind(d.Type()))
			return nil
		case s.engine.PathAllowed(relSlash):
			col.skipQuietly(shown, ReasonAllowlisted)
			return nil
		}
		submit(Content{Path: shown, RulePath: relSlash}, path, false)
		return nil
	})
}

// scanFile reads one file (once, at most max+1 bytes even if it grows while
// we read) and scans it. Only a regular file is read, and the open never
// blocks: a FIFO or device swapped in after the walk saw a file is skipped.
// A walked path is never followed if it became a link.
func (s *Scanner) scanFile(c Content, abs string, follow bool, max int64, col *collector) {
	read := safefile.ReadListed // the walk listed it as a regular file
	if follow {
		read = safefile.ReadFile
	}
	data, err := read(abs, max)
	var e *safefile.Error
	switch {
	case errors.As(err, &e) && e.Grew:
		col.skip(c.Path, fmt.Sprintf("%s: grew over %s while being read", ReasonSize, humanBytes(max)))
		return
	case errors.As(err, &e) && e.Size > 0:
		col.skip(c.Path, fmt.Sprintf("%s: %s is over %s (raise it with --max-file-size)", ReasonSize, humanBytes(e.Size), humanBytes(max)))
		return
	case errors.As(err, &e):
		col.skip(c.Path, ReasonNotRegular+": "+e.Reason)
		return
	case err != nil:
		col.unreadable(c.Path, cause(err))
		return
	}
	if IsBinary(data) {
		col.mu.Lock()
		col.res.Binary++
		col.mu.Unlock()
		col.skipQuietly(c.Path, ReasonBinary)
		return
	}
	c.Data = data
	fs, warnings := s.Scan(c)
	for _, w := range warnings {
		col.warnf(c.Path, "%s", w)
	}
	col.add(fs, len(data))
}

func humanBytes(n int64) string { return safefile.HumanBytes(n) }

// cause strips the operation and path from an *fs.PathError, which our
// messages already name.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
