package ipynb

import (
	"bytes"
	"path"
	"strings"
)

// Text notebook formats (jupytext scripts, Databricks source exports, R
// Markdown, Quarto) are their own raw text, so cell segments are slices of
// the file and map byte for byte.

type scriptLang struct {
	lang, comment string
}

// scriptLangs lists the script extensions jupytext and Databricks write,
// with their line comment.
var scriptLangs = map[string]scriptLang{
	".py": {"python", "#"}, ".r": {"r", "#"}, ".jl": {"julia", "#"},
	".sh": {"shell", "#"}, ".ps1": {"shell", "#"}, ".scala": {"scala", "//"},
	".js": {"javascript", "//"}, ".ts": {"javascript", "//"}, ".sql": {"sql", "--"},
}

// line is one line of a text file: content [start, end) without the line
// ending, and next, where the following line starts.
type line struct{ start, end, next int }

func splitLines(data []byte, from int) []line {
	var out []line
	for i := from; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		next := len(data)
		end := len(data)
		if j >= 0 {
			end, next = i+j, i+j+1
		}
		if end > i && data[end-1] == '\r' {
			end--
		}
		out = append(out, line{i, end, next})
		i = next
	}
	return out
}

func (l line) text(data []byte) []byte { return data[l.start:l.end] }

func (l line) blank(data []byte) bool { return len(bytes.TrimSpace(l.text(data))) == 0 }

// bodySpan trims blank lines off both ends of lines[a:b] and returns the
// remaining range; a == b when nothing is left.
func bodySpan(data []byte, ls []line, a, b int) (int, int) {
	for a < b && ls[a].blank(data) {
		a++
	}
	for b > a && ls[b-1].blank(data) {
		b--
	}
	return a, b
}

// textCell records a cell of a text format and its Identity segment.
func textCell(nb *Notebook, data []byte, ls []line, markerLine, a, b int, typ, lang string) {
	idx := len(nb.Cells) + 1
	cell := Cell{Index: idx, Type: typ, Lang: lang}
	first := a
	if markerLine >= 0 {
		first = markerLine
	}
	switch {
	case a < b:
		cell.SrcStart, cell.SrcEnd = ls[a].start, ls[b-1].next
	case markerLine >= 0:
		cell.SrcStart, cell.SrcEnd = ls[markerLine].next, ls[markerLine].next
	}
	cell.Start, cell.End = ls[first].start, max(cell.SrcEnd, ls[first].next)
	nb.Cells = append(nb.Cells, cell)
	if a >= b {
		return
	}
	seg := Identity(Segment{Kind: KindSource, Cell: idx, CellType: typ, Lang: lang}, data, cell.SrcStart, cell.SrcEnd)
	if typ == "code" {
		// jupytext comments magics out ("# %%bash"); they still run.
		if l, wf, ok := cellMagic(seg.Text, true); ok {
			seg.Lang, seg.WriteFile = l, wf
		}
	} else {
		blankDataURIs(&seg)
	}
	nb.Segments = append(nb.Segments, seg)
}

func bomLen(data []byte) int {
	if bytes.HasPrefix(data, utf8BOM) {
		return len(utf8BOM)
	}
	return 0
}

// databricksHeader returns the comment prefix of a Databricks source
// export's first line, or "".
func databricksHeader(body []byte) string {
	first := body
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimRight(first, " \t\r")
	for _, c := range []string{"#", "//", "--"} {
		h := c + " Databricks notebook source"
		if bytes.Equal(first, []byte(h)) || bytes.HasPrefix(first, []byte(h+" exported at")) {
			return c
		}
	}
	return ""
}

// jupytextHeader returns the line index just past a jupytext YAML header
// ("# ---", "# jupyter:", ..., "# ---"), or 0 when there is none. A
// shebang may come first.
func jupytextHeaderLines(data []byte, ls []line, comment string) int {
	i := 0
	if i < len(ls) && bytes.HasPrefix(ls[i].text(data), []byte("#!")) {
		i++
	}
	fence := []byte(comment + " ---")
	if i >= len(ls) || !bytes.Equal(bytes.TrimRight(ls[i].text(data), " \t"), fence) {
		return 0
	}
	jupyter := false
	for j := i + 1; j < len(ls); j++ {
		t := bytes.TrimRight(ls[j].text(data), " \t")
		if bytes.Equal(t, fence) {
			if jupyter {
				return j + 1
			}
			return 0
		}
		if !bytes.HasPrefix(t, []byte(comment)) {
			return 0
		}
		if bytes.Equal(bytes.TrimSpace(t[len(comment):]), []byte("jupyter:")) {
			jupyter = true
		}
	}
	return 0
}

