package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBuildGroups(t *testing.T) {
	prefix := Condition{"StringLike": {"s3:prefix": {"data/*"}}}
	doc := Build([]Grant{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::a/data/*"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/x.csv"},
		{Action: "s3:PutObject", Resource: "arn:aws:s3:::a/out/*"},
		{Action: "s3:AbortMultipartUpload", Resource: "arn:aws:s3:::a/out/*"},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::a", Condition: prefix},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::a/data/*"}, // a repeat
	})
	if len(doc.Statement) != 4 {
		t.Fatalf("%d statements:\n%s", len(doc.Statement), doc.JSON())
	}
	sids := map[string]bool{}
	for _, s := range doc.Statement {
		if sids[s.Sid] || s.Sid == "" {
			t.Errorf("Sid %q not unique", s.Sid)
		}
		sids[s.Sid] = true
		if len(s.Action) == 1 && s.Action[0] == "s3:GetObject" && len(s.Resource) != 2 {
			t.Errorf("GetObject resources not grouped: %v", s.Resource)
		}
	}
	var back Document
	if err := json.Unmarshal(doc.JSON(), &back); err != nil || back.Version != Version {
		t.Fatalf("JSON round trip: %v", err)
	}
	tf := doc.Terraform("r")
	for _, want := range []string{`data "aws_iam_policy_document" "r" {`, `test     = "StringLike"`, `variable = "s3:prefix"`, `values   = ["data/*"]`} {
		if !strings.Contains(tf, want) {
			t.Errorf("terraform lacks %q:\n%s", want, tf)
		}
	}
	if empty := Build(nil); !strings.Contains(string(empty.JSON()), `"Statement": []`) {
		t.Errorf("empty policy: %s", empty.JSON())
	}
}

// An ARN holding "${" is not a Terraform interpolation.
func TestTerraformEscapes(t *testing.T) {
	tf := Build([]Grant{{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:username}/*"}}).Terraform("x")
	if !strings.Contains(tf, `$${aws:username}`) {
		t.Errorf("not escaped:\n%s", tf)
	}
}
