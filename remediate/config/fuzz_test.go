package config

import (
	"sort"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
)

var fuzzKinds = []string{KindShell, KindR, KindEnv, KindTerraform, KindDBT, KindCompose, KindWorkflow,
	KindDockerfile, KindHadoopXML, KindSparkConf, KindAWSConfig}

// FuzzRewriters feeds every rewriter arbitrary text with a target at an
// arbitrary span: no rewriter may panic, and what it returns must keep the
// contract (one outcome per target, applicable edits, a fixed target
// inside an edit, an output that validates when the input did).
func FuzzRewriters(f *testing.F) {
	set := testsecrets.New(1)
	seeds := map[string]string{
		KindShell:      "export AWS_ACCESS_KEY_ID={{fake aws_key_id}}\nA={{fake aws_secret}} aws s3 ls\n",
		KindR:          "Sys.setenv(AWS_SECRET_ACCESS_KEY = \"{{fake aws_secret}}\")\n",
		KindEnv:        "AWS_SECRET_ACCESS_KEY={{fake aws_secret}}\n",
		KindTerraform:  "provider \"aws\" {\n  secret_key = \"{{fake aws_secret}}\"\n}\n",
		KindDBT:        "a:\n  outputs:\n    dev:\n      password: {{fake db_password}}\n",
		KindCompose:    "services:\n  a:\n    environment:\n      - AWS_SECRET_ACCESS_KEY={{fake aws_secret}}\n",
		KindWorkflow:   "jobs:\n  a:\n    env:\n      AWS_SECRET_ACCESS_KEY: {{fake aws_secret}}\n    steps:\n      - run: x\n",
		KindDockerfile: "FROM a\nENV AWS_SECRET_ACCESS_KEY={{fake aws_secret}}\n",
		KindHadoopXML:  "<c><property><name>fs.s3a.secret.key</name><value>{{fake aws_secret}}</value></property></c>\n",
		KindSparkConf:  "spark.hadoop.fs.s3a.secret.key {{fake aws_secret}}\n",
		KindAWSConfig:  "[profile a]\naws_secret_access_key = {{fake aws_secret}}\n",
	}
	for k, kind := range fuzzKinds {
		text, ts := fill(set, seeds[kind])
		f.Add(uint8(k), text, uint16(ts[0].Start), uint16(ts[0].End), false)
		f.Add(uint8(k), text, uint16(ts[0].Start), uint16(ts[0].End), true)
	}
	f.Fuzz(func(t *testing.T, k uint8, text string, start, end uint16, profile bool) {
		kind := fuzzKinds[int(k)%len(fuzzKinds)]
		s, e := int(start), int(end)
		if s > len(text) || e > len(text) || s >= e {
			return
		}
		opts := edit.Options{Hadoop: "3.4"}
		if profile {
			opts.Profile = "dev"
		}
		targets := []edit.Target{{Start: s, End: e, Secret: text[s:e], Kind: edit.SecretAccessKey}}
		// A slice with no spare capacity, so that reading past the end
		// panics instead of reading whatever the allocator left there.
		data := []byte(text)
		data = data[:len(data):len(data)]
		res := ByKind(kind)(data, targets, opts)
		if len(res.Outcomes) != 1 || res.Outcomes[0].Target != 0 {
			t.Fatalf("outcomes %+v", res.Outcomes)
		}
		o := res.Outcomes[0]
		if o.Fixed == (o.Reason != "") {
			t.Fatalf("outcome %+v", o)
		}
		out, err := edit.Apply([]byte(text), res.Edits)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		es := append([]edit.Edit(nil), res.Edits...)
		sort.Slice(es, func(i, j int) bool { return es[i].Start < es[j].Start })
		covered := false
		for _, ed := range es {
			covered = covered || ed.Start <= s && e <= ed.End
		}
		if o.Fixed != covered {
			t.Fatalf("fixed=%v but covered=%v", o.Fixed, covered)
		}
		if Validate(kind, []byte(text)) == nil {
			if err := Validate(kind, out); err != nil {
				t.Fatalf("output does not validate: %v\n%q", err, out)
			}
		}
	})
}
