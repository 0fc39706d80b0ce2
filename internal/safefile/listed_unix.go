//go:build unix

package safefile

import (
	"io/fs"
	"os"
	"syscall"
)

// ReadListed reads a file a directory listing has just reported as
// regular, of at most limit bytes. It makes the system calls itself
// (open, fstat, reads, close): an *os.File of a file opened non-blocking
// also registers it with the runtime's poller, a further call per file
// that a scan of many small files feels. The checks are OpenListed's.
func ReadListed(path string, limit int64) ([]byte, error) {
	fd, err := retry(func() (int, error) { return syscall.Open(path, openFlags(false), 0) })
	if err != nil {
		if isLoop(err) {
			return nil, &Error{Path: path, Reason: Kind(fs.ModeSymlink)}
		}
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if _, err := retry(func() (int, error) { return 0, syscall.Fstat(fd, &st) }); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if m := modeOf(uint32(st.Mode)); !m.IsRegular() {
		return nil, &Error{Path: path, Reason: Kind(m)}
	}
	if st.Size > limit {
		return nil, tooBig(path, st.Size, limit)
	}
	buf := make([]byte, 0, st.Size+512)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grew since the stat
		}
		n, err := retry(func() (int, error) { return syscall.Read(fd, buf[len(buf):cap(buf)]) })
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, grewTooBig(path, limit)
		}
	}
}

// retry runs a system call again while a signal interrupts it.
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// modeOf is the fs.FileMode type bits of a stat mode.
func modeOf(m uint32) fs.FileMode {
	switch m & syscall.S_IFMT {
	case syscall.S_IFREG:
		return 0
	case syscall.S_IFDIR:
		return fs.ModeDir
	case syscall.S_IFLNK:
		return fs.ModeSymlink
	case syscall.S_IFIFO:
		return fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		return fs.ModeSocket
	case syscall.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		return fs.ModeDevice
	}
	return fs.ModeIrregular
}
