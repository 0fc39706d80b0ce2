package infer

import (
	"strings"
	"testing"
)

// Hostile input: deep nesting, unterminated strings, invalid UTF-8 and
// truncations of every corpus case never panic or hang.
func TestHostileInput(t *testing.T) {
	inputs := []struct{ name, text string }{
		{"deep.py", strings.Repeat("f(", 100000)},
		{"deep.R", strings.Repeat("x$y(", 50000)},
		{"str.py", `s3.get_object(Bucket="unterminated`},
		{"bad.py", "\xff\xfe\x00boto3.client(\xc3"},
		{"a.ipynb", `{"cells": [{"cell_type": "code", "source": "boto3.client(`},
		{"x.sh", "aws s3 cp \"s3://b/'k"},
		{"empty.ipynb", ""},
	}
	for _, c := range corpus {
		name, data := corpusFile(c.kind, c.code)
		for _, cut := range []int{len(data) / 3, len(data) / 2, len(data) - 1} {
			inputs = append(inputs, struct{ name, text string }{name, string(data[:cut])})
		}
	}
	for _, in := range inputs {
		File(&Result{}, in.name, []byte(in.text))
	}
}

// A minified file with every call on one line is located with one line
// index, not a scan from the start per call (this took 20 s for 50,000).
func TestOneLongLine(t *testing.T) {
	src := `import boto3; s3 = boto3.client("s3"); ` + strings.Repeat(`s3.get_object(Bucket="b", Key="k"); `, 30000)
	res := &Result{}
	File(res, "min.py", []byte(src))
	if len(res.Uses) != 30000 {
		t.Fatalf("%d uses, want 30000", len(res.Uses))
	}
	if u := res.Uses[len(res.Uses)-1]; u.Site.Line != 1 || u.Resource != "arn:aws:s3:::b/k" {
		t.Errorf("last use %+v", u)
	}
}
