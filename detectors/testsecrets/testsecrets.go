// Package testsecrets makes realistic fake credentials at run time for
// tests, so that the repository itself never holds a string that a secret
// scanner (rolecall, GitHub push protection) would flag.
//
// Values are pseudo-random from a seed: the same seed gives the same values,
// so a failing test can be replayed, but no value is ever written in source.
package testsecrets

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
)

const (
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower  = "abcdefghijklmnopqrstuvwxyz"
	digits = "0123456789"
	b32    = upper + "234567"
	b64    = upper + lower + digits + "+/"
	alnum  = upper + lower + digits
	hexa   = "0123456789abcdef"
)

// Set hands out fake secrets; Get returns the same value for the same name.
type Set struct {
	rng    *rand.Rand
	values map[string]string
}

// New returns a Set seeded with seed.
func New(seed uint64) *Set {
	return &Set{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), values: map[string]string{}}
}

func (s *Set) pick(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// mixed returns n characters from alphabet that contain at least one of each
// class given, re-drawing until they do (real keys almost always do).
func (s *Set) mixed(alphabet string, n int, classes ...string) string {
	for {
		v := s.pick(alphabet, n)
		ok := true
		for _, c := range classes {
			if !strings.ContainsAny(v, c) {
				ok = false
			}
		}
		// Hand-typed-looking runs (abcdef) are rejected by detectors; so here.
		if ok && !hasRun(v) {
			return v
		}
	}
}

func hasRun(v string) bool {
	up, down := 1, 1
	for i := 1; i < len(v); i++ {
		switch int(v[i]) - int(v[i-1]) {
		case 1:
			up, down = up+1, 1
		case -1:
			down, up = down+1, 1
		default:
			up, down = 1, 1
		}
		if up >= 5 || down >= 5 {
			return true
		}
	}
	return false
}

// AWSKeyIDFor encodes account (12 digits) into an access key ID with the
// given four-letter prefix, the inverse of the offline account decoding.
func (s *Set) AWSKeyIDFor(prefix, account string) string {
	acct, err := strconv.ParseUint(account, 10, 64)
	if err != nil || acct >= 1<<40 {
		panic(fmt.Sprintf("testsecrets: bad account %q", account))
	}
	for {
		z := acct<<7 | uint64(s.rng.IntN(128)) | 1<<47
		var raw [10]byte
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], z)
		copy(raw[:6], b[2:])
		for i := 6; i < 10; i++ {
			raw[i] = byte(s.rng.IntN(256))
		}
		id := prefix + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:])
		if id[4] != 'I' && id[4] != 'J' && !hasRun(id[4:]) && !strings.Contains(id, "XXXX") {
			return id
		}
	}
}

// AWSKeyID returns an AKIA key ID for a random account.
func (s *Set) AWSKeyID() string { return s.AWSKeyIDFor("AKIA", s.Account()) }

// Account returns a random 12-digit AWS account number.
func (s *Set) Account() string {
	return fmt.Sprintf("%012d", 100000000000+s.rng.Int64N(899999999999))
}

// AWSSecret returns a 40-character secret access key.
func (s *Set) AWSSecret() string { return s.mixed(b64, 40, upper, lower, digits+"+/") }

// AWSSessionToken returns an STS-style session token.
func (s *Set) AWSSessionToken() string {
	raw := make([]byte, 300)
	for i := range raw {
		raw[i] = byte(s.rng.IntN(256))
	}
	return "FwoGZXIvYXdzE" + base64.StdEncoding.EncodeToString(raw)
}

// Password returns a strong 16-character password.
func (s *Set) Password() string {
	return s.mixed(alnum+"!#%^*-_", 16, upper, lower, digits, "!#%^*-_")
}

