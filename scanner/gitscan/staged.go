package gitscan

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/sourcegraph/conc/pool"

	"github.com/rolecall/rolecall/scanner"
)

// ScanStaged scans what `git commit` would record: every index entry whose
// blob differs from HEAD's at that path, reporting only secrets that HEAD's
// version of the file did not already hold.
func (r *Repo) ScanStaged(ctx context.Context, s *scanner.Scanner, opts Options) (*Result, error) {
	entries, err := readIndex(r.indexPath())
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	headTree := plumbing.ZeroHash
	if ref, err := r.main.Reference(plumbing.HEAD); err == nil {
		if h, ok := r.peel(ref); ok {
			c, err := object.GetCommit(r.objects, h)
			if err != nil {
				return nil, fmt.Errorf("reading HEAD: %w", err)
			}
			headTree = c.TreeHash
		}
	}
	d := &differ{read: chainTrees(r.objects)}
	var changes []change
	var skipped []scanner.Gap
	for _, e := range entries {
		// Stage 0 is a merged entry. (go-git's index.Merged constant is 1,
		// which is git's conflict "base" stage, so compare with 0.)
		// Conflicts block the commit; intent-to-add has no content yet.
		if e.Stage != 0 || e.IntentToAdd {
			continue
		}
		if e.sparseDir() {
			// A directory outside a sparse index's cone: what its tree
			// changes against HEAD's is staged.
			dir := strings.TrimSuffix(e.Name, "/")
			base := plumbing.ZeroHash
			if t, err := object.GetTree(r.objects, headTree); err == nil && !headTree.IsZero() {
				if te, err := t.FindEntry(dir); err == nil && te.Mode == filemode.Dir {
					base = te.Hash
				}
			}
			if err := d.diff(dir+"/", base, e.Hash, &changes); err != nil {
				return nil, fmt.Errorf("reading the sparse directory %s of the index: %w", dir, err)
			}
			continue
		}
		if e.Mode == filemode.Submodule {
			skipped = append(skipped, scanner.Gap{Path: e.Name, Object: e.Hash.String(), Reason: scanner.ReasonSubmodule + " (its own pre-commit hook scans it)"})
			continue
		}
		if e.Mode != filemode.Regular && e.Mode != filemode.Executable {
			continue
		}
		old, ok := d.blobAt(headTree, e.Name)
		if ok && old == e.Hash {
			continue
		}
		ch := change{path: e.Name, blob: e.Hash}
		if ok {
			ch.parents = []plumbing.Hash{old}
		}
		changes = append(changes, ch)
	}
	h := r.newHistoryScan(s, opts, 0)
	h.res.Skipped = skipped
	p := pool.New().WithMaxGoroutines(opts.Workers())
	for _, ch := range changes {
		if ctx.Err() != nil {
			break
		}
		p.Go(func() {
			h.recover(ch.path, "file", func() {
				var parents []*blobEntry
				for _, pb := range ch.parents {
					parents = append(parents, h.blobFor(pb, ch.path))
				}
				fs := h.introduced(h.blobFor(ch.blob, ch.path), parents)
				h.mu.Lock()
				h.res.Findings = append(h.res.Findings, fs...)
				h.mu.Unlock()
			})
		})
	}
	p.Wait()
	h.res.Blobs = int(h.blobsDone.Load())
	h.res.Bytes = h.bytesDone.Load()
	scanner.SortFindings(h.res.Findings)
	// Interrupted: what was found so far, with the context's error.
	return &h.res, ctx.Err()
}

// indexPath is the index git would commit from: GIT_INDEX_FILE, which git
// sets for hooks of `git commit FILE...` and `git commit -a`, else the
// git directory's index.
func (r *Repo) indexPath() string {
	if p := os.Getenv("GIT_INDEX_FILE"); p != "" {
		return p // relative to the working directory, as for git
	}
	return filepath.Join(r.Dir, "index")
}

// PushUpdate is one line of git's pre-push input.
type PushUpdate struct {
	LocalRef   string
	LocalSHA   plumbing.Hash
	RemoteRef  string
	RemoteSHA  plumbing.Hash
	Delete     bool // the local sha is all zeros
	NewBranch  bool // the remote sha is all zeros
	lineNumber int
}

