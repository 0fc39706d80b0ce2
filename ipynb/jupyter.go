package ipynb

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// maxJavaScript: above this an application/javascript output is a bundled
// library (plotly.js, bokeh), not something a person wrote.
const maxJavaScript = 64 << 10

// reader carries what the JSON notebook readers share.
type reader struct {
	nb   *Notebook
	data []byte
}

// maxWarnings: past this a file is broken throughout and more warnings
// tell nothing new (and each costs a line count over the file).
const maxWarnings = 20

// warn records a problem at v: format gets the position as its first
// argument.
func (r *reader) warn(v *Value, format string, args ...any) {
	switch n := len(r.nb.Warnings); {
	case n < maxWarnings:
		line, col := LineCol(r.data, v.Start)
		at := fmt.Sprintf("line %d, column %d (byte %d)", line, col, v.Start)
		r.nb.Warnings = append(r.nb.Warnings, fmt.Sprintf(format, append([]any{at}, args...)...))
	case n == maxWarnings:
		r.nb.Warnings = append(r.nb.Warnings, "more problems like these were found; the notebook is badly damaged, scan it as plain text too")
	}
}

// at describes a value's position for errors.
func (r *reader) at(v *Value) string {
	line, col := LineCol(r.data, v.Start)
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, v.Start)
}

func (r *reader) add(seg Segment) {
	if len(seg.Text) > 0 {
		r.nb.Segments = append(r.nb.Segments, seg)
	}
}

func parseJupyter(data []byte) (*Notebook, error) {
	root, err := ParseJSON(data)
	if err != nil {
		return nil, err
	}
	if root.Kind != JSONObject {
		return nil, fmt.Errorf("the file is a JSON %s, not an object with \"cells\": not a Jupyter notebook", root.Kind)
	}
	r := &reader{nb: &Notebook{Format: FormatJupyter, Root: root}, data: data}
	meta := root.Get("metadata")
	r.nb.Language = kernelLang(meta)
	version, _ := root.Get("nbformat").Int()
	cells, worksheets := root.Get("cells"), root.Get("worksheets")
	switch {
	case cells != nil && (worksheets == nil || version >= 4):
		if cells.Kind != JSONArray {
			return nil, fmt.Errorf("\"cells\" at %s is a JSON %s, want an array of cells: not a valid nbformat 4 notebook", r.at(cells), cells.Kind)
		}
		r.nb.Segments = make([]Segment, 0, 2*len(cells.Elems)+4)
		r.cells(cells, "cells")
	case worksheets != nil:
		r.nb.Format = FormatJupyter3
		if worksheets.Kind != JSONArray {
			return nil, fmt.Errorf("\"worksheets\" at %s is a JSON %s, want an array: not a valid nbformat 3 notebook", r.at(worksheets), worksheets.Kind)
		}
		for wi := range worksheets.Elems {
			w := &worksheets.Elems[wi]
			wpath := fmt.Sprintf("worksheets[%d]", wi)
			if w.Kind != JSONObject {
				r.warn(w, "%s: %s is a JSON %s, not a worksheet; its strings are scanned as metadata", wpath, w.Kind)
				r.walk(w, wpath, nil, false, Segment{}, false)
				continue
			}
			for mi := range w.Members {
				m := &w.Members[mi]
				if m.Key.Is("cells") && m.Value.Kind == JSONArray {
					r.cells(&m.Value, wpath+".cells")
					continue
				}
				r.walk(&m.Value, joinPath(wpath, m.Name()), &m.Key, true, Segment{}, true)
			}
		}
	default:
		return nil, fmt.Errorf("no \"cells\" array (nbformat 4) or \"worksheets\" (nbformat 3) in the top-level object: not a Jupyter notebook")
	}
	for mi := range root.Members {
		m := &root.Members[mi]
		switch name := m.Name(); name {
		case "cells", "worksheets", "nbformat", "nbformat_minor":
			if root.IsUsedMember(mi) {
				continue
			}
			fallthrough
		default:
			r.walk(&m.Value, joinPath("", name), &m.Key, true, Segment{}, name == "metadata")
		}
	}
	return r.nb, nil
}

// kernelLang reads the notebook language from the places writers put it.
// A named but unknown language (C++, Haskell) gives "text": reading such
// code as Python would invent findings.
func kernelLang(meta *Value) string {
	for _, v := range []*Value{
		meta.Get("kernelspec").Get("language"),
		meta.Get("language_info").Get("name"),
		meta.Get("application/vnd.databricks.v1+notebook").Get("language"),
		meta.Get("language"),
		meta.Get("kernelspec").Get("name"),
	} {
		if s := v.Decode(); s != "" {
			if l := normLang(s); l != "" {
				return l
			}
			return "text"
		}
	}
	return "python"
}

