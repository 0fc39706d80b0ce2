// Package nbtest builds notebooks for tests and serializes them byte for
// byte the way real writers do (Jupyter/nbformat, VS Code, Colab, minified
// exports, nbformat 3), so that parsers and fixers are tested against the
// files people actually commit. It does not import package ipynb, so tests
// of ipynb itself can use it.
package nbtest

import (
	"github.com/rolecall/rolecall/ipynb/pyjson"

	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Map is a JSON object with its keys in insertion order; sorted writers
// sort them.
type Map []KV

// KV is one member of a Map.
type KV struct {
	Key   string
	Value any
}

// Lines is a nbformat multiline string: written as a list of lines (split
// the way the style's writer splits) unless Options.OneString is set.
type Lines string

// Notebook is a nbformat 4 notebook model. Values in Metadata and output
// Data may be string, Lines, int, float64, bool, nil, Map, []any or
// []string.
type Notebook struct {
	Minor    int // nbformat_minor; cell ids need 5
	Metadata Map
	Cells    []Cell
}

// Cell is one cell. ExecutionCount 0 is written as null.
type Cell struct {
	Type           string // code, markdown, raw
	ID             string // written as "id" when set
	Source         string
	Metadata       Map
	Outputs        []Output
	ExecutionCount int
	Attachments    Map
}

// Output is one code cell output.
type Output struct {
	Type           string // stream, execute_result, display_data, error
	Name           string // stream: stdout or stderr
	Text           string // stream text
	Data           Map    // mimebundle; text/* values are split into lines
	Metadata       Map
	ExecutionCount int
	EName, EValue  string
	Traceback      []string
}

// Style is a writer's way of serializing.
type Style int

const (
	// Jupyter is nbformat.write: json.dumps(indent=1, sort_keys=True,
	// separators=(",", ": "), ensure_ascii=False) + "\n", multiline strings
	// split with Python's str.splitlines(keepends=True).
	Jupyter Style = iota
	// VSCode is JSON.stringify of the recursively key-sorted notebook with
	// the detected indent (Options.Indent, default 1) + "\n"; it splits
	// lines at "\n" only.
	VSCode
	// Colab is JSON.stringify(nb, null, 2) in insertion order ("nbformat"
	// first, "source" before "metadata" in cells), with no final newline.
	Colab
	// Minified is a one-line export (Databricks "JUPYTER" format): sorted
	// keys, no spaces, no final newline.
	Minified
)

// Options vary a style.
type Options struct {
	CRLF      bool // line breaks between tokens are "\r\n" (git autocrlf)
	OneString bool // multiline strings stored as one string, not a list
	ASCII     bool // ensure_ascii: non-ASCII as \uXXXX escapes
	Indent    int  // VSCode only; 0 means 1
}

func (s Style) layout(o Options) (indent int, sorted, finalNL bool) {
	switch s {
	case VSCode:
		return max(o.Indent, 1), true, true
	case Colab:
		return 2, false, false
	case Minified:
		return 0, true, false
	}
	return 1, true, true
}

// Write serializes nb as style s writes it.
func Write(nb *Notebook, s Style, o Options) []byte {
	return Marshal(nb.tree(), s, o)
}

// Marshal serializes any JSON model (Map, []any, Lines, ...) in a style;
// use it for notebook shapes the model does not cover.
func Marshal(v any, s Style, o Options) []byte {
	indent, sorted, finalNL := s.layout(o)
	e := &encoder{indent: indent, sorted: sorted, ascii: o.ASCII, oneString: o.OneString, lfOnly: s == VSCode, nl: "\n"}
	if o.CRLF {
		e.nl = "\r\n"
	}
	e.value(v, 0)
	if finalNL {
		e.b.WriteString(e.nl)
	}
	return []byte(e.b.String())
}

func execCount(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// tree builds the notebook in Colab's insertion order; sorted styles sort
// it when writing.
func (nb *Notebook) tree() Map {
	cells := []any{}
	for _, c := range nb.Cells {
		cells = append(cells, c.tree())
	}
	meta := nb.Metadata
	if meta == nil {
		meta = Map{}
	}
	return Map{{"nbformat", 4}, {"nbformat_minor", nb.Minor}, {"metadata", meta}, {"cells", cells}}
}

func orEmpty(m Map) Map {
	if m == nil {
		return Map{}
	}
	return m
}

func (c *Cell) tree() Map {
	m := Map{{"cell_type", c.Type}}
	if c.ID != "" {
		m = append(m, KV{"id", c.ID})
	}
	m = append(m, KV{"source", Lines(c.Source)}, KV{"metadata", orEmpty(c.Metadata)})
	if c.Type == "code" {
		outs := []any{}
		for _, o := range c.Outputs {
			outs = append(outs, o.tree())
		}
		m = append(m, KV{"execution_count", execCount(c.ExecutionCount)}, KV{"outputs", outs})
	}
	if c.Attachments != nil {
		m = append(m, KV{"attachments", c.Attachments})
	}
	return m
}

func (o *Output) tree() Map {
	m := Map{{"output_type", o.Type}}
	switch o.Type {
	case "stream":
		m = append(m, KV{"name", o.Name}, KV{"text", Lines(o.Text)})
	case "execute_result", "display_data":
		m = append(m, KV{"data", bundle(o.Data)}, KV{"metadata", orEmpty(o.Metadata)})
		if o.Type == "execute_result" {
			m = append(m, KV{"execution_count", execCount(o.ExecutionCount)})
		}
	case "error":
		tb := make([]any, len(o.Traceback))
		for i, t := range o.Traceback {
			tb[i] = t
		}
		m = append(m, KV{"ename", o.EName}, KV{"evalue", o.EValue}, KV{"traceback", tb})
	}
	return m
}

// bundle splits the mimebundle strings nbformat splits: text/*,
// application/javascript and image/svg+xml; base64 images stay whole.
func bundle(d Map) Map {
	out := Map{}
	for _, kv := range d {
		if s, ok := kv.Value.(string); ok && (strings.HasPrefix(kv.Key, "text/") ||
			kv.Key == "application/javascript" || kv.Key == "image/svg+xml") {
			kv.Value = Lines(s)
		}
		out = append(out, kv)
	}
	return out
}

// v3Keys maps MIME types to nbformat 3 output keys.
var v3Keys = map[string]string{
	"text/plain": "text", "text/html": "html", "text/markdown": "markdown",
	"text/latex": "latex", "image/svg+xml": "svg", "image/png": "png",
	"image/jpeg": "jpeg", "application/pdf": "pdf", "application/json": "json",
	"application/javascript": "javascript",
}

// Jupyter3 writes nb as nbformat 3 (IPython 1-2): one worksheet, code in
// "input", outputs pyout/pyerr/stream/display_data with the bundle inline.
func Jupyter3(nb *Notebook, o Options) []byte {
	cells := []any{}
	prompt := 0
	for _, c := range nb.Cells {
		m := Map{{"cell_type", c.Type}, {"metadata", orEmpty(c.Metadata)}}
		if c.Type != "code" {
			m = append(m, KV{"source", Lines(c.Source)})
			cells = append(cells, m)
			continue
		}
		prompt++
		outs := []any{}
		for _, out := range c.Outputs {
			om := Map{}
			switch out.Type {
			case "stream":
				om = Map{{"output_type", "stream"}, {"stream", out.Name}, {"text", Lines(out.Text)}}
			case "execute_result", "display_data":
				typ := out.Type
				if typ == "execute_result" {
					typ = "pyout"
				}
				om = Map{{"output_type", typ}, {"metadata", orEmpty(out.Metadata)}}
				for _, kv := range bundle(out.Data) {
					k := v3Keys[kv.Key]
					if k == "" {
						k = kv.Key
					}
					om = append(om, KV{k, kv.Value})
				}
				if typ == "pyout" {
					om = append(om, KV{"prompt_number", prompt})
				}
			case "error":
				tb := make([]any, len(out.Traceback))
				for i, t := range out.Traceback {
					tb[i] = t
				}
				om = Map{{"output_type", "pyerr"}, {"ename", out.EName}, {"evalue", out.EValue}, {"traceback", tb}}
			}
			outs = append(outs, om)
		}
		m = append(m, KV{"collapsed", false}, KV{"input", Lines(c.Source)}, KV{"language", "python"},
			KV{"outputs", outs}, KV{"prompt_number", prompt})
		cells = append(cells, m)
	}
	meta := Map{{"name", ""}}
	meta = append(meta, nb.Metadata...)
	root := Map{{"metadata", meta}, {"nbformat", 3}, {"nbformat_minor", 0},
		{"worksheets", []any{Map{{"cells", cells}, {"metadata", Map{}}}}}}
	return Marshal(root, Jupyter, o)
}

type encoder struct {
	b         strings.Builder
	indent    int
	sorted    bool
	ascii     bool
	oneString bool
	lfOnly    bool
	nl        string
}

func (e *encoder) newline(level int) {
	if e.indent == 0 {
		return
	}
	e.b.WriteString(e.nl)
	e.b.WriteString(strings.Repeat(" ", level*e.indent))
}

func (e *encoder) value(v any, level int) {
	switch v := v.(type) {
	case nil:
		e.b.WriteString("null")
	case bool:
		e.b.WriteString(strconv.FormatBool(v))
	case int:
		e.b.WriteString(strconv.Itoa(v))
	case float64:
		e.b.WriteString(pyFloat(v))
	case string:
		e.b.WriteString(pyjson.Quote(v, e.ascii))
	case Lines:
		if e.oneString {
			e.b.WriteString(pyjson.Quote(string(v), e.ascii))
			return
		}
		var parts []string
		if e.lfOnly {
			parts = pyjson.SplitLF(string(v))
		} else {
			parts = pyjson.SplitLines(string(v))
		}
		e.value(parts, level)
	case []string:
		a := make([]any, len(v))
		for i, s := range v {
			a[i] = s
		}
		e.value(a, level)
	case []any:
		if len(v) == 0 {
			e.b.WriteString("[]")
			return
		}
		e.b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				e.b.WriteByte(',')
			}
			e.newline(level + 1)
			e.value(x, level+1)
		}
		e.newline(level)
		e.b.WriteByte(']')
	case Map:
		if len(v) == 0 {
			e.b.WriteString("{}")
			return
		}
		if e.sorted {
			v = append(Map(nil), v...)
			sort.SliceStable(v, func(i, j int) bool { return v[i].Key < v[j].Key })
		}
		e.b.WriteByte('{')
		for i, kv := range v {
			if i > 0 {
				e.b.WriteByte(',')
			}
			e.newline(level + 1)
			e.b.WriteString(pyjson.Quote(kv.Key, e.ascii))
			if e.indent == 0 {
				e.b.WriteByte(':')
			} else {
				e.b.WriteString(": ")
			}
			e.value(kv.Value, level+1)
		}
		e.newline(level)
		e.b.WriteByte('}')
	default:
		// A Go map would lose the key order that Colab-style writers keep.
		panic(fmt.Sprintf("nbtest: cannot serialize %T; use Map, []any, Lines or a scalar", v))
	}
}

// pyFloat formats a float as Python's repr does.
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	exp := 0
	if f != 0 {
		exp = int(math.Floor(math.Log10(math.Abs(f))))
	}
	if exp < -4 || exp >= 16 {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// FakePNG returns n bytes of base64 that look like an image/png payload,
// with plant inserted in the middle: tests plant credential-shaped decoys
// there to prove payloads are never scanned. Deterministic.
func FakePNG(n int, plant string) string {
	// Assembled, not written out: the whole alphabet is as random-looking as
	// a string gets, and entropy detectors would flag it.
	const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const alphabet = upper + "abcdefghijklmnopqrstuvwxyz" + "0123456789" + "+/"
	b := []byte("iVBORw0KGgoAAAANSUhEUgAA")
	x := uint32(2463534242)
	for len(b) < n {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b = append(b, alphabet[x%64])
	}
	b = b[:max(n, 24)]
	mid := len(b) / 2
	return string(b[:mid]) + plant + string(b[mid:])
}

// Red wraps s in the ANSI colour codes IPython puts in tracebacks.
func Red(s string) string { return "\x1b[0;31m" + s + "\x1b[0m" }
