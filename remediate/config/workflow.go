package config

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

const (
	configureAction = "aws-actions/configure-aws-credentials"
	roleARN         = "${{ vars.AWS_ROLE_ARN }}"
)

// awsInputs are the static-key inputs of configure-aws-credentials.
var awsInputs = map[string]bool{"aws-access-key-id": true, "aws-secret-access-key": true, "aws-session-token": true}

// wf holds the state of one Workflow rewrite.
type wf struct {
	*plan
	d        *ydoc
	opts     edit.Options
	top      []int
	jobsLine int
	jobs     []int
	done     map[string]bool // what was already added ("step 12", "permissions 12")
	// defaultRegion: a step got ${{ vars.AWS_REGION }} for lack of a value.
	defaultRegion bool
}

// Workflow rewrites GitHub Actions workflows: AWS keys in env (workflow,
// job or step level) go, and every job they served gets a first step that
// assumes a role through OIDC, with the id-token permission it needs.
// Static keys given to configure-aws-credentials become role-to-assume.
func Workflow(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p, d, ok := yamlPlan(KindWorkflow, text, targets)
	if !ok {
		return p.result(reasonUnknown)
	}
	w := &wf{plan: p, d: d, opts: opts, top: d.top(), done: map[string]bool{}}
	w.jobsLine = d.find(w.top, "jobs")
	if w.jobsLine >= 0 {
		for _, j := range d.kids(w.jobsLine) {
			if d.ls[j].key != "" && !d.ls[j].dash {
				w.jobs = append(w.jobs, j)
			}
		}
	}
	var envs, withs yamlGroups
	for i, t := range targets {
		j := d.lineAt(t.Start)
		if j < 0 {
			continue
		}
		par, item := d.parent(j)
		switch {
		case par >= 0 && !item && d.ls[par].key == "env" && awsEnvVars[d.ls[j].key] && w.envScope(par):
			envs.add(par, i)
		case par >= 0 && !item && d.ls[par].key == "with" && awsInputs[d.ls[j].key] && w.configureStep(par):
			withs.add(par, i)
		case t.Kind.IsAWS():
			p.manual(i, "the key is hard-coded in the workflow: delete it and let aws-actions/configure-aws-credentials assume a role through OIDC (role-to-assume)")
		default:
			p.manual(i, "store the secret as an encrypted repository or environment secret and reference it as ${{ secrets.NAME }}")
		}
	}
	for _, e := range envs.order {
		w.env(e, envs.ts[e])
	}
	for _, e := range withs.order {
		w.with(e, withs.ts[e])
	}
	if len(p.edits) > 0 {
		vars := "AWS_ROLE_ARN"
		if w.defaultRegion {
			vars = "AWS_ROLE_ARN and AWS_REGION"
		}
		p.note("create an IAM role whose trust policy allows token.actions.githubusercontent.com (with a sub condition for this repository), and set the repository variable %s", vars)
	}
	return p.result(reasonUnknown)
}

// configureStep reports whether key line with belongs to a step that
// uses configure-aws-credentials.
func (w *wf) configureStep(with int) bool {
	step, item := w.d.parent(with)
	return step >= 0 && item && w.usesConfigure(step)
}

func (w *wf) usesConfigure(step int) bool {
	u := w.d.find(w.d.members(step), "uses")
	return u >= 0 && strings.HasPrefix(strings.Trim(w.d.value(u), `"'`), configureAction)
}

// envScope reports whether key line e is an env the configure step can
// replace: the workflow's, a job's or a step's (not a service
// container's, which needs credentials of its own).
func (w *wf) envScope(e int) bool {
	d := w.d
	par, item := d.parent(e)
	if d.ls[e].dash { // "- env:" opens the step itself
		par, item = e, true
	}
	switch {
	case par < 0:
		return true
	case !item:
		gp, _ := d.parent(par)
		return gp >= 0 && gp == w.jobsLine
	}
	steps, _ := d.parent(par)
	if steps < 0 || d.ls[steps].key != "steps" {
		return false
	}
	job, _ := d.parent(steps)
	gp, _ := d.parent(job)
	return job >= 0 && gp >= 0 && gp == w.jobsLine
}

// jobOf returns the job key line that holds line j, or -1 outside jobs.
func (w *wf) jobOf(j int) int {
	for j >= 0 {
		par, _ := w.d.parent(j)
		if par >= 0 && par == w.jobsLine {
			return j
		}
		j = par
	}
	return -1
}

func (w *wf) jobName(job int) string { return w.d.ls[job].key }

// steps returns the step items of a job.
func (w *wf) steps(job int) []int {
	s := w.d.find(w.d.kids(job), "steps")
	if s < 0 {
		return nil
	}
	return w.d.kids(s)
}

// blocked says why a job cannot be given an OIDC step, or "".
func (w *wf) blocked(job int, needStep bool) string {
	name := w.jobName(job)
	if needStep && len(w.steps(job)) == 0 {
		return fmt.Sprintf("job %s has no steps (it calls a reusable workflow?): configure credentials with an OIDC role inside that workflow, then delete the keys", name)
	}
	perms := w.d.find(w.d.kids(job), "permissions")
	if perms < 0 {
		perms = w.d.find(w.top, "permissions")
	}
	if perms >= 0 && !w.d.emptyVal(perms) && w.d.value(perms) != "write-all" {
		return fmt.Sprintf("the permissions of job %s are `%s`: make them a block that includes id-token: write, then configure credentials with an OIDC role", name, w.d.value(perms))
	}
	return ""
}

