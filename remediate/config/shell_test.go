package config

import (
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

var dev = edit.Options{Profile: "dev"}

func TestShell(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "exports deleted",
			path: "scripts/deploy.sh",
			in: `#!/bin/bash
set -e
export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
export AWS_SECRET_ACCESS_KEY="{{fake aws_secret}}"  # prod
export AWS_DEFAULT_REGION=eu-west-1
aws s3 ls
`,
			want: `#!/bin/bash
set -e
export AWS_DEFAULT_REGION=eu-west-1
aws s3 ls
`,
			outcomes: "FF",
		},
		{
			name: "exports become AWS_PROFILE once",
			path: "scripts/deploy.sh",
			opts: dev,
			in: `export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
export AWS_SECRET_ACCESS_KEY='{{fake aws_secret}}'
export AWS_SESSION_TOKEN={{fake aws_token}}
aws s3 ls
`,
			want: `export AWS_PROFILE=dev
aws s3 ls
`,
			outcomes: "FFF",
		},
		{
			name: "AWS_PROFILE already set is kept",
			path: ".envrc",
			opts: dev,
			in: `export AWS_PROFILE=analytics
export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
`,
			want: `export AWS_PROFILE=analytics
`,
			outcomes: "FF",
		},
		{
			name:     "one export of several variables",
			path:     "env.sh",
			in:       "export AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}} AWS_REGION=eu-west-1\n",
			want:     "export AWS_REGION=eu-west-1\n",
			outcomes: "FF",
		},
		{
			name:     "one export of several variables, profile",
			path:     "env.sh",
			opts:     dev,
			in:       "export AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}} AWS_REGION=eu-west-1\n",
			want:     "export AWS_PROFILE=dev AWS_REGION=eu-west-1\n",
			outcomes: "FF",
		},
		{
			name:     "plain assignment becomes an exported profile",
			path:     "env.zsh",
			opts:     dev,
			in:       "AWS_ACCESS_KEY_ID={{fake aws_key_id}}\nAWS_SECRET_ACCESS_KEY={{fake aws_secret}}\n",
			want:     "export AWS_PROFILE=dev\n",
			outcomes: "FF",
		},
		{
			name:     "inline assignments before aws",
			path:     "run.sh",
			in:       "AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}} aws s3 ls s3://bucket\n",
			want:     "aws s3 ls s3://bucket\n",
			outcomes: "FF",
		},
		{
			name:     "inline assignments before aws, profile flag",
			path:     "run.sh",
			opts:     dev,
			in:       "AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}} aws s3 ls s3://bucket\n",
			want:     "aws s3 ls s3://bucket --profile dev\n",
			outcomes: "FF",
		},
		{
			name:     "inline assignments before another command, profile variable",
			path:     "run.sh",
			opts:     dev,
			in:       "DEBUG=1 AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY=\"{{fake aws_secret}}\" python etl.py --day 1\n",
			want:     "DEBUG=1 AWS_PROFILE=dev python etl.py --day 1\n",
			outcomes: "FF",
		},
		{
			name: "inline assignments over continued lines",
			path: "run.sh",
			in: `AWS_ACCESS_KEY_ID={{fake aws_key_id}} \
  AWS_SECRET_ACCESS_KEY='{{fake aws_secret}}' \
  aws s3 cp report.csv s3://bucket/report.csv
echo done
`,
			want: `aws s3 cp report.csv s3://bucket/report.csv
echo done
`,
			outcomes: "FF",
		},
		{
			name:     "env command with assignments",
			path:     "run.sh",
			in:       "env AWS_ACCESS_KEY_ID={{fake aws_key_id}} AWS_SECRET_ACCESS_KEY={{fake aws_secret}} TZ=UTC python etl.py\n",
			want:     "env TZ=UTC python etl.py\n",
			outcomes: "FF",
		},
		{
			name: "declare -x, and an untargeted key export goes with the secret",
			path: "env.sh",
			in: `declare -x AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
export AWS_ACCESS_KEY_ID="$(vault read -field=id aws/creds/ci)"
export TZ=UTC
`,
			want: `export TZ=UTC
`,
			outcomes: "F",
		},
		{
			name: "aws configure set lines",
			path: "setup.sh",
			in: `aws configure set aws_access_key_id {{fake aws_key_id}} --profile ci
aws configure set aws_secret_access_key "{{fake aws_secret}}" --profile ci
aws configure set region eu-west-1 --profile ci
`,
			want: `aws configure set region eu-west-1 --profile ci
`,
			outcomes: "FF",
			note:     "aws configure sso",
		},
		{
			name:     "aws configure set chained with &&",
			path:     "setup.sh",
			opts:     dev,
			in:       "aws configure set aws_access_key_id {{fake aws_key_id}} && aws configure set aws_secret_access_key {{fake aws_secret}} && aws s3 ls\n",
			want:     "aws s3 ls\n",
			outcomes: "FF",
			note:     "aws configure sso --profile dev",
		},
		{
			name: "bash cell",
			path: "cell.sh",
			in: `%%bash
export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
aws s3 ls | head
`,
			want: `%%bash
aws s3 ls | head
`,
			outcomes: "F",
		},
		{
			name: "here-document is left alone",
			path: "setup.sh",
			in: `mkdir -p ~/.aws
cat > ~/.aws/credentials <<EOF
[default]
aws_access_key_id = {{fake aws_key_id}}
EOF
`,
			want: `mkdir -p ~/.aws
cat > ~/.aws/credentials <<EOF
[default]
aws_access_key_id = {{fake aws_key_id}}
EOF
`,
			outcomes: "M",
			reason:   "here-document",
		},
		{
			name: "deleting would empty a then block",
			path: "setup.sh",
			in: `if [ -z "$CI" ]; then
  export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
  export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
fi
`,
			want: `if [ -z "$CI" ]; then
  export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
  export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
fi
`,
			outcomes: "MM",
			reason:   "empty",
		},
		{
			name: "a block that keeps a command",
			path: "setup.sh",
			in: `if [ -z "$CI" ]; then
  export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
  export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
  echo "local run"
fi
`,
			want: `if [ -z "$CI" ]; then
  echo "local run"
fi
`,
			outcomes: "FF",
		},
		{
			name:     "joined by || is left to a person",
			path:     "setup.sh",
			in:       "aws configure set aws_access_key_id {{fake aws_key_id}} || true\n",
			want:     "aws configure set aws_access_key_id {{fake aws_key_id}} || true\n",
			outcomes: "M",
			reason:   "pipe or `||`",
		},
		{
			name:     "key on a command line",
			path:     "upload.sh",
			in:       "python upload.py --key {{fake aws_key_id}} --bucket b\n",
			want:     "python upload.py --key {{fake aws_key_id}} --bucket b\n",
			outcomes: "M",
			reason:   "command line",
		},
		{
			name:     "other password",
			path:     "db.sh",
			in:       "export PGPASSWORD={{fake db_password}}\npsql -h db -U etl\n",
			want:     "export PGPASSWORD={{fake db_password}}\npsql -h db -U etl\n",
			outcomes: "M",
			reason:   "secret manager",
		},
		{
			name: "quotes, substitutions and comments around the exports",
			path: "env.bash",
			in: `NAME="$(whoami)"  # who ) runs this
echo 'it''s "fine"' ; export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}; echo ok
`,
			want: `NAME="$(whoami)"  # who ) runs this
echo 'it''s "fine"'
echo ok
`,
			outcomes: "FF",
		},
	})
}
