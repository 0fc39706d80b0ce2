// Package config rewrites configuration files and scripts that hold cloud
// credentials (shell, R, .env, Terraform, dbt, docker compose, GitHub
// workflows, Dockerfiles, Hadoop/Spark configuration, AWS config files) so
// that the default credential chain or a named profile supplies them.
//
// Every rewriter follows the edit package's contract: it returns byte-span
// edits and one Outcome per target, never writes, and leaves a target it
// cannot rewrite whole as a manual item with a Reason saying what to do.
// No YAML, HCL or XML library is used: files are edited by lines and small
// tokenizers so that everything outside the edited spans stays byte-for-byte.
package config

import (
	"fmt"
	"path"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// Kind names, as returned by For and accepted by Validate.
const (
	KindShell          = "Shell"
	KindR              = "R"
	KindEnv            = "Env"
	KindTerraform      = "Terraform"
	KindDBT            = "DBT"
	KindCompose        = "Compose"
	KindWorkflow       = "Workflow"
	KindDockerfile     = "Dockerfile"
	KindHadoopXML      = "HadoopXML"
	KindSparkConf      = "SparkConf"
	KindAWSConfig      = "AWSConfig"
	KindAWSCredentials = "AWSCredentials"
)

// rewriters maps each kind to its rewriter.
var rewriters = map[string]edit.Rewriter{
	KindShell:          Shell,
	KindR:              R,
	KindEnv:            Env,
	KindTerraform:      Terraform,
	KindDBT:            DBT,
	KindCompose:        Compose,
	KindWorkflow:       Workflow,
	KindDockerfile:     Dockerfile,
	KindHadoopXML:      HadoopXML,
	KindSparkConf:      SparkConf,
	KindAWSConfig:      AWSConfig,
	KindAWSCredentials: AWSCredentials,
}

// ByKind returns the rewriter for a kind name, or nil.
func ByKind(kind string) edit.Rewriter { return rewriters[kind] }

// For picks the rewriter for a slash-separated file path and returns it
// with its kind name (for Validate), or (nil, "") when no rewriter here
// applies to the file.
func For(p string) (edit.Rewriter, string) {
	kind := kindFor(p)
	return rewriters[kind], kind
}

func kindFor(p string) string {
	lp := strings.ToLower(p)
	base := path.Base(lp)
	ext := path.Ext(base)
	dir := path.Dir(lp)
	yml := ext == ".yml" || ext == ".yaml"
	switch {
	case path.Base(dir) == ".aws" && base == "credentials":
		return KindAWSCredentials
	case path.Base(dir) == ".aws" && base == "config":
		return KindAWSConfig
	case yml && (dir == ".github/workflows" || strings.HasSuffix(dir, "/.github/workflows")):
		return KindWorkflow
	case yml && (strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose")):
		return KindCompose
	case base == "profiles.yml" || base == "profiles.yaml":
		return KindDBT
	case base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || ext == ".dockerfile" || base == "containerfile":
		return KindDockerfile
	case strings.HasSuffix(base, "-site.xml"):
		return KindHadoopXML
	case base == "spark-defaults.conf":
		return KindSparkConf
	case ext == ".tf" || ext == ".tfvars":
		return KindTerraform
	case ext == ".r" || base == ".rprofile":
		return KindR
	case base == ".envrc" || ext == ".sh" || ext == ".bash" || ext == ".zsh" || ext == ".ksh":
		return KindShell
	// .Renviron is read by R as KEY=value lines, the same as a .env file.
	case base == ".env" || strings.HasPrefix(base, ".env.") || ext == ".env" || base == ".renviron":
		return KindEnv
	}
	return ""
}

// Validate checks that text is still well-formed for its kind, as far as
// the rewrites here can break it: balanced brackets and quotes for shell, R
// and HCL, consistent indentation without tabs and without duplicate keys
// for YAML, well-formed elements for XML, parseable lines for the line
// formats.
func Validate(kind string, text []byte) error {
	switch kind {
	case KindShell:
		return validateShell(text)
	case KindR:
		return validateR(text)
	case KindEnv:
		return validateEnv(text)
	case KindTerraform:
		return validateHCL(text)
	case KindDBT, KindCompose, KindWorkflow:
		return validateYAML(text)
	case KindDockerfile:
		return validateDockerfile(text)
	case KindHadoopXML:
		return validateXML(text)
	case KindAWSConfig:
		return validateINI(text)
	case KindSparkConf, KindAWSCredentials:
		return nil
	}
	return fmt.Errorf("config: unknown kind %q", kind)
}

// Validator returns Validate bound to kind, the shape a caller that keeps a
// validator per file wants.
func Validator(kind string) func([]byte) error {
	return func(text []byte) error { return Validate(kind, text) }
}

// CredentialsFileReason is the Reason for any secret in a committed
// ~/.aws/credentials file: such a file has nothing in it worth keeping in a
// repository, so it is removed from git rather than edited.
const CredentialsFileReason = "this is an AWS shared credentials file: git rm --cached it, add it to .gitignore and rotate the keys it holds; keep profiles in ~/.aws/config with sso_session or role_arn instead"

// AWSCredentials is the rewriter for .aws/credentials files: it never
// edits, and marks every target with CredentialsFileReason.
func AWSCredentials(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	return edit.Manual(targets, CredentialsFileReason)
}
