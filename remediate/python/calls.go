package python

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/config"
	"github.com/rolecall/rolecall/remediate/edit"
)

// enumerateCall lists the credentials of a call to a known API: its
// credential keywords and the credential entries of its dict arguments.
func (r *rewriter) enumerateCall(u *unit) {
	p := r.p
	a := u.api
	g := p.group(u.key)
	for k, it := range g.items {
		if !it.keyed || it.star {
			continue
		}
		if a.kwargs[it.name] {
			u.creds = append(u.creds, cred{grp: g.open, idx: k, vFirst: it.vFirst, vLast: it.vLast, what: it.name})
		}
		keys := a.dicts[it.name]
		if keys == nil || !p.isDict(it.vFirst, it.vLast) {
			continue
		}
		dg := p.group(it.vFirst)
		for k2, e := range dg.items {
			if !e.keyed {
				continue
			}
			what := fmt.Sprintf("%s[%q]", it.name, e.name)
			if keys[e.name] {
				u.creds = append(u.creds, cred{grp: dg.open, idx: k2, vFirst: e.vFirst, vLast: e.vLast, what: what})
			}
			if nk := a.nested[e.name]; nk != nil && p.isDict(e.vFirst, e.vLast) {
				ng := p.group(e.vFirst)
				for k3, n := range ng.items {
					if n.keyed && nk[n.name] {
						u.creds = append(u.creds, cred{grp: ng.open, idx: k3, vFirst: n.vFirst, vLast: n.vLast, what: fmt.Sprintf("%s[%q]", what, n.name)})
					}
				}
			}
		}
	}
}

// isDict reports whether tokens a..b are exactly a dict display.
func (p *prog) isDict(a, b int) bool { return p.isOpen(a, '{') && p.pair[a] == b }

// depth counts the brackets around token i.
func (p *prog) depth(i int) int {
	n := 0
	for o := p.up[i]; o >= 0; o = p.up[o] {
		n++
	}
	return n
}

// planCall deletes a call's credentials. A dict argument left empty goes
// too (storage_options={} is dropped); with a profile, the first removed
// argument makes way for the API's profile parameter.
func (r *rewriter) planCall(u *unit) string {
	p := r.p
	a := u.api
	g0 := p.group(u.key)
	del := map[int]map[int]bool{}
	for _, c := range u.creds {
		for o := c.grp; o >= 0 && o != g0.open; o = p.up[o] {
			if del[o] == nil {
				del[o] = map[int]bool{}
			}
		}
		if del[g0.open] == nil {
			del[g0.open] = map[int]bool{}
		}
		del[c.grp][c.idx] = true
	}
	profile := r.opts.Profile
	q := r.quote(u)
	target, ptext := -1, ""
	switch {
	case profile == "":
	case a.profile == profKeyword:
		if g0.find(a.profileKey) < 0 && g0.find("profile_name") < 0 && g0.find("profile") < 0 {
			target, ptext = g0.open, a.profileKey+"="+pyString(profile, q)
		}
	case a.profile == profDict:
		if k := g0.find(a.profileArg); k >= 0 && p.isDict(g0.items[k].vFirst, g0.items[k].vLast) {
			dg := p.group(g0.items[k].vFirst)
			if dg.find(a.profileKey) < 0 {
				qd := q
				if len(dg.items) > 0 && p.toks[dg.items[0].first].kind == tString {
					qd = p.quoteOf(dg.items[0].first)
				}
				target, ptext = dg.open, pyString(a.profileKey, qd)+": "+pyString(profile, qd)
			}
		}
	}
	order := make([]int, 0, len(del))
	for o := range del {
		order = append(order, o)
	}
	sort.Slice(order, func(i, j int) bool { return p.depth(order[i]) > p.depth(order[j]) })
	repl := map[int]map[int]string{}
	placed := target < 0
	for _, gi := range order {
		g := p.group(gi)
		if gi == target {
			slot := -1
			for k := range del[gi] {
				if slot < 0 || k < slot {
					slot = k
				}
			}
			if slot >= 0 {
				delete(del[gi], slot)
				repl[gi] = map[int]string{slot: ptext}
				placed = true
			}
		}
		if gi != g0.open && len(repl[gi]) == 0 && p.empties(g, del[gi], p.cuts(g, del[gi])) {
			// Nothing left in the dict: drop the argument or entry holding it.
			o := p.up[gi]
			del[o][p.group(o).itemAt(gi)] = true
			delete(del, gi)
		}
	}
	for _, gi := range order {
		if len(del[gi]) > 0 || len(repl[gi]) > 0 {
			u.edits = append(u.edits, p.planGroup(p.group(gi), del[gi], repl[gi])...)
		}
	}
	if !placed {
		u.edits = append(u.edits, p.insertFirst(p.group(target), ptext))
	}
	if target >= 0 {
		r.profileNote()
	}
	if profile != "" {
		switch a.profile {
		case profSession:
			r.sessionProfile(u, q)
		case profReceiver:
			r.receiverProfile(u, q)
		}
	}
	return ""
}

