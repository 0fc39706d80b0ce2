package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/iam"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/scanner"
)

// jsonNode parses JSON text into a node; nil when it is not JSON.
func jsonNode(data []byte, lineOf func(off int) (int, int, int)) *node {
	v, err := ipynb.ParseJSON(data)
	if err != nil {
		return nil
	}
	return fromJSON(v, lineOf)
}

// Kind says how a file is read for policies, from its name; "" for none.
func Kind(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json", ".template":
		return "json"
	case ".yaml", ".yml":
		return "yaml"
	case ".tf":
		return "terraform"
	case ".py", ".pyw":
		return "python"
	case ".ipynb":
		return "notebook"
	}
	return ""
}

// File lints the policies in one file. Findings are located at the
// statement's (or value's) line and, in notebooks, cell. A finding on a
// line holding rolecall:allow is dropped. notes say what could not be read.
func File(name string, data []byte) (findings []scanner.Finding, notes []string) {
	// one index per file: every node asks for its line, so a scan from
	// the start per node would be quadratic in a big policy file
	li := scanner.NewLineIndex(data)
	lineOf := func(off int) (int, int, int) {
		l, _ := li.Pos(off)
		return l, 0, 0
	}
	var docs []document
	switch Kind(name) {
	case "json":
		root := jsonNode(data, lineOf)
		if root == nil {
			if bytes.Contains(data, []byte(`"Statement"`)) {
				notes = append(notes, name+": not valid JSON; its policies were not checked")
			}
			return nil, notes
		}
		findDocs(root, "", &docs)
	case "yaml":
		if !bytes.Contains(data, []byte("Statement")) {
			return nil, nil
		}
		root, err := fromYAML(data, 0)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: not valid YAML (%v); its policies were not checked", name, err))
			return nil, notes
		}
		findDocs(root, "", &docs)
	case "terraform":
		p := &hclParser{toks: hclLex(data)}
		p.body(nil)
		for _, d := range p.found {
			if d.n == nil {
				base := d.line
				n := jsonNode([]byte(d.json), func(off int) (int, int, int) {
					return base + bytes.Count([]byte(d.json[:min(off, len(d.json))]), []byte{'\n'}) + 1, 0, 0
				})
				if n == nil {
					if strings.Contains(d.json, "Statement") && !strings.Contains(d.json, "${") {
						notes = append(notes, fmt.Sprintf("%s:%d: %s is not valid JSON; not checked", name, d.line+1, d.key))
					}
					continue
				}
				d.n = n
			}
			var found []document
			findDocs(d.n, d.key, &found)
			if d.key == "assume_role_policy" {
				for i := range found {
					found[i].role = roleTrust
				}
			}
			docs = append(docs, found...)
		}
	case "python":
		docs = pyDocs(data, lineOf, map[string]*node{})
	case "notebook":
		nb, err := ipynb.Parse(name, data)
		if nb == nil || err != nil {
			notes = append(notes, fmt.Sprintf("%s: not read as a notebook (%v)", name, err))
			return nil, notes
		}
		vars := map[string]*node{}
		for i := range nb.Segments {
			seg := &nb.Segments[i]
			if seg.Kind != ipynb.KindSource || seg.Lang != "python" {
				continue
			}
			cellLi := scanner.NewLineIndex(seg.Text)
			segLine := func(off int) (int, int, int) {
				l, _ := li.Pos(seg.RawOffset(off))
				cl, _ := cellLi.Pos(off)
				return l, seg.Cell, cl
			}
			docs = append(docs, pyDocs(seg.Text, segLine, vars)...)
		}
	}
	lines := bytes.Split(data, []byte{'\n'})
	// a line is searched once: a minified policy has all its findings on it
	allow := map[int]bool{}
	allowed := func(line int) bool {
		a, ok := allow[line]
		if !ok {
			a = bytes.Contains(lines[line-1], []byte(detectors.AllowComment))
			allow[line] = a
		}
		return a
	}
	for _, d := range docs {
		for _, is := range check(d) {
			f := toFinding(name, is)
			if f.Line >= 1 && f.Line <= len(lines) && allowed(f.Line) {
				continue
			}
			findings = append(findings, f)
		}
	}
	return dedupe(findings), notes
}

func toFinding(file string, is issue) scanner.Finding {
	r := ruleByID(is.rule)
	n := is.at
	f := scanner.Finding{
		RuleID: r.ID, Description: r.Description, Severity: r.Severity, File: file,
		Line: n.line, Column: 1, EndLine: n.line, EndColumn: 1, Secret: is.excerpt, Hint: r.Hint,
	}
	// the message names the problem on this node; with the excerpt it
	// tells two findings of one rule in one file apart
	b, _ := json.Marshal([]any{is.excerpt, is.msg})
	// A policy excerpt is no secret: the fingerprint needs no key.
	f.Fingerprint = scanner.UnkeyedFingerprint(r.ID, file, string(b))
	if n.cell > 0 {
		f.Notebook = &scanner.NotebookLocation{Cell: n.cell, CellLine: n.cellLine, CellColumn: 1, Part: "source"}
	}
	return f
}

// dedupe drops repeats of the same rule on the same line and excerpt (a
// document reached twice, e.g. through a variable used in two calls).
func dedupe(fs []scanner.Finding) []scanner.Finding {
	seen := map[string]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := fmt.Sprint(f.RuleID, f.Line, f.Secret, f.Description)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// Paths lints every file under paths whose kind is known (see iam.Walk);
// notes name what could not be read or parsed.
func Paths(paths []string, maxSize int64) (findings []scanner.Finding, notes []string, files int) {
	var parsed []string
	notes, files = iam.Walk(paths, maxSize, func(p string) bool { return Kind(p) != "" }, func(name string, data []byte) {
		fs, ns := File(name, data)
		findings = append(findings, fs...)
		parsed = append(parsed, ns...)
	})
	scanner.SortFindings(findings)
	return findings, append(notes, parsed...), files
}
