package iam

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Walk reads regular files only, names what it skips, and never follows a
// link out of the tree.
func TestWalk(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.py"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "big.py"), []byte(strings.Repeat("x", 100)), 0o644)
	os.WriteFile(filepath.Join(outside, "secret.py"), []byte("y"), 0o644)
	os.Symlink(filepath.Join(outside, "secret.py"), filepath.Join(dir, "link.py"))
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "c.py"), []byte("z"), 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.py"), 0o644); err != nil {
		t.Log("no fifo:", err)
	}
	var read []string
	notes, files := Walk([]string{dir}, 50, func(string) bool { return true }, func(name string, data []byte) {
		read = append(read, filepath.Base(name))
	})
	if files != 1 || len(read) != 1 || read[0] != "a.py" {
		t.Errorf("read %v (%d)", read, files)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "big.py") {
		t.Errorf("notes %v", notes)
	}
}
