package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// result of one in-process rolecall run.
type result struct {
	code           int
	stdout, stderr string
}

func rolecall(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if dir != "" {
		wd, _ := os.Getwd()
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer os.Chdir(wd)
	}
	var out, errOut bytes.Buffer
	code := runWith("", &out, &errOut, args...)
	return result{code, out.String(), errOut.String()}
}

func runWith(stdin string, stdout, stderr io.Writer, args ...string) int {
	return run(context.Background(), args, strings.NewReader(stdin), stdout, stderr)
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// repoWith returns a directory holding one medium finding (a bare key id)
// and one low one (a short password), and the secrets.
func repoWith(t *testing.T) (string, *testsecrets.Set) {
	set := testsecrets.New(21)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.py"), fmt.Sprintf("KEY_ID = %q\n", set.Get("aws_key_id")))
	writeFile(t, filepath.Join(dir, "notes.py"), fmt.Sprintf("password = %q\n", set.Get("short_password")))
	return dir, set
}

func TestExitCodes(t *testing.T) {
	dir, _ := repoWith(t)
	clean := t.TempDir()
	writeFile(t, filepath.Join(clean, "ok.py"), "print('hello')\n")
	cases := []struct {
		name string
		dir  string
		args []string
		code int
		err  string // substring of stderr
	}{
		{"findings", dir, []string{"scan"}, 1, ""},
		{"clean", clean, []string{"scan"}, 0, ""},
		{"custom exit code", dir, []string{"scan", "--exit-code", "7"}, 7, ""},
		{"fail-on high ignores medium", dir, []string{"scan", "--fail-on", "high"}, 0, ""},
		{"fail-on low", dir, []string{"scan", "--fail-on", "low", "app.py"}, 1, ""},
		{"bad fail-on", dir, []string{"scan", "--fail-on", "urgent"}, 2, "--fail-on"},
		{"bad format", dir, []string{"scan", "--format", "xml"}, 2, "use one of text, json, sarif, github"},
		{"unknown flag", dir, []string{"scan", "--frobnicate"}, 2, "unknown flag"},
		{"missing path", dir, []string{"scan", "does-not-exist"}, 2, "does-not-exist: no such file"},
		{"bad size", dir, []string{"scan", "--max-file-size", "lots"}, 2, "not a size"},
		{"missing config", dir, []string{"scan", "--config", "nope.toml"}, 2, "nope.toml"},
		{"missing baseline", dir, []string{"scan", "--baseline", "nope.json"}, 2, "nope.json"},
		{"unknown command", dir, []string{"scna"}, 2, "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rolecall(t, c.dir, c.args...)
			if r.code != c.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.code, r.stdout, r.stderr)
			}
			if c.err != "" && !strings.Contains(r.stderr, c.err) {
				t.Errorf("stderr %q lacks %q", r.stderr, c.err)
			}
		})
	}
}

func TestOutputFormatsAndRedaction(t *testing.T) {
	dir, set := repoWith(t)
	for _, format := range []string{"text", "json", "sarif", "github"} {
		r := rolecall(t, dir, "scan", "--format", format, "--fail-on", "low")
		if r.code != 1 {
			t.Fatalf("%s: exit %d: %s", format, r.code, r.stderr)
		}
		if strings.Contains(r.stdout, set.Get("short_password")) {
			t.Errorf("%s output holds a full secret", format)
		}
		// A key id is an identifier: shown whole unless --redact-key-ids.
		if !strings.Contains(r.stdout, set.Get("aws_key_id")) {
			t.Errorf("%s output does not show the key id in full", format)
		}
		hidden := rolecall(t, dir, "scan", "--format", format, "--redact-key-ids")
		if strings.Contains(hidden.stdout, set.Get("aws_key_id")) || !strings.Contains(hidden.stdout, set.Get("aws_key_id")[:4]+"***") {
			t.Errorf("%s --redact-key-ids shows the key id:\n%s", format, hidden.stdout)
		}
		shown := rolecall(t, dir, "scan", "--format", format, "--show-secrets")
		if !strings.Contains(shown.stdout, set.Get("aws_key_id")) {
			t.Errorf("%s --show-secrets does not show the secret", format)
		}
	}
	r := rolecall(t, dir, "scan", "--format", "json", "--output", "report.json")
	if r.stdout != "" {
		t.Errorf("--output still wrote to stdout: %q", r.stdout)
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fs []map[string]any
	if err := json.Unmarshal(data, &fs); err != nil || len(fs) != 2 {
		t.Errorf("report.json: %v, %d findings", err, len(fs))
	}
}

func TestBaselineWorkflow(t *testing.T) {
	dir, set := repoWith(t)
	if r := rolecall(t, dir, "scan", "--format", "json", "--output", "baseline.json"); r.code != 1 {
		t.Fatalf("first scan: exit %d %s", r.code, r.stderr)
	}
	r := rolecall(t, dir, "scan", "--baseline", "baseline.json")
	if r.code != 0 || !strings.Contains(r.stdout, "2 known from the baseline") {
		t.Errorf("with baseline: exit %d\n%s", r.code, r.stdout)
	}
	// A new secret, and the old one moved down a line, is reported alone.
	writeFile(t, filepath.Join(dir, "app.py"), fmt.Sprintf("import os\nKEY_ID = %q\nTOKEN = %q\n", set.Get("aws_key_id"), set.Get("github_pat")))
	r = rolecall(t, dir, "scan", "--baseline", "baseline.json", "--format", "json")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		t.Fatal(err)
	}
	if r.code != 1 || len(fs) != 1 || fs[0]["rule"] != "github-token" {
		t.Errorf("after edit: exit %d, findings %v", r.code, fs)
	}
}