func jupytextHeader(body []byte, comment string) int {
	// Only the top of the file can hold the header; do not split a large
	// script into lines just to sniff it.
	head := body
	if len(head) > 64<<10 {
		head = head[:64<<10]
	}
	// Most files fail on the first line (after a shebang): look at it
	// before splitting 64 KiB into lines.
	first, rest, _ := bytes.Cut(head, []byte("\n"))
	if bytes.HasPrefix(first, []byte("#!")) {
		first, _, _ = bytes.Cut(rest, []byte("\n"))
	}
	if !bytes.HasPrefix(first, []byte(comment+" ---")) {
		return 0
	}
	return jupytextHeaderLines(head, splitLines(head, 0), comment)
}

// percentMarker reads a "# %%" cell marker: "# %%", "# %% title",
// "# %% [markdown]", "#%%". "# %%bash" is a commented cell magic, not a
// marker.
func percentMarker(t []byte, comment string) (typ string, ok bool) {
	if !bytes.HasPrefix(t, []byte(comment)) {
		return "", false
	}
	rest := bytes.TrimPrefix(t[len(comment):], []byte(" "))
	if !bytes.HasPrefix(rest, []byte("%%")) {
		return "", false
	}
	rest = rest[2:]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	switch {
	case bytes.Contains(rest, []byte("[markdown]")), bytes.Contains(rest, []byte("[md]")):
		return "markdown", true
	case bytes.Contains(rest, []byte("[raw]")):
		return "raw", true
	}
	return "code", true
}

func hasPercentMarker(body []byte, comment string) bool {
	// Only a line holding "%%" can be a marker: look for those (a fast
	// search), not at every line of every script.
	for {
		i := bytes.Index(body, []byte("%%"))
		if i < 0 {
			return false
		}
		start := bytes.LastIndexByte(body[:i], '\n') + 1
		line, rest, _ := bytes.Cut(body[start:], []byte("\n"))
		if _, ok := percentMarker(bytes.TrimRight(line, "\r"), comment); ok {
			return true
		}
		body = rest
	}
}

func parseJupytext(name string, data []byte, f Format) *Notebook {
	sl := scriptLangs[strings.ToLower(path.Ext(name))]
	nb := &Notebook{Format: f, Language: sl.lang}
	ls := splitLines(data, bomLen(data))
	first := jupytextHeaderLines(data, ls, sl.comment)
	if first > 0 {
		nb.Segments = append(nb.Segments, Identity(Segment{Kind: KindMetadata, Key: "jupytext header", Lang: "text"},
			data, ls[0].start, ls[first-1].next))
	}
	if f == FormatPercent {
		parsePercent(nb, data, ls, first, sl)
	} else {
		parseLight(nb, data, ls, first, sl)
	}
	return nb
}

func parsePercent(nb *Notebook, data []byte, ls []line, first int, sl scriptLang) {
	marker, typ := -1, "code"
	flush := func(end int) {
		a, b := bodySpan(data, ls, marker+1, end)
		if marker < 0 {
			a, b = bodySpan(data, ls, first, end)
			if a == b {
				return // nothing before the first marker
			}
		}
		textCell(nb, data, ls, marker, a, b, typ, cellLang(typ, sl.lang))
	}
	for i := first; i < len(ls); i++ {
		t, ok := percentMarker(ls[i].text(data), sl.comment)
		if !ok {
			continue
		}
		flush(i)
		marker, typ = i, t
	}
	flush(len(ls))
}

func cellLang(typ, lang string) string {
	switch typ {
	case "markdown":
		return "markdown"
	case "raw":
		return "text"
	}
	return lang
}

