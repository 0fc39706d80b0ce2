package infer

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/ipynb"
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
	fileSite := func(off int, call string) Site {
		line, _ := ipynb.LineCol(data, off)
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
	if err != nil {
		c.res.Notes = append(c.res.Notes, fmt.Sprintf("%s: not read as a notebook (%v); its calls are not mapped", name, err))
		return
	}
	evals := map[string]*evaluator{}
	for i := range nb.Segments {
		seg := &nb.Segments[i]
		if seg.Kind != ipynb.KindSource || seg.WriteFile != "" {
			continue
		}
		site := func(off int, call string) Site {
			line, _ := ipynb.LineCol(data, seg.RawOffset(off))
			return Site{File: name, Line: line, Cell: seg.Cell, CellLine: 1 + bytes.Count(seg.Text[:min(off, len(seg.Text))], []byte{'\n'}), Call: call}
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

// Paths reads the code under each path (files, or directories walked
// without following links and skipping .git). Files that could not be
// read are named in skipped.
func Paths(paths []string) (res *Result, skipped []string) {
	res = &Result{}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("%s: %v", p, err))
				return nil
			}
			if d.IsDir() {
				if d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == ".ipynb_checkpoints" {
					return filepath.SkipDir
				}
				return nil
			}
			if language(p) == "" || !d.Type().IsRegular() && p != root {
				return nil
			}
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				skipped = append(skipped, fmt.Sprintf("%s: not a regular file", p))
				return nil
			}
			if fi.Size() > MaxFileSize {
				skipped = append(skipped, fmt.Sprintf("%s: larger than %d bytes", p, MaxFileSize))
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("%s: %v", p, err))
				return nil
			}
			File(res, filepath.ToSlash(p), data)
			return nil
		})
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", root, err))
		}
	}
	return res, skipped
}
