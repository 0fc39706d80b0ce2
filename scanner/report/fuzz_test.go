package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// FuzzReportEscape renders a finding whose every input-derived string is
// fuzzed, as text, GitHub annotations and a job summary: no control
// character reaches the output, and input can never start a line.
func FuzzReportEscape(f *testing.F) {
	f.Add("src/\x1b]0;pwned\x07a.py", "Ada\nHIGH   x.py:1:1  aws", "a@b\r", "rule", "desc", "hint%0A::error::x", "AKIAsecret\u009b", "c0ffee")
	f.Add("a,b:c.py", "", "", "r:1,2", "d\u202e", "", "s", "")
	f.Add("plain.py", "Ada", "ada@example.org", "aws-secret-access-key", "AWS secret", "rotate it", "abcd1234efgh", "0123456789abcdef")
	f.Fuzz(func(t *testing.T, file, author, email, rule, desc, hint, secret, commit string) {
		fin := scanner.Finding{RuleID: rule, Description: desc, Severity: detectors.High, File: file, Line: 3, Column: 2,
			EndLine: 3, EndColumn: 9, Secret: secret, Commit: commit, Author: author, Email: email, Hint: hint,
			Notebook: &scanner.NotebookLocation{Cell: 1, CellID: author, Part: "metadata", MetadataKey: email}}
		o := Options{ShowSecrets: true}

		var text bytes.Buffer
		if err := Write(&text, "text", []scanner.Finding{fin}, o); err != nil {
			t.Fatal(err)
		}
		want := 3 // header, description, blank line
		if commit != "" {
			want++
		}
		if hint != "" {
			want++
		}
		checkOutput(t, "text", text.String(), want)

		var gh bytes.Buffer
		if err := Write(&gh, "github", []scanner.Finding{fin}, o); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, "github", gh.String(), 1)
		line := strings.TrimSuffix(gh.String(), "\n")
		props, _, ok := strings.Cut(strings.TrimPrefix(line, "::error "), "::")
		if !strings.HasPrefix(line, "::error ") || !ok {
			t.Fatalf("not one annotation: %q", line)
		}
		for _, p := range strings.Split(props, ",") {
			k, _, _ := strings.Cut(p, "=")
			switch k {
			case "file", "line", "endLine", "col", "endColumn", "title":
			default:
				t.Fatalf("input forged property %q in %q", p, props)
			}
		}

		var sum bytes.Buffer
		if err := WriteGitHubSummary(&sum, file, 1, []scanner.Finding{fin}, o); err != nil {
			t.Fatal(err)
		}
		checkOutput(t, "summary", sum.String(), strings.Count(sum.String(), "\n"))
		for _, l := range strings.Split(sum.String(), "\n") {
			if strings.HasPrefix(l, "| HIGH") || strings.HasPrefix(l, "| high") {
				if n := strings.Count(strings.ReplaceAll(l, `\|`, ""), "|"); n != 8 {
					t.Fatalf("table row has %d cell borders: %q", n, l)
				}
			}
		}
	})
}

// checkOutput fails on any control character but the line ends, on text
// that is not UTF-8, and on a line count other than want.
func checkOutput(t *testing.T, format, out string, want int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s: output is not UTF-8: %q", format, out)
	}
	for _, r := range out {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0x2028 || r == 0x2029 || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("%s: control character %U in output %q", format, r, out)
		}
	}
	if got := strings.Count(out, "\n"); got != want {
		t.Fatalf("%s: %d lines, want %d: %q", format, got, want, out)
	}
}
