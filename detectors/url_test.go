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
