// Package orgtest serves repositories for organisation-scan tests on
// loopback: git's own smart-HTTP backend (git http-backend behind
// net/http/cgi) under /git/, and a fake GitHub REST API under /api/ that
// lists them with Link-header pagination and rate limits.
package orgtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

// Server is a git server and GitHub API on one loopback address.
type Server struct {
	URL  string
	Root string // bare repositories NAME.git
	// Token is the password the repositories in Private require.
	Token   string
	Private map[string]bool
	// Broken repositories answer every request with a server error.
	Broken map[string]bool
	// gate, if set (SetGate), runs before a git request for a repository is
	// served (a test can hold the server there).
	gate func(repo string)
	// PageSize is the API's page size; RateLimited makes the first page
	// say the quota is spent until a second from now, and TooMany makes
	// the second page's first request answer 429 with Retry-After: 1.
	PageSize    int
	RateLimited bool
	TooMany     bool
	// API lists these repositories (full_name -> served name) for every
	// organisation and user; a Private one only to the owner: on
	// /user/repos with Token, whose owner GET /user names as Login.
	Listed []Listed
	Login  string

	mu       sync.Mutex
	requests map[string]int
	tooMany  bool
}

// Listed is one repository in the API's answers.
type Listed struct {
	FullName, Served        string
	Fork, Archived, Private bool
}

// New starts a server; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	gittest.Require(t)
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Root: t.TempDir(), Private: map[string]bool{}, Broken: map[string]bool{}, requests: map[string]int{}, PageSize: 2}
	home := t.TempDir()
	git := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Root: "/git",
		Env:  append(gittest.Env(home), "GIT_PROJECT_ROOT="+s.Root, "GIT_HTTP_EXPORT_ALL=1"),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/git/", func(w http.ResponseWriter, r *http.Request) {
		repo, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/git/"), ".git/")
		s.mu.Lock()
		s.requests[repo]++
		gate := s.gate
		broken, private := s.Broken[repo], s.Private[repo]
		s.mu.Unlock()
		if gate != nil {
			gate(repo)
		}
		if broken {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if private {
			if _, pw, ok := r.BasicAuth(); !ok || pw != s.Token {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		git.ServeHTTP(w, r)
	})
	mux.HandleFunc("/api/orgs/{owner}/repos", s.list)
	mux.HandleFunc("/api/users/{owner}/repos", s.list)
	mux.HandleFunc("/api/user", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"login": s.Login})
	})
	mux.HandleFunc("/api/user/repos", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			http.Error(w, `{"message":"Requires authentication"}`, http.StatusUnauthorized)
			return
		}
		s.list(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Add publishes the repository in dir as name (a bare copy); publish again
// to update it.
func (s *Server) Add(t testing.TB, name, dir string) {
	t.Helper()
	dst := filepath.Join(s.Root, name+".git")
	if out, err := exec.Command("git", "-C", dir, "rev-parse", "--verify", "-q", "HEAD").CombinedOutput(); err != nil || len(out) == 0 {
		gittest.Run(t, s.Root, 0, "init", "-q", "--bare", dst)
		return
	}
	if _, err := exec.Command("git", "-C", dst, "rev-parse", "--git-dir").Output(); err != nil {
		gittest.Run(t, s.Root, 0, "init", "-q", "--bare", dst)
	}
	gittest.Run(t, dir, 0, "push", "-q", "--force", dst, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
}

// CloneURL is the URL the repository is served at.
// SetGate sets the function that runs before each git request is served;
// it may be called while the server runs.
func (s *Server) SetGate(gate func(repo string)) {
	s.mu.Lock()
	s.gate = gate
	s.mu.Unlock()
}

func (s *Server) CloneURL(name string) string { return s.URL + "/git/" + name + ".git" }

// Requests counts the git requests made for a repository so far.
func (s *Server) Requests(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[name]
}

// authorized tells a request that carries Token the way the API takes it.
func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	return s.Token != "" && (auth == "Bearer "+s.Token || auth == "token "+s.Token)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	listed := s.Listed
	if r.URL.Path != "/api/user/repos" {
		listed = slices.DeleteFunc(slices.Clone(listed), func(l Listed) bool { return l.Private })
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	pages := max(1, (len(listed)+s.PageSize-1)/s.PageSize)
	if page == 2 && s.TooMany {
		s.mu.Lock()
		first := !s.tooMany
		s.tooMany = true
		s.mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"message":"too many requests"}`, http.StatusTooManyRequests)
			return
		}
	}
	if page == 1 && s.RateLimited {
		w.Header().Set("X-RateLimit-Limit", "60")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix()+1, 10))
	}
	var links []string
	link := func(p int, rel string) {
		links = append(links, fmt.Sprintf(`<%s%s?page=%d&per_page=%d>; rel="%s"`, s.URL, r.URL.Path, p, s.PageSize, rel))
	}
	if page < pages {
		link(page+1, "next")
		link(pages, "last")
	}
	if page > 1 {
		link(1, "first")
		link(page-1, "prev")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	var out []map[string]any
	for i := (page - 1) * s.PageSize; i < min(page*s.PageSize, len(listed)); i++ {
		l := listed[i]
		out = append(out, map[string]any{"full_name": l.FullName, "clone_url": s.CloneURL(l.Served), "fork": l.Fork,
			"archived": l.Archived, "private": l.Private})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
