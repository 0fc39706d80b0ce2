package config

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// envName returns the variable an environment entry sets: the key of a
// map entry, or NAME of a list entry "- NAME=value".
func (d *ydoc) envName(j int) string {
	if d.ls[j].key != "" {
		return d.ls[j].key
	}
	v := strings.Trim(d.value(j), `"'`)
	name, _, _ := strings.Cut(v, "=")
	return name
}

// yamlGroups collects targets by the line of the key that holds their
// entry, in order of first appearance.
type yamlGroups struct {
	order []int
	ts    map[int][]int
}

func (g *yamlGroups) add(at, target int) {
	if g.ts == nil {
		g.ts = map[int][]int{}
	}
	if g.ts[at] == nil {
		g.order = append(g.order, at)
	}
	g.ts[at] = append(g.ts[at], target)
}

// yamlPlan starts a rewrite of a YAML file, or reports why it cannot.
func yamlPlan(kind string, text []byte, targets []edit.Target) (*plan, *ydoc, bool) {
	p := newPlan(kind, text, targets)
	d := parseYAML(text)
	if d.err != nil {
		for i := range targets {
			p.manual(i, fmt.Sprintf("the file could not be read as YAML (%v): delete the credentials by hand", d.err))
		}
		return p, d, false
	}
	return p, d, true
}

// Compose rewrites docker compose files: AWS credential entries of a
// service's environment (list or map) go, and the environment with them
// when it is left empty; with a profile, AWS_PROFILE takes the place of
// the first.
func Compose(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p, d, ok := yamlPlan(KindCompose, text, targets)
	if !ok {
		return p.result(reasonUnknown)
	}
	var envs yamlGroups
	for i, t := range targets {
		j := d.lineAt(t.Start)
		if j < 0 {
			continue
		}
		name := d.envName(j)
		par, item := d.parent(j)
		parKey := ""
		if par >= 0 && !item {
			parKey = d.ls[par].key
		}
		switch {
		case parKey == "environment" && awsEnvVars[name]:
			envs.add(par, i)
		case parKey == "args":
			p.manual(i, "build args stay in the image history: pass the secret as a build secret (RUN --mount=type=secret with `secrets:` under build) instead")
		case t.Kind.IsAWS() && parKey == "environment":
			p.manual(i, "the key is kept in "+name+", a variable of your own: change the code that reads it to use the default credential chain, then delete the entry")
		default:
			p.manual(i, "move the secret out of the compose file: use `secrets:` or an env_file kept outside the repository")
		}
	}
	for _, e := range envs.order {
		var replace func(int) string
		if opts.Profile != "" && !d.hasKid(e, "AWS_PROFILE") {
			replace = func(k int) string {
				if d.ls[k].dash {
					return yamlScalar("AWS_PROFILE=" + opts.Profile)
				}
				return "AWS_PROFILE: " + yamlScalar(opts.Profile)
			}
		}
		p.add(d.dropKids(e, func(k int) bool { return awsEnvVars[d.envName(k)] }, replace)...)
		p.fixAll(envs.ts[e], "compose environment AWS credentials")
	}
	if len(envs.order) > 0 {
		if opts.Profile != "" {
			p.note("for development, mount your AWS config read-only so profile %s resolves in the container (volumes: [\"~/.aws:/root/.aws:ro\"]); in production give the task or pod a role instead", opts.Profile)
		} else {
			p.note("the containers now use the default credential chain: give the task or pod a role (ECS task role, IRSA); for development mount ~/.aws:/root/.aws:ro and set AWS_PROFILE")
		}
	}
	return p.result(reasonUnknown)
}

// hasKid reports whether key line e has an entry for name.
func (d *ydoc) hasKid(e int, name string) bool {
	for _, k := range d.kids(e) {
		if d.envName(k) == name {
			return true
		}
	}
	return false
}
