// Package deadline runs test steps that must not hang (reading a FIFO,
// writing to a device) under a time limit, so a regression fails the test
// instead of blocking the suite.
package deadline

import (
	"testing"
	"time"
)

// Within runs fn and fails t if it has not returned after d.
func Within(t testing.TB, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
	}
}
