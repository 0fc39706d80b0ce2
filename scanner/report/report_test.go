package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

func sampleFindings(set *testsecrets.Set) []scanner.Finding {
	return []scanner.Finding{
		{RuleID: "aws-secret-access-key", Description: "AWS secret access key", Severity: detectors.High,
			File: "etl/load.py", Line: 12, Column: 22, EndLine: 12, EndColumn: 61, Secret: set.Get("aws_secret"),
			Fingerprint: "f1", AccountID: "123456789012", Hint: "Rotate it."},
		{RuleID: "generic-credential", Description: "Literal value", Severity: detectors.Low,
			File: "dir with space/nb,1.ipynb", Line: 40, Column: 5, EndLine: 40, EndColumn: 20, Secret: set.Get("db_password"),
			Fingerprint: "f2", Commit: "0123456789abcdef0123456789abcdef01234567", Author: "Ada", Email: "ada@example.org", Date: "2024-01-02T03:04:05Z",
			Notebook: &scanner.NotebookLocation{Cell: 3, CellID: "a1b2", CellLine: 2, CellColumn: 5, Part: "source"}},
		{RuleID: "aws-access-key-id", Description: "AWS access key ID", Severity: detectors.Medium,
			File: "nb.ipynb", Line: 80, Column: 9, EndLine: 80, EndColumn: 28, Secret: set.Get("aws_key_id"), Fingerprint: "f3",
			Notebook: &scanner.NotebookLocation{Cell: 4, CellLine: 1, CellColumn: 9, Part: "output",
				Output: &scanner.OutputLocation{Index: 1, Type: "stream", MIME: "stdout"}}},
	}
}

