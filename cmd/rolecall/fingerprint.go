package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
)

// fingerprintKeyEnv supplies the fingerprint key from outside the
// repository (a CI secret), ahead of the config and the root commit.
const fingerprintKeyEnv = "ROLECALL_FINGERPRINT_KEY"

// useFingerprintKey sets the key of this run's fingerprints: the
// environment, the config's fingerprintKey, else the root commit of the
// repository repo returns (nil outside git). It is loaded on the first
// finding only.
func (a *app) useFingerprintKey(repo func() *gitscan.Repo) *scanner.FingerprintKey {
	a.fpKey = a.fingerprintKeyOf(repo, &a.fpKeyWhy)
	return a.fpKey
}

// fingerprintKeyOf is the key of the repository repo returns (nil outside
// git), as useFingerprintKey describes, setting *why when there is none;
// org asks it once per repository, from several goroutines.
func (a *app) fingerprintKeyOf(repo func() *gitscan.Repo, why *string) *scanner.FingerprintKey {
	return scanner.NewFingerprintKey(func() ([]byte, string) {
		if k := os.Getenv(fingerprintKeyEnv); k != "" {
			return []byte("env\x00" + k), fingerprintKeyEnv
		}
		if a.configKey != "" {
			return []byte("config\x00" + a.configKey), "fingerprintKey in the config"
		}
		r := repo()
		if r == nil {
			*why = "not in a git repository"
			return nil, ""
		}
		root, err := r.RootCommit()
		if err != nil {
			*why = err.Error()
			if !errors.Is(err, gitscan.ErrNoRoot) {
				*why = "the root commit cannot be read"
			}
			return nil, ""
		}
		return []byte("root\x00" + root.String()), "the root commit " + root.String()[:12]
	})
}

// dirRepo opens the repository holding dir for the key, or returns nil.
func dirRepo(dir string) func() *gitscan.Repo {
	return func() *gitscan.Repo {
		r, err := gitscan.Open(dir, 1)
		if err != nil {
			return nil
		}
		return r // left open for the rest of the run: a few descriptors
	}
}

// warnUnkeyed says, once, that published fingerprints carry no key: a
// reader could test guesses of a secret against them.
func (a *app) warnUnkeyed() {
	if a.format != "json" && a.format != "sarif" {
		return
	}
	if src, used := a.fpKey.Source(); !used || src != "" {
		return
	}
	a.warn(scanner.Warning{Message: fmt.Sprintf("fingerprints in this report are not keyed (%s): set fingerprintKey in .rolecall.toml or %s so a reader of the report cannot test guesses of a secret", a.fpKeyWhy, fingerprintKeyEnv)})
}
