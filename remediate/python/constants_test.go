package python

import "testing"

// Notebook programs are the Python cells joined with "\n"; the cells here
// are written one after the other with a blank line between them.
func TestConstants(t *testing.T) {
	runCases(t, []rwCase{
		{
			name: "constants in one cell, the client in another",
			in: `AWS_ACCESS_KEY_ID = "<KEYID>"
AWS_SECRET_ACCESS_KEY = "<SECRET>"
AWS_SESSION_TOKEN = "<TOKEN>"

import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id=AWS_ACCESS_KEY_ID,
    aws_secret_access_key=AWS_SECRET_ACCESS_KEY,
    aws_session_token=AWS_SESSION_TOKEN,
)
`,
			want: `
import boto3

s3 = boto3.client(
    "s3",
)
`,
			shape: "boto3.client keyword arguments",
		},
		{
			name: "an %env of the same name is no use of the constant",
			in: `AWS_SECRET_ACCESS_KEY = "<SECRET>"
import boto3
s3 = boto3.client("s3", aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
%env AWS_SECRET_ACCESS_KEY=<SECRET2>
!echo {AWS_REGION} $HOME
`,
			want: `import boto3
s3 = boto3.client("s3")
!echo {AWS_REGION} $HOME
`,
		},
		{
			name: "a constant interpolated into a magic is used",
			in: `SECRET = "<SECRET>"
!aws configure set aws_secret_access_key $SECRET
`,
			want:   "SECRET = \"<SECRET>\"\n!aws configure set aws_secret_access_key $SECRET\n",
			manual: []string{"also used"},
		},
		{
			name: "constants with a profile",
			in: `import boto3
ACCESS_KEY = '<KEYID>'
SECRET_KEY = '<SECRET>'  # from the console
session = boto3.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
`,
			opts: dev,
			want: `import boto3
session = boto3.Session(profile_name='dev')
`,
		},
		{
			name: "a constant used by two calls",
			in: `import boto3
KEY = "<KEYID>"
SECRET = "<SECRET>"
s3 = boto3.client("s3", aws_access_key_id=KEY, aws_secret_access_key=SECRET)
sqs = boto3.client("sqs", aws_access_key_id=KEY, aws_secret_access_key=SECRET)
`,
			want: `import boto3
s3 = boto3.client("s3")
sqs = boto3.client("sqs")
`,
		},
		{
			name:  "an unused constant",
			in:    "import pandas as pd\nAWS_SECRET = \"<SECRET>\"\ndf = pd.read_csv(\"data.csv\")\n",
			want:  "import pandas as pd\ndf = pd.read_csv(\"data.csv\")\n",
			shape: "unused constant",
		},
		{
			name: "an annotated constant",
			in:   "import boto3\nKEY_ID: str = \"<KEYID>\"\nSECRET: str = \"<SECRET>\"\nc = boto3.client(\"s3\", aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)\n",
			want: "import boto3\nc = boto3.client(\"s3\")\n",
		},
		{
			name: "constants feeding os.environ, s3fs and storage_options",
			in: `import os, s3fs
import pandas as pd
KEY = "<KEYID>"
SECRET = "<SECRET>"
os.environ["AWS_ACCESS_KEY_ID"] = KEY
fs = s3fs.S3FileSystem(key=KEY, secret=SECRET)
df = pd.read_csv("s3://bucket/a.csv", storage_options={"key": KEY, "secret": SECRET})
`,
			want: `import os, s3fs
import pandas as pd
fs = s3fs.S3FileSystem()
df = pd.read_csv("s3://bucket/a.csv")
`,
		},
		{
			name: "a constant printed elsewhere is not half edited",
			in: `import boto3
AWS_ACCESS_KEY_ID = "<KEYID>"
AWS_SECRET_ACCESS_KEY = "<SECRET>"
print("using", AWS_ACCESS_KEY_ID)
s3 = boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
`,
			want: `import boto3
AWS_ACCESS_KEY_ID = "<KEYID>"
AWS_SECRET_ACCESS_KEY = "<SECRET>"
print("using", AWS_ACCESS_KEY_ID)
s3 = boto3.client("s3", aws_access_key_id=AWS_ACCESS_KEY_ID, aws_secret_access_key=AWS_SECRET_ACCESS_KEY)
`,
			manual: []string{"constant AWS_ACCESS_KEY_ID is also used at line 4, as an argument of print(...); edit by hand", "AWS_ACCESS_KEY_ID is also used at line 4"},
		},
		{
			name:   "a constant passed to an unknown function",
			in:     "SECRET = \"<SECRET>\"\nconnect(SECRET)\n",
			want:   "SECRET = \"<SECRET>\"\nconnect(SECRET)\n",
			manual: []string{"constant SECRET is also used at line 2"},
		},
		{
			name:   "a constant in an f-string",
			in:     "KEY = \"<KEYID>\"\nprint(f\"key={KEY}\")\n",
			want:   "KEY = \"<KEYID>\"\nprint(f\"key={KEY}\")\n",
			manual: []string{"also used at line 2"},
		},
		{
			name:   "a constant in a magic",
			in:     "SECRET = \"<SECRET>\"\n%env AWS_SECRET_ACCESS_KEY=$SECRET\n",
			want:   "SECRET = \"<SECRET>\"\n%env AWS_SECRET_ACCESS_KEY=$SECRET\n",
			manual: []string{"also used at line 2"},
		},
		{
			name:   "a computed constant",
			in:     "KEY = \"<KEYID>\".strip()\n",
			want:   "KEY = \"<KEYID>\".strip()\n",
			manual: []string{"computed"},
		},
		{
			name:   "a constant assigned again",
			in:     "import boto3\nKEY = \"<KEYID>\"\nKEY = load_key()\nc = boto3.client(\"s3\", aws_access_key_id=KEY)\n",
			want:   "import boto3\nKEY = \"<KEYID>\"\nKEY = load_key()\nc = boto3.client(\"s3\", aws_access_key_id=KEY)\n",
			manual: []string{"also used at line 3"},
		},
		{
			name:   "a constant in an argument rolecall does not remove",
			in:     "import boto3\nKEY = \"<KEYID>\"\nc = boto3.client(\"s3\", endpoint_url=KEY, aws_session_token=\"\")\n",
			want:   "import boto3\nKEY = \"<KEYID>\"\nc = boto3.client(\"s3\", endpoint_url=KEY, aws_session_token=\"\")\n",
			manual: []string{"also used at line 3"},
		},
		{
			name:   "a class attribute read elsewhere",
			in:     "import boto3\nclass Cfg:\n    KEY = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=Cfg.KEY)\n",
			want:   "import boto3\nclass Cfg:\n    KEY = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=Cfg.KEY)\n",
			manual: []string{"also used at line 4"},
		},
		{
			name: "the only statements of a class body",
			in:   "class Cfg:\n    KEY = '<KEYID>'\n    SECRET = '<SECRET>'\n",
			want: "class Cfg:\n    pass\n",
		},
		{
			name: "the only statement of a block",
			in:   "import boto3\nif True:\n    KEY = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=KEY)\n",
			want: "import boto3\nif True:\n    pass\nc = boto3.client(\"s3\")\n",
		},
		{
			name: "a keyword of the same name is not a use",
			in:   "import boto3\naws_access_key_id = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=aws_access_key_id)\n",
			want: "import boto3\nc = boto3.client(\"s3\")\n",
		},
		{
			name:   "a constant feeding a call left to a person",
			in:     "import boto3\nKEY = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=KEY, aws_secret_access_key=\"<SECRET>\" + x)\n",
			want:   "import boto3\nKEY = \"<KEYID>\"\nc = boto3.client(\"s3\", aws_access_key_id=KEY, aws_secret_access_key=\"<SECRET>\" + x)\n",
			manual: []string{"constant KEY feeds boto3.client(...)", "string concatenation"},
		},
	})
}

