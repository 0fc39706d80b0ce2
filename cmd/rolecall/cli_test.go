package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

func TestVersionFlagAndCompletion(t *testing.T) {
	v := rolecall(t, "", "--version")
	cmd := rolecall(t, "", "version")
	if v.code != 0 || !strings.HasPrefix(v.stdout, "rolecall ") || v.stdout != cmd.stdout {
		t.Errorf("--version: exit %d %q, version command %q", v.code, v.stdout, cmd.stdout)
	}
	for shell, marker := range map[string]string{
		"bash": "complete -o default -F __start_rolecall rolecall", "zsh": "#compdef rolecall",
		"fish": "complete -c rolecall", "powershell": "Register-ArgumentCompleter",
	} {
		r := rolecall(t, "", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, marker) {
			t.Errorf("completion %s: exit %d, lacks %q\n%.300s", shell, r.code, marker, r.stdout)
		}
	}
	if r := rolecall(t, "", "completion", "tcsh"); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "bash, zsh, fish or powershell") {
		t.Errorf("completion tcsh: exit %d, stdout %.100q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestScanStdin(t *testing.T) {
	set := testsecrets.New(111)
	nb := notebookWithEcho(set.Get("aws_key_id"), set.Get("aws_secret"))
	for _, c := range []struct {
		name  string
		args  []string
		input string
		want  string // in the text report
	}{
		{"plain text", []string{"scan", "-"}, fmt.Sprintf("token = %q\n", set.Get("github_pat")), "stdin:1:10"},
		{"named", []string{"scan", "--stdin-name", "src/app.py", "-"}, fmt.Sprintf("\ntoken = %q\n", set.Get("github_pat")), "src/app.py:2:10"},
		{"a notebook, by its name", []string{"scan", "--stdin-name", "nb.ipynb", "-"}, nb, "nb.ipynb cell 1 line 2"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := runWith(c.input, &out, &errOut, append(c.args, "--no-color")...)
			if code != 1 || !strings.Contains(out.String(), c.want) {
				t.Errorf("exit %d, want a finding at %q:\n%s%s", code, c.want, out.String(), errOut.String())
			}
		})
	}
	var out, errOut strings.Builder
	if code := runWith("nothing here\n", &out, &errOut, "scan", "-"); code != 0 || !strings.Contains(out.String(), "1 file scanned") {
		t.Errorf("clean input: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := runWith("", &out, &errOut, "scan", "--stdin-name", "x.py", "."); code != 2 {
		t.Errorf("--stdin-name without -: exit %d", code)
	}
}

// staged, pre-push and hook install work on the repository -C names, from
// anywhere.
func TestGitCommandsTakeDashC(t *testing.T) {
	set := testsecrets.New(112)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	base := r.Commit("one")
	r.Write("a.py", fmt.Sprintf("x = 1\ntoken = %q\n", set.Get("token")))
	r.Git("add", "a.py")
	elsewhere := t.TempDir()
	if got := rolecall(t, elsewhere, "staged", "-C", r.Dir); got.code != 1 || !strings.Contains(got.stdout, "a.py:2:") {
		t.Errorf("staged -C: exit %d\n%s%s", got.code, got.stdout, got.stderr)
	}
	if got := rolecall(t, elsewhere, "staged"); got.code != 2 || !strings.Contains(got.stderr, "not in a git repository: run rolecall staged inside a clone, or name one with -C DIR") {
		t.Errorf("staged outside a repository: exit %d %s", got.code, got.stderr)
	}
	tip := r.Commit("two")
	var out, errOut strings.Builder
	wd, _ := os.Getwd()
	os.Chdir(elsewhere)
	code := runWith(fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", tip, base), &out, &errOut, "pre-push", "-C", r.Dir)
	os.Chdir(wd)
	if code != 1 || !strings.Contains(errOut.String(), "push blocked") {
		t.Errorf("pre-push -C: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if got := rolecall(t, elsewhere, "hook", "install", "-C", r.Dir, "--pre-commit"); got.code != 0 {
		t.Errorf("hook install -C: exit %d %s", got.code, got.stderr)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, ".git", "hooks", "pre-commit")); err != nil {
		t.Errorf("hook install -C wrote no hook in the named repository: %v", err)
	}
}

// Typed on a terminal, pre-push would wait for hook input forever: it says
// what it expects instead.
func TestPrePushOnATerminal(t *testing.T) {
	tty := openPTY(t)
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	r.Commit("one")
	t.Setenv("PRE_COMMIT_TO_REF", "")
	var out, errOut strings.Builder
	wd, _ := os.Getwd()
	os.Chdir(r.Dir)
	defer os.Chdir(wd)
	done := make(chan int, 1)
	go func() { done <- run(t.Context(), []string{"pre-push"}, tty, &out, &errOut) }()
	code := <-done
	if code != 2 || !strings.Contains(errOut.String(), "git pre-push hook") || !strings.Contains(errOut.String(), "<local ref> <local sha> <remote ref> <remote sha>") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

func TestHelpListsOnlyAcceptedFlags(t *testing.T) {
	help := rolecall(t, "", "ci", "github", "--help").stdout
	for _, refused := range []string{"--format", "--output", "--no-color"} {
		if strings.Contains(help, refused) {
			t.Errorf("ci github --help lists %s, which does not apply to it", refused)
		}
	}
	if got := rolecall(t, "", "ci", "github", "--format", "json"); got.code != 2 || !strings.Contains(got.stderr, "unknown flag: --format") {
		t.Errorf("ci github --format: exit %d %s", got.code, got.stderr)
	}
}

func TestFlagErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "x.sarif"), `{"version": "2.1.0", "runs": []}`)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--bogus"}, "Run 'rolecall scan --help'"},
		{[]string{"bogus"}, "Run 'rolecall --help'"},
		{[]string{"ci", "gitlab"}, `unknown command "gitlab" for "rolecall ci"` + "\nRun 'rolecall ci --help'"},
		{[]string{"hook", "remove"}, `unknown command "remove" for "rolecall hook"`},
		{[]string{"report", "split"}, `unknown command "split" for "rolecall report"` + "\nRun 'rolecall report --help'"},
		{[]string{"scan", "-j", "0"}, `--jobs "0": use a whole number of 1 or more`},
		{[]string{"scan", "-j", "many"}, `--jobs "many"`},
		{[]string{"fix", "-j", "0"}, `--jobs "0"`},
		{[]string{"scan", "--exit-code", "x"}, `--exit-code "x": not a whole number`},
		{[]string{"scan", "--max-file-size", "0"}, `--max-file-size "0"`},
		{[]string{"scan", "--baseline", "x.sarif"}, "it is a SARIF log"},
		{[]string{"scan", "--baseline", "missing.json"}, "missing.json"},
		{[]string{"scan", "--verify-interval", "soon"}, `--verify-interval "soon": not a duration`},
		{[]string{"scan", "--verify-interval", "-1s"}, "--verify-interval -1s: use 0 or more"},
		{[]string{"org", "-j", "0", "--dir", "."}, `--jobs "0"`},
		{[]string{"iam", "lint", "-j", "0"}, `--jobs "0"`},
		{[]string{"ci", "github", "-j", "0"}, `--jobs "0"`},
		{[]string{"org", "--shard", "0/2", "--dir", "."}, `--shard "0/2"`},
		{[]string{"org", "--api-url", "ftp://ghe.example", "--github-org", "o"}, `--api-url "ftp://ghe.example": give the API's base URL`},
		{[]string{"report", "merge", "-f", "xml", "x.sarif"}, `--format "xml"`},
		{[]string{"iam", "policy", "-f", "xml"}, `--format "xml"`},
		{[]string{"iam", "policy", "no-such-dir"}, "cannot read no-such-dir"},
		{[]string{"iam", "lint", "no-such-dir"}, "cannot read no-such-dir"},
		{[]string{"staged", "-C", "x.sarif"}, "-C x.sarif: not a directory"},
		{[]string{"pre-push", "-C", "x.sarif"}, "-C x.sarif: not a directory"},
		{[]string{"hook", "install", "-C", "x.sarif"}, "-C x.sarif: not a directory"},
	} {
		r := rolecall(t, dir, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want %q in:\n%s", c.args, r.code, c.want, r.stderr)
		}
		for _, goism := range []string{"strconv.", "Go value", "struct {", "[]struct", "*errors.", "time: "} {
			if strings.Contains(r.stderr, goism) {
				t.Errorf("%v: a Go name reaches the user: %s", c.args, r.stderr)
			}
		}
	}
}

