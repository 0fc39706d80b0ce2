package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// Every output of every command shows an AWS key id in full by default and
// hides it with --redact-key-ids: reports, files written beside them (fix
// --report, the job summary, org and merge outputs), and standard error.
func TestRedactKeyIDsEverywhere(t *testing.T) {
	set := testsecrets.New(131)
	keyID := set.Get("aws_key_id")
	r := gittest.New(t)
	r.Write("app.py", "import boto3\ns3 = boto3.client(\"s3\", aws_access_key_id=\""+keyID+"\", aws_secret_access_key=\""+set.Get("aws_secret")+"\")\n")
	head := r.Commit("add")
	out := t.TempDir()
	event := filepath.Join(out, "event.json")
	os.WriteFile(event, []byte(`{"repository": {"default_branch": "main", "full_name": "o/r", "name": "r"}}`), 0o644)
	t.Setenv("GITHUB_EVENT_NAME", "schedule")
	t.Setenv("GITHUB_EVENT_PATH", event)
	repos := filepath.Join(out, "repos.txt")
	os.WriteFile(repos, []byte(r.Dir+"\n"), 0o644)
	shard := filepath.Join(out, "shard.jsonl")
	if res := rolecall(t, "", "org", "--repos", repos, "--state", filepath.Join(out, "s"), "-o", shard, "-q"); res.code != 1 {
		t.Fatalf("org: exit %d\n%s", res.code, res.stderr)
	}
	prePush := "refs/heads/main " + head + " refs/heads/main " + strings.Repeat("0", 40) + "\n"
	type cmd struct {
		name  string
		args  []string
		files []string // outputs written beside standard output
		in    string
	}
	var cmds []cmd
	n := 0
	file := func(name string) string { n++; return filepath.Join(out, name+string(rune('a'+n))) }
	for _, f := range []string{"text", "json", "sarif", "github"} {
		cmds = append(cmds,
			cmd{"scan " + f, []string{"scan", "-f", f, "."}, nil, ""},
			cmd{"history " + f, []string{"history", "-f", f}, nil, ""},
			cmd{"pre-push " + f, []string{"pre-push", "-f", f, "origin", "https://example.invalid/r.git"}, nil, prePush},
		)
	}
	for _, f := range []string{"jsonl", "json", "sarif", "text"} {
		o := file("org")
		cmds = append(cmds,
			cmd{"org " + f, []string{"org", "--repos", repos, "--state", file("state"), "-f", f, "-o", o}, []string{o}, ""},
			cmd{"report merge " + f, []string{"report", "merge", "-f", f, shard}, nil, ""},
		)
	}
	for _, f := range []string{"diff", "json", "sarif"} {
		rep := file("report")
		cmds = append(cmds, cmd{"fix " + f, []string{"fix", "-f", f, "--report", rep, "."}, []string{rep}, ""})
	}
	sarif, summary := file("ci"), file("summary")
	cmds = append(cmds, cmd{"ci github", []string{"ci", "github", "--sarif", sarif}, []string{sarif, summary}, ""})
	for _, c := range cmds {
		for _, redact := range []bool{false, true} {
			args := c.args
			if redact {
				args = append(append([]string{}, args[:1]...), args[1:]...)
				if args[0] == "report" {
					args = append([]string{"report", "merge", "--redact-key-ids"}, args[2:]...)
				} else if args[0] == "ci" {
					args = append([]string{"ci", "github", "--redact-key-ids"}, args[2:]...)
				} else {
					args = append([]string{args[0], "--redact-key-ids"}, args[1:]...)
				}
			}
			for _, f := range c.files {
				os.Remove(f)
			}
			t.Setenv("GITHUB_STEP_SUMMARY", summary)
			wd, _ := os.Getwd()
			os.Chdir(r.Dir)
			var stdout, stderr strings.Builder
			code := runWith(c.in, &stdout, &stderr, args...)
			os.Chdir(wd)
			all := stdout.String() + stderr.String()
			if c.args[0] == "fix" && c.args[2] == "diff" {
				// A diff shows the lines it changes as they are, or
				// it would not apply: only the report is checked.
				all = stderr.String()
			}
			for _, f := range c.files {
				data, _ := os.ReadFile(f)
				all += string(data)
			}
			if code == 2 {
				t.Errorf("%s (redact %v): exit %d\n%s", c.name, redact, code, stderr.String())
				continue
			}
			if got := strings.Contains(all, keyID); got == redact {
				t.Errorf("%s (redact %v): key id shown: %v\n%s", c.name, redact, got, all)
			}
		}
	}
}
