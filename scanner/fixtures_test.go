package scanner

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/detectors/tokenfmt"
)

// planted is one filled {{fake NAME}} marker: where its value landed.
type planted struct {
	file      string
	name      string
	line, col int
}

var markerRE = regexp.MustCompile(`\{\{(fake|decoy) ([a-z0-9_]+(?:\.[a-z0-9_]+)?)\}\}`)

// materialise copies a template tree into dst, filling markers with values
// from set, and returns where each {{fake}} value was planted.
func materialise(t *testing.T, src, dst string, set *testsecrets.Set) []planted {
	t.Helper()
	var out []planted
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var b strings.Builder
		last := 0
		for _, m := range markerRE.FindAllStringSubmatchIndex(string(data), -1) {
			b.Write(data[last:m[0]])
			kind, name := string(data[m[2]:m[3]]), string(data[m[4]:m[5]])
			if kind == "fake" {
				before := b.String()
				line := strings.Count(before, "\n") + 1
				col := len([]rune(before[strings.LastIndexByte(before, '\n')+1:])) + 1
				out = append(out, planted{file: filepath.ToSlash(rel), name: name, line: line, col: col})
			}
			b.WriteString(set.Get(name))
			last = m[1]
		}
		b.Write(data[last:])
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, []byte(b.String()), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type expectation struct {
	rule, severity string
}

func readManifest(t *testing.T, path string) map[string]expectation {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]expectation{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			t.Fatalf("manifest line %q: want FILE NAME RULE [SEVERITY]", line)
		}
		e := expectation{rule: fields[2]}
		if len(fields) > 3 {
			e.severity = fields[3]
		}
		out[fields[0]+" "+fields[1]] = e
	}
	return out
}

