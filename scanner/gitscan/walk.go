package gitscan

import (
	"container/heap"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/rolecall/rolecall/scanner"
)

// Selection names commits the way `git rev-list INCLUDE --not EXCLUDE` does.
type Selection struct {
	Include []plumbing.Hash
	Exclude []plumbing.Hash
}

// Ref is a reference and the commit it points at.
type Ref struct {
	Name   plumbing.ReferenceName
	Commit plumbing.Hash
}

// Refs lists every reference that resolves to a commit: branches, tags
// (peeled), remote-tracking and other refs, and HEAD. Refs that point at
// trees, blobs or missing objects are left out; AllRefs names them.
func (r *Repo) Refs() ([]Ref, error) {
	refs, _, _, err := r.AllRefs()
	return refs, err
}

// AllRefs is Refs, and the refs that do not lead to a commit: gaps in
// Unreadable for a missing or unreadable target (the history behind it
// cannot be scanned), in Skipped for a ref to a tree or blob.
func (r *Repo) AllRefs() (refs []Ref, skipped, unreadable []scanner.Gap, err error) {
	refs, bad, err := r.refs(func(plumbing.ReferenceName) bool { return true }, true)
	for _, g := range bad {
		if strings.HasPrefix(g.Reason, notACommit) {
			skipped = append(skipped, g)
		} else {
			unreadable = append(unreadable, g)
		}
	}
	return refs, skipped, unreadable, err
}

// RemoteRefs lists the remote-tracking refs (refs/remotes/...).
func (r *Repo) RemoteRefs() ([]Ref, error) {
	refs, _, err := r.refs(plumbing.ReferenceName.IsRemote, false)
	return refs, err
}

