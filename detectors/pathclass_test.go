package detectors

import "testing"

func TestPathClass(t *testing.T) {
	cfg, err := ParseConfig("test.toml", `
[[allowlists]]
paths = ["vendor/**"]
`)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"app.py", "src/deep/other.py", true},
		{"app.py", "app.ipynb", false},                     // notebook format
		{"nb.ipynb", ".ipynb_checkpoints/nb.ipynb", false}, // checkpoint copies are marked
		{"notes/note.json", "data/other.json", false},      // Zeppelin by name
		{"Dockerfile", "build/Dockerfile", true},           // language by name
		{"Dockerfile", "README", false},                    // language by name
		{"src/app.py", "vendor/app.py", false},             // an allowlisted path
		{"site-packages/x/app.py", "src/app.py", false},    // a built-in rule's path
		{".aws/credentials", "docs/credentials", false},    // language by directory
		{"a/b.Rmd", "c/d.rmd", true},                       // extensions compare folded
	} {
		if got := eng.PathClass(c.a) == eng.PathClass(c.b); got != c.same {
			t.Errorf("PathClass(%q) == PathClass(%q) is %v, want %v", c.a, c.b, got, c.same)
		}
	}
}

// A gitleaks config's path regexes (a rule's path, an allowlist's paths)
// decide on the path as the globs do.
func TestPathClassGitleaksPaths(t *testing.T) {
	eng, err := NewEngine(&Config{
		Rules:      []RuleConfig{{ID: "x-token", Regex: `xtok_[a-z0-9]{20}`, Keywords: []string{"xtok_"}, Path: `^zz/`}},
		Allowlists: []AllowlistConfig{{PathRegexes: []string{`^third_party/`}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ a, b string }{
		{"aa/app.py", "zz/app.py"},           // the rule's path
		{"src/app.py", "third_party/app.py"}, // the allowlist's path
	} {
		if eng.PathClass(c.a) == eng.PathClass(c.b) {
			t.Errorf("PathClass(%q) == PathClass(%q), want them to differ", c.a, c.b)
		}
	}
}
