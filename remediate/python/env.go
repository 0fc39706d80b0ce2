package python

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
)

// envForm is how a statement sets an environment variable.
type envForm int

const (
	envSubscript  envForm = iota // os.environ["AWS_..."] = "..."
	envSetdefault                // os.environ.setdefault("AWS_...", "...")
	envPutenv                    // os.putenv("AWS_...", "...")
	envUpdate                    // os.environ.update({...}) or update(AWS_...=...)
)

// envUnit is a statement that puts credentials in the environment.
func (r *rewriter) envUnit(si int) *unit {
	p := r.p
	s := p.stmts[si]
	return r.unitFor(uEnv, s.first, func() *unit {
		u := &unit{open: -1, varTok: -1, start: p.toks[s.first].start, end: p.toks[s.last].end}
		where := r.at(u.start)
		if k, eq, ok := p.environAssign(si); ok {
			name, _ := p.strValue(k)
			u.env, u.varTok, u.shape = envSubscript, k, "os.environ assignment"
			u.label = "the os.environ assignment at " + where
			u.creds = []cred{{grp: -1, vFirst: p.next(eq), vLast: s.last, what: "$" + name}}
			if !config.AWSEnvVar(name) {
				u.reason = storedIn(name)
			}
			return u
		}
		o := p.pair[s.last]
		g := p.group(o)
		cal := p.calleeOf(o)
		u.open = o
		u.label = p.norm(cal.start, cal.end) + "(...) at " + where
		switch p.resolve(cal.dotted) {
		case "os.environ.update":
			u.env, u.shape = envUpdate, "os.environ.update entries"
			for k, it := range g.items {
				switch {
				case it.keyed && config.AWSEnvVar(it.name):
					u.creds = append(u.creds, cred{grp: o, idx: k, vFirst: it.vFirst, vLast: it.vLast, what: "$" + it.name})
				case !it.keyed && !it.star && p.isDict(it.vFirst, it.vLast):
					dg := p.group(it.vFirst)
					for k2, e := range dg.items {
						if e.keyed && config.AWSEnvVar(e.name) {
							u.creds = append(u.creds, cred{grp: dg.open, idx: k2, vFirst: e.vFirst, vLast: e.vLast, what: "$" + e.name})
						}
					}
				}
			}
			return u
		case "os.putenv":
			u.env, u.shape = envPutenv, "os.putenv"
		default:
			u.env, u.shape = envSetdefault, "os.environ.setdefault"
		}
		n, v := g.positional(0), g.positional(1)
		if n < 0 || v < 0 || len(g.items) != 2 || g.items[n].first != g.items[n].last || p.toks[g.items[n].first].kind != tString {
			u.reason = fmt.Sprintf("rolecall does not recognise %s: remove the key by hand", u.label)
			return u
		}
		u.varTok = g.items[n].first
		name, _ := p.strValue(u.varTok)
		u.creds = []cred{{grp: o, idx: v, vFirst: g.items[v].vFirst, vLast: g.items[v].vLast, what: "$" + name}}
		if !config.AWSEnvVar(name) {
			u.reason = storedIn(name)
		}
		return u
	})
}

// storedIn is the reason for a key put in a variable the SDKs do not read.
func storedIn(name string) string {
	return fmt.Sprintf("the key is stored in $%s, which the AWS SDKs do not read: remove it by hand and change the code that reads $%s", name, name)
}

// planEnv deletes an environment statement. With a profile, the first
// one in the text sets AWS_PROFILE instead, unless the text sets it.
func (r *rewriter) planEnv(u *unit, st *planState) string {
	p := r.p
	profile := r.opts.Profile
	useProfile := profile != "" && !st.envProfileDone
	qk := byte('"')
	if u.varTok >= 0 {
		qk = p.quoteOf(u.varTok)
	}
	si := p.stmtOf[u.key]
	s := p.stmts[si]
	switch u.env {
	case envSubscript:
		if useProfile {
			k, _, _ := p.environAssign(si)
			recv := string(p.src[p.toks[s.first].start:p.toks[p.prev(k)].start])
			u.edits = []edit.Edit{{Start: u.start, End: u.end, New: recv + "[" + pyString("AWS_PROFILE", qk) + "] = " + pyString(profile, qk)}}
			st.envProfileDone = true
			r.profileNote()
			return ""
		}
	case envSetdefault, envPutenv:
		if useProfile {
			g := p.group(u.open)
			a, b := p.toks[g.items[0].first].start, p.toks[g.items[1].last].end
			u.edits = []edit.Edit{{Start: a, End: b, New: pyString("AWS_PROFILE", qk) + ", " + pyString(profile, qk)}}
			st.envProfileDone = true
			r.profileNote()
			return ""
		}
	case envUpdate:
		return r.planUpdate(u, st, useProfile)
	}
	e, ok := p.deleteStmt(si)
	if !ok {
		return fmt.Sprintf("%s shares its line with other code: remove the key by hand", u.label)
	}
	u.edits = []edit.Edit{e}
	return ""
}

