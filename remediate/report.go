package remediate

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

// Report is what a person must do beyond the code change: a fix does not
// un-leak a key. Its JSON form is written by `rolecall fix --report FILE`.
type Report struct {
	// Applied is true when the fixes were written (--write); false for a
	// dry run, whose "fixed" items are what --write would fix.
	Applied bool         `json:"applied"`
	Keys    []LeakedKey  `json:"keys"`
	Fixed   []ReportItem `json:"fixed"`
	Manual  []ReportItem `json:"manual"`
	Notes   []string     `json:"notes,omitempty"`
	// ProfileConfig is the ~/.aws/config stanza to create, outside the
	// repository, when --profile is given.
	ProfileConfig string `json:"profile_config,omitempty"`
	// TrustPolicies are IAM trust policies for the role the code will run
	// as: on EC2, in SageMaker, or in GitHub Actions through OIDC.
	TrustPolicies map[string]json.RawMessage `json:"trust_policies,omitempty"`
	// InHistory counts secrets already committed: rotating them is not
	// optional, and git filter-repo --replace-text can purge them.
	InHistory int `json:"in_history"`

	now time.Time // when the report was made: the session-revocation cut-off
}

// noKeyID groups secrets found without their key id.
const noKeyID = "(secret without a key id in the same file)"

// LeakedKey is one AWS access key and what to do about it.
type LeakedKey struct {
	KeyID     string `json:"key_id"` // in full unless --redact-key-ids
	AccountID string `json:"account_id,omitempty"`
	// Locations name each place as the scan does ("nb.ipynb cell 4 line
	// 2 (file 50:9)", "etl.py:3:7").
	Locations []string `json:"locations"`
	InHistory bool     `json:"in_history"`
	// Rotation is the checklist for this key, its commands filled in.
	Rotation []string `json:"rotation"`
}

// ReportItem is one finding in the report.
type ReportItem struct {
	File string `json:"file"`
	Line int    `json:"line"` // 1-based, in the file as stored
	Cell int    `json:"cell,omitempty"`
	// Where names the place as the scan does: "nb.ipynb cell 4 line 2
	// (file 50:9)", "nb.ipynb cell 5 output 1 (stream stdout) line 1
	// (file 61:3)" (outputs count from 1, as in the text report).
	Where  string `json:"where"`
	Rule   string `json:"rule"`
	Secret string `json:"secret"`
	Shape  string `json:"shape,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ReportOptions shape the report.
type ReportOptions struct {
	// Applied says the fixes were written (--write), not only shown.
	Applied     bool
	ShowSecrets bool
	// RedactKeyIDs hides AWS key ids, shown in full by default (they are
	// identifiers, and the rotation commands need them).
	RedactKeyIDs bool
	Profile      string
	// InHistory reports whether a secret, spelled as the file stores it, is
	// in the repository's committed history (nil outside a git repository).
	InHistory func(file, secret string) bool
	// Repo is "owner/name" for the GitHub OIDC trust policy, if known.
	Repo string
	Now  time.Time
}

// BuildReport gathers the plans into one report.
func BuildReport(plans []*FilePlan, o ReportOptions) *Report {
	r := &Report{Applied: o.Applied, now: o.Now}
	redact := func(s string) string { return scanner.Display(s, o.ShowSecrets, o.RedactKeyIDs) }
	keys := map[string]*LeakedKey{}
	var order []string
	for _, p := range plans {
		for _, n := range p.Notes {
			if !slices.Contains(r.Notes, n) {
				r.Notes = append(r.Notes, n)
			}
		}
		for _, it := range p.Items {
			f := it.Finding
			ri := ReportItem{File: f.File, Line: f.Line, Where: report.Where(&f), Rule: f.RuleID, Secret: redact(f.Secret), Shape: it.Shape, Reason: it.Reason}
			if f.Notebook != nil {
				ri.Cell = f.Notebook.Cell
			}
			if it.Fixed {
				r.Fixed = append(r.Fixed, ri)
			} else {
				r.Manual = append(r.Manual, ri)
			}
			inHistory := o.InHistory != nil && o.InHistory(f.File, it.Raw)
			if inHistory {
				r.InHistory++
			}
			if !it.Kind.IsAWS() {
				continue
			}
			id := f.KeyID
			if it.Kind == edit.AccessKeyID {
				id = f.Secret
			}
			if id == "" {
				id = noKeyID
			}
			k, ok := keys[id]
			if !ok {
				k = &LeakedKey{KeyID: id, AccountID: detectors.AccountFromKeyID(id)}
				keys[id] = k
				order = append(order, id)
			}
			loc := report.Where(&f)
			if !slices.Contains(k.Locations, loc) {
				k.Locations = append(k.Locations, loc)
			}
			k.InHistory = k.InHistory || inHistory
		}
	}
	accounts := map[string]bool{}
	for _, id := range order {
		k := keys[id]
		shown := id
		if id != noKeyID {
			shown = redact(id)
		}
		k.Rotation = rotation(shown, k.InHistory, o.Now)
		k.KeyID = shown
		if k.AccountID != "" {
			accounts[k.AccountID] = true
		}
		r.Keys = append(r.Keys, *k)
	}
	account := "<ACCOUNT_ID>"
	if len(accounts) == 1 {
		for a := range accounts {
			account = a
		}
	}
	if len(r.Keys) > 0 {
		r.TrustPolicies = trustPolicies(account, o.Repo)
		if o.Profile != "" {
			r.ProfileConfig = profileStanza(o.Profile, account)
		}
	}
	return r
}

// rotationStep is one step of the post-leak checklist (AWS Security Blog,
// "What to do if you inadvertently expose an AWS access key"): what to do,
// and the AWS CLI command that does it for the key named by key (a key id,
// or "$k" inside a shell loop over several).
type rotationStep struct {
	what string
	cmd  func(key string) string
}

// ownerOf is a shell expression for the IAM user that owns key: the user
// name the rotation commands need, found without a manual look-up.
func ownerOf(key string) string {
	return fmt.Sprintf(`"$(aws iam get-access-key-last-used --access-key-id %s --query UserName --output text)"`, key)
}

func rotationSteps(now time.Time) []rotationStep {
	if now.IsZero() {
		now = time.Now()
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"%s"}}}]}`, now.UTC().Format(time.RFC3339))
	return []rotationStep{
		{"Find the key's owner and when it was last used", func(k string) string {
			return "aws iam get-access-key-last-used --access-key-id " + k
		}},
		{"Deactivate it (do not delete it yet: a deactivated key can be turned back on if something breaks)", func(k string) string {
			return fmt.Sprintf("aws iam update-access-key --user-name %s --access-key-id %s --status Inactive", ownerOf(k), k)
		}},
		{"Revoke the sessions it issued before now (a deny on tokens issued earlier; for a role, use Revoke active sessions in the IAM console)", func(k string) string {
			return fmt.Sprintf("aws iam put-user-policy --user-name %s --policy-name rolecall-revoke-older-sessions --policy-document '%s'", ownerOf(k), policy)
		}},
		{"Search CloudTrail in every region for what the key did", func(k string) string {
			return fmt.Sprintf(`for r in $(aws ec2 describe-regions --query 'Regions[].RegionName' --output text); do aws cloudtrail lookup-events --region "$r" --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=%s; done`, k)
		}},
		{"Move the workload to a role (instance profile, SageMaker execution role, IRSA, GitHub OIDC) or IAM Identity Center (SSO), then delete the key", func(k string) string {
			return fmt.Sprintf("aws iam delete-access-key --user-name %s --access-key-id %s", ownerOf(k), k)
		}},
	}
}

