package gitscan

import (
	"cmp"
	"context"
	"fmt"
	"io"
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
	Blobs    int   // distinct file versions scanned
	Bytes    int64 // bytes of those versions
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

// blobKey identifies a scan: detection depends on the path (language,
// notebook format, path rules), so one blob under two names is two scans.
type blobKey struct {
	blob plumbing.Hash
	path string
}

type blobEntry struct {
	once     sync.Once
	findings []scanner.Finding
	secrets  map[string]bool // rule + "\x00" + secret
}

// historyScan is the state of one ScanCommits run.
type historyScan struct {
	repo  *Repo
	s     *scanner.Scanner
	opts  Options
	mu    sync.Mutex
	blobs map[blobKey]*blobEntry
	res   Result
	warn  map[string]bool

	commitsDone atomic.Int64
	blobsDone   atomic.Int64
	bytesDone   atomic.Int64
}

// ScanCommits scans what each commit introduces (file versions and its
// message) and attributes every secret to the commit whose version of the
// file holds it while no parent's version does, with the line in that
// version.
func (r *Repo) ScanCommits(ctx context.Context, s *scanner.Scanner, commits []*object.Commit, opts Options) (*Result, error) {
	h := &historyScan{repo: r, s: s, opts: opts, blobs: map[blobKey]*blobEntry{}, warn: map[string]bool{}}
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
	p := pool.New().WithMaxGoroutines(opts.Workers())
	for _, c := range commits {
		if ctx.Err() != nil {
			break
		}
		p.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					h.warnf(c.Hash.String(), "internal error, commit not fully scanned (please report this): %v\n%s", v, debug.Stack())
				}
			}()
			r.withObjects(func(st *objectChain) { h.scanCommit(st, c) })
			h.commitsDone.Add(1)
		})
	}
	p.Wait()
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

func (h *historyScan) scanCommit(st *objectChain, c *object.Commit) {
	changes, err := h.changes(st, c)
	if err != nil {
		h.unreadable(c.Hash.String()[:12], "cannot read the tree of commit %s: %v", c.Hash, err)
		return
	}
	var out []scanner.Finding
	for _, ch := range changes {
		for _, f := range h.introduced(st, ch) {
			out = append(out, withCommit(f, c))
		}
	}
	if !h.opts.SkipMessages {
		fs, _ := h.s.Scan(scanner.Content{Path: MessagePath, Data: []byte(c.Message)})
		for _, f := range fs {
			out = append(out, withCommit(f, c))
		}
	}
	if len(out) > 0 {
		h.mu.Lock()
		h.res.Findings = append(h.res.Findings, out...)
		h.mu.Unlock()
	}
}

func withCommit(f scanner.Finding, c *object.Commit) scanner.Finding {
	f.Commit = c.Hash.String()
	f.Author = c.Author.Name
	f.Email = c.Author.Email
	f.Date = c.Author.When.UTC().Format(time.RFC3339)
	return f
}

// scanBlob scans one file version once, whichever worker asks first.
func (h *historyScan) scanBlob(st *objectChain, blob plumbing.Hash, path string) *blobEntry {
	key := blobKey{blob, path}
	h.mu.Lock()
	e, ok := h.blobs[key]
	if !ok {
		e = &blobEntry{}
		h.blobs[key] = e
	}
	h.mu.Unlock()
	e.once.Do(func() {
		if h.allowlisted(path, blob) {
			return
		}
		data, ok := h.readBlob(st, blob, path)
		if !ok {
			return
		}
		fs, warnings := h.s.Scan(scanner.Content{Path: path, Data: data})
		for _, w := range warnings {
			h.warnf(path, "in blob %s: %s", blob.String()[:12], w)
		}
		e.findings = fs
		if len(fs) > 0 {
			e.secrets = map[string]bool{}
			for _, f := range fs {
				e.secrets[f.RuleID+"\x00"+f.Secret] = true
			}
		}
	})
	return e
}

func (h *historyScan) readBlob(st *objectChain, blob plumbing.Hash, path string) ([]byte, bool) {
	obj, err := st.EncodedObject(plumbing.BlobObject, blob)
	if err != nil {
		h.unreadable(path, "cannot read blob %s (%v); a partial or damaged clone? The other versions are still scanned", blob, err)
		return nil, false
	}
	if obj.Size() > h.opts.SizeLimit() {
		h.skipped(path, blob, obj.Size())
		return nil, false
	}
	rd, err := obj.Reader()
	if err != nil {
		h.unreadable(path, "cannot read blob %s: %v", blob, err)
		return nil, false
	}
	defer rd.Close()
	// The size is known: one exact allocation instead of ReadAll's doubling.
	data := make([]byte, obj.Size())
	if _, err := io.ReadFull(rd, data); err != nil {
		h.unreadable(path, "cannot read blob %s: %v", blob, err)
		return nil, false
	}
	if scanner.IsBinary(data) {
		h.skip(scanner.Gap{Path: path, Object: blob.String(), Reason: scanner.ReasonBinary})
		return nil, false
	}
	h.blobsDone.Add(1)
	h.bytesDone.Add(int64(len(data)))
	return data, true
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

// changes lists the file versions c introduces. The tree is compared with
// the first parent's by hash, so unchanged subtrees are never read; for a
// merge, a version that another parent already has was introduced there.
func (h *historyScan) changes(st *objectChain, c *object.Commit) ([]change, error) {
	var parentTrees []plumbing.Hash
	for _, ph := range c.ParentHashes {
		if h.repo.shallow[c.Hash] {
			break // a shallow boundary: parents absent, diff against nothing
		}
		p, err := object.GetCommit(st, ph)
		if err != nil {
			h.unreadable(c.Hash.String()[:12], "parent %s of commit %s is missing; its changes are compared with an empty tree", ph.String()[:12], c.Hash.String()[:12])
			continue
		}
		parentTrees = append(parentTrees, p.TreeHash)
	}
	d := &differ{st: st}
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

// differ compares trees, caching the trees it decodes for one commit.
type differ struct {
	st    *objectChain
	trees map[plumbing.Hash]*object.Tree
}

var emptyTree = &object.Tree{}

func (d *differ) tree(hash plumbing.Hash) (*object.Tree, error) {
	if hash.IsZero() {
		return emptyTree, nil
	}
	if t, ok := d.trees[hash]; ok {
		return t, nil
	}
	t, err := object.GetTree(d.st, hash)
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
