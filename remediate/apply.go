package remediate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"

	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

// ErrChanged means the file on disk is not the content the fix was planned
// on; writing would lose someone's edit.
var ErrChanged = errors.New("changed since it was scanned: run rolecall fix again")

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

// Write replaces the file at path with the plan's result, if the file still
// holds exactly what was planned on. It writes a temporary file beside it
// and renames it into place, so a reader never sees half a file, and keeps
// the file's permissions. It refuses symbolic links: rewriting one would
// replace the link with a copy.
func (p *FilePlan) Write(path string) error {
	if !p.Changed() {
		return nil
	}
	info, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if info.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link: run rolecall fix on the file it points to", path)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	current, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(current, p.Original) {
		return fmt.Errorf("%s %w", path, ErrChanged)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".rolecall-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up on failure
	if _, err := tmp.Write(p.Result); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
