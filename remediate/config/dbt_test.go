package config

import "testing"

func TestDBT(t *testing.T) {
	runCases(t, []rewriteCase{
		{
			name: "passwords per output",
			path: "profiles.yml",
			in: `analytics:
  target: dev
  outputs:
    dev:
      type: postgres
      host: localhost
      user: etl
      password: {{fake db_password}}
      port: 5432
    prod:
      type: postgres
      host: db.internal
      user: etl
      pass: "{{fake db_password.2}}"  # rotated monthly
      port: 5432
`,
			want: `analytics:
  target: dev
  outputs:
    dev:
      type: postgres
      host: localhost
      user: etl
      password: "{{ env_var('DBT_ENV_SECRET_DEV_PASSWORD') }}"
      port: 5432
    prod:
      type: postgres
      host: db.internal
      user: etl
      pass: "{{ env_var('DBT_ENV_SECRET_PROD_PASS') }}"  # rotated monthly
      port: 5432
`,
			outcomes: "FF",
			note:     "DBT_ENV_SECRET_DEV_PASSWORD, DBT_ENV_SECRET_PROD_PASS",
		},
		{
			name: "outputs of two profiles share a name",
			path: "dbt/profiles.yml",
			in: `analytics:
  outputs:
    prod:
      type: snowflake
      password: {{fake db_password}}
marketing:
  outputs:
    prod:
      type: snowflake
      password: '{{fake db_password.2}}'
`,
			want: `analytics:
  outputs:
    prod:
      type: snowflake
      password: "{{ env_var('DBT_ENV_SECRET_ANALYTICS_PROD_PASSWORD') }}"
marketing:
  outputs:
    prod:
      type: snowflake
      password: "{{ env_var('DBT_ENV_SECRET_MARKETING_PROD_PASSWORD') }}"
`,
			outcomes: "FF",
		},
		{
			name: "a name already used in the file",
			path: "profiles.yml",
			in: `a:
  outputs:
    prod:
      user: "{{ env_var('DBT_ENV_SECRET_PROD_PASSWORD') }}"
      password: {{fake db_password}}
`,
			want: `a:
  outputs:
    prod:
      user: "{{ env_var('DBT_ENV_SECRET_PROD_PASSWORD') }}"
      password: "{{ env_var('DBT_ENV_SECRET_A_PROD_PASSWORD') }}"
`,
			outcomes: "F",
		},
		{
			name: "athena keys deleted",
			path: "profiles.yml",
			in: `lake:
  target: prod
  outputs:
    prod:
      type: athena
      s3_staging_dir: s3://bucket/tmp/
      region_name: eu-west-1
      aws_access_key_id: {{fake aws_key_id}}
      aws_secret_access_key: {{fake aws_secret}}
      schema: lake
`,
			want: `lake:
  target: prod
  outputs:
    prod:
      type: athena
      s3_staging_dir: s3://bucket/tmp/
      region_name: eu-west-1
      schema: lake
`,
			outcomes: "FF",
		},
		{
			name: "athena keys become aws_profile_name",
			path: "profiles.yml",
			opts: dev,
			in: `lake:
  outputs:
    prod:
      type: athena
      aws_access_key_id: {{fake aws_key_id}}
      aws_secret_access_key: {{fake aws_secret}}
      aws_session_token: {{fake aws_token}}
`,
			want: `lake:
  outputs:
    prod:
      type: athena
      aws_profile_name: dev
`,
			outcomes: "FFF",
			note:     "profile dev",
		},
		{
			name: "secret inside a flow mapping is left to a person",
			path: "profiles.yml",
			in: `a:
  outputs:
    dev: {type: postgres, password: {{fake db_password}}}
`,
			want: `a:
  outputs:
    dev: {type: postgres, password: {{fake db_password}}}
`,
			outcomes: "M",
			reason:   "env_var",
		},
	})
}
