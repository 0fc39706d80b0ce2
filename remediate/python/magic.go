package python

import (
	"regexp"
	"strings"
)

// magicForm is what an IPython line magic or shell escape does.
type magicForm int

const (
	mOther     magicForm = iota
	mEnv                 // %env NAME=value, %env NAME value, %set_env ...
	mExport              // !export NAME=value ...
	mConfigure           // !aws configure set aws_secret_access_key value [--profile p]
	mPrefixed            // !NAME=value command ...: variables for one command
)

// assign is a NAME=value in a magic line; offsets are in the text.
type assign struct {
	name                 string
	wordStart, wordEnd   int // the whole NAME=value word
	valueStart, valueEnd int
}

// magicLine is a parsed magic: "%env A=b", "!export A=b", or one of those
// commented out the way jupytext writes them ("# %env A=b").
type magicLine struct {
	form     magicForm
	sigil    int    // offset of the % or !
	cmd      string // "env", "set_env", "export", "aws"
	assigns  []assign
	prefix   string // what precedes the sigil on a commented magic: "# "
	assigned bool   // "x = !cmd": the output goes to a variable
	// shell is, for a "!" line of a shape the forms above do not cover,
	// the shell rewriter's plan for its command (see shellMagic).
	shell *shellPlan
}

// commentMagic matches a jupytext-commented magic: "# %env ...", "# !aws ...".
var commentMagic = regexp.MustCompile(`^#\s*[%!]`)

// databricksMagic matches a line of a Databricks source export's magic
// cell ("# MAGIC %sh ...").
var databricksMagic = regexp.MustCompile(`^#\s*MAGIC\b`)

// shellWord is one word of a shell command line, quotes kept.
type shellWord struct {
	text       string
	start, end int
}

// shellWords splits src[a:b] into words. complex is true when the line
// has shell syntax beyond words (";", "|", "&", redirections, "$(",
// backquotes): such a line is more than a list of assignments.
func shellWords(src []byte, a, b int) (words []shellWord, complex bool) {
	i := a
	for i < b {
		for i < b && isSpace(src[i]) {
			i++
		}
		if i >= b {
			break
		}
		start := i
		for i < b && !isSpace(src[i]) {
			switch c := src[i]; c {
			case '\'', '"':
				j := i + 1
				for j < b && src[j] != c {
					if c == '"' && src[j] == '\\' {
						j++
					}
					j++
				}
				i = min(j+1, b)
				continue
			case '\\':
				i += 2
				continue
			case ';', '|', '&', '<', '>', '`':
				complex = true
			case '$':
				if i+1 < b && src[i+1] == '(' {
					complex = true
				}
			}
			i++
		}
		i = min(i, b)
		words = append(words, shellWord{string(src[start:i]), start, i})
	}
	return words, complex
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// asAssign reads a NAME=value word.
func asAssign(w shellWord) (assign, bool) {
	eq := strings.IndexByte(w.text, '=')
	if eq <= 0 || !envName.MatchString(w.text[:eq]) {
		return assign{}, false
	}
	return assign{name: w.text[:eq], wordStart: w.start, wordEnd: w.end, valueStart: w.start + eq + 1, valueEnd: w.end}, true
}

// parseMagic reads the magic whose sigil is at offset sigil and whose line
// ends at end.
func parseMagic(src []byte, sigil, end int) *magicLine {
	m := &magicLine{sigil: sigil}
	i := sigil + 1
	if src[sigil] == '%' {
		j := i
		for j < end && isIdentChar(src[j]) {
			j++
		}
		m.cmd = string(src[i:j])
		if m.cmd == "env" || m.cmd == "set_env" {
			m.parseEnv(src, j, end)
		}
		return m
	}
	if i < end && src[i] == '!' { // !!cmd
		i++
	}
	words, complex := shellWords(src, i, end)
	if len(words) == 0 || complex {
		return m
	}
	m.cmd = words[0].text
	switch {
	case m.cmd == "export":
		for _, w := range words[1:] {
			a, ok := asAssign(w)
			if !ok {
				return m
			}
			m.assigns = append(m.assigns, a)
		}
		if len(m.assigns) > 0 {
			m.form = mExport
		}
	case m.cmd == "aws" && len(words) >= 5 && words[1].text == "configure" && words[2].text == "set":
		key := words[3].text
		if k := strings.LastIndexByte(key, '.'); k >= 0 {
			key = key[k+1:] // default.aws_secret_access_key, profile.p.aws_...
		}
		rest := words[5:]
		if len(rest) == 2 && rest[0].text == "--profile" {
			rest = nil
		}
		if botoKwargs[key] && len(rest) == 0 {
			m.form = mConfigure
			m.assigns = []assign{{name: key, wordStart: words[3].start, wordEnd: words[4].end, valueStart: words[4].start, valueEnd: words[4].end}}
		}
	default:
		for k, w := range words {
			a, ok := asAssign(w)
			if !ok {
				if k > 0 {
					m.form = mPrefixed
				}
				break
			}
			m.assigns = append(m.assigns, a)
		}
	}
	return m
}

// parseEnv reads "%env NAME=value" or "%env NAME value" (IPython accepts
// both and strips spaces around the = sign).
func (m *magicLine) parseEnv(src []byte, i, end int) {
	rest := string(src[i:end])
	if eq := strings.IndexByte(rest, '='); eq >= 0 {
		name := strings.TrimSpace(rest[:eq])
		vs := i + eq + 1
		for vs < end && isSpace(src[vs]) {
			vs++
		}
		ve := end
		for ve > vs && isSpace(src[ve-1]) {
			ve--
		}
		if envName.MatchString(name) && ve > vs {
			m.form = mEnv
			m.assigns = []assign{{name: name, wordStart: i, wordEnd: end, valueStart: vs, valueEnd: ve}}
		}
		return
	}
	words, _ := shellWords(src, i, end)
	if len(words) == 2 && envName.MatchString(words[0].text) {
		m.form = mEnv
		m.assigns = []assign{{name: words[0].text, wordStart: i, wordEnd: end, valueStart: words[1].start, valueEnd: words[1].end}}
	}
}

// setsProfileMagic matches a magic (or commented magic) that sets
// AWS_PROFILE.
var setsProfileMagic = regexp.MustCompile(`^(?:#\s*)?(?:%(?:env|set_env)|!\s*export)\s+AWS_PROFILE\s*[=\s]\s*\S`)
