package python

import "testing"

func TestFilesystems(t *testing.T) {
	runCases(t, []rwCase{
		{
			name:  "s3fs keys",
			in:    "import s3fs\nfs = s3fs.S3FileSystem(key=\"<KEYID>\", secret=\"<SECRET>\")\n",
			want:  "import s3fs\nfs = s3fs.S3FileSystem()\n",
			shape: "s3fs.S3FileSystem keyword arguments", noNotes: true,
		},
		{
			name: "s3fs keys with a profile",
			in:   "import s3fs\nfs = s3fs.S3FileSystem(anon=False, key=\"<KEYID>\", secret=\"<SECRET>\", token=\"<TOKEN>\")\n",
			opts: dev,
			want: "import s3fs\nfs = s3fs.S3FileSystem(anon=False, profile=\"dev\")\n",
		},
		{
			name: "imported S3FileSystem over several lines",
			in: `from s3fs import S3FileSystem
fs = S3FileSystem(
    key="<KEYID>",
    secret="<SECRET>",
    use_ssl=True,
)
`,
			want: `from s3fs import S3FileSystem
fs = S3FileSystem(
    use_ssl=True,
)
`,
		},
		{
			name: "client_kwargs entries, the rest kept",
			in:   "import s3fs\nfs = s3fs.S3FileSystem(client_kwargs={\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\", \"region_name\": \"us-east-1\"})\n",
			want: "import s3fs\nfs = s3fs.S3FileSystem(client_kwargs={\"region_name\": \"us-east-1\"})\n",
		},
		{
			name: "client_kwargs entries with a profile",
			in:   "import s3fs\nfs = s3fs.S3FileSystem(client_kwargs={\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\", \"region_name\": \"us-east-1\"})\n",
			opts: dev,
			want: "import s3fs\nfs = s3fs.S3FileSystem(profile=\"dev\", client_kwargs={\"region_name\": \"us-east-1\"})\n",
		},
		{
			name: "an empty client_kwargs goes",
			in: `import s3fs
fs = s3fs.S3FileSystem(
    anon=False,
    client_kwargs={
        'aws_access_key_id': '<KEYID>',
        'aws_secret_access_key': '<SECRET>',
    },
)
`,
			want: `import s3fs
fs = s3fs.S3FileSystem(
    anon=False,
)
`,
		},
		{
			name: "an empty client_kwargs makes way for the profile",
			in:   "import s3fs\nfs = s3fs.S3FileSystem(client_kwargs={'aws_access_key_id': '<KEYID>', 'aws_secret_access_key': '<SECRET>'})\n",
			opts: dev,
			want: "import s3fs\nfs = s3fs.S3FileSystem(profile='dev')\n",
		},
		{
			name:  "fsspec.open",
			in:    "import fsspec\nwith fsspec.open(\"s3://bucket/key.json\", key=\"<KEYID>\", secret=\"<SECRET>\") as f:\n    data = f.read()\n",
			want:  "import fsspec\nwith fsspec.open(\"s3://bucket/key.json\") as f:\n    data = f.read()\n",
			shape: "fsspec.open",
		},
		{
			name:  "pandas storage_options",
			in:    "import pandas as pd\ndf = pd.read_csv(\"s3://bucket/data.csv\", storage_options={\"key\": \"<KEYID>\", \"secret\": \"<SECRET>\", \"token\": \"<TOKEN>\"})\n",
			want:  "import pandas as pd\ndf = pd.read_csv(\"s3://bucket/data.csv\")\n",
			shape: "storage_options entries",
		},
		{
			name: "pandas storage_options with a profile",
			in:   "import pandas as pd\ndf = pd.read_csv(\"s3://bucket/data.csv\", storage_options={\"key\": \"<KEYID>\", \"secret\": \"<SECRET>\"})\n",
			opts: dev,
			want: "import pandas as pd\ndf = pd.read_csv(\"s3://bucket/data.csv\", storage_options={\"profile\": \"dev\"})\n",
		},
		{
			name: "to_parquet keeps other options",
			in: `df.to_parquet(
    "s3://bucket/out.parquet",
    index=False,
    storage_options={
        "key": "<KEYID>",
        "secret": "<SECRET>",
        "client_kwargs": {"endpoint_url": "https://s3.eu-west-1.amazonaws.com"},
    },
)
`,
			want: `df.to_parquet(
    "s3://bucket/out.parquet",
    index=False,
    storage_options={
        "client_kwargs": {"endpoint_url": "https://s3.eu-west-1.amazonaws.com"},
    },
)
`,
		},
		{
			name: "storage_options emptied with its comments",
			in: `import pandas as pd
df = pd.read_csv(
    "s3://bucket/data.csv",
    storage_options={
        "key": "<KEYID>",  # id
        "secret": "<SECRET>",  # secret
    },
    sep=";",
)
`,
			want: `import pandas as pd
df = pd.read_csv(
    "s3://bucket/data.csv",
    sep=";",
)
`,
		},
		{
			name: "a comment of its own keeps storage_options",
			in: `import pandas as pd
df = pd.read_csv(
    "s3://bucket/data.csv",
    storage_options={
        # ask ops for the key
        "key": "<KEYID>",
        "secret": "<SECRET>",
    },
)
`,
			want: `import pandas as pd
df = pd.read_csv(
    "s3://bucket/data.csv",
    storage_options={
        # ask ops for the key
    },
)
`,
		},
		{
			name: "dask with nested client_kwargs",
			in:   "import dask.dataframe as dd\nddf = dd.read_parquet(\"s3://bucket/t/\", storage_options={\"client_kwargs\": {\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\"}})\n",
			want: "import dask.dataframe as dd\nddf = dd.read_parquet(\"s3://bucket/t/\")\n",
		},
		{
			name: "dask with nested client_kwargs and a profile",
			in:   "import dask.dataframe as dd\nddf = dd.read_parquet(\"s3://bucket/t/\", storage_options={\"anon\": False, \"client_kwargs\": {\"aws_access_key_id\": \"<KEYID>\", \"aws_secret_access_key\": \"<SECRET>\"}})\n",
			opts: dev,
			want: "import dask.dataframe as dd\nddf = dd.read_parquet(\"s3://bucket/t/\", storage_options={\"anon\": False, \"profile\": \"dev\"})\n",
		},
		{
			name: "storage_options already naming a profile",
			in:   "import pandas as pd\ndf = pd.read_json(\"s3://b/x.json\", storage_options={\"profile\": \"ops\", \"key\": \"<KEYID>\", \"secret\": \"<SECRET>\"})\n",
			opts: dev,
			want: "import pandas as pd\ndf = pd.read_json(\"s3://b/x.json\", storage_options={\"profile\": \"ops\"})\n",
		},
		{
			name:   "entries rolecall does not know",
			in:     "import polars as pl\ndf = pl.read_parquet(\"s3://b/t.parquet\", storage_options={\"aws_access_key_id\": \"<KEYID>\"})\n",
			want:   "import polars as pl\ndf = pl.read_parquet(\"s3://b/t.parquet\", storage_options={\"aws_access_key_id\": \"<KEYID>\"})\n",
			manual: []string{`"aws_access_key_id" entry`},
		},
		{
			name:   "options in a variable",
			in:     "import pandas as pd\nopts = {\"key\": \"<KEYID>\", \"secret\": \"<SECRET>\"}\ndf = pd.read_csv(\"s3://b/a.csv\", storage_options=opts)\n",
			want:   "import pandas as pd\nopts = {\"key\": \"<KEYID>\", \"secret\": \"<SECRET>\"}\ndf = pd.read_csv(\"s3://b/a.csv\", storage_options=opts)\n",
			manual: []string{"dict assigned to opts", "dict assigned to opts"},
		},
	})
}

