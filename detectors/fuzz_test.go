package detectors

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// FuzzDetect runs the built-in rules on arbitrary text: no panic, and
// every match lies inside the input and is the text it spans (or, for a
// secret found by decoding base64, the literal it was decoded from).
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
			if m.Encoding != "" {
				// Found by decoding a literal: the span is the encoded
				// literal, the secret what it decodes to.
				if strings.Contains(string(text[m.Start:m.End]), m.Secret) {
					t.Fatalf("rule %s: decoded secret %q is plain in its span", m.Rule.ID, m.Secret)
				}
				continue
			}
			if m.Secret != string(text[m.Start:m.End]) {
				t.Fatalf("rule %s: secret %q is not the text it spans %q", m.Rule.ID, m.Secret, text[m.Start:m.End])
			}
		}
	})
}

// FuzzParseConfig loads arbitrary TOML as a user config: no panic; an
// error never quotes a line of the file (it may be whatever a link pointed
// at) and carries no control character; a config that loads compiles into
// an engine that runs, or says why it cannot.
func FuzzParseConfig(f *testing.F) {
	f.Add("[extend]\nuseDefault = true\ndisabledRules = [\"generic-credential\"]\n")
	f.Add("[[rules]]\nid = \"t\"\nregex = '''\\b(itk_[A-Za-z0-9]{32})\\b'''\nsecretGroup = 1\nkeywords = [\"itk_\"]\nseverity = \"high\"\nentropy = 3.0\npaths = [\"a/**\"]\n[[rules.allowlists]]\nstopwords = [\"x\"]\n")
	f.Add("[[allowlists]]\npaths = [\"tests/**\"]\nregexes = ['''^dummy''']\ncondition = \"AND\"\ntargetRules = [\"t\"]\nfingerprintKey = 1\n")
	f.Add("fingerprintKey = \"team-key\"\n")
	f.Add("HOME=/root\x00AWS_SECRET_ACCESS_KEY=abcdefghijklmnopqrstuvwxyz0123456789ABCD\x00")
	f.Add("aws_secret_access_key = \"abcdefghijklmnop\x1b[2J\"\n[x\n")
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := ParseConfig("c.toml", text)
		if err != nil {
			msg := err.Error()
			if strings.IndexFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
				t.Fatalf("error carries a control character: %q", msg)
			}
			for _, l := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == 0 }) {
				if l = strings.TrimSpace(l); len(l) >= 12 && strings.ContainsAny(l, "=:") && strings.Contains(msg, l) {
					t.Fatalf("error quotes line %q of the file: %s", l, msg)
				}
			}
			return
		}
		eng, err := NewEngine(cfg)
		if err != nil {
			return
		}
		eng.Detect(Fragment{Path: "a/b.py", Text: []byte("token = \"itk_0123456789abcdefABCDEF0123456789\"\n" + text)})
	})
}