func (r *reader) cells(cells *Value, path string) {
	for i := range cells.Elems {
		r.cell(&cells.Elems[i], fmt.Sprintf("%s[%d]", path, i))
	}
}

func (r *reader) cell(c *Value, path string) {
	idx := len(r.nb.Cells) + 1
	cell := Cell{Index: idx, Start: c.Start, End: c.End, Value: c}
	if c.Kind != JSONObject {
		r.warn(c, "%s: %s is a JSON %s, not a cell; its strings are scanned as metadata", path, c.Kind)
		r.walk(c, path, nil, false, Segment{Cell: idx}, false)
		r.nb.Cells = append(r.nb.Cells, cell)
		return
	}
	cell.ID = c.Get("id").Decode()
	cell.Type = c.Get("cell_type").Decode()
	src, srcKey := c.Get("source"), "source"
	if src == nil {
		src, srcKey = c.Get("input"), "input" // nbformat 3 code cells
	}
	cell.Source, cell.Outputs = src, c.Get("outputs")
	if src != nil {
		cell.SrcStart, cell.SrcEnd = src.Start, src.End
	}
	switch cell.Type {
	case "code":
		cell.Lang = r.nb.Language
		if l := normLang(c.Get("language").Decode()); l != "" { // nbformat 3
			cell.Lang = l
		}
		if l := normLang(c.Get("metadata").Get("vscode").Get("languageId").Decode()); l != "" {
			cell.Lang = l
		}
	case "markdown", "heading":
		cell.Lang = "markdown"
	default:
		cell.Lang = "text"
	}
	tmpl := Segment{Cell: idx, CellID: cell.ID, CellType: cell.Type}
	if src != nil {
		t := tmpl
		t.Kind, t.Lang = KindSource, cell.Lang
		b := NewBuilder(t)
		r.multiline(b, src, false, path+"."+srcKey)
		seg := b.Segment()
		if cell.Type == "code" {
			if l, wf, ok := cellMagic(seg.Text, false); ok {
				seg.Lang, seg.WriteFile = l, wf
			}
		} else {
			blankDataURIs(&seg)
		}
		r.add(seg)
	}
	if out := cell.Outputs; out != nil {
		if out.Kind == JSONArray {
			for oi := range out.Elems {
				r.output(&out.Elems[oi], oi, tmpl, fmt.Sprintf("%s.outputs[%d]", path, oi))
			}
		} else if out.Kind != JSONNull {
			r.warn(out, "%s: %s.outputs is a JSON %s, want an array; its strings are scanned as metadata", path, out.Kind)
			r.walk(out, path+".outputs", nil, false, tmpl, false)
		}
	}
	for mi := range c.Members {
		m := &c.Members[mi]
		switch name := m.Name(); name {
		case "attachments": // image payloads referenced from markdown
		case "id", "cell_type", "source", "input", "outputs", "language":
			if c.IsUsedMember(mi) {
				continue
			}
			fallthrough
		default:
			r.walk(&m.Value, joinPath(path, name), &m.Key, true, tmpl, name == "metadata")
		}
	}
	r.nb.Cells = append(r.nb.Cells, cell)
}

// multiline appends a nbformat multiline string: a string, or a list of
// strings joined with nothing between them (each keeps its own "\n").
func (r *reader) multiline(b *Builder, v *Value, ansi bool, what string) {
	// Decoding never lengthens JSON text, and each escape or list element
	// starts at most two pieces.
	raw := r.data[v.Start:v.End]
	b.Grow(len(raw), 2*bytes.Count(raw, []byte{'\\'})+len(v.Elems)+1)
	switch v.Kind {
	case JSONString:
		s, e := v.Str()
		AppendJSONString(b, r.data, s, e, ansi)
	case JSONArray:
		for i := range v.Elems {
			e := &v.Elems[i]
			if e.Kind != JSONString {
				r.warn(e, "%s: %s[%d] is a JSON %s, want a string; skipped", what, i, e.Kind)
				continue
			}
			s, end := e.Str()
			AppendJSONString(b, r.data, s, end, ansi)
		}
	case JSONNull:
	default:
		r.warn(v, "%s: %s is a JSON %s, want a string or a list of strings; skipped", what, v.Kind)
	}
}

// v3MIME maps nbformat 3 output keys to MIME types.
var v3MIME = map[string]string{
	"text": "text/plain", "html": "text/html", "markdown": "text/markdown",
	"latex": "text/latex", "svg": "image/svg+xml", "png": "image/png",
	"jpeg": "image/jpeg", "pdf": "application/pdf", "json": "application/json",
	"javascript": "application/javascript",
}

