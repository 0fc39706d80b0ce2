package remediate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
)

func TestReport(t *testing.T) {
	set := testsecrets.New(111)
	keyID, secret, minio := set.Get("aws_key_id"), set.Get("aws_secret"), set.Get("db_password")
	plans := []*FilePlan{{Path: "etl.py", Items: []Item{
		{Finding: scanner.Finding{File: "etl.py", Line: 3, RuleID: "aws-access-key-id", Secret: keyID}, Kind: edit.AccessKeyID, Fixed: true, Shape: "boto3.client keyword arguments", Raw: keyID},
		{Finding: scanner.Finding{File: "etl.py", Line: 4, RuleID: "aws-secret-access-key", Secret: secret, KeyID: keyID}, Kind: edit.SecretAccessKey, Fixed: true, Raw: secret},
		{Finding: scanner.Finding{File: "etl.py", Line: 9, RuleID: "hadoop-s3a-credential", Secret: minio}, Kind: edit.AccessKeyID, Reason: "by hand", Raw: minio},
	}, Notes: []string{"set AWS_PROFILE"}}}
	inHistory := func(file, s string) bool { return s == secret }
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rep := BuildReport(plans, ReportOptions{Profile: "analytics", InHistory: inHistory, Repo: "octo/nb", Now: now})

	if len(rep.Keys) != 2 || len(rep.Fixed) != 2 || len(rep.Manual) != 1 || rep.InHistory != 1 {
		t.Fatalf("report %+v", rep)
	}
	k := rep.Keys[0]
	account := detectors.AccountFromKeyID(keyID)
	if k.AccountID != account || !k.InHistory || len(k.Locations) != 2 || k.KeyID != keyID {
		t.Errorf("key %+v", k)
	}
	// The checklist's commands run as printed: the key id is whole.
	if !strings.Contains(k.Rotation[0], "aws iam get-access-key-last-used --access-key-id "+keyID) {
		t.Errorf("rotation step 1 cannot be run: %q", k.Rotation[0])
	}
	hidden := BuildReport(plans, ReportOptions{RedactKeyIDs: true, Now: now})
	if hidden.Keys[0].KeyID != scanner.Redact(keyID) || strings.Contains(strings.Join(hidden.Keys[0].Rotation, " "), keyID) {
		t.Errorf("--redact-key-ids: %+v", hidden.Keys[0])
	}
	if last := k.Rotation[len(k.Rotation)-1]; !strings.Contains(last, "filter-repo") {
		t.Errorf("a key in history needs the purge step: %q", last)
	}
	if !strings.Contains(k.Rotation[2], "2026-01-02T03:04:05Z") {
		t.Errorf("revocation step lacks the time: %q", k.Rotation[2])
	}
	if rep.Keys[1].KeyID != scanner.Redact(minio) {
		t.Errorf("a key id of another shape is printed whole: %q", rep.Keys[1].KeyID)
	}
	// One account: the stanza and the OIDC trust policy name it.
	if !strings.Contains(rep.ProfileConfig, "[profile analytics]") || !strings.Contains(rep.ProfileConfig, "sso_account_id = "+account) {
		t.Errorf("profile stanza:\n%s", rep.ProfileConfig)
	}
	for name, doc := range rep.TrustPolicies {
		var v map[string]any
		if err := json.Unmarshal(doc, &v); err != nil || v["Version"] != "2012-10-17" {
			t.Errorf("trust policy %s is not a policy document: %s", name, doc)
		}
	}
	if oidc := string(rep.TrustPolicies["github_oidc"]); !strings.Contains(oidc, "repo:octo/nb:*") || !strings.Contains(oidc, account) {
		t.Errorf("OIDC trust policy: %s", oidc)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	b, _ := json.Marshal(rep)
	for _, out := range []string{text.String(), string(b)} {
		for _, s := range []string{secret, minio} {
			if strings.Contains(out, s) {
				t.Errorf("the report holds a full secret")
			}
		}
	}
	if !strings.Contains(text.String(), "IN COMMITTED HISTORY") || !strings.Contains(text.String(), "Set AWS_PROFILE.") {
		t.Errorf("text report:\n%s", text.String())
	}
	if shown := BuildReport(plans, ReportOptions{ShowSecrets: true}); shown.Keys[0].KeyID != keyID {
		t.Errorf("--show-secrets does not show the key id")
	}

	expr := ReplaceTextExpressions(plans, inHistory)
	if expr != "literal:"+secret+"==>"+Redacted+"\n" {
		t.Errorf("replace-text expressions %q", expr)
	}
	if ReplaceTextExpressions(plans, nil) != "" {
		t.Error("expressions without a repository")
	}
}