// Constants that feed an s3 URL through an f-string, or through a value
// derived from them, go with the URL's userinfo.
func TestConstantsInURLs(t *testing.T) {
	runCases(t, []rwCase{
		{
			name: "f-string URL",
			in: `KEY = "<KEYID>"
SECRET = "<SECRET>"
df = spark.read.parquet(f"s3a://{KEY}:{SECRET}@lake/events/")
`,
			want:  "df = spark.read.parquet(f\"s3a://lake/events/\")\n",
			shape: "credentials in an s3 URL",
		},
		{
			name: "a derived value in the URL",
			in: `ACCESS_KEY = "<KEYID>"
SECRET_KEY = "<SECRET>"
ENCODED_SECRET_KEY = SECRET_KEY.replace("/", "%2F")
dbutils.fs.mount(f"s3a://{ACCESS_KEY}:{ENCODED_SECRET_KEY}@{BUCKET}", f"/mnt/{MOUNT}")
`,
			want: `dbutils.fs.mount(f"s3a://{BUCKET}", f"/mnt/{MOUNT}")
`,
		},
		{
			name: "a field expression in the URL",
			in: `KEY = "<KEYID>"
SECRET = "<SECRET>"
path = f"s3a://{KEY}:{SECRET.replace('/', '%2F')}@lake"
`,
			want: "path = f\"s3a://lake\"\n",
		},
		{
			name: "a %-formatted URL is declined with the reason",
			in: `AK = "<KEYID>"
SK = "<SECRET>"
dbutils.fs.mount("s3a://%s:%s@%s" % (AK, SK.replace("/", "%2F"), BUCKET), "/mnt/x")
`,
			want:   "AK = \"<KEYID>\"\nSK = \"<SECRET>\"\ndbutils.fs.mount(\"s3a://%s:%s@%s\" % (AK, SK.replace(\"/\", \"%2F\"), BUCKET), \"/mnt/x\")\n",
			manual: []string{"constant AK is also used at line 3, in a %-formatted string", "constant SK is also used at line 3, in a %-formatted string"},
		},
		{
			name: "a derived value used elsewhere keeps both",
			in: `SECRET = "<SECRET>"
ENC = SECRET.replace("/", "%2F")
print(ENC)
`,
			want:   "SECRET = \"<SECRET>\"\nENC = SECRET.replace(\"/\", \"%2F\")\nprint(ENC)\n",
			manual: []string{"constant SECRET feeds ENC"},
		},
	})
}
