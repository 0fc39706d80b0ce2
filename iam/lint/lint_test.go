package lint

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

const tight = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::bucket-a/data/*"]}]}`

const ghGood = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
   "token.actions.githubusercontent.com:sub": "repo:acme/etl:ref:refs/heads/main"}}}]}`

func nb(src string) string {
	n := &nbtest.Notebook{Minor: 5, Metadata: nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: "python"}, {Key: "name", Value: "python3"}}}}}
	for _, c := range strings.Split(src, "# ---\n") {
		n.Cells = append(n.Cells, nbtest.Cell{Type: "code", Source: c})
	}
	return string(nbtest.Write(n, nbtest.Jupyter, nbtest.Options{}))
}

// A true and a false case per check, across the sources.
var cases = []struct {
	name, file, text string
	rule             string // the rule that must fire; "" for a policy that must pass every check
	line             int    // the line it fires on (0: not checked)
}{
	{"tight policy passes", "p.json", tight, "", 0},
	{"GitHub OIDC trust passes", "trust.json", ghGood, "", 0},
	{"wildcard action json", "p.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
"Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}`, WildcardAction, 2},
	{"wildcard action terraform data", "main.tf", `data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}`, WildcardAction, 3},
	{"no wildcard terraform data", "main.tf", `data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::b/k"]
  }
}`, "", 0},
	{"resource star cfn yaml", "t.yaml", `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: "*"
`, ResourceStar, 12},
	{"resource star on list action passes", "t.yaml", `Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: s3:ListAllMyBuckets
            Resource: "*"
          - Effect: Allow
            Action: s3:GetObject
            Resource: !Sub "arn:aws:s3:::${Bucket}/*"
`, "", 0},
	{"not action allow python", "iam.py", `import boto3, json
iam = boto3.client("iam")
iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
}))`, NotActionAllow, 5},
	{"not action deny passes", "iam.py", `import boto3, json
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}]}
boto3.client("iam").create_policy(PolicyName="p", PolicyDocument=json.dumps(doc))`, "", 0},
	{"passrole star notebook", "n.ipynb", nb(`import boto3, json
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]}
# ---
boto3.client("iam").put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=json.dumps(policy))`), PassRoleStar, 0},
	{"passrole named passes", "n.ipynb", nb(`import boto3, json
policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/sm", "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}}]}
boto3.client("iam").put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=json.dumps(policy))`), "", 0},
	{"privilege escalation jsonencode", "iam.tf", `resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreatePolicyVersion"]
      Resource = "arn:aws:iam::111122223333:policy/x"
    }]
  })
}`, PrivEsc, 6},
	{"passrole with lambda create", "p.json", `{"Version": "2012-10-17", "Statement": [
{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/fn"},
{"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "arn:aws:lambda:*:111122223333:function:x"}]}`, PrivEsc, 2},
	{"trust any principal heredoc", "role.tf", `resource "aws_iam_role" "r" {
  assume_role_policy = <<EOF
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
EOF
}`, TrustAnyone, 4},
	{"trust any principal with org condition passes", "trust.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}`, "", 0},
	{"cross account without external id", "trust.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
"Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"}]}`, TrustCrossAcct, 2},
	{"cross account with external id passes", "trust.yaml", `AssumeRolePolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal: {AWS: "arn:aws:iam::444455556666:root"}
      Action: sts:AssumeRole
      Condition: {StringEquals: {"sts:ExternalId": "abc"}}
`, "", 0},
	{"same-account principal in CloudFormation passes", "t.yaml", `AssumeRolePolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Principal:
        AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"
      Action: sts:AssumeRole
`, "", 0},
	{"github without sub python", "gh.py", `import boto3
boto3.client("iam").create_role(RoleName="gh", AssumeRolePolicyDocument='''{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}''')`, GitHubSub, 2},
	{"github sub spans repos", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "repo:acme/*", 1), GitHubSub, 0},
	{"github numeric id form passes", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "repo:acme@123/etl@456:ref:refs/heads/main", 1), "", 0},
	{"github without aud", "trust.json", strings.Replace(ghGood, `"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",`, "", 1), GitHubAud, 0},
	{"service trust without source", "trust.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
"Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`, ServiceTrust, 2},
	{"service trust with source account passes", "trust.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
"Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole",
"Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}`, "", 0},
	{"service trust in a CloudFormation JSON template", "stack.template", `{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
  "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}}}`, ServiceTrust, 3},
	{"CloudFormation JSON with Fn::Sub resource passes", "stack.json", `{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
  "PolicyDocument": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "arn:aws:s3:::${B}/*"}}]}}}}}`, "", 0},
	{"old version", "p.json", `{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}]}`, PolicyVersion, 1},
	{"github sub with a wildcard in the repository name", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "repo:acme/etl*", 1), GitHubSub, 0},
	{"github sub of any owner", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "repo:*/etl:ref:refs/heads/main", 1), GitHubSub, 0},
	{"github sub star", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "*", 1), GitHubSub, 0},
	{"github sub of one repository, any ref, passes", "trust.json", strings.Replace(ghGood, "repo:acme/etl:ref:refs/heads/main", "repo:acme/etl:*", 1), "", 0},
	{"trust any principal with a condition that does not narrow it", "trust.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
"Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}`, TrustAnyone, 1},
	{"missing version", "p.json", `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/k"}]}`, PolicyVersion, 1},
	{"not resource allow yaml", "t.yaml", `PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: s3:GetObject
      NotResource: "arn:aws:s3:::secret/*"
`, NotActionAllow, 6},
	{"wildcard action notebook", "n.ipynb", nb(`import boto3
boto3.client("iam").create_policy(PolicyName="p", PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}')`), WildcardAction, 0},
	{"rolecall:allow silences in a notebook", "n.ipynb", nb(`import boto3
boto3.client("iam").create_policy(PolicyName="p", PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}')  # rolecall:allow`), "", 0},
	{"rolecall:allow silences in python", "iam.py", `import boto3
boto3.client("iam").create_policy(PolicyName="p", PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}')  # rolecall:allow`, "", 0},
	{"rolecall:allow silences", "t.yaml", `PolicyDocument:
  Version: "2012-10-17"
  Statement:
    - Effect: Allow
      Action: "s3:*" # rolecall:allow
      Resource: "arn:aws:s3:::b/*"
`, "", 0},
}

