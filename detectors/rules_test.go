package detectors

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/detectors/tokenfmt"
)

// A ruleCase is a fragment template and what the engine must report in it.
// want lists "rule-id=NAME" where NAME is the template value that must be
// the secret; an optional "@severity" suffix checks the severity too.
type ruleCase struct {
	name string
	path string
	text string
	want []string
}

var ruleCases = []ruleCase{
	// aws-access-key-id
	{"key id alone is medium", "a.py", `KEY_ID = "{{fake aws_key_id}}"`, []string{"aws-access-key-id=aws_key_id@medium"}},
	{"key id with secret is high", "a.py", "boto3.client('s3',\n  aws_access_key_id='{{fake aws_key_id}}',\n  aws_secret_access_key='{{fake aws_secret}}')",
		[]string{"aws-access-key-id=aws_key_id@high", "aws-secret-access-key=aws_secret@high"}},
	{"presigned url credential is medium", "fixture.txt", "https://b.s3.amazonaws.com/k?X-Amz-Credential={{fake aws_key_id}}%2F20240101%2Fus-east-1%2Fs3%2Faws4_request",
		[]string{"aws-access-key-id=aws_key_id@medium"}},
	{"asia id", "a.sh", "export AWS_ACCESS_KEY_ID={{fake aws_asia_id}}", []string{"aws-access-key-id=aws_asia_id"}},
	{"aws example key id", "a.py", `key = "AKIAIOSFODNN7EXAMPLE"`, nil},
	{"id with digits outside base32", "a.py", `key = "AKIA1234567890ABCDEF"`, nil},
	{"id glued to letters", "a.py", `key = "XAKIAQWERTYUIOPASDFG2"`, nil},
	{"word Asia", "a.md", `Regions in Asia Pacific: ASIAPACIFICREGIONSX`, nil},
	{"placeholder id", "a.py", `key = "AKIAXXXXXXXXXXXXXXXX"`, nil},
	// aws-secret-access-key
	{"secret after keyword", "a.env", "AWS_SECRET_ACCESS_KEY={{fake aws_secret}}", []string{"aws-secret-access-key=aws_secret@high"}},
	{"secret in aws configure", "a.sh", "aws configure set aws_secret_access_key {{fake aws_secret}}", []string{"aws-secret-access-key=aws_secret"}},
	{"secret in json", "a.json", `{"AccessKeyId": "{{fake aws_asia_id}}", "SecretAccessKey": "{{fake aws_secret}}"}`,
		[]string{"aws-access-key-id=aws_asia_id@high", "aws-secret-access-key=aws_secret"}},
	{"secret in hadoop xml", "core-site.xml", "<property>\n  <name>fs.s3a.secret.key</name>\n  <value>{{fake aws_secret}}</value>\n</property>",
		[]string{"aws-secret-access-key=aws_secret"}},
	{"secret positional next to id", "a.py", "boto3.client('s3', '{{fake aws_key_id}}', '{{fake aws_secret}}')",
		[]string{"aws-access-key-id=aws_key_id@high", "aws-secret-access-key=aws_secret"}},
	{"s3a url userinfo", "a.scala", `spark.read.parquet("s3a://{{fake aws_key_id}}:{{fake aws_secret}}@bucket/path")`,
		[]string{"aws-access-key-id=aws_key_id@high", "aws-secret-access-key=aws_secret"}},
	{"aws example secret", "a.py", `aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"`, nil},
	{"git sha is no aws secret", "a.py", `aws_secret = "{{fake hex40}}"`, []string{"generic-credential=hex40"}},
	{"env read", "a.py", `aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]`, nil},
	{"too short for aws", "a.py", `aws_secret_access_key = "{{fake db_password}}"`, []string{"generic-credential=db_password@medium"}},
	{"base64 longer than 40 is no aws secret", "a.txt", "secret: QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg==", []string{"generic-credential="}},
	{"40 chars inside a longer base64 run", "a.txt", "AKIA key near: QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg==", nil},
	// aws-session-token
	{"session token", "credentials", "[default]\naws_session_token = {{fake aws_token}}", []string{"aws-session-token=aws_token@high"}},
	{"session token near asia", "a.json", `{"Credentials": {"AccessKeyId": "{{fake aws_asia_id}}", "Token": "{{fake aws_token}}"}}`,
		[]string{"aws-access-key-id=aws_asia_id@medium", "aws-session-token=aws_token"}},
	{"data uri is not a token", "a.html", `session_token <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg">`, nil},
	// hadoop-s3a-credential
	{"spark-defaults", "spark-defaults.conf", "spark.hadoop.fs.s3a.secret.key  {{fake db_password}}", []string{"hadoop-s3a-credential=db_password"}},
	{"hadoop set call", "a.py", `sc._jsc.hadoopConfiguration().set("fs.s3a.access.key", "{{fake db_password}}")`, []string{"hadoop-s3a-credential=db_password"}},
	{"hadoop xml minio key", "core-site.xml", "<name>fs.s3a.access.key</name>\n<value>{{fake db_password}}</value>", []string{"hadoop-s3a-credential=db_password"}},
	{"hadoop provider setting", "a.py", `conf.set("fs.s3a.aws.credentials.provider", "com.amazonaws.auth.InstanceProfileCredentialsProvider")`, nil},
	{"hadoop value from env", "spark-defaults.conf", "spark.hadoop.fs.s3a.secret.key ${AWS_SECRET}", nil},
	// url-credentials
	{"postgres url", "a.py", `engine = create_engine("postgresql://etl:{{fake db_password}}@db.internal:5432/warehouse")`, []string{"url-credentials=db_password"}},
	{"url placeholder password", "a.py", `url = "postgresql://user:password@localhost/db"`, nil},
	{"url format string", "a.py", `url = "postgresql://{}:{}@{}:{}/{}".format(u, p, h, port, db)`, nil},
	{"url env interpolation", "a.yml", `url: postgresql://app:${DB_PASSWORD}@db/app`, nil},
	{"url without password", "a.md", `clone git+ssh://git@github.com/org/repo.git`, nil},
	// netrc-password
	{"netrc", ".netrc", "machine api.example.org\n  login bot\n  password {{fake db_password}}", []string{"netrc-password=db_password"}},
	{"netrc rule only in netrc files", "notes.txt", "the password is required", nil},
	// tokens
	{"github classic", "a.py", `g = Github("{{fake github_pat}}")`, []string{"github-token=github_pat"}},
	{"github fine grained", "a.sh", `export GH_TOKEN={{fake github_fine}}`, []string{"github-fine-grained-pat=github_fine"}},
	{"github short", "a.py", `x = "ghp_abc123"`, nil},
	{"slack bot", "a.py", `client = WebClient(token="{{fake slack_bot}}")`, []string{"slack-token=slack_bot"}},
	{"slack webhook", "a.py", `requests.post("{{fake slack_webhook}}", json=msg)`, []string{"slack-webhook=slack_webhook"}},
	{"slack webhook placeholder", "a.py", `url = "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX"`, nil},
	{"openai in escaped cell", "a.py", `client = OpenAI(api_key="{{fake openai}}")`, []string{"openai-api-key=openai"}},
	{"openai placeholder", "a.py", `OPENAI_API_KEY = "sk-..."`, nil},
	{"anthropic", "a.py", `anthropic.Anthropic(api_key="{{fake anthropic}}")`, []string{"anthropic-api-key=anthropic"}},
	{"huggingface", "a.py", `login(token="{{fake huggingface}}")`, []string{"huggingface-token=huggingface"}},
	{"huggingface placeholder", "a.py", `login(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")`, nil},
	{"databricks", "a.py", `DATABRICKS_TOKEN = "{{fake databricks}}"`, []string{"databricks-token=databricks"}},
	{"stripe live", "a.js", `const stripe = require('stripe')('{{fake stripe_live}}');`, []string{"stripe-live-key=stripe_live@high"}},
	{"stripe test is low", "a.js", `const stripe = require('stripe')('{{fake stripe_test}}');`, []string{"stripe-test-key=stripe_test@low"}},
	{"gcp service account", "key.json", `{"type": "service_account", "private_key_id": "abc", "private_key": "{{fake gcp_private_key}}", "client_email": "x@p.iam.gserviceaccount.com"}`,
		[]string{"gcp-service-account-key=gcp_private_key"}},
	{"azure connection string", "a.py", `conn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={{fake azure_key}};EndpointSuffix=core.windows.net"`,
		[]string{"azure-storage-key=azure_key"}},
	{"azure connection string template", "a.py", `conn = 'DefaultEndpointsProtocol={};AccountName={};AccountKey={};'`, nil},
	{"pem rsa", "id_rsa", "-----BEGIN RSA PRIVATE KEY-----\n{{fake pem_body}}\n-----END RSA PRIVATE KEY-----\n", []string{"private-key=pem_body"}},
	{"pem openssh", "id_ed25519", "{{fake pem_openssh}}", []string{"private-key="}},
	{"pem placeholder", "README.md", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----", nil},
	{"kaggle json", "kaggle.json", `{"username":"datasci","key":"{{fake kaggle_key}}"}`, []string{"kaggle-api-key=kaggle_key"}},
	{"kaggle env", "a.py", `os.environ["KAGGLE_KEY"] = "{{fake kaggle_key}}"`, []string{"kaggle-api-key=kaggle_key"}},
	{"kaggle username only", "a.json", `{"username":"datasci","key":"not-hex"}`, nil},
	{"wandb login", "a.py", `wandb.login(key="{{fake wandb_key}}")`, []string{"wandb-api-key=wandb_key"}},
	{"wandb env", "a.env", `WANDB_API_KEY={{fake wandb_key}}`, []string{"wandb-api-key=wandb_key"}},
	// generic-credential
	{"python password", "a.py", `DB_PASSWORD = "{{fake db_password}}"`, []string{"generic-credential=db_password@medium"}},
	{"random token is high", "a.py", `api_key = "{{fake token}}"`, []string{"generic-credential=token@high"}},
	{"keyword argument", "a.py", `conn = snowflake.connector.connect(user="u", password='{{fake db_password}}', account="a")`, []string{"generic-credential=db_password"}},
	{"dict key", "a.py", `params = {"account": "x", "password": "{{fake db_password}}"}`, []string{"generic-credential=db_password"}},
	{"r assignment", "a.R", `db_pass <- "{{fake db_password}}"`, []string{"generic-credential=db_password"}},
	{"env file unquoted", ".env", "DATABASE_PASSWORD={{fake db_password}}\n", []string{"generic-credential=db_password"}},
	{"yaml profiles", "profiles.yml", "dev:\n  outputs:\n    dev:\n      password: {{fake db_password}}\n", []string{"generic-credential=db_password"}},
	{"dockerfile env", "Dockerfile", "ENV DB_PASSWORD {{fake db_password}}\n", []string{"generic-credential=db_password"}},
	{"compose list entry", "docker-compose.yml", "    environment:\n      - POSTGRES_PASSWORD={{fake db_password}}\n", []string{"generic-credential=db_password"}},
	{"one-word env name", "deploy.sh", "export PGPASSWORD={{fake db_password}}\n", []string{"generic-credential=db_password"}},
	{"notebook env magic", "nb.py", "%env DB_PASSWORD={{fake db_password}}", []string{"generic-credential=db_password"}},
	{"terraform non-aws key", "main.tf", "provider \"minio\" {\n  minio_password = \"{{fake db_password}}\"\n}", []string{"generic-credential=db_password"}},
	{"short password is low", "a.py", `password = "{{fake short_password}}"`, []string{"generic-credential=short_password@low"}},
	{"python variable not literal", "a.py", `password = get_password()`, nil},
	{"python unquoted name", "a.py", `password = pw`, nil},
	{"getpass", "a.py", `password = getpass.getpass("Password: ")`, nil},
	{"dbutils secret", "a.py", `token = dbutils.secrets.get(scope="prod", key="token")`, nil},
	{"dbt env_var", "profiles.yml", `      password: "{{ env_var('DBT_PASSWORD') }}"`, nil},
	{"yaml secrets expression", "ci.yml", `      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}`, nil},
	{"shell env reference", "a.sh", `export DB_PASSWORD="$VAULT_PASSWORD"`, nil},
	{"f-string interpolation", "a.py", `password = f"{prefix}-secret"`, nil},
	{"password hash name", "a.py", `password_hash = "5f4dcc3b5aa765d61d8327deb882cf99"`, nil},
	{"max tokens", "a.py", `max_tokens = "4096abc"`, nil},
	{"tokenizer pad token", "a.py", `pad_token = "<|endoftext|>"`, nil},
	{"public key", "a.py", `public_key = "ssh-ed25519-AAAAC3NzaC1lZDI1"`, nil},
	{"placeholder your key", "a.py", `api_key = "YOUR_API_KEY_HERE"`, nil},
	{"placeholder changeme", "a.yml", "password: changeme", nil},
	{"placeholder stars", "a.py", `password = "********"`, nil},
	{"angle placeholder", "a.py", `token = "<your-token>"`, nil},
	{"comparison", "a.py", `if password == "letmein99": pass`, nil},
	{"path value", "a.py", `private_key = "/home/user/.ssh/id_rsa"`, nil},
	{"prompt text", "a.py", `token = input("Paste the token here please")`, nil},
	{"uuid request id", "a.py", `request_id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"`, nil},
	{"sha256 pin", "Dockerfile", "FROM python:3.11@sha256:4b1a2cd3e4f56789a0b1c2d3e4f56789a0b1c2d3e4f56789a0b1c2d3e4f56789", nil},
	{"schema type name", "api.yaml", "        password: string\n        token: Optional[str]\n", nil},
	{"markdown list prose", "a.md", "- the token comprising a given character", nil},
	{"shell flag after a name", "nb.py", "! aws ecr get-login-password --region us-east-1 | docker login", nil},
	{"tcl set", "http.tcl", "set state(after) [after $state(-timeout) [list http_reset $token timeout]]", nil},
	{"prose with a colon", "input.txt", "We must talk in secret:--nurse, come back again;", nil},
	{"export placeholder in angle brackets", "nb.py", "!export AWS_SECRET_ACCESS_KEY=<Update here>", nil},
	{"dotnet public key token", "machine.config", `<add assembly="System.Configuration, Version=2.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a" />`, nil},
	{"aws change token", "waf.json", `{"ChangeToken": "{{decoy uuid}}"}`, nil},
	{"tokenizer special token", "tok.json", `{"blank_token": "[BLANK]", "mask_token": "[MASK]"}`, nil},
	{"dreambooth instance token", "train.json", `{"c1_instance_token": "jp-style-girl"}`, nil},
	{"regex token pattern", "a.py", `vec = CountVectorizer(token=r"[^\W\d]\w*")`, nil},
	{"css colour", "out.html", "--jp-token-color: #d8dee9;", nil},
	{"iam wildcard", "policy.yml", "secret_arn_prefix: x\nsecret: AmazonSageMaker-*", nil},
	{"api key header", "a.py", `headers = {'X-Api-Key': '{{fake token}}'}`, []string{"generic-credential=token@high"}},
	{"json escaped password in a string", "a.py", `SecretString='[{"username":"awsuser"},{"password":"{{fake db_password}}"}]'`, []string{"generic-credential=db_password"}},
	{"nlp token", "ner.py", `{"token": "tyrosine", "tag": "B-PROT"}`, nil},
	{"css pseudo class", "out.html", ".fa-user-secret:before {", nil},
	{"yaml enum value", "schema.yml", "password: required", nil},
	{"quoted word password is low", "a.py", `password = "{{fake word}}"`, []string{"generic-credential=word@low"}},
	{"inline allow", "a.py", `DB_PASSWORD = "{{fake db_password}}"  # rolecall:allow`, nil},
	// base64 literals are decoded and scanned, and reported at the literal
	{"base64 credentials file", "a.py", `CREDS = "{{fake b64_aws_credentials}}"`,
		[]string{"aws-access-key-id=aws_key_id@high", "aws-secret-access-key=aws_secret@high"}},
	{"base64 in yaml", "secret.yaml", "data:\n  credentials: {{fake b64_aws_credentials}}\n",
		[]string{"aws-access-key-id=aws_key_id@high", "aws-secret-access-key=aws_secret@high"}},
	{"base64 twice", "a.py", `BLOB = "{{fake b64_b64_github}}"`, []string{"github-token=github_pat"}},
	{"base64 three times is not decoded", "a.py", `BLOB = "{{fake b64x3_github}}"`, nil},
	{"base64 image is not text", "a.py", `LOGO = "{{decoy base64_blob}}"`, nil},
	{"data uri is not decoded", "page.html", `<a href="data:text/plain;base64,{{decoy b64_aws_credentials}}">x</a>`, nil},
	{"base64 literal allowed inline", "a.py", `CREDS = "{{fake b64_aws_credentials}}"  # rolecall:allow`, nil},
	{"base64 literal allowed by gitleaks comment", "a.py", `CREDS = "{{fake b64_aws_credentials}}"  # gitleaks:allow`, nil},
	// XML property pairs
	{"hive metastore password", "hive-site.xml", "<property>\n  <name>javax.jdo.option.ConnectionPassword</name>\n  <value>{{fake db_password}}</value>\n</property>",
		[]string{"generic-credential=db_password"}},
	{"site xml credential property", "ozone-site.xml", "<property><name>ozone.om.db.password</name><value> {{fake token}} </value></property>",
		[]string{"generic-credential=token@high"}},
	{"xml user name property", "hive-site.xml", "<name>javax.jdo.option.ConnectionUserName</name>\n<value>hive_admin_2</value>", nil},
	{"xml password from a variable", "hive-site.xml", "<name>javax.jdo.option.ConnectionPassword</name><value>${env:HIVE_DB_PASSWORD}</value>", nil},
	// Airflow
	{"airflow cfg fernet key", "airflow.cfg", "[core]\nfernet_key = {{fake airflow_fernet_key}}\n", []string{"airflow-fernet-key=airflow_fernet_key@high"}},
	{"airflow env fernet key", "docker-compose.yml", "      AIRFLOW__CORE__FERNET_KEY: '{{fake airflow_fernet_key}}'\n", []string{"airflow-fernet-key=airflow_fernet_key"}},
	{"airflow fernet key from env", "docker-compose.yml", "      AIRFLOW__CORE__FERNET_KEY: ${FERNET_KEY}\n", nil},
	// Terraform variable defaults
	{"terraform variable default", "variables.tf", "variable \"db_password\" {\n  type      = string\n  sensitive = true\n  default   = \"{{fake db_password}}\"\n}\n",
		[]string{"generic-credential=db_password"}},
	{"terraform aws secret default", "variables.tf", "variable \"aws_secret_key\" {\n  description = \"deploy user\"\n  default     = \"{{fake aws_secret}}\"\n}\n",
		[]string{"aws-secret-access-key=aws_secret"}},
	{"terraform variable without default", "variables.tf", "variable \"db_password\" {\n  type = string\n}\nvariable \"region\" {\n  default = \"eu-west-1-prod\"\n}\n", nil},
	{"terraform default of another block", "variables.tf", "variable \"api_token\" {\n  type = string\n}\nlocals {\n  default = \"{{decoy token}}\"\n}\n", nil},
	// URL credentials: local development defaults are low
	{"url to a remote host is high", "a.py", `url = "postgresql://etl:{{fake db_password}}@db.prod.example.net:5432/dw"`, []string{"url-credentials=db_password@high"}},
	{"url user equals password", "a.py", `url = "postgresql://{{decoy word}}:{{fake word}}@db.prod.example.net/dw"`, []string{"url-credentials=word@low"}},
	{"url to localhost", "a.py", `url = "mysql://etl:{{fake db_password}}@localhost:3306/app"`, []string{"url-credentials=db_password@low"}},
	{"url to loopback", "a.py", `url = "mysql://etl:{{fake db_password}}@127.0.0.1/app"`, []string{"url-credentials=db_password@low"}},
	{"url to ci service", "ci.yml", "      DATABASE_URL: postgres://app:{{fake db_password}}@postgres:5432/test", []string{"url-credentials=db_password@low"}},
	{"url default password", "a.py", `broker = "amqp://etl:` + "guest" + `@mq.prod.example.net:5672//"`, []string{"url-credentials=@low"}},
	{"redis url without user", "a.py", `r = redis.from_url("redis://:{{fake db_password}}@cache.prod.example.net:6379/0")`, []string{"url-credentials=db_password@high"}},
	// A credential word inside a string literal is not a name
	{"getpass prompt", "a.py", `conn = snowflake.connector.connect(user=u, password=getpass("Snowflake password: "), account="xy12345")`, nil},
	{"input prompt", "a.py", `token = input("Paste your token: "), host="db.example.net"`, nil},
	{"log message", "a.py", `log.info("password: %s rotated", user); db = connect(host="db-prod-2")`, nil},
	{"r prompt", "a.R", `pw <- readline(prompt="Password: "); con <- dbConnect(host="db-01")`, nil},
	{"apostrophe is not a quote", "notes.txt", "Don't commit the password: {{fake db_password}} it's rotated", []string{"generic-credential=db_password"}},
}

// negatives are near misses for each rule: the shape is almost right, or it
// is a placeholder, an interpolation or a reference. None may be reported.
var negatives = []struct{ rule, path, text string }{
	{"aws-access-key-id", "a.py", `key = "AKIAIOSFODNN7EXAMPLE"`},
	{"aws-access-key-id", "a.py", `key = "AKIA1234567890ABCDEF"`},
	{"aws-secret-access-key", "nb.py", "!aws configure set aws_secret_access_key {SECRET} --profile {PROFILE}"},
	{"aws-secret-access-key", "nb.py", "%env AWS_SECRET_ACCESS_KEY=$AWS_SECRET"},
	{"aws-secret-access-key", "a.py", `aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]`},
	{"aws-session-token", "a.py", `aws_session_token = creds["SessionToken"]`},
	{"hadoop-s3a-credential", "spark-defaults.conf", "spark.hadoop.fs.s3a.secret.key ${AWS_SECRET}"},
	{"url-credentials", "a.py", `url = "postgresql://user:password@localhost/db"`},
	{"netrc-password", ".netrc", "machine example.org login me password changeme"},
	{"github-token", "a.py", `x = "ghp_abc123"`},
	{"github-fine-grained-pat", "a.sh", "export GH_TOKEN=github_pat_XXXXXXXXXXXXXXXXXXXXXX_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
	{"slack-token", "a.py", `token = "xoxb-your-bot-token"`},
	{"slack-webhook", "a.py", `url = "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX"`},
	{"openai-api-key", "a.py", `OPENAI_API_KEY = "sk-..."`},
	{"anthropic-api-key", "a.py", `client = Anthropic(api_key="sk-ant-api03-...")`},
	{"huggingface-token", "a.py", `login(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")`},
	{"databricks-token", "a.py", `DATABRICKS_TOKEN = "dapi<your-token>"`},
	{"stripe-live-key", "a.js", `stripe('sk_live_...')`},
	{"stripe-test-key", "a.js", `stripe('sk_test_XXXXXXXXXXXXXXXXXXXXXXXX')`},
	{"gcp-service-account-key", "key.json", `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}`},
	{"azure-storage-key", "a.py", `conn = 'DefaultEndpointsProtocol={};AccountName={};AccountKey={};'`},
	{"private-key", "README.md", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"},
	{"kaggle-api-key", "kaggle.json", `{"username":"datasci","key":"<your-key>"}`},
	{"wandb-api-key", "a.py", `wandb.login(key=os.environ["WANDB_API_KEY"])`},
	{"generic-credential", "a.py", `password = getpass.getpass("Password: ")`},
	{"generic-credential", "a.yml", `token = "***REMOVED***!0"`},
	{"generic-credential", "a.py", `conn = connect(user=u, password=getpass("Snowflake password: "), account="xy12345")`},
	{"generic-credential", "hive-site.xml", "<name>hive.server2.authentication</name>\n<value>KERBEROS_PRINCIPAL_2</value>"},
	{"airflow-fernet-key", "airflow.cfg", "fernet_key = {FERNET_KEY}"},
	{"airflow-fernet-key", "airflow.cfg", "fernet_key = QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNk"},
	{"jwt-hmac-secret", "a.py", "salt = \"Xk29fLq0PzR7mWb3\"\nsample = \"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.ZmFrZXNpZ25hdHVyZWZha2VzaWduYXR1cmVmYWtlc2lnbmF0dXJl\""},
}

func TestNegatives(t *testing.T) {
	e, err := NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, n := range negatives {
		covered[n.rule] = true
		for _, m := range e.Detect(Fragment{Path: n.path, Text: []byte(n.text)}) {
			t.Errorf("%s: %q reported %s %q", n.rule, n.text, m.Rule.ID, m.Secret)
		}
	}
	for _, r := range e.Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no false case in negatives", r.ID)
		}
	}
}

func TestRules(t *testing.T) {
	e, err := NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for i, tc := range ruleCases {
		t.Run(tc.name, func(t *testing.T) {
			set := testsecrets.New(uint64(i + 1))
			text := set.Fill(tc.text)
			ms := e.Detect(Fragment{Path: tc.path, Text: []byte(text)})
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprintf("%s=%s@%s", m.Rule.ID, m.Secret, m.Severity))
				if held := heldAt(text, m); !strings.Contains(held, m.Secret) {
					t.Errorf("offsets %d:%d hold %q, secret is %q", m.Start, m.End, held, m.Secret)
				}
			}
			var want []string
			for _, w := range tc.want {
				rule, rest, _ := strings.Cut(w, "=")
				name, sev := cutLast(rest, "@")
				covered[rule] = true
				secret := ""
				if name != "" {
					secret = set.Get(name)
				}
				want = append(want, rule+"="+secret+"@"+sev)
			}
			if !matchesWant(got, want) {
				t.Errorf("text:\n%s\ngot  %q\nwant %q", text, got, want)
			}
		})
	}
	for _, r := range e.Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no true case in ruleCases", r.ID)
		}
	}
}

// matchesWant compares findings with expectations, where an expectation may
// leave the secret or severity empty to accept any.
func matchesWant(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	sort.Strings(got)
	used := make([]bool, len(got))
	for _, w := range want {
		wr, wrest, _ := strings.Cut(w, "=")
		ws, wsev := cutLast(wrest, "@")
		found := false
		for i, g := range got {
			gr, grest, _ := strings.Cut(g, "=")
			gs, gsev := cutLast(grest, "@")
			if used[i] || gr != wr || ws != "" && gs != ws || wsev != "" && gsev != wsev {
				continue
			}
			used[i], found = true, true
			break
		}
		if !found {
			return false
		}
	}
	return true
}

// cutLast splits at the last sep: secrets (webhook URLs) may hold an "@".
func cutLast(s, sep string) (string, string) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):]
	}
	return s, ""
}

// heldAt returns what a match's offsets hold, decoded when the match was
// found in an encoded literal.
func heldAt(text string, m Match) string {
	s := text[m.Start:m.End]
	if m.Encoding == "" {
		return s
	}
	for range strings.Count(m.Encoding, "base64") {
		b, ok := tokenfmt.DecodeBase64(s)
		if !ok {
			return ""
		}
		s = string(b)
	}
	return s
}
