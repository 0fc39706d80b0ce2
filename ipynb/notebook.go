package ipynb

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// Format is a notebook file format.
type Format string

const (
	FormatNone       Format = ""
	FormatJupyter    Format = "jupyter"  // nbformat 4 (Sniff also says this for nbformat 3 files)
	FormatJupyter3   Format = "jupyter3" // nbformat 3 (and 2): worksheets[].cells[]
	FormatZeppelin   Format = "zeppelin" // .zpln and note.json
	FormatPercent    Format = "jupytext-percent"
	FormatLight      Format = "jupytext-light"
	FormatDatabricks Format = "databricks" // Databricks SOURCE export
	FormatRMarkdown  Format = "rmarkdown"
	FormatQuarto     Format = "quarto"
)

// Notebook is what Parse found in a file.
type Notebook struct {
	Format Format
	// Language is the kernel's language in the Lang vocabulary; code cells
	// without a cell magic are in it.
	Language string
	Segments []Segment
	Cells    []Cell
	// Warnings report parts that were not understood; they were scanned as
	// metadata strings or skipped, and the warning says which.
	Warnings []string
	// Root is the parsed JSON document (nil for text formats): the spans a
	// fixer splices into.
	Root *Value
}

// Cell is the structure of one cell, for fixers and reports.
type Cell struct {
	Index int // 1-based, as Segment.Cell
	ID    string
	Type  string // code, markdown, raw, heading (nbformat 3)
	Lang  string
	// Start and End span the whole cell in the file: its JSON object, or
	// for text formats its lines including the cell marker.
	Start, End int
	// SrcStart and SrcEnd span the source: the JSON source value (quotes or
	// brackets included), or the cell body of a text format.
	SrcStart, SrcEnd int
	// For JSON formats: the cell object, its source (nbformat 3 code cells:
	// input; Zeppelin: text) and its outputs (Zeppelin: results.msg). Any
	// may be nil.
	Value, Source, Outputs *Value
}

// Sniff says which notebook format a file is in, from its name and its
// first bytes; it does not validate the file. JSON notebooks of every
// nbformat version sniff as FormatJupyter (Parse tells nbformat 3 apart).
// Files that are no notebook give FormatNone.
func Sniff(name string, data []byte) Format {
	base := strings.ToLower(path.Base(strings.ReplaceAll(name, "\\", "/")))
	ext := path.Ext(base)
	body := bytes.TrimPrefix(data, utf8BOM)
	jsonish := len(bytes.TrimLeft(body, " \t\r\n")) > 0 && bytes.TrimLeft(body, " \t\r\n")[0] == '{'
	switch {
	case ext == ".ipynb":
		if jsonish {
			return FormatJupyter
		}
		return FormatNone
	case ext == ".zpln" || base == "note.json":
		if jsonish && (ext == ".zpln" || bytes.Contains(data, []byte(`"paragraphs"`))) {
			return FormatZeppelin
		}
		return FormatNone
	case ext == ".rmd":
		return FormatRMarkdown
	case ext == ".qmd":
		return FormatQuarto
	}
	sl, ok := scriptLangs[ext]
	if !ok {
		return FormatNone
	}
	if databricksHeader(body) != "" {
		return FormatDatabricks
	}
	if sl.comment == "" {
		return FormatNone
	}
	hdr := jupytextHeader(body, sl.comment)
	if hasPercentMarker(body, sl.comment) {
		return FormatPercent
	}
	if hdr > 0 {
		return FormatLight
	}
	return FormatNone
}

