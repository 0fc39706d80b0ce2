package detectors

import (
	"bytes"
	"regexp/syntax"
)

// requiredLiterals lists byte strings every match of expr contains: the
// case-sensitive literals of its top-level concatenation. A window that
// lacks one cannot match, so the regex is not run there. Rule windows are
// lines around a keyword hit, and a keyword such as "://" is on most lines
// of a notebook's HTML output while "@" (which a URL credential needs) is
// on few: this check costs a memchr where the regex engine costs a
// submatch NFA pass over the line.
func requiredLiterals(expr string) [][]byte {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	for re.Op == syntax.OpCapture && len(re.Sub) == 1 {
		re = re.Sub[0]
	}
	var out [][]byte
	add := func(r *syntax.Regexp) {
		if r.Op == syntax.OpLiteral && r.Flags&syntax.FoldCase == 0 {
			out = append(out, []byte(string(r.Rune)))
		}
	}
	if re.Op == syntax.OpConcat {
		for _, sub := range re.Sub {
			for sub.Op == syntax.OpCapture && len(sub.Sub) == 1 {
				sub = sub.Sub[0]
			}
			add(sub)
		}
	} else {
		add(re)
	}
	return out
}

// hasRequired reports whether chunk holds every literal r's regex needs.
func (r *Rule) hasRequired(chunk []byte) bool {
	for _, lit := range r.required {
		if !bytes.Contains(chunk, lit) {
			return false
		}
	}
	return true
}
