//go:build unix

package safefile

import (
	"errors"
	"syscall"
)

func openFlags(follow bool) int {
	f := syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_CLOEXEC
	if !follow {
		f |= syscall.O_NOFOLLOW
	}
	return f
}

// isLoop: O_NOFOLLOW on a symbolic link fails with ELOOP.
func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
