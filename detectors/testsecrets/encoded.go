package testsecrets

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/detectors/tokenfmt"
)

// crcToken returns PREFIX + 30 random base62 characters + their CRC-32
// checksum, the GitHub and npm token format.
func (s *Set) crcToken(prefix string) string {
	r := s.mixed(alnum, 30, upper, lower, digits)
	return prefix + r + tokenfmt.Base62CRC32(r)
}

func (s *Set) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.rng.IntN(256))
	}
	return b
}

// uuid returns a random version-4 UUID.
func (s *Set) uuid() string {
	return s.pick(hexa, 8) + "-" + s.pick(hexa, 4) + "-4" + s.pick(hexa, 3) + "-a" + s.pick(hexa, 3) + "-" + s.pick(hexa, 12)
}

// pypiMacaroon builds a PyPI token: a version-2 binary macaroon (location
// pypi.org, an identifier, one caveat, a 32-byte signature) in unpadded
// URL-safe base64.
func (s *Set) pypiMacaroon() string {
	field := func(typ byte, v []byte) []byte { return append([]byte{typ, byte(len(v))}, v...) }
	var m []byte
	m = append(m, 2)
	m = append(m, field(1, []byte("pypi.org"))...)
	m = append(m, field(2, []byte(s.uuid()))...)
	m = append(m, 0)
	m = append(m, field(2, []byte(`{"permissions": "user", "version": 1}`))...)
	m = append(m, 0, 0)
	m = append(m, field(6, s.bytes(32))...)
	return "py" + "pi-" + base64.RawURLEncoding.EncodeToString(m)
}

// jwtFor returns an HS256 JWT signed with secret.
func jwtFor(secret string) string {
	enc := base64.RawURLEncoding.EncodeToString
	signing := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"etl-job","iat":1700000000}`))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signing))
	return signing + "." + enc(mac.Sum(nil))
}

func b64json(format string, a ...any) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, format, a...))
}

// encoded generates the tokens whose format has a checksum or an encoded
// payload that the detectors verify.
var encoded = map[string]func(s *Set) string{
	"npm_access_token":  func(s *Set) string { return s.crcToken("np" + "m_") },
	"pypi_upload_token": (*Set).pypiMacaroon,
	"docker_config_auth": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte("ci-bot:" + s.Password()))
	},
	"docker_auth_nopass": func(s *Set) string { return base64.StdEncoding.EncodeToString([]byte("ci-bot:")) },
	"cloudflare_tunnel_token": func(s *Set) string {
		return b64json(`{"a":"%s","t":"%s","s":"%s"}`, s.pick(hexa, 32), s.uuid(), base64.StdEncoding.EncodeToString(s.bytes(32)))
	},
	"sentry_org_token": func(s *Set) string {
		payload := b64json(`{"iat":1700000000.5,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme-data"}`)
		return "sntr" + "ys_" + payload + "_" + s.mixed(b64[:62], 43, upper, lower, digits)
	},
	"grafana_cloud_token": func(s *Set) string {
		return "gl" + "c_" + b64json(`{"o":"%s","n":"stack-%s-metrics","k":"%s","m":{"r":"prod-eu-west-2"}}`, s.pick(digits, 6), s.pick(digits, 6), s.mixed(alnum, 24, upper, lower, digits))
	},
	"grafana_api_key": func(s *Set) string {
		return b64json(`{"k":"%s","n":"deploy","id":1}`, s.mixed(alnum, 32, upper, lower, digits))
	},
	"mapbox_secret_token": func(s *Set) string {
		payload := base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"u":"geo-team","a":"%s"}`, s.pick(lowerDigits, 25)))
		return "sk." + payload + "." + s.mixed(urlsafe, 22, upper, lower, digits)
	},
	"age_secret_key": func(s *Set) string {
		return strings.ToUpper(tokenfmt.Bech32Encode("age-secret-key-", s.bytes(32)))
	},
	"pgp_private_key": (*Set).PEMBody,
	"jwt_hmac_secret": func(s *Set) string { return s.mixed(alnum, 32, upper, lower, digits) },
	"jwt_signed":      func(s *Set) string { return jwtFor(s.Get("jwt_hmac_secret")) },
	"amazon_bedrock_api_key": func(s *Set) string {
		return "AB" + "SK" + base64.StdEncoding.EncodeToString([]byte("BedrockAPIKey-"+s.pick(lowerDigits, 4)+"-at-"+s.Account()+":"+s.mixed(b64, 60, upper, lower, digits)))
	},
	"intercom_access_token": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte("tok:" + s.uuid() + ":" + s.pick(hexa, 8)))
	},
	"neptune_api_token": func(s *Set) string {
		return b64json(`{"api_address":"https://app.neptune.ai","api_url":"https://app.neptune.ai","api_key":"%s"}`, s.uuid())
	},
	"putty_private_key": func(s *Set) string { return base64.StdEncoding.EncodeToString(s.bytes(48)) },
	// A credentials file encoded into one constant, once, twice and three
	// times (one more than rolecall decodes).
	"b64_aws_credentials": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte("[default]\naws_access_key_id = " + s.Get("aws_key_id") + "\naws_secret_access_key = " + s.Get("aws_secret") + "\n"))
	},
	"b64_github_env": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte("GITHUB_TOKEN=" + s.Get("github_pat") + "\n"))
	},
	// Decoys: checksummed tokens with a wrong checksum, a JWT whose key is
	// not in the file.
	"github_badsum": func(s *Set) string { t := s.crcToken("gh" + "p_"); return t[:len(t)-6] + "000000" },
	"npm_badsum":    func(s *Set) string { t := s.crcToken("np" + "m_"); return t[:len(t)-6] + "000000" },
	"jwt_foreign":   func(s *Set) string { return jwtFor(s.Password()) },
	"b64_b64_github": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString([]byte("token: " + s.Get("github_pat") + "\n"))))
	},
	"b64x3_github": func(s *Set) string {
		return base64.StdEncoding.EncodeToString([]byte(s.Get("b64_b64_github")))
	},
	"airflow_fernet_key": func(s *Set) string {
		return base64.URLEncoding.EncodeToString(s.bytes(32))
	},
}
