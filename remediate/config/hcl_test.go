package config

import "testing"

func TestTerraform(t *testing.T) {
	aligned := `provider "aws" {
  region     = "eu-west-1"
  access_key = "{{fake aws_key_id}}"
  secret_key = "{{fake aws_secret}}"
}
`
	runCases(t, []rewriteCase{
		{
			name: "provider keys deleted",
			path: "infra/main.tf",
			in:   aligned,
			want: `provider "aws" {
  region     = "eu-west-1"
}
`,
			outcomes: "FF",
			note:     "default credential chain",
		},
		{
			name: "profile aligned with aligned neighbours",
			path: "infra/main.tf",
			opts: dev,
			in:   aligned,
			want: `provider "aws" {
  region     = "eu-west-1"
  profile    = "dev"
}
`,
			outcomes: "FF",
			note:     "profile dev must exist",
		},
		{
			name: "profile not aligned with unaligned neighbours",
			path: "main.tf",
			opts: dev,
			in: `# the provider
provider "aws" {
  alias = "us"
  region = "us-east-1" # N. Virginia
  access_key = "{{fake aws_key_id}}"
  secret_key = "{{fake aws_secret}}"
  token = "{{fake aws_token}}"

  default_tags {
    tags = { team = "data" }
  }
}
`,
			want: `# the provider
provider "aws" {
  alias = "us"
  region = "us-east-1" # N. Virginia
  profile = "dev"

  default_tags {
    tags = { team = "data" }
  }
}
`,
			outcomes: "FFF",
		},
		{
			name: "s3 backend, profile already set",
			path: "backend.tf",
			opts: dev,
			in: `terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket     = "state"
    key        = "prod/terraform.tfstate"
    profile    = "state"
    access_key = "{{fake aws_key_id}}"
    secret_key = "{{fake aws_secret}}"
  }
}
`,
			want: `terraform {
  required_version = ">= 1.5"
  backend "s3" {
    bucket     = "state"
    key        = "prod/terraform.tfstate"
    profile    = "state"
  }
}
`,
			outcomes: "FF",
		},
		{
			name: "other blocks and strings with braces are read past",
			path: "main.tf",
			in: `locals {
  name = "app-${var.env}-{x}"
  doc  = <<-EOT
    provider "aws" { access_key = var.key }
  EOT
}

resource "aws_s3_bucket" "b" {
  bucket = "${local.name}-data" // comment }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "{{fake aws_key_id}}"
  /* block comment { */
  secret_key = "{{fake aws_secret}}"
}
`,
			want: `locals {
  name = "app-${var.env}-{x}"
  doc  = <<-EOT
    provider "aws" { access_key = var.key }
  EOT
}

resource "aws_s3_bucket" "b" {
  bucket = "${local.name}-data" // comment }
}

provider "aws" {
  region     = "eu-west-1"
  /* block comment { */
}
`,
			outcomes: "FF",
		},
		{
			name: "variable default is left to a person",
			path: "variables.tf",
			in: `variable "aws_secret_key" {
  type    = string
  default = "{{fake aws_secret}}"
}
`,
			want: `variable "aws_secret_key" {
  type    = string
  default = "{{fake aws_secret}}"
}
`,
			outcomes: "M",
			reason:   "TF_VAR_aws_secret_key",
		},
		{
			name:     "tfvars is left to a person",
			path:     "prod.tfvars",
			in:       "region = \"eu-west-1\"\naws_secret_key = \"{{fake aws_secret}}\"\n",
			want:     "region = \"eu-west-1\"\naws_secret_key = \"{{fake aws_secret}}\"\n",
			outcomes: "M",
			reason:   "TF_VAR_aws_secret_key",
		},
		{
			name:     "one-line block",
			path:     "main.tf",
			in:       "provider \"aws\" { access_key = \"{{fake aws_key_id}}\" }\n",
			want:     "provider \"aws\" { access_key = \"{{fake aws_key_id}}\" }\n",
			outcomes: "M",
			reason:   "shares its line",
		},
		{
			name: "password of another resource",
			path: "db.tf",
			in: `resource "aws_db_instance" "db" {
  password = "{{fake db_password}}"
}
`,
			want: `resource "aws_db_instance" "db" {
  password = "{{fake db_password}}"
}
`,
			outcomes: "M",
			reason:   "secret store",
		},
	})
}