// env deletes the AWS keys of one env block and gives each job it served
// an OIDC step.
func (w *wf) env(e int, ts []int) {
	jobs := w.jobs
	if job := w.jobOf(e); job >= 0 {
		jobs = []int{job}
	} else if w.d.ls[e].indent > 0 {
		jobs = nil
	}
	reason := ""
	if len(jobs) == 0 {
		reason = "rolecall could not tell which jobs use these keys: delete them and add aws-actions/configure-aws-credentials with role-to-assume to those jobs"
	}
	for _, job := range jobs {
		if r := w.blocked(job, true); r != "" && reason == "" {
			reason = r
		}
	}
	if reason != "" {
		w.manualAll(ts, reason)
		return
	}
	w.add(w.d.dropKids(e, func(k int) bool { return awsEnvVars[w.d.ls[k].key] }, nil)...)
	for _, job := range jobs {
		w.roleStep(job)
		w.permissions(job, w.jobOf(e) < 0)
	}
	w.fixAll(ts, "GitHub Actions env AWS keys replaced by an OIDC role")
}

// with turns the static keys given to configure-aws-credentials into
// role-to-assume.
func (w *wf) with(e int, ts []int) {
	job := w.jobOf(e)
	reason := "rolecall could not find the job of this step: replace the keys with role-to-assume by hand"
	if job >= 0 {
		reason = w.blocked(job, false)
	}
	if reason != "" {
		w.manualAll(ts, reason)
		return
	}
	var replace func(int) string
	if !w.d.hasKid(e, "role-to-assume") {
		replace = func(int) string { return "role-to-assume: " + roleARN }
	}
	w.add(w.d.dropKids(e, func(k int) bool { return awsInputs[w.d.ls[k].key] }, replace)...)
	w.permissions(job, false)
	w.fixAll(ts, "configure-aws-credentials static keys replaced by role-to-assume")
}

// roleStep inserts the configure-aws-credentials step first in a job,
// indented like the job's first step.
func (w *wf) roleStep(job int) {
	steps := w.steps(job)
	for _, s := range steps {
		if w.usesConfigure(s) {
			return
		}
	}
	if w.once("step", job) {
		return
	}
	first := steps[0]
	ind := strings.Repeat(" ", w.d.ls[first].col)
	sub := strings.Repeat(" ", w.d.ls[first].col+w.d.unit())
	w.add(w.d.insertBefore(first,
		w.d.prefix(first)+"name: Configure AWS credentials",
		ind+"uses: "+configureAction+"@v4",
		ind+"with:",
		sub+"role-to-assume: "+roleARN,
		sub+"aws-region: "+w.region(job)))
}

// region returns the job's AWS region: the AWS_REGION or
// AWS_DEFAULT_REGION it sets (job, workflow, then step env), or the
// repository variable.
func (w *wf) region(job int) string {
	var envs []int
	if e := w.d.find(w.d.kids(job), "env"); e >= 0 {
		envs = append(envs, e)
	}
	if e := w.d.find(w.top, "env"); e >= 0 {
		envs = append(envs, e)
	}
	for _, s := range w.steps(job) {
		if e := w.d.find(w.d.members(s), "env"); e >= 0 {
			envs = append(envs, e)
		}
	}
	for _, e := range envs {
		for _, name := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
			if k := w.d.find(w.d.kids(e), name); k >= 0 && w.d.value(k) != "" {
				return w.d.value(k)
			}
		}
	}
	w.defaultRegion = true
	return "${{ vars.AWS_REGION }}"
}

// permissions makes sure the job can request an OIDC token: the job's
// permissions (or else the workflow's) get id-token: write; with neither,
// a block with id-token: write and contents: read is added to the job, or
// to the workflow when the keys were workflow-wide.
func (w *wf) permissions(job int, workflow bool) {
	d := w.d
	if perms := d.find(d.kids(job), "permissions"); perms >= 0 {
		w.idToken(perms)
		return
	}
	if perms := d.find(w.top, "permissions"); perms >= 0 {
		w.idToken(perms)
		return
	}
	unit := strings.Repeat(" ", d.unit())
	if workflow {
		if !w.once("permissions", w.jobsLine) {
			w.add(d.insertBefore(w.jobsLine, "permissions:", unit+"id-token: write", unit+"contents: read"))
		}
		return
	}
	if w.once("permissions", job) {
		return
	}
	at := d.kids(job)[0]
	if s := d.find(d.kids(job), "steps"); s >= 0 {
		at = s
	}
	ind := strings.Repeat(" ", d.ls[at].indent)
	w.add(d.insertBefore(at, ind+"permissions:", ind+unit+"id-token: write", ind+unit+"contents: read"))
}

// idToken sets id-token: write in a permissions block.
func (w *wf) idToken(perms int) {
	d := w.d
	if w.once("permissions", perms) || d.value(perms) == "write-all" {
		return
	}
	ks := d.kids(perms)
	if k := d.find(ks, "id-token"); k >= 0 {
		if d.value(k) != "write" {
			w.add(edit.Edit{Start: d.ls[k].val.start, End: d.ls[k].val.end, New: "write"})
		}
		return
	}
	if len(ks) > 0 {
		w.add(d.insertBefore(ks[0], strings.Repeat(" ", d.ls[ks[0]].indent)+"id-token: write"))
		return
	}
	w.add(insertLines(d.text, d.ls[perms].next, d.nl, strings.Repeat(" ", d.ls[perms].col+d.unit())+"id-token: write"))
}

// once reports whether what was already done for line j, and records it.
func (w *wf) once(what string, j int) bool {
	k := fmt.Sprint(what, " ", j)
	seen := w.done[k]
	w.done[k] = true
	return seen
}
