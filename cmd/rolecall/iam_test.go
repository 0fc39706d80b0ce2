package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

func TestIAMPolicyCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "etl.py"), `import boto3
BUCKET = "bucket-a"
s3 = boto3.client("s3")
s3.get_object(Bucket=BUCKET, Key="in/a.csv")
s3.put_object(Bucket=bucket_param, Key="x", Body=b)
`)
	r := rolecall(t, "", "iam", "policy", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Sid      string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 2 {
		t.Fatalf("policy %+v", doc)
	}
	for _, s := range doc.Statement {
		if s.Sid == "" {
			t.Error("statement without Sid")
		}
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s", a)
			}
		}
	}
	if !strings.Contains(r.stdout, "arn:aws:s3:::bucket-a/in/a.csv") {
		t.Errorf("object ARN missing:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "etl.py:5: s3.put_object: the bucket is not known") {
		t.Errorf("no warning naming the call site: %q", r.stderr)
	}
	text := rolecall(t, "", "iam", "policy", "-f", "text", dir)
	if !strings.Contains(text.stdout, "etl.py:4: s3.get_object -> s3:GetObject -> arn:aws:s3:::bucket-a/in/a.csv") {
		t.Errorf("text form without call sites:\n%s", text.stdout)
	}
	tf := rolecall(t, "", "iam", "policy", "-f", "terraform", dir)
	if !strings.HasPrefix(tf.stdout, `data "aws_iam_policy_document" "rolecall" {`) {
		t.Errorf("terraform form:\n%s", tf.stdout)
	}
	ex := rolecall(t, "", "iam", "policy", "--explain", dir)
	if !strings.Contains(ex.stdout, `"calls"`) || !strings.Contains(ex.stdout, `"warning"`) {
		t.Errorf("--explain:\n%s", ex.stdout)
	}
	if bad := rolecall(t, "", "iam", "policy", "-f", "yaml", dir); bad.code != 2 {
		t.Errorf("bad format exit %d", bad.code)
	}
}

func TestIAMLintCommand(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "policy.json"), `{"Version": "2012-10-17", "Statement": [
 {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	writeFile(t, filepath.Join(dir, "etl.py"), `import boto3
