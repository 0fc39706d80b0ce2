package remediate

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

var update = flag.Bool("update", false, "rewrite the golden files of the fix report")

// goldenPlans are a small fix run: a Python file fixed, a notebook with a
// fix and copies in outputs that must be fixed by hand, a committed key,
// and a .env password.
func goldenPlans(set *testsecrets.Set) []*FilePlan {
	keyID, secret, other := set.Get("aws_key_id"), set.Get("aws_secret"), set.Get("aws_key_id.2")
	nb := func(cell, cellLine, line int, out *scanner.OutputLocation) *scanner.NotebookLocation {
		part := "source"
		if out != nil {
			part = "output"
		}
		return &scanner.NotebookLocation{Cell: cell, CellLine: cellLine, CellColumn: 9, Part: part, Output: out}
	}
	stdout := &scanner.OutputLocation{Index: 1, Type: "stream", MIME: "stdout"}
	return []*FilePlan{
		{Path: "etl/load.py", Items: []Item{
			{Finding: scanner.Finding{File: "etl/load.py", Line: 3, Column: 7, RuleID: "aws-access-key-id", Secret: keyID}, Kind: edit.AccessKeyID, Fixed: true, Shape: "boto3.client keyword arguments", Raw: keyID},
			{Finding: scanner.Finding{File: "etl/load.py", Line: 4, Column: 7, RuleID: "aws-secret-access-key", Secret: secret, KeyID: keyID}, Kind: edit.SecretAccessKey, Fixed: true, Shape: "boto3.client keyword arguments", Raw: secret},
		}},
		{Path: "notebooks/explore.ipynb", Items: []Item{
			{Finding: scanner.Finding{File: "notebooks/explore.ipynb", Line: 50, Column: 9, RuleID: "aws-access-key-id", Secret: other, Notebook: nb(4, 2, 50, nil)}, Kind: edit.AccessKeyID,
				Reason: "constant KEY is also used at cell 6 line 1; edit by hand", Raw: other},
			{Finding: scanner.Finding{File: "notebooks/explore.ipynb", Line: 61, Column: 3, RuleID: "aws-access-key-id", Secret: other, Notebook: nb(4, 1, 61, stdout)}, Kind: edit.AccessKeyID, Reason: reasonOutputOnly, Raw: other},
			{Finding: scanner.Finding{File: "notebooks/explore.ipynb", Line: 88, Column: 3, RuleID: "aws-access-key-id", Secret: other, Notebook: nb(7, 3, 88, stdout)}, Kind: edit.AccessKeyID, Reason: reasonOutputOnly, Raw: other},
			{Finding: scanner.Finding{File: "notebooks/explore.ipynb", Line: 20, Column: 9, RuleID: "aws-secret-access-key", Secret: secret, KeyID: keyID, Notebook: nb(2, 3, 20, nil)}, Kind: edit.SecretAccessKey, Fixed: true, Shape: "os.environ assignment", Raw: secret},
		}},
		{Path: ".env", Items: []Item{
			{Finding: scanner.Finding{File: ".env", Line: 2, Column: 13, RuleID: "generic-credential", Secret: set.Get("db_password")}, Kind: edit.Password, Fixed: true, Shape: ".env entry", Raw: set.Get("db_password")},
		}},
	}
}

// checkShell has bash parse the checklist's commands as printed: the
// KEYS line and every command line.
func checkShell(t *testing.T, report string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Log("bash is not installed: the checklist's shell syntax is not checked")
		return
	}
	var script []string
	for _, line := range strings.Split(report, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "KEYS=") || strings.HasPrefix(l, "for k in $KEYS") {
			script = append(script, l)
		}
	}
	if len(script) < 6 {
		t.Fatalf("the checklist has %d shell lines, want the KEYS line and 5 commands", len(script))
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(strings.Join(script, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the checklist's commands do not parse as printed: %v\n%s", err, out)
	}
}

func TestReportGolden(t *testing.T) {
	set := testsecrets.New(141)
	committed := set.Get("aws_secret")
	inHistory := func(file, s string) bool { return s == committed }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		name string
		opts ReportOptions
	}{
		{"dry-run", ReportOptions{InHistory: inHistory, Repo: "octo/nb", Now: now}},
		{"applied", ReportOptions{Applied: true, InHistory: inHistory, Repo: "octo/nb", Now: now}},
		{"redact-key-ids", ReportOptions{RedactKeyIDs: true, Now: now}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := BuildReport(goldenPlans(set), c.opts).WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			checkShell(t, buf.String())
			// The golden files hold no key: stand-ins as wide as a key id
			// keep the table's columns.
			got := buf.String()
			for i, name := range []string{"aws_key_id", "aws_key_id.2"} {
				got = strings.ReplaceAll(got, set.Get(name), fmt.Sprintf("FAKE_KEY_ID_%08d", i+1))
			}
			if strings.Contains(got, committed) || strings.Contains(got, set.Get("db_password")) {
				t.Fatal("the report holds a secret")
			}
			path := filepath.Join("testdata", "report", c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test ./remediate -run TestReportGolden -update writes it)", err)
			}
			if got != string(want) {
				t.Errorf("the report differs from %s (-update rewrites it):\n%s", path, got)
			}
		})
	}
}
