package detectors

import (
	"path"
	"strings"
)

// PathClass names everything about path p that detection depends on: the
// language guessed from it, the extension and base name notebook formats
// are sniffed by, and which path globs of rules and allowlists match it.
// Two paths with the same class yield the same matches for the same
// content, so a scan of a blob under one can stand for the other (the
// cross-repository blob cache of `rolecall org` relies on this). Whoever
// makes detection depend on the path in a new way must add it here.
func (e *Engine) PathClass(p string) string {
	var b strings.Builder
	base := strings.ToLower(path.Base(p))
	b.WriteString(string(LangForPath(p)))
	b.WriteByte(0)
	b.WriteString(path.Ext(base))
	b.WriteByte(0)
	if base == "note.json" {
		b.WriteByte('z')
	}
	if strings.Contains("/"+p, "/.ipynb_checkpoints/") {
		b.WriteByte('c')
	}
	b.WriteByte(0)
	bit := func(on bool) {
		if on {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	for _, r := range e.rules {
		if len(r.paths) > 0 || r.pathRe != nil {
			bit(r.appliesTo(p))
		}
		for i := range r.allow {
			if a := &r.allow[i]; len(a.paths) > 0 || len(a.pathRes) > 0 {
				bit(a.pathMatches(p))
			}
		}
	}
	for i := range e.global {
		if a := &e.global[i]; len(a.paths) > 0 || len(a.pathRes) > 0 {
			bit(a.pathMatches(p))
		}
	}
	return b.String()
}
