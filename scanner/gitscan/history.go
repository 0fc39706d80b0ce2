package gitscan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/sourcegraph/conc/pool"

	"github.com/rolecall/rolecall/scanner"
)

// MessagePath is the file name reported for secrets in commit messages.
const MessagePath = "(commit message)"

// Options tune a history scan: the directory scan's options (workers, size
// limit, warnings) and what only history has.
type Options struct {
	scanner.Options
	// Progress, if set, is called about ten times a second while scanning.
	Progress func(Progress)
	// SkipMessages leaves commit messages unscanned.
	SkipMessages bool
	// Blobs, if set, remembers blob scans across runs and repositories, so
	// a blob that forks and vendored copies share is read once.
	Blobs BlobCache
}

// BlobCache holds what scanning a blob found. Detection depends on the
// path as well as the content (file kind, language, path-scoped rules and
// allowlists), so both methods take the path, and Get returns findings
// attributed to the path it is given.
type BlobCache interface {
	Get(blob plumbing.Hash, path string) (findings []scanner.Finding, ok bool)
	Put(blob plumbing.Hash, path string, findings []scanner.Finding)
}

// Progress counts work done so far.
type Progress struct {
	Commits, CommitsTotal int
	Blobs                 int
	Bytes                 int64
	Elapsed               time.Duration
}

// Result is what a history scan found.
type Result struct {
	Findings []scanner.Finding
	Commits  int
	// Blobs counts the blobs read and scanned: once per class of the
	// paths each is at (a renamed or copied file is not read again) and
	// not at all when Options.Blobs held the scan.
	Blobs int
	Bytes int64 // bytes of those blobs
	// Unreadable counts objects that could not be read (missing from a
	// partial clone, corrupt); UnreadableGaps names each (and so does a
	// warning).
	Unreadable     int
	UnreadableGaps []scanner.Gap
	Skipped        []scanner.Skipped
}

// Coverage is the record of what the scan read.
func (r *Result) Coverage() scanner.Coverage {
	return scanner.Coverage{CommitsScanned: r.Commits, BlobsScanned: r.Blobs,
		Skipped: r.Skipped, Unreadable: r.UnreadableGaps, Findings: len(r.Findings)}
}

// change is a file version a commit introduces: the blob at path differs
// from the blob at that path in every parent.
type change struct {
	path    string
	blob    plumbing.Hash
	parents []plumbing.Hash // blob at path in each parent that has one
}

// blobKey identifies a file version as findings name it: a blob at a path.
type blobKey struct {
	blob plumbing.Hash
	path string
}

// scanKey identifies a scan. Detection depends on the path only through
// its class (language, notebook format, path-scoped rules and allowlists:
// scanner.Scanner.PathClass), so a blob renamed or copied to a path of the
// same class is one scan, and two only under paths of two classes.
type scanKey struct {
	blob  plumbing.Hash
	class int32 // the class's number in historyScan.classes
}

// blobEntry is one (blob, path) the history holds: what findings and
// coverage name. Its scan is shared with the entries of the other paths of
// its class (see blobScan); the entry moves the findings to its path.
type blobEntry struct {
	blobKey
	scan       *blobScan
	next       *blobEntry // the next introduced entry of scan
	introduced bool       // some selected commit introduces it (else only a parent's version)
	once       sync.Once
	scanned    bool // set in once
	findings   []scanner.Finding
	secrets    map[string]bool // rule + "\x00" + secret
}

// blobScan is one blob scanned under one class of paths: read at most once,
// under the path of the first entry that asks, whatever the number of paths
// of the class it is at. There is one per (blob, class) the history holds,
// so it is kept small: what most scans end with (nothing found, nothing to
// say) is a nil res.
type blobScan struct {
	blob  plumbing.Hash
	first *blobEntry // the introduced entries (linked by next), which the pack-order read scans
	once  sync.Once
	res   *scanResult // set in once
}

// scanResult is what scanning a blob under path found and warned about, or
// why the blob was not read or not fully scanned (gap records that for one
// path: each path is a file version coverage names).
type scanResult struct {
	path     string
	findings []scanner.Finding
	secrets  map[string]bool
	warnings []string
	gap      func(path string)
}

