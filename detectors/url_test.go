package detectors

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// mayHoldUserinfo must pass every "://" the regex matches at, or a URL
// credential would go unreported.
func TestMayHoldUserinfoIsASupersetOfTheRegex(t *testing.T) {
	alphabet := []byte("ab:@/ \t'\"<>{}.-9é\xff")
	r := rand.New(rand.NewPCG(1, 2))
	// Made at run time, so that this file holds no URL with a password.
	url := func(userinfo string) []byte { return []byte("x://" + userinfo + "@h") }
	cases := [][]byte{
		url("u:pw1"), url(":abc"), url("u:ab"), url("u:a:b:c"), url("u@h:pw1"), url("é:ééé"),
	}
	for range 20000 {
		b := []byte("s://")
		for range r.IntN(24) {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b)
	}
	for _, c := range cases {
		matched := urlCredentialRE.Match(c)
		if got := mayHoldUserinfo(c[bytes.Index(c, []byte("://")):]); matched && !got {
			t.Errorf("%q: the regex matches but the check says no", c)
		}
	}
	for _, no := range []string{"://host/path", "://user@host", "://u:p@h", "://u:pass word@h", "://u:pass"} {
		if mayHoldUserinfo([]byte(no)) {
			t.Errorf("%q: passed, but cannot hold user:password@", no)
		}
	}
}

// A user's rule may name the url-credentials detector with keywords of its
// own ("postgresql"), and an uppercase non-ASCII keyword must meet the
// same bytes in a text: both once failed after the prefilter changed.
func TestURLDetectorUserKeywords(t *testing.T) {
	for _, kw := range []string{"postgresql", "ÉTL"} {
		cfg, err := ParseConfig("user.toml", `
[[rules]]
id = "url-credentials"
description = "x"
detector = "url-credentials"
keywords = ["`+kw+`"]
severity = "high"
`)
		if err != nil {
			t.Fatal(err)
		}
		eng, err := NewEngine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := "Zq8rT2" + "vLm9Xw"
		text := "url = \"postgresql://ÉTL:" + want + "@db.prod.example.net:5432/dw\"\n"
		ms := eng.Detect(Fragment{Path: "a.py", Text: []byte(text)})
		if len(ms) != 1 || ms[0].Secret != want {
			t.Errorf("keyword %q: %d matches, want the password", kw, len(ms))
		}
	}
}