func scanDir(t *testing.T, dir string) *Result {
	t.Helper()
	eng, err := detectors.NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New(eng).ScanPaths(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestFixtureTree: every planted credential is found, by the rule the
// manifest names, at its exact line and column; nothing else is reported.
func TestFixtureTree(t *testing.T) {
	src := filepath.Join("..", "testdata", "fixtures")
	dir := t.TempDir()
	set := testsecrets.New(42)
	plants := materialise(t, src, dir, set)
	manifest := readManifest(t, filepath.Join(src, "expected.txt"))
	res := scanDir(t, dir)

	type key struct {
		file      string
		line, col int
	}
	found := map[key]Finding{}
	for _, f := range res.Findings {
		rel, _ := filepath.Rel(dir, filepath.FromSlash(f.File))
		found[key{filepath.ToSlash(rel), f.Line, f.Column}] = f
	}
	rulesSeen := map[string]bool{}
	for _, p := range plants {
		want, ok := manifest[p.file+" "+p.name]
		if !ok {
			t.Errorf("%s: marker %s has no line in expected.txt", p.file, p.name)
			continue
		}
		k := key{p.file, p.line, p.col}
		f, ok := found[k]
		if !ok {
			t.Errorf("%s:%d:%d: %s (%s) not found", p.file, p.line, p.col, p.name, want.rule)
			continue
		}
		delete(found, k)
		rulesSeen[f.RuleID] = true
		if f.RuleID != want.rule {
			t.Errorf("%s:%d:%d: %s found by %s, want %s", p.file, p.line, p.col, p.name, f.RuleID, want.rule)
		}
		if want.severity != "" && f.Severity.String() != want.severity {
			t.Errorf("%s:%d:%d: %s severity %s, want %s", p.file, p.line, p.col, p.name, f.Severity, want.severity)
		}
		if f.Encoding != "" {
			// found by decoding the planted literal
			if raw, _ := tokenfmt.DecodeBase64(set.Get(p.name)); !strings.Contains(string(raw), f.Secret) || f.Secret == "" {
				t.Errorf("%s:%d:%d: secret %q is not in the decoded %s", p.file, p.line, p.col, f.Secret, p.name)
			}
		} else if f.Secret != set.Get(p.name) {
			t.Errorf("%s:%d:%d: secret %q, want %q", p.file, p.line, p.col, f.Secret, set.Get(p.name))
		}
	}
	for k, f := range found {
		t.Errorf("unexpected finding %s:%d:%d %s %q", k.file, k.line, k.col, f.RuleID, f.Secret)
	}
	eng, _ := detectors.NewEngine(nil)
	var missing []string
	for _, r := range eng.Rules() {
		if !rulesSeen[r.ID] {
			missing = append(missing, r.ID)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the fixture tree exercises no finding of rules %v", missing)
	}
}

// TestDecoyTree: example keys, placeholders, env reads, digests, ids and
// base64 payloads produce nothing.
func TestDecoyTree(t *testing.T) {
	dir := t.TempDir()
	materialise(t, filepath.Join("..", "testdata", "decoys"), dir, testsecrets.New(99))
	res := scanDir(t, dir)
	for _, f := range res.Findings {
		t.Errorf("decoy reported: %s:%d:%d %s %q", f.File, f.Line, f.Column, f.RuleID, f.Secret)
	}
	if res.Files < 8 {
		t.Errorf("only %d decoy files scanned", res.Files)
	}
}

// Fingerprints ignore the line: adding lines above a secret keeps it.
func TestFingerprintSurvivesEditsAbove(t *testing.T) {
	set := testsecrets.New(5)
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)
	body := fmt.Sprintf("api_key = %q\n", set.Get("token"))
	a, _ := s.Scan(Content{Path: "a.py", Data: []byte(body)})
	b, _ := s.Scan(Content{Path: "a.py", Data: []byte("import os\n\n# config\n" + body)})
	c, _ := s.Scan(Content{Path: "b.py", Data: []byte(body)})
	if len(a) != 1 || len(b) != 1 || len(c) != 1 {
		t.Fatalf("findings %d %d %d, want 1 each", len(a), len(b), len(c))
	}
	if a[0].Line == b[0].Line || a[0].Fingerprint != b[0].Fingerprint {
		t.Errorf("fingerprint changed with the line: %s vs %s", a[0].Fingerprint, b[0].Fingerprint)
	}
	if a[0].Fingerprint == c[0].Fingerprint {
		t.Errorf("fingerprint does not depend on the file")
	}
}

func TestPositions(t *testing.T) {
	set := testsecrets.New(9)
	tok := set.Get("token")
	cases := []struct {
		name, text      string
		line, col, ecol int
	}{
		{"ascii", "x = 1\napi_key = '" + tok + "'\n", 2, 12, 11 + len(tok)},
		{"utf8 before", "# café ☕\nlabel = 'é'; api_key = '" + tok + "'\n", 2, 25, 24 + len(tok)},
		{"crlf", "x = 1\r\n\r\napi_key = '" + tok + "'\r\n", 3, 12, 11 + len(tok)},
		{"no final newline", "api_key = '" + tok + "'", 1, 12, 11 + len(tok)},
	}
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, _ := s.Scan(Content{Path: "a.py", Data: []byte(c.text)})
			if len(fs) != 1 {
				t.Fatalf("%d findings", len(fs))
			}
			f := fs[0]
			if f.Line != c.line || f.Column != c.col || f.EndLine != c.line || f.EndColumn != c.ecol {
				t.Errorf("got %d:%d-%d:%d, want %d:%d-%d:%d", f.Line, f.Column, f.EndLine, f.EndColumn, c.line, c.col, c.line, c.ecol)
			}
			if c.text[f.Offset:f.EndOffset] != tok {
				t.Errorf("offsets hold %q", c.text[f.Offset:f.EndOffset])
			}
		})
	}
}

// sortedFiles lists the distinct files of findings.
func sortedFiles(fs []Finding) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		if !seen[f.File] {
			seen[f.File] = true
			out = append(out, f.File)
		}
	}
	sort.Strings(out)
	return out
}

// Columns computed onward from a cursor agree with counting from the line
// start, in any order of offsets.
func TestLineIndexCursor(t *testing.T) {
	text := []byte("ab\ncé☕d\n\nxyz")
	li := NewLineIndex(text)
	want := func(off int) (int, int) {
		line := strings.Count(string(text[:off]), "\n") + 1
		start := strings.LastIndex(string(text[:off]), "\n") + 1
		return line, len([]rune(string(text[start:off]))) + 1
	}
	for _, off := range []int{0, 1, 3, 4, 6, 9, 12, 5, 4, 13, 11, 2, 9} {
		l, c := li.Pos(off)
		wl, wc := want(off)
		if l != wl || c != wc {
			t.Errorf("pos(%d) = %d:%d, want %d:%d", off, l, c, wl, wc)
		}
	}
}
