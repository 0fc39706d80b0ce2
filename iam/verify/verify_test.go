package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
)

// fakeSTS answers like STS: it recomputes the SigV4 signature of each
// request with the secret it knows for the key id (with the same signer
// library) and compares it with the one sent.
type fakeSTS struct {
	secrets map[string]string // key id -> secret; unknown ids are InvalidClientTokenId
	slow    map[string]bool   // key ids whose answer never comes in time
	region  string            // the region it signs for ("" means us-east-1)
	calls   atomic.Int32
	mu      sync.Mutex
	at      []time.Time // when each call came
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	f.mu.Lock()
	f.at = append(f.at, time.Now())
	f.mu.Unlock()
	auth := r.Header.Get("Authorization")
	cred := between(auth, "Credential=", "/")
	if f.slow[cred] {
		time.Sleep(500 * time.Millisecond)
	}
	secret, ok := f.secrets[cred]
	if !ok {
		stsError(w, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	body, _ := io.ReadAll(r.Body)
	date, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || string(body) != "Action=GetCallerIdentity&Version=2011-06-15" {
		stsError(w, "IncompleteSignature", "bad request")
		return
	}
	check, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), strings.NewReader(string(body)))
	check.Header.Set("Content-Type", r.Header.Get("Content-Type"))
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: cred, SecretAccessKey: secret}
	region := f.region
	if region == "" {
		region = "us-east-1"
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, check, hex.EncodeToString(sum[:]), "sts", region, date); err != nil ||
		check.Header.Get("Authorization") != auth {
		stsError(w, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::111122223333:user/etl</Arn>
    <UserId>AIDAEXAMPLEUSERID</UserId>
    <Account>111122223333</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`)
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

func stsError(w http.ResponseWriter, code, msg string) {
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, code, msg)
}

func TestVerify(t *testing.T) {
	ts := testsecrets.New(12)
	live, liveSecret := ts.AWSKeyID(), ts.AWSSecret()
	wrong := ts.AWSSecret()
	unknownID, unknownSecret := ts.AWSKeyID(), ts.AWSSecret()
	slow, slowSecret := ts.AWSKeyID(), ts.AWSSecret()
	canary := ts.AWSKeyIDFor("AKIA", "717712589309")

	fake := &fakeSTS{secrets: map[string]string{live: liveSecret, slow: slowSecret}, slow: map[string]bool{slow: true}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	v := &Verifier{Endpoint: srv.URL + "/", Client: &http.Client{Timeout: 200 * time.Millisecond}, Interval: time.Millisecond, RetryDelay: time.Millisecond}

	for _, c := range []struct {
		name, id, secret, status, errHas string
	}{
		{"live", live, liveSecret, Live, ""},
		{"wrong secret", live, wrong, Dead, "SignatureDoesNotMatch"},
		{"unknown key", unknownID, unknownSecret, Dead, "InvalidClientTokenId"},
		{"timeout", slow, slowSecret, Unknown, "timeout"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := fake.calls.Load()
			r := v.Pair(context.Background(), c.id, c.secret)
			if n := fake.calls.Load() - before; c.errHas == "SignatureDoesNotMatch" && n != 2 || c.errHas != "SignatureDoesNotMatch" && n != 1 {
				t.Errorf("%d calls (SignatureDoesNotMatch is retried once, nothing else is)", n)
			}
			if r.Status != c.status || !strings.Contains(r.Error, c.errHas) {
				t.Fatalf("got %+v, want status %s with error %q", r, c.status, c.errHas)
			}
			if strings.Contains(r.Error, c.secret) || strings.Contains(r.ARN, c.secret) {
				t.Fatal("secret in the result")
			}
			if c.status == Live && (r.ARN != "arn:aws:iam::111122223333:user/etl" || r.Account != "111122223333") {
				t.Fatalf("live result %+v", r)
			}
		})
	}

	t.Run("canary is never called", func(t *testing.T) {
		before := fake.calls.Load()
		r := v.Pair(context.Background(), canary, ts.AWSSecret())
		if r.Status != Canary || r.Account != "717712589309" {
			t.Fatalf("got %+v", r)
		}
		if fake.calls.Load() != before {
			t.Fatal("a canary key was sent to STS")
		}
	})

	t.Run("network error is unknown", func(t *testing.T) {
		down := &Verifier{Endpoint: "http://127.0.0.1:1/", Client: &http.Client{Timeout: time.Second}}
		r := down.Pair(context.Background(), live, liveSecret)
		if r.Status != Unknown || strings.Contains(r.Error, liveSecret) {
			t.Fatalf("got %+v", r)
		}
	})

	t.Run("one call per distinct pair", func(t *testing.T) {
		before := fake.calls.Load()
		fs := []scanner.Finding{
			{RuleID: "aws-access-key-id", Secret: live},
			{RuleID: "aws-secret-access-key", Secret: liveSecret, KeyID: live},
			{RuleID: "aws-secret-access-key", Secret: liveSecret, KeyID: live, File: "other.py"},
		}
		v.Findings(context.Background(), fs)
		if n := fake.calls.Load() - before; n != 1 {
			t.Fatalf("%d calls for one pair", n)
		}
		for _, f := range fs {
			if f.Verification == nil || f.Verification.Status != Live {
				t.Fatalf("finding %s not marked live: %+v", f.RuleID, f.Verification)
			}
		}
	})
}

// Findings waits at least Interval between two STS calls; a canary key,
// never sent, does not count.
func TestRateLimit(t *testing.T) {
	ts := testsecrets.New(13)
	fake := &fakeSTS{secrets: map[string]string{}}
	var fs []scanner.Finding
	for i := 0; i < 3; i++ {
		id, secret := ts.AWSKeyID(), ts.AWSSecret()
		fake.secrets[id] = secret
		fs = append(fs, scanner.Finding{RuleID: "aws-secret-access-key", Secret: secret, KeyID: id})
		if i == 0 {
			fs = append(fs, scanner.Finding{RuleID: "aws-secret-access-key", Secret: ts.AWSSecret(), KeyID: ts.AWSKeyIDFor("AKIA", "052310077262")})
		}
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	const gap = 150 * time.Millisecond
	v := &Verifier{Endpoint: srv.URL + "/", Interval: gap}
	v.Findings(context.Background(), fs)
	if len(fake.at) != 3 {
		t.Fatalf("%d calls, want 3", len(fake.at))
	}
	for i := 1; i < len(fake.at); i++ {
		// the server's clock: the wait is measured between the calls' arrivals,
		// less a margin for the request's own time on loopback
		if d := fake.at[i].Sub(fake.at[i-1]); d < gap-20*time.Millisecond {
			t.Errorf("calls %d and %d came %v apart, want at least %v", i, i+1, d, gap)
		}
	}
	if fs[1].Verification == nil || fs[1].Verification.Status != Canary {
		t.Errorf("canary: %+v", fs[1].Verification)
	}
}

// A regional or other-partition endpoint is signed for its own region.
func TestRegionalEndpoint(t *testing.T) {
	for endpoint, want := range map[string]string{
		"https://sts.amazonaws.com/":                   "us-east-1",
		"https://sts.eu-west-1.amazonaws.com/":         "eu-west-1",
		"https://sts.cn-north-1.amazonaws.com.cn/":     "cn-north-1",
		"https://sts-fips.us-gov-west-1.amazonaws.com": "us-gov-west-1",
		"http://127.0.0.1:8080/":                       "us-east-1",
		"://bad":                                       "us-east-1",
	} {
		if got := RegionOf(endpoint); got != want {
			t.Errorf("RegionOf(%q) = %q, want %q", endpoint, got, want)
		}
	}
	ts := testsecrets.New(14)
	id, secret := ts.AWSKeyID(), ts.AWSSecret()
	fake := &fakeSTS{secrets: map[string]string{id: secret}, region: "eu-west-1"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	// the regional host name resolves to the loopback server
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	v := &Verifier{Endpoint: "http://sts.eu-west-1.amazonaws.com/", Client: &http.Client{Transport: &http.Transport{DialContext: dial}}, RetryDelay: time.Millisecond}
	if r := v.Pair(context.Background(), id, secret); r.Status != Live {
		t.Fatalf("regional endpoint: %+v", r)
	}
}
