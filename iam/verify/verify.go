// Package verify asks AWS STS whether a found key pair is live, with
// GetCallerIdentity (which needs no permission and changes nothing),
// signed by the AWS SDK for Go v2's SigV4 signer. Keys of canary-token
// accounts are never called, since any call trips the canary.
package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// DefaultEndpoint is STS's global endpoint.
const DefaultEndpoint = "https://sts.amazonaws.com/"

// Statuses.
const (
	Live    = "live"
	Dead    = "dead"
	Unknown = "unknown"
	Canary  = "canary"
)

// CanaryAccounts are the published canary-token (Thinkst) accounts.
var CanaryAccounts = map[string]bool{
	"052310077262": true, "171436882533": true, "534261010715": true, "595918472158": true, "717712589309": true,
	"819147034852": true, "992382622183": true, "730335385048": true, "266735846894": true, "893192397702": true,
}

// Verifier calls STS.
type Verifier struct {
	Endpoint string        // default DefaultEndpoint
	Region   string        // signing region; default: the endpoint's (sts.REGION.amazonaws.com[.cn]), else us-east-1
	Client   *http.Client  // default: 10 s timeout
	Interval time.Duration // at least this long between two calls (rate limit)
	// RetryDelay is the wait before the one retry of a SignatureDoesNotMatch
	// answer: STS gives it spuriously to two calls made seconds apart with
	// one key id and different secrets. Default 2s.
	RetryDelay time.Duration
}

const body = "Action=GetCallerIdentity&Version=2011-06-15"

type pair struct{ id, secret string }

// Findings verifies every AWS key pair among fs (a secret finding with its
// KeyID, and the key id's finding) and sets Verification on them, one call
// per distinct pair.
func (v *Verifier) Findings(ctx context.Context, fs []scanner.Finding) {
	results := map[pair]*scanner.Verification{}
	byID := map[string]*scanner.Verification{}
	var last time.Time
	for i := range fs {
		f := &fs[i]
		if f.KeyID == "" || f.Secret == "" || f.Secret == f.KeyID {
			continue
		}
		p := pair{f.KeyID, f.Secret}
		r, ok := results[p]
		if !ok {
			if wait := v.Interval - time.Since(last); !last.IsZero() && wait > 0 {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
			r = v.Pair(ctx, p.id, p.secret)
			if r.Status != Canary {
				last = time.Now()
			}
			results[p] = r
		}
		f.Verification = r
		if byID[p.id] == nil || r.Status == Live {
			byID[p.id] = r
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.Verification == nil && f.Secret != "" {
			if r, ok := byID[f.Secret]; ok { // the key id's own finding
				f.Verification = r
			}
		}
	}
}

// Pair verifies one key pair. Errors never hold the secret.
func (v *Verifier) Pair(ctx context.Context, keyID, secret string) *scanner.Verification {
	account := detectors.AccountFromKeyID(keyID)
	if CanaryAccounts[account] {
		return &scanner.Verification{Status: Canary, Account: account, Error: "canary-token account: not called"}
	}
	r := v.call(ctx, keyID, secret, account)
	if r.Status == Dead && r.Error == "SignatureDoesNotMatch" {
		delay := v.RetryDelay
		if delay == 0 {
			delay = 2 * time.Second
		}
		select {
		case <-ctx.Done():
			return r
		case <-time.After(delay):
		}
		r = v.call(ctx, keyID, secret, account)
	}
	return r
}

// call makes one GetCallerIdentity request.
func (v *Verifier) call(ctx context.Context, keyID, secret, account string) *scanner.Verification {
	endpoint, region, client := v.Endpoint, v.Region, v.Client
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	if region == "" {
		region = RegionOf(endpoint)
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if client.CheckRedirect == nil {
		// a signed request is never sent anywhere but the endpoint asked for
		c := *client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &c
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return &scanner.Verification{Status: Unknown, Error: "bad --sts-endpoint: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "sts", region, time.Now().UTC()); err != nil {
		return &scanner.Verification{Status: Unknown, Error: "signing failed"}
	}
	resp, err := client.Do(req)
	if err != nil {
		return &scanner.Verification{Status: Unknown, Error: netError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &scanner.Verification{Status: Unknown, Error: netError(err)}
	}
	if resp.StatusCode == http.StatusOK {
		var ok struct {
			ARN     string `xml:"GetCallerIdentityResult>Arn"`
			Account string `xml:"GetCallerIdentityResult>Account"`
		}
		if xml.Unmarshal(data, &ok) != nil || ok.ARN == "" {
			return &scanner.Verification{Status: Unknown, Error: "STS answered 200 without a caller identity"}
		}
		return &scanner.Verification{Status: Live, ARN: ok.ARN, Account: ok.Account}
	}
	var e struct {
		Code string `xml:"Error>Code"`
	}
	_ = xml.Unmarshal(data, &e)
	switch e.Code {
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken":
		// AWS rejected the pair itself: an unknown or deleted key id, or a
		// secret that does not belong to it.
		return &scanner.Verification{Status: Dead, Account: account, Error: e.Code}
	}
	code := e.Code
	if code == "" {
		code = "no error code"
	}
	return &scanner.Verification{Status: Unknown, Account: account, Error: fmt.Sprintf("STS answered %d (%s)", resp.StatusCode, code)}
}

// RegionOf is the SigV4 signing region of an STS endpoint: the region in a
// regional host name (sts.eu-west-1.amazonaws.com, sts-fips.us-gov-west-1...,
// sts.cn-north-1.amazonaws.com.cn), else us-east-1 (the global endpoint,
// and anything rolecall cannot read, such as a test server).
func RegionOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "us-east-1"
	}
	labels := strings.Split(strings.ToLower(u.Hostname()), ".")
	if len(labels) >= 4 && (labels[0] == "sts" || labels[0] == "sts-fips") && labels[2] == "amazonaws" && labels[1] != "" {
		return labels[1]
	}
	return "us-east-1"
}

// netError describes a transport error without the request (whose
// headers hold the key id).
func netError(err error) string {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer from STS (timeout)"
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	return "network error reaching STS"
}
