package remediate

import (
	"encoding/json"
	"fmt"
	"io"
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
)

// Report is what a person must do beyond the code change: a fix does not
// un-leak a key. Its JSON form is written by `rolecall fix --report FILE`.
type Report struct {
	Keys   []LeakedKey  `json:"keys"`
	Fixed  []ReportItem `json:"fixed"`
	Manual []ReportItem `json:"manual"`
	Notes  []string     `json:"notes,omitempty"`
	// ProfileConfig is the ~/.aws/config stanza to create, outside the
	// repository, when --profile is given.
	ProfileConfig string `json:"profile_config,omitempty"`
	// TrustPolicies are IAM trust policies for the role the code will run
	// as: on EC2, in SageMaker, or in GitHub Actions through OIDC.
	TrustPolicies map[string]json.RawMessage `json:"trust_policies,omitempty"`
	// InHistory counts secrets already committed: rotating them is not
	// optional, and git filter-repo --replace-text can purge them.
	InHistory int `json:"in_history"`
}

// noKeyID groups secrets found without their key id.
const noKeyID = "(secret without a key id in the same file)"

// LeakedKey is one AWS access key and what to do about it.
type LeakedKey struct {
	KeyID     string   `json:"key_id"` // redacted unless --show-secrets
	AccountID string   `json:"account_id,omitempty"`
	Locations []string `json:"locations"`
	InHistory bool     `json:"in_history"`
	Rotation  []string `json:"rotation"`
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
	File   string `json:"file"`
	Line   int    `json:"line"`
	Cell   int    `json:"cell,omitempty"`
	Rule   string `json:"rule"`
	Secret string `json:"secret"`
	Shape  string `json:"shape,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ReportOptions shape the report.
type ReportOptions struct {
	ShowSecrets bool
	Profile     string
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
	r := &Report{}
	redact := func(s string) string {
		if o.ShowSecrets {
			return s
		}
		return scanner.Redact(s)
	}
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
			ri := ReportItem{File: f.File, Line: f.Line, Rule: f.RuleID, Secret: redact(f.Secret), Shape: it.Shape, Reason: it.Reason}
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
			loc := fmt.Sprintf("%s:%d", f.File, f.Line)
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

// rotation is the post-leak checklist (AWS Security Blog, "What to do if
// you inadvertently expose an AWS access key").
func rotation(keyID string, inHistory bool, now time.Time) []string {
	if now.IsZero() {
		now = time.Now()
	}
	steps := []string{
		fmt.Sprintf("Find the key's owner and last use: aws iam get-access-key-last-used --access-key-id %s", keyID),
		fmt.Sprintf("Deactivate it (do not delete yet): aws iam update-access-key --user-name USER --access-key-id %s --status Inactive", keyID),
		fmt.Sprintf("Revoke sessions issued before now: attach to the user or role a deny-all policy with the condition {\"DateLessThan\": {\"aws:TokenIssueTime\": %q}} (for roles: IAM console, Revoke active sessions)", now.UTC().Format(time.RFC3339)),
		fmt.Sprintf("Search CloudTrail in every region for what the key did: aws cloudtrail lookup-events --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=%s --region REGION", keyID),
		"Move the workload to a role (instance profile, SageMaker execution role, IRSA, GitHub OIDC) or IAM Identity Center (SSO), then delete the key: aws iam delete-access-key --user-name USER --access-key-id " + keyID,
	}
	if inHistory {
		steps = append(steps, "The key is in committed history: after rotating it, purge it with `rolecall fix --replace-text FILE` and `git filter-repo --replace-text FILE`, then ask collaborators to re-clone (forks and clones keep old copies)")
	}
	return steps
}

// trustPolicies are the specific trust policies of iam/trust, as JSON.
func trustPolicies(o trust.Options) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	for name, doc := range trust.Policies(o) {
		b, _ := json.Marshal(doc) // plain strings and maps
		out[name] = b
	}
	return out
}

// roleFor infers the permission policy of the role that replaces a key
// from the files that used it (as they were before the fix).
func roleFor(plans []*FilePlan, o trust.Options) *RoleSuggestion {
	res := &infer.Result{}
	for _, p := range plans {
		infer.File(res, p.Path, p.Original)
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

// WriteText renders the report for people.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	if len(r.Fixed) > 0 {
		fmt.Fprintf(&b, "Fixed (%d):\n", len(r.Fixed))
		for _, it := range r.Fixed {
			fmt.Fprintf(&b, "  %s  %s %s: %s\n", itemWhere(it), it.Rule, it.Secret, it.Shape)
		}
	}
	if len(r.Manual) > 0 {
		fmt.Fprintf(&b, "To fix by hand (%d):\n", len(r.Manual))
		for _, it := range r.Manual {
			fmt.Fprintf(&b, "  %s  %s %s: %s\n", itemWhere(it), it.Rule, it.Secret, it.Reason)
		}
	}
	for _, k := range r.Keys {
		fmt.Fprintf(&b, "\nAWS key %s", k.KeyID)
		if k.AccountID != "" {
			fmt.Fprintf(&b, " (account %s)", k.AccountID)
		}
		fmt.Fprintf(&b, " at %s%s\n", strings.Join(k.Locations, ", "), map[bool]string{true: ", and in committed history", false: ""}[k.InHistory])
		for i, s := range k.Rotation {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
		writeRole(&b, k.Role)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\nAlso:\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "  - %s\n", n)
		}
	}
	if r.ProfileConfig != "" {
		b.WriteString("\n" + r.ProfileConfig)
	}
	if len(r.TrustPolicies) > 0 {
		b.WriteString("\nTrust policies for the role the code will run as (rolecall fix --report FILE writes them as JSON):\n")
		names := make([]string, 0, len(r.TrustPolicies))
		for n := range r.TrustPolicies {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "  %s: %s\n", n, r.TrustPolicies[n])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRole renders the role that replaces a key (iam/infer's policy).
func writeRole(b *strings.Builder, r *RoleSuggestion) {
	if r == nil {
		return
	}
	fmt.Fprintf(b, "  Role to replace it: %s, with this permission policy (from %d call site(s); `rolecall iam policy -f text` lists them):\n", r.ARN, len(r.Calls))
	for _, l := range strings.Split(strings.TrimRight(string(r.PermissionPolicy.JSON()), "\n"), "\n") {
		fmt.Fprintf(b, "    %s\n", l)
	}
	for _, w := range append(r.Warnings, r.Notes...) {
		fmt.Fprintf(b, "    warning: %s\n", w)
	}
}

func itemWhere(it ReportItem) string {
	if it.Cell > 0 {
		return fmt.Sprintf("%s cell %d (line %d)", it.File, it.Cell, it.Line)
	}
	return fmt.Sprintf("%s:%d", it.File, it.Line)
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
