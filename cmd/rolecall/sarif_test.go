package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// notebookWithEcho is a notebook whose cell prints the key it sets: the
// same secret in a source and an output, two results of one fingerprint.
func notebookWithEcho(keyID, secret string) string {
	return fmt.Sprintf(`{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "id": "c1",
   "metadata": {},
   "outputs": [
    {"name": "stdout", "output_type": "stream", "text": ["%[1]s %[2]s\n"]}
   ],
   "source": ["import boto3\n", "s3 = boto3.client(\"s3\", aws_access_key_id=\"%[1]s\", aws_secret_access_key=\"%[2]s\")\n", "print(\"%[1]s\", \"%[2]s\")"]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
`, keyID, secret)
}

// Every command that writes SARIF writes a log the official SARIF 2.1.0
// schema accepts, with GitHub's extra requirements met.
func TestEverySARIFValidates(t *testing.T) {
	set := testsecrets.New(101)
	r := gittest.New(t)
	r.Write("nb.ipynb", notebookWithEcho(set.Get("aws_key_id"), set.Get("aws_secret")))
	r.Write("app.py", fmt.Sprintf("token = %q\npassword = %q\n", set.Get("github_pat"), set.Get("db_password")))
	r.Commit("add")
	r.Write("app.py", "import os\n")
	head := r.Commit("remove")
	r.Write("app.py", fmt.Sprintf("# back\ntoken = %q\npassword = %q\n", set.Get("github_pat"), set.Get("db_password")))
	r.Git("add", "app.py") // for staged
	out := t.TempDir()
	event := filepath.Join(out, "event.json")
	os.WriteFile(event, []byte(`{"repository": {"default_branch": "main", "full_name": "o/r", "name": "r"}}`), 0o644)
	t.Setenv("GITHUB_EVENT_NAME", "schedule")
	t.Setenv("GITHUB_EVENT_PATH", event)
	t.Setenv("GITHUB_STEP_SUMMARY", filepath.Join(out, "summary.md"))
	// An org scan of this one repository, its shard for report merge, and
	// a policy for iam lint: the commands merged after the first SARIF test.
	repos := filepath.Join(out, "repos.txt")
	os.WriteFile(repos, []byte(r.Dir+"\n"), 0o644)
	shard := filepath.Join(out, "shard.jsonl")
	if res := rolecall(t, "", "org", "--repos", repos, "--state", filepath.Join(out, "state"), "-o", shard, "-q"); res.code != 1 {
		t.Fatalf("org: exit %d\n%s", res.code, res.stderr)
	}
	policy := filepath.Join(out, "policy.json")
	os.WriteFile(policy, []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}, {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}`), 0o644)
	for _, c := range []struct {
		name string
		args []string
		file string // the SARIF, if not on stdout
		in   string // standard input
	}{
		{"scan", []string{"scan", "-f", "sarif", "."}, "", ""},
		{"scan -o", []string{"scan", "-f", "sarif", "-o", filepath.Join(out, "scan.sarif"), "."}, filepath.Join(out, "scan.sarif"), ""},
		{"history", []string{"history", "-f", "sarif"}, "", ""},
		{"fix", []string{"fix", "-f", "sarif", "."}, "", ""},
		{"ci github", []string{"ci", "github", "--sarif", filepath.Join(out, "ci.sarif")}, filepath.Join(out, "ci.sarif"), ""},
		{"staged", []string{"staged", "-f", "sarif"}, "", ""},
		{"pre-push", []string{"pre-push", "-f", "sarif", "origin", "https://example.invalid/r.git"}, "", "refs/heads/main " + head + " refs/heads/main " + strings.Repeat("0", 40) + "\n"},
		{"org", []string{"org", "--repos", repos, "--state", filepath.Join(out, "state2"), "-f", "sarif", "-q"}, "", ""},
		{"org -o", []string{"org", "--repos", repos, "--state", filepath.Join(out, "state3"), "-f", "sarif", "-q", "-o", filepath.Join(out, "org.sarif")}, filepath.Join(out, "org.sarif"), ""},
		{"report merge", []string{"report", "merge", "-f", "sarif", shard}, "", ""},
		{"iam lint", []string{"iam", "lint", "-f", "sarif", policy}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wd, _ := os.Getwd()
			os.Chdir(r.Dir)
			var stdout, stderr strings.Builder
			res := result{code: runWith(c.in, &stdout, &stderr, c.args...)}
			os.Chdir(wd)
			res.stdout, res.stderr = stdout.String(), stderr.String()
			data := []byte(res.stdout)
			if c.file != "" {
				var err error
				if data, err = os.ReadFile(c.file); err != nil {
					t.Fatalf("exit %d: %v\n%s", res.code, err, res.stderr)
				}
			}
			if !strings.Contains(string(data), `"results"`) || res.code == 2 {
				t.Fatalf("exit %d, no SARIF:\n%s\n%s", res.code, data, res.stderr)
			}
			if strings.Count(string(data), `"ruleId"`) < 2 {
				t.Errorf("fewer results than expected:\n%s", data)
			}
			for _, p := range sariftest.Problems(data) {
				t.Error(p)
			}
		})
	}
}
