package detectors

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

func TestAccountFromKeyID(t *testing.T) {
	set := testsecrets.New(7)
	cases := []struct{ id, want string }{
		// Published decoding example (built from parts so no scanner flags this file).
		{"ASIA" + "Y34FZKBOKMUTVV7A", "609629065308"},
		{"AKIA" + "IOSFODNN7EXAMPLE", ""}, // legacy id (fifth character I)
		{"AKIA" + "J" + "OSFODNN7EXAMPLE", ""},
		{"NOPE" + "Y34FZKBOKMUTVV7A", ""},
		{"AKIA" + "Y34F", ""},
		{set.AWSKeyIDFor("AKIA", "123456789012"), "123456789012"},
		{set.AWSKeyIDFor("AROA", "000000000042"), "000000000042"},
	}
	for _, c := range cases {
		if got := AccountFromKeyID(c.id); got != c.want {
			t.Errorf("AccountFromKeyID(%s) = %q, want %q", c.id, got, c.want)
		}
	}
}

// The entropy floors must not reject real keys: draw many random ones and
// count how many the shape checks turn away.
func TestAWSShapeChecksKeepRandomKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	var lostSecret, lostID int
	for i := 0; i < n; i++ {
		b := make([]byte, 40)
		for j := range b {
			b[j] = b64[rng.IntN(len(b64))]
		}
		if !awsSecretShape(b) {
			lostSecret++
		}
		id := []byte("AKIAQ")
		for j := 0; j < 15; j++ {
			id = append(id, b32[rng.IntN(len(b32))])
		}
		if _, ok := awsIDAt(id, 0); !ok {
			lostID++
		}
	}
	// A secret with no digit and no symbol is legal but rare (about 1 in
	// 5000); the floor is set well above what random keys produce.
	if lostSecret > n/500 || lostID > n/500 {
		t.Errorf("shape checks rejected %d secrets and %d ids of %d random ones", lostSecret, lostID, n)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct{ name, toml, want string }{
		{"unknown key", "[[rules]]\nid = \"x\"\nregexp = \"a\"\n", "unknown key"},
		{"bad regex", "[[rules]]\nid = \"x\"\nregex = \"(\"\n", "regex"},
		{"no id", "[[rules]]\nregex = \"a\"\n", "no id"},
		{"bad severity", "[[rules]]\nid = \"x\"\nregex = \"a\"\nseverity = \"urgent\"\n", "unknown severity"},
		{"bad condition", "[[allowlists]]\ncondition = \"XOR\"\npaths = [\"a\"]\n", "condition"},
		{"disable unknown", "[extend]\ndisabledRules = [\"nope\"]\n", "not a rule"},
		{"unknown detector", "[[rules]]\nid = \"x\"\ndetector = \"magic\"\n", "unknown detector"},
		{"toml syntax", "[[rules]\n", "rolecall.toml"},
		{"group out of range", "[[rules]]\nid = \"x\"\nregex = \"a(b)\"\nsecretGroup = 2\n", "secretGroup"},
		{"target unknown rule", "[[allowlists]]\ntargetRules = [\"nope\"]\npaths = [\"a\"]\n", "not a rule"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseConfig(".rolecall.toml", c.toml)
			if err == nil {
				_, err = NewEngine(cfg)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestUserConfig(t *testing.T) {
	set := testsecrets.New(3)
	tokenLine := "INTERNAL = \"itk_" + set.Get("token") + "\"\n"
	pwLine := "db_password = \"" + set.Get("db_password") + "\"\n"
	keyLine := "key_id = \"" + set.Get("aws_key_id") + "\"\n"
	cases := []struct {
		name, toml, path, text string
		want                   []string // rule ids found
	}{
		{"custom rule", `
[[rules]]
id = "internal-token"
regex = '''itk_[A-Za-z0-9]{32}'''
keywords = ["itk_"]
priority = 50
`, "a.py", tokenLine, []string{"internal-token"}},
		{"disabled rule", "[extend]\ndisabledRules = [\"generic-credential\"]\n", "a.py", pwLine, nil},
		{"no defaults", "[extend]\nuseDefault = false\n[[rules]]\nid = \"only\"\nregex = 'zzz_[0-9]{8}'\n", "a.py", pwLine + "zzz_12345678", []string{"only"}},
		{"path allowlist", "[[allowlists]]\npaths = [\"tests/**\"]\n", "tests/fixtures/a.py", pwLine, nil},
		{"path allowlist elsewhere", "[[allowlists]]\npaths = [\"tests/**\"]\n", "src/a.py", pwLine, []string{"generic-credential"}},
		{"basename glob any depth", "[[allowlists]]\npaths = [\"*.ipynb\"]\n", "deep/dir/nb.ipynb", pwLine, nil},
		{"stopword", "[[allowlists]]\nstopwords = [\"" + strings.ToLower(set.Get("db_password")[:5]) + "\"]\n", "a.py", pwLine, nil},
		{"regex on secret", "[[allowlists]]\nregexes = ['''^" + set.Get("db_password")[:4] + "''']\n", "a.py", pwLine, nil},
		{"regex on line", "[[allowlists]]\nregexTarget = \"line\"\nregexes = ['''^db_password''']\n", "a.py", pwLine, nil},
		{"AND needs both", "[[allowlists]]\ncondition = \"AND\"\npaths = [\"tests/**\"]\nstopwords = [\"zzzz\"]\n", "tests/a.py", pwLine, []string{"generic-credential"}},
		{"AND with both", "[[allowlists]]\ncondition = \"AND\"\npaths = [\"tests/**\"]\nregexTarget = \"line\"\nregexes = ['db_password']\n", "tests/a.py", pwLine, nil},
		{"target rules", "[[allowlists]]\ntargetRules = [\"generic-credential\"]\npaths = [\"**\"]\n", "a.py", pwLine + keyLine, []string{"aws-access-key-id"}},
		{"rule allowlist", "[[rules]]\nid = \"generic-credential\"\ndetector = \"generic-credential\"\nkeywords = [\"password\"]\n[[rules.allowlists]]\nstopwords = [\"" + strings.ToLower(set.Get("db_password")[:5]) + "\"]\n", "a.py", pwLine, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := ParseConfig("test.toml", c.toml)
			if err != nil {
				t.Fatal(err)
			}
			e, err := NewEngine(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range e.Detect(Fragment{Path: c.path, Text: []byte(c.text)}) {
				got = append(got, m.Rule.ID)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestDefaultAllowlistSparesDependencies(t *testing.T) {
	e, err := NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	set := testsecrets.New(8)
	text := []byte("password = \"" + set.Get("db_password") + "\"\ntoken = \"" + set.Get("github_pat") + "\"\n")
	for path, want := range map[string]string{
		"venv/lib/python3.11/site-packages/tornado/test/auth_test.py": "github-token",
		"web/node_modules/x/index.js":                                 "github-token",
		"src/app.py":                                                  "generic-credential,github-token",
	} {
		var got []string
		for _, m := range e.Detect(Fragment{Path: path, Text: text}) {
			got = append(got, m.Rule.ID)
		}
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %v, want %s", path, got, want)
		}
	}
}

func TestPathAllowed(t *testing.T) {
	cfg, err := ParseConfig("t", "[[allowlists]]\npaths = [\"vendor/**\"]\n[[allowlists]]\ncondition = \"AND\"\npaths = [\"docs/**\"]\nstopwords = [\"x\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"vendor/a/b.go": true, "docs/a.md": false, "src/a.go": false} {
		if got := e.PathAllowed(p); got != want {
			t.Errorf("PathAllowed(%s) = %v, want %v", p, got, want)
		}
	}
}

// A keyword-less rule runs everywhere; a keyword rule only where its keyword
// is, and only on that line (so a match on another line is not found).
func TestKeywordPrefilterScopesRegex(t *testing.T) {
	cfg, _ := ParseConfig("t", `
[extend]
useDefault = false
[[rules]]
id = "kw"
regex = '''val_[0-9]{6}'''
keywords = ["marker"]
[[rules]]
id = "always"
regex = '''all_[0-9]{6}'''
`)
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := "marker val_123456\nval_654321\nall_111111\n"
	var got []string
	for _, m := range e.Detect(Fragment{Path: "a.txt", Text: []byte(text)}) {
		got = append(got, m.Secret)
	}
	if want := "val_123456,all_111111"; strings.Join(got, ",") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

func TestSplitNameAndCredentialName(t *testing.T) {
	yes := []string{"password", "DB_PASSWORD", "dbPassword", "aws_secret_access_key", "SecretAccessKey",
		"api_key", "apiKey", "API-KEY", "client_secret", "auth_token", "access_token", "passwd", "pass",
		"private_key", "github_pat", "x-api-key", "PGPASSWORD", "DBPASSWD", "AUTHTOKEN", "clientsecret"}
	no := []string{"key", "monkey", "password_hash", "max_tokens", "pad_token", "public_key", "tokenizer",
		"secret_name", "keyboard", "passenger", "bypass_cache", "pat", "CSRFTOKEN", "nexttoken", "passwordless"}
	for _, n := range yes {
		if !credentialName(n) {
			t.Errorf("credentialName(%q) = false, want true (words %v)", n, splitName(n))
		}
	}
	for _, n := range no {
		if credentialName(n) {
			t.Errorf("credentialName(%q) = true, want false (words %v)", n, splitName(n))
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	yes := []string{"", "AKIAIOSFODNN7EXAMPLE", "YOUR_API_KEY_HERE", "<token>", "${TOKEN}", "{{ env_var('X') }}",
		"xxxxxxxx", "********", "changeme", "$PASSWORD", "%s", "aaaaaaaa", "Change_Me", "redacted"}
	no := []string{"hunter2-Xy9", "p4ssW0rd!long", "Q9f/3kLm+2"}
	for _, s := range yes {
		if !IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = false", s)
		}
	}
	for _, s := range no {
		if IsPlaceholder(s) {
			t.Errorf("IsPlaceholder(%q) = true", s)
		}
	}
}

// lastWords is the allocation-free twin of splitName; they must agree.
func TestLastWordsAgreesWithSplitName(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const alphabet = "aZbY_.-09kK"
	names := []string{"AWS_SECRET_ACCESS_KEY", "secretAccessKey", "HTTPServerToken", "x", "_a_", "a..b", "ABC", "aB", "Ab", "api-key", "db9Password"}
	for i := 0; i < 5000; i++ {
		b := make([]byte, 1+rng.IntN(12))
		for j := range b {
			b[j] = alphabet[rng.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, n := range names {
		w := splitName(n)
		var wantPrev, wantLast string
		if len(w) > 0 {
			wantLast = w[len(w)-1]
		}
		if len(w) > 1 {
			wantPrev = w[len(w)-2]
		}
		prev, last := lastWords([]byte(n), []byte(strings.ToLower(n)))
		if string(prev) != wantPrev || string(last) != wantLast {
			t.Fatalf("lastWords(%q) = %q, %q; splitName gives %q", n, prev, last, w)
		}
	}
}