// ParsePrePush reads git's pre-push stdin: one
// "<local ref> <local sha> <remote ref> <remote sha>" line per ref pushed.
func ParsePrePush(rd io.Reader) ([]PushUpdate, error) {
	var out []PushUpdate
	sc := bufio.NewScanner(rd)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 || !isObjectID(f[1]) || !isObjectID(f[3]) {
			return nil, fmt.Errorf("pre-push input line %d is %q; git sends \"<local ref> <local sha> <remote ref> <remote sha>\" (is this running as a pre-push hook?)", n, line)
		}
		u := PushUpdate{LocalRef: f[0], RemoteRef: f[2], lineNumber: n,
			Delete: isZeroID(f[1]), NewBranch: isZeroID(f[3])}
		if len(f[1]) != 40 || len(f[3]) != 40 {
			return nil, fmt.Errorf("pre-push input line %d: SHA-256 object ids are not supported yet", n)
		}
		u.LocalSHA, u.RemoteSHA = plumbing.NewHash(f[1]), plumbing.NewHash(f[3])
		out = append(out, u)
	}
	return out, sc.Err()
}

func isObjectID(s string) bool { return (len(s) == 40 || len(s) == 64) && isHexString(s) }

func isZeroID(s string) bool { return strings.Trim(s, "0") == "" }

// PushSelection picks the commits a push would send: for each updated ref,
// the local commits that no remote-tracking ref has and that the remote's
// old tip does not reach (remote_sha..local_sha). Deletes send nothing. A
// remote tip we do not have (someone else pushed since our last fetch) is
// ignored: the remote-tracking refs still bound the walk.
func (r *Repo) PushSelection(updates []PushUpdate) (Selection, error) {
	var sel Selection
	for _, u := range updates {
		if u.Delete {
			continue
		}
		// A tip that cannot be read stays included: the walk names it as
		// missing and the scan is incomplete, which blocks the push.
		sel.Include = append(sel.Include, u.LocalSHA)
		if !u.NewBranch && r.HasObject(u.RemoteSHA) {
			sel.Exclude = append(sel.Exclude, u.RemoteSHA)
		}
	}
	if len(sel.Include) == 0 {
		return sel, nil
	}
	refs, err := r.RemoteRefs()
	if err != nil {
		return sel, err
	}
	for _, ref := range refs {
		sel.Exclude = append(sel.Exclude, ref.Commit)
	}
	return sel, nil
}

// introduced scans a file version and returns the findings that none of
// its parents' versions (scanned only when it has findings) held.
func (h *historyScan) introduced(e *blobEntry, parents []*blobEntry) []scanner.Finding {
	if len(h.scanBlob(e, nil).findings) == 0 {
		return nil
	}
	var before []map[string]bool
	for _, pe := range parents {
		before = append(before, h.scanBlob(pe, nil).secrets)
	}
	var out []scanner.Finding
	for _, f := range e.findings {
		key := f.RuleID + "\x00" + f.Secret
		fresh := true
		for _, b := range before {
			if b[key] {
				fresh = false
				break
			}
		}
		if fresh {
			out = append(out, f)
		}
	}
	return out
}

// HeadFile returns the content of path (relative to the work tree,
// slash-separated) in the HEAD commit; ok is false when HEAD is unborn or
// has no such file.
func (r *Repo) HeadFile(path string) (data []byte, ok bool) {
	ref, err := r.main.Reference(plumbing.HEAD)
	if err != nil {
		return nil, false
	}
	h, ok := r.peel(ref)
	if !ok {
		return nil, false
	}
	c, err := object.GetCommit(r.objects, h)
	if err != nil {
		return nil, false
	}
	blob, ok := (&differ{read: chainTrees(r.objects)}).blobAt(c.TreeHash, path)
	if !ok {
		return nil, false
	}
	obj, err := r.objects.EncodedObject(plumbing.BlobObject, blob)
	if err != nil {
		return nil, false
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, false
	}
	defer rd.Close()
	data, err = io.ReadAll(rd)
	return data, err == nil
}