func (r *reader) output(o *Value, oi int, tmpl Segment, path string) {
	if o.Kind != JSONObject {
		r.warn(o, "%s: %s is a JSON %s, not an output; its strings are scanned as metadata", path, o.Kind)
		r.walk(o, path, nil, false, tmpl, false)
		return
	}
	typ := o.Get("output_type").Decode()
	seg := func(mime string) Segment {
		t := tmpl
		t.Kind, t.Lang = KindOutput, "text"
		t.Output = &Output{Index: oi, Type: typ, MIME: mime}
		return t
	}
	used := map[string]bool{"output_type": true}
	switch typ {
	case "stream":
		name := o.Get("name")
		if name == nil {
			name = o.Get("stream") // nbformat 3
		}
		if text := o.Get("text"); text != nil {
			b := NewBuilder(seg(name.Decode()))
			r.multiline(b, text, true, path+".text")
			s := b.Segment()
			blankDataURIs(&s)
			r.add(s)
		}
		used["name"], used["stream"], used["text"] = true, true, true
	case "execute_result", "display_data", "pyout":
		if data := o.Get("data"); data != nil && data.Kind == JSONObject {
			for mi := range data.Members {
				m := &data.Members[mi]
				r.mime(m.Name(), &m.Value, seg(m.Name()), fmt.Sprintf("%s.data%s", path, joinPath("", m.Name())))
			}
			used["data"] = true
			break
		}
		for mi := range o.Members { // nbformat 3 keeps the bundle inline
			m := &o.Members[mi]
			name := m.Name()
			mime, ok := v3MIME[name]
			if !ok && strings.Contains(name, "/") {
				mime, ok = name, true
			}
			if ok {
				r.mime(mime, &m.Value, seg(mime), joinPath(path, name))
				used[name] = true
			}
		}
	case "error", "pyerr":
		r.traceback(o, seg(""))
		used["ename"], used["evalue"], used["traceback"] = true, true, true
	default:
		r.warn(o, "%s: %s has output_type %q, which is not a Jupyter output type; its strings are scanned as metadata", path, typ)
	}
	for mi := range o.Members {
		m := &o.Members[mi]
		if name := m.Name(); !used[name] || !o.IsUsedMember(mi) {
			r.walk(&m.Value, joinPath(path, name), &m.Key, true, tmpl, false)
		}
	}
}

// traceback builds the traceback lines joined with "\n", then a line
// "ename: evalue", without terminal colours, so `key='value'` is whole
// again. The traceback comes first because it is what Jupyter displays, so
// line numbers in the output match what the user sees.
func (r *reader) traceback(o *Value, tmpl Segment) {
	b := NewBuilder(tmpl)
	var prev *Value
	add := func(v *Value, sep string) {
		if v == nil || v.Kind != JSONString {
			return
		}
		if prev != nil {
			if prev.End <= v.Start {
				b.Mapped([]byte(sep), prev.End-1, v.Start+1-(prev.End-1))
			} else {
				b.Mapped([]byte(sep), v.Start, 1)
			}
		}
		s, e := v.Str()
		AppendJSONString(b, r.data, s, e, true)
		prev = v
	}
	if tb := o.Get("traceback"); tb != nil && tb.Kind == JSONArray {
		for i := range tb.Elems {
			add(&tb.Elems[i], "\n")
		}
	}
	add(o.Get("ename"), "\n")
	if ev := o.Get("evalue"); ev != nil && ev.Kind == JSONString && prev != nil {
		b.Mapped([]byte(": "), ev.Start, 1)
		s, e := ev.Str()
		AppendJSONString(b, r.data, s, e, true)
		prev = ev
	} else {
		add(ev, "\n")
	}
	seg := b.Segment()
	blankDataURIs(&seg)
	r.add(seg)
}

type mimeClass int

const (
	mimeSkip mimeClass = iota
	mimeText
	mimeJSON
)

// classifyMIME decides what of a mimebundle is scanned: text that people or
// programs print, never binary payloads or the machinery of widget and
// plotting libraries, which is large and full of random-looking ids.
func classifyMIME(mime string, size int) mimeClass {
	m := strings.ToLower(strings.TrimSpace(mime))
	switch {
	case m == "image/svg+xml":
		return mimeText
	case machineryMIME(m):
		return mimeSkip
	case m == "application/javascript" || m == "text/javascript":
		if size > maxJavaScript {
			return mimeSkip
		}
		return mimeText
	case m == "application/json" || strings.HasPrefix(m, "application/") && strings.HasSuffix(m, "+json"):
		return mimeJSON
	case strings.HasPrefix(m, "text/"):
		return mimeText
	}
	return mimeSkip
}