// PEMBody returns base64 lines that look like a private key body.
func (s *Set) PEMBody() string {
	raw := make([]byte, 600)
	for i := range raw {
		raw[i] = byte(s.rng.IntN(256))
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	var lines []string
	for len(enc) > 64 {
		lines = append(lines, enc[:64])
		enc = enc[64:]
	}
	return strings.Join(append(lines, enc), "\n")
}

// PEM returns a whole PEM block of the given type ("RSA ", "OPENSSH ", "").
func (s *Set) PEM(kind string) string {
	return "-----BEGIN " + kind + "PRIVATE KEY-----\n" + s.PEMBody() + "\n-----END " + kind + "PRIVATE KEY-----\n"
}

// Base64Blob returns n bytes of random data in base64, like an embedded
// image. With akia, an access-key-shaped run is planted inside the base64
// text (any run of base64 letters is valid base64), the decoy that fools
// scanners which read images as text.
func (s *Set) Base64Blob(n int, akia bool) string {
	raw := make([]byte, n)
	for i := range raw {
		raw[i] = byte(s.rng.IntN(256))
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	if akia {
		mid := len(enc) / 2
		enc = enc[:mid] + "AK" + "IA" + s.pick(b32, 16) + enc[mid+20:]
	}
	return enc
}

// generators name every kind of value a template can ask for.
var generators = map[string]func(s *Set) string{
	"aws_key_id":  (*Set).AWSKeyID,
	"aws_asia_id": func(s *Set) string { return s.AWSKeyIDFor("ASIA", s.Account()) },
	"aws_secret":  (*Set).AWSSecret,
	// Most real secrets hold a '/', which breaks naive URL handling.
	"aws_secret_slash": func(s *Set) string { v := s.AWSSecret(); return v[:12] + "/" + v[13:27] + "+" + v[28:] },
	"aws_token":        (*Set).AWSSessionToken,
	"password":         (*Set).Password,
	"github_pat":       func(s *Set) string { return "gh" + "p_" + s.mixed(alnum, 36, upper, lower, digits) },
	"github_fine":      func(s *Set) string { return "github" + "_pat_" + s.pick(alnum, 22) + "_" + s.pick(alnum, 59) },
	"slack_bot": func(s *Set) string {
		return "xo" + "xb-" + s.pick(digits, 12) + "-" + s.pick(digits, 13) + "-" + s.pick(alnum, 24)
	},
	"slack_webhook": func(s *Set) string {
		return "https://hooks.slack" + ".com/services/T" + s.pick(upper+digits, 10) + "/B" + s.pick(upper+digits, 10) + "/" + s.pick(alnum, 24)
	},
	"openai": func(s *Set) string {
		return "sk-" + "proj-" + s.pick(alnum+"_-", 74) + "T3Blbk" + "FJ" + s.pick(alnum+"_-", 74)
	},
	"anthropic":       func(s *Set) string { return "sk-" + "ant-api03-" + s.pick(alnum+"_-", 93) + "AA" },
	"huggingface":     func(s *Set) string { return "h" + "f_" + s.mixed(upper+lower, 34, upper, lower) },
	"databricks":      func(s *Set) string { return "da" + "pi" + s.pick(hexa, 32) },
	"stripe_live":     func(s *Set) string { return "sk" + "_live_" + s.mixed(alnum, 32, upper, lower, digits) },
	"stripe_test":     func(s *Set) string { return "sk" + "_test_" + s.mixed(alnum, 32, upper, lower, digits) },
	"azure_key":       func(s *Set) string { return s.mixed(b64, 86, upper, lower, digits) + "==" },
	"kaggle_key":      func(s *Set) string { return s.pick(hexa, 32) },
	"wandb_key":       func(s *Set) string { return s.pick(hexa, 40) },
	"pem_body":        (*Set).PEMBody,
	"pem_rsa":         func(s *Set) string { return s.PEM("RSA ") },
	"pem_openssh":     func(s *Set) string { return s.PEM("OPENSSH ") },
	"gcp_private_key": func(s *Set) string { return strings.ReplaceAll(s.PEM(""), "\n", `\n`) },
	"token":           func(s *Set) string { return s.mixed(alnum, 32, upper, lower, digits) },
	"db_password":     func(s *Set) string { return s.mixed(alnum, 14, upper, lower, digits) },
	"account":         (*Set).Account,
	"hex40":           func(s *Set) string { return s.pick(hexa, 40) },
	// Decoys: high-entropy strings that are not credentials.
	"git_sha": func(s *Set) string { return s.pick(hexa, 40) },
	"sha256":  func(s *Set) string { return s.pick(hexa, 64) },
	"uuid": func(s *Set) string {
		return s.pick(hexa, 8) + "-" + s.pick(hexa, 4) + "-4" + s.pick(hexa, 3) + "-a" + s.pick(hexa, 3) + "-" + s.pick(hexa, 12)
	},
	"base64_blob":    func(s *Set) string { return s.Base64Blob(3000, false) },
	"png_akia":       func(s *Set) string { return s.Base64Blob(3000, true) },
	"short_password": func(s *Set) string { return s.pick(lower, 5) + s.pick(digits, 2) },
	"word":           func(s *Set) string { return s.pick("aeiou", 1) + s.pick(lower, 6) + s.pick("aeiou", 1) },
}

// Get returns the value for name, generating it on first use. A name is a
// kind optionally followed by ".tag" to ask for a second, distinct value of
// the same kind ("aws_secret.2").
func (s *Set) Get(name string) string {
	if v, ok := s.values[name]; ok {
		return v
	}
	kind, _, _ := strings.Cut(name, ".")
	gen, ok := generators[kind]
	if !ok {
		panic(fmt.Sprintf("testsecrets: unknown kind %q", kind))
	}
	v := gen(s)
	s.values[name] = v
	return v
}

// Values returns every value handed out so far, by name.
func (s *Set) Values() map[string]string { return s.values }

// Template markers are "{{fake NAME}}" for values a scan must report and
// "{{decoy NAME}}" for values it must not. The words are chosen to be inert:
// an unfilled template must itself scan clean, so no "secret" or "password"
// next to the name (in a netrc or Dockerfile that reads as an assignment).
var marker = regexp.MustCompile(`\{\{(?:fake|decoy) ([a-z0-9_]+(?:\.[a-z0-9_]+)?)\}\}`)

// Fill replaces each marker in text with a generated value.
func (s *Set) Fill(text string) string {
	return marker.ReplaceAllStringFunc(text, func(m string) string {
		return s.Get(marker.FindStringSubmatch(m)[1])
	})
}
