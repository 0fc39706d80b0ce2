package detectors

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/detectors/tokenfmt"
)

// checkedToken is a token format whose structure a regex cannot check: a
// checksum, or a payload that must decode to what the provider puts there.
// A match that fails the check is a typo, a truncation or a made-up value,
// never a working token, so it is not reported.
type checkedToken struct {
	re    *regexp.Regexp
	valid func(tok string) bool
}

func (c checkedToken) detect(s *scan, r *Rule) []Match {
	ms := s.regexMatches(r, c.re, s.hitsOf(r))
	out := ms[:0]
	for _, m := range ms {
		if c.valid(m.Secret) {
			out = append(out, m)
		}
	}
	return out
}

// The formats below are written from the providers' documentation: a
// prefix, a length and alphabet, and where the format has one, a checksum
// or an encoded payload.
var checkedTokens = map[string]checkedToken{
	// GitHub and npm: 30 random base62 characters and their CRC-32 in
	// base 62 (GitHub's 2021 token format, adopted by npm).
	"github-token":     {regexp.MustCompile(`\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b`), tokenfmt.ValidBase62CRC32},
	"npm-access-token": {regexp.MustCompile(`\b(npm_[A-Za-z0-9]{36})\b`), tokenfmt.ValidBase62CRC32},
	// PyPI: "pypi-" and a base64url macaroon (version 2 binary format)
	// whose location field is pypi.org or test.pypi.org.
	"pypi-upload-token": {regexp.MustCompile(`\b(pypi-AgE[A-Za-z0-9_-]{50,})`), validPyPIMacaroon},
	// age: a Bech32 string with the "age-secret-key-" part, upper case.
	"age-secret-key": {regexp.MustCompile(`\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b`), tokenfmt.ValidBech32},
	// Payloads that are base64 JSON with the fields each provider sets.
	"sentry-org-token":        {regexp.MustCompile(`\b(sntrys_(eyJ[A-Za-z0-9+/]{20,}={0,2})_[A-Za-z0-9+/]{43})`), jsonPart(`sntrys_`, "_", "iat", "org")},
	"mapbox-secret-token":     {regexp.MustCompile(`\b(sk\.(eyJ[A-Za-z0-9_-]{8,})\.[A-Za-z0-9_-]{20,})`), jsonPart("sk.", ".", "u")},
	"grafana-cloud-token":     {regexp.MustCompile(`\b(glc_(eyJ[A-Za-z0-9+/]{20,}={0,2}))`), jsonPart("glc_", "", "o", "k")},
	"grafana-api-key":         {regexp.MustCompile(`\b(eyJrIjoi[A-Za-z0-9+/]{40,}={0,2})`), jsonPart("", "", "k", "n")},
	"cloudflare-tunnel-token": {regexp.MustCompile(`\b(eyJhIjoi[A-Za-z0-9+/]{40,}={0,2})`), jsonPart("", "", "a", "t", "s")},
	"neptune-api-token":       {regexp.MustCompile(`\b(eyJhcGlfYWRkcmVzcyI6[A-Za-z0-9+/]{40,}={0,2})`), jsonPart("", "", "api_address", "api_key")},
	// AWS Bedrock long-term API keys: "ABSK" and base64 of
	// "BedrockAPIKey-...".
	"amazon-bedrock-api-key": {regexp.MustCompile(`\b(ABSK[A-Za-z0-9+/]{100,}={0,2})`), decodesTo("ABSK", "BedrockAPIKey-")},
	// Intercom access tokens are base64 of "tok:...".
	"intercom-access-token": {regexp.MustCompile(`\b(dG9rO[A-Za-z0-9+/]{40,}={0,2})`), decodesTo("", "tok:")},
	// Airflow's Fernet key: 32 bytes in URL-safe base64 (44 characters).
	"airflow-fernet-key": {regexp.MustCompile(`(?i)fernet_key["']?\s*[:=]\s*["']?([A-Za-z0-9_-]{43}=)`), fernetKey},
	// A registry login in a Docker config.json: base64 of "user:password".
	"docker-config-auth": {regexp.MustCompile(`"auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})"`), dockerAuth},
}

func init() {
	for name, c := range checkedTokens {
		codeDetectors[name] = c.detect
	}
}

func validPyPIMacaroon(tok string) bool {
	raw, ok := tokenfmt.DecodeBase64(strings.TrimPrefix(tok, "pypi-"))
	if !ok || len(raw) < 4 || raw[0] != 2 || raw[1] != 1 {
		return false // version 2, then the location field
	}
	n := int(raw[2])
	if 3+n > len(raw) {
		return false
	}
	loc := string(raw[3 : 3+n])
	return loc == "pypi.org" || loc == "test.pypi.org"
}

// jsonPart returns a check that the token's payload (after prefix, up to
// the last sep if sep is not empty) is base64 JSON with every key given.
func jsonPart(prefix, sep string, keys ...string) func(string) bool {
	return func(tok string) bool {
		p := strings.TrimPrefix(tok, prefix)
		if sep != "" {
			i := strings.LastIndex(p, sep)
			if i < 0 {
				return false
			}
			p = p[:i]
		}
		raw, ok := tokenfmt.DecodeBase64(p)
		if !ok {
			return false
		}
		var obj map[string]any
		if json.Unmarshal(raw, &obj) != nil {
			return false
		}
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				return false
			}
		}
		return true
	}
}

// decodesTo returns a check that the token (after prefix) is base64 of
// text starting with want.
func decodesTo(prefix, want string) func(string) bool {
	return func(tok string) bool {
		p := strings.TrimPrefix(tok, prefix)
		raw, ok := tokenfmt.DecodeBase64(p)
		if !ok {
			// a run cut by the regex may lack its padding
			raw, ok = tokenfmt.DecodeBase64(p[:len(p)&^3])
		}
		return ok && bytes.HasPrefix(raw, []byte(want))
	}
}

// fernetKey checks that the value decodes to exactly 32 bytes.
func fernetKey(tok string) bool {
	raw, ok := tokenfmt.DecodeBase64(tok)
	return ok && len(raw) == 32 && !IsPlaceholder(tok)
}

// dockerAuth checks for "user:password" with a password that is not a
// placeholder.
func dockerAuth(tok string) bool {
	raw, ok := tokenfmt.DecodeBase64(tok)
	if !ok || !printable(raw) {
		return false
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	return ok && user != "" && len(pass) >= 6 && !IsPlaceholder(pass)
}

// printable reports whether b is text: printable ASCII, tabs and newlines,
// or UTF-8 above ASCII.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return len(b) > 0
}
