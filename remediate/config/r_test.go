package config

import "testing"

func TestR(t *testing.T) {
	setenv := `library(aws.s3)
# Sys.setenv(AWS_SECRET_ACCESS_KEY = "old") (a comment with a paren
note <- "a ) in a string"
Sys.setenv(
  AWS_ACCESS_KEY_ID = "{{fake aws_key_id}}",
  "AWS_SECRET_ACCESS_KEY" = "{{fake aws_secret}}",
  AWS_DEFAULT_REGION = "eu-west-1"
)
`
	paws := `svc <- paws::s3(config = list(
  credentials = list(
    creds = list(
      access_key_id = "{{fake aws_key_id}}",
      secret_access_key = "{{fake aws_secret}}"
    )
  ),
  region = "eu-west-1"
))
`
	runCases(t, []rewriteCase{
		{
			name: "Sys.setenv keeps the region",
			path: "analysis/load.R",
			in:   setenv,
			want: `library(aws.s3)
# Sys.setenv(AWS_SECRET_ACCESS_KEY = "old") (a comment with a paren
note <- "a ) in a string"
Sys.setenv(
  AWS_DEFAULT_REGION = "eu-west-1"
)
`,
			outcomes: "FF",
		},
		{
			name: "Sys.setenv with a profile",
			path: "load.r",
			opts: dev,
			in:   setenv,
			want: `library(aws.s3)
# Sys.setenv(AWS_SECRET_ACCESS_KEY = "old") (a comment with a paren
note <- "a ) in a string"
Sys.setenv(
  AWS_PROFILE = "dev",
  AWS_DEFAULT_REGION = "eu-west-1"
)
`,
			outcomes: "FF",
		},
		{
			name:     "Sys.setenv with only keys is dropped",
			path:     "load.R",
			in:       "x <- 1\nSys.setenv(AWS_ACCESS_KEY_ID='{{fake aws_key_id}}', AWS_SECRET_ACCESS_KEY='{{fake aws_secret}}')  # creds\ny <- r\"(raw \" string)\"\n",
			want:     "x <- 1\ny <- r\"(raw \" string)\"\n",
			outcomes: "FF",
		},
		{
			name:     "Sys.setenv with only keys, profile in single quotes",
			path:     "load.R",
			opts:     dev,
			in:       "Sys.setenv(AWS_ACCESS_KEY_ID='{{fake aws_key_id}}', AWS_SECRET_ACCESS_KEY='{{fake aws_secret}}')\n",
			want:     "Sys.setenv(AWS_PROFILE='dev')\n",
			outcomes: "FF",
		},
		{
			name:     "Sys.setenv inside an expression keeps the call",
			path:     "load.R",
			in:       "invisible(Sys.setenv(AWS_SECRET_ACCESS_KEY = \"{{fake aws_secret}}\"))\n",
			want:     "invisible(Sys.setenv())\n",
			outcomes: "F",
		},
		{
			name: "paws creds go, the region stays",
			path: "load.R",
			in:   paws,
			want: `svc <- paws::s3(config = list(
  region = "eu-west-1"
))
`,
			outcomes: "FF",
		},
		{
			name: "paws creds become a profile",
			path: "load.R",
			opts: dev,
			in:   paws,
			want: `svc <- paws::s3(config = list(
  credentials = list(
    profile = "dev"
  ),
  region = "eu-west-1"
))
`,
			outcomes: "FF",
		},
		{
			name:     "paws config left empty goes",
			path:     "load.R",
			in:       "s3 <- paws::s3(config = list(credentials = list(creds = list(access_key_id = \"{{fake aws_key_id}}\", secret_access_key = \"{{fake aws_secret}}\", session_token = \"{{fake aws_token}}\"))))\n",
			want:     "s3 <- paws::s3()\n",
			outcomes: "FFF",
		},
		{
			name: "aws.s3 key and secret arguments",
			path: "load.R",
			opts: dev,
			in: `obj <- aws.s3::get_object("data.csv", bucket = "b",
  key = "{{fake aws_key_id}}", secret = "{{fake aws_secret}}")
`,
			want: `obj <- aws.s3::get_object("data.csv", bucket = "b")
`,
			outcomes: "FF",
			note:     "AWS_PROFILE=dev",
		},
		{
			name:     "key in a variable is left to a person",
			path:     "load.R",
			in:       "key <- \"{{fake aws_key_id}}\"\n",
			want:     "key <- \"{{fake aws_key_id}}\"\n",
			outcomes: "M",
			reason:   "default credential chain",
		},
		{
			name:     "other password",
			path:     "db.R",
			in:       "con <- dbConnect(RPostgres::Postgres(), password = \"{{fake db_password}}\")\n",
			want:     "con <- dbConnect(RPostgres::Postgres(), password = \"{{fake db_password}}\")\n",
			outcomes: "M",
			reason:   "keyring",
		},
	})
}
