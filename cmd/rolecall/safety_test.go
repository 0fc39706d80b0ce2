package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/internal/deadline"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// awsEnv is an .env file that holds nothing but the two AWS variables:
// fixed, it is empty.
func awsEnv(set *testsecrets.Set) string {
	return fmt.Sprintf("AWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n", set.AWSKeyID(), set.AWSSecret())
}

func TestFixWriteHonesty(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(t *testing.T, dir string) // .env is written before
		wantCode int
		check    func(t *testing.T, dir string, r result)
	}{
		{name: "empty result is written and reported", wantCode: 0, check: func(t *testing.T, dir string, r result) {
			if b, _ := os.ReadFile(filepath.Join(dir, ".env")); len(b) != 0 {
				t.Errorf(".env still holds %q", b)
			}
			if !strings.Contains(r.stderr, "rolecall: fixed .env: 2 fixed") {
				t.Errorf("not reported as fixed:\n%s", r.stderr)
			}
		}},
		{name: "setuid and mode are kept", setup: func(t *testing.T, dir string) {
			if err := os.Chmod(filepath.Join(dir, ".env"), 0o4751|fs.ModeSetuid); err != nil {
				t.Fatal(err)
			}
		}, wantCode: 0, check: func(t *testing.T, dir string, r result) {
			info, _ := os.Lstat(filepath.Join(dir, ".env"))
			if info.Mode() != fs.ModeSetuid|0o751 || info.Size() != 0 {
				t.Errorf("mode %v size %d, want setuid 0751 and empty", info.Mode(), info.Size())
			}
		}},
		{name: "hard link is refused with the reason", setup: func(t *testing.T, dir string) {
			if err := os.Link(filepath.Join(dir, ".env"), filepath.Join(dir, "copy.env.bak")); err != nil {
				t.Fatal(err)
			}
		}, wantCode: 1, check: func(t *testing.T, dir string, r result) {
			if b, _ := os.ReadFile(filepath.Join(dir, ".env")); len(b) == 0 {
				t.Error("hard-linked file was written")
			}
			if strings.Contains(r.stderr, "rolecall: fixed .env") || !strings.Contains(r.stderr, "not written: has other hard links") {
				t.Errorf("refusal not reported:\n%s", r.stderr)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := testsecrets.New(131)
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, ".env"), awsEnv(set))
			if c.setup != nil {
				c.setup(t, dir)
			}
			r := rolecall(t, dir, "fix", "--write", "--report", "report.json", ".env")
			if r.code != c.wantCode {
				t.Errorf("exit %d, want %d\n%s", r.code, c.wantCode, r.stderr)
			}
			c.check(t, dir, r)
			var rep struct {
				Manual []json.RawMessage `json:"manual"`
			}
			b, _ := os.ReadFile(filepath.Join(dir, "report.json"))
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatalf("report: %v", err)
			}
			if (len(rep.Manual) > 0) != (c.wantCode != 0) {
				t.Errorf("report lists %d item(s) to fix by hand with exit %d", len(rep.Manual), r.code)
			}
		})
	}
}

// TestOutputLikeRedirection: -o, --report and --sarif never replace a
// link, a FIFO or a device given as the output.
func TestOutputLikeRedirection(t *testing.T) {
	dir, _ := repoWith(t)
	out := t.TempDir()
	target := filepath.Join(out, "real.json")
	must(t, os.WriteFile(target, nil, 0o600))
	must(t, os.Symlink(target, filepath.Join(out, "link.json")))
	if r := rolecall(t, dir, "scan", "-f", "json", "-o", filepath.Join(out, "link.json")); r.code != 1 {
		t.Fatalf("exit %d %s", r.code, r.stderr)
	}
	if info, _ := os.Lstat(filepath.Join(out, "link.json")); info.Mode()&fs.ModeSymlink == 0 {
		t.Error("-o replaced the link")
	}
	if b, _ := os.ReadFile(target); !strings.Contains(string(b), "fingerprint") {
		t.Errorf("link target not written: %q", b)
	}
	if info, _ := os.Stat(target); info.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600 kept", info.Mode())
	}

	fifo := filepath.Join(out, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	rolecall(t, dir, "scan", "-f", "sarif", "-o", fifo)
	select {
	case s := <-got:
		if !strings.Contains(s, `"version": "2.1.0"`) {
			t.Errorf("FIFO reader got %.100q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing written to the FIFO")
	}
	if os.Geteuid() == 0 {
		null := filepath.Join(out, "null")
		must(t, syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3))
		rolecall(t, dir, "scan", "-o", null)
		if info, _ := os.Lstat(null); info.Mode()&fs.ModeCharDevice == 0 {
			t.Errorf("-o replaced the device with %v", info.Mode())
		}
	}
}

