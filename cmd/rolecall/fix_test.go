package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// fixtureRepo copies the scanner's fixture tree (templates filled) and adds
// notebooks in three writers' styles holding the shapes data scientists
// write, then commits it all to a git repository.
func fixtureRepo(t *testing.T, set *testsecrets.Set) *gittest.Repo {
	r := gittest.New(t)
	src := filepath.Join("..", "..", "testdata", "fixtures")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "expected.txt" {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r.Write(rel, set.Fill(string(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	g := set.Get
	analysis := &nbtest.Notebook{Minor: 5, Metadata: nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: "python"}, {Key: "name", Value: "python3"}}}},
		Cells: []nbtest.Cell{
			{Type: "markdown", ID: "intro", Source: "# Load the events\nAsk Ada for the key (it starts with `" + g("aws_key_id")[:4] + "`)."},
			{Type: "code", ID: "keys", Source: "AWS_ACCESS_KEY_ID = \"" + g("aws_key_id") + "\"\nAWS_SECRET_ACCESS_KEY = \"" + g("aws_secret") + "\"\nREGION = \"eu-west-1\""},
			{Type: "code", ID: "client", Source: "import boto3\ns3 = boto3.client(\n    \"s3\",\n    region_name=REGION,\n    aws_access_key_id=AWS_ACCESS_KEY_ID,\n    aws_secret_access_key=AWS_SECRET_ACCESS_KEY,\n)\ns3.list_buckets()",
				Outputs: []nbtest.Output{{Type: "execute_result", ExecutionCount: 3, Data: nbtest.Map{{Key: "text/plain", Value: nbtest.Lines("{'Buckets': []}")}}}}},
			{Type: "code", ID: "env", Source: "%env AWS_SECRET_ACCESS_KEY=" + g("aws_secret.env") + "\n!aws configure set aws_access_key_id " + g("aws_key_id.cli"),
				Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "env: AWS_SECRET_ACCESS_KEY=" + g("aws_secret.env") + "\n"}}},
			{Type: "code", ID: "pandas", Source: "import pandas as pd\ndf = pd.read_csv(\"s3://lake/events.csv\", storage_options={\"key\": \"" + g("aws_key_id.pd") + "\", \"secret\": \"" + g("aws_secret.pd") + "\"})"},
			{Type: "code", ID: "bash", Source: "%%bash\nexport AWS_ACCESS_KEY_ID=" + g("aws_key_id.sh") + "\naws s3 ls"},
		}}
	r.Write("notebooks/analysis.ipynb", string(nbtest.Write(analysis, nbtest.Jupyter, nbtest.Options{})))
	colab := &nbtest.Notebook{Minor: 0, Cells: []nbtest.Cell{
		{Type: "code", Source: "import s3fs\nfs = s3fs.S3FileSystem(key='" + g("aws_key_id.s3fs") + "', secret='" + g("aws_secret.s3fs") + "')\nfs.ls('lake')"},
		{Type: "code", Source: "from pyspark.sql import SparkSession\nspark = (SparkSession.builder\n    .appName(\"etl\")\n    .config(\"spark.hadoop.fs.s3a.access.key\", \"" + g("aws_key_id.spark") + "\")\n    .config(\"spark.hadoop.fs.s3a.secret.key\", \"" + g("aws_secret.spark") + "\")\n    .getOrCreate())"},
	}}
	r.Write("notebooks/colab.ipynb", string(nbtest.Write(colab, nbtest.Colab, nbtest.Options{OneString: true})))
	vscode := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "code", ID: "a", Source: "import os\nos.environ[\"AWS_ACCESS_KEY_ID\"] = \"" + g("aws_key_id.vs") + "\"\nos.environ[\"AWS_SECRET_ACCESS_KEY\"] = \"" + g("aws_secret.vs") + "\"\nimport sagemaker\nsess = sagemaker.Session()"},
	}}
	r.Write("notebooks/vscode.ipynb", string(nbtest.Write(vscode, nbtest.VSCode, nbtest.Options{Indent: 2})))
	r.Commit("fixtures")
	return r
}

// remaining runs a scan and returns the rules still reported, by file.
func remaining(t *testing.T, dir string) map[string][]string {
	t.Helper()
	res := rolecall(t, dir, "scan", "--format", "json", "--fail-on", "low")
	var fs []map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &fs); err != nil {
		t.Fatalf("scan output: %v\n%s", err, res.stderr)
	}
	out := map[string][]string{}
	for _, f := range fs {
		file := f["file"].(string)
		out[file] = append(out[file], f["rule"].(string))
	}
	return out
}

