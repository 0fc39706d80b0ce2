package ipynb

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

func TestParseJSONSpans(t *testing.T) {
	data := []byte("\xef\xbb\xbf{\r\n \"a\": [1, -2.5e+3, true, null, NaN, -Infinity],\n \"b\\u0022\": {\"c\": \"x\\\"y\"},\n \"a\": \"last\"\n}\n")
	v, err := ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != JSONObject || v.Start != 3 || v.End != len(data)-1 || len(v.Members) != 3 {
		t.Fatalf("root %v [%d,%d) %d members", v.Kind, v.Start, v.End, len(v.Members))
	}
	first := &v.Members[0].Value
	kinds := []ValueKind{JSONNumber, JSONNumber, JSONBool, JSONNull, JSONNumber, JSONNumber}
	raws := []string{"1", "-2.5e+3", "true", "null", "NaN", "-Infinity"}
	for i, e := range first.Elems {
		if e.Kind != kinds[i] || string(e.Raw()) != raws[i] {
			t.Errorf("element %d: %v %q", i, e.Kind, e.Raw())
		}
	}
	if n, ok := first.Index(0).Int(); !ok || n != 1 {
		t.Errorf("Int() = %d, %v", n, ok)
	}
	if _, ok := first.Index(1).Int(); ok {
		t.Error("Int() accepted a float")
	}
	// Duplicate keys: the last wins, as in Python.
	if got := v.Get("a"); got.Decode() != "last" {
		t.Errorf("Get(a) = %q", got.Raw())
	}
	b := v.Get(`b"`)
	if b == nil || v.Members[1].Name() != `b"` || !v.Members[1].Key.Escaped {
		t.Fatalf("escaped key not found")
	}
	c := b.Get("c")
	if s, e := c.Str(); string(data[s:e]) != `x\"y` || c.Decode() != `x"y` || !c.Escaped {
		t.Errorf("string content %q decodes to %q", data[s:e], c.Decode())
	}
	if v.Get("missing") != nil || first.Get("a") != nil || first.Index(9) != nil || (*Value)(nil).Get("x") != nil {
		t.Error("lookups on the wrong kind or missing keys must give nil")
	}
}