// planUpdate removes the credential entries of os.environ.update(...), and
// the statement when nothing else is left in it.
func (r *rewriter) planUpdate(u *unit, st *planState, useProfile bool) string {
	p := r.p
	del := map[int]map[int]bool{}
	for _, c := range u.creds {
		if del[c.grp] == nil {
			del[c.grp] = map[int]bool{}
		}
		del[c.grp][c.idx] = true
	}
	repl := map[int]map[int]string{}
	if useProfile && len(u.creds) > 0 {
		c := u.creds[0]
		it := p.group(c.grp).items[c.idx]
		text := "AWS_PROFILE=" + pyString(r.opts.Profile, r.quote(u))
		if c.grp != u.open {
			q := p.quoteOf(it.first)
			text = pyString("AWS_PROFILE", q) + ": " + pyString(r.opts.Profile, q)
		}
		delete(del[c.grp], c.idx)
		repl[c.grp] = map[int]string{c.idx: text}
		st.envProfileDone = true
		r.profileNote()
	}
	g := p.group(u.open)
	all := len(repl) == 0
	for k, it := range g.items {
		if del[u.open][k] {
			continue
		}
		if p.isDict(it.vFirst, it.vLast) && !it.keyed && len(del[it.vFirst]) == len(p.group(it.vFirst).items) {
			continue
		}
		all = false
	}
	if all {
		e, ok := p.deleteStmt(p.stmtOf[u.key])
		if !ok {
			return fmt.Sprintf("%s shares its line with other code: remove the key by hand", u.label)
		}
		u.edits = []edit.Edit{e}
		return ""
	}
	for gi, d := range del {
		if len(d) > 0 || len(repl[gi]) > 0 {
			u.edits = append(u.edits, p.planGroup(p.group(gi), d, repl[gi])...)
		}
	}
	for gi, rp := range repl {
		if del[gi] == nil {
			u.edits = append(u.edits, p.planGroup(p.group(gi), nil, rp)...)
		}
	}
	return ""
}

// magicUnit is a magic line (or a jupytext-commented one) holding a key.
func (r *rewriter) magicUnit(ti int, commented bool) *unit {
	p := r.p
	return r.unitFor(uMagic, ti, func() *unit {
		t := p.toks[ti]
		u := &unit{start: t.start, end: t.end, label: "the magic at " + r.at(t.start)}
		sigil := t.start
		if commented {
			sigil += strings.IndexAny(p.text(ti), "%!")
		}
		m := parseMagic(p.src, sigil, t.end)
		m.prefix = string(p.src[t.start:sigil])
		if si := p.stmtOf[ti]; !commented && si >= 0 && p.stmts[si].first != ti {
			m.assigned = true
		}
		u.magic = m
		switch m.form {
		case mEnv:
			u.shape = "%" + m.cmd + " magic"
		case mExport:
			u.shape = "!export magic"
		case mConfigure:
			u.shape = "!aws configure set"
		case mPrefixed:
			u.shape = "environment of a shell command"
		}
		if commented && u.shape != "" {
			u.shape = "commented " + u.shape
		}
		return u
	})
}

// checkMagic makes sure every key of a magic is the value of an AWS
// credential variable (or of aws configure set).
func (r *rewriter) checkMagic(u *unit) {
	m := u.magic
	switch {
	case m.assigned:
		u.reason = fmt.Sprintf("the output of the shell command at %s goes to a variable: remove the key by hand", r.at(u.start))
		return
	case m.form == mOther:
		u.reason = r.shellMagic(u)
		return
	}
	for _, i := range u.targets {
		t := r.targets[i]
		found := false
		for _, a := range m.assigns {
			if a.valueStart <= t.Start && t.End <= a.valueEnd {
				if m.form != mConfigure && !config.AWSEnvVar(a.name) {
					u.reason = storedIn(a.name)
					return
				}
				found = true
			}
		}
		if !found {
			u.reason = fmt.Sprintf("the key is in a part of the magic at %s that rolecall does not rewrite: remove it by hand", r.at(u.start))
			return
		}
	}
}

