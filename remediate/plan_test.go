package remediate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

// deleteLines is a stand-in rewriter: it deletes each line holding a
// target, so these tests exercise the fixer's own work (splicing, outputs,
// redaction, verification) independently of the language rewriters.
func deleteLines(text []byte, targets []edit.Target, _ edit.Options) edit.Result {
	var r edit.Result
	seen := map[int]bool{}
	for i, t := range targets {
		e := edit.DeleteLines(text, t.Start, t.End)
		if !seen[e.Start] {
			seen[e.Start] = true
			r.Edits = append(r.Edits, e)
		}
		r.Outcomes = append(r.Outcomes, edit.Outcome{Target: i, Fixed: true, Shape: "line deleted"})
	}
	return r
}

func testPlanner(t testing.TB) (*Planner, *scanner.Scanner) {
	eng, err := detectors.NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := scanner.New(eng)
	return &Planner{Scanner: s, Registry: Registry{
		ForPath: func(string, detectors.Lang) (edit.Rewriter, func([]byte) error) { return deleteLines, nil },
		ForLang: func(string) (edit.Rewriter, func([]byte) error) { return deleteLines, nil },
	}}, s
}

func planFor(t *testing.T, p *Planner, s *scanner.Scanner, file string, data []byte) *FilePlan {
	t.Helper()
	fs, _ := s.Scan(scanner.Content{Path: file, Data: data})
	if len(fs) == 0 {
		t.Fatalf("%s: no findings to fix", file)
	}
	return p.Plan(file, data, fs)
}

func leakyNotebook(set *testsecrets.Set) *nbtest.Notebook {
	return &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "markdown", ID: "m1", Source: "# Load data\nUses the team key " + set.Get("aws_key_id") + " for now."},
		{Type: "code", ID: "c1", Source: "import boto3\nKEY = \"" + set.Get("aws_key_id") + "\"\nSECRET = \"" + set.Get("aws_secret") + "\"\nprint('café')",
			Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "café " + set.Get("aws_key_id") + "\n"}}},
		{Type: "code", ID: "c2", Source: "s3 = boto3.client('s3')\ns3.list_buckets()",
			Outputs: []nbtest.Output{{Type: "execute_result", ExecutionCount: 2, Data: nbtest.Map{{Key: "text/plain", Value: nbtest.Lines("{'Owner': '" + set.Get("aws_key_id") + "'}")}}}}},
		{Type: "code", ID: "c3", Source: "x = 1"},
	}}
}

func TestNotebookPlanAcrossWriters(t *testing.T) {
	styles := map[string]nbtest.Style{"jupyter": nbtest.Jupyter, "vscode": nbtest.VSCode, "colab": nbtest.Colab, "minified": nbtest.Minified}
	for name, style := range styles {
		for _, o := range []nbtest.Options{{}, {OneString: true}, {CRLF: true}, {ASCII: true}} {
			t.Run(fmt.Sprintf("%s %+v", name, o), func(t *testing.T) {
				set := testsecrets.New(71)
				data := nbtest.Write(leakyNotebook(set), style, o)
				p, s := testPlanner(t)
				plan := planFor(t, p, s, "nb.ipynb", data)
				if !plan.Changed() {
					t.Fatalf("no change; items %+v", plan.Items)
				}
				for _, it := range plan.Items {
					if !it.Fixed {
						t.Errorf("not fixed: %s in %+v: %s", it.Finding.RuleID, it.Finding.Notebook, it.Reason)
					}
				}
				// The expected file: the same notebook model with the edits
				// made, written by the same writer. Byte-identical means
				// layout, key order, escaping and final newline are kept.
				want := leakyNotebook(set)
				want.Cells[0].Source = strings.ReplaceAll(want.Cells[0].Source, set.Get("aws_key_id"), Redacted)
				want.Cells[1].Source = "import boto3\nprint('café')"
				want.Cells[1].Outputs = nil
				want.Cells[2].Outputs[0].Data = nbtest.Map{{Key: "text/plain", Value: nbtest.Lines("{'Owner': '" + Redacted + "'}")}}
				if wantData := nbtest.Write(want, style, o); !bytes.Equal(plan.Result, wantData) {
					t.Errorf("result differs from the writer's own output:\n%s\nwant:\n%s", plan.Diff(), wantData)
				}
				if !json.Valid(plan.Result) {
					t.Error("result is not JSON")
				}
				// A second run finds nothing to fix.
				if fs, _ := s.Scan(scanner.Content{Path: "nb.ipynb", Data: plan.Result}); len(fs) != 0 {
					t.Errorf("findings after the fix: %d", len(fs))
				}
			})
		}
	}
}