func TestFixWriteLeavesNothingFixable(t *testing.T) {
	set := testsecrets.New(101)
	r := fixtureRepo(t, set)
	res := rolecall(t, r.Dir, "fix", "--write")
	if res.code != 1 || !strings.Contains(res.stderr, "must be fixed by hand") || strings.Contains(res.stderr, "Dry run") {
		t.Fatalf("fix --write: exit %d\n%s", res.code, res.stderr)
	}
	// What is left must be what rolecall does not rewrite: tokens of other
	// services, non-AWS passwords, the shared credentials file, and the
	// presigned URL of a test fixture.
	awsRules := regexp.MustCompile(`^(aws-|hadoop-)`)
	allowedAWS := map[string]bool{".aws/credentials": true, "tokens/presigned_test.json": true}
	for file, rules := range remaining(t, r.Dir) {
		for _, rule := range rules {
			if awsRules.MatchString(rule) && !allowedAWS[file] {
				t.Errorf("%s: %s is still there after fix --write", file, rule)
			}
		}
		if strings.HasSuffix(file, ".ipynb") || file == "conf/profiles.yml" {
			t.Errorf("%s still has findings %v", file, rules)
		}
	}
	// A second run changes nothing.
	if again := rolecall(t, r.Dir, "fix"); again.stdout != "" {
		t.Errorf("second fix produced a diff:\n%s", again.stdout)
	}
	checkNotebooks(t, r.Dir)
	checkPython(t, r.Dir)
	// The code still does what it did, with the default chain.
	for file, want := range map[string]string{
		"python/etl.py":            "s3 = boto3.client(\n    \"s3\",\n)",
		"notebooks/analysis.ipynb": `"s3 = boto3.client(\n",`,
		"conf/core-site.xml":       "<name>fs.s3a.aws.credentials.provider</name>",
		"conf/profiles.yml":        "env_var('DBT_ENV_SECRET_",
	} {
		b, _ := os.ReadFile(filepath.Join(r.Dir, file))
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %q:\n%s", file, want, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(r.Dir, "notebooks", "analysis.ipynb"))
	if strings.Contains(string(b), "AWS_ACCESS_KEY_ID =") || strings.Contains(string(b), "env: AWS_SECRET") {
		t.Errorf("constants or echoed output left in the notebook:\n%s", b)
	}
}

// checkNotebooks validates every notebook against the nbformat 4 structure
// (the required keys and types of the v4 schema; nbformat itself cannot be
// installed here).
func checkNotebooks(t *testing.T, dir string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "notebooks", "*.ipynb"))
	if len(matches) != 3 {
		t.Fatalf("notebooks: %v", matches)
	}
	for _, path := range matches {
		checkNotebookStructure(t, path)
	}
}

