package infer

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/iam"
	"github.com/rolecall/rolecall/ipynb"
	"github.com/rolecall/rolecall/scanner"
)

// language says how a file is read, from its name; "" for files that hold
// no code rolecall reads for AWS calls.
func language(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".py", ".pyw", ".ipy":
		return "python"
	case ".r":
		return "r"
	case ".sh", ".bash", ".zsh":
		return "shell"
	case ".ipynb", ".zpln", ".rmd", ".qmd":
		return "notebook"
	}
	return ""
}

// File adds the uses of one file's code to res. name is the path shown in
// call sites.
func File(res *Result, name string, data []byte) {
	c := &collector{res: res}
	lang := language(name)
	if ipynb.Sniff(name, data) != ipynb.FormatNone && lang != "python" && lang != "r" && lang != "shell" {
		lang = "notebook"
	}
	li := scanner.NewLineIndex(data) // one index: a minified file has every call on one line
	fileSite := func(off int, call string) Site {
		line, _ := li.Pos(off)
		return Site{File: name, Line: line, Call: call}
	}
	switch lang {
	case "python", "r":
		e := newEvaluator(c, lang == "r")
		e.shell = func(text []byte, base int) {
			c.shellText(text, func(off int, call string) Site { return fileSite(base+off, call) })
		}
		e.run(data, fileSite)
	case "shell":
		c.shellText(data, fileSite)
	case "notebook":
		c.notebook(name, data)
	}
}

// notebook reads the code cells of a notebook in order, one evaluator per
// language, so constants and clients defined in one cell reach the next.
func (c *collector) notebook(name string, data []byte) {
	nb, err := ipynb.Parse(name, data)
	if nb == nil && err == nil {
		return // nothing to read
	}
	if err != nil {
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("%s: not read as a notebook (%v); its calls are not mapped", name, err))
		return
	}
	evals := map[string]*evaluator{}
	li := scanner.NewLineIndex(data)
	for i := range nb.Segments {
		seg := &nb.Segments[i]
		if seg.Kind != ipynb.KindSource || seg.WriteFile != "" {
			continue
		}
		cellLi := scanner.NewLineIndex(seg.Text)
		site := func(off int, call string) Site {
			line, _ := li.Pos(seg.RawOffset(off))
			cellLine, _ := cellLi.Pos(off)
			return Site{File: name, Line: line, Cell: seg.Cell, CellLine: cellLine, Call: call}
		}
		switch seg.Lang {
		case "python", "r":
			e := evals[seg.Lang]
			if e == nil {
				e = newEvaluator(c, seg.Lang == "r")
				evals[seg.Lang] = e
			}
			e.shell = func(text []byte, base int) {
				c.shellText(text, func(off int, call string) Site { return site(base+off, call) })
			}
			e.run(seg.Text, site)
		case "shell":
			c.shellText(seg.Text, site)
		}
	}
}

// MaxFileSize is the largest file Paths reads.
const MaxFileSize = 10 << 20

// Paths reads the code under each path (see iam.Walk). Files that could
// not be read are named in skipped.
func Paths(paths []string) (res *Result, skipped []string) {
	res = &Result{}
	skipped, _ = iam.Walk(paths, MaxFileSize, func(p string) bool { return language(p) != "" },
		func(name string, data []byte) { File(res, name, data) })
	return res, skipped
}
