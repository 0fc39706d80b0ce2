package config

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

func TestFor(t *testing.T) {
	cases := map[string]string{
		"deploy.sh":                         KindShell,
		"scripts/run.BASH":                  KindShell,
		"x/.envrc":                          KindShell,
		"a.zsh":                             KindShell,
		"analysis/load.R":                   KindR,
		"load.r":                            KindR,
		".Rprofile":                         KindR,
		".env":                              KindEnv,
		"app/.env.production":               KindEnv,
		"prod.env":                          KindEnv,
		"home/.Renviron":                    KindEnv,
		"infra/main.tf":                     KindTerraform,
		"prod.tfvars":                       KindTerraform,
		"profiles.yml":                      KindDBT,
		"dbt/profiles.yaml":                 KindDBT,
		"docker-compose.yml":                KindCompose,
		"deploy/docker-compose.prod.yaml":   KindCompose,
		"compose.yaml":                      KindCompose,
		".github/workflows/ci.yml":          KindWorkflow,
		"sub/.github/workflows/deploy.yaml": KindWorkflow,
		"Dockerfile":                        KindDockerfile,
		"docker/Dockerfile.dev":             KindDockerfile,
		"app.dockerfile":                    KindDockerfile,
		"Containerfile":                     KindDockerfile,
		"conf/core-site.xml":                KindHadoopXML,
		"hdfs-site.xml":                     KindHadoopXML,
		"conf/spark-defaults.conf":          KindSparkConf,
		"home/.aws/config":                  KindAWSConfig,
		".aws/credentials":                  KindAWSCredentials,
		"load.py":                           "",
		"config.yml":                        "",
		".github/actions/setup/action.yml":  "",
		"pom.xml":                           "",
		"config":                            "",
		"notes/.aws-config":                 "",
		"src/credentials":                   "",
		"environment.yml":                   "",
		"docs/compose.md":                   "",
		"terraform.tfstate":                 "",
	}
	for path, want := range cases {
		rw, kind := For(path)
		if kind != want || (rw == nil) != (want == "") {
			t.Errorf("For(%q) = %v, %q; want kind %q", path, rw != nil, kind, want)
		}
		if want != "" && ByKind(kind) == nil {
			t.Errorf("ByKind(%q) is nil", kind)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	cases := []struct{ kind, text, want string }{
		{KindShell, "echo \"unterminated\n", "quote"},
		{KindShell, "cat <<EOF\nbody\n", "here-document"},
		{KindShell, "if true; then\nfi\n", "empty"},
		{KindShell, "f() {\n}\n", "empty"},
		{KindR, "f(x = \"a)\n", "unterminated"},
		{KindR, "f(x]\n", "unbalanced"},
		{KindR, "list(a = 1\n", "unclosed"},
		{KindEnv, "JUST A LINE\n", "not a NAME=value"},
		{KindEnv, "A=\"open\n", "unterminated"},
		{KindTerraform, "provider \"aws\" {\n  region = \"x\"\n", "not closed"},
		{KindTerraform, "a = \"b\n", "unterminated"},
		{KindDBT, "a:\n\tb: 1\n", "tab"},
		{KindCompose, "a:\n  b: 1\n   c: 2\n", "unexpected indentation"},
		{KindCompose, "a:\n    b: 1\n  c: 2\n", "matches no enclosing block"},
		{KindWorkflow, "env:\n  A: 1\n  A: 2\n", "duplicate key"},
		{KindWorkflow, "a: [1, 2\n", "not closed"},
		{KindDockerfile, "FORM alpine\n", "unknown instruction"},
		{KindDockerfile, "FROM alpine\nENV A=1 \\\n", "continued instruction"},
		{KindHadoopXML, "<configuration><property></configuration>", "element"},
		{KindAWSConfig, "[default\nregion = x\n", "section"},
		{"Python", "x = 1\n", "unknown kind"},
	}
	for _, c := range cases {
		err := Validate(c.kind, []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%s, %q) = %v, want an error with %q", c.kind, c.text, err, c.want)
		}
	}
	for _, kind := range []string{KindShell, KindR, KindEnv, KindTerraform, KindDBT, KindDockerfile, KindAWSConfig, KindSparkConf} {
		if err := Validator(kind)(nil); err != nil {
			t.Errorf("Validate(%s, empty) = %v", kind, err)
		}
	}
}

func TestProviderClass(t *testing.T) {
	cases := []struct {
		opts edit.Options
		want string
	}{
		{edit.Options{}, "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"},
		{edit.Options{Hadoop: "3.3"}, "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"},
		{edit.Options{Profile: "p"}, "com.amazonaws.auth.profile.ProfileCredentialsProvider"},
		{edit.Options{Hadoop: "3.4"}, "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"},
		{edit.Options{Hadoop: "3.4", Profile: "p"}, "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider"},
	}
	for _, c := range cases {
		if got := ProviderClass(c.opts); got != c.want {
			t.Errorf("ProviderClass(%+v) = %s, want %s", c.opts, got, c.want)
		}
	}
}

// A plan whose edits would leave a fixed secret in place is turned into
// "fix by hand" as a whole.
func TestPlanRefusesInconsistentEdits(t *testing.T) {
	text := []byte("A=1\nB=2\n")
	targets := []edit.Target{{Start: 2, End: 3}, {Start: 6, End: 7}}
	p := newPlan(KindEnv, text, targets)
	p.add(edit.Edit{Start: 0, End: 4})
	p.fix(0, "x")
	p.fix(1, "y") // no edit removes target 1
	res := p.result(reasonUnknown)
	if len(res.Edits) != 0 || res.Outcomes[0].Fixed || res.Outcomes[1].Fixed || res.Outcomes[1].Reason == "" {
		t.Errorf("inconsistent plan accepted: %+v", res)
	}
	p = newPlan(KindEnv, text, targets)
	p.add(edit.Edit{Start: 0, End: 4, New: "A=\"\n"}) // breaks the file
	p.fix(0, "x")
	res = p.result(reasonUnknown)
	if len(res.Edits) != 0 || res.Outcomes[0].Fixed || !strings.Contains(res.Outcomes[0].Reason, "break the file") {
		t.Errorf("plan that breaks the file accepted: %+v", res)
	}
}
