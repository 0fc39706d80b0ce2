package gitscan

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
)

// A pack stores most versions of a file as deltas: instructions to build
// it from another object (its base), itself often a delta. Reading each
// version on its own rebuilds its whole chain, so a file with fifty
// versions costs about fifty squared inflations. The history scan instead
// reads the pack as a forest: each object whose content the scan needs,
// with every base it is built from, is a node under its base; each tree of
// the forest is walked depth first from its whole object, in pack order,
// building each child from its parent's content. Every object is inflated
// once, and only the objects on the path from the root to the current
// node (fewer when a parent has one child left) are held in memory.

// deltaNode is a pack entry in the forest of one scan.
type deltaNode struct {
	off      int64
	children []*deltaNode
	blobs    []*blobScan // the scans of this object (one per class of its paths)
	// external: a ref-delta whose base is in another pack or loose, or an
	// entry whose header cannot be read; the node is a root whose content
	// is read object by object.
	external bool
}

// forestHeldBytes bounds the content a worker keeps for the parents it will
// build more children from; past it, a parent is rebuilt when needed (from
// the base cache when it can).
const forestHeldBytes = 32 << 20

// packedScan is a scan whose blob is stored at off in a pack.
type packedScan struct {
	off  int64
	scan *blobScan
}

// forest builds the delta forest of scans (of blobs all stored in pack pi)
// and returns its roots in pack order.
func (pr *packReader) forest(pi int32, scans []packedScan) []*deltaNode {
	p := pr.packs[pi]
	nodes := map[int64]*deltaNode{}
	var roots []*deltaNode
	for _, ps := range scans {
		if n, ok := nodes[ps.off]; ok {
			n.blobs = append(n.blobs, ps.scan)
			continue
		}
		cur := &deltaNode{off: ps.off, blobs: []*blobScan{ps.scan}}
		nodes[cur.off] = cur
		for depth := 0; ; depth++ {
			hdr, err := p.header(cur.off)
			base := int64(0)
			switch {
			case err != nil || depth > maxDeltaDepth:
				cur.external = true
			case hdr.typ == packOfsDelta:
				base = hdr.baseOff
			case hdr.typ == packRefDelta:
				if loc := pr.locate(hdr.baseID); loc.pack == pi {
					base = loc.off
				} else {
					cur.external = true
				}
			}
			if base == 0 {
				roots = append(roots, cur)
				break
			}
			parent, ok := nodes[base]
			if !ok {
				parent = &deltaNode{off: base}
				nodes[base] = parent
			}
			parent.children = append(parent.children, cur)
			if ok {
				break // the rest of the chain is known
			}
			cur = parent
		}
	}
	// A cycle of deltas (a corrupt pack) has no root: its entries are left
	// to the object-by-object read, which reports them.
	for _, n := range nodes {
		slices.SortFunc(n.children, func(a, b *deltaNode) int { return cmp.Compare(a.off, b.off) })
	}
	slices.SortFunc(roots, func(a, b *deltaNode) int { return cmp.Compare(a.off, b.off) })
	return roots
}

// walkForest scans the file versions of every tree in roots (of pack pi),
// one tree per worker at a time.
func (h *historyScan) walkForest(ctx context.Context, pi int32, roots []*deltaNode) {
	h.parallel(ctx, len(roots), func(i int, held *int64) {
		r := roots[i]
		h.recover(h.pr.packs[pi].path, "pack entry", func() {
			typ, data, err := h.pr.resolve(h.pr.packs[pi], pi, r.off, h.leafLimit(r), 0)
			h.visit(ctx, pi, r, typ, data, err, held)
		})
	})
}

// leafLimit is the size over which n's content is not built: only when no
// other object is built from it.
func (h *historyScan) leafLimit(n *deltaNode) int64 {
	if len(n.children) > 0 || len(n.blobs) == 0 {
		return 1 << 62
	}
	return h.opts.SizeLimit()
}

// visit scans n's file versions, then builds and visits its children. On an
// error the subtree's versions are left to the object-by-object read.
func (h *historyScan) visit(ctx context.Context, pi int32, n *deltaNode, typ plumbing.ObjectType, data []byte, err error, held *int64) {
	var big *tooBigError
	if err != nil && !errors.As(err, &big) {
		return // go-git may still read them, or says why not
	}
	for _, sc := range n.blobs {
		read := func() ([]byte, func(string)) { return h.accept(sc.blob, typ, data, err) }
		for e := sc.first; e != nil; e = e.next {
			h.scanBlob(e, read) // the first reads, the others move its findings
		}
	}
	if err != nil || ctx.Err() != nil {
		return // too big: a leaf (leafLimit)
	}
	p := h.pr.packs[pi]
	for i, c := range n.children {
		if data == nil { // dropped to bound memory: rebuild it
			if typ, data, err = h.pr.resolve(p, pi, n.off, 1<<62, 0); err != nil {
				return
			}
		}
		var cdata, delta []byte
		e, cerr := p.entry(c.off, 1<<62) // a delta: its target size is checked below
		if cerr == nil {
			delta, cerr = inflate(e.body, e.size, getBuf(e.size))
			putBuf(e.buf)
		}
		if cerr == nil {
			if size := deltaTargetSize(delta); size > h.leafLimit(c) {
				cerr = &tooBigError{size}
			} else {
				cdata, cerr = applyDelta(data, delta)
			}
			putBuf(delta)
		}
		kept := int64(len(data))
		if i == len(n.children)-1 || *held+kept > forestHeldBytes {
			data, kept = nil, 0 // the last child, or too much held
		}
		*held += kept
		h.visit(ctx, pi, c, typ, cdata, cerr, held)
		*held -= kept
	}
}