// parseLight follows jupytext's light format: "# +" ... "# -" bracket a
// cell; otherwise paragraphs of comments are markdown, and code paragraphs
// one blank line apart belong to the same cell (two blank lines split).
func parseLight(nb *Notebook, data []byte, ls []line, first int, sl scriptLang) {
	type para struct {
		marker, a, b int // marker line (-1), body lines [a, b)
		typ          string
		explicit     bool
		blanksBefore int
	}
	var paras []para
	blanks := 2
	isComment := func(i int) bool {
		return bytes.HasPrefix(bytes.TrimLeft(ls[i].text(data), " \t"), []byte(sl.comment))
	}
	for i := first; i < len(ls); {
		if ls[i].blank(data) {
			blanks++
			i++
			continue
		}
		if typ, ok := lightStart(ls[i].text(data), sl.comment); ok {
			j := i + 1
			for j < len(ls) && !lightEnd(ls[j].text(data), sl.comment) {
				j++
			}
			paras = append(paras, para{marker: i, a: i + 1, b: j, typ: typ, explicit: true})
			i, blanks = j+1, 0
			continue
		}
		p := para{marker: -1, a: i, typ: "markdown", blanksBefore: blanks}
		for i < len(ls) && !ls[i].blank(data) {
			if _, ok := lightStart(ls[i].text(data), sl.comment); ok {
				break
			}
			if !isComment(i) {
				p.typ = "code"
			}
			i++
		}
		p.b = i
		paras = append(paras, p)
		blanks = 0
	}
	for k := 0; k < len(paras); k++ {
		p := paras[k]
		// Merge following code paragraphs one blank line apart.
		for !p.explicit && p.typ == "code" && k+1 < len(paras) {
			q := paras[k+1]
			if q.explicit || q.typ != "code" || q.blanksBefore != 1 {
				break
			}
			p.b = q.b
			k++
		}
		a, b := bodySpan(data, ls, p.a, p.b)
		textCell(nb, data, ls, p.marker, a, b, p.typ, cellLang(p.typ, sl.lang))
		if p.explicit && p.b < len(ls) { // the cell includes its "# -"
			nb.Cells[len(nb.Cells)-1].End = ls[p.b].next
		}
	}
}

// lightStart reads "# +", "# + tags=[...]", "# + {...}", "# + [markdown]".
func lightStart(t []byte, comment string) (string, bool) {
	if !bytes.HasPrefix(t, []byte(comment)) {
		return "", false
	}
	rest := bytes.TrimPrefix(t[len(comment):], []byte(" "))
	if len(rest) == 0 || rest[0] != '+' {
		return "", false
	}
	rest = rest[1:]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '{' {
		return "", false
	}
	if bytes.Contains(rest, []byte("[markdown]")) || bytes.Contains(rest, []byte("[md]")) {
		return "markdown", true
	}
	return "code", true
}

func lightEnd(t []byte, comment string) bool {
	t = bytes.TrimRight(t, " \t")
	return bytes.Equal(t, []byte(comment+" -")) || bytes.Equal(t, []byte(comment+"-"))
}

// databricksMagics maps the magic on a cell's first "# MAGIC" line.
var databricksMagics = map[string]string{
	"%md": "markdown", "%md-sandbox": "markdown", "%sh": "shell", "%sql": "sql",
	"%python": "python", "%scala": "scala", "%r": "r", "%pip": "shell",
	"%fs": "shell", "%run": "text", "%conda": "shell",
}

func parseDatabricks(name string, data []byte) *Notebook {
	start := bomLen(data)
	comment := databricksHeader(data[start:])
	nb := &Notebook{Format: FormatDatabricks}
	switch comment {
	case "//":
		nb.Language = "scala"
	case "--":
		nb.Language = "sql"
	default:
		nb.Language = "python"
	}
	if sl, ok := scriptLangs[strings.ToLower(path.Ext(name))]; ok && sl.comment == comment {
		nb.Language = sl.lang
	}
	ls := splitLines(data, start)
	sep := []byte(comment + " COMMAND ----------")
	magic := []byte(comment + " MAGIC")
	title := []byte(comment + " DBTITLE")
	from := 1 // line 0 is the header
	for i := 1; i <= len(ls); i++ {
		if i < len(ls) && !bytes.Equal(bytes.TrimRight(ls[i].text(data), " \t"), sep) {
			continue
		}
		a, b := bodySpan(data, ls, from, i)
		from = i + 1
		if a == b {
			continue
		}
		marker := -1
		if bytes.HasPrefix(ls[a].text(data), title) {
			marker = a
			if a, b = bodySpan(data, ls, a+1, b); a == b {
				a, b = marker+1, marker+1
			}
		}
		if a < b && bytes.HasPrefix(ls[a].text(data), magic) {
			databricksMagicCell(nb, data, ls, marker, a, b, magic)
			continue
		}
		textCell(nb, data, ls, marker, a, b, "code", nb.Language)
	}
	return nb
}