// refs peels the references whose name passes keep; peeling reads an
// object per ref, so callers that need only some say which. bad names the
// refs that do not lead to a commit.
func (r *Repo) refs(keep func(plumbing.ReferenceName) bool, withHead bool) (out []Ref, bad []scanner.Gap, err error) {
	iter, err := r.main.IterReferences()
	if err != nil {
		return nil, nil, fmt.Errorf("reading references: %w (run git fsck; git pack-refs rewrites packed-refs)", err)
	}
	add := func(ref *plumbing.Reference) {
		h, err := r.peelRef(ref)
		switch {
		case err == nil:
			out = append(out, Ref{Name: ref.Name(), Commit: h})
		case !errors.Is(err, errUnborn):
			bad = append(bad, scanner.Gap{Ref: ref.Name().String(), Reason: err.Error()})
		}
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		if ref.Name() != plumbing.HEAD && keep(ref.Name()) {
			add(ref)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// HEAD is named only when detached: a branch it points at is named
	// already.
	if head, err := r.main.Reference(plumbing.HEAD); withHead && err == nil {
		if h, err := r.peelRef(head); err == nil {
			out = append(out, Ref{Name: plumbing.HEAD, Commit: h})
		} else if head.Type() == plumbing.HashReference {
			add(head)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, bad, nil
}

// errUnborn is a symbolic ref to a branch with no commit yet (a new
// repository's HEAD): nothing is missing.
var errUnborn = errors.New("unborn branch")

// notACommit starts the reason of a ref that points at a tree or a blob.
const notACommit = "points at a "

// peel resolves a reference (symbolic or not, through annotated tags) to a
// commit.
func (r *Repo) peel(ref *plumbing.Reference) (plumbing.Hash, bool) {
	h, err := r.peelRef(ref)
	return h, err == nil
}

func (r *Repo) peelRef(ref *plumbing.Reference) (plumbing.Hash, error) {
	for i := 0; ref.Type() == plumbing.SymbolicReference && i < 10; i++ {
		next, err := r.main.Reference(ref.Target())
		if err != nil {
			return plumbing.ZeroHash, errUnborn
		}
		ref = next
	}
	return r.peelObject(ref.Hash())
}

func (r *Repo) peelHash(h plumbing.Hash) (plumbing.Hash, bool) {
	c, err := r.peelObject(h)
	return c, err == nil
}

// peelObject follows annotated tags from h to a commit; the error says why
// it cannot, naming the object that is missing or unreadable.
func (r *Repo) peelObject(h plumbing.Hash) (plumbing.Hash, error) {
	for i := 0; i < 10; i++ {
		obj, err := r.objects.EncodedObject(plumbing.AnyObject, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return plumbing.ZeroHash, fmt.Errorf("%s: object %s is missing from the repository (fetch it again, or delete the ref)", scanner.ReasonUnresolvable, h)
		}
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: object %s cannot be read: %v (a damaged pack? run git fsck)", scanner.ReasonUnresolvable, h, err)
		}
		switch obj.Type() {
		case plumbing.CommitObject:
			if _, err := object.DecodeCommit(r.objects, obj); err != nil {
				return plumbing.ZeroHash, fmt.Errorf("%s: commit %s cannot be read: %v (a damaged pack? run git fsck)", scanner.ReasonUnresolvable, h, err)
			}
			return h, nil
		case plumbing.TagObject:
			tag, err := object.DecodeTag(r.objects, obj)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("%s: tag %s cannot be read: %v (run git fsck)", scanner.ReasonUnresolvable, h, err)
			}
			h = tag.Target
		default:
			return plumbing.ZeroHash, fmt.Errorf("%s%s (%s), not a commit: nothing to scan there", notACommit, obj.Type(), h)
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("%s: tags nested more than 10 deep at %s", scanner.ReasonUnresolvable, h)
}

// Resolve turns a revision into a commit: a full or abbreviated object id,
// HEAD, a branch, tag or remote name, a full ref name, each optionally
// followed by ~N or ^ (first parent).
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	base, steps, err := splitAncestry(rev)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := r.resolveBase(base)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	for i := 0; i < steps; i++ {
		c, err := object.GetCommit(r.objects, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("%s: %w", rev, err)
		}
		if len(c.ParentHashes) == 0 {
			return plumbing.ZeroHash, fmt.Errorf("%s: %s has no parent", rev, h)
		}
		h = c.ParentHashes[0]
	}
	return h, nil
}

func splitAncestry(rev string) (string, int, error) {
	steps := 0
	for {
		switch {
		case strings.HasSuffix(rev, "^"):
			rev, steps = rev[:len(rev)-1], steps+1
			continue
		case strings.Contains(rev, "~"):
			i := strings.LastIndexByte(rev, '~')
			n := 1
			if rest := rev[i+1:]; rest != "" {
				v, err := strconv.Atoi(rest)
				if err != nil || v < 0 {
					return "", 0, fmt.Errorf("%q: after ~ comes a number of generations", rev)
				}
				n = v
			}
			rev, steps = rev[:i], steps+n
			continue
		}
		return rev, steps, nil
	}
}

func (r *Repo) resolveBase(rev string) (plumbing.Hash, error) {
	if rev == "" {
		return plumbing.ZeroHash, errors.New("empty revision")
	}
	for _, name := range []string{rev, "refs/" + rev, "refs/heads/" + rev, "refs/tags/" + rev, "refs/remotes/" + rev, "refs/remotes/" + rev + "/HEAD"} {
		if ref, err := r.main.Reference(plumbing.ReferenceName(name)); err == nil {
			h, err := r.peelRef(ref)
			if err == nil {
				return h, nil
			}
			if !errors.Is(err, errUnborn) {
				return plumbing.ZeroHash, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	if len(rev) == 40 && plumbing.IsHash(rev) {
		if h, ok := r.peelHash(plumbing.NewHash(rev)); ok {
			return h, nil
		}
		return plumbing.ZeroHash, fmt.Errorf("%s is not a commit in this repository (fetch it first?)", rev)
	}
	if len(rev) >= 4 && len(rev) < 40 && isHexString(rev) {
		prefix, _ := hex.DecodeString(rev[:len(rev)&^1])
		hashes, err := r.objects.HashesWithPrefix(prefix)
		if err == nil {
			var found []plumbing.Hash
			for _, h := range hashes {
				if strings.HasPrefix(h.String(), strings.ToLower(rev)) {
					if c, ok := r.peelHash(h); ok {
						found = append(found, c)
					}
				}
			}
			switch len(found) {
			case 1:
				return found[0], nil
			case 0:
			default:
				return plumbing.ZeroHash, fmt.Errorf("%s is ambiguous: give more characters", rev)
			}
		}
	}
	return plumbing.ZeroHash, fmt.Errorf("unknown revision %q: give a commit id, branch, tag or ref name", rev)
}

func isHexString(s string) bool {
	for _, c := range strings.ToLower(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Walk flags.
const (
	seen          = 1
	uninteresting = 2
)

type walkItem struct {
	c     *object.Commit
	flags uint8
}

type commitQueue []*walkItem

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	return q[i].c.Committer.When.After(q[j].c.Committer.When)
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*walkItem)) }
func (q *commitQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// WalkResult lists the selected commits (newest first by committer date)
// and what could not be read.
type WalkResult struct {
	Commits []*object.Commit
	// Missing are commits referenced but absent (not shallow boundaries).
	Missing []plumbing.Hash
	// Unreadable names each missing commit and why it could not be read.
	Unreadable []scanner.Gap
	// Shallow are selected commits at a shallow clone's boundary whose
	// parents are not in the clone: the history behind them is cut.
	Shallow []plumbing.Hash
}

// extraSteps is how long the walk goes on once only excluded commits are
// queued, to absorb committer clocks that run backwards (git uses 5 too).
const extraSteps = 5

// Select walks history like `git rev-list INCLUDE --not EXCLUDE`: in
// committer-date order, marking what excluded tips reach, and stopping soon
// after only excluded commits remain in the queue. A push of three commits
// therefore reads a handful of commits, not the whole history.
func (r *Repo) Select(sel Selection) (*WalkResult, error) {
	res := &WalkResult{}
	items := map[plumbing.Hash]*walkItem{}
	q := &commitQueue{}
	interesting := 0 // queued items not marked uninteresting
	push := func(h plumbing.Hash, flags uint8) {
		if it, ok := items[h]; ok {
			if flags&uninteresting != 0 && it.flags&uninteresting == 0 {
				it.flags |= uninteresting
				if it.flags&seen == 0 {
					interesting--
				} else {
					interesting -= r.markParents(it.c, items)
				}
			}
			return
		}
		c, err := object.GetCommit(r.objects, h)
		if err != nil {
			// A missing excluded commit only bounds the walk less tightly.
			if !r.shallow[h] && flags&uninteresting == 0 {
				res.Missing = append(res.Missing, h)
				res.Unreadable = append(res.Unreadable, commitGap(h, err))
			}
			return
		}
		it := &walkItem{c: c, flags: flags}
		items[h] = it
		heap.Push(q, it)
		if flags&uninteresting == 0 {
			interesting++
		}
	}
	for _, h := range sel.Exclude {
		push(h, uninteresting)
	}
	for _, h := range sel.Include {
		push(h, 0)
	}
	var out []*walkItem
	slop := extraSteps
	for q.Len() > 0 {
		if interesting == 0 {
			if slop == 0 {
				break
			}
			slop--
		}
		it := heap.Pop(q).(*walkItem)
		it.flags |= seen
		if it.flags&uninteresting == 0 {
			interesting--
			out = append(out, it)
		}
		if r.shallow[it.c.Hash] {
			if it.flags&uninteresting == 0 && len(it.c.ParentHashes) > 0 {
				res.Shallow = append(res.Shallow, it.c.Hash)
			}
			continue // the parents are not in this clone
		}
		for _, p := range it.c.ParentHashes {
			push(p, it.flags&uninteresting)
		}
	}
	for _, it := range out {
		if it.flags&uninteresting == 0 {
			res.Commits = append(res.Commits, it.c)
		}
	}
	return res, nil
}

// markParents spreads "uninteresting" to ancestors already visited, when an
// excluded path reaches a commit after it was walked (clock skew). It
// returns how many still-queued commits it marked, which the walk no
// longer waits for.
func (r *Repo) markParents(c *object.Commit, items map[plumbing.Hash]*walkItem) (queued int) {
	stack := append([]plumbing.Hash(nil), c.ParentHashes...)
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it, ok := items[h]
		if !ok || it.flags&uninteresting != 0 {
			continue
		}
		it.flags |= uninteresting
		if it.flags&seen != 0 {
			stack = append(stack, it.c.ParentHashes...)
		} else {
			queued++
		}
	}
	return queued
}

// HasObject reports whether the object database holds h.
func (r *Repo) HasObject(h plumbing.Hash) bool {
	return r.objects.HasEncodedObject(h) == nil
}

// LoadCommits reads the given commits as a walk would select them: those
// that cannot be read are missing, and those at a shallow boundary cut.
func (r *Repo) LoadCommits(hashes []plumbing.Hash) *WalkResult {
	res := &WalkResult{}
	for _, h := range hashes {
		c, err := object.GetCommit(r.objects, h)
		if err != nil {
			res.Missing = append(res.Missing, h)
			res.Unreadable = append(res.Unreadable, commitGap(h, err))
			continue
		}
		if r.shallow[h] && len(c.ParentHashes) > 0 {
			res.Shallow = append(res.Shallow, h)
		}
		res.Commits = append(res.Commits, c)
	}
	return res
}

// commitGap names a commit the walk needed and could not read.
func commitGap(h plumbing.Hash, err error) scanner.Gap {
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return scanner.Gap{Object: h.String(), Reason: "commit is missing from the repository: it and the history behind it are not scanned (fetch again, or run git fsck)"}
	}
	return scanner.Gap{Object: h.String(), Reason: fmt.Sprintf("commit cannot be read (%v): it and the history behind it are not scanned (a damaged pack? run git fsck)", err)}
}

// IsShallow reports whether the repository is a shallow clone.
func (r *Repo) IsShallow() bool { return len(r.shallow) > 0 }