// checkNotebookStructure checks one notebook against the required keys and
// types of the nbformat 4 schema.
func checkNotebookStructure(t *testing.T, path string) {
	t.Helper()
	data, _ := os.ReadFile(path)
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Errorf("%s is not JSON: %v", path, err)
		return
	}
	if nb["nbformat"] != float64(4) || nb["metadata"] == nil || nb["nbformat_minor"] == nil {
		t.Errorf("%s: top level %v", path, keys(nb))
	}
	for i, c := range nb["cells"].([]any) {
		cell := c.(map[string]any)
		allowed := map[string]bool{"id": true, "cell_type": true, "metadata": true, "source": true}
		switch cell["cell_type"] {
		case "code":
			allowed["outputs"], allowed["execution_count"] = true, true
			if _, ok := cell["outputs"].([]any); !ok {
				t.Errorf("%s cell %d: outputs is not a list", path, i+1)
			}
		case "markdown", "raw":
			allowed["attachments"] = true
		default:
			t.Errorf("%s cell %d: cell_type %v", path, i+1, cell["cell_type"])
		}
		for k := range cell {
			if !allowed[k] {
				t.Errorf("%s cell %d: unexpected key %q", path, i+1, k)
			}
		}
		switch src := cell["source"].(type) {
		case string:
		case []any:
			for _, l := range src {
				if _, ok := l.(string); !ok {
					t.Errorf("%s cell %d: source element %v", path, i+1, l)
				}
			}
		default:
			t.Errorf("%s cell %d: source %T", path, i+1, src)
		}
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkPython parses every Python file and every notebook code cell (magic
// lines commented out, %% cells skipped) with python3's ast module.
func checkPython(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("python3 not installed: skipping the ast check")
		return
	}
	script := `
import ast, json, pathlib, re, sys
bad = []
root = pathlib.Path(sys.argv[1])
def check(name, src):
    src = re.sub(r"(?m)^(\s*)([%!])", r"\1#\2", src)
    try:
        ast.parse(src)
    except SyntaxError as e:
        bad.append(f"{name}: {e}")
for p in root.rglob("*.py"):
    check(str(p), p.read_text())
for p in root.rglob("*.ipynb"):
    nb = json.loads(p.read_text())
    for i, c in enumerate(nb["cells"]):
        src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
        if c["cell_type"] == "code" and not src.startswith("%%"):
            check(f"{p} cell {i+1}", src)
print("\n".join(bad))
sys.exit(1 if bad else 0)
`
	out, err := exec.Command("python3", "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Errorf("python3 cannot parse the fixed code: %v\n%s", err, out)
	}
}

func TestFixProfileReportAndFormats(t *testing.T) {
	set := testsecrets.New(102)
	r := fixtureRepo(t, set)
	reportFile := filepath.Join(t.TempDir(), "remediation.json")
	replace := filepath.Join(t.TempDir(), "replace.txt")
	res := rolecall(t, r.Dir, "fix", "--profile", "analytics", "--hadoop", "3.4", "--report", reportFile, "--replace-text", replace)
	if res.code != 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, want := range []string{
		"boto3.Session(profile_name=\"analytics\")", "AWS_PROFILE", "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider",
		"role-to-assume: ${{ vars.AWS_ROLE_ARN }}", "id-token: write",
	} {
		if !strings.Contains(res.stdout, want) && !strings.Contains(strings.ReplaceAll(res.stdout, "'", `"`), want) {
			t.Errorf("the --profile diff lacks %q", want)
		}
	}
	// Applied with git apply, the diff gives what --write gives.
	apply := exec.Command("git", "apply")
	apply.Dir, apply.Stdin = r.Dir, strings.NewReader(res.stdout)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	if again := rolecall(t, r.Dir, "fix", "--profile", "analytics", "--hadoop", "3.4"); again.stdout != "" {
		t.Errorf("after git apply, fix still proposes:\n%s", again.stdout)
	}

	var rep struct {
		Keys []struct {
			KeyID     string `json:"key_id"`
			Account   string `json:"account_id"`
			InHistory bool   `json:"in_history"`
			Rotation  []string
		}
		ProfileConfig string                     `json:"profile_config"`
		TrustPolicies map[string]json.RawMessage `json:"trust_policies"`
		InHistory     int                        `json:"in_history"`
	}
	data, err := os.ReadFile(reportFile)
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("report: %v\n%s", err, data)
	}
	account := detectors.AccountFromKeyID(set.Get("aws_key_id"))
	found := false
	for _, k := range rep.Keys {
		if k.Account == account && k.InHistory && len(k.Rotation) >= 5 && k.KeyID == set.Get("aws_key_id") &&
			strings.Contains(k.Rotation[0], "--access-key-id "+k.KeyID) {
			found = true
		}
	}
	// Several accounts leaked here, so the stanza leaves the account to fill
	// in; with one it names it (remediate's tests check that).
	if !found || !strings.Contains(rep.ProfileConfig, "[profile analytics]") || !strings.Contains(rep.ProfileConfig, "sso_account_id = <ACCOUNT_ID>") ||
		len(rep.TrustPolicies) != 3 || rep.InHistory == 0 {
		t.Errorf("report: %s", data)
	}
	if bytes.Contains(data, []byte(set.Get("aws_secret"))) {
		t.Error("the report holds a full secret")
	}
	rt, err := os.ReadFile(replace)
	info, _ := os.Stat(replace)
	if err != nil || !strings.Contains(string(rt), "literal:"+set.Get("aws_secret")+"==>***REMOVED***") || info.Mode().Perm() != 0o600 {
		t.Errorf("replace-text file (%v, %v):\n%s", err, info.Mode(), rt)
	}
	for _, args := range [][]string{
		{"fix", "--replace-text", "leaks.txt"},
		{"fix", "--replace-text", "leaks.txt", "python"}, // the work tree still counts
		{"fix", "-o", "fix.patch"},
	} {
		if inside := rolecall(t, r.Dir, args...); inside.code != 2 || !strings.Contains(inside.stderr, "outside the repository") {
			t.Errorf("%v inside the tree: exit %d %s", args, inside.code, inside.stderr)
		}
	}
}

func TestFixSARIFAndJSON(t *testing.T) {
	set := testsecrets.New(103)
	r := fixtureRepo(t, set)
	res := rolecall(t, r.Dir, "fix", "--format", "sarif")
	for _, p := range sariftest.Problems([]byte(res.stdout)) {
		t.Error("SARIF:", p)
	}
	if !strings.Contains(res.stdout, `"fixes"`) || !strings.Contains(res.stdout, `"deletedRegion"`) {
		t.Error("no fixes in the SARIF")
	}
	if strings.Contains(res.stdout, set.Get("aws_secret")) {
		t.Error("the SARIF holds a full secret")
	}
	js := rolecall(t, r.Dir, "fix", "--format", "json")
	var out struct {
		Files []struct {
			File    string
			Changed bool
			Diff    string
		}
		Report map[string]any
	}
	if err := json.Unmarshal([]byte(js.stdout), &out); err != nil || len(out.Files) < 10 || out.Report["keys"] == nil {
		t.Fatalf("json: %v\n%s", err, js.stdout)
	}
	if strings.Contains(js.stdout, set.Get("aws_secret")) {
		t.Error("the JSON output holds a full secret")
	}
	for _, bad := range [][]string{{"fix", "--hadoop", "2.7"}, {"fix", "--format", "text"}, {"fix", "--write", "--format", "sarif"}, {"fix", "--profile", "bad name"}, {"fix", "--exit-code", "256"}, {"fix", "-j", "-3"}} {
		if got := rolecall(t, r.Dir, bad...); got.code != 2 {
			t.Errorf("%v: exit %d", bad, got.code)
		}
	}
}