func render(t *testing.T, format string, fs []scanner.Finding, o Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, fs, o); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestEveryFormatRedacts(t *testing.T) {
	set := testsecrets.New(1)
	fs := sampleFindings(set)
	eng, _ := detectors.NewEngine(nil)
	for _, format := range Formats {
		for _, show := range []bool{false, true} {
			out := render(t, format, fs, Options{ShowSecrets: show, Rules: eng.Rules(), Stats: &Stats{Files: 2}})
			for _, f := range fs {
				// AWS key ids are identifiers, shown whole by default.
				isID := detectors.IsAWSID(f.Secret)
				if strings.Contains(out, f.Secret) != (show || isID) {
					t.Errorf("%s (show-secrets %v): full %s present = %v", format, show, f.RuleID, !show)
				}
				if isID && !show && strings.Contains(render(t, format, fs, Options{RedactKeyIDs: true, Rules: eng.Rules()}), f.Secret) {
					t.Errorf("%s --redact-key-ids: key id present", format)
				}
				if !strings.Contains(out, f.Secret[:2]) {
					t.Errorf("%s: not even the secret's first characters are shown", format)
				}
			}
		}
	}
	// The caller's findings are not modified.
	if fs[0].Secret != set.Get("aws_secret") {
		t.Error("Write modified its input")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"AKIAABCDEFGHIJKLMNOP": "AKIA***",
		"hunter2x":             "hu***",
		"abc":                  "***",
		"":                     "***",
		"ééééééééééééé":        "éééé***",
	} {
		if got := scanner.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// The JSON report is a public interface: check the field names and types
// every finding must have, and the optional ones when they apply.
func TestJSONSchema(t *testing.T) {
	out := render(t, "json", sampleFindings(testsecrets.New(2)), Options{})
	var arr []map[string]any
	if err := json.Unmarshal([]byte(out), &arr); err != nil {
		t.Fatalf("not a JSON array: %v", err)
	}
	required := map[string]string{"rule": "string", "description": "string", "severity": "string", "file": "string",
		"line": "number", "column": "number", "end_line": "number", "end_column": "number", "secret": "string", "fingerprint": "string"}
	optional := map[string]string{"commit": "string", "author": "string", "email": "string", "date": "string",
		"account_id": "string", "notebook": "object", "hint": "string"}
	for i, obj := range arr {
		for k, typ := range required {
			if jsonType(obj[k]) != typ {
				t.Errorf("finding %d: %q is %s, want %s", i, k, jsonType(obj[k]), typ)
			}
		}
		for k, v := range obj {
			if _, ok := required[k]; ok {
				continue
			}
			if typ, ok := optional[k]; !ok || jsonType(v) != typ {
				t.Errorf("finding %d: unexpected field %q (%s)", i, k, jsonType(v))
			}
		}
	}
	nb := arr[1]["notebook"].(map[string]any)
	for k, typ := range map[string]string{"cell": "number", "cell_id": "string", "cell_line": "number", "cell_column": "number", "output": "null"} {
		if jsonType(nb[k]) != typ {
			t.Errorf("notebook.%s is %s, want %s", k, jsonType(nb[k]), typ)
		}
	}
	outp := arr[2]["notebook"].(map[string]any)["output"].(map[string]any)
	if outp["index"] != float64(1) || outp["type"] != "stream" {
		t.Errorf("notebook.output = %v", outp)
	}
	if arr[0]["account_id"] != "123456789012" || arr[1]["commit"] == nil {
		t.Error("account_id or commit missing where they apply")
	}
	if empty := render(t, "json", nil, Options{}); strings.TrimSpace(empty) != "[]" {
		t.Errorf("no findings renders %q, want []", empty)
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// TestSARIFStructure checks the properties SARIF 2.1.0 requires and those
// GitHub code scanning reads (docs: "SARIF support for code scanning").
func TestSARIFStructure(t *testing.T) {
	eng, _ := detectors.NewEngine(nil)
	out := render(t, "sarif", sampleFindings(testsecrets.New(3)), Options{Rules: eng.Rules(), Version: "1.2.3"})
	for _, p := range sariftest.Problems([]byte(out)) {
		t.Error(p)
	}
	var log map[string]any
	_ = json.Unmarshal([]byte(out), &log)
	res := log["runs"].([]any)[0].(map[string]any)["results"].([]any)
	loc := res[1].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	if uri := loc["artifactLocation"].(map[string]any)["uri"]; uri != "dir%20with%20space/nb%2C1.ipynb" {
		t.Errorf("uri %v is not percent-encoded", uri)
	}
	if base := loc["artifactLocation"].(map[string]any)["uriBaseId"]; base != "%SRCROOT%" {
		t.Errorf("relative path without %%SRCROOT%%: %v", base)
	}
	abs := sampleFindings(testsecrets.New(3))[:1]
	abs[0].File = "/srv/repo/etl/load.py"
	var absLog map[string]any
	_ = json.Unmarshal([]byte(render(t, "sarif", abs, Options{})), &absLog)
	absLoc := absLog["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)
	if absLoc["uri"] != "file:///srv/repo/etl/load.py" || absLoc["uriBaseId"] != nil {
		t.Errorf("absolute path: %v", absLoc)
	}
	region := loc["region"].(map[string]any)
	if region["endColumn"] != float64(21) {
		t.Errorf("SARIF endColumn %v, want exclusive 21", region["endColumn"])
	}
	if problems := sariftest.Problems([]byte(render(t, "sarif", nil, Options{}))); len(problems) > 0 {
		t.Errorf("empty run: %v", problems)
	}
}

func TestGitHubAnnotations(t *testing.T) {
	fs := sampleFindings(testsecrets.New(4))
	out := render(t, "github", fs, Options{})
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d annotation lines, want 3:\n%s", len(lines), out)
	}
	for i, want := range []string{
		"::error file=etl/load.py,line=12,endLine=12,col=22,endColumn=62,title=aws-secret-access-key%3A AWS secret access key::",
		"::warning file=nb.ipynb,line=80,",
		"::notice file=dir with space/nb%2C1.ipynb,line=40,",
	} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "%0ARotate it.") {
		t.Errorf("newline in message not escaped: %q", lines[0])
	}
	if !strings.Contains(lines[2], "cell 3 line 2") || !strings.Contains(lines[1], "cell 4 output 1 (stream stdout) line 1") {
		t.Errorf("notebook locations missing: %q", out)
	}
}

func TestTextReport(t *testing.T) {
	fs := sampleFindings(testsecrets.New(5))
	plain := render(t, "text", fs, Options{FailOn: detectors.Medium, Stats: &Stats{Files: 4, Skipped: 1}})
	for _, want := range []string{
		"etl/load.py:12:22", "AWS account 123456789012", "Rotate it.",
		"dir with space/nb,1.ipynb cell 3 line 2 (file 40:5)", "commit 0123456789ab by Ada <ada@example.org>",
		"[below --fail-on]", "3 findings (1 high, 1 medium, 1 low) in 3 files; 4 files scanned; 1 skipped",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("text report lacks %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "\x1b[") {
		t.Error("colour codes without Color")
	}
	if coloured := render(t, "text", fs, Options{Color: true}); !strings.Contains(coloured, "\x1b[31") {
		t.Error("no colour codes with Color")
	}
	if clean := render(t, "text", nil, Options{Stats: &Stats{Files: 9}}); !strings.Contains(clean, "no secrets found; 9 files scanned.") {
		t.Errorf("clean summary: %q", clean)
	}
}

func TestTextHintsWrap(t *testing.T) {
	fs := sampleFindings(testsecrets.New(5))
	fs[0].Hint = strings.Repeat("rotate the key now ", 12)
	out := render(t, "text", fs[:1], Options{Width: 60})
	hint := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "       ") && !strings.Contains(line, ":") {
			hint++
			if utf8.RuneCountInString(line) > 60 {
				t.Errorf("hint line wider than 60: %q", line)
			}
		}
	}
	if hint < 3 {
		t.Errorf("hint not wrapped into indented lines:\n%s", out)
	}
	if out := render(t, "text", fs[:1], Options{}); strings.Count(out, "rotate the key") != 12 || strings.Count(out, "\n       rotate") != 1 {
		t.Errorf("without a width the hint is one line:\n%s", out)
	}
}
