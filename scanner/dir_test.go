package scanner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/internal/deadline"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWalkHostileTree(t *testing.T) {
	set := testsecrets.New(11)
	line := func(tag string) string { return fmt.Sprintf("api_key = %q\n", set.Get("token."+tag)) }
	outside := t.TempDir()
	write(t, filepath.Join(outside, "creds.py"), line("outside"))

	root := t.TempDir()
	write(t, filepath.Join(root, "src", "app.py"), line("app"))
	write(t, filepath.Join(root, ".git", "config.py"), line("git"))
	write(t, filepath.Join(root, "blob.bin"), "\x00\x01"+line("binary"))
	write(t, filepath.Join(root, "big.py"), line("big")+strings.Repeat("#\n", 600))
	must(t, os.Symlink(filepath.Join(outside, "creds.py"), filepath.Join(root, "link-out.py")))
	must(t, os.Symlink(filepath.Join(root, "src", "app.py"), filepath.Join(root, "link-in.py")))
	must(t, os.Symlink(root, filepath.Join(root, "src", "loop")))
	must(t, os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, "dangling")))
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))

	eng, _ := detectors.NewEngine(nil)
	var warned []string
	res, err := New(eng).ScanPaths(context.Background(), []string{root}, Options{
		MaxFileSize: 1000,
		Warn:        func(w Warning) { warned = append(warned, w.String()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		rel, _ := filepath.Rel(root, f.File)
		got = append(got, filepath.ToSlash(rel))
	}
	if strings.Join(got, ",") != "src/app.py" {
		t.Errorf("findings in %v, want only src/app.py", got)
	}
	if res.Binary != 1 {
		t.Errorf("binary files passed over: %d, want 1", res.Binary)
	}
	// Every file passed over is in the coverage record with its reason.
	skipped := map[string]string{}
	for _, g := range res.Skipped {
		rel, _ := filepath.Rel(root, g.Path)
		skipped[filepath.ToSlash(rel)] = g.Reason
	}
	for path, reason := range map[string]string{
		"big.py": ReasonSize, "blob.bin": ReasonBinary, "fifo": ReasonNotRegular,
		"dangling": "symbolic link", "link-out.py": "symbolic link", "src/loop": "symbolic link",
	} {
		if !strings.HasPrefix(skipped[path], reason) {
			t.Errorf("skipped %s: %q, want %q (all: %v)", path, skipped[path], reason, skipped)
		}
	}
	if len(res.Unreadable) != 0 {
		t.Errorf("unreadable %v", res.Unreadable)
	}
	// Warnings name what a person would want to know about: the big file
	// and the FIFO, not every link or binary file.
	if len(warned) != 2 || !strings.Contains(warned[0]+warned[1], "big.py") || !strings.Contains(warned[0]+warned[1], "--max-file-size") {
		t.Errorf("warnings %q, want big.py (naming the flag) and the FIFO", warned)
	}
	if !strings.Contains(skipped["fifo"], "a FIFO (named pipe)") {
		t.Errorf("the FIFO's reason does not say what it is: %q", skipped["fifo"])
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestScanPathsArguments(t *testing.T) {
	set := testsecrets.New(12)
	root := t.TempDir()
	file := filepath.Join(root, "a.py")
	write(t, file, fmt.Sprintf("api_key = %q\n", set.Get("token")))
	link := filepath.Join(t.TempDir(), "named-link.py")
	must(t, os.Symlink(file, link))
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)

	res, err := s.ScanPaths(context.Background(), []string{file, link}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 {
		t.Errorf("a file and a link named on the command line: %d findings, want 2", len(res.Findings))
	}
	if res.Findings[0].File != filepath.ToSlash(file) && res.Findings[1].File != filepath.ToSlash(file) {
		t.Errorf("file path not reported as given: %v", res.Findings)
	}

	_, err = s.ScanPaths(context.Background(), []string{filepath.Join(root, "nope")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing path: error %v", err)
	}
}

// Paths are shown relative to the argument as given, and rules see them
// relative to the scan root.
func TestDisplayAndRulePaths(t *testing.T) {
	set := testsecrets.New(13)
	root := t.TempDir()
	write(t, filepath.Join(root, "tests", "fixture.py"), fmt.Sprintf("api_key = %q\n", set.Get("token")))
	write(t, filepath.Join(root, "src", "a.py"), fmt.Sprintf("api_key = %q\n", set.Get("token.2")))
	cfg, err := detectors.ParseConfig("t", "[[allowlists]]\npaths = [\"tests/**\"]\n")
	must(t, err)
	eng, err := detectors.NewEngine(cfg)
	must(t, err)
	wd, _ := os.Getwd()
	must(t, os.Chdir(root))
	defer os.Chdir(wd)
	res, err := New(eng).ScanPaths(context.Background(), []string{"."}, Options{})
	must(t, err)
	if files := sortedFiles(res.Findings); strings.Join(files, ",") != "src/a.py" {
		t.Errorf("files %v, want src/a.py", files)
	}
}

func TestManyFilesDeterministic(t *testing.T) {
	set := testsecrets.New(14)
	root := t.TempDir()
	for i := 0; i < 300; i++ {
		write(t, filepath.Join(root, fmt.Sprintf("d%d", i%7), fmt.Sprintf("f%03d.py", i)), fmt.Sprintf("x = 1\napi_key = %q\n", set.Get(fmt.Sprintf("token.%d", i))))
	}
	eng, _ := detectors.NewEngine(nil)
	a, err := New(eng).ScanPaths(context.Background(), []string{root}, Options{Jobs: 8})
	must(t, err)
	b, err := New(eng).ScanPaths(context.Background(), []string{root}, Options{Jobs: 1})
	must(t, err)
	if len(a.Findings) != 300 || len(b.Findings) != 300 {
		t.Fatalf("findings %d and %d, want 300", len(a.Findings), len(b.Findings))
	}
	for i := range a.Findings {
		if a.Findings[i].File != b.Findings[i].File || a.Findings[i].Secret != b.Findings[i].Secret {
			t.Fatalf("order differs at %d: %s vs %s", i, a.Findings[i].File, b.Findings[i].File)
		}
	}
}

// A warning callback that panics (a bug of ours) must neither hang the
// scan (the walk's queue waits on the workers) nor leave a file uncounted:
// each file is scanned, skipped or unreadable.
func TestPanickingWarnNeitherHangsNorLosesFiles(t *testing.T) {
	root := t.TempDir()
	const n, big = 1000, 3
	for i := range n {
		body := "x = 1\n"
		if i < big {
			body = strings.Repeat("y", 2000)
		}
		write(t, filepath.Join(root, fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%04d.py", i)), body)
	}
	eng, _ := detectors.NewEngine(nil)
	opts := Options{Jobs: 2, MaxFileSize: 1000, Warn: func(Warning) { panic("warn") }}
	deadline.Within(t, 30*time.Second, func() {
		res, err := New(eng).ScanPaths(context.Background(), []string{root}, opts)
		must(t, err)
		if res.Files+len(res.Skipped)+len(res.Unreadable) != n || len(res.Unreadable) != big {
			t.Errorf("scanned %d, skipped %d, unreadable %d: want %d in all, %d unreadable", res.Files, len(res.Skipped), len(res.Unreadable), n, big)
		}
	})
}

func TestCancelledScanStops(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "a.py"), "x = 1\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	eng, _ := detectors.NewEngine(nil)
	if _, err := New(eng).ScanPaths(ctx, []string{root}, Options{}); err == nil {
		t.Error("cancelled scan returned no error")
	}
}

func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.json")
	write(t, path, `[{"rule":"x","fingerprint":"aaa"},{"rule":"y","fingerprint":"bbb"}]`)
	b, err := LoadBaseline(path)
	must(t, err)
	got := b.Filter([]Finding{{Fingerprint: "aaa"}, {Fingerprint: "ccc"}})
	if len(got) != 1 || got[0].Fingerprint != "ccc" {
		t.Errorf("filtered %v", got)
	}
	for body, want := range map[string]string{
		`{"not": "an array"}`:   "not a rolecall JSON report",
		`[{"rule": "x"}]`:       "no fingerprint",
		`[{"fingerprint": "a"}`: "not a rolecall JSON report",
	} {
		write(t, path, body)
		if _, err := LoadBaseline(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("baseline %s: error %v, want %q", body, err, want)
		}
	}
}
