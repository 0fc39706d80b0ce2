package org_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
	"github.com/rolecall/rolecall/scanner/org"
	"github.com/rolecall/rolecall/scanner/org/orgtest"
	"github.com/rolecall/rolecall/scanner/report"
	"github.com/rolecall/rolecall/scanner/report/sariftest"
)

// scan is one org run and what it reported.
type scan struct {
	sum   org.Summary
	start string
	// byRepo holds each repository's findings as Done handed them on.
	byRepo map[string][]org.Finding
	warns  []string
}

func engine(t *testing.T, toml string) *detectors.Engine {
	t.Helper()
	var cfg *detectors.Config
	if toml != "" {
		p := filepath.Join(t.TempDir(), "rolecall.toml")
		if err := os.WriteFile(p, []byte(toml), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := detectors.LoadConfigFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cfg = c
	}
	eng, err := detectors.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func run(t *testing.T, cfg org.Config) *scan {
	t.Helper()
	s := &scan{byRepo: map[string][]org.Finding{}}
	var mu sync.Mutex
	if cfg.Engine == nil {
		cfg.Engine = engine(t, "")
	}
	if cfg.Rules == "" {
		cfg.Rules = "test"
	}
	if cfg.RunKey == "" {
		cfg.RunKey = "1/1"
	}
	cfg.Done = func(repo string, fs []org.Finding, start string) error {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := s.byRepo[repo]; ok {
			t.Errorf("%s reported twice", repo)
		}
		s.byRepo[repo] = fs
		return nil
	}
	cfg.Warn = func(w scanner.Warning) {
		mu.Lock()
		s.warns = append(s.warns, w.String())
		mu.Unlock()
	}
	res, err := org.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.sum, s.start = res.Summary, res.Start
	return s
}

// secrets lists "repo file:line" of each finding whose secret is set's name.
func (s *scan) places(set *testsecrets.Set, name string) []string {
	var out []string
	for repo, fs := range s.byRepo {
		for _, f := range fs {
			if f.Secret == set.Get(name) {
				out = append(out, fmt.Sprintf("%s %s:%d", repo, f.File, f.Line))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestOrgOverGitHTTP(t *testing.T) {
	set := testsecrets.New(111)
	srv := orgtest.New(t)
	srv.Token = testsecrets.New(110).Get("password")

	alpha := gittest.New(t)
	alpha.Write("app.py", "import boto3\n")
	alpha.Commit("start")
	alpha.Write("app.py", fmt.Sprintf("import boto3\naws_secret_access_key = %q\n", set.Get("aws_secret")))
	alpha.Commit("key")
	srv.Add(t, "alpha", alpha.Dir)
	srv.Add(t, "empty", gittest.New(t).Dir)
	private := gittest.New(t)
	private.Write("notes.md", fmt.Sprintf("token: %s\n", set.Get("github_pat")))
	private.Commit("notes")
	srv.Add(t, "private", private.Dir)
	srv.Private["private"] = true
	srv.Add(t, "broken", alpha.Dir)
	srv.Broken["broken"] = true

	var repos []org.Repository
	for _, n := range []string{"alpha", "empty", "private", "broken"} {
		repos = append(repos, org.Repository{Name: "acme/" + n, URL: srv.CloneURL(n)})
	}
	repos = append(repos, org.Repository{Name: "missing", Path: filepath.Join(t.TempDir(), "nothing")})
	state := t.TempDir()
	cfg := org.Config{Repos: repos, State: state, Jobs: 2, Auth: org.Auth{Token: srv.Token, Origins: []string{srv.URL}}}

	first := run(t, cfg)
	failed := map[string]string{}
	for _, f := range first.sum.Failed {
		failed[f.Repository] = f.Error
	}
	if first.sum.Repositories != 5 || first.sum.Scanned != 3 || first.sum.Unchanged != 0 || len(failed) != 2 ||
		!strings.Contains(failed["acme/broken"], "500") || failed["missing"] == "" {
		t.Fatalf("first run: %+v", first.sum)
	}
	if first.sum.CommitsScanned != 3 || first.sum.Findings != 2 || first.sum.NewFindings != 2 {
		t.Errorf("first run counts: %+v", first.sum)
	}
	if got := first.places(set, "aws_secret"); !reflect.DeepEqual(got, []string{"acme/alpha app.py:2"}) {
		t.Errorf("alpha's key: %v", got)
	}
	if got := first.places(set, "github_pat"); !reflect.DeepEqual(got, []string{"acme/private notes.md:1"}) {
		t.Errorf("the token-protected repository was not scanned: %v %v", got, first.sum.Failed)
	}
	for _, f := range first.byRepo["acme/alpha"] {
		if f.Repository != "acme/alpha" || f.FirstSeen != first.start || f.Commit == "" {
			t.Errorf("finding not attributed: %+v", f)
		}
	}

	// New commits: the next run scans only them.
	alpha.Write("deploy.sh", fmt.Sprintf("export AWS_SECRET_ACCESS_KEY=%s\n", set.Get("aws_secret.2")))
	alpha.Commit("deploy")
	alpha.Git("checkout", "-q", "-b", "feature")
	alpha.Write("more.txt", "nothing here\n")
	alpha.Commit("more")
	srv.Add(t, "alpha", alpha.Dir)
	second := run(t, cfg)
	if second.sum.CommitsScanned != 2 || second.sum.Scanned != 1 || second.sum.Unchanged != 2 || len(second.sum.Failed) != 2 {
		t.Errorf("second run: %+v", second.sum)
	}
	if second.sum.Findings != 3 || second.sum.NewFindings != 1 {
		t.Errorf("second run findings: %+v", second.sum)
	}
	for _, f := range second.byRepo["acme/alpha"] {
		isNew := f.Secret == set.Get("aws_secret.2")
		if isNew != (f.FirstSeen == second.start) || !isNew && f.FirstSeen != first.start {
			t.Errorf("first_seen of %s: %s (runs %s, %s)", f.File, f.FirstSeen, first.start, second.start)
		}
	}
	third := run(t, cfg)
	if third.sum.CommitsScanned != 0 || third.sum.Unchanged != 3 || third.sum.Findings != 3 || third.sum.NewFindings != 0 {
		t.Errorf("third run: %+v", third.sum)
	}

	// A damaged mirror (a pack cut short) is made again from scratch.
	packs, _ := filepath.Glob(filepath.Join(state, "mirrors", "acme_alpha-*.git", "objects", "pack", "*.pack"))
	if len(packs) == 0 {
		t.Fatal("no mirror pack")
	}
	for _, p := range packs {
		if err := os.Truncate(p, 100); err != nil {
			t.Fatal(err)
		}
	}
	alpha.Write("late.txt", "later\n")
	alpha.Commit("late")
	srv.Add(t, "alpha", alpha.Dir)
	fourth := run(t, cfg)
	if fourth.sum.CommitsScanned != 1 || len(fourth.sum.Failed) != 2 || fourth.sum.Findings != 3 {
		t.Errorf("after a damaged mirror: %+v", fourth.sum)
	}

	// Without the token the private repository fails with its reason, and
	// the token is never sent to a host not named.
	cfg.State = t.TempDir()
	plain := strings.Replace(srv.URL, "http://", "https://", 1) // same host, another scheme
	for _, auth := range []org.Auth{{}, {Token: srv.Token, Origins: []string{"https://github.com", plain}}} {
		cfg.Auth = auth
		s := run(t, cfg)
		found := false
		for _, f := range s.sum.Failed {
			found = found || f.Repository == "acme/private" && strings.Contains(f.Error, "authentication")
		}
		if !found {
			t.Errorf("auth %+v: private repository did not fail for authentication: %+v", auth.Origins, s.sum.Failed)
		}
	}
}

// A fork and a vendored copy share blobs with the original: each blob is
// read once, and its findings are attributed in every repository, at the
// path each holds it under, with the path rules of that path.
func TestSharedBlobsReadOnce(t *testing.T) {
	set := testsecrets.New(112)
	orig := gittest.New(t)
	orig.Write("app.py", fmt.Sprintf("aws_secret_access_key = %q\n", set.Get("aws_secret")))
	orig.Write("README.md", "hello\n")
	orig.Commit("one")
	orig.Write("lib.py", "def f():\n    return 1\n")
	orig.Commit("two")
	fork := gittest.New(t)
	fork.Git("pull", "-q", orig.Dir, "main")
	fork.Write("extra.py", "x = 2\n")
	fork.Commit("fork's own")
	vendor := gittest.New(t)
	body, err := os.ReadFile(filepath.Join(orig.Dir, "app.py"))
	if err != nil {
		t.Fatal(err)
	}
	vendor.Write("third_party/app.py", string(body))
	vendor.Write("src/app.py", string(body))
	vendor.Commit("vendored")

	repos := []org.Repository{{Name: "orig", Path: orig.Dir}, {Name: "fork", Path: fork.Dir}, {Name: "vendor", Path: vendor.Dir}}
	eng := engine(t, "[[allowlists]]\npaths = [\"third_party/**\"]\n")
	s := run(t, org.Config{Repos: repos, State: t.TempDir(), Jobs: 1, Engine: eng})
	// Distinct blobs: app.py, README.md, lib.py, extra.py; src/app.py is
	// app.py's blob in a path of the same class, not read again;
	// third_party/app.py is not read at all: an allowlist covers that path,
	// so history skips it as allowlisted.
	if s.sum.BlobsScanned != 4 || s.sum.CommitsScanned != 6 {
		t.Errorf("blobs read %d (want 4), commits %d (want 6)", s.sum.BlobsScanned, s.sum.CommitsScanned)
	}
	want := []string{"fork app.py:1", "orig app.py:1", "vendor src/app.py:1"}
	if got := s.places(set, "aws_secret"); !reflect.DeepEqual(got, want) {
		t.Errorf("attribution: got %v, want %v (third_party/ is allowlisted)", got, want)
	}
	for repo, fs := range s.byRepo {
		for _, f := range fs {
			if f.Fingerprint != (*scanner.FingerprintKey)(nil).Fingerprint(f.RuleID, f.File, set.Get("aws_secret")) {
				t.Errorf("%s %s: fingerprint of another path", repo, f.File)
			}
		}
	}

	// Other rules: every commit and blob again, the findings keep the
	// time they were first seen.
	state := t.TempDir()
	cfg := org.Config{Repos: repos, State: state, Jobs: 1, Engine: eng}
	before := run(t, cfg)
	cfg.Rules = "other rules"
	after := run(t, cfg)
	if after.sum.CommitsScanned != 6 || after.sum.BlobsScanned != 4 || after.sum.Findings != 3 || after.sum.NewFindings != 0 {
		t.Errorf("rescan under other rules: %+v", after.sum)
	}
	for _, f := range after.byRepo["orig"] {
		if f.FirstSeen != before.start {
			t.Errorf("first_seen %s, want %s", f.FirstSeen, before.start)
		}
	}

	// The same blobs are not read again by a later run over new clones.
	again := run(t, org.Config{Repos: []org.Repository{{Name: "copy", Path: gittest.Clone(t, fork.Dir)}}, State: t.TempDir(), Jobs: 1, Engine: eng})
	if again.sum.BlobsScanned != 4 {
		t.Errorf("fresh state reads %d blobs, want 4", again.sum.BlobsScanned)
	}
}

// reportOf renders a run's repositories the way `rolecall org -f format`
// does at the end, with first_seen blanked (runs at different times).
func reportOf(t *testing.T, state string, names []string, format string) string {
	t.Helper()
	names = slices.Clone(names)
	slices.Sort(names)
	var b bytes.Buffer
	blank := func(yield func(org.RepoFindings, error) bool) {
		for r, err := range org.Stored(state, names, engine(t, "")) {
			for i := range r.Findings {
				r.Findings[i].FirstSeen = ""
			}
			if !yield(r, err) {
				return
			}
		}
	}
	if err := org.Write(&b, format, blank, report.Options{Rules: engine(t, "").Rules()}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestShardsMergeToOneRun(t *testing.T) {
	set := testsecrets.New(113)
	var repos []org.Repository
	var names []string
	for i := range 8 {
		r := gittest.New(t)
		r.Write("a.py", "x = 1\n")
		r.Commit("start")
		if i%3 != 2 {
			r.Write(fmt.Sprintf("d%d/conf.py", i), fmt.Sprintf("password = %q\n", set.Get(fmt.Sprintf("password.%d", i))))
			r.Commit("conf")
		}
		name := fmt.Sprintf("acme/repo-%d", i)
		repos = append(repos, org.Repository{Name: name, Path: r.Dir})
		names = append(names, name)
	}
	whole := t.TempDir()
	run(t, org.Config{Repos: repos, State: whole, Jobs: 3})
	for _, format := range []string{"json", "sarif", "jsonl"} {
		want := reportOf(t, whole, names, format)
		if format == "sarif" {
			if p := sariftest.Problems([]byte(want)); len(p) > 0 || strings.Count(want, `"repository": "acme/repo-`) < len(repos) {
				t.Errorf("SARIF: %v\n%s", p, want)
			}
		}
		for _, n := range []int{2, 4} {
			m := org.NewMerged()
			held := 0
			for k := 1; k <= n; k++ {
				shard := org.Shard{K: k, N: n}
				part := shard.Select(repos)
				held += len(part)
				state := t.TempDir()
				run(t, org.Config{Repos: part, State: state, Jobs: 2, RunKey: shard.String()})
				var pn []string
				for _, r := range part {
					pn = append(pn, r.Name)
				}
				file := filepath.Join(t.TempDir(), "shard."+format)
				if err := os.WriteFile(file, []byte(reportOf(t, state, pn, format)), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := m.ReadFile(file); err != nil {
					t.Fatal(err)
				}
				// A shard merged twice adds nothing.
				if k == 1 {
					if err := m.ReadFile(file); err != nil {
						t.Fatal(err)
					}
				}
			}
			if held != len(repos) {
				t.Fatalf("%d shards hold %d of %d repositories", n, held, len(repos))
			}
			var b bytes.Buffer
			if err := org.Write(&b, format, m.Repositories(), report.Options{ShowSecrets: true, Rules: engine(t, "").Rules()}); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != want {
				t.Errorf("%s, %d shards merged differ from one run:\n%s\nwant\n%s", format, n, got, want)
			}
		}
	}
}

func TestShardFlags(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{{"1/1", true}, {"3/4", true}, {"0/4", false}, {"5/4", false}, {"x", false}, {"1/0", false}} {
		if _, err := org.ParseShard(c.in); (err == nil) != c.ok {
			t.Errorf("ParseShard(%q): %v", c.in, err)
		}
	}
	s, err := org.IndexedShard(4, "0")
	if err != nil || s != (org.Shard{K: 1, N: 4}) {
		t.Errorf("index 0 of 4: %v %v", s, err)
	}
	for _, idx := range []string{"", "4", "-1", "a"} {
		if _, err := org.IndexedShard(4, idx); err == nil {
			t.Errorf("JOB_COMPLETION_INDEX=%q accepted", idx)
		}
	}
}

func TestGitHubListing(t *testing.T) {
	srv := orgtest.New(t)
	srv.RateLimited, srv.TooMany = true, true
	for i := range 5 {
		srv.Listed = append(srv.Listed, orgtest.Listed{FullName: fmt.Sprintf("acme/r%d", i), Served: fmt.Sprintf("r%d", i)})
	}
	srv.Listed = append(srv.Listed, orgtest.Listed{FullName: "acme/fork", Served: "fork", Fork: true},
		orgtest.Listed{FullName: "acme/old", Served: "old", Archived: true})
	for _, c := range []struct {
		gh   org.GitHub
		want int
	}{
		{org.GitHub{Org: "acme"}, 5},
		{org.GitHub{User: "ada", IncludeForks: true, IncludeArchived: true}, 7},
	} {
		var waits []string
		c.gh.API = srv.URL + "/api"
		c.gh.Wait = func(d time.Duration, why string) {
			waits = append(waits, fmt.Sprintf("%s %v", why, d > 0 && d <= 3*time.Second))
		}
		repos, err := c.gh.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(repos) != c.want || repos[0].Name != "acme/r0" || repos[0].URL != srv.CloneURL("r0") {
			t.Errorf("%+v: listed %+v", c.gh, repos)
		}
		srv.RateLimited, srv.TooMany = true, false
		t.Logf("waits: %v", waits)
		if len(waits) == 0 || !strings.Contains(waits[0], "rate limit true") {
			t.Errorf("the rate limit was not waited out: %v", waits)
		}
	}
}

func TestTooManyRequestsWaits(t *testing.T) {
	srv := orgtest.New(t)
	srv.TooMany = true
	for i := range 3 {
		srv.Listed = append(srv.Listed, orgtest.Listed{FullName: fmt.Sprintf("acme/r%d", i), Served: fmt.Sprintf("r%d", i)})
	}
	var waits []string
	gh := org.GitHub{Org: "acme", API: srv.URL + "/api", Wait: func(d time.Duration, why string) { waits = append(waits, why) }}
	repos, err := gh.List(context.Background())
	if err != nil || len(repos) != 3 {
		t.Fatalf("%v %v", repos, err)
	}
	if len(waits) != 1 || !strings.Contains(waits[0], "too many requests") {
		t.Errorf("waits: %v", waits)
	}
}

// --github-user NAME lists the private repositories too when NAME owns the
// token (through /user/repos); another user's, or without a token, only the
// public ones (/users/NAME/repos).
func TestGitHubUserListsPrivateForTokenOwner(t *testing.T) {
	srv := orgtest.New(t)
	srv.Token = testsecrets.New(133).Get("password")
	srv.Login = "Ada"
	for i := range 3 {
		srv.Listed = append(srv.Listed, orgtest.Listed{FullName: fmt.Sprintf("ada/r%d", i), Served: fmt.Sprintf("r%d", i), Private: i == 1})
	}
	for _, c := range []struct {
		user, token string
		want        []string
	}{
		{"ada", srv.Token, []string{"ada/r0", "ada/r1", "ada/r2"}},
		{"grace", srv.Token, []string{"ada/r0", "ada/r2"}},
		{"ada", "", []string{"ada/r0", "ada/r2"}},
	} {
		gh := org.GitHub{API: srv.URL + "/api", User: c.user, Token: c.token}
		repos, err := gh.List(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", c.user, err)
		}
		var got []string
		for _, r := range repos {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("user %s, token %v: listed %v, want %v", c.user, c.token != "", got, c.want)
		}
	}
	gh := org.GitHub{API: srv.URL + "/api", User: "ada", Token: "wrong"}
	if _, err := gh.List(context.Background()); err == nil || !strings.Contains(err.Error(), "GITHUB_TOKEN") {
		t.Errorf("a token GitHub refuses: %v", err)
	}
}

// A local path that is not itself a repository, or that holds a FIFO where
// git keeps a file, fails with its reason at once: it is neither taken for
// an empty repository (a silent clean), nor for the repository of a parent
// directory, nor read (which would block for ever); the run goes on.
func TestLocalNonRepositoriesFail(t *testing.T) {
	good := gittest.New(t)
	good.Write("a.txt", "hello\n")
	good.Commit("one")
	root := t.TempDir()
	mkfifo := func(p string) {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
	}
	cases := []struct {
		name, reason string
		make         func(dir string)
	}{
		{"empty-dotgit", "has no HEAD file", func(d string) { os.MkdirAll(filepath.Join(d, ".git"), 0o755) }},
		{"fifo-dotgit", "FIFO", func(d string) { os.MkdirAll(d, 0o755); mkfifo(filepath.Join(d, ".git")) }},
		{"fifo-head", "has no HEAD file", func(d string) {
			os.MkdirAll(filepath.Join(d, "objects"), 0o755)
			os.MkdirAll(filepath.Join(d, "refs"), 0o755)
			mkfifo(filepath.Join(d, "HEAD"))
		}},
		{"fifo-ref", "FIFO", func(d string) {
			gittest.Run(t, root, 0, "init", "-q", d)
			mkfifo(filepath.Join(d, ".git", "refs", "heads", "main"))
		}},
		{"fifo-config", "FIFO", func(d string) {
			gittest.Run(t, root, 0, "init", "-q", "--bare", d)
			os.Remove(filepath.Join(d, "config"))
			mkfifo(filepath.Join(d, "config"))
		}},
	}
	// A plain directory inside a repository is not that repository.
	inside := filepath.Join(good.Dir, "sub")
	os.MkdirAll(inside, 0o755)
	repos := []org.Repository{{Name: "good", Path: good.Dir}, {Name: "inside", Path: inside}}
	want := map[string]string{"inside": "has no HEAD file"}
	for _, c := range cases {
		d := filepath.Join(root, c.name)
		c.make(d)
		repos = append(repos, org.Repository{Name: c.name, Path: d})
		want[c.name] = c.reason
	}
	done := make(chan *scan)
	go func() { done <- run(t, org.Config{Repos: repos, State: t.TempDir(), Jobs: 2}) }()
	var s *scan
	select {
	case s = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("the run hangs")
	}
	if s.sum.Scanned != 1 || s.sum.CommitsScanned != 1 {
		t.Errorf("the good repository was not scanned: %+v", s.sum)
	}
	got := map[string]string{}
	for _, f := range s.sum.Failed {
		got[f.Repository] = f.Error
	}
	for name, reason := range want {
		if !strings.Contains(got[name], reason) {
			t.Errorf("%s: failure %q, want it to say %q", name, got[name], reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("failed %v, want %v", got, want)
	}
}

// GITHUB_TOKEN never travels over plain HTTP to another machine: a plain
// http:// --api-url with a token is refused before any request is made.
func TestTokenNotSentOverPlainHTTP(t *testing.T) {
	for _, api := range []string{"http://github.example.com/api/v3", "http://10.0.0.1:8080/api/v3"} {
		gh := org.GitHub{API: api, Org: "acme", Token: "t0ken", Client: &http.Client{Transport: failTransport{t}}}
		if _, err := gh.List(context.Background()); err == nil || !strings.Contains(err.Error(), "unencrypted") {
			t.Errorf("%s: %v", api, err)
		}
	}
}

type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("request sent to %s", r.URL)
	return nil, fmt.Errorf("no network in tests")
}