// changeRec is a change of one commit, as indexes: the commit in the
// scanned list, the entry of the version it introduces and the entries of
// the parents' versions (parentKeys[pFirst:pFirst+pN]). Twelve bytes per
// change is all the scan keeps of the commits' trees.
type changeRec struct {
	commit, key, pFirst int32
	pN                  int32
}

// historyScan is the state of one ScanCommits run.
type historyScan struct {
	repo  *Repo
	pr    *packReader
	s     *scanner.Scanner
	opts  Options
	mu    sync.Mutex
	blobs []*blobEntry
	// keys finds the entry of a (blob, path), scans the scan of a (blob,
	// class), classes numbers the classes and pathClass caches each path's
	// (paths recur in every commit that changes them, and computing a class
	// runs over the rules). Made when first needed; ScanCommits drops them
	// once the changes are listed (the changes hold the entries' indexes),
	// so that they take no room while blobs are read.
	keys      map[blobKey]int32
	scans     map[scanKey]*blobScan
	classes   map[string]int32
	pathClass map[string]int32
	// changes and parentKeys: every selected commit's changes (see
	// changeRec); dropped once findings are attributed.
	changes    []changeRec
	parentKeys []int32
	res        Result
	warn       map[string]bool

	commitsDone atomic.Int64
	blobsDone   atomic.Int64
	bytesDone   atomic.Int64
}

// bulkCommits is how many commits make a scan read the packs itself:
// loading their indexes costs tens of milliseconds on a large repository,
// more than a pre-push or pre-commit scan of a few commits spends reading
// objects through go-git. (A variable for the tests of both paths.)
var bulkCommits = 64

// newHistoryScan prepares a scan of commits commits (0: the staged files).
func (r *Repo) newHistoryScan(s *scanner.Scanner, opts Options, commits int) *historyScan {
	h := &historyScan{repo: r, s: s, opts: opts, warn: map[string]bool{}}
	if commits < bulkCommits {
		h.pr = &packReader{fallback: r.readObject, cache: newBaseCache(0)}
		return h
	}
	h.pr = r.packs()
	for _, w := range h.pr.warnings {
		h.warnf("", "%s", w)
	}
	return h
}

// ScanCommits scans what each commit introduces (file versions and its
// message) and attributes every secret to the commit whose version of the
// file holds it while no parent's version does, with the line in that
// version.
//
// It works in three passes, so that blobs are read the way the packs store
// them rather than commit by commit: the commits' trees are compared to
// list the (blob, path) pairs they introduce; those are read in pack order
// (delta bases stay in the cache for the deltas that follow them) and each
// blob is scanned once per class of the paths it is at (a rename or copy
// is not read again: its findings are moved to the new path); then the
// few that hold findings are matched with the commits that introduced
// them, whose parents' versions are scanned, if they were not already, to
// tell new secrets from old ones.
func (r *Repo) ScanCommits(ctx context.Context, s *scanner.Scanner, commits []*object.Commit, opts Options) (*Result, error) {
	h := r.newHistoryScan(s, opts, len(commits))
	h.res.Commits = len(commits)
	start := time.Now()
	stop := make(chan struct{})
	var ticker sync.WaitGroup
	if opts.Progress != nil {
		ticker.Add(1)
		go func() {
			defer ticker.Done()
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					opts.Progress(h.progress(len(commits), start))
				}
			}
		}()
	}
	h.listChanges(ctx, commits)
	h.keys, h.scans, h.classes, h.pathClass = nil, nil, nil, nil
	h.pr.cache.reset()
	h.scanIntroduced(ctx)
	h.attribute(commits)
	close(stop)
	ticker.Wait()
	if opts.Progress != nil {
		opts.Progress(h.progress(len(commits), start))
	}
	h.res.Blobs = int(h.blobsDone.Load())
	h.res.Bytes = h.bytesDone.Load()
	SortHistory(h.res.Findings)
	h.res.Findings = earliestIntroductions(h.res.Findings)
	// Interrupted: what was found so far, with the context's error.
	return &h.res, ctx.Err()
}