// planMagic deletes a credential magic line; with a profile, the first
// one in the text becomes %env AWS_PROFILE=P.
func (r *rewriter) planMagic(u *unit, st *planState) string {
	p := r.p
	m := u.magic
	profile := r.opts.Profile
	deleteLine := func() string {
		if m.prefix != "" {
			u.edits = []edit.Edit{p.deleteComment(u.key)}
			return ""
		}
		e, ok := p.deleteStmt(p.stmtOf[u.key])
		if !ok {
			return fmt.Sprintf("the magic at %s shares its line with other code: remove the key by hand", r.at(u.start))
		}
		u.edits = []edit.Edit{e}
		return ""
	}
	var keep, drop []assign
	for _, a := range m.assigns {
		if config.AWSEnvVar(a.name) || m.form == mConfigure {
			drop = append(drop, a)
		} else {
			keep = append(keep, a)
		}
	}
	if m.shell != nil {
		for _, n := range m.shell.notes {
			r.note(n)
		}
		if m.shell.empties {
			return deleteLine()
		}
		u.edits = m.shell.edits
		return ""
	}
	switch m.form {
	case mConfigure:
		if profile != "" {
			r.note(fmt.Sprintf("run `aws configure sso --profile %s` in a terminal, outside the notebook, instead of `aws configure set` with a key", profile))
		} else {
			r.note("configure AWS credentials outside the notebook (`aws configure sso`, or the instance's or notebook's role) instead of `aws configure set` with a key")
		}
		return deleteLine()
	case mEnv, mExport:
		if len(keep) > 0 { // !export REGION=x AWS_...=key: keep the others
			for _, a := range drop {
				u.edits = append(u.edits, p.deleteWord(a))
			}
			return ""
		}
		if profile != "" && !st.envProfileDone {
			st.envProfileDone = true
			cmd := "env"
			if m.cmd == "set_env" {
				cmd = "set_env"
			}
			u.edits = []edit.Edit{{Start: u.start, End: u.end, New: m.prefix + "%" + cmd + " AWS_PROFILE=" + profile}}
			r.profileNote()
			return ""
		}
		return deleteLine()
	case mPrefixed:
		for k, a := range drop {
			if k == 0 && profile != "" && !hasAssign(keep, "AWS_PROFILE") {
				u.edits = append(u.edits, edit.Edit{Start: a.wordStart, End: a.wordEnd, New: "AWS_PROFILE=" + config.ShellQuote(profile)})
				continue
			}
			u.edits = append(u.edits, p.deleteWord(a))
		}
		return ""
	}
	return "rolecall does not rewrite this magic"
}

// deleteWord takes a NAME=value word out of a shell line with the spaces
// after it, or before it when it ends the line.
func (p *prog) deleteWord(a assign) edit.Edit {
	if end := p.spacesAfter(a.wordEnd); !p.atLineEnd(end) {
		return edit.Edit{Start: a.wordStart, End: end}
	}
	return edit.Edit{Start: p.spacesBefore(a.wordStart), End: a.wordEnd}
}

func hasAssign(as []assign, name string) bool {
	for _, a := range as {
		if a.name == name {
			return true
		}
	}
	return false
}

// shellPlan is the shell rewriter's fix of a "!" line's command.
type shellPlan struct {
	edits   []edit.Edit // in the rewriter's text
	notes   []string
	empties bool // the command goes whole: the line goes
}

// shellMagic hands a "!" line whose shape the magic forms do not cover
// ("!export K=v && aws s3 ls", "!AWS_ACCESS_KEY_ID=k aws s3 ls | head")
// to the shell rewriter, which reads the command as a one-line script.
// It returns why a person must fix the line, or "".
func (r *rewriter) shellMagic(u *unit) string {
	p, m := r.p, u.magic
	if m.prefix != "" || p.src[m.sigil] != '!' {
		return fmt.Sprintf("the key is in a shell command or magic at %s that rolecall does not rewrite: remove it by hand, and configure credentials outside the notebook (aws configure sso, or a role)", r.at(u.start))
	}
	cmd := m.sigil + 1
	if cmd < u.end && p.src[cmd] == '!' {
		cmd++
	}
	text := p.src[cmd:u.end]
	var ts []edit.Target
	for _, i := range u.targets {
		t := r.targets[i]
		if t.Start < cmd || t.End > u.end {
			return fmt.Sprintf("the key at %s is not in the shell command's words: remove it by hand", r.at(t.Start))
		}
		t.Start, t.End = t.Start-cmd, t.End-cmd
		ts = append(ts, t)
	}
	opts := r.opts
	opts.Place = func(off int) string { return r.at(cmd + off) }
	res := config.Shell(text, ts, opts)
	for _, o := range res.Outcomes {
		if !o.Fixed {
			return fmt.Sprintf("the key is in the shell command at %s, and %s", r.at(u.start), o.Reason)
		}
	}
	out, err := edit.Apply(text, res.Edits)
	if err != nil || len(res.Outcomes) != len(ts) {
		return fmt.Sprintf("the shell rewrite of the command at %s failed (a rolecall bug; please report it): remove the key by hand", r.at(u.start))
	}
	sp := &shellPlan{notes: res.Notes, empties: len(strings.TrimSpace(string(out))) == 0}
	for _, e := range res.Edits {
		if strings.ContainsAny(e.New, "\r\n") {
			// A second line would be Python, not the shell's.
			return fmt.Sprintf("the shell rewrite of the command at %s needs more than one line: remove the key by hand", r.at(u.start))
		}
		sp.edits = append(sp.edits, edit.Edit{Start: e.Start + cmd, End: min(e.End, len(text)) + cmd, New: e.New})
	}
	m.shell = sp
	u.shape = "shell command: " + res.Outcomes[0].Shape
	return ""
}