func TestConfigAtScanRoot(t *testing.T) {
	dir, _ := repoWith(t)
	writeFile(t, filepath.Join(dir, ".rolecall.toml"), "[extend]\ndisabledRules = [\"aws-access-key-id\"]\n")
	if r := rolecall(t, dir, "scan"); r.code != 0 {
		t.Errorf(".rolecall.toml not applied: exit %d\n%s", r.code, r.stdout)
	}
	writeFile(t, filepath.Join(dir, ".rolecall.toml"), "[extend]\ndisabledRule = [\"x\"]\n")
	r := rolecall(t, dir, "scan")
	if r.code != 2 || !strings.Contains(r.stderr, ".rolecall.toml") || !strings.Contains(r.stderr, "unknown key") {
		t.Errorf("bad config: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestMaxFileSizeWarns(t *testing.T) {
	dir, _ := repoWith(t)
	writeFile(t, filepath.Join(dir, "big.txt"), strings.Repeat("x", 5000))
	r := rolecall(t, dir, "scan", "--max-file-size", "4KB")
	if !strings.Contains(r.stderr, "big.txt") || !strings.Contains(r.stderr, "skipped") {
		t.Errorf("no warning naming big.txt: %q", r.stderr)
	}
	if q := rolecall(t, dir, "scan", "--max-file-size", "4KB", "--quiet"); q.stderr != "" {
		t.Errorf("--quiet still warned: %q", q.stderr)
	}
}

func TestRulesAndVersion(t *testing.T) {
	r := rolecall(t, "", "rules")
	for _, id := range []string{"aws-access-key-id", "aws-secret-access-key", "generic-credential", "KEYWORDS"} {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("rules output lacks %s", id)
		}
	}
	var rules []map[string]any
	if err := json.Unmarshal([]byte(rolecall(t, "", "rules", "--json").stdout), &rules); err != nil || len(rules) < 15 {
		t.Errorf("rules --json: %v (%d rules)", err, len(rules))
	}
	if v := rolecall(t, "", "version"); v.code != 0 || !strings.HasPrefix(v.stdout, "rolecall ") {
		t.Errorf("version: %+v", v)
	}
	if h := rolecall(t, "", "scan", "--help"); !strings.Contains(h.stdout, "--show-secrets") || !strings.Contains(h.stdout, "Examples:") {
		t.Errorf("scan --help does not teach: %s", h.stdout)
	}
}

// Commands share the app's flag fields, and a flag writes its default into
// its field when it is defined: two commands giving one field different
// defaults would clobber each other (fix's --format once did). Every field
// bound by several flags must have one default.
func TestSharedFlagFieldsAgreeOnDefaults(t *testing.T) {
	root := newRootCmd(&app{})
	defaults := map[uintptr]string{}
	names := map[uintptr]string{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			v := reflect.ValueOf(f.Value)
			if v.Kind() != reflect.Pointer {
				return
			}
			p := v.Pointer()
			where := c.CommandPath() + " --" + f.Name
			if d, ok := defaults[p]; ok && d != f.DefValue {
				t.Errorf("%s defaults to %q but shares its field with %s, which defaults to %q", where, f.DefValue, names[p], d)
			}
			defaults[p], names[p] = f.DefValue, where
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if len(defaults) < 10 {
		t.Fatalf("only %d flag fields seen", len(defaults))
	}
}
