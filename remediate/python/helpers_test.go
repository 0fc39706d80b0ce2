package python

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/remediate/edit/edittest"
)

// Test inputs hold placeholders that are replaced at run time with fake
// credentials from testsecrets, so no file holds anything key-shaped.
// Every occurrence of a placeholder in an input is a target, in text
// order, as the detectors would report it.
var placeholders = []edittest.Placeholder{
	{Mark: "<KEYID2>", Name: "aws_key_id.2", Kind: edit.AccessKeyID},
	{Mark: "<SECRET2>", Name: "aws_secret.2", Kind: edit.SecretAccessKey},
	{Mark: "<KEYID>", Name: "aws_key_id", Kind: edit.AccessKeyID},
	{Mark: "<ASIAID>", Name: "aws_asia_id", Kind: edit.AccessKeyID},
	{Mark: "<SECRET>", Name: "aws_secret", Kind: edit.SecretAccessKey},
	{Mark: "<SLASHSECRET>", Name: "aws_secret_slash", Kind: edit.SecretAccessKey},
	{Mark: "<TOKEN>", Name: "aws_token", Kind: edit.SessionToken},
	{Mark: "<PASSWORD>", Name: "password", Kind: edit.Password},
}

var fakes = testsecrets.New(20240611)

// fill replaces the placeholders of tmpl and returns the text and one
// target per placeholder occurrence.
func fill(tmpl string) (string, []edit.Target) {
	return edittest.Fill(fakes, placeholders, tmpl, fakes.Get("aws_key_id"))
}

// findTargets finds the fake secrets in text again, as a second scan of a
// rewritten text would.
func findTargets(text string) []edit.Target {
	var out []edit.Target
	for _, ph := range placeholders {
		v, ok := fakes.Values()[ph.Name]
		if !ok {
			continue
		}
		for from := 0; ; {
			k := strings.Index(text[from:], v)
			if k < 0 {
				break
			}
			k += from
			out = append(out, edit.Target{Start: k, End: k + len(v), Secret: v, Rule: "test", Kind: ph.Kind})
			from = k + len(v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// rwCase is one rewrite: an input template, options, the exact expected
// output, and what becomes of each target.
type rwCase struct {
	name string
	in   string
	opts edit.Options
	want string
	// manual has one entry per target, in order: "" for fixed, or a
	// substring of the Reason. nil means every target is fixed.
	manual []string
	// shape, when set, is a substring of every fixed target's Shape.
	shape string
	// notes are substrings that must each appear in some note; noNotes
	// says there must be none.
	notes   []string
	noNotes bool
}

// program is a text the python3 check parses.
type program struct{ name, src string }

// runCases runs a table: each case's outcomes and output, and the
// properties every rewrite must have.
func runCases(t *testing.T, cases []rwCase) {
	t.Helper()
	var progs []program
	for _, c := range cases {
		in, targets := fill(c.in)
		want, _ := fill(c.want)
		res := Rewrite([]byte(in), targets, c.opts)
		out := checkResult(t, c, in, targets, res)
		if out == nil {
			continue
		}
		if string(out) != want {
			t.Errorf("%s: output differs\n--- got\n%s\n--- want\n%s", c.name, out, want)
		}
		edittest.CheckEditsOnChangedLines(t, c.name, in, want, res.Edits)
		progs = append(progs, program{t.Name() + "/" + c.name + " (input)", in}, program{t.Name() + "/" + c.name + " (output)", string(out)})
	}
	toParse = append(toParse, progs...)
}

// toParse collects the inputs and outputs of every table for one python3
// run at the end (starting python3 once per table is slow).
var toParse []program

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if bad, err := pythonCheck(toParse); err != nil {
			fmt.Fprintln(os.Stderr, "python3 check:", err)
			code = 1
		} else if len(bad) > 0 {
			for _, b := range bad {
				fmt.Fprintln(os.Stderr, "FAIL: python3 does not parse", b)
			}
			code = 1
		}
	}
	os.Exit(code)
}

// checkResult checks a result's outcomes, edits and the properties of its
// output, and returns the output (nil when the edits do not apply).
func checkResult(t *testing.T, c rwCase, in string, targets []edit.Target, res edit.Result) []byte {
	t.Helper()
	if len(res.Outcomes) != len(targets) {
		t.Errorf("%s: %d outcomes for %d targets", c.name, len(res.Outcomes), len(targets))
		return nil
	}
	for i, o := range res.Outcomes {
		want := ""
		if c.manual != nil {
			if len(c.manual) != len(targets) {
				t.Fatalf("%s: the case lists %d outcomes for %d targets", c.name, len(c.manual), len(targets))
			}
			want = c.manual[i]
		}
		switch {
		case o.Target != i:
			t.Errorf("%s: outcome %d is for target %d", c.name, i, o.Target)
		case want == "" && !o.Fixed:
			t.Errorf("%s: target %d (%s) not fixed: %s", c.name, i, targets[i].Kind, o.Reason)
		case want != "" && o.Fixed:
			t.Errorf("%s: target %d fixed (%s), want manual %q", c.name, i, o.Shape, want)
		case want != "" && !strings.Contains(o.Reason, want):
			t.Errorf("%s: target %d reason %q, want it to contain %q", c.name, i, o.Reason, want)
		case o.Fixed && (o.Shape == "" || !strings.Contains(o.Shape, c.shape)):
			t.Errorf("%s: target %d shape %q, want %q", c.name, i, o.Shape, c.shape)
		case !o.Fixed && o.Reason == "":
			t.Errorf("%s: target %d neither fixed nor explained", c.name, i)
		}
	}
	for _, n := range c.notes {
		found := false
		for _, got := range res.Notes {
			found = found || strings.Contains(got, n)
		}
		if !found {
			t.Errorf("%s: no note contains %q; notes: %q", c.name, n, res.Notes)
		}
	}
	if c.noNotes && len(res.Notes) > 0 {
		t.Errorf("%s: unexpected notes %q", c.name, res.Notes)
	}
	if i := uncovered(targets, res); i >= 0 {
		t.Errorf("%s: target %d is reported fixed but no edit covers it", c.name, i)
	}
	es := append([]edit.Edit(nil), res.Edits...)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start < es[j].Start })
	for i := 1; i < len(es); i++ {
		if es[i].Start < es[i-1].End {
			t.Errorf("%s: edits overlap: %+v and %+v", c.name, es[i-1], es[i])
		}
	}
	out, err := edit.Apply([]byte(in), res.Edits)
	if err != nil {
		t.Errorf("%s: %v", c.name, err)
		return nil
	}
	if err := Validate(out); err != nil {
		t.Errorf("%s: the output does not validate: %v\n%s", c.name, err, out)
	}
	// Fixed secrets are gone, unless a target left to a person holds the
	// same value.
	kept := map[string]bool{}
	for i, o := range res.Outcomes {
		if !o.Fixed {
			kept[targets[i].Secret] = true
		}
	}
	for i, o := range res.Outcomes {
		if o.Fixed && !kept[targets[i].Secret] && bytes.Contains(out, []byte(targets[i].Secret)) {
			t.Errorf("%s: target %d is reported fixed but its secret is still in the output", c.name, i)
		}
	}
	// A second run finds nothing more to do.
	again := Rewrite(out, findTargets(string(out)), c.opts)
	if len(again.Edits) > 0 {
		next, _ := edit.Apply(out, again.Edits)
		t.Errorf("%s: a second run edits again:\n%s", c.name, next)
	}
	return out
}

