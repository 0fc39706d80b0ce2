package trust

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/iam/lint"
)

// The trust policies rolecall writes pass its own lint, and name the
// repository's default branch and the key's account.
func TestPoliciesPassLint(t *testing.T) {
	ps := Policies(Options{Account: "111122223333", Repo: "acme/etl", Branch: "trunk"})
	for name, doc := range ps {
		fs, notes := lint.File(name+".json", doc.JSON())
		if len(fs) > 0 || len(notes) > 0 {
			t.Errorf("%s: %+v %v\n%s", name, fs, notes, doc.JSON())
		}
	}
	gh := ps["github_oidc"].Statement[0]
	if got := gh.Condition["StringEquals"]["token.actions.githubusercontent.com:sub"][0]; got != "repo:acme/etl:ref:refs/heads/trunk" {
		t.Errorf("sub %q", got)
	}
	if got := ps["sagemaker"].Statement[0].Condition["StringEquals"]["aws:SourceAccount"][0]; got != "111122223333" {
		t.Errorf("source account %q", got)
	}
	if RoleARN(Options{Account: "111122223333", RoleName: "etl"}) != "arn:aws:iam::111122223333:role/etl" {
		t.Error("role ARN")
	}
}

func TestDefaultBranch(t *testing.T) {
	dir := t.TempDir()
	if b := DefaultBranch(dir, dir); b != "main" {
		t.Errorf("empty: %q", b)
	}
	os.WriteFile(filepath.Join(dir, "HEAD"), []byte("ref: refs/heads/dev\n"), 0o644)
	if b := DefaultBranch(dir, dir); b != "dev" {
		t.Errorf("HEAD: %q", b)
	}
	os.MkdirAll(filepath.Join(dir, "refs", "remotes", "origin"), 0o755)
	os.WriteFile(filepath.Join(dir, "refs", "remotes", "origin", "HEAD"), []byte("ref: refs/remotes/origin/trunk\n"), 0o644)
	if b := DefaultBranch(dir, dir); b != "trunk" {
		t.Errorf("origin/HEAD: %q", b)
	}
}
