package config

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// keyValue splits the line text[s:e] as `key<sep>value`: the key runs to
// the first blank or separator, the separator is one of seps with blanks
// around it (or blanks alone when blankSep), and the value is the rest
// without trailing blanks. Leading blanks are skipped.
func keyValue(text []byte, s, e int, seps string, blankSep bool) (key, val span, ok bool) {
	for s < e && (text[s] == ' ' || text[s] == '\t') {
		s++
	}
	k := s
	for k < e && text[k] != ' ' && text[k] != '\t' && strings.IndexByte(seps, text[k]) < 0 {
		k++
	}
	v := k
	for v < e && (text[v] == ' ' || text[v] == '\t') {
		v++
	}
	sep := v < e && strings.IndexByte(seps, text[v]) >= 0
	if sep {
		v++
		for v < e && (text[v] == ' ' || text[v] == '\t') {
			v++
		}
	}
	if k == s || !sep && !(blankSep && v > k) {
		return span{}, span{}, false
	}
	ve := e
	for ve > v && (text[ve-1] == ' ' || text[ve-1] == '\t') {
		ve--
	}
	return span{s, k}, span{v, ve}, true
}

// envVar is one assignment of a .env file over lines first..last.
type envVar struct {
	first, last int
	name        string
	nameAt      int // offset of the name, after any indent and `export `
}

// envVars reads a .env file: blank lines, `#` comments and
// `[export ]NAME=value` lines, where a double-quoted value may span lines.
func envVars(text []byte, ls []line) ([]envVar, error) {
	var out []envVar
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		c := bytes.TrimSpace(text[l.start:l.end])
		if len(c) == 0 || c[0] == '#' {
			continue
		}
		s := l.start + indentOf(text, l)
		if bytes.HasPrefix(text[s:l.end], []byte("export ")) {
			s += len("export ")
			for s < l.end && text[s] == ' ' {
				s++
			}
		}
		key, val, ok := keyValue(text, s, l.end, "=", false)
		if !ok {
			return nil, fmt.Errorf("line %d: not a NAME=value line", i+1)
		}
		v := envVar{first: i, last: i, name: string(text[key.start:key.end]), nameAt: s}
		if val.end > val.start && (text[val.start] == '"' || text[val.start] == '\'') {
			q := text[val.start]
			j := val.start + 1
			for ; j < len(text) && text[j] != q; j++ {
				if text[j] == '\\' && q == '"' {
					j++
				}
			}
			if j >= len(text) {
				return nil, fmt.Errorf("line %d: unterminated quote", i+1)
			}
			v.last = lineOf(ls, j)
		}
		out = append(out, v)
		i = v.last
	}
	return out, nil
}

// Env rewrites .env files: the AWS credential variables are deleted (or
// the first becomes AWS_PROFILE=P); other secrets are left to a person.
func Env(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindEnv, text, targets)
	ls := splitLines(text)
	vars, err := envVars(text, ls)
	if err != nil {
		return p.result(fmt.Sprintf("the file could not be read as a .env file (%v): delete the credentials by hand", err))
	}
	if len(targets) > 0 {
		p.note("git rm --cached the .env file and add it to .gitignore; commit a .env.example that lists the variable names without values")
	}
	var awsTargets []int
	var aws []envVar
	hasProfile := false
	for _, v := range vars {
		hasProfile = hasProfile || v.name == "AWS_PROFILE"
		if awsEnvVars[v.name] {
			aws = append(aws, v)
		}
		for _, i := range p.within(ls[v.first].start, ls[v.last].end) {
			switch {
			case awsEnvVars[v.name]:
				awsTargets = append(awsTargets, i)
			case p.targets[i].Kind.IsAWS():
				p.manual(i, "the key is kept in "+v.name+", a variable of your own: change the code that reads it to use the default credential chain (or AWS_PROFILE), then delete it")
			default:
				p.manual(i, "move "+v.name+" to a secret manager (or your CI's secret store) and keep only its name in a committed .env.example")
			}
		}
	}
	if len(awsTargets) > 0 {
		for k, v := range aws {
			if k == 0 && opts.Profile != "" && !hasProfile {
				prefix := string(text[ls[v.first].start:v.nameAt])
				p.add(replaceLine(ls, v.first, v.last, prefix+"AWS_PROFILE="+shellQuote(opts.Profile)))
				continue
			}
			p.add(deleteLines(ls, v.first, v.last))
		}
		p.fixAll(awsTargets, ".env AWS credential variables")
	}
	return p.result(reasonUnknown)
}

func validateEnv(text []byte) error {
	_, err := envVars(text, splitLines(text))
	return err
}
