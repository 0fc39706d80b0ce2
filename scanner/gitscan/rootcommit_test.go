package gitscan

import (
	"errors"
	"testing"

	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

func TestRootCommit(t *testing.T) {
	r := gittest.New(t)
	r.Write("a", "1\n")
	root := r.Commit("one")
	r.Write("a", "2\n")
	r.Commit("two")
	r.Git("checkout", "-q", "-b", "side")
	r.Write("b", "3\n")
	r.Commit("three")
	for name, dir := range map[string]string{"repository": r.Dir, "clone": gittest.Clone(t, r.Dir)} {
		repo, err := Open(dir, 1)
		if err != nil {
			t.Fatal(err)
		}
		got, err := repo.RootCommit()
		repo.Close()
		if err != nil || got.String() != root {
			t.Errorf("%s: root %s, %v; want %s", name, got, err, root)
		}
	}
	shallow, err := Open(gittest.Clone(t, r.Dir, "--depth", "1"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer shallow.Close()
	if _, err := shallow.RootCommit(); !errors.Is(err, ErrNoRoot) {
		t.Errorf("shallow clone: %v, want ErrNoRoot", err)
	}
}
