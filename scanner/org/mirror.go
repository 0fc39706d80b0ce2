package org

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/transport"
	gitclient "github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// Auth says which hosts receive the token: GITHUB_TOKEN must not travel to
// a host that is not GitHub's (a clone URL in --repos may point anywhere).
type Auth struct {
	Token string
	// Origins receive the token: scheme://host[:port], as in the URL, so
	// that https://github.com does not admit http://github.com.
	Origins []string
}

func (a Auth) method(u *url.URL) transport.AuthMethod {
	if a.Token == "" || !slices.Contains(a.Origins, u.Scheme+"://"+u.Host) || !encryptedOrLocal(u) {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: a.Token}
}

// encryptedOrLocal tells a URL the token may travel to: HTTPS, or plain
// HTTP to this machine (a test server, a port-forward).
func encryptedOrLocal(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	return u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback())
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// mirrorDir is where the bare mirror of a repository lives: a readable
// name plus a hash, so distinct names never share a directory.
func mirrorDir(state, name string) string {
	sum := sha256.Sum256([]byte(name))
	base := unsafeName.ReplaceAllString(name, "_")
	if len(base) > 60 {
		base = base[len(base)-60:]
	}
	return filepath.Join(state, "mirrors", base+"-"+hex.EncodeToString(sum[:6])+".git")
}

var mirrorRefs = []config.RefSpec{"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"}

// mirror brings the bare mirror of rawURL in dir up to date: cloned the
// first time, fetched after. A mirror that cannot be opened or fetched
// into (a run killed mid-clone, a damaged pack) is made again from
// scratch once; a refusal by the server is not retried.
func mirror(ctx context.Context, dir, rawURL string, auth Auth) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	err = fetchInto(ctx, dir, rawURL, auth.method(u))
	if err == nil || ctx.Err() != nil || refused(err) {
		return err
	}
	if _, statErr := os.Stat(dir); statErr != nil {
		return err
	}
	if rmErr := os.RemoveAll(dir); rmErr != nil {
		return fmt.Errorf("%w; the mirror %s could not be removed to start again: %v", err, dir, rmErr)
	}
	return fetchInto(ctx, dir, rawURL, auth.method(u))
}

func refused(err error) bool {
	for _, e := range []error{transport.ErrAuthenticationRequired, transport.ErrAuthorizationFailed,
		transport.ErrRepositoryNotFound, transport.ErrInvalidAuthMethod} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// answerTimeout bounds the wait for a git server's answer to each request
// (not the transfer that follows): a server that accepts the connection
// and never answers would otherwise stall the run for ever.
var answerTimeout = 2 * time.Minute

var installHTTP sync.Once

// useHTTPTimeouts makes go-git's HTTP transport (one per process) give up
// on a server that does not answer.
func useHTTPTimeouts() {
	installHTTP.Do(func() {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = answerTimeout
		c := githttp.NewClient(&http.Client{Transport: t})
		gitclient.InstallProtocol("http", c)
		gitclient.InstallProtocol("https", c)
	})
}

func fetchInto(ctx context.Context, dir, rawURL string, auth transport.AuthMethod) error {
	useHTTPTimeouts()
	r, err := git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
			return err
		}
		r, err = git.PlainInit(dir, true)
		if err != nil {
			return err
		}
		_, err = r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{rawURL}, Fetch: mirrorRefs})
	}
	if err != nil {
		return err
	}
	err = r.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RemoteURL: rawURL, RefSpecs: mirrorRefs,
		Auth: auth, Tags: git.NoTags, Force: true, Prune: true})
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil
	}
	return err
}
