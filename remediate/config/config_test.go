package config

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/remediate/edit/edittest"
)

// A rewriteCase is one file and what the rewriter must make of it. Inputs
// and outputs are templates: {{fake NAME}} stands for a generated secret
// (see testsecrets), and every occurrence in `in` is a target, in order.
type rewriteCase struct {
	name string
	path string // picks the rewriter through For
	opts edit.Options
	in   string
	want string
	// outcomes has one letter per target: F fixed, M left to a person.
	outcomes string
	reason   string // every manual Reason must contain this
	note     string // some Note must contain this ("" skips the check)
}

var marker = regexp.MustCompile(`\{\{fake ([a-z0-9_]+(?:\.[a-z0-9_]+)?)\}\}`)

// fill expands a template and returns the targets its markers make.
func fill(set *testsecrets.Set, tmpl string) (string, []edit.Target) {
	var b strings.Builder
	var ts []edit.Target
	keyID := ""
	for _, m := range marker.FindAllStringSubmatch(tmpl, -1) {
		if strings.HasPrefix(m[1], "aws_key_id") || strings.HasPrefix(m[1], "aws_asia_id") {
			keyID = set.Get(m[1])
			break
		}
	}
	last := 0
	for _, m := range marker.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(tmpl[last:m[0]])
		name := tmpl[m[2]:m[3]]
		v := set.Get(name)
		t := edit.Target{Start: b.Len(), End: b.Len() + len(v), Secret: v, Rule: "test", Kind: kindOf(name)}
		if t.Kind == edit.SecretAccessKey || t.Kind == edit.SessionToken {
			t.KeyID = keyID
		}
		ts = append(ts, t)
		b.WriteString(v)
		last = m[1]
	}
	b.WriteString(tmpl[last:])
	return b.String(), ts
}

func kindOf(name string) edit.Kind {
	kind, _, _ := strings.Cut(name, ".")
	switch kind {
	case "aws_key_id", "aws_asia_id":
		return edit.AccessKeyID
	case "aws_secret":
		return edit.SecretAccessKey
	case "aws_token":
		return edit.SessionToken
	case "db_password", "password":
		return edit.Password
	}
	return edit.Other
}

// locate finds every occurrence of the secrets in text, as the scanner
// would report them again.
func locate(text string, secrets map[string]edit.Kind) []edit.Target {
	var ts []edit.Target
	for v, k := range secrets {
		for off := 0; ; {
			i := strings.Index(text[off:], v)
			if i < 0 {
				break
			}
			ts = append(ts, edit.Target{Start: off + i, End: off + i + len(v), Secret: v, Kind: k})
			off += i + len(v)
		}
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Start < ts[j].Start })
	return ts
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// yamlOutputs collects rewritten YAML for the PyYAML check.
var yamlOutputs = map[string]string{}

// runCases runs every case as written and with CRLF line endings.
func runCases(t *testing.T, cases []rewriteCase) {
	t.Helper()
	for _, c := range cases {
		for _, variant := range []string{"lf", "crlf"} {
			c := c
			if variant == "crlf" {
				c.in, c.want = crlf(c.in), crlf(c.want)
			}
			t.Run(c.name+"/"+variant, func(t *testing.T) { runCase(t, c) })
		}
	}
}

