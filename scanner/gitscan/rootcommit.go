package gitscan

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// ErrNoRoot says the root commit cannot be known here: an unborn HEAD, or
// a shallow clone whose history stops before it.
var ErrNoRoot = errors.New("the root commit is not in this clone")

// RootCommit returns the first commit of HEAD's history, found by
// following first parents: the same in every full clone of a repository,
// which makes it a stable key for the fingerprints of findings.
//
// It reads through storage of its own: it is called from whichever scan
// worker first needs a fingerprint, while the other handles are in use.
func (r *Repo) RootCommit() (plumbing.Hash, error) {
	ref, err := storer.ResolveReference(r.main, plumbing.HEAD)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("%w (HEAD: %v)", ErrNoRoot, err)
	}
	h := ref.Hash()
	objects := r.newObjectChain(cache.MiByte)
	defer objects.Close()
	for {
		if r.shallow[h] {
			return plumbing.ZeroHash, fmt.Errorf("%w: it is a shallow clone", ErrNoRoot)
		}
		c, err := object.GetCommit(objects, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%w: commit %s cannot be read (%v)", ErrNoRoot, h, err)
		}
		if len(c.ParentHashes) == 0 {
			return h, nil
		}
		h = c.ParentHashes[0]
	}
}