// listChanges compares each commit's tree with its parents' (in parallel)
// and records what it introduces; commit messages are scanned on the way.
func (h *historyScan) listChanges(ctx context.Context, commits []*object.Commit) {
	trees := make(map[plumbing.Hash]plumbing.Hash, len(commits))
	for _, c := range commits {
		trees[c.Hash] = c.TreeHash
	}
	h.parallel(ctx, len(commits), func(i int, _ *int64) {
		h.recover(commits[i].Hash.String(), "commit", func() { h.listCommit(int32(i), commits[i], trees) })
		h.commitsDone.Add(1)
	})
}

// parallel runs fn(0..n-1) on the scan's workers, in order of i as far as
// workers take them; held is a counter of the worker's own (see visit).
func (h *historyScan) parallel(ctx context.Context, n int, fn func(i int, held *int64)) {
	var next atomic.Int64
	p := pool.New()
	for range h.opts.Workers() {
		p.Go(func() {
			var held int64
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(i, &held)
			}
		})
	}
	p.Wait()
}

// recover runs fn, turning a panic into a warning about what (a commit or
// a file version) was not fully scanned.
func (h *historyScan) recover(path, what string, fn func()) {
	defer func() {
		if v := recover(); v != nil {
			h.internalError(path, what, v, debug.Stack())
		}
	}()
	fn()
}

func (h *historyScan) internalError(path, what string, v any, stack []byte) {
	h.warnf(path, "internal error, %s not fully scanned (please report this): %v\n%s", what, v, stack)
}

