package nbtest

import (
	"github.com/rolecall/rolecall/ipynb/pyjson"

	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// sample exercises every escape class and every line break Python knows.
func sample() *Notebook {
	return &Notebook{
		Minor: 5,
		Metadata: Map{
			{"kernelspec", Map{{"name", "python3"}, {"language", "python"}, {"display_name", "Python 3"}}},
			{"language_info", Map{{"name", "python"}, {"version", "3.11.4"}}},
			{"papermill", Map{{"parameters", Map{{"ratio", 0.5}, {"big", 1e20}, {"n", 3}, {"flag", true}, {"none", nil}}}}},
		},
		Cells: []Cell{
			{Type: "markdown", ID: "md1", Source: "# Café ☕ \U0001F600\nline\u2028sep\x1cgroup"},
			{Type: "code", ID: "c1", Source: "x = \"q\" \\ 'a'\ty\r\nz\rw\x0bv\x0cu\u0085t\x7f\x01\x1b[0m\n", ExecutionCount: 3,
				Outputs: []Output{
					{Type: "stream", Name: "stdout", Text: "a\nb\n"},
					{Type: "execute_result", ExecutionCount: 3, Data: Map{
						{"text/plain", "{'k': 'v'}\n2"},
						{"application/json", Map{{"b", []any{1, "x"}}, {"a", Map{}}}},
						{"image/png", "iVBORw0KGgo="},
					}},
					{Type: "error", EName: "KeyError", EValue: "'x'", Traceback: []string{"\x1b[0;31mKeyError\x1b[0m", "tb"}},
				}},
			{Type: "raw", Source: ""},
		},
	}
}

func python(t *testing.T, script string, in []byte) []byte {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	return out
}

// TestWritersMatchPython re-serializes each writer's output with Python's
// json module, configured as the writer is; any byte of difference means
// our serializer is not the writer's. One python3 process runs all cases.
func TestWritersMatchPython(t *testing.T) {
	type kw = map[string]any
	sorted1 := kw{"indent": 1, "sort_keys": true, "separators": []string{",", ": "}, "ensure_ascii": false}
	cases := []struct {
		name   string
		got    []byte
		kwargs kw
		nl     string
	}{
		{"jupyter", Write(sample(), Jupyter, Options{}), sorted1, "\n"},
		{"jupyter ascii", Write(sample(), Jupyter, Options{ASCII: true}), kw{"indent": 1, "sort_keys": true, "ensure_ascii": true}, "\n"},
		{"jupyter one string", Write(sample(), Jupyter, Options{OneString: true}), sorted1, "\n"},
		{"vscode", Write(sample(), VSCode, Options{}), sorted1, "\n"},
		{"vscode indent 4", Write(sample(), VSCode, Options{Indent: 4}), kw{"indent": 4, "sort_keys": true, "ensure_ascii": false}, "\n"},
		{"colab", Write(sample(), Colab, Options{}), kw{"indent": 2, "ensure_ascii": false}, ""},
		{"minified", Write(sample(), Minified, Options{}), kw{"separators": []string{",", ":"}, "sort_keys": true, "ensure_ascii": false}, ""},
		{"minified ascii", Write(sample(), Minified, Options{ASCII: true}), kw{"separators": []string{",", ":"}, "sort_keys": true}, ""},
		{"nbformat3", Jupyter3(sample(), Options{}), sorted1, "\n"},
	}
	var jobs [][]any
	for _, c := range cases {
		jobs = append(jobs, []any{string(c.got), c.kwargs, c.nl})
	}
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	out := python(t, `import json,sys
res=[json.dumps(json.loads(text), **kw)+nl for text, kw, nl in json.load(sys.stdin)]
sys.stdout.write(json.dumps(res))`, in)
	var want []string
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("python3 answered %d results (%v)", len(want), err)
	}
	for i, c := range cases {
		if w := []byte(want[i]); !bytes.Equal(c.got, w) {
			t.Errorf("%s: differs from Python at byte %d:\n got %q\nwant %q", c.name, diffAt(c.got, w), clip(c.got, w), clip(w, c.got))
		}
	}
}

// TestJupyterSplitsLikePython checks that sources are split the way
// nbformat splits them, by comparing with str.splitlines(True).
func TestJupyterSplitsLikePython(t *testing.T) {
	nb := sample()
	var sources []string
	for _, c := range nb.Cells {
		sources = append(sources, c.Source)
	}
	in, _ := json.Marshal(sources)
	out := python(t, "import json,sys\nprint(json.dumps([s.splitlines(True) for s in json.load(sys.stdin)]))", in)
	var want [][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range sources {
		got := pyjson.SplitLines(s)
		if len(got) == 0 && len(want[i]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("pyjson.SplitLines(%q) = %q, Python %q", s, got, want[i])
		}
	}
}

func TestLayouts(t *testing.T) {
	nb := &Notebook{Cells: []Cell{{Type: "markdown", Source: "a\nb"}}}
	cases := []struct {
		style Style
		opt   Options
		want  string
	}{
		{Jupyter, Options{}, "{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n   \"metadata\": {},\n   \"source\": [\n    \"a\\n\",\n    \"b\"\n   ]\n  }\n ],\n \"metadata\": {},\n \"nbformat\": 4,\n \"nbformat_minor\": 0\n}\n"},
		{Colab, Options{OneString: true}, "{\n  \"nbformat\": 4,\n  \"nbformat_minor\": 0,\n  \"metadata\": {},\n  \"cells\": [\n    {\n      \"cell_type\": \"markdown\",\n      \"source\": \"a\\nb\",\n      \"metadata\": {}\n    }\n  ]\n}"},
		{Minified, Options{}, `{"cells":[{"cell_type":"markdown","metadata":{},"source":["a\n","b"]}],"metadata":{},"nbformat":4,"nbformat_minor":0}`},
	}
	for _, c := range cases {
		if got := string(Write(nb, c.style, c.opt)); got != c.want {
			t.Errorf("style %d:\n got %q\nwant %q", c.style, got, c.want)
		}
	}
	crlf := string(Write(nb, Jupyter, Options{CRLF: true}))
	if strings.Count(crlf, "\r\n") != strings.Count(crlf, "\n") || !strings.Contains(crlf, `"a\n"`) {
		t.Errorf("CRLF layout wrong: %q", crlf)
	}
}

func diffAt(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func clip(a, b []byte) []byte {
	i := diffAt(a, b)
	lo, hi := max(0, i-40), min(len(a), i+40)
	return a[lo:hi]
}

func TestFakePNGAndRed(t *testing.T) {
	p := FakePNG(1000, "<PLANT>")
	if len(p) != 1007 || !strings.HasPrefix(p, "iVBORw0KGgo") || strings.Count(p, "<PLANT>") != 1 {
		t.Errorf("FakePNG: len %d, prefix %q", len(p), p[:12])
	}
	if rest := strings.Replace(p, "<PLANT>", "", 1); strings.IndexFunc(rest, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/')
	}) >= 0 {
		t.Error("FakePNG has characters outside base64")
	}
	if FakePNG(1000, "") != FakePNG(1000, "") {
		t.Error("FakePNG is not deterministic")
	}
	if Red("x") != "\x1b[0;31mx\x1b[0m" {
		t.Errorf("Red = %q", Red("x"))
	}
}