// sessionProfile makes boto3.client(...) boto3.Session(profile_name=P).client(...).
func (r *rewriter) sessionProfile(u *unit, q byte) {
	p := r.p
	cal := p.calleeOf(u.key)
	session := "Session(profile_name=" + pyString(r.opts.Profile, q) + ")"
	if cal.recv >= 0 {
		at := p.toks[cal.recv].end
		u.edits = append(u.edits, edit.Edit{Start: at, End: at, New: "." + session})
		r.profileNote()
		return
	}
	resolved := p.resolve(cal.dotted)
	final := resolved[strings.LastIndexByte(resolved, '.')+1:]
	var call string
	if m := p.aliasFor("boto3"); m != "" {
		call = m + "." + session + "." + final
	} else if s := p.aliasFor("boto3.Session"); s != "" {
		call = s + strings.TrimPrefix(session, "Session") + "." + final
	} else if s := p.aliasFor("boto3.session.Session"); s != "" {
		call = s + strings.TrimPrefix(session, "Session") + "." + final
	}
	if call == "" {
		r.note(fmt.Sprintf("%s now uses the default credential chain; run it with AWS_PROFILE=%s (rolecall adds no import to name the profile in the code)", u.label, r.opts.Profile))
		return
	}
	r.profileNote()
	u.edits = append(u.edits, edit.Edit{Start: p.toks[cal.start].start, End: p.toks[cal.end].end, New: call})
}

// receiverProfile gives the session a client comes from the profile, when
// that session is created right there: boto3.Session().client(...).
func (r *rewriter) receiverProfile(u *unit, q byte) {
	p := r.p
	cal := p.calleeOf(u.key)
	recv := cal.recv
	if p.isOp(recv, ")") && p.isCall(p.pair[recv]) {
		io := p.pair[recv]
		switch p.resolve(p.calleeOf(io).dotted) {
		case "boto3.Session", "boto3.session.Session", "aioboto3.Session":
			ig := p.group(io)
			if ig.find("profile_name") >= 0 || r.byKey[[2]int{int(uCall), io}] != nil {
				return // named already, or its own rewrite names it
			}
			u.edits = append(u.edits, p.insertFirst(ig, "profile_name="+pyString(r.opts.Profile, q)))
			r.profileNote()
			return
		}
	}
	r.note(fmt.Sprintf("%s now uses the credentials of %s: create that session with boto3.Session(profile_name=%s), or run with AWS_PROFILE=%s",
		u.label, p.norm(cal.start, cal.recv), pyString(r.opts.Profile, '\''), r.opts.Profile))
}

// getenvUnit is os.getenv("AWS_...", "<key>"): the key is a fallback.
func (r *rewriter) getenvUnit(o int, label string) *unit {
	p := r.p
	return r.unitFor(uGetenv, o, func() *unit {
		g := p.group(o)
		cal := p.calleeOf(o)
		u := &unit{open: o, varTok: -1, start: p.toks[cal.start].start, end: p.toks[g.close].end,
			label: label + " at " + r.at(p.toks[o].start), shape: "os.getenv fallback"}
		name, fb := g.positional(0), g.positional(1)
		if fb < 0 {
			fb = g.find("default")
		}
		if name < 0 || fb < 0 || g.items[name].first != g.items[name].last || p.toks[g.items[name].first].kind != tString {
			u.reason = fmt.Sprintf("rolecall does not recognise %s: remove the key by hand", u.label)
			return u
		}
		u.varTok = g.items[name].first
		v, _ := p.strValue(u.varTok)
		it := g.items[fb]
		u.creds = []cred{{grp: o, idx: fb, vFirst: it.vFirst, vLast: it.vLast, what: "the fallback"}}
		if !config.AWSEnvVar(v) {
			u.reason = fmt.Sprintf("the key is the fallback of %s for $%s, a variable the AWS SDKs do not read: remove it by hand", u.label, v)
		}
		return u
	})
}