// A .gitleaks.toml at the scan root is read when there is no
// .rolecall.toml, with one warning naming what rolecall does not use.
func TestGitleaksConfigAtScanRoot(t *testing.T) {
	t.Setenv(fingerprintKeyEnv, "test") // else a warning says the fingerprints of this non-git tree are not keyed
	set := testsecrets.New(113)
	dir := t.TempDir()
	for _, name := range []string{".gitleaks.toml", "shared/org.toml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "gitleaks", name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), string(data))
	}
	tok := "itk_" + set.Get("token")
	writeFile(t, filepath.Join(dir, "app.py"), fmt.Sprintf("A = %q\nB = %q  # gitleaks:allow\n", tok, "itk_"+set.Get("token.2")))
	writeFile(t, filepath.Join(dir, "vendor", "lib.py"), fmt.Sprintf("A = %q\n", tok))
	r := rolecall(t, dir, "scan", "-f", "json", ".")
	if r.code != 1 || strings.Count(r.stdout, `"rule": "internal-token"`) != 1 || !strings.Contains(r.stdout, `"line": 1`) {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if n := strings.Count(r.stderr, "warning:"); n != 1 || !strings.Contains(r.stderr, "read as a gitleaks config; not used: ") || !strings.Contains(r.stderr, "minVersion") {
		t.Errorf("want one warning naming what is not used, got %d:\n%s", n, r.stderr)
	}
	if r := rolecall(t, t.TempDir(), "scan", "--config", filepath.Join(dir, ".gitleaks.toml"), "-f", "json", dir); strings.Count(r.stdout, `"rule": "internal-token"`) != 1 {
		t.Errorf("--config .gitleaks.toml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// .rolecall.toml wins over .gitleaks.toml.
	writeFile(t, filepath.Join(dir, ".rolecall.toml"), "[extend]\nuseDefault = true\n")
	if r := rolecall(t, dir, "scan", "-f", "json", "."); strings.Contains(r.stdout, "internal-token") || strings.Contains(r.stderr, "gitleaks") {
		t.Errorf("with .rolecall.toml present the gitleaks config was read:\n%s%s", r.stdout, r.stderr)
	}
}