func TestFixLeavesBaselinedFindings(t *testing.T) {
	set := testsecrets.New(104)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.py"), "import boto3\ns3 = boto3.client('s3', aws_access_key_id='"+set.Get("aws_key_id")+"')\n")
	base := filepath.Join(t.TempDir(), "base.json")
	if r := rolecall(t, dir, "scan", "--format", "json", "-o", base); r.code != 1 {
		t.Fatalf("scan: exit %d", r.code)
	}
	res := rolecall(t, dir, "fix", "--baseline", base)
	if res.stdout != "" || res.code != 0 || !strings.Contains(res.stderr, "known from the baseline") {
		t.Errorf("baselined finding fixed: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}

func TestFixCleanTree(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.py"), "import boto3\ns3 = boto3.client('s3')\n")
	if res := rolecall(t, dir, "fix"); res.code != 0 || res.stdout != "" || !strings.Contains(res.stderr, "nothing to fix") {
		t.Errorf("clean tree: exit %d %q %q", res.code, res.stdout, res.stderr)
	}
}

// The fix of an absolute path is a diff git apply takes, and a dry run
// says what it would do, not what it did.
func TestFixAbsolutePathDiffApplies(t *testing.T) {
	set := testsecrets.New(103)
	r := gittest.New(t)
	r.Write("etl.py", fmt.Sprintf("import boto3\ns3 = boto3.client(\"s3\", aws_access_key_id=%q, aws_secret_access_key=%q)\n", set.Get("aws_key_id"), set.Get("aws_secret")))
	r.Commit("etl")
	res := rolecall(t, r.Dir, "fix", filepath.Join(r.Dir, "etl.py"))
	if res.code != 0 || strings.Contains(res.stdout, "a//") || !strings.Contains(res.stdout, "--- a/etl.py") {
		t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stderr, "Dry run: nothing was written") || !strings.Contains(res.stderr, "1 would be fixed") && !strings.Contains(res.stderr, "2 would be fixed") {
		t.Errorf("the dry run's report:\n%s", res.stderr)
	}
	if !strings.Contains(res.stderr, "--access-key-id "+`"$k"`) || !strings.Contains(res.stderr, `KEYS="`+set.Get("aws_key_id")+`"`) {
		t.Errorf("the rotation checklist does not name the key:\n%s", res.stderr)
	}
	apply := exec.Command("git", "apply")
	apply.Dir, apply.Stdin = r.Dir, strings.NewReader(res.stdout)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s", err, out)
	}
	if again := rolecall(t, r.Dir, "scan", "etl.py"); again.code != 0 {
		t.Errorf("after git apply the key is still there:\n%s", again.stdout)
	}
	for _, line := range strings.Split(strings.TrimSpace(res.stderr), "\n") {
		if strings.Contains(line, "overlaps another edit") || strings.Contains(line, "[") && strings.Contains(line, ")") && strings.Contains(line, "edit [") {
			t.Errorf("an internal error reaches the user: %s", line)
		}
	}
}

// A reason names a notebook place as the scan does: cell and line in the
// cell, not a line of the cells joined.
func TestFixReasonNamesNotebookCells(t *testing.T) {
	set := testsecrets.New(104)
	nb := &nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{
		{Type: "markdown", Source: "# Load\nsome notes\nmore notes"},
		{Type: "code", Source: fmt.Sprintf("KEY = %q\nSECRET = %q", set.Get("aws_key_id"), set.Get("aws_secret"))},
		{Type: "code", Source: "import boto3\ns3 = boto3.client(\"s3\", aws_access_key_id=KEY, aws_secret_access_key=SECRET)\nprint(KEY)"},
	}}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "nb.ipynb"), string(nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})))
	res := rolecall(t, dir, "fix", "nb.ipynb")
	if !strings.Contains(res.stderr, "cell 3 line 3") || strings.Contains(res.stderr, "at line ") {
		t.Errorf("the reason does not name cell 3 line 3:\n%s", res.stderr)
	}
}
