package detectors

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// TestGitleaksConfig reads a gitleaks-format config that uses every key
// gitleaks documents and checks each does what gitleaks does with it.
func TestGitleaksConfig(t *testing.T) {
	cfg, err := LoadConfigFile(filepath.Join("..", "testdata", "gitleaks", ".gitleaks.toml"))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(cfg.Notes, "; ")
	for _, want := range []string{`minVersion "v8.25.0"`, "allowlist commits", `rule "pkcs12-file"`, "disabledRules generic-api-key"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes do not name %q: %s", want, notes)
		}
	}
	eng, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if eng.byID["generic-credential"] != nil || eng.byID["aws-secret-access-key"] == nil || eng.byID["legacy-ci-token"] == nil {
		t.Errorf("rules: disabledRules, useDefault or [extend] path not applied")
	}
	set := testsecrets.New(131)
	tok := "itk_" + set.Get("token")
	lci := "lci_" + set.Get("hex40")
	for _, c := range []struct {
		name, path, text string
		want             string // rule id found, "" for none
	}{
		{"rule with secretGroup and keywords", "app.py", `TOKEN = "` + tok + `"`, "internal-token"},
		{"entropy below the rule's", "app.py", `TOKEN = "itk_` + strings.Repeat("ab", 16) + `"`, ""},
		{"gitleaks:allow comment", "app.py", `TOKEN = "` + tok + `"  # gitleaks:allow`, ""},
		{"[allowlist] path regex", "lib/vendor/app.py", `TOKEN = "` + tok + `"`, ""},
		{"[allowlist] path regex on the name", "out/report.golden", `TOKEN = "` + tok + `"`, ""},
		{"[allowlist] regexes", "app.py", `TOKEN = "itk_` + strings.Repeat("0", 32) + `"`, ""},
		{"[allowlist] stopwords", "app.py", `TOKEN = "itk_sandbox` + set.Get("token")[:25] + `"`, ""},
		{"[[allowlists]] line regex for its target rule", "app.py", `TOKEN = "` + tok + `"  # sample`, ""},
		{"[[allowlists]] targetRules: other rules unaffected", "app.py", `CI = "` + lci + `"  # sample`, "legacy-ci-token"},
		{"[[allowlists]] AND: path and stopword", "tests/load.py", `TOKEN = "itk_fixture` + set.Get("token")[:25] + `"`, ""},
		{"[[allowlists]] AND: path alone is not enough", "tests/load.py", `TOKEN = "` + tok + `"`, "internal-token"},
		{"[[allowlists]] AND: stopword alone is not enough", "app.py", `TOKEN = "itk_fixture` + set.Get("token")[:25] + `"`, "internal-token"},
		{"[[rules.allowlists]] stopwords", "app.py", `TOKEN = "itk_docsdocs` + set.Get("token")[:24] + `"`, ""},
		{"rule path admits", "conf/warehouse.yaml", `key: whs_` + set.Get("token")[:24], "warehouse-key"},
		{"[rules.allowlist] (singular)", "conf/warehouse.yaml", `key: whs_sbx` + set.Get("token")[:21], ""},
		{"rule path excludes", "etl.py", `KEY = "whs_` + set.Get("token")[:24] + `"`, ""},
		{"rule from the extended file", "ci.sh", `export CI_TOKEN=` + lci, "legacy-ci-token"},
		{"allowlist from the extended file", "third_party/ci.sh", `export CI_TOKEN=` + lci, ""},
		{"built-in rules kept (useDefault)", "aws.py", `KEY = "` + set.Get("aws_key_id") + `"`, "aws-access-key-id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, m := range eng.Detect(Fragment{Path: c.path, Text: []byte(c.text + "\n")}) {
				got = append(got, m.Rule.ID)
			}
			if c.want == "" && len(got) > 0 || c.want != "" && (len(got) != 1 || got[0] != c.want) {
				t.Errorf("%s: found %v, want %q", c.path, got, c.want)
			}
		})
	}
}

func TestGitleaksConfigStandsAloneWithoutUseDefault(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gitleaks.toml")
	os.WriteFile(path, []byte("[[rules]]\nid = \"only\"\nregex = '''only_[a-z]{12}'''\n"), 0o644)
	cfg, err := LoadConfigFile(path)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(eng.Rules()) != 1 || !strings.Contains(strings.Join(cfg.Notes, ";"), "built-in rules") {
		t.Errorf("%d rules, notes %v: a gitleaks config with rules and no useDefault stands alone, and says so", len(eng.Rules()), cfg.Notes)
	}
	// Allowlists alone keep the built-in rules: gitleaks would find nothing.
	os.WriteFile(path, []byte("[allowlist]\npaths = ['''^docs/''']\n"), 0o644)
	cfg, _ = LoadConfigFile(path)
	if eng, _ := NewEngine(cfg); eng == nil || len(eng.Rules()) < 5 {
		t.Error("an allowlist-only gitleaks config dropped the built-in rules")
	}
}

// In a rolecall config the gitleaks-only keys are refused with the way out,
// since paths there are globs, not regular expressions.
func TestRolecallConfigRefusesGitleaksKeys(t *testing.T) {
	for _, text := range []string{
		"minVersion = \"v8.0.0\"\n",
		"[allowlist]\npaths = ['''^x/''']\n",
		"[extend]\npath = \"base.toml\"\n",
		"[[rules]]\nid = \"x\"\nregex = \"x_[a-z]+\"\npath = '''\\.py$'''\n",
	} {
		_, err := ParseConfig(".rolecall.toml", text)
		if err == nil || !strings.Contains(err.Error(), ".gitleaks.toml") {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// A value of the wrong type is named in TOML's words, never Go's.
func TestConfigTypeErrorsInWords(t *testing.T) {
	for text, want := range map[string]string{
		"[[allowlists]]\npaths = \"x\"\n":             "line 2: allowlists.paths must be a list in [ ], not a string in quotes",
		"[[rules]]\nid = 3\n":                         "line 2: rules.id must be a string in quotes, not a whole number",
		"[[rules]]\nid = \"a\"\nentropy = \"high\"\n": "line 3: rules.entropy must be a number, not a string in quotes",
	} {
		_, err := ParseConfig("c.toml", text)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "slice") || strings.Contains(err.Error(), "int64") {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
