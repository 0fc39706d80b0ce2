package infer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

// corpus is the table of call sites the inference is measured on: each
// case is a small program (or notebook) and the (action, resource) pairs
// its AWS calls need, written from the AWS documentation, not from the
// program's output. Some cases are beyond the inference on purpose
// (computed paths), so the measured recall is honest.
var corpus = []struct {
	name string
	kind string // py, r, sh, nb (Python kernel), nbr (R kernel); nb cells are split at "# ---"
	code string
	want string // one "action resource" pair per line
}{
	{"boto3 get_object", "py", `import boto3
s3 = boto3.client("s3")
s3.get_object(Bucket="bucket-a", Key="data/x.csv")`, "s3:GetObject arn:aws:s3:::bucket-a/data/x.csv"},
	{"constant bucket", "py", `import boto3
BUCKET = "bucket-a"
boto3.client("s3").put_object(Bucket=BUCKET, Key="out/y.json", Body=b)`, "s3:PutObject arn:aws:s3:::bucket-a/out/y.json"},
	{"upload_file positional", "py", `import boto3
s3 = boto3.client('s3')
s3.upload_file("local.csv", "bucket-a", "in/local.csv")`, "s3:PutObject arn:aws:s3:::bucket-a/in/local.csv\ns3:AbortMultipartUpload arn:aws:s3:::bucket-a/in/local.csv"},
	{"download_file", "py", `import boto3
boto3.client("s3").download_file("bucket-a", "models/m.pkl", "/tmp/m.pkl")`, "s3:GetObject arn:aws:s3:::bucket-a/models/m.pkl"},
	{"f-string key", "py", `import boto3
s3 = boto3.client("s3")
s3.put_object(Bucket="bucket-a", Key=f"runs/{run_id}/metrics.json", Body=b)`, "s3:PutObject arn:aws:s3:::bucket-a/runs/*"},
	{"concatenated key", "py", `import boto3
s3 = boto3.client("s3")
PREFIX = "exports/"
s3.get_object(Bucket="bucket-a", Key=PREFIX + name)`, "s3:GetObject arn:aws:s3:::bucket-a/exports/*"},
	{"list prefix", "py", `import boto3
s3 = boto3.client("s3")
s3.list_objects_v2(Bucket="bucket-a", Prefix="data/2024/")`, "s3:ListBucket arn:aws:s3:::bucket-a"},
	{"paginator", "py", `import boto3
s3 = boto3.client("s3")
p = s3.get_paginator("list_objects_v2")
for page in p.paginate(Bucket="bucket-b"):
    pass`, "s3:ListBucket arn:aws:s3:::bucket-b"},
	{"waiter", "py", `import boto3
s3 = boto3.client("s3")
s3.get_waiter("object_exists").wait(Bucket="bucket-b", Key="done.flag")`, "s3:GetObject arn:aws:s3:::bucket-b/done.flag"},
	{"resource bucket download", "py", `import boto3
b = boto3.resource("s3").Bucket("bucket-c")
b.download_file("a/b.txt", "b.txt")`, "s3:GetObject arn:aws:s3:::bucket-c/a/b.txt"},
	{"resource object get", "py", `import boto3
s3 = boto3.resource("s3")
s3.Object("bucket-c", "cfg.yaml").get()`, "s3:GetObject arn:aws:s3:::bucket-c/cfg.yaml"},
	{"resource objects filter", "py", `import boto3
bucket = boto3.resource("s3").Bucket("bucket-c")
for o in bucket.objects.filter(Prefix="logs/"):
    pass`, "s3:ListBucket arn:aws:s3:::bucket-c"},
	{"session client", "py", `import boto3
session = boto3.Session(region_name="eu-west-1")
session.client("s3").delete_object(Bucket="bucket-d", Key="tmp/x")`, "s3:DeleteObject arn:aws:s3:::bucket-d/tmp/x"},
	{"client kept on self", "py", `import boto3
class Loader:
    def __init__(self):
        self.s3 = boto3.client("s3")
        self.bucket = "bucket-d"
    def load(self):
        return self.s3.get_object(Bucket=self.bucket, Key="state.json")`, "s3:GetObject arn:aws:s3:::bucket-d/state.json"},
	{"bucket from a parameter", "py", `import boto3
def load(bucket):
    return boto3.client("s3").get_object(Bucket=bucket, Key="k")`, "s3:GetObject *"},
	{"path built by os.path.join", "py", `import pandas as pd, os
df = pd.read_csv(os.path.join("s3://bucket-e", "a.csv"))`, "s3:GetObject arn:aws:s3:::bucket-e/a.csv"},
	{"pandas read_csv", "py", `import pandas as pd
df = pd.read_csv("s3://bucket-e/raw/a.csv")`, "s3:GetObject arn:aws:s3:::bucket-e/raw/a.csv"},
	{"pandas to_parquet", "py", `import pandas as pd
df.to_parquet("s3://bucket-e/clean/a.parquet")`, "s3:PutObject arn:aws:s3:::bucket-e/clean/a.parquet"},
	{"f-string of a constant", "py", `import pandas as pd
BUCKET = "bucket-e"
df.to_csv(f"s3://{BUCKET}/out/{day}.csv")`, "s3:PutObject arn:aws:s3:::bucket-e/out/*"},
	{"pandas f-string path", "py", `import pandas as pd
df = pd.read_parquet(f"s3://bucket-e/day={day}/part.parquet")`, "s3:GetObject arn:aws:s3:::bucket-e/day=*"},
	{"dask read", "py", `import dask.dataframe as dd
ddf = dd.read_parquet("s3://bucket-f/events/")`, "s3:GetObject arn:aws:s3:::bucket-f/events/*\ns3:ListBucket arn:aws:s3:::bucket-f"},
	{"polars read", "py", `import polars as pl
df = pl.read_csv("s3://bucket-f/p.csv")`, "s3:GetObject arn:aws:s3:::bucket-f/p.csv"},
	{"s3fs open read", "py", `import s3fs
fs = s3fs.S3FileSystem()
with fs.open("bucket-g/a.txt", "rb") as f:
    pass`, "s3:GetObject arn:aws:s3:::bucket-g/a.txt"},
	{"s3fs open write", "py", `import s3fs
fs = s3fs.S3FileSystem(anon=False)
with fs.open("s3://bucket-g/out.txt", "w") as f:
    pass`, "s3:PutObject arn:aws:s3:::bucket-g/out.txt"},
	{"s3fs ls", "py", `import s3fs
fs = s3fs.S3FileSystem()
fs.ls("bucket-g/dir/")`, "s3:ListBucket arn:aws:s3:::bucket-g"},
	{"s3fs glob", "py", `import s3fs
fs = s3fs.S3FileSystem()
fs.glob("s3://bucket-g/logs/*.json")`, "s3:ListBucket arn:aws:s3:::bucket-g"},
	{"s3fs get", "py", `import s3fs
fs = s3fs.S3FileSystem()
fs.get("bucket-g/m.bin", "m.bin")`, "s3:GetObject arn:aws:s3:::bucket-g/m.bin"},
	{"s3fs put", "py", `import s3fs
fs = s3fs.S3FileSystem()
fs.put("m.bin", "bucket-g/models/m.bin")`, "s3:PutObject arn:aws:s3:::bucket-g/models/m.bin"},
	{"s3fs rm", "py", `import s3fs
fs = s3fs.S3FileSystem()
fs.rm("bucket-g/tmp/x")`, "s3:DeleteObject arn:aws:s3:::bucket-g/tmp/x"},
	{"fsspec open", "py", `import fsspec
with fsspec.open("s3://bucket-h/a.json") as f:
    pass`, "s3:GetObject arn:aws:s3:::bucket-h/a.json"},
	{"wrangler read", "py", `import awswrangler as wr
df = wr.s3.read_parquet(path="s3://bucket-i/table/")`, "s3:GetObject arn:aws:s3:::bucket-i/table/*\ns3:ListBucket arn:aws:s3:::bucket-i"},
	{"wrangler write", "py", `import awswrangler as wr
wr.s3.to_parquet(df, "s3://bucket-i/out/", dataset=True)`, "s3:PutObject arn:aws:s3:::bucket-i/out/*\ns3:DeleteObject arn:aws:s3:::bucket-i/out/*\ns3:ListBucket arn:aws:s3:::bucket-i"},
	{"wrangler athena", "py", `import awswrangler as wr
df = wr.athena.read_sql_query("SELECT 1", database="sales", workgroup="analysts", s3_output="s3://bucket-j/athena/")`,
		`athena:StartQueryExecution arn:aws:athena:*:*:workgroup/analysts
athena:GetQueryExecution arn:aws:athena:*:*:workgroup/analysts
athena:GetQueryResults arn:aws:athena:*:*:workgroup/analysts
glue:GetDatabase arn:aws:glue:*:*:catalog
glue:GetDatabase arn:aws:glue:*:*:database/sales
glue:GetDatabase arn:aws:glue:*:*:table/sales/*
glue:GetTable arn:aws:glue:*:*:catalog
glue:GetTable arn:aws:glue:*:*:database/sales
glue:GetTable arn:aws:glue:*:*:table/sales/*
glue:GetPartitions arn:aws:glue:*:*:catalog
glue:GetPartitions arn:aws:glue:*:*:database/sales
glue:GetPartitions arn:aws:glue:*:*:table/sales/*
s3:GetObject arn:aws:s3:::bucket-j/athena/*
s3:PutObject arn:aws:s3:::bucket-j/athena/*
s3:ListBucket arn:aws:s3:::bucket-j
s3:GetBucketLocation arn:aws:s3:::bucket-j`},
	{"athena client", "py", `import boto3
boto3.client("athena").start_query_execution(QueryString=q, WorkGroup="etl")`, "athena:StartQueryExecution arn:aws:athena:*:*:workgroup/etl"},
	{"glue get_table", "py", `import boto3
boto3.client("glue").get_table(DatabaseName="sales", Name="orders")`, "glue:GetTable arn:aws:glue:*:*:table/sales/orders"},
	{"dynamodb table resource", "py", `import boto3
t = boto3.resource("dynamodb").Table("users")
t.get_item(Key={"id": 1})`, "dynamodb:GetItem arn:aws:dynamodb:*:*:table/users"},
	{"dynamodb client query", "py", `import boto3
ddb = boto3.client("dynamodb")
ddb.query(TableName="orders", KeyConditionExpression=k)`, "dynamodb:Query arn:aws:dynamodb:*:*:table/orders"},
	{"dynamodb batch_writer", "py", `import boto3
t = boto3.resource("dynamodb").Table("events")
with t.batch_writer() as w:
    pass`, "dynamodb:BatchWriteItem arn:aws:dynamodb:*:*:table/events"},
	{"secrets manager", "py", `import boto3
boto3.client("secretsmanager").get_secret_value(SecretId="prod/db")`, "secretsmanager:GetSecretValue arn:aws:secretsmanager:*:*:secret:prod/db-*"},
	{"ssm parameter", "py", `import boto3
boto3.client("ssm").get_parameter(Name="/app/db/host", WithDecryption=True)`, "ssm:GetParameter arn:aws:ssm:*:*:parameter/app/db/host"},
	{"kms decrypt", "py", `import boto3
boto3.client("kms").decrypt(CiphertextBlob=c, KeyId="1234abcd-12ab-34cd-56ef-1234567890ab")`, "kms:Decrypt arn:aws:kms:*:*:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
	{"sts assume_role", "py", `import boto3
boto3.client("sts").assume_role(RoleArn="arn:aws:iam::111122223333:role/reader", RoleSessionName="x")`, "sts:AssumeRole arn:aws:iam::111122223333:role/reader"},
	{"lambda invoke", "py", `import boto3
boto3.client("lambda").invoke(FunctionName="score", Payload=p)`, "lambda:InvokeFunction arn:aws:lambda:*:*:function:score"},
	{"sqs send", "py", `import boto3
QUEUE = "https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"
boto3.client("sqs").send_message(QueueUrl=QUEUE, MessageBody=m)`, "sqs:SendMessage arn:aws:sqs:eu-west-1:111122223333:jobs"},
	{"sns publish", "py", `import boto3
boto3.client("sns").publish(TopicArn="arn:aws:sns:us-east-1:111122223333:alerts", Message=m)`, "sns:Publish arn:aws:sns:us-east-1:111122223333:alerts"},
	{"kinesis put", "py", `import boto3
boto3.client("kinesis").put_record(StreamName="clicks", Data=d, PartitionKey=k)`, "kinesis:PutRecord arn:aws:kinesis:*:*:stream/clicks"},
	{"logs put", "py", `import boto3
boto3.client("logs").put_log_events(logGroupName="/etl/jobs", logStreamName=s, logEvents=e)`, "logs:PutLogEvents arn:aws:logs:*:*:log-group:/etl/jobs:*"},
	{"bedrock invoke", "py", `import boto3
boto3.client("bedrock-runtime").invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=b)`, "bedrock:InvokeModel arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
	{"redshift data", "py", `import boto3
boto3.client("redshift-data").execute_statement(ClusterIdentifier="dwh", Database="dev", Sql=q)`, "redshift-data:ExecuteStatement arn:aws:redshift:*:*:cluster:dwh"},
	{"sagemaker runtime", "py", `import boto3
boto3.client("sagemaker-runtime").invoke_endpoint(EndpointName="Churn-Model", Body=b)`, "sagemaker:InvokeEndpoint arn:aws:sagemaker:*:*:endpoint/churn-model"},
	{"emr steps", "py", `import boto3
boto3.client("emr").add_job_flow_steps(JobFlowId="j-ABC", Steps=s)`, "elasticmapreduce:AddJobFlowSteps arn:aws:elasticmapreduce:*:*:cluster/j-ABC"},
	{"sagemaker estimator fit", "py", `from sagemaker.estimator import Estimator
ROLE = "arn:aws:iam::111122223333:role/sm-exec"
est = Estimator(image_uri=img, role=ROLE, instance_count=1, instance_type="ml.m5.large", base_job_name="churn")
est.fit({"train": "s3://bucket-k/train/"})`, `sagemaker:CreateTrainingJob arn:aws:sagemaker:*:*:training-job/churn*
sagemaker:DescribeTrainingJob arn:aws:sagemaker:*:*:training-job/churn*
iam:PassRole arn:aws:iam::111122223333:role/sm-exec`},
	{"sagemaker deploy", "py", `from sagemaker.model import Model
ROLE = "arn:aws:iam::111122223333:role/sm-exec"
m = Model(image_uri=img, model_data="s3://bucket-k/model.tar.gz", role=ROLE)
m.deploy(initial_instance_count=1, instance_type="ml.m5.large", endpoint_name="churn")`, `sagemaker:CreateModel arn:aws:sagemaker:*:*:model/*
sagemaker:CreateEndpointConfig arn:aws:sagemaker:*:*:endpoint-config/*
sagemaker:CreateEndpoint arn:aws:sagemaker:*:*:endpoint/churn
sagemaker:CreateEndpoint arn:aws:sagemaker:*:*:endpoint-config/*
sagemaker:DescribeEndpoint arn:aws:sagemaker:*:*:endpoint/churn
iam:PassRole arn:aws:iam::111122223333:role/sm-exec`},
	{"sagemaker processor", "py", `from sagemaker.processing import ScriptProcessor
p = ScriptProcessor(role=sagemaker.get_execution_role(), image_uri=i, command=["python3"], instance_count=1, instance_type="ml.m5.large")
p.run(code="prep.py")`, `sagemaker:CreateProcessingJob arn:aws:sagemaker:*:*:processing-job/*
sagemaker:DescribeProcessingJob arn:aws:sagemaker:*:*:processing-job/*
iam:PassRole *`},
	{"spark read s3a", "py", `df = spark.read.parquet("s3a://bucket-l/events/")`, "s3:GetObject arn:aws:s3:::bucket-l/events/*\ns3:ListBucket arn:aws:s3:::bucket-l"},
	{"spark read format load", "py", `df = spark.read.format("csv").option("header", "true").load("s3a://bucket-l/raw/2024")`, "s3:GetObject arn:aws:s3:::bucket-l/raw/2024/*\ns3:ListBucket arn:aws:s3:::bucket-l"},
	{"spark write", "py", `df.write.mode("overwrite").parquet("s3a://bucket-l/out/")`, "s3:PutObject arn:aws:s3:::bucket-l/out/*\ns3:DeleteObject arn:aws:s3:::bucket-l/out/*\ns3:ListBucket arn:aws:s3:::bucket-l"},
	{"spark constant path", "py", `OUT = "s3a://bucket-l/agg"
df.write.save(OUT + "/daily", format="parquet")`, "s3:PutObject arn:aws:s3:::bucket-l/agg/daily/*\ns3:DeleteObject arn:aws:s3:::bucket-l/agg/daily/*\ns3:ListBucket arn:aws:s3:::bucket-l"},
	{"R paws get_object", "r", `s3 <- paws::s3()
obj <- s3$get_object(Bucket = "bucket-m", Key = "r/data.rds")`, "s3:GetObject arn:aws:s3:::bucket-m/r/data.rds"},
	{"R paws put_object", "r", `svc <- paws::s3()
svc$put_object(Body = f, Bucket = "bucket-m", Key = "r/out.csv")`, "s3:PutObject arn:aws:s3:::bucket-m/r/out.csv"},
	{"R aws.s3 s3read_using", "r", `library(aws.s3)
df <- s3read_using(FUN = read.csv, object = "raw/a.csv", bucket = "bucket-m")`, "s3:GetObject arn:aws:s3:::bucket-m/raw/a.csv"},
	{"R aws.s3 put_object", "r", `aws.s3::put_object(file = "a.csv", object = "out/a.csv", bucket = "bucket-m")`, "s3:PutObject arn:aws:s3:::bucket-m/out/a.csv"},
	{"R aws.s3 get_bucket", "r", `library(aws.s3)
get_bucket("bucket-m", prefix = "logs/")`, "s3:ListBucket arn:aws:s3:::bucket-m"},
	{"R paws athena", "r", `ath <- paws::athena()
ath$start_query_execution(QueryString = q, WorkGroup = "rstudio")`, "athena:StartQueryExecution arn:aws:athena:*:*:workgroup/rstudio"},
	{"shell cp up", "sh", `aws s3 cp model.tar.gz s3://bucket-n/models/`, "s3:PutObject arn:aws:s3:::bucket-n/models/*\ns3:AbortMultipartUpload arn:aws:s3:::bucket-n/models/*"},
	{"shell cp down", "sh", `aws s3 cp s3://bucket-n/in/data.csv ./data.csv`, "s3:GetObject arn:aws:s3:::bucket-n/in/data.csv"},
	{"shell sync", "sh", `aws s3 sync ./out s3://bucket-n/out/ --delete`, "s3:PutObject arn:aws:s3:::bucket-n/out/*\ns3:AbortMultipartUpload arn:aws:s3:::bucket-n/out/*\ns3:ListBucket arn:aws:s3:::bucket-n\ns3:DeleteObject arn:aws:s3:::bucket-n/out/*"},
	{"shell ls", "sh", `aws s3 ls s3://bucket-n/logs/`, "s3:ListBucket arn:aws:s3:::bucket-n"},
	{"shell s3api", "sh", `aws s3api get-object --bucket bucket-n --key cfg.json cfg.json`, "s3:GetObject arn:aws:s3:::bucket-n/cfg.json"},
	{"shell dynamodb", "sh", `aws dynamodb get-item --table-name users --key '{"id":{"S":"1"}}'`, "dynamodb:GetItem arn:aws:dynamodb:*:*:table/users"},
	{"shell variable bucket", "sh", `aws s3 cp out.csv "s3://$BUCKET/out.csv"`, "s3:PutObject *\n"},
	{"notebook constants across cells", "nb", `import boto3
BUCKET = "bucket-o"
# ---
s3 = boto3.client("s3")
# ---
s3.get_object(Bucket=BUCKET, Key="nb/a.csv")`, "s3:GetObject arn:aws:s3:::bucket-o/nb/a.csv"},
	{"notebook bang aws", "nb", `!aws s3 cp s3://bucket-o/dl.zip .`, "s3:GetObject arn:aws:s3:::bucket-o/dl.zip"},
	{"notebook bash cell", "nb", `%%bash
aws s3 ls s3://bucket-o/data/`, "s3:ListBucket arn:aws:s3:::bucket-o"},
	{"notebook pandas", "nb", `import pandas as pd
# ---
df = pd.read_json("s3://bucket-o/nb/b.json")`, "s3:GetObject arn:aws:s3:::bucket-o/nb/b.json"},
	{"notebook spark", "nb", `PATH = "s3a://bucket-o/spark/"
# ---
spark.read.json(PATH)`, "s3:GetObject arn:aws:s3:::bucket-o/spark/*\ns3:ListBucket arn:aws:s3:::bucket-o"},
	{"R notebook paws", "nbr", `s3 <- paws::s3()
# ---
s3$get_object(Bucket = "bucket-p", Key = "k.rds")`, "s3:GetObject arn:aws:s3:::bucket-p/k.rds"},
	{"R notebook aws.s3", "nbr", `library(aws.s3)
# ---
save_object("m/x.bin", bucket = "bucket-p", file = "x.bin")`, "s3:GetObject arn:aws:s3:::bucket-p/m/x.bin"},
}

type pair struct{ action, resource string }

func pairsOf(s string) map[pair]bool {
	out := map[pair]bool{}
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			out[pair{f[0], f[1]}] = true
		}
	}
	return out
}

