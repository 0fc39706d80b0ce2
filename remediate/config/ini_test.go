package config

import "testing"

func TestAWSConfig(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "keys of a profile deleted",
			path: "home/.aws/config",
			in: `[default]
region = eu-west-1

[profile ci]
aws_access_key_id = {{fake aws_key_id}}
aws_secret_access_key = {{fake aws_secret}}
region = us-east-1
s3 =
  max_concurrent_requests = 20
`,
			want: `[default]
region = eu-west-1

[profile ci]
region = us-east-1
s3 =
  max_concurrent_requests = 20
`,
			outcomes: "FF",
			note:     "[profile ci] has no keys now",
		},
		{
			name: "secret inside credential_process is left to a person",
			path: ".aws/config",
			in: `[profile x]
credential_process = fetch --token {{fake token}}
`,
			want: `[profile x]
credential_process = fetch --token {{fake token}}
`,
			outcomes: "M",
			reason:   "credential_process",
		},
		{
			name: "credentials file is never edited",
			path: "ci/.aws/credentials",
			in: `[default]
aws_access_key_id = {{fake aws_key_id}}
aws_secret_access_key = {{fake aws_secret}}
`,
			want: `[default]
aws_access_key_id = {{fake aws_key_id}}
aws_secret_access_key = {{fake aws_secret}}
`,
			outcomes: "MM",
			reason:   "git rm --cached",
		},
	})
}
