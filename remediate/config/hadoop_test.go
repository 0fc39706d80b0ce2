package config

import (
	"testing"

	"github.com/rolecall/rolecall/remediate/edit"
)

func TestHadoopXML(t *testing.T) {
	site := `<?xml version="1.0"?>
<configuration>
  <!-- <property><name>fs.s3a.access.key</name><value>${S3A_KEY}</value></property> -->
  <property>
    <name>fs.s3a.access.key</name>
    <value>{{fake aws_key_id}}</value>
    <description>the key id</description>
  </property>
  <property>
    <name>fs.s3a.secret.key</name>
    <value>{{fake aws_secret}}</value>
  </property>
  <property>
    <name>fs.s3a.endpoint</name>
    <value>s3.eu-west-1.amazonaws.com</value>
  </property>
</configuration>
`
	fixed := func(class string) string {
		return `<?xml version="1.0"?>
<configuration>
  <!-- <property><name>fs.s3a.access.key</name><value>${S3A_KEY}</value></property> -->
  <property>
    <name>fs.s3a.aws.credentials.provider</name>
    <value>` + class + `</value>
  </property>
  <property>
    <name>fs.s3a.endpoint</name>
    <value>s3.eu-west-1.amazonaws.com</value>
  </property>
</configuration>
`
	}
	runCases(t, []rewriteCase{
		{
			name:     "Hadoop 3.3 default chain",
			path:     "conf/core-site.xml",
			in:       site,
			want:     fixed("com.amazonaws.auth.DefaultAWSCredentialsProviderChain"),
			outcomes: "FF",
		},
		{
			name:     "Hadoop 3.4 default chain",
			path:     "conf/core-site.xml",
			opts:     edit.Options{Hadoop: "3.4"},
			in:       site,
			want:     fixed("software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"),
			outcomes: "FF",
		},
		{
			name:     "Hadoop 3.3 profile",
			path:     "core-site.xml",
			opts:     edit.Options{Profile: "dev", Hadoop: "3.3"},
			in:       site,
			want:     fixed("com.amazonaws.auth.profile.ProfileCredentialsProvider"),
			outcomes: "FF",
			note:     "name the section [dev]",
		},
		{
			name:     "Hadoop 3.4 profile",
			path:     "hdfs-site.xml",
			opts:     edit.Options{Profile: "dev", Hadoop: "3.4"},
			in:       site,
			want:     fixed("software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider"),
			outcomes: "FF",
			note:     "AWS_PROFILE=dev on every node",
		},
		{
			name: "provider already set, one-line properties",
			path: "core-site.xml",
			in: "<configuration>\n" +
				"<property><name>fs.s3a.aws.credentials.provider</name><value>org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider</value></property>\n" +
				"<property><name>fs.s3a.access.key</name><value>{{fake aws_key_id}}</value></property>\n" +
				"<property><name>fs.s3a.secret.key</name><value>{{fake aws_secret}}</value></property>\n" +
				"</configuration>\n",
			want: "<configuration>\n" +
				"<property><name>fs.s3a.aws.credentials.provider</name><value>org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider</value></property>\n" +
				"</configuration>\n",
			outcomes: "FF",
		},
		{
			name: "per-bucket keys get a per-bucket provider",
			path: "core-site.xml",
			in: `<configuration>
  <property><name>fs.s3a.bucket.logs.access.key</name><value>{{fake aws_key_id}}</value></property>
  <property><name>fs.s3a.bucket.logs.secret.key</name><value>{{fake aws_secret}}</value></property>
</configuration>
`,
			want: `<configuration>
  <property><name>fs.s3a.bucket.logs.aws.credentials.provider</name><value>com.amazonaws.auth.DefaultAWSCredentialsProviderChain</value></property>
</configuration>
`,
			outcomes: "FF",
		},
		{
			name: "non-AWS endpoint is left to a person",
			path: "core-site.xml",
			in: `<configuration>
  <property><name>fs.s3a.endpoint</name><value>http://minio:9000</value></property>
  <property><name>fs.s3a.access.key</name><value>{{fake db_password}}</value></property>
</configuration>
`,
			want: `<configuration>
  <property><name>fs.s3a.endpoint</name><value>http://minio:9000</value></property>
  <property><name>fs.s3a.access.key</name><value>{{fake db_password}}</value></property>
</configuration>
`,
			outcomes: "M",
			reason:   "not AWS",
		},
		{
			name: "other password is left to a person",
			path: "hive-site.xml",
			in: `<configuration>
  <property>
    <name>javax.jdo.option.ConnectionPassword</name>
    <value>{{fake db_password}}</value>
  </property>
</configuration>
`,
			want: `<configuration>
  <property>
    <name>javax.jdo.option.ConnectionPassword</name>
    <value>{{fake db_password}}</value>
  </property>
</configuration>
`,
			outcomes: "M",
			reason:   "jceks",
		},
	})
}