// Parse reads a notebook into segments. It returns (nil, nil) for a file
// that is no notebook (Sniff gives FormatNone), and an error saying what
// and where when a JSON notebook is not valid JSON or has no cells: the
// caller should then scan the file as plain text.
func Parse(name string, data []byte) (nb *Notebook, err error) {
	defer func() {
		// A scanner must not die on one odd file; the fuzz test treats this
		// message as a failure, so bugs still surface.
		if r := recover(); r != nil {
			nb, err = nil, fmt.Errorf("%s: internal error reading the notebook (please report this file): %v", name, r)
		}
	}()
	f := Sniff(name, data)
	switch f {
	case FormatNone:
		return nil, nil
	case FormatJupyter:
		nb, err = parseJupyter(data)
	case FormatZeppelin:
		nb, err = parseZeppelin(data)
	case FormatPercent, FormatLight:
		nb = parseJupytext(name, data, f)
	case FormatDatabricks:
		nb = parseDatabricks(name, data)
	case FormatRMarkdown, FormatQuarto:
		nb = parseRMarkdown(data, f)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w; scan it as plain text, or re-save it from Jupyter to fix it", name, err)
	}
	return nb, nil
}

// normLang maps a kernel, interpreter or engine name to the Lang
// vocabulary; unknown names give "".
func normLang(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if l := normLang1(s); l != "" {
		return l
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 { // Zeppelin's spark.pyspark
		return normLang1(s[i+1:])
	}
	return ""
}

func normLang1(s string) string {
	switch s {
	case "python", "python2", "python3", "py", "ipython", "ipython3", "pyspark", "pyspark3", "pysparkkernel", "sparkkernel-python":
		return "python"
	case "r", "ir", "sparkr", "rscript":
		return "r"
	case "scala", "spark", "sparkkernel", "spylon", "spylon-kernel", "scala211", "scala212", "scala213", "almond":
		return "scala"
	case "sql", "sparksql", "jdbc", "psql", "mysql", "hive", "bigquery", "postgresql", "snowflake", "kql", "sqlite":
		return "sql"
	case "sh", "bash", "zsh", "shell", "shellscript", "system", "sx", "cmd", "powershell", "pwsh":
		return "shell"
	case "md", "markdown":
		return "markdown"
	case "julia", "jl":
		return "julia"
	case "javascript", "js", "node", "nodejs", "typescript", "ts", "ojs":
		return "javascript"
	case "json":
		return "json"
	case "java", "kotlin":
		return "java"
	case "go", "golang", "gophernotes":
		return "go"
	}
	switch {
	case strings.HasPrefix(s, "python"), strings.HasPrefix(s, "conda-env-"), strings.HasPrefix(s, "pyspark"):
		return "python"
	case strings.HasPrefix(s, "julia"):
		return "julia"
	case strings.HasPrefix(s, "scala"):
		return "scala"
	}
	return ""
}

// cellMagic reads a cell magic on the first non-blank line of a code cell.
// Line magics (%env, !cmd) stay in the kernel's language: the detectors
// read them there. commented accepts jupytext's "# %%bash" form.
func cellMagic(text []byte, commented bool) (lang, writeFile string, ok bool) {
	line := firstLine(text)
	if commented {
		line = bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("#")), []byte(" "))
	}
	if bytes.HasPrefix(line, []byte("%%")) {
		name, args, _ := strings.Cut(strings.TrimSpace(string(line[2:])), " ")
		args = strings.TrimSpace(args)
		switch name {
		case "bash", "sh", "zsh", "sx", "system", "cmd", "powershell":
			return "shell", "", true
		case "script":
			prog, _, _ := strings.Cut(args, " ")
			if l := normLang(path.Base(prog)); l != "" {
				return l, "", true
			}
			return "shell", "", true
		case "sql", "bigquery", "sparksql", "kql", "snowflake":
			return "sql", "", true
		case "R":
			return "r", "", true
		case "python", "python2", "python3", "pypy":
			return "python", "", true
		case "scala":
			return "scala", "", true
		case "javascript", "js":
			return "javascript", "", true
		case "markdown", "md":
			return "markdown", "", true
		case "html", "svg", "latex", "perl", "ruby":
			return "text", "", true
		case "writefile", "file":
			return "text", writeFileArg(args), true
		}
		return "", "", false
	}
	// Databricks cells exported to Jupyter start with a bare "%sql" line.
	if bytes.HasPrefix(line, []byte("%")) && !bytes.HasPrefix(line, []byte("%%")) {
		switch strings.TrimSpace(string(line[1:])) {
		case "sql":
			return "sql", "", true
		case "sh":
			return "shell", "", true
		case "md":
			return "markdown", "", true
		case "scala":
			return "scala", "", true
		case "r":
			return "r", "", true
		case "python":
			return "python", "", true
		}
	}
	return "", "", false
}

