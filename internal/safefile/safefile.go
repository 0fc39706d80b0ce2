// Package safefile opens the files rolecall reads (scanned files, configs,
// baselines, event payloads, files under .git) so that no input can make
// it hang or read what it should not: only regular files are read, the
// open never blocks (a FIFO with no writer, a tape or tty device), and
// reads stop at a size cap. Anything else is an *Error that names what
// the path is.
package safefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Caps for files that are not scanned content (which has --max-file-size).
const (
	SmallCap   = 1 << 20   // .git files (HEAD, config, commondir, alternates), .rolecall.toml
	PayloadCap = 256 << 20 // baselines and event payloads: large, but never unbounded
)

// Error says why a path was not read: it is not a regular file, it is a
// link where none is allowed, or it is over the cap. Callers count it as
// skipped with Reason.
type Error struct {
	Path   string
	Reason string // "a FIFO", "a device", "a symbolic link", "over the 1.0 MiB limit" ...
	// Size is set for a file over the cap: its size, or the cap plus one
	// when it Grew over the cap while being read.
	Size int64
	Grew bool
}

func (e *Error) Error() string { return fmt.Sprintf("%s: not read: %s", e.Path, e.Reason) }

// ErrTooBig matches (errors.Is) an *Error for a file over the cap.
var ErrTooBig = errors.New("over the size limit")

// ErrNotRegular matches (errors.Is) an *Error for anything that is not a
// regular file (FIFO, device, socket, directory, forbidden link).
var ErrNotRegular = errors.New("not a regular file")

func (e *Error) Is(target error) bool {
	if target == ErrTooBig {
		return e.Size > 0
	}
	return target == ErrNotRegular && e.Size == 0
}

// Kind names a non-regular file type the way messages say it.
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m.IsDir():
		return "a directory"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a regular file"
}

// Open opens path for reading if it is a regular file, following
// symbolic links (the caller named it). The open cannot block.
func Open(path string) (*os.File, os.FileInfo, error) { return open(path, true, true) }

// OpenNoFollow is Open for a path that must not be a symbolic link itself.
func OpenNoFollow(path string) (*os.File, os.FileInfo, error) { return open(path, false, true) }

// OpenListed is OpenNoFollow for a path a directory listing has just
// reported as a regular file: the listing stands for the stat before the
// open (a system call per file, a sixth of what a directory scan makes),
// and the checks after the open still refuse whatever was swapped in.
func OpenListed(path string) (*os.File, os.FileInfo, error) { return open(path, false, false) }

func open(path string, follow, stat bool) (*os.File, os.FileInfo, error) {
	// Refuse by type before opening: opening some devices has effects
	// (a tape rewinds), and a FIFO opened for reading blocks until a
	// writer comes, unless non-blocking.
	if stat {
		statFn := os.Stat
		if !follow {
			statFn = os.Lstat
		}
		info, err := statFn(path)
		if err != nil {
			return nil, nil, err
		}
		if !info.Mode().IsRegular() {
			return nil, nil, &Error{Path: path, Reason: Kind(info.Mode())}
		}
	}
	// The path may be swapped between the stat and the open: open without
	// blocking and check what was opened.
	f, err := os.OpenFile(path, openFlags(follow), 0)
	if err != nil {
		if isLoop(err) && !follow {
			return nil, nil, &Error{Path: path, Reason: Kind(fs.ModeSymlink)}
		}
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, &Error{Path: path, Reason: Kind(info.Mode())}
	}
	return f, info, nil
}

// ReadFile reads a regular file (following links) of at most limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) { return readOpened(Open, path, limit) }

// readOpened opens path with open and reads it whole (ReadAll).
func readOpened(open func(string) (*os.File, os.FileInfo, error), path string, limit int64) ([]byte, error) {
	f, info, err := open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, info, limit)
}

// ReadAll reads an opened file of at most limit bytes; a file that grows
// over the limit while being read is refused too.
func ReadAll(f *os.File, info os.FileInfo, limit int64) ([]byte, error) {
	if info.Size() > limit {
		return nil, tooBig(f.Name(), info.Size(), limit)
	}
	// Sized from the stat, so a file that does not grow while being read
	// is read into one allocation (io.ReadAll's doubling copied each
	// scanned byte twice on average); MinRead spare lets it see EOF.
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return nil, grewTooBig(f.Name(), limit)
	}
	return data, nil
}

func tooBig(path string, size, limit int64) error {
	return &Error{Path: path, Size: size, Reason: fmt.Sprintf("%s is over the %s limit", HumanBytes(size), HumanBytes(limit))}
}

// grewTooBig: the file was within limit when opened and grew past it
// while being read.
func grewTooBig(path string, limit int64) error {
	return &Error{Path: path, Size: limit + 1, Grew: true, Reason: fmt.Sprintf("grew over the %s limit while being read", HumanBytes(limit))}
}

// ReadInTree reads root/name only if it is a regular file inside root: a
// symbolic link is followed only to a regular file that is itself inside
// root, so a committed link cannot make rolecall read (and print in an
// error) a file outside the tree.
func ReadInTree(root, name string, limit int64) ([]byte, error) {
	path := filepath.Join(root, name)
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, &Error{Path: path, Reason: "a symbolic link that does not resolve"}
		}
		realRoot, err := filepath.EvalSymlinks(root)
		if err != nil {
			return nil, err
		}
		if !Within(realRoot, target) {
			return nil, &Error{Path: path, Reason: "a symbolic link to outside the scanned tree"}
		}
		path = target
	}
	return readOpened(OpenNoFollow, path, limit)
}

// Within reports whether path is root or below it (both cleaned, absolute
// or both relative).
func Within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// HumanBytes writes a size the way messages show it: 1.5 MiB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
