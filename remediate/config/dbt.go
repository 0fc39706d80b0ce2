package config

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

var dbtSecretName = regexp.MustCompile(`DBT_ENV_SECRET_[A-Z0-9_]+`)

// dbtSecret is a literal in profiles.yml that becomes an env_var.
type dbtSecret struct {
	target, line    int
	base, qualified string // OUTPUT_KEY and PROFILE_OUTPUT_KEY
	name            string
}

// DBT rewrites dbt profiles.yml: a password (or any other secret value of
// an output) becomes "{{ env_var('DBT_ENV_SECRET_<OUTPUT>_<KEY>') }}", and
// dbt-athena's aws_access_key_id / aws_secret_access_key go (with a
// profile, aws_profile_name takes their place).
func DBT(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p, d, ok := yamlPlan(KindDBT, text, targets)
	if !ok {
		return p.result(reasonUnknown)
	}
	var athena yamlGroups
	var secrets []dbtSecret
	for i, t := range targets {
		j := d.lineAt(t.Start)
		if j < 0 || d.ls[j].key == "" {
			continue
		}
		out, item := d.parent(j)
		if out < 0 || item {
			continue
		}
		key := d.ls[j].key
		switch {
		case awsConfigKeys[key]:
			athena.add(out, i)
		case d.plainValue(j):
			s := dbtSecret{target: i, line: j, base: upperName(d.ls[out].key, key)}
			s.qualified = upperName(d.profileOf(out), d.ls[out].key, key)
			secrets = append(secrets, s)
		default:
			p.manual(i, "replace the value of "+key+" with \"{{ env_var('DBT_ENV_SECRET_...') }}\" by hand and export that variable where dbt runs")
		}
	}
	var names []string
	for _, s := range nameSecrets(text, secrets) {
		v := d.ls[s.line].val
		p.add(edit.Edit{Start: v.start, End: v.end, New: `"{{ env_var('` + s.name + `') }}"`})
		p.fix(s.target, "dbt profile secret moved to env_var")
		names = append(names, s.name)
	}
	if len(names) > 0 {
		p.note("export %s wherever dbt runs (your shell, the CI's secrets): dbt keeps DBT_ENV_SECRET_* values out of its logs and artifacts", strings.Join(names, ", "))
	}
	for _, out := range athena.order {
		var replace func(int) string
		if opts.Profile != "" && !d.hasKid(out, "aws_profile_name") {
			replace = func(int) string { return "aws_profile_name: " + yamlScalar(opts.Profile) }
		}
		p.add(d.dropKids(out, func(k int) bool { return awsConfigKeys[d.ls[k].key] }, replace)...)
		p.fixAll(athena.ts[out], "dbt-athena AWS keys")
	}
	if len(athena.order) > 0 {
		if opts.Profile != "" {
			p.note("profile %s must exist in ~/.aws/config wherever dbt runs", opts.Profile)
		} else {
			p.note("dbt-athena now uses the default credential chain: set AWS_PROFILE (or aws_profile_name) locally and use a role in CI")
		}
	}
	return p.result(reasonUnknown)
}

// plainValue reports whether key line j holds a one-line scalar that is
// not already a template.
func (d *ydoc) plainValue(j int) bool {
	v := d.value(j)
	if v == "" || strings.IndexByte("|>[{&*!", v[0]) >= 0 || strings.Contains(v, "{{") {
		return false
	}
	return j+1 >= len(d.ls) || !d.ls[j+1].text
}

// profileOf returns the profile name above an output: the key two levels
// up (profile → outputs → output), or "".
func (d *ydoc) profileOf(out int) string {
	outputs, _ := d.parent(out)
	if outputs < 0 {
		return ""
	}
	prof, _ := d.parent(outputs)
	if prof < 0 {
		return ""
	}
	return d.ls[prof].key
}

// upperName joins parts into an environment variable suffix: upper case,
// with anything but letters and digits turned into `_`.
func upperName(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		for _, c := range strings.ToUpper(p) {
			if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				b.WriteRune(c)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// nameSecrets gives each secret a variable name unique in the file: the
// output's name and the key, qualified by the profile when two outputs of
// different profiles share a name, and numbered as a last resort.
func nameSecrets(text []byte, secrets []dbtSecret) []dbtSecret {
	used := map[string]bool{}
	for _, n := range dbtSecretName.FindAll(text, -1) {
		used[string(n)] = true
	}
	count := map[string]int{}
	for _, s := range secrets {
		count[s.base]++
	}
	for k := range secrets {
		s := &secrets[k]
		n := "DBT_ENV_SECRET_" + s.base
		if count[s.base] > 1 || used[n] {
			n = "DBT_ENV_SECRET_" + s.qualified
		}
		for i, base := 2, n; used[n]; i++ {
			n = base + "_" + strconv.Itoa(i)
		}
		used[n] = true
		s.name = n
	}
	return secrets
}
