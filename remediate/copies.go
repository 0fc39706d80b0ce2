package remediate

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// copies are the secrets a plan takes out of the code, in every form an
// output may show them: as written, URL-encoded (a presigned URL carries
// the session token so) and base64-encoded.
type copies struct {
	forms []form
	kinds map[string]edit.Kind
}

type form struct {
	text   []byte
	secret string
	how    string // "" when as written
}

// hit is one copy found in a text.
type hit struct {
	start, end int
	kind       edit.Kind
	how        string
}

// describe names what a hit is, without the secret.
func (h hit) describe() string {
	what := "the " + h.kind.String()
	if h.how != "" {
		return "a " + h.how + " copy of " + what
	}
	return what
}

// removedSecrets lists the secrets the plan fixed that no code cell still
// holds.
func removedSecrets(plan *FilePlan, blocked map[string]int) *copies {
	c := &copies{kinds: map[string]edit.Kind{}}
	for _, it := range plan.Items {
		s := it.Finding.Secret
		if _, stays := blocked[s]; !it.Fixed || stays || s == "" {
			continue
		}
		if _, seen := c.kinds[s]; seen {
			continue
		}
		c.kinds[s] = it.Kind
		c.forms = append(c.forms, form{text: []byte(s), secret: s})
		seen := map[string]bool{s: true}
		add := func(v, how string) {
			if !seen[v] {
				seen[v] = true
				c.forms = append(c.forms, form{text: []byte(v), secret: s, how: how})
			}
		}
		q := url.QueryEscape(s)
		add(q, "URL-encoded")
		add(url.PathEscape(s), "URL-encoded")
		add(lowerHex(q), "URL-encoded")
		if len(s) >= 8 {
			add(base64.StdEncoding.EncodeToString([]byte(s)), "base64-encoded")
		}
	}
	return c
}

// lowerHex writes the %XX escapes of an encoded string in lower case, as
// some encoders do.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = strings.ToLower(string(b[i+1]))[0]
			b[i+2] = strings.ToLower(string(b[i+2]))[0]
		}
	}
	return string(b)
}

// find returns the copies in text, by position.
func (c *copies) find(text []byte) []hit {
	var out []hit
	for _, f := range c.forms {
		for from := 0; ; {
			j := bytes.Index(text[from:], f.text)
			if j < 0 {
				break
			}
			j += from
			out = append(out, hit{start: j, end: j + len(f.text), kind: c.kinds[f.secret], how: f.how})
			from = j + len(f.text)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}
