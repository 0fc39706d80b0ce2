// Package trust writes the trust policies of the role that replaces a
// leaked key: GitHub Actions through OIDC, pinned to one repository and its
// default branch, and the services data code runs in (SageMaker, Glue,
// EC2), each narrowed to the key's account with aws:SourceAccount.
package trust

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/iam/policy"
)

// Options name what the policies are specific to.
type Options struct {
	Account  string // 12 digits; "" writes the <ACCOUNT_ID> placeholder
	Repo     string // GitHub owner/name; "" writes OWNER/REPO
	Branch   string // default branch; "" means main
	RoleName string // for the role ARN; "" means rolecall-<purpose>
}

// Placeholder stands for an account id rolecall could not decode.
const Placeholder = "<ACCOUNT_ID>"

const githubOIDC = "token.actions.githubusercontent.com"

// Policies returns the trust policies by use: github_oidc, sagemaker, glue
// and ec2.
func Policies(o Options) map[string]policy.Document {
	account := o.Account
	if account == "" {
		account = Placeholder
	}
	repo, branch := o.Repo, o.Branch
	if repo == "" {
		repo = "OWNER/REPO"
	}
	if branch == "" {
		branch = "main"
	}
	out := map[string]policy.Document{
		"github_oidc": {Version: policy.Version, Statement: []policy.Statement{{
			Sid: "GitHubActionsDefaultBranch", Effect: "Allow",
			Principal: &policy.Principal{Federated: "arn:aws:iam::" + account + ":oidc-provider/" + githubOIDC},
			Action:    []string{"sts:AssumeRoleWithWebIdentity"},
			Condition: policy.Condition{"StringEquals": {
				githubOIDC + ":aud": {"sts.amazonaws.com"},
				githubOIDC + ":sub": {"repo:" + repo + ":ref:refs/heads/" + branch},
			}},
		}}},
	}
	for name, svc := range map[string]string{"sagemaker": "sagemaker.amazonaws.com", "glue": "glue.amazonaws.com", "ec2": "ec2.amazonaws.com"} {
		out[name] = policy.Document{Version: policy.Version, Statement: []policy.Statement{{
			Sid: "Service", Effect: "Allow", Principal: &policy.Principal{Service: svc},
			Action:    []string{"sts:AssumeRole"},
			Condition: policy.Condition{"StringEquals": {"aws:SourceAccount": {account}}},
		}}}
	}
	return out
}

// RoleARN is the ARN of the role to create.
func RoleARN(o Options) string {
	account := o.Account
	if account == "" {
		account = Placeholder
	}
	name := o.RoleName
	if name == "" {
		name = "rolecall-workload"
	}
	return "arn:aws:iam::" + account + ":role/" + name
}

// DefaultBranch reads the default branch of a repository from git's files:
// the remote's HEAD (refs/remotes/origin/HEAD, set by clone), else the
// current branch, else "main".
func DefaultBranch(gitDir, commonDir string) string {
	for _, c := range []struct{ file, prefix string }{
		{filepath.Join(commonDir, "refs", "remotes", "origin", "HEAD"), "ref: refs/remotes/origin/"},
		{filepath.Join(gitDir, "HEAD"), "ref: refs/heads/"},
	} {
		if s := readSmall(c.file); strings.HasPrefix(s, c.prefix) {
			if b := strings.TrimSpace(strings.TrimPrefix(s, c.prefix)); b != "" && !strings.ContainsAny(b, "\x00\n*?[ ") {
				return b
			}
		}
	}
	return "main"
}

// readSmall reads the first bytes of a regular file ("" for anything else).
func readSmall(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	return string(b)
}