func TestChecks(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs, notes := File(c.file, []byte(c.text))
			if len(notes) > 0 {
				t.Fatalf("notes: %v", notes)
			}
			if c.rule == "" {
				for _, f := range fs {
					t.Errorf("unexpected %s at line %d: %s", f.RuleID, f.Line, f.Description)
				}
				return
			}
			found := false
			for _, f := range fs {
				if f.RuleID == c.rule {
					found = true
					if c.line > 0 && f.Line != c.line {
						t.Errorf("%s at line %d, want %d", f.RuleID, f.Line, c.line)
					}
					if strings.HasSuffix(c.file, ".ipynb") && (f.Notebook == nil || f.Notebook.Cell == 0) {
						t.Errorf("notebook finding without a cell: %+v", f)
					}
				}
			}
			if !found {
				t.Errorf("%s not reported; got %+v", c.rule, fs)
			}
		})
	}
}

// Hostile input never panics, and a broken policy file is named.
func TestMalformed(t *testing.T) {
	for _, c := range []struct{ file, text string }{
		{"p.json", `{"Statement": [`}, {"t.yaml", "Statement: [\n"}, {"x.tf", "policy = <<EOF\n{"},
		{"n.ipynb", `{"cells": [`}, {"e.ipynb", ""}, {"a.py", `put_role_policy(PolicyDocument={"Statement": [`},
		{"deep.json", strings.Repeat(`{"Statement":[`, 50000)}, {"deep.py", "put_role_policy(PolicyDocument=" + strings.Repeat("[{'a': ", 50000)},
		{"deep.tf", "policy = jsonencode(" + strings.Repeat("{a = [", 50000)}, {"deep.yaml", strings.Repeat("- ", 20000) + "Statement: x"},
	} {
		File(c.file, []byte(c.text))
	}
	// a minified policy with every finding on its one line: lines are
	// located and searched for rolecall:allow once (this took minutes)
	big := `{"Version": "2012-10-17", "Statement": [` + strings.Repeat(`{"Effect":"Allow","Action":"s3:*","Resource":"*"},`, 30000) + `{}]}`
	if fs, _ := File("big.json", []byte(big)); len(fs) == 0 {
		t.Errorf("big minified policy: no finding")
	}
	if _, notes := File("p.json", []byte(`{"Statement": [`)); len(notes) == 0 {
		t.Error("broken JSON policy not named")
	}
}
