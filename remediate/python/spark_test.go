package python

import (
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

func TestSpark(t *testing.T) {
	runCases(t, []rwCase{
		{
			name: "hadoopConfiguration on Hadoop 3.3",
			in: `sc._jsc.hadoopConfiguration().set("fs.s3a.access.key", "<KEYID>")
sc._jsc.hadoopConfiguration().set("fs.s3a.secret.key", "<SECRET>")
df = spark.read.parquet("s3a://bucket/table/")
`,
			opts: edit.Options{Hadoop: "3.3"},
			want: `sc._jsc.hadoopConfiguration().set("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain")
df = spark.read.parquet("s3a://bucket/table/")
`,
			shape: "S3A credentials set on a Spark/Hadoop configuration", noNotes: true,
		},
		{
			name: "no Hadoop version means 3.3",
			in:   "sc._jsc.hadoopConfiguration().set('fs.s3a.secret.key', '<SECRET>')\n",
			want: "sc._jsc.hadoopConfiguration().set('fs.s3a.aws.credentials.provider', 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain')\n",
		},
		{
			name: "hadoopConfiguration on Hadoop 3.4",
			in: `spark.sparkContext._jsc.hadoopConfiguration().set("fs.s3a.access.key", "<KEYID>")
spark.sparkContext._jsc.hadoopConfiguration().set("fs.s3a.secret.key", "<SECRET>")
`,
			opts: edit.Options{Hadoop: "3.4"},
			want: `spark.sparkContext._jsc.hadoopConfiguration().set("fs.s3a.aws.credentials.provider", "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider")
`,
		},
		{
			name: "a profile on Hadoop 3.3",
			in: `hconf = sc._jsc.hadoopConfiguration()
hconf.set("fs.s3a.access.key", "<KEYID>")
hconf.set("fs.s3a.secret.key", "<SECRET>")
hconf.set("fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")
`,
			opts: edit.Options{Profile: "dev", Hadoop: "3.3"},
			want: `hconf = sc._jsc.hadoopConfiguration()
hconf.set("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.profile.ProfileCredentialsProvider")
hconf.set("fs.s3a.endpoint", "s3.eu-west-1.amazonaws.com")
`,
			notes: []string{"AWS_PROFILE=dev on the driver and on every executor"},
		},
		{
			name: "a profile on Hadoop 3.4 with a session token",
			in: `hconf = sc._jsc.hadoopConfiguration()
hconf.set("fs.s3a.access.key", "<ASIAID>")
hconf.set("fs.s3a.secret.key", "<SECRET>")
hconf.set("fs.s3a.session.token", "<TOKEN>")
`,
			opts:  edit.Options{Profile: "dev", Hadoop: "3.4"},
			want:  "hconf = sc._jsc.hadoopConfiguration()\nhconf.set(\"fs.s3a.aws.credentials.provider\", \"software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider\")\n",
			notes: []string{"AWS_PROFILE=dev"},
		},
		{
			name: "spark.conf with the spark.hadoop prefix",
			in:   "spark.conf.set(\"spark.hadoop.fs.s3a.access.key\", \"<KEYID>\")\nspark.conf.set(\"spark.hadoop.fs.s3a.secret.key\", \"<SECRET>\")\n",
			opts: edit.Options{Hadoop: "3.4.1"},
			want: "spark.conf.set(\"spark.hadoop.fs.s3a.aws.credentials.provider\", \"software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider\")\n",
		},
		{
			name: "a bucket's own keys",
			in:   "hconf.set(\"fs.s3a.bucket.my.data.access.key\", \"<KEYID>\")\nhconf.set(\"fs.s3a.bucket.my.data.secret.key\", \"<SECRET>\")\n",
			want: "hconf.set(\"fs.s3a.bucket.my.data.aws.credentials.provider\", \"com.amazonaws.auth.DefaultAWSCredentialsProviderChain\")\n",
		},
		{
			name: "a bucket whose name holds dots, its provider already set",
			in: `hconf.set("fs.s3a.bucket.logs.example.com.aws.credentials.provider", "com.amazonaws.auth.InstanceProfileCredentialsProvider")
hconf.set("fs.s3a.bucket.logs.example.com.access.key", "<KEYID>")
hconf.set("fs.s3a.bucket.logs.example.com.secret.key", "<SECRET>")
hconf.set("fs.s3a.bucket.raw.data.secret.key", "<SECRET>")
`,
			want: `hconf.set("fs.s3a.bucket.logs.example.com.aws.credentials.provider", "com.amazonaws.auth.InstanceProfileCredentialsProvider")
hconf.set("fs.s3a.bucket.raw.data.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain")
`,
			notes: []string{"already sets fs.s3a.aws.credentials.provider"},
		},
		{
			name: "a builder chain with backslashes",
			in: `from pyspark.sql import SparkSession
spark = SparkSession.builder \
    .appName("etl") \
    .config("spark.hadoop.fs.s3a.access.key", "<KEYID>") \
    .config("spark.hadoop.fs.s3a.secret.key", "<SECRET>") \
    .getOrCreate()
`,
			want: `from pyspark.sql import SparkSession
spark = SparkSession.builder \
    .appName("etl") \
    .config("spark.hadoop.fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain") \
    .getOrCreate()
`,
			shape: "SparkSession builder chain",
		},
		{
			name: "a builder chain in parentheses with comments",
			in: `spark = (
    SparkSession.builder
    .appName("etl")
    .config("spark.hadoop.fs.s3a.access.key", "<KEYID>")  # key
    .config("spark.hadoop.fs.s3a.secret.key", "<SECRET>")  # secret
    # the endpoint stays
    .config("spark.hadoop.fs.s3a.endpoint", "s3.amazonaws.com")
    .getOrCreate()
)
`,
			opts: edit.Options{Hadoop: "3.4"},
			want: `spark = (
    SparkSession.builder
    .appName("etl")
    .config("spark.hadoop.fs.s3a.aws.credentials.provider", "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider")  # key
    # the endpoint stays
    .config("spark.hadoop.fs.s3a.endpoint", "s3.amazonaws.com")
    .getOrCreate()
)
`,
		},
		{
			name: "the last link of a backslash chain",
			in: `conf = SparkConf() \
    .setAppName("etl") \
    .set("spark.hadoop.fs.s3a.access.key", "<KEYID>") \
    .set("spark.hadoop.fs.s3a.secret.key", "<SECRET>")  # done
sc = SparkContext(conf=conf)
`,
			want: `conf = SparkConf() \
    .setAppName("etl") \
    .set("spark.hadoop.fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain")
sc = SparkContext(conf=conf)
`,
			shape: "configuration chain",
		},
		{
			name: "the last link before the closing parenthesis",
			in:   "spark = (SparkSession.builder\n  .config('spark.hadoop.fs.s3a.secret.key', '<SECRET>')\n  .config('spark.hadoop.fs.s3a.access.key', '<KEYID>'))\n",
			want: "spark = (SparkSession.builder\n  .config('spark.hadoop.fs.s3a.aws.credentials.provider', 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain'))\n",
		},
		{
			name: "a link sharing its line with the next one",
			in:   "spark = (SparkSession.builder\n  .config('spark.hadoop.fs.s3a.access.key', '<KEYID>')\n  .config('spark.hadoop.fs.s3a.secret.key', '<SECRET>').getOrCreate())\n",
			want: "spark = (SparkSession.builder\n  .config('spark.hadoop.fs.s3a.aws.credentials.provider', 'com.amazonaws.auth.DefaultAWSCredentialsProviderChain').getOrCreate())\n",
		},
		{
			name: "a one-line builder",
			in:   "spark = SparkSession.builder.config('spark.hadoop.fs.s3a.access.key', '<KEYID>').config('spark.hadoop.fs.s3a.secret.key', '<SECRET>').getOrCreate()\n",
			opts: edit.Options{Profile: "dev", Hadoop: "3.4"},
			want: "spark = SparkSession.builder.config('spark.hadoop.fs.s3a.aws.credentials.provider', 'software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider').getOrCreate()\n",
		},
		{
			name: "a provider already set is not set twice",
			in: `hconf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
hconf.set("fs.s3a.access.key", "<KEYID>")
hconf.set("fs.s3a.secret.key", "<SECRET>")
`,
			want:  "hconf.set(\"fs.s3a.aws.credentials.provider\", \"org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider\")\n",
			notes: []string{"already sets fs.s3a.aws.credentials.provider"},
		},
		{
			name: "keys from constants",
			in: `ACCESS_KEY = "<KEYID>"
SECRET_KEY = "<SECRET>"

hconf = sc._jsc.hadoopConfiguration()
hconf.set("fs.s3a.access.key", ACCESS_KEY)
hconf.set("fs.s3a.secret.key", SECRET_KEY)
`,
			want: `
hconf = sc._jsc.hadoopConfiguration()
hconf.set("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.DefaultAWSCredentialsProviderChain")
`,
		},
		{
			name:  "an unknown Hadoop version",
			in:    "hconf.set(\"fs.s3a.secret.key\", \"<SECRET>\")\n",
			opts:  edit.Options{Hadoop: "latest"},
			want:  "hconf.set(\"fs.s3a.aws.credentials.provider\", \"com.amazonaws.auth.DefaultAWSCredentialsProviderChain\")\n",
			notes: []string{`did not understand the Hadoop version "latest"`},
		},
		{
			name:   "a computed key leaves the chain alone",
			in:     "spark = SparkSession.builder.config(\"spark.hadoop.fs.s3a.access.key\", \"<KEYID>\").config(\"spark.hadoop.fs.s3a.secret.key\", \"<SECRET>\".strip()).getOrCreate()\n",
			want:   "spark = SparkSession.builder.config(\"spark.hadoop.fs.s3a.access.key\", \"<KEYID>\").config(\"spark.hadoop.fs.s3a.secret.key\", \"<SECRET>\".strip()).getOrCreate()\n",
			manual: []string{"string concatenation or a call", "string concatenation or a call"},
		},
	})
}