// uncovered returns a target reported fixed that no edit replaces, or -1.
func uncovered(targets []edit.Target, res edit.Result) int {
	for i, o := range res.Outcomes {
		if !o.Fixed {
			continue
		}
		covered := false
		for _, e := range res.Edits {
			covered = covered || e.Start <= targets[i].Start && targets[i].End <= e.End
		}
		if !covered {
			return i
		}
	}
	return -1
}

// pythonScript parses each program with the real Python parser, magic
// lines replaced with "pass" (IPython turns them into calls).
const pythonScript = `
import ast, json, re, sys
bad = []
for name, src in json.load(sys.stdin):
    lines = []
    for line in src.split("\n"):
        m = re.match(r"^(\s*)(?:[A-Za-z_][A-Za-z0-9_]*\s*=\s*)?[%!]", line)
        lines.append(m.group(1) + "pass  # magic" if m else line)
    try:
        ast.parse("\n".join(lines))
    except SyntaxError as e:
        bad.append("%s: %s" % (name, e))
print(json.dumps(bad))
`

// pythonCheck parses the programs with python3 when it is installed and
// returns those it rejects.
func pythonCheck(progs []program) ([]string, error) {
	py, err := exec.LookPath("python3")
	if err != nil || len(progs) == 0 {
		return nil, nil
	}
	var pairs [][2]string
	for _, p := range progs {
		pairs = append(pairs, [2]string{p.name, p.src})
	}
	in, _ := json.Marshal(pairs)
	cmd := exec.Command(py, "-c", pythonScript)
	cmd.Stdin = bytes.NewReader(in)
	outb, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var bad []string
	if err := json.Unmarshal(outb, &bad); err != nil {
		return nil, fmt.Errorf("python3 said %q: %v", outb, err)
	}
	return bad, nil
}