// writeFileArg extracts the path from "%%writefile [-a] PATH".
func writeFileArg(args string) string {
	for {
		args = strings.TrimSpace(args)
		if strings.HasPrefix(args, "-a ") || strings.HasPrefix(args, "--append ") {
			_, args, _ = strings.Cut(args, " ")
			continue
		}
		break
	}
	if len(args) >= 2 && (args[0] == '"' || args[0] == '\'') && args[len(args)-1] == args[0] {
		return args[1 : len(args)-1]
	}
	return args
}

// firstLine returns the first line that is not blank, without its end.
func firstLine(text []byte) []byte {
	for len(text) > 0 {
		line := text
		rest := []byte(nil)
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, rest = text[:i], text[i+1:]
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			return t
		}
		text = rest
	}
	return nil
}

// blankDataURIs replaces the payload of base64 data: URIs with spaces. The
// text keeps its length, so offsets stay valid, and no detector can match
// inside an inline image; the blanked bytes stop being exact pieces, since
// they no longer equal the file's bytes.
func blankDataURIs(seg *Segment) {
	t := seg.Text
	var spans [][2]int
	for from := 0; ; {
		i := bytes.Index(t[from:], []byte("data:"))
		if i < 0 {
			break
		}
		i += from + len("data:")
		from = i
		// Header: mime type and parameters, then ";base64,".
		j := i
		for j < len(t) && j-i < 256 && isHeaderByte(t[j]) {
			j++
		}
		h := bytes.Index(t[i:j], []byte(";base64,"))
		if h < 0 {
			continue
		}
		a := i + h + len(";base64,")
		b := a
		for b < len(t) && isBase64Byte(t[b]) {
			b++
		}
		if b > a {
			spans = append(spans, [2]int{a, b})
		}
		from = b
	}
	if len(spans) > 0 {
		blank(seg, spans)
	}
}

func isHeaderByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '(' && c != ')' && c != '<' && c != '>'
}

func isBase64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
		c == '+' || c == '/' || c == '=' || c == '-' || c == '_'
}

// blank turns the decoded spans (sorted, disjoint) into spaces, splitting
// exact pieces so that blanked parts map as stretches, not byte for byte.
// One pass over the pieces, however many spans: a notebook may inline
// thousands of images.
func blank(seg *Segment, spans [][2]int) {
	for _, sp := range spans {
		for k := sp[0]; k < sp[1]; k++ {
			seg.Text[k] = ' '
		}
	}
	out := make([]piece, 0, len(seg.pieces)+2*len(spans))
	si := 0
	for _, p := range seg.pieces {
		if !p.exact {
			out = append(out, p)
			continue
		}
		pe := p.dec + p.decLen
		cur := p.dec // start of the part of p not yet emitted
		for si < len(spans) && spans[si][1] <= cur {
			si++
		}
		for k := si; k < len(spans) && spans[k][0] < pe; k++ {
			lo, hi := max(spans[k][0], cur), min(spans[k][1], pe)
			if lo > cur {
				out = append(out, piece{dec: cur, raw: p.raw + cur - p.dec, decLen: lo - cur, rawLen: lo - cur, exact: true})
			}
			out = append(out, piece{dec: lo, raw: p.raw + lo - p.dec, decLen: hi - lo, rawLen: hi - lo})
			cur = hi
		}
		if cur < pe {
			out = append(out, piece{dec: cur, raw: p.raw + cur - p.dec, decLen: pe - cur, rawLen: pe - cur, exact: true})
		}
	}
	seg.pieces = out
}
