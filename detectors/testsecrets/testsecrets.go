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
	alnum  = upper + lower + digits
	hexa   = "0123456789abcdef"

	urlsafe     = alnum + "_-"
	letters     = upper + lower
	lowerDigits = lower + digits
	upperDigits = upper + digits
	hexUpper    = "0123456789ABCDEF"
	b32lower    = lower + "234567"
	b64         = upper + lower + digits + "+/"
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
	"github_pat":       func(s *Set) string { return s.crcToken("gh" + "p_") },
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
	"git_sha":        func(s *Set) string { return s.pick(hexa, 40) },
	"sha256":         func(s *Set) string { return s.pick(hexa, 64) },
	"uuid":           (*Set).uuid,
	"base64_blob":    func(s *Set) string { return s.Base64Blob(3000, false) },
	"png_akia":       func(s *Set) string { return s.Base64Blob(3000, true) },
	"short_password": func(s *Set) string { return s.pick(lower, 5) + s.pick(digits, 2) },
	"word":           func(s *Set) string { return s.pick("aeiou", 1) + s.pick(lower, 6) + s.pick("aeiou", 1) },
}

// catalogue generates the tokens of the provider rules with a plain
// prefix-and-alphabet format; the checksummed and encoded ones are in
// encoded.go.
var catalogue = map[string]func(s *Set) string{
	"gitlab_pat":                        tok("glpat-", run{urlsafe, 20}),
	"gitlab_deploy_token":               tok("gldt-", run{urlsafe, 20}),
	"gitlab_runner_token":               tok("glrt-", run{urlsafe, 20}),
	"gitlab_ci_job_token":               tok("glcbt-64_", run{urlsafe, 20}),
	"gitlab_pipeline_trigger_token":     tok("glptt-", run{hexa, 40}),
	"gitlab_other_token":                tok("glsoat-", run{urlsafe, 20}),
	"dockerhub_token":                   tok("dckr_pat_", run{urlsafe, 27}),
	"huggingface_org_token":             tok("api_org_", run{letters, 34}),
	"google_api_key":                    tok("AIza", run{urlsafe, 35}),
	"google_oauth_client_secret":        tok("GOCSPX-", run{urlsafe, 28}),
	"google_oauth_refresh_token":        tok("1//0", run{urlsafe, 60}),
	"google_oauth_access_token":         tok("ya29.", run{urlsafe, 80}),
	"azure_ad_client_secret":            tok(run{alnum, 3}, run{digits, 1}, "Q~", run{urlsafe, 34}),
	"azure_sas_token":                   tok(run{b64, 43}, "%3D"),
	"azure_ai_services_key":             tok(run{hexa, 32}),
	"azure_devops_pat":                  tok(run{b32lower, 52}),
	"alibaba_access_key_id":             tok("LTAI", run{alnum, 20}),
	"tencent_secret_id":                 tok("AKID", run{alnum, 32}),
	"ibm_cloud_api_key":                 tok(run{urlsafe, 44}),
	"digitalocean_token":                tok("dop_v1_", run{hexa, 64}),
	"heroku_api_key":                    tok("HRKU-AA", run{urlsafe, 58}),
	"cloudflare_api_token":              tok(run{urlsafe, 40}),
	"cloudflare_origin_ca_key":          tok("v1.0-", run{hexa, 24}, "-", run{hexa, 146}),
	"datadog_api_key":                   tok(run{hexa, 32}),
	"new_relic_key":                     tok("NRAK-", run{upperDigits, 27}),
	"sentry_user_token":                 tok("sntryu_", run{hexa, 64}),
	"grafana_service_account_token":     tok("glsa_", run{alnum, 32}, "_", run{hexa, 8}),
	"vault_token":                       tok("hvs.", run{urlsafe, 100}),
	"terraform_cloud_token":             tok(run{alnum, 14}, ".atlasv1.", run{urlsafe, 67}),
	"doppler_token":                     tok("dp.pt.", run{alnum, 43}),
	"twilio_credential":                 tok(run{hexa, 32}),
	"sendgrid_api_key":                  tok("SG.", run{urlsafe, 22}, ".", run{urlsafe, 43}),
	"mailgun_api_key":                   tok(run{hexa, 32}, "-", run{hexa, 8}, "-", run{hexa, 8}),
	"shopify_token":                     tok("shpat_", run{hexa, 32}),
	"atlassian_api_token":               tok("ATATT3", run{urlsafe, 180}, "=", run{hexUpper, 8}),
	"bitbucket_app_password":            tok("ATBB", run{alnum, 32}),
	"notion_token":                      tok("ntn_", run{alnum, 46}),
	"linear_api_key":                    tok("lin_api_", run{alnum, 40}),
	"postman_api_key":                   tok("PMAK-", run{hexa, 24}, "-", run{hexa, 34}),
	"snowflake_oauth_secret":            tok(run{b64, 44}),
	"databricks_oauth_secret":           tok("dose", run{hexa, 32}),
	"pinecone_api_key":                  tok("pcsk_", run{alnum, 5}, "_", run{alnum, 60}),
	"cohere_api_key":                    tok(run{alnum, 40}),
	"replicate_api_token":               tok("r8_", run{alnum, 37}),
	"groq_api_key":                      tok("gsk_", run{alnum, 52}),
	"mistral_api_key":                   tok(run{alnum, 32}),
	"together_api_key":                  tok(run{hexa, 64}),
	"perplexity_api_key":                tok("pplx-", run{alnum, 48}),
	"langsmith_api_key":                 tok("lsv2_pt_", run{hexa, 32}, "_", run{hexa, 10}),
	"langfuse_secret_key":               tok("sk-lf-", uuidPart{}),
	"confluent_api_secret":              tok(run{b64, 64}),
	"mongodb_atlas_key":                 tok("mdb_sa_sk_", run{urlsafe, 40}),
	"supabase_token":                    tok("sbp_", run{hexa, 40}),
	"vercel_token":                      tok(run{alnum, 24}),
	"netlify_token":                     tok("nfp_", run{alnum, 36}),
	"flyio_token":                       tok("FlyV1 fm2_", run{b64, 120}),
	"square_token":                      tok("EAAA", run{urlsafe, 60}),
	"braintree_access_token":            tok("access_token$production$", run{lowerDigits, 16}, "$", run{hexa, 32}),
	"stripe_webhook_secret":             tok("whsec_", run{alnum, 32}),
	"pulumi_access_token":               tok("pul-", run{hexa, 40}),
	"buildkite_token":                   tok("bkua_", run{hexa, 40}),
	"circleci_token":                    tok("CCIPAT_", run{alnum, 22}, "_", run{hexa, 40}),
	"sonarqube_token":                   tok("squ_", run{hexa, 40}),
	"jfrog_token":                       tok("AKCp", run{alnum, 69}),
	"okta_api_token":                    tok("00", run{urlsafe, 40}),
	"onepassword_service_account_token": tok("ops_eyJ", run{b64, 200}),
	"bitwarden_access_token":            tok("0.", uuidPart{}, ".", run{alnum, 30}, ":", run{b64, 22}, "=="),
	"infisical_token":                   tok("st.", uuidPart{}, ".", run{hexa, 32}, ".", run{hexa, 32}),
	"discord_webhook":                   tok("https://discord.com/api/webhooks/", run{digits, 18}, "/", run{urlsafe, 68}),
	"discord_bot_token":                 tok(run{letters, 24}, ".", run{urlsafe, 6}, ".", run{urlsafe, 38}),
	"teams_webhook":                     tok("https://acme.webhook.office.com/webhookb2/", run{hexa, 8}, "-1234-4abc-9def-", run{hexa, 12}, "@", run{hexa, 8}, "-5678-4abc-9def-", run{hexa, 12}, "/IncomingWebhook/", run{hexa, 32}, "/", run{hexa, 8}, "-9abc-4def-8012-", run{hexa, 12}),
	"telegram_bot_token":                tok(run{digits, 10}, ":AA", run{urlsafe, 33}),
	"mailchimp_api_key":                 tok(run{hexa, 32}, "-us", run{digits, 2}),
	"algolia_admin_key":                 tok(run{hexa, 32}),
	"contentful_pat":                    tok("CFPAT-", run{urlsafe, 43}),
	"figma_pat":                         tok("figd_", run{urlsafe, 40}),
	"airtable_pat":                      tok("pat", run{alnum, 14}, ".", run{hexa, 64}),
	"hubspot_private_app_token":         tok("pat-na1-", uuidPart{}),
	"salesforce_access_token":           tok("00D", run{alnum, 15}, "!AQ", run{alnum, 94}),
	"dbt_cloud_token":                   tok("dbtc_", run{urlsafe, 48}),
	"prefect_api_key":                   tok("pnu_", run{alnum, 36}),
	"modal_token_secret":                tok("as-", run{alnum, 22}),
	"elevenlabs_api_key":                tok("sk_", run{hexa, 48}),
	"deepseek_api_key":                  tok("sk-", run{hexa, 32}),
	"xai_api_key":                       tok("xai-", run{alnum, 80}),
	"openrouter_api_key":                tok("sk-or-v1-", run{hexa, 64}),
	"nvidia_api_key":                    tok("nvapi-", run{urlsafe, 64}),
	"cerebras_api_key":                  tok("csk-", run{lowerDigits, 48}),
	"stability_api_key":                 tok("sk-", run{alnum, 48}),
	"firebase_fcm_server_key":           tok("AAAA", run{urlsafe, 7}, ":APA91b", run{urlsafe, 134}),
	"facebook_access_token":             tok("EAAB", run{alnum, 150}),
	"shippo_live_token":                 tok("shippo_live_", run{hexa, 40}),
	"easypost_api_key":                  tok("EZAK", run{alnum, 54}),
	"flutterwave_secret_key":            tok("FLWSECK-", run{hexa, 32}, "-X"),
	"brevo_api_key":                     tok("xkeysib-", run{hexa, 64}, "-", run{alnum, 16}),
	"resend_api_key":                    tok("re_", run{alnum, 8}, "_", run{alnum, 24}),
	"harness_pat":                       tok("pat.", run{urlsafe, 22}, ".", run{hexa, 24}, ".", run{alnum, 20}),
	"readme_api_key":                    tok("rdme_", run{lowerDigits, 70}),
	"sourcegraph_token":                 tok("sgp_", run{hexa, 16}, "_", run{hexa, 40}),
	"tailscale_key":                     tok("tskey-auth-", run{alnum, 12}, "-", run{alnum, 30}),
	"axiom_token":                       tok("xaat-", uuidPart{}),
	"posthog_personal_api_key":          tok("phx_", run{alnum, 43}),
	"adobe_client_secret":               tok("p8e-", run{urlsafe, 32}),
	"planet_api_key":                    tok("PLAK", run{hexa, 32}),
	"dynatrace_token":                   tok("dt0c01.", run{upperDigits, 24}, ".", run{upperDigits, 64}),
	"honeycomb_api_key":                 tok("hcaik_", run{alnum, 58}),
	"planetscale_token":                 tok("pscale_pw_", run{urlsafe, 43}),
	"neon_api_key":                      tok("napi_", run{lowerDigits, 64}),
	"render_api_key":                    tok("rnd_", run{alnum, 32}),
	"rubygems_api_key":                  tok("rubygems_", run{hexa, 48}),
	"nuget_api_key":                     tok("oy2", run{lowerDigits, 43}),
	"crates_io_token":                   tok("cio", run{alnum, 32}),
	"akamai_edgegrid_token":             tok("akab-", run{lowerDigits, 16}, "-", run{lowerDigits, 16}),
	"teamcity_token":                    tok("eyJ0eXAiOiAiVENWMiJ9.", run{urlsafe, 36}, ".", run{urlsafe, 48}),
	"plaid_access_token":                tok("access-production-", uuidPart{}),
	"clickup_api_token":                 tok("pk_", run{digits, 8}, "_", run{upperDigits, 32}),
	"yandex_cloud_api_key":              tok("AQVN", run{urlsafe, 36}),
	"scaleway_secret_key":               tok(uuidPart{}),
	"linode_token":                      tok(run{hexa, 64}),
	"hetzner_cloud_token":               tok(run{alnum, 64}),
	"vultr_api_key":                     tok(run{upperDigits, 36}),
	"pagerduty_api_key":                 tok(run{hexa, 32}),
	"splunk_hec_token":                  tok(uuidPart{}),
	"rollbar_access_token":              tok(run{hexa, 32}),
	"snyk_token":                        tok(uuidPart{}),
	"codecov_token":                     tok(uuidPart{}),
	"asana_pat":                         tok("2/", run{digits, 16}, "/", run{digits, 16}, ":", run{hexa, 32}),
	"zendesk_api_token":                 tok(run{alnum, 40}),
	"looker_client_secret":              tok(run{alnum, 24}),
	"fivetran_api_secret":               tok(run{alnum, 32}),
	"tableau_pat_secret":                tok(run{b64, 22}, "==:", run{alnum, 32}),
}

func init() {
	for _, kinds := range []map[string]func(*Set) string{catalogue, encoded} {
		for k, g := range kinds {
			if generators[k] != nil {
				panic("testsecrets: kind " + k + " defined twice")
			}
			generators[k] = g
		}
	}
}

// run is n random characters from alphabet in a generated token.
type run struct {
	alphabet string
	n        int
}

// uuidPart is a random UUID in a generated token.
type uuidPart struct{}

// tok builds a generator from literal parts, random runs and UUIDs. A run holds
// every character class (upper, lower, digit) its alphabet fully has, as
// real tokens almost always do.
func tok(parts ...any) func(*Set) string {
	return func(s *Set) string {
		var b strings.Builder
		for _, p := range parts {
			switch p := p.(type) {
			case string:
				b.WriteString(p)
			case uuidPart:
				b.WriteString(s.uuid())
			case run:
				var classes []string
				for _, c := range []string{upper, lower, digits} {
					if p.n >= 3 && strings.Contains(p.alphabet, c) {
						classes = append(classes, c)
					}
				}
				b.WriteString(s.mixed(p.alphabet, p.n, classes...))
			}
		}
		return b.String()
	}
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
