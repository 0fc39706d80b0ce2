package detectors

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// FuzzDetect runs the built-in rules on arbitrary text: no panic, and
// every match lies inside the input and is the text it spans.
func FuzzDetect(f *testing.F) {
	set := testsecrets.New(3)
	root := filepath.Join("..", "testdata", "fixtures")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(p) == "expected.txt" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(filepath.Base(p), []byte(set.Fill(string(data))))
		}
		return nil
	})
	f.Add("a.py", []byte("aws_secret_access_key = \""+set.AWSSecret()+"\"\nid = \""+set.AWSKeyID()+"\"  # rolecall:allow\n"))
	f.Add("x.env", []byte("\xff\xfeA\x00W\x00S\x00=\x00"))
	eng, err := NewEngine(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, path string, text []byte) {
		for _, m := range eng.Detect(Fragment{Path: path, Text: text}) {
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("rule %s: match [%d,%d) outside the %d-byte input", m.Rule.ID, m.Start, m.End, len(text))
			}
			if m.Secret != string(text[m.Start:m.End]) {
				t.Fatalf("rule %s: secret %q is not the text it spans %q", m.Rule.ID, m.Secret, text[m.Start:m.End])
			}
		}
	})
}
