package outfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/deadline"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteLikeARedirection(t *testing.T) {
	root := os.Geteuid() == 0
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path given
		check func(t *testing.T, dir, path string)
		root  bool
	}{
		{name: "new file", setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "new.json") },
			check: func(t *testing.T, dir, path string) {
				info, _ := os.Stat(path)
				if read(t, path) != "report" || info.Mode().Perm() != 0o644 {
					t.Errorf("got %q mode %v", read(t, path), info.Mode())
				}
			}},
		{name: "regular file keeps its mode", setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "old.json")
			must(t, os.WriteFile(p, []byte("old"), 0o600))
			must(t, os.Chmod(p, 0o640))
			return p
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(path)
			if read(t, path) != "report" || info.Mode() != 0o640 {
				t.Errorf("got %q mode %v, want report 0640", read(t, path), info.Mode())
			}
		}},
		{name: "regular file keeps its owner as root", root: true, setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "owned.json")
			must(t, os.WriteFile(p, []byte("old"), 0o644))
			must(t, os.Chown(p, 1234, 5678))
			return p
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(path)
			st := info.Sys().(*syscall.Stat_t)
			if read(t, path) != "report" || st.Uid != 1234 || st.Gid != 5678 {
				t.Errorf("got %q owner %d:%d, want 1234:5678", read(t, path), st.Uid, st.Gid)
			}
		}},
		{name: "symbolic link is written through", setup: func(t *testing.T, dir string) string {
			target := filepath.Join(dir, "real.json")
			must(t, os.WriteFile(target, []byte("old"), 0o644))
			must(t, os.Symlink("real.json", filepath.Join(dir, "link.json")))
			return filepath.Join(dir, "link.json")
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(path)
			if info.Mode()&fs.ModeSymlink == 0 || read(t, filepath.Join(dir, "real.json")) != "report" {
				t.Errorf("link replaced (%v) or target not written", info.Mode())
			}
		}},
		{name: "dangling link creates its target", setup: func(t *testing.T, dir string) string {
			must(t, os.Symlink(filepath.Join(dir, "sub-target.json"), filepath.Join(dir, "dangling.json")))
			return filepath.Join(dir, "dangling.json")
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(path)
			if info.Mode()&fs.ModeSymlink == 0 || read(t, filepath.Join(dir, "sub-target.json")) != "report" {
				t.Errorf("link replaced or target not created")
			}
		}},
		{name: "device is written, not replaced", root: true, setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "null")
			must(t, syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3)) // /dev/null's numbers
			return p
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(path)
			if info.Mode()&fs.ModeCharDevice == 0 {
				t.Errorf("device replaced by %v", info.Mode())
			}
		}},
		{name: "link to a device", root: true, setup: func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "null")
			must(t, syscall.Mknod(p, syscall.S_IFCHR|0o666, 1<<8|3))
			must(t, os.Symlink(p, filepath.Join(dir, "out")))
			return filepath.Join(dir, "out")
		}, check: func(t *testing.T, dir, path string) {
			info, _ := os.Lstat(filepath.Join(dir, "null"))
			if info.Mode()&fs.ModeCharDevice == 0 {
				t.Errorf("device replaced by %v", info.Mode())
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.root && !root {
				t.Skip("needs root")
			}
			dir := t.TempDir()
			path := c.setup(t, dir)
			deadline.Within(t, 10*time.Second, func() { must(t, Write(path, []byte("report"), 0o644)) })
			c.check(t, dir, path)
			if m, _ := filepath.Glob(filepath.Join(dir, ".*rolecall-*")); len(m) > 0 {
				t.Errorf("temporary files left: %v", m)
			}
		})
	}
}

func TestWriteToFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	must(t, syscall.Mkfifo(p, 0o644))
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	deadline.Within(t, 10*time.Second, func() { must(t, Write(p, []byte("report"), 0o644)) })
	select {
	case s := <-got:
		if s != "report" {
			t.Errorf("reader got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reader got nothing")
	}
	if info, _ := os.Lstat(p); info.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("FIFO replaced by %v", info.Mode())
	}
}

func TestReplace(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, path string)
		between func(path string) // after the snapshot
		final   func(path string) // between the temp file and the rename
		wantErr error
		check   func(t *testing.T, path string)
	}{
		{name: "writes and keeps setuid and mode", setup: func(t *testing.T, p string) { must(t, os.Chmod(p, 0o4750|fs.ModeSetuid)) },
			check: func(t *testing.T, p string) {
				info, _ := os.Lstat(p)
				if read(t, p) != "fixed" || info.Mode() != fs.ModeSetuid|0o750 {
					t.Errorf("got %q mode %v, want setuid 0750", read(t, p), info.Mode())
				}
			}},
		{name: "empty result is written", check: func(t *testing.T, p string) {}},
		{name: "hard link refused", setup: func(t *testing.T, p string) { must(t, os.Link(p, p+".other")) }, wantErr: ErrHardLinked},
		{name: "edited after the scan", between: func(p string) { os.WriteFile(p, []byte("edited!"), 0o644) }, wantErr: ErrChanged},
		{name: "edited just before the rename, same size", final: func(p string) {
			os.WriteFile(p, []byte("EDITED"), 0o644)
			info, _ := os.Stat(p)
			os.Chtimes(p, info.ModTime(), snapTime) // same size and mtime: only the content tells
		}, wantErr: ErrChanged},
		{name: "replaced by a link", between: func(p string) { os.Remove(p); os.Symlink("/etc/passwd", p) }, wantErr: ErrNotRegular},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "app.env")
			must(t, os.WriteFile(p, []byte("secret"), 0o644))
			must(t, os.Chtimes(p, snapTime, snapTime))
			if c.setup != nil {
				c.setup(t, p)
			}
			data := []byte("fixed")
			if c.name == "empty result is written" {
				data = []byte{}
			}
			info, _ := os.Lstat(p)
			snap := Take(info, []byte("secret"))
			if c.between != nil {
				c.between(p)
			}
			if c.final != nil {
				beforeFinalCheck = c.final
				defer func() { beforeFinalCheck = func(string) {} }()
			}
			err := Replace(p, data, snap)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err = %v, want %v", err, c.wantErr)
			}
			if c.wantErr == nil {
				if read(t, p) != string(data) {
					t.Errorf("file holds %q, want %q", read(t, p), data)
				}
				if c.check != nil {
					c.check(t, p)
				}
			} else if got := read(t, p); got == "fixed" {
				t.Errorf("refused but written")
			}
		})
	}
}

var snapTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
