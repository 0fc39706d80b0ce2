// Package outfile writes the files rolecall produces: reports (-o,
// --report, --sarif, --summary, --replace-text) with the semantics of a
// shell redirection, and fixed source files in place. There is one atomic
// writer (replace) under both.
//
// A report path behaves as `>` would: a new or regular file is replaced
// atomically (a reader never sees half a report; the file keeps its mode,
// and its owner when rolecall runs as root); a symbolic link is written
// through to its target; a device or FIFO is opened and written directly,
// never replaced (`-o /dev/null` as root must not replace /dev/null).
package outfile

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds how many symbolic links Write follows, as the kernel does.
const maxLinks = 40

// Write writes data to path like a shell redirection; perm is the mode of
// a file it creates.
func Write(path string, data []byte, perm fs.FileMode) error {
	return WriteFunc(path, perm, bytesOf(data))
}

// WriteFunc is Write for content made as it is written (an org report of
// thousands of repositories), so that it is never held in memory whole.
func WriteFunc(path string, perm fs.FileMode, write func(io.Writer) error) error {
	for range maxLinks {
		info, err := os.Lstat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return replace(path, write, nil, perm)
		case err != nil:
			return err
		case info.Mode()&fs.ModeSymlink != 0:
			// Write through the link, even a dangling one (the shell
			// creates its target).
			target, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(path), target)
			}
			path = target
			continue
		case info.Mode().IsRegular():
			return replace(path, write, info, perm)
		case info.IsDir():
			return fmt.Errorf("%s is a directory", path)
		default: // device, FIFO, socket: write to it, as the shell would
			return writeDirect(path, write)
		}
	}
	return fmt.Errorf("%s: too many levels of symbolic links", path)
}

// bytesOf writes data.
func bytesOf(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

func writeDirect(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	cerr := f.Close()
	return errors.Join(werr, cerr)
}

// Snapshot is what a file was when it was read: a fix is written only if
// the file is still exactly that.
type Snapshot struct {
	Info fs.FileInfo
	Hash [sha256.Size]byte
}

// Take records a file's state with the content read from it.
func Take(info fs.FileInfo, data []byte) Snapshot {
	return Snapshot{Info: info, Hash: sha256.Sum256(data)}
}

// ErrChanged means the file on disk is no longer what the fix was planned
// on; writing would lose someone's edit.
var ErrChanged = errors.New("changed since it was scanned: run rolecall fix again")

// ErrHardLinked refuses a file with several names: replacing one name
// would leave the secret in the others.
var ErrHardLinked = errors.New("has other hard links, which would keep the old content: fix it by hand, or give the file a name of its own (cp F F.new && mv F.new F) and run rolecall fix again")

// ErrNotRegular refuses anything but a regular file.
var ErrNotRegular = errors.New("is not a regular file (a symbolic link, device or FIFO): run rolecall fix on the file it stands for")

// Replace writes a fixed file in place of path atomically, keeping its
// mode bits (setuid, setgid, sticky included) and, as root, its owner. It
// refuses a path that is not a regular file, a file with other hard
// links, and a file that changed since snap (size, modification time,
// inode or content), checked again immediately before the rename.
func Replace(path string, data []byte, snap Snapshot) error {
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if err := check(path, info, snap); err != nil {
		return err
	}
	return replace(path, bytesOf(data), info, 0, func() error {
		beforeFinalCheck(path)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if err := check(path, info, snap); err != nil {
			return err
		}
		current, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if sha256.Sum256(current) != snap.Hash {
			return ErrChanged
		}
		return nil
	})
}

// beforeFinalCheck lets tests change the file between the temporary file
// being written and the last check.
var beforeFinalCheck = func(string) {}

func check(path string, info fs.FileInfo, snap Snapshot) error {
	if !info.Mode().IsRegular() {
		return ErrNotRegular
	}
	if links(info) > 1 {
		return ErrHardLinked
	}
	was := snap.Info
	if info.Size() != was.Size() || !info.ModTime().Equal(was.ModTime()) || !os.SameFile(info, was) {
		return ErrChanged
	}
	return nil
}

// replace writes data to a temporary file beside path and renames it over
// path. With old set, the new file gets its mode bits and owner;
// otherwise perm. beforeRename runs last, so a check made there is as
// close to the rename as it can be.
func replace(path string, write func(io.Writer) error, old fs.FileInfo, perm fs.FileMode, beforeRename ...func() error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".rolecall-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // gone after the rename; cleans up on failure
	err = writeAll(tmp, write)
	if err == nil && old != nil {
		// chown first: it clears setuid and setgid.
		err = keepOwner(tmp, old)
		perm = old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, fn := range beforeRename {
		if err := fn(); err != nil {
			return err
		}
	}
	return os.Rename(name, path)
}

func writeAll(f *os.File, write func(io.Writer) error) error {
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Sync()
}
