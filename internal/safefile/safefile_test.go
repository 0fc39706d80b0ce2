package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/deadline"
)

func readListed(path string) ([]byte, error) { return ReadListed(path, 100) }

// A file gone between the listing and the read is an error naming it, as
// os.Open's are (the scan counts it unreadable).
func TestReadListedMissing(t *testing.T) {
	_, err := ReadListed(filepath.Join(t.TempDir(), "gone"), 100)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "gone") {
		t.Errorf("err = %v, want a not-exist error naming the file", err)
	}
}

// hostile builds the non-regular files the tests read; devices need root.
func hostile(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths := map[string]string{}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	paths["fifo"] = fifo
	if os.Geteuid() == 0 {
		dev := filepath.Join(dir, "zero")
		// character device 1,5 is /dev/zero: reading it never ends.
		if err := syscall.Mknod(dev, syscall.S_IFCHR|0o644, 1<<8|5); err == nil {
			paths["device"] = dev
		}
	}
	return paths
}

func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	out := t.TempDir()
	secret := filepath.Join(out, "credentials")
	if err := os.WriteFile(secret, []byte("PRIVATE-CONTENT"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big"), make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ok"), []byte("fine"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, os.Symlink(secret, filepath.Join(dir, "out-link")))
	must(t, os.Symlink("ok", filepath.Join(dir, "in-link")))
	h := hostile(t, dir)
	must(t, os.Symlink(h["fifo"], filepath.Join(dir, "fifo-link")))
	cases := []struct {
		name     string
		read     func() ([]byte, error)
		want     string // content, or
		wantErr  error
		inReason string
	}{
		{name: "regular", read: func() ([]byte, error) { return ReadFile(filepath.Join(dir, "ok"), 100) }, want: "fine"},
		{name: "fifo", read: func() ([]byte, error) { return ReadFile(h["fifo"], 100) }, wantErr: ErrNotRegular, inReason: "FIFO"},
		{name: "link to fifo", read: func() ([]byte, error) { return ReadFile(filepath.Join(dir, "fifo-link"), 100) }, wantErr: ErrNotRegular, inReason: "FIFO"},
		{name: "over the cap", read: func() ([]byte, error) { return ReadFile(filepath.Join(dir, "big"), 1024) }, wantErr: ErrTooBig, inReason: "limit"},
		{name: "in tree: link inside", read: func() ([]byte, error) { return ReadInTree(dir, "in-link", 100) }, want: "fine"},
		{name: "in tree: link outside", read: func() ([]byte, error) { return ReadInTree(dir, "out-link", 100) }, wantErr: ErrNotRegular, inReason: "outside"},
		{name: "in tree: fifo", read: func() ([]byte, error) { return ReadInTree(dir, "fifo", 100) }, wantErr: ErrNotRegular, inReason: "FIFO"},
		{name: "in tree: link to fifo", read: func() ([]byte, error) { return ReadInTree(dir, "fifo-link", 100) }, wantErr: ErrNotRegular, inReason: "FIFO"},
		{name: "no follow: link", read: func() ([]byte, error) {
			f, _, err := OpenNoFollow(filepath.Join(dir, "in-link"))
			if f != nil {
				f.Close()
			}
			return nil, err
		}, wantErr: ErrNotRegular, inReason: "symbolic link"},
		// A listing said "regular file", then something else took the name.
		{name: "listed: link", read: func() ([]byte, error) { return readListed(filepath.Join(dir, "in-link")) }, wantErr: ErrNotRegular, inReason: "symbolic link"},
		{name: "listed: fifo", read: func() ([]byte, error) { return readListed(h["fifo"]) }, wantErr: ErrNotRegular, inReason: "FIFO"},
		{name: "listed: directory", read: func() ([]byte, error) { return readListed(out) }, wantErr: ErrNotRegular, inReason: "directory"},
		{name: "listed: regular", read: func() ([]byte, error) { return readListed(filepath.Join(dir, "ok")) }, want: "fine"},
		{name: "listed: over the cap", read: func() ([]byte, error) { return ReadListed(filepath.Join(dir, "big"), 1024) }, wantErr: ErrTooBig, inReason: "limit"},
	}
	if dev, ok := h["device"]; ok {
		cases = append(cases, struct {
			name     string
			read     func() ([]byte, error)
			want     string
			wantErr  error
			inReason string
		}{name: "device", read: func() ([]byte, error) { return ReadFile(dev, 100) }, wantErr: ErrNotRegular, inReason: "device"},
			struct {
				name     string
				read     func() ([]byte, error)
				want     string
				wantErr  error
				inReason string
			}{name: "listed: device", read: func() ([]byte, error) { return readListed(dev) }, wantErr: ErrNotRegular, inReason: "device"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			deadline.Within(t, 5*time.Second, func() {
				got, err := c.read()
				if c.wantErr == nil {
					if err != nil || string(got) != c.want {
						t.Errorf("got %q, %v; want %q", got, err, c.want)
					}
					return
				}
				var e *Error
				if !errors.Is(err, c.wantErr) || !errors.As(err, &e) || !contains(e.Reason, c.inReason) {
					t.Errorf("err = %v, want %v naming %q", err, c.wantErr, c.inReason)
				}
				if contains(err.Error(), "PRIVATE-CONTENT") {
					t.Errorf("content leaked into the error: %v", err)
				}
			})
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