func runCase(t *testing.T, c rewriteCase) {
	rw, kind := For(c.path)
	if rw == nil {
		t.Fatalf("For(%q) found no rewriter", c.path)
	}
	set := testsecrets.New(7)
	in, targets := fill(set, c.in)
	want, _ := fill(set, c.want)
	if len(targets) != len(c.outcomes) {
		t.Fatalf("case has %d targets but %d outcomes", len(targets), len(c.outcomes))
	}
	if err := Validate(kind, []byte(in)); err != nil {
		t.Fatalf("the input does not validate: %v", err)
	}
	res := rw([]byte(in), targets, c.opts)
	checkOutcomes(t, c, res)
	checkNonOverlapping(t, res.Edits)
	out, err := edit.Apply([]byte(in), res.Edits)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", show(string(out)), show(want))
	}
	edittest.CheckUntouchedKept(t, c.name, in, string(out), res.Edits)
	checkLineEndings(t, in, string(out))
	if err := Validate(kind, out); err != nil {
		t.Errorf("the output does not validate: %v\n%s", err, out)
	}
	if c.note != "" && !strings.Contains(strings.Join(res.Notes, "\n"), c.note) {
		t.Errorf("no note contains %q: %q", c.note, res.Notes)
	}
	// A second run over the output finds only what was left to a person,
	// and changes nothing.
	secrets := map[string]edit.Kind{}
	for _, tg := range targets {
		secrets[tg.Secret] = tg.Kind
	}
	again := locate(string(out), secrets)
	if n := strings.Count(c.outcomes, "M"); len(again) != n {
		t.Errorf("%d secrets left in the output, want the %d left to a person", len(again), n)
	}
	res2 := rw(out, again, c.opts)
	if len(res2.Edits) != 0 {
		t.Errorf("second run edits: %+v", res2.Edits)
	}
	for _, o := range res2.Outcomes {
		if o.Fixed {
			t.Errorf("second run fixes target %d", o.Target)
		}
	}
	if kind == KindDBT || kind == KindCompose || kind == KindWorkflow {
		yamlOutputs[t.Name()] = string(out)
	}
}

func show(s string) string { return strings.ReplaceAll(s, "\r", `\r`) }

func checkOutcomes(t *testing.T, c rewriteCase, res edit.Result) {
	t.Helper()
	if len(res.Outcomes) != len(c.outcomes) {
		t.Fatalf("%d outcomes, want %d", len(res.Outcomes), len(c.outcomes))
	}
	for i, o := range res.Outcomes {
		wantFixed := c.outcomes[i] == 'F'
		switch {
		case o.Target != i:
			t.Errorf("outcome %d is for target %d", i, o.Target)
		case o.Fixed != wantFixed:
			t.Errorf("target %d: fixed=%v (reason %q), want %v", i, o.Fixed, o.Reason, wantFixed)
		case o.Fixed && o.Shape == "":
			t.Errorf("target %d: fixed without a shape", i)
		case !o.Fixed && (o.Reason == "" || !strings.Contains(o.Reason, c.reason)):
			t.Errorf("target %d: reason %q, want one containing %q", i, o.Reason, c.reason)
		}
	}
}

func checkNonOverlapping(t *testing.T, es []edit.Edit) {
	t.Helper()
	s := append([]edit.Edit(nil), es...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Start < s[j].Start })
	for i := 1; i < len(s); i++ {
		if s[i].Start < s[i-1].End {
			t.Errorf("edits overlap: %+v and %+v", s[i-1], s[i])
		}
	}
}

// checkLineEndings: a CRLF input gives a CRLF output, an LF input no CR.
func checkLineEndings(t *testing.T, in, out string) {
	t.Helper()
	if strings.Contains(in, "\r\n") {
		if strings.Count(out, "\n") != strings.Count(out, "\r\n") {
			t.Errorf("CRLF input, output mixes line endings: %q", out)
		}
	} else if strings.Contains(out, "\r") {
		t.Errorf("LF input, output has CR: %q", out)
	}
}

// TestYAMLOutputsLoad loads every rewritten YAML file with PyYAML when
// python3 and PyYAML happen to be installed (one python3 run for all).
func TestYAMLOutputsLoad(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not available")
	}
	t.Run("cases", func(t *testing.T) {
		for _, f := range []func(*testing.T){TestCompose, TestWorkflow, TestDBT} {
			f(t)
		}
	})
	dir := t.TempDir()
	var names []string
	for name, out := range yamlOutputs {
		f := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(name)+".yml")
		if err := os.WriteFile(f, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		names = append(names, f)
	}
	if len(names) == 0 {
		t.Fatal("no YAML outputs collected")
	}
	const noYAML = 3
	script := `import sys
try:
    import yaml
except ImportError:
    sys.exit(3)
for f in sys.argv[1:]:
    try:
        yaml.safe_load(open(f, 'rb'))
    except Exception as e:
        print(f, e)
        sys.exit(1)
`
	out, err := exec.Command(py, append([]string{"-c", script}, names...)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == noYAML:
		t.Skip("PyYAML not installed")
	case err != nil:
		t.Errorf("PyYAML rejects a rewritten file: %v\n%s", err, bytes.TrimSpace(out))
	}
}
