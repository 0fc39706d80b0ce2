package org

import (
	"crypto/sha256"
	"encoding/json"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// blobCache remembers blob scans across repositories and runs. A scan is
// keyed by the blob and the class of its path (detectors.Engine.PathClass:
// file kind, language, path-scoped rules and allowlists), so a blob under
// another path of the same class is not read again, and its findings are
// attributed to the path asked for. Scans made by repositories still
// running are shared through pending; each repository writes the scans it
// made in its own commit and then drops them from memory.
type blobCache struct {
	store  *Store
	engine *detectors.Engine
	rules  string

	mu      sync.Mutex
	pending map[string][]byte
}

type blobEntry struct {
	key   string
	value []byte
}

// repoBlobs is the cache as one repository's scan sees it.
type repoBlobs struct {
	c     *blobCache
	key   *scanner.FingerprintKey // the repository's fingerprint key
	mu    sync.Mutex
	added []blobEntry
}

func newBlobCache(store *Store, engine *detectors.Engine, rules string) *blobCache {
	return &blobCache{store: store, engine: engine, rules: rules, pending: map[string][]byte{}}
}

func (c *blobCache) key(blob plumbing.Hash, path string) string {
	class := sha256.Sum256([]byte(c.engine.PathClass(path)))
	return string(blob[:]) + string(class[:8])
}

func (c *blobCache) forRepo() *repoBlobs { return &repoBlobs{c: c} }

// Get returns the findings of an earlier scan of blob under a path of the
// same class, moved to path.
func (r *repoBlobs) Get(blob plumbing.Hash, path string) ([]scanner.Finding, bool) {
	key := r.c.key(blob, path)
	r.c.mu.Lock()
	v, ok := r.c.pending[key]
	r.c.mu.Unlock()
	if !ok {
		v, ok = r.c.store.blob(r.c.rules, key)
	}
	if !ok {
		return nil, false
	}
	if len(v) == 0 {
		return nil, true
	}
	var fs []scanner.Finding
	if err := json.Unmarshal(v, &fs); err != nil {
		return nil, false // a damaged entry: scan the blob again
	}
	for i := range fs {
		r.c.store.unslim(&fs[i])
		fs[i].MoveTo(path, r.key)
	}
	return fs, true
}

// Put records a scan for other repositories and for the repository's
// commit.
func (r *repoBlobs) Put(blob plumbing.Hash, path string, fs []scanner.Finding) {
	var v []byte
	if len(fs) > 0 {
		slimmed := make([]scanner.Finding, len(fs))
		for i := range fs {
			slimmed[i] = slim(fs[i])
		}
		var err error
		if v, err = json.Marshal(slimmed); err != nil {
			return
		}
	} else {
		v = []byte{}
	}
	key := r.c.key(blob, path)
	r.c.mu.Lock()
	r.c.pending[key] = v
	r.c.mu.Unlock()
	r.mu.Lock()
	r.added = append(r.added, blobEntry{key, v})
	r.mu.Unlock()
}

// release drops the repository's scans from memory once they are stored
// (or the repository failed).
func (r *repoBlobs) release() {
	r.c.mu.Lock()
	for _, e := range r.added {
		delete(r.c.pending, e.key)
	}
	r.c.mu.Unlock()
	r.added = nil
}
