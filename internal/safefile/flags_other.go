//go:build !unix

package safefile

import "os"

// Elsewhere there are no FIFOs to block on; the type checks before and
// after the open still apply.
func openFlags(bool) int { return os.O_RDONLY }

func isLoop(error) bool { return false }
