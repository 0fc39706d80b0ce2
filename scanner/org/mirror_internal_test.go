package org

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The token goes with a clone only to a named origin, and only over HTTPS
// or to this machine.
func TestAuthMethodOrigins(t *testing.T) {
	a := Auth{Token: "t0ken", Origins: []string{"https://github.com", "http://ghe.example.com", "http://127.0.0.1:8080"}}
	for raw, want := range map[string]bool{
		"https://github.com/acme/r.git":     true,
		"http://github.com/acme/r.git":      false,
		"https://evil.example.com/acme/r":   false,
		"http://ghe.example.com/acme/r.git": false, // named, but plain HTTP off this machine
		"http://127.0.0.1:8080/acme/r.git":  true,
		"https://github.com.evil.example/r": false,
	} {
		u, _ := url.Parse(raw)
		if got := a.method(u) != nil; got != want {
			t.Errorf("%s: token sent %v, want %v", raw, got, want)
		}
	}
}

// A git server that accepts the connection and never answers fails the
// repository after answerTimeout instead of stalling the run.
func TestSilentServerTimesOut(t *testing.T) {
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hold }))
	defer srv.Close()
	defer close(hold)
	// The transport is installed once a process: install it again, with
	// a short timeout, and the usual one afterwards.
	defer func(d time.Duration) {
		answerTimeout, installHTTP = d, sync.Once{}
		useHTTPTimeouts()
	}(answerTimeout)
	answerTimeout, installHTTP = 300*time.Millisecond, sync.Once{}
	useHTTPTimeouts()
	done := make(chan error, 1)
	go func() {
		done <- mirror(context.Background(), filepath.Join(t.TempDir(), "m.git"), srv.URL+"/r.git", Auth{})
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("a silent server: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the fetch from a silent server hangs")
	}
}
