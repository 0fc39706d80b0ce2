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