// TestTreeConfigLinks: a .rolecall.toml committed as a link is read only
// when it is a regular file inside the tree; --config may be a link.
func TestTreeConfigLinks(t *testing.T) {
	outside := t.TempDir()
	private := filepath.Join(outside, "credentials")
	must(t, os.WriteFile(private, []byte("aws_secret_access_key = PRIVATE-VALUE-1234\n"), 0o600))
	fifo := filepath.Join(outside, "fifo")
	must(t, syscall.Mkfifo(fifo, 0o644))
	good := filepath.Join(outside, "good.toml")
	must(t, os.WriteFile(good, []byte("[extend]\ndisabledRules = [\"aws-access-key-id\"]\n"), 0o644))
	cases := []struct {
		name   string
		target string // the link's target; "" for a regular in-tree file
		// gitleaks is the text of a .gitleaks.toml at the root, if any.
		gitleaks string
		args     []string
		code     int
		want     string
	}{
		{name: "link outside the tree", target: private, code: 2, want: "a symbolic link to outside the scanned tree"},
		{name: "link to a FIFO", target: fifo, code: 2, want: "not read"},
		{name: "link inside the tree", target: "inner.toml", code: 0},
		{name: "--config may be a link", target: "", args: []string{"--config", filepath.Join(outside, "cfg-link.toml")}, code: 0},
		{name: "--config to a FIFO", args: []string{"--config", fifo}, code: 2, want: "not read: a FIFO"},
		{name: ".gitleaks.toml extending outside the tree", gitleaks: "[extend]\npath = \"" + private + "\"\n", code: 2, want: "outside the scanned tree"},
	}
	must(t, os.Symlink(good, filepath.Join(outside, "cfg-link.toml")))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, _ := repoWith(t)
			writeFile(t, filepath.Join(dir, "inner.toml"), "[extend]\ndisabledRules = [\"aws-access-key-id\"]\n")
			if c.target != "" {
				must(t, os.Symlink(c.target, filepath.Join(dir, ".rolecall.toml")))
			}
			if c.gitleaks != "" {
				writeFile(t, filepath.Join(dir, ".gitleaks.toml"), c.gitleaks)
			}
			var r result
			deadline.Within(t, 20*time.Second, func() { r = rolecall(t, dir, append([]string{"scan", "--fail-on", "medium"}, c.args...)...) })
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, want %d with %q: %s", r.code, c.code, c.want, r.stderr)
			}
			if strings.Contains(r.stderr+r.stdout, "PRIVATE-VALUE") {
				t.Errorf("the link's target was printed: %s", r.stderr)
			}
		})
	}
}

// TestParseErrorsGivePositionNotText: a config or baseline that does not
// parse is named by line and column; its text is never printed.
func TestParseErrorsGivePositionNotText(t *testing.T) {
	dir, _ := repoWith(t)
	writeFile(t, filepath.Join(dir, "bad.toml"), "[extend]\nAWS_SECRET=PRIVATE-VALUE-1234 here\n")
	r := rolecall(t, dir, "scan", "--config", "bad.toml")
	if r.code != 2 || !strings.Contains(r.stderr, "line 2, column") || strings.Contains(r.stderr, "PRIVATE-VALUE") {
		t.Errorf("config error: exit %d %s", r.code, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "bad.json"), "[\n  {\"fingerprint\": PRIVATE-VALUE-1234}\n]\n")
	r = rolecall(t, dir, "scan", "--baseline", "bad.json")
	if r.code != 2 || !strings.Contains(r.stderr, "line 2, column") || strings.Contains(r.stderr, "PRIVATE-VALUE") {
		t.Errorf("baseline error: exit %d %s", r.code, r.stderr)
	}
}

