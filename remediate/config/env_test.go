package config

import "testing"

func TestEnv(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "keys deleted",
			path: ".env",
			in: `# local settings
AWS_ACCESS_KEY_ID={{fake aws_key_id}}
AWS_SECRET_ACCESS_KEY="{{fake aws_secret}}"
AWS_DEFAULT_REGION=eu-west-1
DEBUG=1
`,
			want: `# local settings
AWS_DEFAULT_REGION=eu-west-1
DEBUG=1
`,
			outcomes: "FF",
			note:     "git rm --cached",
		},
		{
			name: "first key becomes AWS_PROFILE",
			path: "app/.env.local",
			opts: dev,
			in: `AWS_DEFAULT_REGION=eu-west-1
AWS_ACCESS_KEY_ID = {{fake aws_key_id}}
AWS_SECRET_ACCESS_KEY='{{fake aws_secret}}'
AWS_SESSION_TOKEN={{fake aws_token}}
`,
			want: `AWS_DEFAULT_REGION=eu-west-1
AWS_PROFILE=dev
`,
			outcomes: "FFF",
		},
		{
			name: "export prefix is kept",
			path: "prod.env",
			opts: dev,
			in: `export AWS_ACCESS_KEY_ID={{fake aws_key_id}}
export AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
`,
			want: `export AWS_PROFILE=dev
`,
			outcomes: "FF",
		},
		{
			name: "AWS_PROFILE already there",
			path: ".env",
			opts: dev,
			in: `AWS_PROFILE=analytics
AWS_ACCESS_KEY_ID={{fake aws_key_id}}
AWS_SECRET_ACCESS_KEY={{fake aws_secret}}`,
			want: `AWS_PROFILE=analytics
`,
			outcomes: "FF",
		},
		{
			name: "password left to a person, keys fixed",
			path: ".env",
			in: `DB_PASSWORD={{fake db_password}}
AWS_ACCESS_KEY_ID={{fake aws_key_id}}
AWS_SECRET_ACCESS_KEY={{fake aws_secret}}
`,
			want: `DB_PASSWORD={{fake db_password}}
`,
			outcomes: "MFF",
			reason:   ".env.example",
			note:     ".gitignore",
		},
		{
			name:     "key in a variable of the app's own",
			path:     ".Renviron",
			in:       "S3_KEY={{fake aws_key_id}}\n",
			want:     "S3_KEY={{fake aws_key_id}}\n",
			outcomes: "M",
			reason:   "variable of your own",
		},
	})
}
