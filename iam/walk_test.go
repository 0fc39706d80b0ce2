package iam

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Walk reads regular files only and names what it did not read: a FIFO
// (which must not hang it) and a file over the size limit.
func TestWalkReadsRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.json"), []byte(strings.Repeat(" ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	done := make(chan struct{})
	var notes []string
	var read []string
	var files int
	go func() {
		defer close(done)
		notes, files = Walk([]string{dir, filepath.Join(dir, "pipe.json")}, 50,
			func(string) bool { return true },
			func(name string, _ []byte) { read = append(read, filepath.Base(name)) })
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Walk hung on a FIFO")
	}
	if files != 1 || len(read) != 1 || read[0] != "ok.json" {
		t.Errorf("read %v (%d files), want only ok.json", read, files)
	}
	joined := strings.Join(notes, "\n")
	for _, want := range []string{"big.json", "pipe.json"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes %q do not name %s", notes, want)
		}
	}
}
