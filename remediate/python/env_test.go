package python

import (
	"strings"
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

func TestEnviron(t *testing.T) {
	runCases(t, []rwCase{
		{
			name: "os.environ assignments",
			in: `import os
os.environ["AWS_ACCESS_KEY_ID"] = "<KEYID>"
os.environ['AWS_SECRET_ACCESS_KEY'] = '<SECRET>'  # rotate
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
`,
			want: `import os
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
`,
			shape: "os.environ assignment", noNotes: true,
		},
		{
			name: "os.environ assignments with a profile",
			in: `import os
os.environ["AWS_ACCESS_KEY_ID"] = "<KEYID>"
os.environ["AWS_SECRET_ACCESS_KEY"] = "<SECRET>"
`,
			opts: dev,
			want: `import os
os.environ["AWS_PROFILE"] = "dev"
`,
		},
		{
			name: "AWS_PROFILE already set is not set again",
			in: `import os
os.environ["AWS_PROFILE"] = "ops"
os.environ["AWS_ACCESS_KEY_ID"] = "<KEYID>"
os.environ["AWS_SECRET_ACCESS_KEY"] = "<SECRET>"
`,
			opts: dev,
			want: `import os
os.environ["AWS_PROFILE"] = "ops"
`,
		},
		{
			name: "environ imported from os",
			in:   "from os import environ\nenviron['AWS_SESSION_TOKEN'] = '<TOKEN>'\n",
			opts: dev,
			want: "from os import environ\nenviron['AWS_PROFILE'] = 'dev'\n",
		},
		{
			name: "setdefault and putenv",
			in: `import os
os.environ.setdefault("AWS_ACCESS_KEY_ID", "<KEYID>")
os.putenv("AWS_SECRET_ACCESS_KEY", "<SECRET>")
`,
			want:  "import os\n",
			shape: "os.",
		},
		{
			name: "setdefault with a profile",
			in: `import os
os.environ.setdefault("AWS_ACCESS_KEY_ID", "<KEYID>")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "<SECRET>")
`,
			opts: dev,
			want: `import os
os.environ.setdefault("AWS_PROFILE", "dev")
`,
		},
		{
			name: "update with a dict of keys only",
			in: `import os
os.environ.update({
    "AWS_ACCESS_KEY_ID": "<KEYID>",
    "AWS_SECRET_ACCESS_KEY": "<SECRET>",
})
print("ready")
`,
			want:  "import os\nprint(\"ready\")\n",
			shape: "os.environ.update entries",
		},
		{
			name: "update keeps other variables",
			in:   "import os\nos.environ.update({\"AWS_ACCESS_KEY_ID\": \"<KEYID>\", \"AWS_SECRET_ACCESS_KEY\": \"<SECRET>\", \"AWS_DEFAULT_REGION\": \"us-east-1\"})\n",
			want: "import os\nos.environ.update({\"AWS_DEFAULT_REGION\": \"us-east-1\"})\n",
		},
		{
			name: "update with keywords and a profile",
			in:   "import os\nos.environ.update(AWS_ACCESS_KEY_ID=\"<KEYID>\", AWS_SECRET_ACCESS_KEY=\"<SECRET>\", AWS_DEFAULT_REGION=\"us-east-1\")\n",
			opts: dev,
			want: "import os\nos.environ.update(AWS_PROFILE=\"dev\", AWS_DEFAULT_REGION=\"us-east-1\")\n",
		},
		{
			name: "the only statements of a block",
			in: `import os
if not os.environ.get("CI"):
    os.environ["AWS_ACCESS_KEY_ID"] = "<KEYID>"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "<SECRET>"
print("ok")
`,
			want: `import os
if not os.environ.get("CI"):
    pass
print("ok")
`,
		},
		{
			name: "a try body",
			in:   "import os\ntry:\n    os.environ[\"AWS_SECRET_ACCESS_KEY\"] = \"<SECRET>\"\nexcept KeyError:\n    pass\n",
			want: "import os\ntry:\n    pass\nexcept KeyError:\n    pass\n",
		},
		{
			name:   "a variable the SDKs do not read",
			in:     "import os\nos.environ[\"MY_SECRET\"] = \"<SECRET>\"\n",
			want:   "import os\nos.environ[\"MY_SECRET\"] = \"<SECRET>\"\n",
			manual: []string{"$MY_SECRET, which the AWS SDKs do not read"},
		},
		{
			name:   "a getenv fallback for another variable",
			in:     "import os\nkey = os.getenv(\"S3_KEY\", \"<KEYID>\")\n",
			want:   "import os\nkey = os.getenv(\"S3_KEY\", \"<KEYID>\")\n",
			manual: []string{"$S3_KEY"},
		},
		{
			name: "statements sharing a line",
			in:   "import os; os.environ[\"AWS_ACCESS_KEY_ID\"] = \"<KEYID>\"; os.environ[\"AWS_SECRET_ACCESS_KEY\"] = \"<SECRET>\"\n",
			want: "import os\n",
		},
	})
}

func TestMagics(t *testing.T) {
	runCases(t, []rwCase{
		{
			name: "%env in both spellings",
			in: `%env AWS_ACCESS_KEY_ID=<KEYID>
%env AWS_SECRET_ACCESS_KEY <SECRET>
%env AWS_DEFAULT_REGION=us-east-1
import boto3
`,
			want:  "%env AWS_DEFAULT_REGION=us-east-1\nimport boto3\n",
			shape: "%env magic", noNotes: true,
		},
		{
			name: "%env with a profile",
			in:   "%env AWS_ACCESS_KEY_ID=<KEYID>\n%env AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			opts: dev,
			want: "%env AWS_PROFILE=dev\n",
		},
		{
			name: "%set_env with a profile",
			in:   "%set_env AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			opts: dev,
			want: "%set_env AWS_PROFILE=dev\n",
		},
		{
			name: "interpolated values are not keys and stay",
			in:   "%env AWS_ACCESS_KEY_ID=<KEYID>\n%env AWS_SECRET_ACCESS_KEY=$secret\n!aws configure set aws_session_token {token}\n",
			want: "%env AWS_SECRET_ACCESS_KEY=$secret\n!aws configure set aws_session_token {token}\n",
		},
		{
			name: "aws configure set",
			in: `!aws configure set aws_access_key_id <KEYID>
!aws configure set aws_secret_access_key <SECRET> --profile etl
!aws s3 ls
`,
			want:  "!aws s3 ls\n",
			notes: []string{"configure AWS credentials outside the notebook"},
			shape: "!aws configure set",
		},
		{
			name:  "aws configure set with a profile",
			in:    "!aws configure set aws_secret_access_key <SECRET>\n",
			opts:  dev,
			want:  "",
			notes: []string{"aws configure sso --profile dev"},
		},
		{
			name: "!export",
			in:   "!export AWS_ACCESS_KEY_ID=<KEYID> AWS_SECRET_ACCESS_KEY=<SECRET>\n!echo done\n",
			want: "!echo done\n",
		},
		{
			name: "!export with a profile becomes %env",
			in:   "!export AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			opts: dev,
			want: "%env AWS_PROFILE=dev\n",
		},
		{
			name: "!export keeps other variables",
			in:   "!export AWS_DEFAULT_REGION=us-east-1 AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			want: "!export AWS_DEFAULT_REGION=us-east-1\n",
		},
		{
			name:  "variables of one command",
			in:    "!AWS_ACCESS_KEY_ID=<KEYID> AWS_SECRET_ACCESS_KEY=<SECRET> aws s3 ls s3://bucket\n",
			want:  "!aws s3 ls s3://bucket\n",
			shape: "environment of a shell command",
		},
		{
			name: "variables of one command with a profile",
			in:   "!AWS_ACCESS_KEY_ID=<KEYID> AWS_SECRET_ACCESS_KEY=<SECRET> aws s3 ls s3://bucket\n",
			opts: dev,
			want: "!AWS_PROFILE=dev aws s3 ls s3://bucket\n",
		},
		{
			name: "jupytext commented magics",
			in: `# %%
# %env AWS_ACCESS_KEY_ID=<KEYID>
# %env AWS_SECRET_ACCESS_KEY=<SECRET>
import boto3
`,
			want:  "# %%\nimport boto3\n",
			shape: "commented %env magic",
		},
		{
			name: "jupytext commented magic with a profile",
			in:   "# %%\n# %env AWS_SECRET_ACCESS_KEY=<SECRET>\n# !aws configure set aws_access_key_id <KEYID>\n",
			opts: dev,
			want: "# %%\n# %env AWS_PROFILE=dev\n",
		},
		{
			name: "a magic in a block",
			in:   "import os\nif os.path.exists(\"creds\"):\n    %env AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			want: "import os\nif os.path.exists(\"creds\"):\n    pass\n",
		},
		{
			name: "one AWS_PROFILE across os.environ and %env",
			in: `%env AWS_ACCESS_KEY_ID=<KEYID>
import os
os.environ["AWS_SECRET_ACCESS_KEY"] = "<SECRET>"
`,
			opts: dev,
			want: "%env AWS_PROFILE=dev\nimport os\n",
		},
		{
			name:   "output assigned to a variable",
			in:     "out = !aws configure set aws_secret_access_key <SECRET>\n",
			want:   "out = !aws configure set aws_secret_access_key <SECRET>\n",
			manual: []string{"goes to a variable"},
		},
		{
			name:   "a key in another shell command",
			in:     "!curl -u <KEYID>:<SECRET> https://example.com/upload\n",
			want:   "!curl -u <KEYID>:<SECRET> https://example.com/upload\n",
			manual: []string{"shell command", "shell command"},
		},
		{
			name:  "!export joined to a command goes to the shell rewriter",
			in:    "!export AWS_ACCESS_KEY_ID=<KEYID> && aws s3 ls\n!echo done\n",
			want:  "!aws s3 ls\n!echo done\n",
			shape: "shell command: shell export",
		},
		{
			name:  "variables of a piped command go to the shell rewriter",
			in:    "!!AWS_ACCESS_KEY_ID=<KEYID> AWS_SECRET_ACCESS_KEY=<SECRET> aws s3 ls s3://b | head\n",
			want:  "!!aws s3 ls s3://b | head\n",
			shape: "shell command: AWS credentials assigned before a command",
		},
		{
			name:  "a shell line that only sets keys goes whole",
			in:    "import os\n!export AWS_ACCESS_KEY_ID=<KEYID>; export AWS_SECRET_ACCESS_KEY=<SECRET>\nx = 1\n",
			want:  "import os\nx = 1\n",
			shape: "shell command: shell export",
		},
		{
			name: "a shell line in a block keeps the block",
			in:   "if True:\n    !export AWS_SECRET_ACCESS_KEY=<SECRET> && aws s3 ls\n",
			want: "if True:\n    !aws s3 ls\n",
		},
		{
			name:   "the shell rewriter's reason when it declines",
			in:     "!export AWS_SECRET_ACCESS_KEY=<SECRET> | tee log\n",
			want:   "!export AWS_SECRET_ACCESS_KEY=<SECRET> | tee log\n",
			manual: []string{"in the shell command at line 1, and "},
		},
		{
			name:   "a commented shell line stays",
			in:     "# !export AWS_SECRET_ACCESS_KEY=<SECRET> && aws s3 ls\n",
			want:   "# !export AWS_SECRET_ACCESS_KEY=<SECRET> && aws s3 ls\n",
			manual: []string{"does not rewrite"},
		},
		{
			name:   "a variable the SDKs do not read",
			in:     "%env MY_SECRET=<SECRET>\n",
			want:   "%env MY_SECRET=<SECRET>\n",
			manual: []string{"$MY_SECRET"},
		},
	})
}

func TestComments(t *testing.T) {
	runCases(t, []rwCase{
		{
			name:  "a comment line",
			in:    "import boto3\n# old key: <KEYID>\ns3 = boto3.client(\"s3\")\n",
			want:  "import boto3\ns3 = boto3.client(\"s3\")\n",
			shape: "comment",
		},
		{
			name: "a trailing comment",
			in:   "region = \"us-east-1\"  # secret was <SECRET>\n",
			want: "region = \"us-east-1\"\n",
		},
		{
			name: "commented-out code",
			in: `import os
# os.environ["AWS_ACCESS_KEY_ID"] = "<KEYID>"
# os.environ["AWS_SECRET_ACCESS_KEY"] = "<SECRET>"
`,
			want: "import os\n",
		},
		{
			name: "a comment on a deleted argument line",
			in:   "import boto3\ns3 = boto3.client(\n    \"s3\",\n    aws_secret_access_key=\"<SECRET>\",  # pairs with <KEYID>\n)\n",
			want: "import boto3\ns3 = boto3.client(\n    \"s3\",\n)\n",
		},
	})
}

func TestManual(t *testing.T) {
	runCases(t, []rwCase{
		{
			name:   "a password is not an AWS key",
			in:     "db = connect(host=\"db\", password=\"<PASSWORD>\")\n",
			want:   "db = connect(host=\"db\", password=\"<PASSWORD>\")\n",
			manual: []string{"not a password"},
		},
		{
			name:   "a key in a docstring",
			in:     "def f():\n    \"\"\"Uses <KEYID>.\"\"\"\n",
			want:   "def f():\n    \"\"\"Uses <KEYID>.\"\"\"\n",
			manual: []string{"does not recognise the statement"},
		},
		{
			name:   "two calls in one statement are fixed together or not at all",
			in:     "import boto3\na, b = boto3.client(\"s3\", aws_access_key_id=\"<KEYID>\"), boto3.client(\"s3\", aws_access_key_id=\"<KEYID2>\" + x)\n",
			want:   "import boto3\na, b = boto3.client(\"s3\", aws_access_key_id=\"<KEYID>\"), boto3.client(\"s3\", aws_access_key_id=\"<KEYID2>\" + x)\n",
			manual: []string{"string concatenation", "string concatenation"},
		},
		{
			name:   "a Databricks magic cell",
			in:     "# Databricks notebook source\n# MAGIC %sh\n# MAGIC export AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			want:   "# Databricks notebook source\n# MAGIC %sh\n# MAGIC export AWS_SECRET_ACCESS_KEY=<SECRET>\n",
			manual: []string{"Databricks magic cell"},
		},
		{
			name:   "keys in a list",
			in:     "keys = [\"<KEYID>\", \"<SECRET>\"]\n",
			want:   "keys = [\"<KEYID>\", \"<SECRET>\"]\n",
			manual: []string{"in a list", "in a list"},
		},
		{
			name:   "a tuple assignment",
			in:     "key, secret = \"<KEYID>\", \"<SECRET>\"\n",
			want:   "key, secret = \"<KEYID>\", \"<SECRET>\"\n",
			manual: []string{"does not recognise", "does not recognise"},
		},
	})
}

// Code that does not tokenize is not edited: the output could not be
// checked either.
func TestInvalidInput(t *testing.T) {
	in, targets := fill("import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>'\n")
	res := Rewrite([]byte(in), targets, edit.Options{})
	if len(res.Edits) != 0 || len(res.Outcomes) != 1 || res.Outcomes[0].Fixed ||
		!strings.Contains(res.Outcomes[0].Reason, "does not tokenize (line 2: '(' is never closed)") {
		t.Errorf("got %+v", res)
	}
}

func TestOtherKinds(t *testing.T) {
	text := []byte("token = \"abc\"\n")
	res := Rewrite(text, []edit.Target{{Start: 9, End: 12, Kind: edit.Other}}, edit.Options{})
	if len(res.Outcomes) != 1 || res.Outcomes[0].Fixed || res.Outcomes[0].Reason == "" || len(res.Edits) != 0 {
		t.Errorf("got %+v", res)
	}
	if res := Rewrite(text, nil, edit.Options{}); len(res.Edits) != 0 || len(res.Outcomes) != 0 {
		t.Errorf("no targets: got %+v", res)
	}
}
