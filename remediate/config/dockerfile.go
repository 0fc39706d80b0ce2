package config

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// instruction is one Dockerfile instruction over lines first..last.
type instruction struct {
	first, last int
	cmd         string // upper case
	args        span   // after the instruction word, to the end of the last line
	dangling    bool   // the last line ends with the escape character
}

var (
	escapeDirective = regexp.MustCompile(`^#\s*escape\s*=\s*(\S)\s*$`)
	dockerHeredoc   = regexp.MustCompile(`<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?`)
	dockerCommands  = map[string]bool{"FROM": true, "RUN": true, "CMD": true, "LABEL": true, "MAINTAINER": true,
		"EXPOSE": true, "ENV": true, "ADD": true, "COPY": true, "ENTRYPOINT": true, "VOLUME": true, "USER": true,
		"WORKDIR": true, "ARG": true, "ONBUILD": true, "STOPSIGNAL": true, "HEALTHCHECK": true, "SHELL": true}
)

// dockerEscape reads the `# escape=` parser directive; the default is `\`.
func dockerEscape(text []byte, ls []line) byte {
	for _, l := range ls {
		c := bytes.TrimSpace(text[l.start:l.end])
		if len(c) == 0 || c[0] != '#' {
			break
		}
		if m := escapeDirective.FindSubmatch(c); m != nil {
			return m[1][0]
		}
	}
	return '\\'
}

func dockerInstructions(text []byte, ls []line, escape byte) []instruction {
	comment := func(j int) bool {
		c := bytes.TrimSpace(text[ls[j].start:ls[j].end])
		return len(c) == 0 || c[0] == '#'
	}
	var out []instruction
	for i := 0; i < len(ls); i++ {
		if comment(i) {
			continue
		}
		in := instruction{first: i}
		j := i
		for {
			c := bytes.TrimRight(text[ls[j].start:ls[j].end], " \t")
			in.dangling = len(c) > 0 && c[len(c)-1] == escape
			if !in.dangling || j+1 >= len(ls) {
				break
			}
			j++
			for j+1 < len(ls) && comment(j) {
				j++
			}
		}
		if m := dockerHeredoc.FindSubmatch(text[ls[i].start:ls[j].end]); m != nil {
			for j+1 < len(ls) && string(bytes.TrimSpace(text[ls[j].start:ls[j].end])) != string(m[1]) {
				j++
			}
		}
		s := ls[i].start + indentOf(text, ls[i])
		e := s
		for e < ls[i].end && text[e] != ' ' && text[e] != '\t' {
			e++
		}
		in.last, in.cmd, in.args = j, strings.ToUpper(string(text[s:e])), span{e, ls[j].end}
		out = append(out, in)
		i = j
	}
	return out
}

// Dockerfile rewrites ENV and ARG instructions that set AWS credentials:
// the pairs go, and so does an instruction left empty.
func Dockerfile(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindDockerfile, text, targets)
	ls := splitLines(text)
	esc := dockerEscape(text, ls)
	ins := dockerInstructions(text, ls, esc)
	touched := map[int]bool{}
	for k, in := range ins {
		ts := p.within(ls[in.first].start, ls[in.last].next)
		if len(ts) == 0 {
			continue
		}
		touched[k] = true
		if in.cmd != "ENV" && in.cmd != "ARG" {
			reason := "don't put the secret in the Dockerfile: pass it as a build secret (RUN --mount=type=secret,id=NAME) and at run time from your orchestrator's secret store"
			if p.targets[ts[0]].Kind.IsAWS() {
				reason = "the key is used in a " + in.cmd + " instruction: delete it and pass credentials as a build secret (RUN --mount=type=secret,id=aws,target=/root/.aws/credentials)"
			}
			p.manualAll(ts, reason)
			continue
		}
		dockerPairs(p, ls, in, ts, esc)
	}
	// The other ENV and ARG settings of AWS credentials go too: a key id
	// left in the image without its secret breaks the default chain.
	for k, in := range ins {
		if len(p.edits) > 0 && !touched[k] && (in.cmd == "ENV" || in.cmd == "ARG") {
			dockerPairs(p, ls, in, nil, esc)
		}
	}
	if len(p.edits) > 0 {
		p.note("for builds that need AWS access use `RUN --mount=type=secret,id=aws,target=/root/.aws/credentials ...` with `docker build --secret id=aws,src=$HOME/.aws/credentials`; at run time give the container a task role (ECS) or IRSA / Pod Identity (EKS)")
		if opts.Profile != "" {
			p.note("to run the image locally with profile %s: docker run -v ~/.aws:/root/.aws:ro -e AWS_PROFILE=%s ...", opts.Profile, opts.Profile)
		}
	}
	return p.result(reasonUnknown)
}

// dockerPairs drops the AWS credential pairs of one ENV or ARG instruction.
func dockerPairs(p *plan, ls []line, in instruction, ts []int, esc byte) {
	lx := lexArgs(p.text, in.args.start, in.args.end, esc)
	w := lx.toks
	if lx.err != nil || len(w) == 0 {
		p.manualAll(ts, fmt.Sprintf("the %s instruction could not be read: delete the credential by hand", in.cmd))
		return
	}
	name := func(t token) string {
		if n, _, ok := assignment(unquoteWord(string(p.text[t.start:t.end]))); ok {
			return n
		}
		return unquoteWord(string(p.text[t.start:t.end]))
	}
	drop := make([]bool, len(w))
	legacy := in.cmd == "ENV" && !strings.Contains(string(p.text[w[0].start:w[0].end]), "=")
	if legacy {
		// ENV NAME value with spaces: one pair, the whole instruction.
		for j := range drop {
			drop[j] = awsEnvVars[name(w[0])]
		}
	} else {
		for j, t := range w {
			drop[j] = awsEnvVars[name(t)]
		}
	}
	if !p.dropped(ts, spans(w), drop) {
		p.manualAll(ts, "don't bake the secret into the image: pass it at run time (docker run -e, your orchestrator's secret store) or as a build secret (RUN --mount=type=secret)")
		return
	}
	switch {
	case firstOf(drop) < 0:
	case all(drop):
		p.add(deleteLines(ls, in.first, in.last))
	default:
		es, _ := removeItems(p.text, spans(w), drop, nil, nil)
		p.add(es...)
	}
	p.fixAll(ts, "Dockerfile "+in.cmd+" of AWS credentials")
}

// validateDockerfile checks that every instruction starts with a known
// word, that ENV and ARG arguments still tokenize, and that the file does
// not end inside a continued instruction.
func validateDockerfile(text []byte) error {
	ls := splitLines(text)
	esc := dockerEscape(text, ls)
	ins := dockerInstructions(text, ls, esc)
	for k, in := range ins {
		if !dockerCommands[in.cmd] {
			return fmt.Errorf("line %d: unknown instruction %q", in.first+1, in.cmd)
		}
		if in.cmd == "ENV" || in.cmd == "ARG" {
			if lx := lexArgs(text, in.args.start, in.args.end, esc); lx.err != nil {
				return lx.err
			}
		}
		if k == len(ins)-1 && in.dangling {
			return fmt.Errorf("line %d: the file ends inside a continued instruction", in.last+1)
		}
	}
	return nil
}