// databricksMagicCell builds a cell from "# MAGIC " lines without the
// prefix: it is syntax, not a comment, and a shell or SQL detector must
// see `export KEY=value` at the start of its line. Every byte kept is the
// file's own byte, so the segment still maps exactly.
func databricksMagicCell(nb *Notebook, data []byte, ls []line, marker, a, b int, magic []byte) {
	idx := len(nb.Cells) + 1
	first := bytes.TrimSpace(bytes.TrimPrefix(ls[a].text(data), magic))
	word, _, _ := bytes.Cut(first, []byte(" "))
	lang, ok := databricksMagics[strings.ToLower(string(word))]
	if !ok {
		lang = nb.Language
	}
	typ := "code"
	if lang == "markdown" {
		typ = "markdown"
	}
	cell := Cell{Index: idx, Type: typ, Lang: lang, SrcStart: ls[a].start, SrcEnd: ls[b-1].next, Start: ls[a].start, End: ls[b-1].next}
	if marker >= 0 {
		cell.Start = ls[marker].start
	}
	nb.Cells = append(nb.Cells, cell)
	bld := NewBuilder(Segment{Kind: KindSource, Cell: idx, CellType: typ, Lang: lang})
	for _, l := range ls[a:b] {
		s := l.start
		if bytes.HasPrefix(l.text(data), magic) {
			s += len(magic)
			if s < l.end && data[s] == ' ' {
				s++
			}
		}
		bld.Exact(data[s:l.next], s)
	}
	seg := bld.Segment()
	if typ == "markdown" {
		blankDataURIs(&seg)
	}
	if len(seg.Text) > 0 {
		nb.Segments = append(nb.Segments, seg)
	}
}

// parseRMarkdown reads R Markdown and Quarto: ```{engine ...} chunks are
// code cells, the prose between them markdown cells, and a leading YAML
// front matter (params:, which may hold credentials) a raw cell.
func parseRMarkdown(data []byte, f Format) *Notebook {
	nb := &Notebook{Format: f, Language: "r"}
	if f == FormatQuarto {
		nb.Language = "python"
	}
	ls := splitLines(data, bomLen(data))
	i := 0
	if len(ls) > 0 && bytes.Equal(bytes.TrimRight(ls[0].text(data), " \t"), []byte("---")) {
		for j := 1; j < len(ls); j++ {
			t := bytes.TrimRight(ls[j].text(data), " \t")
			if bytes.Equal(t, []byte("---")) || bytes.Equal(t, []byte("...")) {
				a, b := bodySpan(data, ls, 1, j)
				textCell(nb, data, ls, 0, a, b, "raw", "yaml")
				nb.Cells[len(nb.Cells)-1].End = ls[j].next
				i = j + 1
				break
			}
		}
	}
	prose := i
	langSet := false
	flushProse := func(end int) {
		if a, b := bodySpan(data, ls, prose, end); a < b {
			textCell(nb, data, ls, -1, a, b, "markdown", "markdown")
		}
	}
	for i < len(ls) {
		ticks, engine, chunk := fence(ls[i].text(data))
		if ticks == 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(ls) && !closingFence(ls[j].text(data), ticks) {
			j++
		}
		if !chunk { // a plain code block in the prose: skip over it whole
			i = j + 1
			continue
		}
		flushProse(i)
		lang := normLang(engine)
		if lang == "" {
			lang = "text"
		}
		if !langSet && lang != "text" {
			nb.Language, langSet = lang, true
		}
		a, b := i+1, min(j, len(ls))
		if a > b {
			a = b
		}
		textCell(nb, data, ls, i, a, b, "code", lang)
		if j < len(ls) {
			nb.Cells[len(nb.Cells)-1].End = ls[j].next
		}
		i = j + 1
		prose = i
	}
	flushProse(len(ls))
	return nb
}

// fence reads an opening code fence: the number of backticks, and for an
// executable chunk ("```{r label, echo=FALSE}") its engine. Pandoc
// attributes ("```{.python}") and Quarto's escaped "```{{r}}" are shown,
// not run: plain code blocks.
func fence(t []byte) (ticks int, engine string, chunk bool) {
	t = bytes.TrimLeft(t, " ")
	for ticks < len(t) && t[ticks] == '`' {
		ticks++
	}
	if ticks < 3 {
		return 0, "", false
	}
	rest := bytes.TrimSpace(t[ticks:])
	if bytes.IndexByte(rest, '`') >= 0 {
		return 0, "", false // inline code, not a fence
	}
	if len(rest) < 2 || rest[0] != '{' || rest[1] == '{' || rest[1] == '.' || rest[1] == '=' {
		return ticks, "", false
	}
	body := bytes.TrimSpace(bytes.TrimSuffix(rest[1:], []byte("}")))
	end := bytes.IndexAny(body, " ,}")
	if end < 0 {
		end = len(body)
	}
	return ticks, string(body[:end]), true
}

func closingFence(t []byte, ticks int) bool {
	t = bytes.TrimSpace(t)
	if len(t) < ticks {
		return false
	}
	for _, c := range t {
		if c != '`' {
			return false
		}
	}
	return true
}