func TestURLs(t *testing.T) {
	runCases(t, []rwCase{
		{
			name:  "s3a URL whose secret holds a slash",
			in:    "df = spark.read.parquet(\"s3a://<KEYID>:<SLASHSECRET>@datalake/events/\")\n",
			want:  "df = spark.read.parquet(\"s3a://datalake/events/\")\n",
			shape: "credentials in an s3 URL",
		},
		{
			name:  "s3a URL in a Spark read",
			in:    "df = spark.read.csv(\"s3a://<KEYID>:<SECRET>@my-bucket/path/data.csv\", header=True)\n",
			want:  "df = spark.read.csv(\"s3a://my-bucket/path/data.csv\", header=True)\n",
			shape: "credentials in an s3 URL",
		},
		{
			name: "s3n mount",
			in:   "dbutils.fs.mount('s3n://<KEYID>:<SECRET>@bucket', '/mnt/data')\n",
			want: "dbutils.fs.mount('s3n://bucket', '/mnt/data')\n",
		},
		{
			name: "s3 URL in a constant",
			in:   "import pandas as pd\nURL = \"s3://<KEYID>:<SECRET>@bucket/a.csv\"\ndf = pd.read_csv(URL)\n",
			want: "import pandas as pd\nURL = \"s3://bucket/a.csv\"\ndf = pd.read_csv(URL)\n",
		},
	})
}
