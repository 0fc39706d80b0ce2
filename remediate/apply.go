package remediate

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

// Diff returns the plan as a unified diff with git's a/ and b/ prefixes,
// which `git apply` accepts from the directory rolecall ran in.
func (p *FilePlan) Diff() string {
	if !p.Changed() {
		return ""
	}
	name := diffName(p.Path)
	return fmt.Sprintf("diff --git a/%s b/%s\n", name, name) +
		udiff.Unified("a/"+name, "b/"+name, string(p.Original), string(p.Result))
}

// diffName is the path a diff names for a file: relative, as git apply
// requires ("a//srv/x.py" is refused). An absolute path is made relative to
// the working directory when it is inside it; otherwise it is named from
// the root ("srv/x.py"), for git apply run in /.
func diffName(path string) string {
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel)
			}
		}
		return strings.TrimLeft(filepath.ToSlash(path), "/")
	}
	return filepath.ToSlash(path)
}

// Write replaces the file at path with the plan's result if the file is
// still what snap recorded when it was read and planned on (size,
// modification time, inode and content, checked again just before the
// rename), keeping its mode bits and owner. It refuses symbolic links
// (rewriting one would replace the link with a copy) and hard-linked files
// (the other names would keep the secret). An empty result is a result:
// the file becomes empty.
func (p *FilePlan) Write(path string, snap outfile.Snapshot) error {
	if !p.Changed() {
		return nil
	}
	if sha256.Sum256(p.Original) != snap.Hash {
		return outfile.ErrChanged
	}
	return outfile.Replace(path, p.Result, snap)
}

// NotWritten records that the plan's fix did not reach the disk: every
// item it claimed is to be fixed by hand, for this reason.
func (p *FilePlan) NotWritten(reason string) {
	p.abandon("not written: " + reason)
}

// SARIFFix is the plan as one SARIF fix: every replacement in the
// unmodified file, regions in code-point columns. With redact, secrets the
// inserted text carries along (another secret in a rewritten notebook cell)
// are redacted: the fix then documents the change but cannot be applied.
func (p *FilePlan) SARIFFix(redact bool) report.SARIFFix {
	var reps []report.SARIFReplacement
	li := scanner.NewLineIndex(p.Original)
	for _, e := range p.Edits {
		text := e.New
		if redact {
			text = p.Redact(text)
		}
		reps = append(reps, report.NewSARIFReplacement(region(li, e), text))
	}
	return report.NewSARIFFix(fmt.Sprintf("Remove %d hardcoded credential(s) from %s; use the default credential chain or a named profile", p.fixedCount(), p.Path), p.Path, reps)
}

func (p *FilePlan) fixedCount() int {
	n := 0
	for _, it := range p.Items {
		if it.Fixed {
			n++
		}
	}
	return n
}

// region is the SARIF region of an edit: 1-based lines, code-point columns,
// end exclusive.
func region(li *scanner.LineIndex, e edit.Edit) report.SARIFRegion {
	sl, sc := li.Pos(e.Start)
	el, ec := li.Pos(e.End)
	return report.SARIFRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec}
}

// Summary is a one-line account of a plan for the text report.
func (p *FilePlan) Summary() string {
	fixed, manual := 0, 0
	for _, it := range p.Items {
		if it.Fixed {
			fixed++
		} else {
			manual++
		}
	}
	var parts []string
	if fixed > 0 {
		parts = append(parts, fmt.Sprintf("%d fixed", fixed))
	}
	if manual > 0 {
		parts = append(parts, fmt.Sprintf("%d to fix by hand", manual))
	}
	return fmt.Sprintf("%s: %s", p.Path, strings.Join(parts, ", "))
}
