package infer

import (
	"testing"

	"github.com/rolecall/rolecall/iam/policy"
)

// Conditions narrow what a resource alone cannot: the listed prefix, the
// service a role is passed to. Warnings name the call site.
func TestConditionsAndWarnings(t *testing.T) {
	res := &Result{}
	File(res, "job.py", []byte(`import boto3
from sagemaker.estimator import Estimator
s3 = boto3.client("s3")
s3.list_objects_v2(Bucket="bucket-a", Prefix="data/2024/")
s3.list_objects_v2(Bucket="bucket-a")
Estimator(role="arn:aws:iam::111122223333:role/sm", image_uri=i).fit("s3://bucket-a/train/")
s3.get_object(Bucket=b, Key="k")
`))
	cond := func(action, resource string) (policy.Condition, bool) {
		for _, u := range res.Uses {
			if u.Action == action && u.Resource == resource {
				return u.Condition, true
			}
		}
		return nil, false
	}
	var prefixed, bare bool
	for _, u := range res.Uses {
		if u.Action == "s3:ListBucket" {
			if p := u.Condition["StringLike"]["s3:prefix"]; len(p) == 1 && p[0] == "data/2024/*" {
				prefixed = true
			} else if u.Condition == nil {
				bare = true
			}
		}
	}
	if !prefixed || !bare {
		t.Errorf("ListBucket conditions: %+v", res.Uses)
	}
	if c, ok := cond("iam:PassRole", "arn:aws:iam::111122223333:role/sm"); !ok || c["StringEquals"]["iam:PassedToService"][0] != "sagemaker.amazonaws.com" {
		t.Errorf("PassRole: %v %v", c, ok)
	}
	ws := res.Warnings()
	if len(ws) != 1 || ws[0] != "job.py:7: s3.get_object: the bucket is not known here; narrow this Resource by hand" {
		t.Errorf("warnings %q", ws)
	}
	if _, ok := cond("s3:GetObject", "*"); !ok {
		t.Error("unknown bucket not granted on * for its own action")
	}
}
