package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/remediate/jvm"
)

// The fix fixture repository (testdata/fixkernels) holds every notebook
// and language shape `fix` routes: R, Scala and bash notebooks, cell
// magics, R Markdown and Quarto chunks, Databricks MAGIC cells, f-string
// URIs, Scala and Java Spark, and call-site cells with plots. Its
// templates hold {{fake NAME}} markers filled at test time, {{urlencoded
// NAME}} for a URL-encoded copy and {{png}} for an image payload.
const kernelFixtures = "../../testdata/fixkernels"

var (
	urlencodedMarker = regexp.MustCompile(`\{\{urlencoded ([a-z0-9_.]+)\}\}`)
	fakeMarker       = regexp.MustCompile(`\{\{fake ([a-z0-9_.]+)\}\}`)
)

func fillKernelTemplate(set *testsecrets.Set, text string) string {
	text = strings.ReplaceAll(text, "{{png}}", nbtest.FakePNG(1200, ""))
	text = urlencodedMarker.ReplaceAllStringFunc(text, func(m string) string {
		return url.QueryEscape(set.Get(urlencodedMarker.FindStringSubmatch(m)[1]))
	})
	return set.Fill(text)
}

// kernelExpectation is a line of expected.txt: what becomes of every
// occurrence of a marker.
type kernelExpectation struct {
	file, name, status, reason string
}