func TestNotebookManualCases(t *testing.T) {
	set := testsecrets.New(72)
	p, s := testPlanner(t)
	// Only in an output: nothing in the code to change.
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{{Type: "code", Source: "creds = sts.get_session_token()\nprint(creds)",
		Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "AccessKeyId " + set.Get("aws_asia_id") + "\n"}}}}}
	plan := planFor(t, p, s, "out.ipynb", nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{}))
	if plan.Changed() || plan.Items[0].Fixed || plan.Items[0].Reason != reasonOutputOnly {
		t.Errorf("output-only secret: changed %v, items %+v", plan.Changed(), plan.Items)
	}
	// Not valid JSON: never edited.
	broken := []byte(`{"cells": [{"cell_type": "code", "source": ["k = \"` + set.Get("aws_key_id") + `\""`)
	plan = planFor(t, p, s, "broken.ipynb", broken)
	if plan.Changed() || !strings.Contains(plan.Items[0].Reason, "not valid JSON") {
		t.Errorf("broken notebook: %+v", plan.Items)
	}
}

// When the rewriter leaves a key in a code cell, nothing else in the
// notebook may claim it: no code cell is touched, no copy is redacted.
func TestNotebookKeepsCopiesOfAKeyLeftInCode(t *testing.T) {
	set := testsecrets.New(77)
	nb := leakyNotebook(set)
	data := nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})
	p, s := testPlanner(t)
	p.Registry.ForLang = func(string) (edit.Rewriter, func([]byte) error) {
		return func(text []byte, ts []edit.Target, _ edit.Options) edit.Result {
			return edit.Manual(ts, "constant KEY is also used elsewhere; edit by hand")
		}, nil
	}
	plan := planFor(t, p, s, "nb.ipynb", data)
	if plan.Changed() {
		t.Errorf("the notebook was edited:\n%s", plan.Diff())
	}
	for _, it := range plan.Items {
		if it.Fixed {
			t.Errorf("%s in %+v claimed fixed", it.Finding.RuleID, it.Finding.Notebook)
		}
		if it.Finding.Secret == set.Get("aws_key_id") && it.Finding.Notebook.Part != "source" || it.Finding.Notebook.CellType == "markdown" {
			if !strings.Contains(it.Reason, "still in the code of cell 2") {
				t.Errorf("copy in %+v: reason %q", it.Finding.Notebook, it.Reason)
			}
		}
	}
}

func TestPlanGuards(t *testing.T) {
	set := testsecrets.New(73)
	src := []byte("import os\nKEY = \"" + set.Get("aws_key_id") + "\"\nTOKEN = \"" + set.Get("github_pat") + "\"\n")
	t.Run("other tokens are not rewritten", func(t *testing.T) {
		p, s := testPlanner(t)
		plan := planFor(t, p, s, "a.py", src)
		for _, it := range plan.Items {
			if it.Finding.RuleID == "github-token" && (it.Fixed || !strings.Contains(it.Reason, "revoke it")) {
				t.Errorf("github token: %+v", it)
			}
		}
	})
	t.Run("shared credentials file", func(t *testing.T) {
		p, s := testPlanner(t)
		p.Registry = DefaultRegistry() // its config rewriter owns this rule
		plan := planFor(t, p, s, "home/.aws/credentials", []byte("[default]\naws_access_key_id = "+set.Get("aws_key_id")+"\n"))
		if plan.Changed() || !strings.Contains(plan.Items[0].Reason, "git rm --cached") {
			t.Errorf("credentials file: %+v", plan.Items)
		}
	})
	t.Run("a rewrite that leaves the secret is dropped", func(t *testing.T) {
		p, s := testPlanner(t)
		p.Registry.ForPath = func(string, detectors.Lang) (edit.Rewriter, func([]byte) error) {
			return func(text []byte, ts []edit.Target, _ edit.Options) edit.Result {
				r := edit.Result{Edits: []edit.Edit{{Start: 0, End: 0, New: "# fixed\n"}}}
				for i := range ts {
					r.Outcomes = append(r.Outcomes, edit.Outcome{Target: i, Fixed: true})
				}
				return r
			}, nil
		}
		plan := planFor(t, p, s, "a.py", src)
		if plan.Changed() || plan.Items[0].Fixed || !strings.Contains(plan.Items[0].Reason, "copy of the secret") {
			t.Errorf("lying rewriter accepted: %+v", plan.Items)
		}
	})
	t.Run("a rewriter that panics fails its file only", func(t *testing.T) {
		p, s := testPlanner(t)
		p.Registry.ForPath = func(string, detectors.Lang) (edit.Rewriter, func([]byte) error) {
			return func([]byte, []edit.Target, edit.Options) edit.Result { panic("boom") }, nil
		}
		plan := planFor(t, p, s, "a.py", src)
		if plan.Changed() || plan.Items[0].Fixed || !strings.Contains(plan.Items[0].Reason, "internal error") {
			t.Errorf("panic: %+v", plan.Items)
		}
	})
	t.Run("a rewrite that does not parse is dropped", func(t *testing.T) {
		p, s := testPlanner(t)
		p.Registry.ForPath = func(string, detectors.Lang) (edit.Rewriter, func([]byte) error) {
			return deleteLines, func([]byte) error { return fmt.Errorf("unbalanced") }
		}
		plan := planFor(t, p, s, "a.py", src)
		if plan.Changed() || !strings.Contains(plan.Items[0].Reason, "would not parse") {
			t.Errorf("invalid rewrite accepted: %+v", plan.Items)
		}
	})
}

