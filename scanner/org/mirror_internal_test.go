package org

import (
	"net/url"
	"testing"
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
