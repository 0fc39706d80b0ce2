package lint_test

import (
	"testing"

	"github.com/rolecall/rolecall/iam/infer"
	"github.com/rolecall/rolecall/iam/lint"
	"github.com/rolecall/rolecall/iam/policy"
)

// fuzzNames are the file kinds the lint and policy readers tell apart.
var fuzzNames = []string{"p.json", "main.tf", "t.yaml", "iam.py", "n.ipynb", "job.sh", "a.R", "stack.template"}

// FuzzReaders feeds hostile bytes to every policy reader (lint) and code
// reader (iam policy): none may panic or hang, and the policy inferred
// never holds a wildcard action.
func FuzzReaders(f *testing.F) {
	for _, s := range []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`,
		"data \"aws_iam_policy_document\" \"p\" {\n statement {\n actions = [\"*\"]\n }\n}\n",
		"resource \"aws_iam_role\" \"r\" {\n assume_role_policy = <<EOF\n{\"Statement\": [\nEOF\n}\n",
		"policy = jsonencode({Statement = [{Effect = \"Allow\", Action = \"*\"}]})",
		"PolicyDocument:\n  Statement:\n    - Effect: Allow\n      Action: !Sub \"${X}:*\"\n      Resource: *\n",
		"import boto3, json\nboto3.client('iam').put_role_policy(PolicyDocument=json.dumps({'Statement': [{'Action': '*'}]}))\n",
		`{"cells": [{"cell_type": "code", "source": ["%%bash\n", "aws s3 cp s3://b/k ."]}, {"cell_type": "code", "source": null}], "metadata": {"kernelspec": {"language": "R"}}}`,
		"import boto3\ns3 = boto3.client('s3')\ns3.get_object(Bucket=f'{x}', Key='a' + y)\n",
		"library(paws)\ns3 <- paws::s3()\ns3$get_object(Bucket = \"b\", Key = \"k\")\n",
	} {
		for i := range fuzzNames {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		name := fuzzNames[int(kind)%len(fuzzNames)]
		lint.File(name, data)
		res := &infer.Result{}
		infer.File(res, name, data)
		for _, s := range policy.Build(res.Grants()).Statement {
			for _, a := range s.Action {
				if a == "*" || len(a) > 1 && a[len(a)-2:] == ":*" {
					t.Fatalf("wildcard action %q from %q", a, data)
				}
			}
		}
	})
}
