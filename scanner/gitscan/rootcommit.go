package gitscan

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// ErrNoRoot says the root commit cannot be known here: an unborn HEAD, or
// a shallow clone whose history stops before it.
var ErrNoRoot = errors.New("the root commit is not in this clone")

// RootCommit returns the first commit of HEAD's history, found by
// following first parents: the same in every full clone of a repository,
// which makes it a stable key for the fingerprints of findings.
func (r *Repo) RootCommit() (plumbing.Hash, error) {
	h, err := r.resolveBase("HEAD")
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w (%v)", ErrNoRoot, err)
	}
	for {
		if r.shallow[h] {
			return plumbing.ZeroHash, fmt.Errorf("%w: it is a shallow clone", ErrNoRoot)
		}
		c, err := object.GetCommit(r.objects, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: commit %s cannot be read (%v)", ErrNoRoot, h, err)
		}
		if len(c.ParentHashes) == 0 {
			return h, nil
		}
		h = c.ParentHashes[0]
	}
}