func TestSparkConf(t *testing.T) {
	conf := `spark.master                     yarn
# S3 access
spark.hadoop.fs.s3a.access.key   {{fake aws_key_id}}
spark.hadoop.fs.s3a.secret.key   {{fake aws_secret}}
spark.executor.memory            4g
`
	runCases(t, []rewriteCase{
		{
			name: "keys become the default provider",
			path: "conf/spark-defaults.conf",
			in:   conf,
			want: `spark.master                     yarn
# S3 access
spark.hadoop.fs.s3a.aws.credentials.provider   com.amazonaws.auth.DefaultAWSCredentialsProviderChain
spark.executor.memory            4g
`,
			outcomes: "FF",
		},
		{
			name: "Hadoop 3.4 profile",
			path: "spark-defaults.conf",
			opts: edit.Options{Profile: "dev", Hadoop: "3.4"},
			in:   conf,
			want: `spark.master                     yarn
# S3 access
spark.hadoop.fs.s3a.aws.credentials.provider   software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider
spark.executor.memory            4g
`,
			outcomes: "FF",
			note:     "spark.executorEnv.AWS_PROFILE",
		},
		{
			name: "provider already set, = separator",
			path: "spark-defaults.conf",
			in: `spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.InstanceProfileCredentialsProvider
spark.hadoop.fs.s3a.access.key={{fake aws_key_id}}
spark.hadoop.fs.s3a.secret.key={{fake aws_secret}}
spark.hadoop.fs.s3a.session.token={{fake aws_token}}
`,
			want: `spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.InstanceProfileCredentialsProvider
`,
			outcomes: "FFF",
		},
	})
}

// Bucket names may hold dots: a per-bucket option is known by its ending.
func TestS3AProperty(t *testing.T) {
	for _, c := range []struct {
		name   string
		cred   bool
		prefix string
		scope  string
		option string
	}{
		{"fs.s3a.access.key", true, "", "", "access.key"},
		{"spark.hadoop.fs.s3a.aws.credentials.provider", false, "spark.hadoop.", "", "aws.credentials.provider"},
		{"fs.s3a.bucket.lake.secret.key", true, "", "bucket.lake", "secret.key"},
		{"fs.s3a.bucket.logs.example.com.aws.credentials.provider", false, "", "bucket.logs.example.com", "aws.credentials.provider"},
		{"spark.hadoop.fs.s3a.bucket.a.b.session.token", true, "spark.hadoop.", "bucket.a.b", "session.token"},
		{"fs.s3a.bucket.my.secret.key.data.access.key", true, "", "bucket.my.secret.key.data", "access.key"},
		{"fs.s3a.bucket.lake.endpoint.region", false, "", "bucket.lake", "endpoint.region"},
		{"fs.s3a.bucket.lake.connection.maximum", false, "", "bucket.lake", "connection.maximum"},
	} {
		prefix, scope, option, ok := S3AProperty(c.name)
		if !ok || prefix != c.prefix || scope != c.scope || option != c.option {
			t.Errorf("%s: %q %q %q %v, want %q %q %q", c.name, prefix, scope, option, ok, c.prefix, c.scope, c.option)
		}
		if s, cred := s3aCredential(c.name[len(c.prefix):]); cred != c.cred || cred && s != c.scope {
			t.Errorf("%s: s3aCredential gives %q %v", c.name, s, cred)
		}
	}
	if _, _, _, ok := S3AProperty("fs.s3.access.key"); ok {
		t.Error("fs.s3.access.key read as an S3A property")
	}
}