func TestWriteSafety(t *testing.T) {
	set := testsecrets.New(74)
	dir := t.TempDir()
	file := filepath.Join(dir, "a.py")
	src := []byte("import os\nKEY = \"" + set.Get("aws_key_id") + "\"\n")
	os.WriteFile(file, src, 0o640)
	p, s := testPlanner(t)
	plan := planFor(t, p, s, file, src)
	snap := func() outfile.Snapshot {
		info, _ := os.Lstat(file)
		return outfile.Take(info, src)
	}
	before := snap()

	os.WriteFile(file, append(src, '#'), 0o640) // someone edits it meanwhile
	if err := plan.Write(file, before); err == nil || !strings.Contains(err.Error(), "changed since it was scanned") {
		t.Errorf("wrote over a changed file: %v", err)
	}
	os.WriteFile(file, src, 0o640)
	if err := plan.Write(file, snap()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	info, _ := os.Stat(file)
	if string(got) != "import os\n" || info.Mode().Perm() != 0o640 {
		t.Errorf("wrote %q with mode %v", got, info.Mode())
	}
	link := filepath.Join(dir, "link.py")
	os.Symlink(file, link)
	info, _ = os.Lstat(file)
	if err := plan.Write(link, outfile.Take(info, src)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("wrote through a symlink: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// The diff is what `git apply` accepts, notebooks and names with spaces
// included.
func TestDiffAppliesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	set := testsecrets.New(75)
	dir := t.TempDir()
	files := map[string][]byte{
		"dir with space/nb.ipynb": nbtest.Write(leakyNotebook(set), nbtest.Colab, nbtest.Options{}),
		"etl.py":                  []byte("import os\nKEY = \"" + set.Get("aws_key_id") + "\""),
	}
	p, s := testPlanner(t)
	var diff strings.Builder
	want := map[string][]byte{}
	for name, data := range files {
		path := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, data, 0o644)
		plan := planFor(t, p, s, name, data)
		diff.WriteString(plan.Diff())
		want[name] = plan.Result
	}
	cmd := exec.Command("git", "apply", "--unsafe-paths", "-")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(diff.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\n%s", err, out, diff.String())
	}
	for name, w := range want {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(got, w) {
			t.Errorf("%s after git apply differs from the plan", name)
		}
	}
}

// A rewritten notebook cell can carry another secret along (its whole
// source string is replaced), and a secret holding a quote is spelled
// escaped in the JSON: redaction must catch both.
func TestRedactionCoversCarriedAndEscapedSecrets(t *testing.T) {
	set := testsecrets.New(76)
	quoted := "Hq8\"Lw3#" + set.Get("db_password")
	cell := "import boto3\nKEY = \"" + set.Get("aws_key_id") + "\"\nTOKEN = \"" + set.Get("github_pat") + "\"\nPASSWORD = \"" + strings.ReplaceAll(quoted, `"`, `\"`) + "\""
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{{Type: "code", Source: cell}}}
	p, s := testPlanner(t)
	plan := planFor(t, p, s, "nb.ipynb", nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{}))
	if !plan.Changed() {
		t.Fatalf("nothing fixed: %+v", plan.Items)
	}
	if !strings.Contains(plan.Redact(plan.Diff()), set.Get("aws_key_id")) {
		t.Error("the redacted diff hides the key id, an identifier shown whole by default")
	}
	plan.RedactKeyIDs = true
	var inserted strings.Builder
	for _, r := range plan.SARIFFix(true).ArtifactChanges[0].Replacements {
		inserted.WriteString(r.InsertedContent.Text)
	}
	for name, out := range map[string]string{"diff": plan.Redact(plan.Diff()), "SARIF fix": inserted.String()} {
		for _, it := range plan.Items {
			if strings.Contains(out, it.Finding.Secret) || it.Raw != "" && strings.Contains(out, it.Raw) {
				t.Errorf("the redacted %s holds %s (raw %q)", name, it.Finding.RuleID, it.Raw)
			}
		}
	}
	escaped := false
	for _, it := range plan.Items {
		escaped = escaped || it.Raw != it.Finding.Secret
	}
	if !escaped {
		t.Error("the test has no secret spelled differently in the JSON")
	}
}

func TestSARIFFixRegions(t *testing.T) {
	data := []byte("é = 1\nkey = 'x'\n")
	plan := &FilePlan{Path: "a.py", Original: data, Result: []byte("é = 1\n"), Edits: []edit.Edit{{Start: 7, End: 18, New: ""}}}
	fix := plan.SARIFFix(false)
	r := fix.ArtifactChanges[0].Replacements[0].DeletedRegion
	if r.StartLine != 2 || r.StartColumn != 1 || r.EndLine != 3 || r.EndColumn != 1 {
		t.Errorf("region %+v", r)
	}
	r = region(scanner.NewLineIndex(data), edit.Edit{Start: 4, End: 5})
	if r.StartLine != 1 || r.StartColumn != 4 || r.EndColumn != 5 {
		t.Errorf("code-point columns: %+v", r)
	}
}