func (r *reader) mime(mime string, v *Value, tmpl Segment, path string) {
	switch classifyMIME(mime, v.End-v.Start) {
	case mimeText:
		b := NewBuilder(tmpl)
		r.multiline(b, v, true, path)
		seg := b.Segment()
		blankDataURIs(&seg)
		r.add(seg)
	case mimeJSON:
		tmpl.Lang = "json"
		var seg Segment
		if v.Kind == JSONString {
			// A JSON document stored as a string (some writers do): decode
			// it. Arrays are JSON data, never lines (nbformat does not split
			// JSON types), so they stay raw like objects.
			b := NewBuilder(tmpl)
			r.multiline(b, v, false, path)
			seg = b.Segment()
		} else {
			seg = Identity(tmpl, r.data, v.Start, v.End)
		}
		blankDataURIs(&seg)
		r.add(seg)
	}
}

// skipKeys name metadata that holds ids, hashes, timestamps and tool state:
// random-looking by nature and never where people put credentials.
var skipKeys = map[string]bool{
	"id": true, "outputId": true, "hash": true, "authorship_tag": true,
	"mount_file_id": true, "provenance": true, "execution": true,
	"executionInfo": true, "nuid": true, "model_id": true, "version": true,
	"kernelspec": true, "language_info": true, "jupytext": true, "toc": true,
	"collapsed": true, "scrolled": true, "colab": true, "signature": true,
	"ExecuteTime": true, "checksum": true,
}

func skipKey(name string, atRoot bool) bool {
	if skipKeys[name] {
		return true
	}
	// Jupyter widget state lives in metadata.widgets; deeper "widgets"
	// (Databricks input widgets) hold values people typed.
	if atRoot && name == "widgets" {
		return true
	}
	return machineryMIME(strings.ToLower(name))
}

// machineryMIME says a MIME type holds binary payloads or library state.
func machineryMIME(m string) bool {
	return strings.HasPrefix(m, "image/") && m != "image/svg+xml" ||
		strings.HasPrefix(m, "application/vnd.jupyter.widget") ||
		strings.Contains(m, "plotly") || strings.Contains(m, "bokeh") || strings.Contains(m, "holoviews")
}

// walk emits a metadata segment for every string under v, skipping
// machinery keys. key is the member key v is under (nil at a top), and
// direct says v is that member's value rather than inside an array.
// atRoot marks v as a metadata object itself.
func (r *reader) walk(v *Value, path string, key *Value, direct bool, tmpl Segment, atRoot bool) {
	switch v.Kind {
	case JSONObject:
		for mi := range v.Members {
			m := &v.Members[mi]
			name := m.Name()
			if skipKey(name, atRoot) {
				continue
			}
			r.walk(&m.Value, joinPath(path, name), &m.Key, true, tmpl, false)
		}
	case JSONArray:
		for i := range v.Elems {
			p := path
			if len(p) <= maxPathLen {
				p += "[" + strconv.Itoa(i) + "]"
			}
			r.walk(&v.Elems[i], p, key, false, tmpl, false)
		}
	case JSONString:
		if v.End-v.Start <= 2 {
			return
		}
		t := tmpl
		t.Kind, t.Lang, t.Key, t.Output = KindMetadata, "text", path, nil
		b := NewBuilder(t)
		// "K: "value"" puts the name next to the value, as in the file, so
		// that name-based detectors (password, token) still fire. Long
		// "names" are data, and repeating one for every element of an
		// array would multiply the file's size.
		if key != nil && key.End-key.Start <= maxKeyLen {
			ks, ke := key.Str()
			AppendJSONString(b, r.data, ks, ke, false)
			if direct && key.End <= v.Start {
				b.Mapped([]byte(`: "`), key.End-1, v.Start+1-(key.End-1))
			} else {
				b.Mapped([]byte(`: "`), v.Start, 1)
			}
		} else {
			b.Mapped([]byte(`"`), v.Start, 1)
		}
		s, e := v.Str()
		AppendJSONString(b, r.data, s, e, false)
		b.Mapped([]byte(`"`), v.End-1, 1)
		seg := b.Segment()
		blankDataURIs(&seg)
		r.add(seg)
	}
}

// maxKeyLen bounds the key shown in a metadata segment and in a path.
const maxKeyLen = 128

// maxPathLen bounds segment keys: deep paths are capped so that a nested
// file cannot make every string carry a copy of a huge path.
const maxPathLen = 512

// joinPath appends a key to a JSON path: a.b for plain names, a["x/y"]
// otherwise, so that MIME-type keys stay readable and unambiguous.
func joinPath(path, name string) string {
	if len(path) > maxPathLen {
		return path
	}
	if len(name) > maxKeyLen {
		name = name[:maxKeyLen] + "..."
	}
	plain := name != ""
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(name) + "]"
	case path == "":
		return name
	}
	return path + "." + name
}