boto3.client("s3").get_object(Bucket="bucket-a", Key="k")
`)
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := rolecall(t, "", "iam", "lint", "--suggest", filepath.Join(dir, "policy.json"))
	if r.code != 1 || !strings.Contains(r.stdout, "iam-wildcard-action") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "arn:aws:s3:::bucket-a/k") {
		t.Errorf("--suggest without the inferred policy: %s", r.stderr)
	}
	s := rolecall(t, "", "iam", "lint", "-f", "sarif", dir)
	if !strings.Contains(s.stdout, `"id": "iam-wildcard-action/high"`) || !strings.Contains(s.stdout, `"iam-policy"`) || strings.Contains(s.stdout, "Revoke or change the credential") {
		t.Errorf("SARIF without the rule:\n%s", s.stdout)
	}
	for _, p := range sariftest.Problems([]byte(s.stdout)) {
		t.Errorf("lint SARIF: %s", p)
	}
	if ok := rolecall(t, "", "iam", "lint", "--fail-on", "high", filepath.Join(dir, "etl.py")); ok.code != 0 {
		t.Errorf("clean file exit %d", ok.code)
	}
}

// scan --verify against a loopback STS: the pair is called once, marked
// live in JSON, --fail-on-live fails only then; a canary pair is not sent.
func TestScanVerify(t *testing.T) {
	set := testsecrets.New(33)
	id, secret := set.Get("aws_key_id"), set.Get("aws_secret")
	canaryID := set.AWSKeyIDFor("AKIA", "992382622183")
	var calls atomic.Int32
	live := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if strings.Contains(r.Header.Get("Authorization"), canaryID) {
			t.Error("canary key sent to STS")
		}
		if !live {
			w.WriteHeader(403)
			fmt.Fprint(w, `<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>`)
			return
		}
		fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/etl</Arn><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.py"), fmt.Sprintf("import boto3\ns3 = boto3.client('s3', aws_access_key_id=%q, aws_secret_access_key=%q)\n", id, secret))
	writeFile(t, filepath.Join(dir, "c.py"), fmt.Sprintf("import boto3\ns3 = boto3.client('s3', aws_access_key_id=%q, aws_secret_access_key=%q)\n", canaryID, set.Get("aws_secret.2")))

	r := rolecall(t, "", "scan", "-f", "json", "--verify", "--sts-endpoint", srv.URL, "--fail-on-live", dir)
	if r.code != 1 {
		t.Fatalf("live key: exit %d\n%s", r.code, r.stderr)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d STS calls, want 1", n)
	}
	var fs []scanner.Finding
	if err := json.Unmarshal([]byte(r.stdout), &fs); err != nil {
		var wrapped struct{ Findings []scanner.Finding }
		if err2 := json.Unmarshal([]byte(r.stdout), &wrapped); err2 != nil {
			t.Fatalf("JSON: %v\n%s", err, r.stdout)
		}
		fs = wrapped.Findings
	}
	statuses := map[string]string{}
	for _, f := range fs {
		if f.Verification != nil {
			statuses[f.File+" "+f.Verification.Status] = f.Verification.ARN
		}
	}
	if statuses[filepath.Join(dir, "a.py")+" live"] != "arn:aws:iam::111122223333:user/etl" {
		t.Errorf("no live verification: %v", statuses)
	}
	if _, ok := statuses[filepath.Join(dir, "c.py")+" canary"]; !ok {
		t.Errorf("canary not marked: %v", statuses)
	}
	if strings.Contains(r.stderr, secret) || strings.Contains(r.stdout, secret) {
		t.Error("secret printed")
	}
	sarif := rolecall(t, "", "scan", "-f", "sarif", "--verify", "--sts-endpoint", srv.URL, dir)
	for _, p := range sariftest.Problems([]byte(sarif.stdout)) {
		t.Errorf("verify SARIF: %s", p)
	}
	if !strings.Contains(sarif.stdout, `"verification": {`) || !strings.Contains(sarif.stdout, "verified live as arn:aws:iam::111122223333:user/etl") {
		t.Errorf("SARIF without verification:\n%s", sarif.stdout)
	}
	base := filepath.Join(t.TempDir(), "base.json")
	if b := rolecall(t, "", "scan", "-f", "json", "-o", base, dir); b.code != 1 {
		t.Fatalf("baseline: exit %d %s", b.code, b.stderr)
	}
	before := calls.Load()
	if b := rolecall(t, "", "scan", "--verify", "--sts-endpoint", srv.URL, "--baseline", base, dir); b.code != 0 || calls.Load() != before {
		t.Errorf("keys known from the baseline were sent to STS (exit %d, %d calls)", b.code, calls.Load()-before)
	}
	live = false
	if d := rolecall(t, "", "scan", "--verify", "--sts-endpoint", srv.URL, "--fail-on-live", dir); d.code != 0 || !strings.Contains(d.stdout, "verified: dead") {
		t.Errorf("dead keys with --fail-on-live: exit %d\n%s", d.code, d.stdout)
	}
	if u := rolecall(t, "", "scan", "--fail-on-live", dir); u.code != 2 {
		t.Errorf("--fail-on-live without --verify: exit %d", u.code)
	}
}

// fix's report carries, per key, the role that replaces it: the permission
// policy inferred from the file that used the key and the ARN named by
// --role-name; and trust policies specific to the repository (GitHub OIDC
// on the origin remote's default branch, with aud) and to the key's account
// (aws:SourceAccount on the service trusts).
func TestFixReportRole(t *testing.T) {
	set := testsecrets.New(34)
	id, secret := set.AWSKeyIDFor("AKIA", "111122223333"), set.Get("aws_secret")
	r := gittest.New(t)
	r.Write("etl.py", fmt.Sprintf(`import boto3
s3 = boto3.client("s3", aws_access_key_id=%q, aws_secret_access_key=%q)
s3.get_object(Bucket="bucket-a", Key="data/in.csv")
`, id, secret))
	r.Commit("etl")
	r.Git("remote", "add", "origin", "git@github.com:acme/etl.git")
	r.Git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
	reportFile := filepath.Join(t.TempDir(), "report.json")
	if res := rolecall(t, r.Dir, "fix", "--role-name", "etl-reader", "--report", reportFile); res.code > 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	data, err := os.ReadFile(reportFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Keys []struct {
			Account string `json:"account_id"`
			Role    *struct {
				ARN              string `json:"arn"`
				PermissionPolicy struct {
					Statement []struct {
						Action   []string
						Resource []string
					}
				} `json:"permission_policy"`
			} `json:"role"`
		} `json:"keys"`
		TrustPolicies map[string]struct {
			Statement []struct {
				Principal map[string]string
				Condition map[string]map[string]any
			}
		} `json:"trust_policies"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	if len(rep.Keys) != 1 || rep.Keys[0].Role == nil {
		t.Fatalf("keys: %s", data)
	}
	k := rep.Keys[0]
	if k.Account != "111122223333" || k.Role.ARN != "arn:aws:iam::111122223333:role/etl-reader" {
		t.Errorf("account %q, role ARN %q", k.Account, k.Role.ARN)
	}
	if st := k.Role.PermissionPolicy.Statement; len(st) != 1 || fmt.Sprint(st[0].Action) != "[s3:GetObject]" ||
		fmt.Sprint(st[0].Resource) != "[arn:aws:s3:::bucket-a/data/in.csv]" {
		t.Errorf("permission policy: %+v", st)
	}
	gh := rep.TrustPolicies["github_oidc"].Statement
	if len(gh) != 1 || gh[0].Principal["Federated"] != "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" {
		t.Fatalf("github trust: %+v", gh)
	}
	eq := gh[0].Condition["StringEquals"]
	if fmt.Sprint(eq["token.actions.githubusercontent.com:sub"]) != "[repo:acme/etl:ref:refs/heads/trunk]" ||
		fmt.Sprint(eq["token.actions.githubusercontent.com:aud"]) != "[sts.amazonaws.com]" {
		t.Errorf("github trust conditions: %v", eq)
	}
	for _, svc := range []string{"sagemaker", "glue", "ec2"} {
		st := rep.TrustPolicies[svc].Statement
		if len(st) != 1 || fmt.Sprint(st[0].Condition["StringEquals"]["aws:SourceAccount"]) != "[111122223333]" {
			t.Errorf("%s trust: %+v", svc, st)
		}
	}
	if strings.Contains(string(data), secret) {
		t.Error("the report holds the secret")
	}
}