// historyStep is the extra step for a key already committed.
const historyStep = "The key is in committed history: after rotating it, purge it with `rolecall fix --replace-text FILE` and `git filter-repo --replace-text FILE`, then ask collaborators to re-clone (forks and clones keep old copies)."

// rotation is the checklist for one key, its commands filled in.
func rotation(keyID string, inHistory bool, now time.Time) []string {
	var steps []string
	for _, s := range rotationSteps(now) {
		steps = append(steps, s.what+": "+s.cmd(keyID))
	}
	if inHistory {
		steps = append(steps, historyStep)
	}
	return steps
}

func trustPolicies(account, repo string) map[string]json.RawMessage {
	if repo == "" {
		repo = "OWNER/REPO"
	}
	service := func(principal string) json.RawMessage {
		return json.RawMessage(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":%q},"Action":"sts:AssumeRole"}]}`, principal))
	}
	oidc := json.RawMessage(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:%s:*"}}}]}`, account, repo))
	return map[string]json.RawMessage{"ec2": service("ec2.amazonaws.com"), "sagemaker": service("sagemaker.amazonaws.com"), "github_oidc": oidc}
}

func profileStanza(profile, account string) string {
	return fmt.Sprintf(`# ~/.aws/config, outside the repository. Either sign in with IAM Identity Center (SSO):
[profile %[1]s]
sso_session = SESSION_NAME
sso_account_id = %[2]s
sso_role_name = ROLE_NAME
region = REGION

[sso-session SESSION_NAME]
sso_start_url = https://YOUR_ORG.awsapps.com/start
sso_region = REGION

# or assume a role from a base profile (or credential_source = Ec2InstanceMetadata):
# [profile %[1]s]
# role_arn = arn:aws:iam::%[2]s:role/ROLE_NAME
# source_profile = BASE_PROFILE
`, profile, account)
}

// ReplaceTextExpressions returns a git filter-repo --replace-text file for
// the secrets of plans that are in committed history. It holds the secrets
// themselves: write it outside the repository.
func ReplaceTextExpressions(plans []*FilePlan, inHistory func(file, secret string) bool) string {
	seen := map[string]bool{}
	var lines []string
	for _, p := range plans {
		for _, it := range p.Items {
			s := it.Raw // filter-repo matches the bytes of the blob
			if seen[s] || inHistory == nil || !inHistory(it.Finding.File, s) || strings.ContainsAny(s, "\n\r") {
				continue
			}
			seen[s] = true
			lines = append(lines, "literal:"+s+"==>"+Redacted)
		}
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