// TestControlCharactersInNames: a file named with ESC sequences and a
// newline cannot reach the terminal or forge report lines.
func TestControlCharactersInNames(t *testing.T) {
	set := testsecrets.New(141)
	dir := t.TempDir()
	name := "x\x1b]0;pwned\x07\x1b[2J\nHIGH   forged.py:1:1  fake.py"
	writeFile(t, filepath.Join(dir, name), fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	for _, format := range []string{"text", "github"} {
		r := rolecall(t, dir, "scan", "-f", format, "--no-color")
		if strings.ContainsAny(r.stdout, "\x1b\x07") || strings.ContainsAny(r.stderr, "\x1b\x07") {
			t.Errorf("%s: control characters reached the output: %q", format, r.stdout)
		}
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(l, "HIGH   forged") {
				t.Errorf("%s: a forged line: %q", format, l)
			}
		}
		if format == "text" && !strings.Contains(r.stdout, `x\x1b]0;pwned\x07\x1b[2J\x0aHIGH`) {
			t.Errorf("text: name not shown escaped: %q", r.stdout)
		}
		if format == "github" && (strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stdout, `file=x\x1b]0;pwned\x07\x1b[2J\x0aHIGH   forged.py%3A1%3A1  fake.py`)) {
			t.Errorf("github: %q", r.stdout)
		}
	}
	// Git names and emails too.
	repo := gittest.New(t)
	repo.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	repo.Git("add", "-A")
	gittest.Run(t, repo.Dir, 1, "-c", "user.name=Eve\x1b[31m", "-c", "user.email=e@x\nHIGH", "commit", "-q", "--author=Eve\x1b[31m <e@x\x07>", "-m", "one")
	r := rolecall(t, repo.Dir, "history", "--no-color")
	if strings.ContainsAny(r.stdout, "\x1b\x07") || !strings.Contains(r.stdout, `Eve\x1b[31m`) {
		t.Errorf("history: %q", r.stdout)
	}
}

// TestUTF16FileScanned: a UTF-16 file with a key is found, with its line
// and column, named on the command line or in a tree.
func TestUTF16FileScanned(t *testing.T) {
	set := testsecrets.New(151)
	dir := t.TempDir()
	secret := set.AWSSecret()
	text := "# é\r\naws_secret_access_key = \"" + secret + "\"\r\n"
	data := []byte{0xff, 0xfe}
	for _, r := range text {
		data = append(data, byte(r), byte(r>>8))
	}
	must(t, os.WriteFile(filepath.Join(dir, "creds.cfg"), data, 0o644))
	r := rolecall(t, dir, "scan", "-f", "json", "--show-secrets", ".")
	var fs []scanner.Finding
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	found := false
	for _, f := range fs {
		found = found || f.Secret == secret && f.Line == 2 && f.Column == 26
	}
	if r.code != 1 || !found {
		t.Errorf("exit %d, findings %+v", r.code, fs)
	}
	if fix := rolecall(t, dir, "fix", "--write", "creds.cfg"); !strings.Contains(fix.stderr, "UTF-16LE") || fix.code == 0 {
		t.Errorf("fix on UTF-16: exit %d %s", fix.code, fix.stderr)
	}
}

// TestKeyedFingerprints: fingerprints are keyed by the root commit (the
// same in every clone), by fingerprintKey, and old unkeyed baselines still
// match, with advice to refresh.
func TestKeyedFingerprints(t *testing.T) {
	set := testsecrets.New(161)
	origin := gittest.New(t)
	origin.Write("a.py", fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	origin.Commit("one")
	origin.Write("b.py", "x = 1\n")
	origin.Commit("two")
	clone := gittest.Clone(t, origin.Dir)
	fp := func(dir string, args ...string) string {
		r := rolecall(t, dir, append([]string{"scan", "-f", "json", "--show-secrets"}, args...)...)
		var fs []scanner.Finding
		if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil || len(fs) != 1 {
			t.Fatalf("%v %s %s", err, r.stdout, r.stderr)
		}
		return fs[0].Fingerprint
	}
	a, b := fp(origin.Dir), fp(clone)
	unkeyed := scanner.UnkeyedFingerprint("github-token", "a.py", set.Get("github_pat"))
	if a != b || a == unkeyed {
		t.Errorf("origin %s, clone %s, unkeyed %s: want the same keyed fingerprint", a, b, unkeyed)
	}
	writeFile(t, filepath.Join(clone, ".rolecall.toml"), "fingerprintKey = \"team\"\n")
	if c := fp(clone); c == a || c == unkeyed {
		t.Errorf("fingerprintKey did not change the fingerprint")
	}
	// Outside git, without a key: a warning says the fingerprints are not keyed.
	plain := t.TempDir()
	writeFile(t, filepath.Join(plain, "a.py"), fmt.Sprintf("token = %q\n", set.Get("github_pat")))
	if r := rolecall(t, plain, "scan", "-f", "json"); !strings.Contains(r.stderr, "not keyed") {
		t.Errorf("no warning about unkeyed fingerprints: %s", r.stderr)
	}
	// A baseline written by an older rolecall still matches.
	old := fmt.Sprintf(`[{"rule":"github-token","file":"a.py","fingerprint":%q}]`, unkeyed)
	writeFile(t, filepath.Join(origin.Dir, "old.json"), old)
	r := rolecall(t, origin.Dir, "scan", "--baseline", "old.json")
	if r.code != 0 || !strings.Contains(r.stderr, "older rolecall") || !strings.Contains(r.stderr, "--output old.json") {
		t.Errorf("old baseline: exit %d %s", r.code, r.stderr)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
