package remediate

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/iam/infer"
	"github.com/rolecall/rolecall/iam/policy"
	"github.com/rolecall/rolecall/iam/trust"
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
	// Role is the role that replaces the key: its permission policy,
	// inferred from the AWS calls of the files and notebooks that used the
	// key, and its ARN (iam/infer; rendered by WriteText's role section).
	Role *RoleSuggestion `json:"role,omitempty"`
}

// RoleSuggestion is the least-privilege role for one key.
type RoleSuggestion struct {
	ARN              string          `json:"arn"`
	PermissionPolicy policy.Document `json:"permission_policy"`
	// Calls are the call sites the policy comes from; Warnings name those
	// whose resource could not be known (their action has Resource "*").
	Calls    []infer.Use `json:"calls"`
	Warnings []string    `json:"warnings,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
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
	// Repo is "owner/name" for the GitHub OIDC trust policy, if known, and
	// Branch its default branch ("" means main).
	Repo   string
	Branch string
	// RoleName names the role in the suggested ARN (fix --role-name).
	RoleName string
	Now      time.Time
}

// BuildReport gathers the plans into one report.
func BuildReport(plans []*FilePlan, o ReportOptions) *Report {
	r := &Report{Applied: o.Applied, now: o.Now}
	redact := func(s string) string { return scanner.Display(s, o.ShowSecrets, o.RedactKeyIDs) }
	keys := map[string]*LeakedKey{}
	keyPlans := map[string][]*FilePlan{} // the files that used each key
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
			if !slices.Contains(keyPlans[id], p) {
				keyPlans[id] = append(keyPlans[id], p)
			}
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
		k.Role = roleFor(keyPlans[id], trust.Options{Account: k.AccountID, RoleName: o.RoleName})
		if k.AccountID != "" {
			accounts[k.AccountID] = true
		}
		r.Keys = append(r.Keys, *k)
	}
	account := trust.Placeholder
	if len(accounts) == 1 {
		for a := range accounts {
			account = a
		}
	}
	if len(r.Keys) > 0 {
		r.TrustPolicies = trustPolicies(trust.Options{Account: account, Repo: o.Repo, Branch: o.Branch})
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

// trustPolicies are the specific trust policies of iam/trust, as JSON.
func trustPolicies(o trust.Options) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for name, doc := range trust.Policies(o) {
		out[name] = doc.Compact()
	}
	return out
}

// roleFor infers the permission policy of the role that replaces a key
// from the files that used it (as they were before the fix).
func roleFor(plans []*FilePlan, o trust.Options) *RoleSuggestion {
	res := &infer.Result{}
	for _, p := range plans {
		if len(p.Original) > 0 {
			infer.File(res, p.Path, p.Original)
		}
	}
	uses := res.Uses
	if uses == nil {
		uses = []infer.Use{}
	}
	r := &RoleSuggestion{ARN: trust.RoleARN(o), PermissionPolicy: policy.Build(res.Grants()), Calls: uses,
		Warnings: res.Warnings(), Notes: res.Notes}
	if len(uses) == 0 {
		r.Notes = append(r.Notes, "no AWS calls found in the files that used this key: the role's permissions must be written by hand")
	}
	return r
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

// writeRoles renders, per key, the role that replaces it (iam/infer's
// permission policy); WriteText calls it after the key table.
func (r *Report) writeRoles(b *strings.Builder) {
	for _, k := range r.Keys {
		if k.Role == nil {
			continue
		}
		if len(k.Role.Calls) == 0 {
			fmt.Fprintf(b, "\nRole to replace key %s: %s. No AWS calls were found in the files that used the key: write its permissions by hand.\n", k.KeyID, k.Role.ARN)
			continue
		}
		fmt.Fprintf(b, "\nRole to replace key %s: %s, with this permission policy (from %d call site(s); `rolecall iam policy -f text` lists them):\n",
			k.KeyID, k.Role.ARN, len(k.Role.Calls))
		for _, l := range strings.Split(strings.TrimRight(string(k.Role.PermissionPolicy.JSON()), "\n"), "\n") {
			fmt.Fprintf(b, "  %s\n", l)
		}
		for _, w := range append(k.Role.Warnings, k.Role.Notes...) {
			fmt.Fprintf(b, "  warning: %s\n", w)
		}
	}
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
