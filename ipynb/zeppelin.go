package ipynb

import (
	"bytes"
	"fmt"
	"strings"
)

// zeppelinMachinery are paragraph and note keys that hold job state,
// timestamps and layout, never text a person typed.
var zeppelinMachinery = map[string]bool{
	"id": true, "config": true, "dateUpdated": true, "dateCreated": true,
	"dateStarted": true, "dateFinished": true, "jobName": true, "status": true,
	"progressUpdateIntervalMs": true, "apps": true, "runtimeInfos": true,
	"user": true, "version": true, "info": true, "focus": true,
}

func parseZeppelin(data []byte) (*Notebook, error) {
	root, err := ParseJSON(data)
	if err != nil {
		return nil, err
	}
	if root.Kind != JSONObject {
		return nil, fmt.Errorf("the file is a JSON %s, not an object with \"paragraphs\": not a Zeppelin note", root.Kind)
	}
	r := &reader{nb: &Notebook{Format: FormatZeppelin, Root: root}, data: data}
	paras := root.Get("paragraphs")
	if paras == nil || paras.Kind != JSONArray {
		return nil, fmt.Errorf("no \"paragraphs\" array in the top-level object: not a Zeppelin note")
	}
	// Paragraphs without an %interpreter line run in the default one,
	// which Zeppelin ships as Spark, i.e. Scala.
	r.nb.Language = "scala"
	if l := normLang(root.Get("defaultInterpreterGroup").Decode()); l != "" {
		r.nb.Language = l
	}
	for i := range paras.Elems {
		r.paragraph(&paras.Elems[i], fmt.Sprintf("paragraphs[%d]", i))
	}
	for mi := range root.Members {
		m := &root.Members[mi]
		if name := m.Name(); name != "paragraphs" && !zeppelinMachinery[name] || name == "paragraphs" && !root.IsUsedMember(mi) {
			r.walk(&m.Value, joinPath("", name), &m.Key, true, Segment{}, false)
		}
	}
	return r.nb, nil
}

func (r *reader) paragraph(p *Value, path string) {
	idx := len(r.nb.Cells) + 1
	cell := Cell{Index: idx, Start: p.Start, End: p.End, Value: p, Type: "code", Lang: r.nb.Language}
	if p.Kind != JSONObject {
		r.warn(p, "%s: %s is a JSON %s, not a paragraph; its strings are scanned as metadata", path, p.Kind)
		r.walk(p, path, nil, false, Segment{Cell: idx}, false)
		r.nb.Cells = append(r.nb.Cells, cell)
		return
	}
	cell.ID = p.Get("id").Decode()
	text := p.Get("text")
	if text != nil && text.Kind == JSONString {
		cell.Source, cell.SrcStart, cell.SrcEnd = text, text.Start, text.End
		b := NewBuilder(Segment{Kind: KindSource, Cell: idx, CellID: cell.ID})
		s, e := text.Str()
		AppendJSONString(b, r.data, s, e, false)
		seg := b.Segment()
		if l := zeppelinInterpreter(seg.Text); l != "" {
			cell.Lang = l
		}
		if cell.Lang == "markdown" {
			cell.Type = "markdown"
			blankDataURIs(&seg)
		}
		seg.Lang, seg.CellType = cell.Lang, cell.Type
		r.add(seg)
	}
	tmpl := Segment{Cell: idx, CellID: cell.ID, CellType: cell.Type}
	if res := p.Get("results"); res != nil {
		if msg := res.Get("msg"); msg != nil && msg.Kind == JSONArray {
			cell.Outputs = msg
			for j := range msg.Elems {
				m := &msg.Elems[j]
				r.zeppelinResult(m.Get("type"), m.Get("data"), j, tmpl)
			}
		}
	}
	if res := p.Get("result"); res != nil && res.Kind == JSONObject { // Zeppelin 0.6 and older
		r.zeppelinResult(res.Get("type"), res.Get("msg"), 0, tmpl)
	}
	for mi := range p.Members {
		m := &p.Members[mi]
		switch name := m.Name(); {
		case (name == "text" || name == "results" || name == "result") && p.IsUsedMember(mi), zeppelinMachinery[name]:
		default:
			r.walk(&m.Value, joinPath(path, name), &m.Key, true, tmpl, false)
		}
	}
	r.nb.Cells = append(r.nb.Cells, cell)
}

// zeppelinResult scans one result message; images are base64 payloads.
func (r *reader) zeppelinResult(typ, data *Value, index int, tmpl Segment) {
	t := strings.ToUpper(typ.Decode())
	if data == nil || data.Kind != JSONString || t == "IMG" {
		return
	}
	tmpl.Kind, tmpl.Lang = KindOutput, "text"
	tmpl.Output = &Output{Index: index, Type: t}
	b := NewBuilder(tmpl)
	s, e := data.Str()
	AppendJSONString(b, r.data, s, e, true)
	seg := b.Segment()
	blankDataURIs(&seg)
	r.add(seg)
}

// zeppelinInterpreter reads "%spark.pyspark" or "%jdbc(hive)" on the first
// line; an interpreter we do not know is read as text.
func zeppelinInterpreter(text []byte) string {
	line := bytes.TrimLeft(text, " \t\r\n")
	if len(line) < 2 || line[0] != '%' {
		return ""
	}
	end := bytes.IndexAny(line, " \t\r\n(")
	if end < 0 {
		end = len(line)
	}
	name := strings.ToLower(string(line[1:end]))
	if l := normLang(name); l != "" {
		return l
	}
	sub := name[strings.LastIndexByte(name, '.')+1:]
	switch sub {
	case "ipyspark", "pyflink", "ipython":
		return "python"
	case "ssql", "bsql", "hive", "presto", "trino", "cassandra":
		return "sql"
	}
	return "text"
}
