package python

import (
	"fmt"

	"github.com/rolecall/rolecall/remediate/edit"
)

// sparkUnit is the statement holding call o, a .set or .config of an S3A
// credential: every such call in the statement belongs to the unit.
func (r *rewriter) sparkUnit(o int) *unit {
	p := r.p
	si := p.stmtOf[o]
	s := p.stmts[si]
	return r.unitFor(uSpark, s.first, func() *unit {
		u := &unit{start: p.toks[s.first].start, end: p.toks[s.last].end, label: "the Spark configuration at " + r.at(p.toks[s.first].start)}
		method := ""
		for i := s.first; i <= s.last; i++ {
			if !p.isCall(i) {
				continue
			}
			cal := p.calleeOf(i)
			g := p.group(i)
			if !sparkMethods[cal.final] || cal.recv < 0 || len(g.items) != 2 || g.items[0].keyed || g.items[1].keyed || g.items[0].star || g.items[1].star {
				continue
			}
			k := g.items[0]
			v, _ := p.strValue(k.first)
			if k.first != k.last || !s3aKey.MatchString(v) {
				continue
			}
			u.creds = append(u.creds, cred{grp: i, idx: 1, vFirst: g.items[1].vFirst, vLast: g.items[1].vLast, what: v})
			method = cal.final
		}
		switch {
		case r.wholeStatement(u):
			u.shape = "S3A credentials set on a Spark/Hadoop configuration"
		case method == "config":
			u.shape = "S3A credentials in a SparkSession builder chain"
		default:
			u.shape = "S3A credentials in a configuration chain"
		}
		return u
	})
}

// wholeStatement reports whether u's only credential call is its whole
// statement: conf.set("fs.s3a.access.key", "...").
func (r *rewriter) wholeStatement(u *unit) bool {
	p := r.p
	if len(u.creds) != 1 {
		return false
	}
	o := u.creds[0].grp
	s := p.stmts[p.stmtOf[o]]
	return p.calleeOf(o).start == s.first && p.pair[o] == s.last
}

// provider is the S3A credential provider class for the options.
func (r *rewriter) provider() string {
	v2, ok := sdkV2(r.opts.Hadoop)
	if !ok {
		r.note(fmt.Sprintf("rolecall did not understand the Hadoop version %q and used the Hadoop 3.3 (AWS SDK v1) provider class; with Hadoop 3.4 or later use %s", r.opts.Hadoop, v2Default))
	}
	return map[[2]bool]string{{false, false}: v1Default, {false, true}: v1Profile, {true, false}: v2Default, {true, true}: v2Profile}[[2]bool{v2, r.opts.Profile != ""}]
}

// planSpark deletes the S3A credential settings and puts one
// fs.s3a.aws.credentials.provider in place of the first, with the same
// receiver and prefix.
func (r *rewriter) planSpark(u *unit, st *planState) string {
	p := r.p
	provider := r.provider()
	if r.opts.Profile != "" {
		r.note(fmt.Sprintf("Spark's S3A profile provider reads the profile from the environment: set AWS_PROFILE=%s on the driver and on every executor (for example spark.executorEnv.AWS_PROFILE=%s), with that profile in ~/.aws/config on every node", r.opts.Profile, r.opts.Profile))
	}
	whole := r.wholeStatement(u)
	for _, c := range u.creds {
		g := p.group(c.grp)
		key, _ := p.strValue(g.items[0].first)
		m := s3aKey.FindStringSubmatch(key)
		prefix, bucket := m[1], m[2]
		if !st.providerDone[bucket] {
			st.providerDone[bucket] = true
			q := p.quoteOf(g.items[0].first)
			u.edits = append(u.edits, edit.Edit{
				Start: p.toks[g.items[0].first].start, End: p.toks[g.items[1].last].end,
				New: pyString(prefix+"fs.s3a."+bucket+"aws.credentials.provider", q) + ", " + pyString(provider, q),
			})
			continue
		}
		if st.preset[bucket] {
			r.note("this code already sets fs.s3a.aws.credentials.provider: check that it names a role or profile provider (not SimpleAWSCredentialsProvider or TemporaryAWSCredentialsProvider), since the keys are gone")
		}
		if whole {
			e, ok := p.deleteStmt(p.stmtOf[c.grp])
			if !ok {
				return fmt.Sprintf("%s shares its line with other code: remove the key by hand", u.label)
			}
			u.edits = append(u.edits, e)
			continue
		}
		dot := p.prev(p.prev(c.grp))
		if !p.isOp(dot, ".") {
			return fmt.Sprintf("rolecall does not recognise %s: remove the key by hand", u.label)
		}
		u.edits = append(u.edits, p.deleteLink(dot, p.pair[c.grp]))
	}
	return ""
}
