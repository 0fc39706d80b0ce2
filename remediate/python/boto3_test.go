package python

import (
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

var dev = edit.Options{Profile: "dev"}

func TestBoto3(t *testing.T) {
	runCases(t, []rwCase{
		{
			name:  "client on one line",
			in:    "import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>')\n",
			want:  "import boto3\ns3 = boto3.client('s3')\n",
			shape: "boto3.client keyword arguments", noNotes: true,
		},
		{
			name:  "resource keeps the arguments after the keys",
			in:    "import boto3\ns3 = boto3.resource(\"s3\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\", region_name=\"us-east-1\")\n",
			want:  "import boto3\ns3 = boto3.resource(\"s3\", region_name=\"us-east-1\")\n",
			shape: "boto3.resource keyword arguments",
		},
		{
			name: "multi-line call with comments and a trailing comma",
			in: `import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="<KEYID>",  # prod key
    aws_secret_access_key="<SECRET>",
    aws_session_token="<TOKEN>",
    region_name="eu-west-1",  # keep me
)
print(s3.list_buckets())
`,
			want: `import boto3

s3 = boto3.client(
    "s3",
    region_name="eu-west-1",  # keep me
)
print(s3.list_buckets())
`,
		},
		{
			name: "hanging indent without a trailing comma",
			in: `import boto3
s3 = boto3.client('s3',
                  aws_access_key_id='<KEYID>',
                  aws_secret_access_key='<SECRET>')
`,
			want: "import boto3\ns3 = boto3.client('s3')\n",
		},
		{
			name: "two keys on one line of a multi-line call",
			in: `import boto3
s3 = boto3.client(
    "s3", aws_access_key_id="<KEYID>", aws_secret_access_key="<SECRET>",
    region_name="us-east-2",
)
`,
			want: `import boto3
s3 = boto3.client(
    "s3",
    region_name="us-east-2",
)
`,
		},
		{
			name: "a comment line inside the call stays",
			in: `import boto3
session = boto3.Session(
    # credentials of the data account
    aws_access_key_id="<KEYID>",
    aws_secret_access_key="<SECRET>",
)
`,
			want: `import boto3
session = boto3.Session(
    # credentials of the data account
)
`,
			shape: "boto3.Session keyword arguments",
		},
		{
			name: "Session keeps its region",
			in:   "import boto3\nsession = boto3.Session(aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>', region_name='us-east-1')\n",
			want: "import boto3\nsession = boto3.Session(region_name='us-east-1')\n",
		},
		{
			name: "Session with a profile",
			in:   "import boto3\nsession = boto3.Session(aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>', region_name='us-east-1')\n",
			opts: dev,
			want: "import boto3\nsession = boto3.Session(profile_name='dev', region_name='us-east-1')\n",
		},
		{
			name: "multi-line Session with a profile",
			in: `import boto3
session = boto3.session.Session(
    aws_access_key_id="<KEYID>",
    aws_secret_access_key="<SECRET>",  # rotate me
    region_name="us-east-1",
)
`,
			opts: dev,
			want: `import boto3
session = boto3.session.Session(
    profile_name="dev",
    region_name="us-east-1",
)
`,
		},
		{
			name: "a Session already naming a profile gets no second one",
			in:   "import boto3\nsession = boto3.Session(profile_name=\"ops\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts: dev,
			want: "import boto3\nsession = boto3.Session(profile_name=\"ops\")\n",
		},
		{
			name:  "client with a profile",
			in:    "import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>')\n",
			opts:  dev,
			want:  "import boto3\ns3 = boto3.Session(profile_name='dev').client('s3')\n",
			notes: []string{"profile dev: define it in ~/.aws/config"},
		},
		{
			name: "aliased module with a profile",
			in:   "import boto3 as b3\nddb = b3.resource(\"dynamodb\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts: dev,
			want: "import boto3 as b3\nddb = b3.Session(profile_name=\"dev\").resource(\"dynamodb\")\n",
		},
		{
			name: "imported client, boto3 also imported",
			in:   "import boto3\nfrom boto3 import client\ns3 = client(\"s3\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts: dev,
			want: "import boto3\nfrom boto3 import client\ns3 = boto3.Session(profile_name=\"dev\").client(\"s3\")\n",
		},
		{
			name: "imported client and Session",
			in:   "from boto3 import client, Session\ns3 = client(\"s3\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts: dev,
			want: "from boto3 import client, Session\ns3 = Session(profile_name=\"dev\").client(\"s3\")\n",
		},
		{
			name:  "imported client alone: a note names the profile",
			in:    "from boto3 import client\ns3 = client(\"s3\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts:  dev,
			want:  "from boto3 import client\ns3 = client(\"s3\")\n",
			notes: []string{"AWS_PROFILE=dev"},
		},
		{
			name: "imported Session",
			in:   "from boto3.session import Session\nsess = Session(aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			want: "from boto3.session import Session\nsess = Session()\n",
		},
		{
			name:  "setup_default_session",
			in:    "import boto3\nboto3.setup_default_session(aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\", region_name=\"us-west-2\")\n",
			want:  "import boto3\nboto3.setup_default_session(region_name=\"us-west-2\")\n",
			shape: "boto3.setup_default_session",
		},
		{
			name: "setup_default_session with a profile",
			in:   "import boto3\nboto3.setup_default_session(aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts: dev,
			want: "import boto3\nboto3.setup_default_session(profile_name=\"dev\")\n",
		},
		{
			name: "temporary credentials",
			in:   "import boto3\nsts = boto3.client(\"sts\", aws_access_key_id=\"<ASIAID>\", aws_secret_access_key=\"<SECRET>\", aws_session_token=\"<TOKEN>\")\n",
			want: "import boto3\nsts = boto3.client(\"sts\")\n",
		},
		{
			name:  "a session's client",
			in:    "import boto3\nsess = boto3.Session()\ns3 = sess.client(\"s3\", aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\")\n",
			opts:  dev,
			want:  "import boto3\nsess = boto3.Session()\ns3 = sess.client(\"s3\")\n",
			notes: []string{"credentials of sess"},
			shape: "boto3 session client",
		},
		{
			name: "an inline session's client gets the profile",
			in:   "import boto3\ns3 = boto3.Session().client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>')\n",
			opts: dev,
			want: "import boto3\ns3 = boto3.Session(profile_name='dev').client('s3')\n",
		},
		{
			name: "awswrangler boto3_session",
			in: `import awswrangler as wr
import boto3
df = wr.s3.read_parquet(
    path="s3://bucket/table/",
    boto3_session=boto3.Session(aws_access_key_id="<KEYID>", aws_secret_access_key="<SECRET>"),
)
`,
			want: `import awswrangler as wr
import boto3
df = wr.s3.read_parquet(
    path="s3://bucket/table/",
    boto3_session=boto3.Session(),
)
`,
		},
		{
			name: "awswrangler boto3_session with a profile",
			in:   "import awswrangler as wr, boto3\ndf = wr.athena.read_sql_query(sql, database=\"db\", boto3_session=boto3.Session(aws_access_key_id=\"<KEYID>\", aws_secret_access_key=\"<SECRET>\"))\n",
			opts: dev,
			want: "import awswrangler as wr, boto3\ndf = wr.athena.read_sql_query(sql, database=\"db\", boto3_session=boto3.Session(profile_name=\"dev\"))\n",
		},
		{
			name: "SageMaker session",
			in:   "import boto3, sagemaker\nsess = sagemaker.Session(boto_session=boto3.Session(aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>', region_name='us-east-1'))\n",
			opts: dev,
			want: "import boto3, sagemaker\nsess = sagemaker.Session(boto_session=boto3.Session(profile_name='dev', region_name='us-east-1'))\n",
		},
		{
			name: "keys inside a function",
			in: `import boto3


def client():
    return boto3.client(
        "s3",
        aws_access_key_id="<KEYID>",
        aws_secret_access_key="<SECRET>"
    )
`,
			want: `import boto3


def client():
    return boto3.client(
        "s3",
    )
`,
		},
		{
			name: "os.getenv fallbacks",
			in: `import os, boto3
s3 = boto3.client(
    "s3",
    aws_access_key_id=os.getenv("AWS_ACCESS_KEY_ID", "<KEYID>"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "<SECRET>"),
)
`,
			want: `import os, boto3
s3 = boto3.client(
    "s3",
    aws_access_key_id=os.getenv("AWS_ACCESS_KEY_ID"),
    aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
)
`,
			shape: "os.getenv fallback",
		},
		{
			name: "CRLF line endings",
			in:   "import boto3\r\ns3 = boto3.client(\r\n    \"s3\",\r\n    aws_access_key_id=\"<KEYID>\",\r\n    aws_secret_access_key=\"<SECRET>\",\r\n)\r\n",
			want: "import boto3\r\ns3 = boto3.client(\r\n    \"s3\",\r\n)\r\n",
		},
		{
			name:   "positional credentials are left to a person",
			in:     "import boto3\ns3 = boto3.client('s3', 'us-east-1', None, None, True, None, '<KEYID>', '<SECRET>')\n",
			want:   "import boto3\ns3 = boto3.client('s3', 'us-east-1', None, None, True, None, '<KEYID>', '<SECRET>')\n",
			manual: []string{"positional arguments", "positional arguments"},
		},
		{
			name:   "a concatenated key leaves the whole call alone",
			in:     "import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>' + suffix)\n",
			want:   "import boto3\ns3 = boto3.client('s3', aws_access_key_id='<KEYID>', aws_secret_access_key='<SECRET>' + suffix)\n",
			manual: []string{"string concatenation", "string concatenation"},
		},
		{
			name:   "an f-string key",
			in:     "import boto3\ns3 = boto3.client('s3', aws_access_key_id=f'<KEYID>', aws_secret_access_key='<SECRET>')\n",
			want:   "import boto3\ns3 = boto3.client('s3', aws_access_key_id=f'<KEYID>', aws_secret_access_key='<SECRET>')\n",
			manual: []string{"f-string", "f-string"},
		},
		{
			name:   "a key id from a variable: the secret stays with it",
			in:     "import boto3\ns3 = boto3.client('s3', aws_access_key_id=key_id, aws_secret_access_key='<SECRET>')\n",
			want:   "import boto3\ns3 = boto3.client('s3', aws_access_key_id=key_id, aws_secret_access_key='<SECRET>')\n",
			manual: []string{"aws_access_key_id=key_id"},
		},
		{
			name:   "an unknown API is named",
			in:     "client = MyClient(access_key=\"<KEYID>\", secret_key=\"<SECRET>\")\n",
			want:   "client = MyClient(access_key=\"<KEYID>\", secret_key=\"<SECRET>\")\n",
			manual: []string{"MyClient(...) at line 1 is not an API", "MyClient(...)"},
		},
		{
			name:   "a key in another argument of a known call",
			in:     "import boto3\ns3 = boto3.client('s3', endpoint_url='https://<KEYID>.example.com')\n",
			want:   "import boto3\ns3 = boto3.client('s3', endpoint_url='https://<KEYID>.example.com')\n",
			manual: []string{"endpoint_url="},
		},
		{
			name:   "a key in a dict passed with **",
			in:     "import boto3\ncreds = {\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\"}\ns3 = boto3.client(\"s3\", **creds)\n",
			want:   "import boto3\ncreds = {\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\"}\ns3 = boto3.client(\"s3\", **creds)\n",
			manual: []string{"dict assigned to creds", "dict assigned to creds"},
		},
	})
}
