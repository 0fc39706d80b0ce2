package jvm

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/remediate/edit/edittest"
)

var fakes = testsecrets.New(1313)

var placeholders = []edittest.Placeholder{
	{Mark: "<KEYID>", Name: "aws_key_id", Kind: edit.AccessKeyID},
	{Mark: "<SECRET>", Name: "aws_secret", Kind: edit.SecretAccessKey},
	{Mark: "<TOKEN>", Name: "aws_token", Kind: edit.SessionToken},
	{Mark: "<PAT>", Name: "github_pat", Kind: edit.Other},
}

func fill(tmpl string) (string, []edit.Target) {
	return edittest.Fill(fakes, placeholders, tmpl, fakes.Get("aws_key_id"))
}

const (
	v1 = "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"
	v2 = "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
)

func TestRewrite(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		opts   edit.Options
		want   string
		manual []string // per target: "" fixed, else a substring of the reason
		notes  []string
	}{
		{
			name: "Scala hadoopConfiguration",
			in: `val sc = spark.sparkContext
sc.hadoopConfiguration.set("fs.s3a.access.key", "<KEYID>")
sc.hadoopConfiguration.set("fs.s3a.secret.key", "<SECRET>")
val df = spark.read.parquet("s3a://lake/events/")
`,
			want: `val sc = spark.sparkContext
sc.hadoopConfiguration.set("fs.s3a.aws.credentials.provider", "` + v1 + `")
val df = spark.read.parquet("s3a://lake/events/")
`,
		},
		{
			name: "Java statements on Hadoop 3.4 with a session token",
			in: `class Job {
  void run(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs.s3a.access.key", "<KEYID>");
    spark.sparkContext().hadoopConfiguration().set("fs.s3a.secret.key", "<SECRET>"); // team key
    spark.sparkContext().hadoopConfiguration().set("fs.s3a.session.token", "<TOKEN>");
  }
}
`,
			opts: edit.Options{Hadoop: "3.4"},
			want: `class Job {
  void run(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs.s3a.aws.credentials.provider", "` + v2 + `");
  }
}
`,
		},
		{
			name: "SparkSession builder chain",
			in: `val spark = SparkSession.builder
  .appName("etl")
  .config("spark.hadoop.fs.s3a.access.key", "<KEYID>")
  .config("spark.hadoop.fs.s3a.secret.key", "<SECRET>")
  .getOrCreate()
`,
			want: `val spark = SparkSession.builder
  .appName("etl")
  .config("spark.hadoop.fs.s3a.aws.credentials.provider", "` + v1 + `")
  .getOrCreate()
`,
		},
		{
			name:  "one line chain, a profile",
			in:    `val conf = new SparkConf().set("spark.hadoop.fs.s3a.secret.key", "<SECRET>").set("spark.hadoop.fs.s3a.access.key", "<KEYID>").setAppName("x")` + "\n",
			opts:  edit.Options{Profile: "analytics"},
			want:  `val conf = new SparkConf().set("spark.hadoop.fs.s3a.aws.credentials.provider", "com.amazonaws.auth.profile.ProfileCredentialsProvider").setAppName("x")` + "\n",
			notes: []string{"AWS_PROFILE=analytics"},
		},
		{
			name: "constants that feed only the settings go",
			in: `object Load {
  val AccessKey = "<KEYID>"
  private val SecretKey: String = "<SECRET>"
  def main(args: Array[String]): Unit = {
    val hc = spark.sparkContext.hadoopConfiguration
    hc.set("fs.s3a.access.key", AccessKey)
    hc.set("fs.s3a.secret.key", SecretKey)
  }
}
`,
			want: `object Load {
  def main(args: Array[String]): Unit = {
    val hc = spark.sparkContext.hadoopConfiguration
    hc.set("fs.s3a.aws.credentials.provider", "` + v1 + `")
  }
}
`,
		},
		{
			name: "a constant used elsewhere stays, with the reason",
			in: `final String KEY = "<KEYID>";
hc.set("fs.s3a.access.key", KEY);
log.info("using " + KEY);
`,
			want: `final String KEY = "<KEYID>";
hc.set("fs.s3a.access.key", KEY);
log.info("using " + KEY);
`,
			manual: []string{"constant KEY is also used at line 3"},
		},
		{
			name: "per-bucket scope, an s3a URL and a comment",
			in: `// old key <KEYID>
hc.set("fs.s3a.bucket.lake.secret.key", "<SECRET>")
val p = "s3a://<KEYID>:<SECRET>@lake/x"
`,
			want: `hc.set("fs.s3a.bucket.lake.aws.credentials.provider", "` + v1 + `")
val p = "s3a://lake/x"
`,
		},
		{
			name: "a setting inside an expression is declined",
			in: `if (prod) hc.set("fs.s3a.access.key", "<KEYID>") else hc.set("fs.s3a.secret.key", "<SECRET>")
`,
			want: `if (prod) hc.set("fs.s3a.access.key", "<KEYID>") else hc.set("fs.s3a.secret.key", "<SECRET>")
`,
			manual: []string{"part of a larger expression", "part of a larger expression"},
		},
		{
			name:   "other tokens and unknown places",
			in:     "val gh = \"<PAT>\"\nclient.login(\"<KEYID>\")\n",
			want:   "val gh = \"<PAT>\"\nclient.login(\"<KEYID>\")\n",
			manual: []string{"not a credential", "not in a Spark/Hadoop fs.s3a setting"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, targets := fill(c.in)
			want, _ := fill(c.want)
			res := Rewrite([]byte(in), targets, c.opts)
			if len(res.Outcomes) != len(targets) {
				t.Fatalf("%d outcomes for %d targets", len(res.Outcomes), len(targets))
			}
			for i, o := range res.Outcomes {
				m := ""
				if c.manual != nil {
					m = c.manual[i]
				}
				switch {
				case m == "" && !o.Fixed:
					t.Errorf("target %d not fixed: %s", i, o.Reason)
				case m != "" && o.Fixed:
					t.Errorf("target %d fixed (%s), want %q", i, o.Shape, m)
				case m != "" && !strings.Contains(o.Reason, m):
					t.Errorf("target %d: reason %q, want %q", i, o.Reason, m)
				}
			}
			out, err := edit.Apply([]byte(in), res.Edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != want {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
			if err := Validate(out); err != nil {
				t.Errorf("output does not validate: %v", err)
			}
			edittest.CheckEditsOnChangedLines(t, c.name, in, want, res.Edits)
			for _, n := range c.notes {
				if !strings.Contains(strings.Join(res.Notes, "\n"), n) {
					t.Errorf("no note with %q: %q", n, res.Notes)
				}
			}
			// A second run has nothing left to do.
			var again []edit.Target
			for _, tg := range targets {
				if k := bytes.Index(out, []byte(tg.Secret)); k >= 0 && tg.Kind.IsAWS() {
					again = append(again, edit.Target{Start: k, End: k + len(tg.Secret), Secret: tg.Secret, Kind: tg.Kind})
				}
			}
			if r2 := Rewrite(out, again, c.opts); c.manual == nil && len(r2.Edits) > 0 {
				t.Errorf("second run edits again: %+v", r2.Edits)
			}
		})
	}
}

func TestTokenizeAndValidate(t *testing.T) {
	for _, ok := range []string{
		"val s = \"\"\"a \"quoted\" \"\"\"\"\nval c = '\\n'\n/* a /* nested */ comment */ f(s\"$x\")\n",
		"String s = \"a\\\"b\"; // c\r\nint[] a = {1, 2};\n",
		"val sym = 'foo\n",
	} {
		if err := Validate([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
		toks, _ := tokenize([]byte(ok))
		var b strings.Builder
		for _, tk := range toks {
			b.WriteString(ok[tk.start:tk.end])
		}
		if b.String() != ok {
			t.Errorf("tokens do not cover %q", ok)
		}
	}
	for _, bad := range []string{"val s = \"open\n", "/* open", "f(a", "f(a]", "val s = \"\"\"open"} {
		if err := Validate([]byte(bad)); err == nil {
			t.Errorf("%q validated", bad)
		}
	}
}

// Every input is hostile: the rewriter never panics, and what it plans
// always applies.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`hc.set("fs.s3a.access.key", "KEY")`,
		"val k = \"KEY\"\nconf.set(\"spark.hadoop.fs.s3a.secret.key\", k)\n",
		"b\n  .config(\"fs.s3a.bucket.x.access.key\", \"KEY\")\n  .getOrCreate()",
		"/* \"KEY\" */ s\"$KEY\" '\\u0041' \"\"\"KEY\"\"\"",
		"if (x) a.set(\"fs.s3a.access.key\", \"KEY\") else b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		var targets []edit.Target
		for from := 0; ; {
			k := strings.Index(src[from:], "KEY")
			if k < 0 {
				break
			}
			targets = append(targets, edit.Target{Start: from + k, End: from + k + 3, Secret: "KEY", Kind: edit.AccessKeyID})
			from += k + 3
		}
		res := Rewrite([]byte(src), targets, edit.Options{})
		if len(res.Outcomes) != len(targets) {
			t.Fatalf("%d outcomes for %d targets", len(res.Outcomes), len(targets))
		}
		if _, err := edit.Apply([]byte(src), res.Edits); err != nil {
			t.Fatalf("edits do not apply: %v", err)
		}
	})
}