// corpusFile turns a case into a file name and content.
func corpusFile(kind, code string) (string, []byte) {
	switch kind {
	case "py":
		return "case.py", []byte(code)
	case "r":
		return "case.R", []byte(code)
	case "sh":
		return "case.sh", []byte(code)
	}
	nb := &nbtest.Notebook{Minor: 5, Metadata: nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: "python"}, {Key: "name", Value: "python3"}}}}}
	if kind == "nbr" {
		nb.Metadata = nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: "R"}, {Key: "name", Value: "ir"}}}}
	}
	for i, c := range strings.Split(code, "# ---\n") {
		nb.Cells = append(nb.Cells, nbtest.Cell{Type: "code", ID: fmt.Sprintf("c%d", i), Source: c})
	}
	return "case.ipynb", nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})
}

// TestCorpus measures precision and recall of the inferred (action,
// resource) pairs over the corpus and holds them above a floor; -v prints
// the misses and the numbers.
func TestCorpus(t *testing.T) {
	if len(corpus) < 60 {
		t.Fatalf("corpus has %d call sites, want at least 60", len(corpus))
	}
	var tp, fp, fn int
	for _, c := range corpus {
		name, data := corpusFile(c.kind, c.code)
		res := &Result{}
		File(res, name, data)
		got := map[pair]bool{}
		for _, u := range res.Uses {
			if u.Action == "*" || strings.HasSuffix(u.Action, ":*") {
				t.Errorf("%s: wildcard action %q", c.name, u.Action)
			}
			got[pair{u.Action, u.Resource}] = true
		}
		want := pairsOf(c.want)
		for p := range got {
			if want[p] {
				tp++
			} else {
				fp++
				t.Logf("%s: extra %s %s", c.name, p.action, p.resource)
			}
		}
		for p := range want {
			if !got[p] {
				fn++
				t.Logf("%s: missed %s %s", c.name, p.action, p.resource)
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("corpus: %d cases, %d expected pairs, %d inferred; precision %.3f, recall %.3f", len(corpus), tp+fn, tp+fp, precision, recall)
	if precision < 0.95 || recall < 0.9 {
		t.Errorf("precision %.3f recall %.3f below the floor (0.95, 0.90)", precision, recall)
	}
}