func TestParseJSONErrors(t *testing.T) {
	cases := []struct {
		in        string
		line, col int
		msg       string
	}{
		{"", 1, 1, "empty"},
		{"{\n \"a\": 1,\n}", 3, 1, "trailing comma"},
		{"{\n \"a\": \"x}", 2, 7, "never closed"},
		{"{\"a\" 1}", 1, 6, "want ':'"},
		{"[1 2]", 1, 4, "want ',' or ']'"},
		{"{\"a\": [1,\n", 2, 1, "truncated"},
		{"[01]", 1, 3, "want ',' or ']'"},
		{"[1.]", 1, 4, "decimal point"},
		{"[tru]", 1, 2, "did you mean true"},
		{"{} {}", 1, 4, "after the end"},
		{"[\"a\\\"]", 1, 2, "never closed"},
		{strings.Repeat("[", 600), 1, MaxDepth + 1, "nested more than"},
	}
	for _, c := range cases {
		_, err := ParseJSON([]byte(c.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%.20q: error %v, want a SyntaxError", c.in, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Error(), c.msg) || !strings.Contains(se.Error(), "line") {
			t.Errorf("%.20q: %v; want line %d column %d containing %q", c.in, se, c.line, c.col, c.msg)
		}
	}
}

// TestParseJSONLenientStrings: files Jupyter opened must parse; control
// characters and broken UTF-8 inside strings are kept, not rejected.
func TestParseJSONLenientStrings(t *testing.T) {
	data := []byte("[\"tab\there\", \"\xff\xfe\", \"nl\nraw\", \"\\\\\", \"\\\\\\\"\"]")
	v, err := ParseJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tab\there", "\xff\xfe", "nl\nraw", `\`, `\"`}
	for i, w := range want {
		if got := v.Index(i).Decode(); got != w {
			t.Errorf("element %d = %q, want %q", i, got, w)
		}
	}
}

func TestMalformedNotebooks(t *testing.T) {
	d := newDecoys()
	good := nbtest.Write(markedNotebook(d), nbtest.Jupyter, nbtest.Options{})
	t.Run("truncated", func(t *testing.T) {
		for n := 0; n < len(good)-1; n += 7 {
			nb, err := Parse("t.ipynb", good[:n])
			if nb != nil || (n > 0 && err == nil) {
				t.Fatalf("cut at %d: %v, %v", n, nb, err)
			}
			if err != nil && !strings.Contains(err.Error(), "line") {
				t.Fatalf("cut at %d: error without a line: %v", n, err)
			}
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		data := append([]byte(`{"cells": `), bytes.Repeat([]byte("["), 100000)...)
		_, err := Parse("deep.ipynb", data)
		if err == nil || !strings.Contains(err.Error(), "nested more than") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("huge string", func(t *testing.T) {
		big := strings.Repeat("x = 1 # padding\n", 1<<16) // 1 MiB
		nbm := &nbtest.Notebook{Cells: []nbtest.Cell{{Type: "code", Source: big + "tail = 'HUGEMARK'"}}}
		data := nbtest.Write(nbm, nbtest.Jupyter, nbtest.Options{OneString: true})
		start := time.Now()
		nb, err := Parse("big.ipynb", data)
		if err != nil {
			t.Fatal(err)
		}
		s := one(t, nb, "HUGEMARK")
		if got := rawOf(data, s, bytes.Index(s.Text, []byte("HUGEMARK")), 8); got != "HUGEMARK" {
			t.Errorf("maps to %q", got)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("1 MiB source took %v", el)
		}
	})
	t.Run("invalid utf8", func(t *testing.T) {
		data := []byte("{\"cells\": [{\"cell_type\": \"code\", \"source\": [\"a = '\xff\xfeUTFMARK'\"], \"outputs\": []}], \"metadata\": {}, \"nbformat\": 4}")
		nb, err := Parse("u.ipynb", data)
		if err != nil {
			t.Fatal(err)
		}
		checkAllMaps(t, data, nb)
		one(t, nb, "\xff\xfeUTFMARK")
	})
	shapes := []struct {
		name, json, errPart string
		warn                bool
		marker              string
	}{
		{"cells not an array", `{"cells": {"0": "SHAPEMARK"}, "nbformat": 4}`, `"cells" at line 1`, false, ""},
		{"no cells", `{"metadata": {}, "nbformat": 4}`, "no \"cells\"", false, ""},
		{"top-level array", `[1]`, "", false, ""},
		{"cell not an object", `{"cells": ["SHAPEMARK", {"cell_type": "code", "source": "ok"}]}`, "", true, "SHAPEMARK"},
		{"outputs not an array", `{"cells": [{"cell_type": "code", "source": "", "outputs": {"text": "SHAPEMARK"}}]}`, "", true, "SHAPEMARK"},
		{"source a number", `{"cells": [{"cell_type": "code", "source": 12, "metadata": {"note": "SHAPEMARK"}}]}`, "", true, "SHAPEMARK"},
		{"source list with null", `{"cells": [{"cell_type": "code", "source": ["a", null, "SHAPEMARK"]}]}`, "", true, "SHAPEMARK"},
		{"unknown output type", `{"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "weird", "payload": "SHAPEMARK"}]}]}`, "", true, "SHAPEMARK"},
		{"worksheets not an array", `{"nbformat": 3, "worksheets": 3}`, `"worksheets" at line 1`, false, ""},
		{"unknown top-level key", `{"cells": [], "extra": {"k": "SHAPEMARK"}}`, "", false, "SHAPEMARK"},
		{"zeppelin paragraph array", `{"paragraphs": [["SHAPEMARK"]]}`, "", true, "SHAPEMARK"},
	}
	for _, c := range shapes {
		t.Run(c.name, func(t *testing.T) {
			name := "s.ipynb"
			if strings.HasPrefix(c.name, "zeppelin") {
				name = "s.zpln"
			}
			nb, err := Parse(name, []byte(c.json))
			if c.errPart != "" || c.name == "top-level array" {
				if c.name == "top-level array" { // not even sniffed as a notebook
					if nb != nil || err != nil {
						t.Fatalf("got %v, %v", nb, err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), c.errPart) {
					t.Fatalf("err = %v, want it to contain %q", err, c.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.warn != (len(nb.Warnings) > 0) {
				t.Errorf("warnings %q", nb.Warnings)
			}
			if c.marker != "" && len(find(nb, c.marker)) == 0 {
				t.Errorf("%s was not scanned", c.marker)
			}
			checkAllMaps(t, []byte(c.json), nb)
		})
	}
}

// TestLinearTime feeds inputs that made earlier versions quadratic (a
// line-start search per "%%", a piece rebuild per data URI, a line count
// per warning). Linear code takes milliseconds; quadratic code, minutes.
func TestLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	deep := `{"cells":[],"metadata":` + strings.Repeat(`{"`+strings.Repeat("k", 2000)+`":`, 400) +
		`[` + strings.Repeat(`"a",`, 50000) + `"a"]` + strings.Repeat("}", 400) + "}"
	cases := []struct{ name, file, data string }{
		{"percent markers on one line", "a.py", strings.Repeat("%%", 1000000)},
		{"many data URIs", "a.ipynb", `{"cells":[{"cell_type":"markdown","source":"` + strings.Repeat("data:;base64,A\\n", 100000) + `"}]}`},
		{"many warnings", "a.ipynb", `{"cells":[{"cell_type":"code","source":[` + strings.Repeat("1,", 200000) + `1]}]}`},
		{"long keys, deep paths", "a.ipynb", deep},
		{"backslash runs", "a.ipynb", `{"cells":["` + strings.Repeat(`\\\\\\\"`, 200000) + `"]}`},
	}
	for _, c := range cases {
		start := time.Now()
		nb, err := Parse(c.file, []byte(c.data))
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%s: %v for %d bytes", c.name, el, len(c.data))
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if nb == nil { // not a notebook; sniffing it had to be fast too
			continue
		}
		out := 0
		for _, s := range nb.Segments {
			out += len(s.Text) + len(s.Key)
		}
		if out > 100*len(c.data) {
			t.Errorf("%s: %d bytes of segments for a %d byte file", c.name, out, len(c.data))
		}
	}
}