func (h *historyScan) listCommit(ci int32, c *object.Commit, trees map[plumbing.Hash]plumbing.Hash) {
	if !h.opts.SkipMessages {
		fs, _ := h.s.Scan(scanner.Content{Path: MessagePath, Data: []byte(c.Message)})
		if len(fs) > 0 {
			h.mu.Lock()
			for _, f := range fs {
				h.res.Findings = append(h.res.Findings, withCommit(f, c))
			}
			h.mu.Unlock()
		}
	}
	changes, err := h.changesOf(c, trees)
	if err != nil {
		h.unreadable(c.Hash.String()[:12], "cannot read the tree of commit %s: %v", c.Hash, err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range changes {
		rec := changeRec{commit: ci, key: h.entryLocked(ch.blob, ch.path, true), pFirst: int32(len(h.parentKeys)), pN: int32(len(ch.parents))}
		for _, pb := range ch.parents {
			h.parentKeys = append(h.parentKeys, h.entryLocked(pb, ch.path, false))
		}
		h.changes = append(h.changes, rec)
	}
}

// entryLocked returns the index of the entry for (blob, path), adding it.
// (After the maps are dropped an entry made again is a new one, with a
// scan of its own: correct, only not shared.)
func (h *historyScan) entryLocked(blob plumbing.Hash, path string, introduced bool) int32 {
	if h.keys == nil {
		h.keys, h.scans, h.classes, h.pathClass = map[blobKey]int32{}, map[scanKey]*blobScan{}, map[string]int32{}, map[string]int32{}
	}
	k := blobKey{blob, path}
	i, ok := h.keys[k]
	if !ok {
		i = int32(len(h.blobs))
		h.keys[k] = i
		h.blobs = append(h.blobs, &blobEntry{blobKey: k, scan: h.scanLocked(blob, path)})
	}
	if e := h.blobs[i]; introduced && !e.introduced {
		e.introduced = true
		e.next, e.scan.first = e.scan.first, e
	}
	return i
}

// scanLocked returns the scan of blob under path's class, adding it.
func (h *historyScan) scanLocked(blob plumbing.Hash, path string) *blobScan {
	c, ok := h.pathClass[path]
	if !ok {
		class := h.s.PathClass(path)
		if c, ok = h.classes[class]; !ok {
			c = int32(len(h.classes))
			h.classes[class] = c
		}
		h.pathClass[path] = c
	}
	k := scanKey{blob, c}
	sc, ok := h.scans[k]
	if !ok {
		sc = &blobScan{blob: blob}
		h.scans[k] = sc
	}
	return sc
}

// scanIntroduced scans every introduced version once: those in packs by
// walking each pack's delta forest (see packorder.go), then the rest (loose
// objects, entries the forest could not build) one by one.
func (h *historyScan) scanIntroduced(ctx context.Context) {
	byPack := map[int32][]packedScan{}
	for _, e := range h.blobs {
		if sc := e.scan; sc.first == e { // each scan of introduced entries, once
			if loc := h.pr.locate(sc.blob); loc.pack >= 0 {
				byPack[loc.pack] = append(byPack[loc.pack], packedScan{loc.off, sc})
			}
		}
	}
	for pi := range int32(len(h.pr.packs)) {
		if scs := byPack[pi]; len(scs) > 0 {
			h.walkForest(ctx, pi, h.pr.forest(pi, scs))
		}
	}
	var rest []*blobEntry
	for _, e := range h.blobs {
		if e.introduced && !e.scanned {
			rest = append(rest, e)
		}
	}
	h.parallel(ctx, len(rest), func(i int, _ *int64) {
		h.recover(rest[i].path, "file", func() { h.scanBlob(rest[i], nil) })
	})
}

// attribute credits each finding to the commits that introduced its
// version without a parent's version holding the same secret.
func (h *historyScan) attribute(commits []*object.Commit) {
	for _, rec := range h.changes {
		e := h.blobs[rec.key]
		if len(e.findings) == 0 {
			continue
		}
		var parents []*blobEntry
		for _, pk := range h.parentKeys[rec.pFirst : rec.pFirst+rec.pN] {
			parents = append(parents, h.blobs[pk])
		}
		c := commits[rec.commit]
		for _, f := range h.introduced(e, parents) {
			h.res.Findings = append(h.res.Findings, withCommit(f, c))
		}
	}
	h.changes, h.parentKeys = nil, nil
}

// earliestIntroductions keeps, for each secret in each file (and each part
// of a notebook: a key in a cell and its echo in an output are two places),
// the findings of the earliest commit that introduced it. Branches, cherry
// picks and pull-request refs re-introduce the same file version many
// times; one report per place is what a person can act on. fs must be
// sorted oldest first.
func earliestIntroductions(fs []scanner.Finding) []scanner.Finding {
	first := map[string]string{} // place -> commit
	out := fs[:0]
	for _, f := range fs {
		place := f.Fingerprint
		if f.Notebook != nil {
			place += "\x00" + f.Notebook.Part
		}
		c, ok := first[place]
		if !ok {
			first[place] = f.Commit
		} else if c != f.Commit {
			continue
		}
		out = append(out, f)
	}
	return out
}

func (h *historyScan) progress(total int, start time.Time) Progress {
	return Progress{Commits: int(h.commitsDone.Load()), CommitsTotal: total, Blobs: int(h.blobsDone.Load()),
		Bytes: h.bytesDone.Load(), Elapsed: time.Since(start)}
}

func (h *historyScan) warnf(path, format string, args ...any) {
	w := scanner.Warning{Path: path, Message: fmt.Sprintf(format, args...)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.warn[w.String()] {
		return
	}
	h.warn[w.String()] = true
	if h.opts.Warn != nil {
		h.opts.Warn(w)
	}
}

func withCommit(f scanner.Finding, c *object.Commit) scanner.Finding {
	f.Commit = c.Hash.String()
	f.Author = c.Author.Name
	f.Email = c.Author.Email
	f.Date = c.Author.When.UTC().Format(time.RFC3339)
	return f
}

// scanBlob scans one file version once, whichever worker asks first. Every
// blob the history and staged scans look at goes through here. The scan is
// its class's (blobScan): made by the first entry of the class that is not
// allowlisted, moved to the path of each other. read supplies the content
// (nil: read it by id).
func (h *historyScan) scanBlob(e *blobEntry, read func() ([]byte, func(path string))) *blobEntry {
	e.once.Do(func() {
		e.scanned = true
		if h.allowlisted(e.path, e.blob) {
			return
		}
		r := h.scanAs(e.scan, e.path, read)
		if r == nil {
			return
		}
		if r.gap != nil {
			r.gap(e.path)
			return
		}
		for _, w := range r.warnings {
			h.warnf(e.path, "in blob %s: %s", e.blob.String()[:12], w)
		}
		e.findings, e.secrets = r.findings, r.secrets
		if e.path != r.path {
			e.findings = h.s.Moved(r.findings, e.path)
		}
	})
	return e
}

// scanAs makes sc's scan under path unless it is made (from Options.Blobs
// when that holds it, else from read) and returns its result. A scan that
// panics is a warning for each path of the class, as it would have been
// had each path been scanned, not a silent clean for the paths after the
// first.
func (h *historyScan) scanAs(sc *blobScan, path string, read func() ([]byte, func(path string))) *scanResult {
	sc.once.Do(func() {
		defer func() {
			if v := recover(); v != nil {
				stack := debug.Stack()
				sc.res = &scanResult{gap: func(path string) { h.internalError(path, "file", v, stack) }}
			}
		}()
		fs, ok := h.cachedScan(sc.blob, path)
		var warnings []string
		if !ok {
			if read == nil {
				read = func() ([]byte, func(string)) { return h.readBlob(sc) }
			}
			data, gap := read()
			if gap != nil {
				sc.res = &scanResult{gap: gap}
				return
			}
			fs, warnings = h.s.Scan(scanner.Content{Path: path, Data: data})
			if h.opts.Blobs != nil {
				h.opts.Blobs.Put(sc.blob, path, fs)
			}
		}
		if len(fs) == 0 && len(warnings) == 0 {
			return
		}
		sc.res = &scanResult{path: path, findings: fs, warnings: warnings}
		if len(fs) > 0 {
			sc.res.secrets = map[string]bool{}
			for _, f := range fs {
				sc.res.secrets[f.RuleID+"\x00"+f.Secret] = true
			}
		}
	})
	return sc.res
}

// cachedScan returns the findings Options.Blobs recorded for blob at path.
func (h *historyScan) cachedScan(blob plumbing.Hash, path string) ([]scanner.Finding, bool) {
	if h.opts.Blobs == nil {
		return nil, false
	}
	return h.opts.Blobs.Get(blob, path)
}

// blobFor returns the entry of (blob, path) for a scan outside the
// history's passes (staged files, a parent's version), adding it.
func (h *historyScan) blobFor(blob plumbing.Hash, path string) *blobEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.blobs[h.entryLocked(blob, path, false)]
}

// readBlob reads a blob by id.
func (h *historyScan) readBlob(sc *blobScan) ([]byte, func(path string)) {
	typ, data, err := h.pr.read(sc.blob, h.opts.SizeLimit())
	return h.accept(sc.blob, typ, data, err)
}

// accept checks what reading a blob gave: too big (skipped), an error
// (unreadable), not a blob, binary. It returns the content to scan, or
// else gap, which records why not for one path the blob is at (each path
// is a file version coverage names).
func (h *historyScan) accept(blob plumbing.Hash, typ plumbing.ObjectType, data []byte, err error) (_ []byte, gap func(path string)) {
	var big *tooBigError
	if err == nil && int64(len(data)) > h.opts.SizeLimit() {
		err = &tooBigError{int64(len(data))}
	}
	switch {
	case errors.As(err, &big):
		return nil, func(path string) { h.skipped(path, blob, big.size) }
	case err != nil:
		return nil, func(path string) {
			h.unreadable(path, "cannot read blob %s (%v); a partial or damaged clone? The other versions are still scanned", blob, err)
		}
	case typ != plumbing.BlobObject:
		return nil, func(path string) { h.unreadable(path, "cannot read blob %s: the object is a %s", blob, typ) }
	}
	if scanner.IsBinary(data) {
		return nil, func(path string) {
			h.skip(scanner.Gap{Path: path, Object: blob.String(), Reason: scanner.ReasonBinary})
		}
	}
	h.blobsDone.Add(1)
	h.bytesDone.Add(int64(len(data)))
	return data, nil
}

// skipped records a blob over the size limit; it is not read.
func (h *historyScan) skipped(path string, blob plumbing.Hash, size int64) {
	h.skip(scanner.Gap{Path: path, Object: blob.String(), Reason: fmt.Sprintf("%s: %d bytes, over --max-file-size", scanner.ReasonSize, size)})
	h.warnf(path, "skipped blob %s: %d bytes is over the size limit (raise it with --max-file-size)", blob.String()[:12], size)
}

// allowlisted records a file version a global allowlist covers, which is
// then not read.
func (h *historyScan) allowlisted(path string, blob plumbing.Hash) bool {
	if !h.s.PathAllowed(path) {
		return false
	}
	h.skip(scanner.Gap{Path: path, Object: blob.String(), Reason: scanner.ReasonAllowlisted})
	return true
}

// skip records a file version passed over on purpose; every skip in the
// history and staged scans goes through here.
func (h *historyScan) skip(g scanner.Gap) {
	h.mu.Lock()
	h.res.Skipped = append(h.res.Skipped, g)
	h.mu.Unlock()
}

// unreadable records and warns about something in scope that could not be
// read. path is a file path or an abbreviated commit id; the object is the
// first object id among args (the blob, tree or commit that failed).
func (h *historyScan) unreadable(path, format string, args ...any) {
	g := scanner.Gap{Path: path, Reason: fmt.Sprintf(format, args...)}
	for _, a := range args {
		if id, ok := a.(plumbing.Hash); ok {
			g.Object = id.String()
			break
		}
	}
	if g.Object == "" && len(path) == 12 && isHexString(path) {
		g.Object = path // a commit named by its abbreviated id
	}
	if g.Object != "" && strings.HasPrefix(g.Object, path) {
		g.Path = "" // the path was only the object's abbreviation
	}
	h.mu.Lock()
	h.res.Unreadable++
	h.res.UnreadableGaps = append(h.res.UnreadableGaps, g)
	h.mu.Unlock()
	h.warnf(path, format, args...)
}

// changesOf lists the file versions c introduces. The tree is compared
// with the first parent's by hash, so unchanged subtrees are never read;
// for a merge, a version that another parent already has was introduced
// there. trees holds the tree of each selected commit; other parents are
// read.
func (h *historyScan) changesOf(c *object.Commit, trees map[plumbing.Hash]plumbing.Hash) ([]change, error) {
	var parentTrees []plumbing.Hash
	for _, ph := range c.ParentHashes {
		if h.repo.shallow[c.Hash] {
			break // a shallow boundary: parents absent, diff against nothing
		}
		t, ok := trees[ph]
		if !ok {
			p, err := h.commit(ph)
			if err != nil {
				h.unreadable(c.Hash.String()[:12], "parent %s of commit %s is missing; its changes are compared with an empty tree", ph.String()[:12], c.Hash.String()[:12])
				continue
			}
			t = p.TreeHash
		}
		parentTrees = append(parentTrees, t)
	}
	d := &differ{read: h.tree}
	first := plumbing.ZeroHash
	if len(parentTrees) > 0 {
		first = parentTrees[0]
	}
	var out []change
	if err := d.diff("", first, c.TreeHash, &out); err != nil {
		return nil, err
	}
	if len(parentTrees) < 2 {
		return out, nil
	}
	kept := out[:0]
	for _, ch := range out {
		fromOther := false
		for _, pt := range parentTrees[1:] {
			b, ok := d.blobAt(pt, ch.path)
			if ok && b == ch.blob {
				fromOther = true
				break
			}
			if ok {
				ch.parents = append(ch.parents, b)
			}
		}
		if !fromOther {
			kept = append(kept, ch)
		}
	}
	return kept, nil
}

// tree reads and decodes a tree through the pack reader.
func (h *historyScan) tree(id plumbing.Hash) (*object.Tree, error) {
	obj, err := h.object(id, plumbing.TreeObject)
	if err != nil {
		return nil, err
	}
	t := &object.Tree{}
	return t, t.Decode(obj)
}

// commit reads and decodes a commit through the pack reader.
func (h *historyScan) commit(id plumbing.Hash) (*object.Commit, error) {
	obj, err := h.object(id, plumbing.CommitObject)
	if err != nil {
		return nil, err
	}
	c := &object.Commit{}
	return c, c.Decode(obj)
}

func (h *historyScan) object(id plumbing.Hash, want plumbing.ObjectType) (plumbing.EncodedObject, error) {
	typ, data, err := h.pr.read(id, 1<<62)
	if err != nil {
		return nil, err
	}
	if typ != want {
		return nil, fmt.Errorf("object %s is a %s, not a %s", id, typ, want)
	}
	return &rawObject{id: id, typ: typ, data: data}, nil
}

// differ compares trees, caching the trees it decodes for one commit.
type differ struct {
	read  func(plumbing.Hash) (*object.Tree, error)
	trees map[plumbing.Hash]*object.Tree
}

// chainTrees reads trees through go-git's storage (the staged scan's few).
func chainTrees(st *objectChain) func(plumbing.Hash) (*object.Tree, error) {
	return func(h plumbing.Hash) (*object.Tree, error) { return object.GetTree(st, h) }
}

var emptyTree = &object.Tree{}

func (d *differ) tree(hash plumbing.Hash) (*object.Tree, error) {
	if hash.IsZero() {
		return emptyTree, nil
	}
	if t, ok := d.trees[hash]; ok {
		return t, nil
	}
	t, err := d.read(hash)
	if err != nil {
		return nil, err
	}
	if d.trees == nil {
		d.trees = map[plumbing.Hash]*object.Tree{}
	}
	d.trees[hash] = t
	return t, nil
}

// diff appends to out every file in tree b whose blob differs from tree a's
// at the same path. Deleted files, symlinks and submodules are not content.
func (d *differ) diff(prefix string, a, b plumbing.Hash, out *[]change) error {
	if a == b {
		return nil
	}
	ta, err := d.tree(a)
	if err != nil {
		return err
	}
	tb, err := d.tree(b)
	if err != nil {
		return err
	}
	old := make(map[string]object.TreeEntry, len(ta.Entries))
	for _, e := range ta.Entries {
		old[e.Name] = e
	}
	for _, e := range tb.Entries {
		prev, had := old[e.Name]
		if had && prev.Hash == e.Hash && prev.Mode == e.Mode {
			continue
		}
		path := prefix + e.Name
		switch e.Mode {
		case filemode.Dir:
			base := plumbing.ZeroHash
			if had && prev.Mode == filemode.Dir {
				base = prev.Hash
			}
			if err := d.diff(path+"/", base, e.Hash, out); err != nil {
				return err
			}
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
			if had && prev.Hash == e.Hash {
				continue // only the mode changed
			}
			ch := change{path: path, blob: e.Hash}
			if had && (prev.Mode == filemode.Regular || prev.Mode == filemode.Executable || prev.Mode == filemode.Deprecated) {
				ch.parents = []plumbing.Hash{prev.Hash}
			}
			*out = append(*out, ch)
		}
	}
	return nil
}

// blobAt returns the blob at path in a tree.
func (d *differ) blobAt(tree plumbing.Hash, path string) (plumbing.Hash, bool) {
	t, err := d.tree(tree)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	for {
		dir, rest, nested := cutPath(path)
		var found *object.TreeEntry
		for i := range t.Entries {
			if t.Entries[i].Name == dir {
				found = &t.Entries[i]
				break
			}
		}
		if found == nil {
			return plumbing.ZeroHash, false
		}
		if !nested {
			if found.Mode == filemode.Dir || found.Mode == filemode.Submodule {
				return plumbing.ZeroHash, false
			}
			return found.Hash, true
		}
		if found.Mode != filemode.Dir {
			return plumbing.ZeroHash, false
		}
		if t, err = d.tree(found.Hash); err != nil {
			return plumbing.ZeroHash, false
		}
		path = rest
	}
}

func cutPath(p string) (first, rest string, nested bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			return p[:i], p[i+1:], true
		}
	}
	return p, "", false
}

// SortHistory orders findings oldest commit first, then by file and line.
func SortHistory(fs []scanner.Finding) {
	slices.SortStableFunc(fs, func(a, b scanner.Finding) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), scanner.Compare(&a, &b))
	})
}