// readKernelExpectations reads expected.txt: "FILE NAME fixed|manual
// [REASON]" per marker, and "FILE callsite CELL" for a cell that holds no
// secret but uses a constant that goes.
func readKernelExpectations(t *testing.T) ([]kernelExpectation, map[string]map[int]bool) {
	f, err := os.Open(filepath.Join(kernelFixtures, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []kernelExpectation
	callSites := map[string]map[int]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 3 && fields[1] == "callsite" {
			n, err := strconv.Atoi(fields[2])
			if err != nil {
				t.Fatalf("expected.txt: bad line %q", line)
			}
			if callSites[fields[0]] == nil {
				callSites[fields[0]] = map[int]bool{}
			}
			callSites[fields[0]][n] = true
			continue
		}
		if len(fields) < 3 || fields[2] != "fixed" && fields[2] != "manual" {
			t.Fatalf("expected.txt: bad line %q", line)
		}
		out = append(out, kernelExpectation{fields[0], fields[1], fields[2], strings.Join(fields[3:], " ")})
	}
	return out, callSites
}

type reportItem struct {
	File   string
	Line   int
	Cell   int
	Rule   string
	Shape  string
	Reason string
}

func TestFixKernelsFixture(t *testing.T) {
	set := testsecrets.New(1313)
	dir := t.TempDir()
	templates := map[string]string{}
	err := filepath.WalkDir(kernelFixtures, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "expected.txt" {
			return err
		}
		rel, _ := filepath.Rel(kernelFixtures, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		templates[filepath.ToSlash(rel)] = string(b)
		writeFile(t, filepath.Join(dir, rel), fillKernelTemplate(set, string(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]byte{}
	for rel := range templates {
		before[rel], _ = os.ReadFile(filepath.Join(dir, rel))
	}
	found := kernelScan(t, dir)

	reportFile := filepath.Join(t.TempDir(), "report.json")
	res := rolecall(t, dir, "fix", "--write", "--report", reportFile, "-q")
	if res.code != 0 && res.code != 1 {
		t.Fatalf("fix --write: exit %d\n%s", res.code, res.stderr)
	}
	for _, bad := range []string{"overlaps another edit", "edit [", "a rolecall bug", "internal error"} {
		if strings.Contains(res.stderr, bad) {
			t.Errorf("fix says %q:\n%s", bad, res.stderr)
		}
	}
	var rep struct {
		Fixed, Manual []reportItem
		Notes         []string
	}
	data, err := os.ReadFile(reportFile)
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}

	// Every occurrence of every marker is accounted for as expected.txt says.
	type at struct {
		file string
		line int
	}
	want := map[at]kernelExpectation{} // the markers on one line share a status
	var markers []kernelExpectation
	expectations, callSites := readKernelExpectations(t)
	for _, e := range expectations {
		tmpl, ok := templates[e.file]
		if !ok {
			t.Fatalf("expected.txt names %s, which is not a fixture", e.file)
		}
		markers = append(markers, e)
		n := 0
		for i, line := range strings.Split(tmpl, "\n") {
			if strings.Contains(line, "{{fake "+e.name+"}}") || strings.Contains(line, "{{urlencoded "+e.name+"}}") {
				if o, ok := want[at{e.file, i + 1}]; ok && o.status != e.status {
					t.Fatalf("expected.txt: %s and %s share line %d of %s but not a status", o.name, e.name, i+1, e.file)
				}
				want[at{e.file, i + 1}] = e
				n++
			}
		}
		if n == 0 {
			t.Errorf("expected.txt: no {{fake %s}} in %s", e.name, e.file)
		}
	}
	for rel, tmpl := range templates {
		for i, line := range strings.Split(tmpl, "\n") {
			for _, m := range fakeMarker.FindAllStringSubmatch(line, -1) {
				if _, ok := want[at{rel, i + 1}]; !ok {
					t.Errorf("%s:%d: {{fake %s}} is not in expected.txt", rel, i+1, m[1])
				}
			}
		}
	}
	seen := map[at]bool{}
	check := func(items []reportItem, status string) {
		for _, it := range items {
			k := at{it.File, it.Line}
			e, ok := want[k]
			seen[k] = true
			switch {
			case !ok:
				t.Errorf("%s:%d: unexpected %s finding %s (%s%s)", it.File, it.Line, status, it.Rule, it.Shape, it.Reason)
			case e.status != status:
				t.Errorf("%s:%d {{fake %s}}: %s (%s%s), want %s", it.File, it.Line, e.name, status, it.Shape, it.Reason, e.status)
			case status == "manual" && !strings.Contains(it.Reason, e.reason):
				t.Errorf("%s:%d {{fake %s}}: reason %q, want it to contain %q", it.File, it.Line, e.name, it.Reason, e.reason)
			}
		}
	}
	check(rep.Fixed, "fixed")
	check(rep.Manual, "manual")
	for k, e := range want {
		// A URL-encoded copy is no finding of its own: it is replaced with
		// the finding it copies.
		if !seen[k] && !strings.Contains(templates[k.file], "{{urlencoded "+e.name+"}}") {
			t.Errorf("%s:%d {{fake %s}} was not reported", k.file, k.line, e.name)
		}
	}
	t.Logf("fixture: %d findings; %d fixed, %d left by hand", len(found), len(rep.Fixed), len(rep.Manual))
	for _, it := range rep.Manual {
		t.Logf("  by hand: %s:%d %s: %s", it.File, it.Line, it.Rule, it.Reason)
	}
	for _, n := range rep.Notes {
		if strings.Contains(n, "replaced with") || strings.Contains(n, "removed, since") {
			t.Logf("  note: %s", n)
		}
	}

	// Nothing fixable is left: what a scan still finds is what expected.txt
	// leaves to a person, and no secret the report calls fixed is anywhere.
	manualSecrets := map[string]bool{}
	for _, e := range markers {
		if e.status == "manual" {
			manualSecrets[set.Get(e.name)] = true
		}
	}
	for _, f := range kernelScan(t, dir) {
		if !manualSecrets[f.Secret] {
			name := ""
			for n, v := range set.Values() {
				if v == f.Secret {
					name = n
				}
			}
			t.Errorf("%s:%d: %s {{fake %s}} is still there after fix --write", f.File, f.Line, f.Rule, name)
		}
	}
	for k, e := range want {
		v := set.Get(e.name)
		if e.status != "fixed" || manualSecrets[v] {
			continue
		}
		after, _ := os.ReadFile(filepath.Join(dir, k.file))
		if bytes.Contains(after, []byte(v)) || bytes.Contains(after, []byte(url.QueryEscape(v))) {
			t.Errorf("%s: {{fake %s}} is reported fixed but a copy is still in the file", k.file, e.name)
		}
	}
	if again := rolecall(t, dir, "fix"); again.stdout != "" {
		t.Errorf("a second fix proposes:\n%s", again.stdout)
	}

	// Cells that held no secret are byte for byte what they were, outputs
	// included.
	for rel := range templates {
		fixed, _ := os.ReadFile(filepath.Join(dir, rel))
		checkUntouchedCells(t, rel, before[rel], fixed, set, callSites[rel])
	}
	checkFixedSyntax(t, dir, templates)
}

// kernelScan returns what a scan finds in dir.
func kernelScan(t *testing.T, dir string) []struct {
	File, Rule, Secret string
	Line               int
} {
	t.Helper()
	res := rolecall(t, dir, "scan", "--format", "json", "--fail-on", "low", "--show-secrets")
	var fs []struct {
		File, Rule, Secret string
		Line               int
	}
	if err := json.Unmarshal([]byte(res.stdout), &fs); err != nil {
		t.Fatalf("scan: %v\n%s", err, res.stderr)
	}
	return fs
}

// checkUntouchedCells checks, for a notebook, that each cell that held
// none of the fake secrets is in the fixed file byte for byte, outputs
// included; of a call-site cell (its code used a constant that went), the
// outputs are.
func checkUntouchedCells(t *testing.T, rel string, orig, fixed []byte, set *testsecrets.Set, callSites map[int]bool) {
	t.Helper()
	nb, err := ipynb.Parse(rel, orig)
	if err != nil || nb == nil {
		return // not a notebook
	}
	untouched := 0
	for _, c := range nb.Cells {
		raw := orig[c.Start:c.End]
		holds := false
		for _, v := range set.Values() {
			holds = holds || bytes.Contains(raw, []byte(v)) || bytes.Contains(raw, []byte(url.QueryEscape(v)))
		}
		switch {
		case holds:
			continue
		case callSites[c.Index]:
			if nb.Root == nil {
				continue // text formats keep no outputs
			}
			if c.Outputs == nil || len(c.Outputs.Elems) == 0 {
				t.Errorf("%s cell %d: a call-site cell of the fixture has no outputs to keep", rel, c.Index)
			} else if out := orig[c.Outputs.Start:c.Outputs.End]; !bytes.Contains(fixed, out) {
				t.Errorf("%s cell %d: the outputs of a call-site cell changed", rel, c.Index)
			}
			continue
		}
		untouched++
		if !bytes.Contains(fixed, raw) {
			t.Errorf("%s cell %d held no secret but changed:\n%s", rel, c.Index, raw)
		}
	}
	if untouched == 0 {
		t.Errorf("%s: the fixture has no cell without a secret to compare", rel)
	}
}

// checkFixedSyntax parses the fixed code: Python with python3's ast,
// R with Rscript where R is installed, Scala and Java with rolecall's own
// tokenizer, notebooks against nbformat (the library where installed).
func checkFixedSyntax(t *testing.T, dir string, templates map[string]string) {
	t.Helper()
	srcDir := t.TempDir()
	var pyFiles, rFiles, notebooks []string
	n := 0
	for rel := range templates {
		path := filepath.Join(dir, rel)
		data, _ := os.ReadFile(path)
		switch filepath.Ext(rel) {
		case ".py":
			pyFiles = append(pyFiles, path)
		case ".scala", ".java", ".sc":
			if err := jvm.Validate(data); err != nil {
				t.Errorf("%s does not tokenize after the fix: %v", rel, err)
			}
		case ".ipynb":
			notebooks = append(notebooks, path)
		}
		nb, err := ipynb.Parse(rel, data)
		if err != nil || nb == nil {
			continue
		}
		for _, s := range nb.Segments {
			if s.Kind != ipynb.KindSource || s.CellType != "code" {
				continue
			}
			text := stripCellMagic(string(s.Text))
			n++
			switch s.Lang {
			case "python":
				if filepath.Ext(rel) == ".py" {
					continue // the file itself is parsed
				}
				p := filepath.Join(srcDir, fmt.Sprintf("cell%03d.py", n))
				writeFile(t, p, text)
				pyFiles = append(pyFiles, p)
			case "r":
				p := filepath.Join(srcDir, fmt.Sprintf("cell%03d.R", n))
				writeFile(t, p, text)
				rFiles = append(rFiles, p)
			case "scala":
				if err := jvm.Validate([]byte(text)); err != nil {
					t.Errorf("%s cell %d does not tokenize after the fix: %v", rel, s.Cell, err)
				}
			}
		}
	}
	sort.Strings(pyFiles)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("python3 is not installed: the fixed Python is not parsed")
	} else {
		script := `
import ast, re, sys
bad = []
for p in sys.argv[1:]:
    src = re.sub(r"(?m)^(\s*)([%!])", r"\1#\2", open(p).read())
    try:
        ast.parse(src)
    except SyntaxError as e:
        bad.append(f"{p}: {e}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
`
		if out, err := exec.Command("python3", append([]string{"-c", script}, pyFiles...)...).CombinedOutput(); err != nil {
			t.Errorf("python3 cannot parse the fixed code: %v\n%s", err, out)
		}
		t.Logf("python3 parses %d fixed Python files, cells and chunks", len(pyFiles))
	}
	if _, err := exec.LookPath("Rscript"); err != nil {
		t.Log("Rscript is not installed (apt-get install -y r-base-core): the fixed R is not parsed")
	} else {
		t.Logf("Rscript parses %d fixed R cells and chunks", len(rFiles))
		for _, p := range rFiles {
			if out, err := exec.Command("Rscript", "-e", fmt.Sprintf("invisible(parse(file=%q))", p)).CombinedOutput(); err != nil {
				data, _ := os.ReadFile(p)
				t.Errorf("R cannot parse fixed code: %v\n%s\n%s", err, out, data)
			}
		}
	}
	for _, p := range notebooks {
		checkNotebookStructure(t, p)
	}
	// The system Python may have nbformat where the one on PATH has not.
	for _, py := range []string{"python3", "/usr/bin/python3", ""} {
		if py == "" {
			t.Log("python3's nbformat is not installed (apt-get install -y python3-nbformat): notebooks are checked against the v4 structure only")
			break
		}
		if exec.Command(py, "-c", "import nbformat").Run() != nil {
			continue
		}
		script := "import nbformat, sys\nfor p in sys.argv[1:]:\n    nbformat.validate(nbformat.read(p, as_version=4))\n"
		if out, err := exec.Command(py, append([]string{"-c", script}, notebooks...)...).CombinedOutput(); err != nil {
			t.Errorf("nbformat rejects a fixed notebook: %v\n%s", err, out)
		}
		t.Logf("nbformat validated %d fixed notebooks", len(notebooks))
		break
	}
}

// stripCellMagic drops a leading "%%magic" line or Databricks "%lang" line:
// notebook syntax, not the language's.
func stripCellMagic(s string) string {
	t := strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(t, "%%") || strings.HasPrefix(t, "%") && !strings.HasPrefix(t, "%env") {
		if i := strings.IndexByte(t, '\n'); i >= 0 {
			return t[i+1:]
		}
		return ""
	}
	return s
}
