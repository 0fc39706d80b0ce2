package gitscan

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/klauspost/compress/zlib"

	"github.com/rolecall/rolecall/internal/safefile"
)

// The history scan reads objects straight from the pack files rather than
// through go-git's object storage, which costs it most of its time: go-git
// inflates a delta's base again for every object that needs it (its cache
// holds whole objects only after hashing them with SHA-1), and reads pack
// bytes one at a time through a bufio reader. packReader instead
//
//   - reads an object's compressed bytes with one ReadAt (the end of an
//     entry is the start of the next one in the pack),
//   - inflates with klauspost/compress (1.2-1.3x the standard library's
//     speed on pack data), from any number of goroutines at once,
//   - resolves delta chains once, keeping resolved objects in a cache
//     bounded in bytes that is shared by all workers, so a base is inflated
//     once while the objects that need it are read in pack order.
//
// go-git still parses the pack indexes (idxfile); anything the packs cannot
// answer (loose objects, objects of a damaged pack) goes to go-git's
// storage, so every odd case keeps the behaviour it had.

// tooBigError: the object is over the size limit the caller gave, and was
// not read.
type tooBigError struct{ size int64 }

func (e *tooBigError) Error() string { return fmt.Sprintf("object is %d bytes", e.size) }

// packObjects is one pack: its index sorted by object id and by offset.
type packObjects struct {
	path  string
	f     *os.File
	size  int64
	ids   []plumbing.Hash // sorted
	offs  []int64         // offs[i] is where ids[i] starts
	order []int64         // every entry start, sorted, then the trailer start
}

// objLoc is where an object is stored: a pack and an offset in it, or
// nowhere the pack reader knows (pack < 0).
type objLoc struct {
	pack int32
	off  int64
}

var noLoc = objLoc{pack: -1}

type packReader struct {
	packs    []*packObjects
	fallback func(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error)
	cache    *baseCache
	// warnings name the packs left to go-git.
	warnings []string
}

// deltaBaseCacheBytes bounds the resolved objects kept as delta bases. git
// keeps 96 MiB (core.deltaBaseCacheLimit); less is enough here because
// blobs are read in pack order, where a delta mostly follows its base
// closely, and it keeps the scan's peak memory under git log -p's.
const deltaBaseCacheBytes = 48 << 20

// openPacks opens the packs of each object directory (objects/pack/*.idx
// under each root). A pack whose index or header cannot be read is left to
// go-git, which reports the objects it cannot read.
func openPacks(roots []string) *packReader {
	pr := &packReader{cache: newBaseCache(deltaBaseCacheBytes)}
	for _, root := range roots {
		idxs, _ := filepath.Glob(filepath.Join(root, "objects", "pack", "pack-*.idx"))
		for _, idx := range idxs {
			p, err := openPack(idx)
			if err != nil {
				pr.warnings = append(pr.warnings, fmt.Sprintf("pack index %s: %v; its objects are read the slow way", idx, err))
				continue
			}
			pr.packs = append(pr.packs, p)
		}
	}
	return pr
}

func openPack(idxPath string) (*packObjects, error) {
	// Opened through safefile like every other file under .git: a FIFO or
	// device planted as a pack or its index is an error, never a hang.
	fi, info, err := safefile.Open(idxPath)
	if err != nil {
		return nil, err
	}
	raw, err := safefile.ReadAll(fi, info, info.Size())
	fi.Close()
	if err != nil {
		return nil, err
	}
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(bytes.NewReader(raw)).Decode(idx); err != nil {
		return nil, err
	}
	packPath := idxPath[:len(idxPath)-len(".idx")] + ".pack"
	f, info, err := safefile.Open(packPath)
	if err != nil {
		return nil, err
	}
	p := &packObjects{path: packPath, f: f, size: info.Size()}
	var hdr [12]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || string(hdr[:4]) != "PACK" {
		f.Close()
		return nil, fmt.Errorf("%s does not start with a pack header", packPath)
	}
	for b := 0; b < 256; b++ {
		k := idx.FanoutMapping[b]
		if k < 0 || k >= len(idx.Names) || k >= len(idx.Offset32) {
			continue
		}
		names, offs := idx.Names[k], idx.Offset32[k]
		n := len(names) / 20
		if len(offs) < 4*n {
			f.Close()
			return nil, errors.New("offset table shorter than the object list")
		}
		for i := 0; i < n; i++ {
			var h plumbing.Hash
			copy(h[:], names[20*i:])
			off := int64(binary.BigEndian.Uint32(offs[4*i:]))
			if off&(1<<31) != 0 {
				j := 8 * (off &^ (1 << 31))
				if j+8 > int64(len(idx.Offset64)) {
					f.Close()
					return nil, errors.New("64-bit offset out of range")
				}
				off = int64(binary.BigEndian.Uint64(idx.Offset64[j:]))
			}
			if off < 12 || off >= p.size-20 {
				f.Close()
				return nil, fmt.Errorf("object %s at offset %d is outside the pack", h, off)
			}
			p.ids = append(p.ids, h)
			p.offs = append(p.offs, off)
		}
	}
	p.order = append(slices.Clone(p.offs), p.size-20)
	slices.Sort(p.order)
	return p, nil
}

func (pr *packReader) Close() error {
	var errs []error
	for _, p := range pr.packs {
		errs = append(errs, p.f.Close())
	}
	return errors.Join(errs...)
}

// locate finds the pack and offset of h.
func (pr *packReader) locate(h plumbing.Hash) objLoc {
	for i, p := range pr.packs {
		if j, ok := slices.BinarySearchFunc(p.ids, h, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) }); ok {
			return objLoc{pack: int32(i), off: p.offs[j]}
		}
	}
	return noLoc
}

// read returns the type and content of h. Objects over limit bytes are not
// read: the error is a *tooBigError with the size.
func (pr *packReader) read(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	return pr.readAt(h, pr.locate(h), limit)
}

// readAt reads h, stored at loc (noLoc: not in a pack).
func (pr *packReader) readAt(h plumbing.Hash, loc objLoc, limit int64) (plumbing.ObjectType, []byte, error) {
	if loc.pack >= 0 {
		t, data, err := pr.resolve(pr.packs[loc.pack], loc.pack, loc.off, limit, 0)
		var big *tooBigError
		if err == nil || errors.As(err, &big) {
			return t, data, err
		}
		// A damaged entry: go-git reads it or says why it cannot.
	}
	if pr.fallback == nil {
		return plumbing.InvalidObject, nil, plumbing.ErrObjectNotFound
	}
	return pr.fallback(h, limit)
}

// Pack entry types (gitformat-pack).
const (
	packOfsDelta = 6
	packRefDelta = 7
)

// entry is a pack entry's header and its still compressed body.
type entry struct {
	typ     int
	size    int64 // inflated size of the body (the delta, for deltas)
	baseOff int64 // ofs-delta
	baseID  plumbing.Hash
	body    []byte
	buf     []byte // the pooled buffer body is in; putBuf it once inflated
}

// Compressed entries and deltas are dropped as soon as they are inflated
// or applied; their buffers are reused rather than left to the collector
// (a history scan reads its packs' size in them).
var bufPool sync.Pool

func getBuf(n int64) []byte {
	if v, ok := bufPool.Get().(*[]byte); ok && int64(cap(*v)) >= n {
		return (*v)[:n]
	}
	return make([]byte, n)
}

func putBuf(b []byte) {
	if cap(b) > 0 && cap(b) <= 16<<20 {
		bufPool.Put(&b)
	}
}

// maxDeltaDepth stops a cycle of deltas in a corrupt pack (git writes
// chains of at most 4095).
const maxDeltaDepth = 10000

// entry reads the entry at off, with its whole body; a whole object over
// limit bytes is not read (a *tooBigError). The header is read on its own
// first only when the body is large, to spare a system call per object.
func (p *packObjects) entry(off, limit int64) (entry, error) {
	if end, ok := p.end(off); ok && end-off > 1<<20 {
		e, err := p.header(off)
		if err != nil {
			return e, err
		}
		if e.typ != packOfsDelta && e.typ != packRefDelta && e.size > limit {
			return e, &tooBigError{e.size}
		}
	}
	e, err := p.readEntry(off, false)
	if err == nil && e.typ != packOfsDelta && e.typ != packRefDelta && e.size > limit {
		putBuf(e.buf)
		return e, &tooBigError{e.size}
	}
	return e, err
}

// end is where the entry at off ends: where the next one starts.
func (p *packObjects) end(off int64) (int64, bool) {
	i, ok := slices.BinarySearch(p.order, off)
	if !ok || i+1 >= len(p.order) {
		return 0, false
	}
	return p.order[i+1], true
}

// header reads the entry at off without its body (e.body is a prefix).
func (p *packObjects) header(off int64) (entry, error) { return p.readEntry(off, true) }

// maxHeader is the longest entry header: a 64-bit size in 7-bit groups and
// a 20-byte base id or an offset.
const maxHeader = 32

func (p *packObjects) readEntry(off int64, headerOnly bool) (entry, error) {
	end, ok := p.end(off)
	if !ok {
		return entry{}, fmt.Errorf("no object starts at offset %d of %s", off, p.path)
	}
	n := end - off
	var buf []byte
	if headerOnly {
		var b [maxHeader]byte
		buf = b[:min(n, maxHeader)]
	} else {
		buf = getBuf(n)
	}
	if _, err := p.f.ReadAt(buf, off); err != nil {
		return entry{}, fmt.Errorf("reading %s at %d: %w", p.path, off, err)
	}
	var e entry
	pos := 0
	next := func() (byte, bool) {
		if pos >= len(buf) {
			return 0, false
		}
		pos++
		return buf[pos-1], true
	}
	c, _ := next()
	e.typ = int(c>>4) & 7
	e.size = int64(c & 15)
	for shift := 4; c&0x80 != 0; shift += 7 {
		var ok bool
		if c, ok = next(); !ok || shift > 56 {
			return entry{}, fmt.Errorf("bad entry header at %d of %s", off, p.path)
		}
		e.size |= int64(c&0x7f) << shift
	}
	switch e.typ {
	case packOfsDelta:
		c, ok := next()
		rel := int64(c & 0x7f)
		for ok && c&0x80 != 0 && rel < 1<<55 {
			c, ok = next()
			rel = (rel+1)<<7 | int64(c&0x7f)
		}
		if !ok || rel <= 0 || rel > off {
			return entry{}, fmt.Errorf("bad delta base offset at %d of %s", off, p.path)
		}
		e.baseOff = off - rel
	case packRefDelta:
		if pos+20 > len(buf) {
			return entry{}, fmt.Errorf("truncated delta base at %d of %s", off, p.path)
		}
		copy(e.baseID[:], buf[pos:])
		pos += 20
	case 1, 2, 3, 4:
	default:
		return entry{}, fmt.Errorf("unknown entry type %d at %d of %s", e.typ, off, p.path)
	}
	if !headerOnly {
		e.body, e.buf = buf[pos:], buf
	}
	return e, nil
}

var zlibReaders sync.Pool

// inflate decompresses a zlib stream of exactly size bytes, into out if
// it is not nil (of length size).
func inflate(body []byte, size int64, out []byte) ([]byte, error) {
	src := bytes.NewReader(body)
	var zr io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
			return nil, err
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, err
		}
	}
	defer zlibReaders.Put(zr)
	if out == nil {
		out = make([]byte, size)
	}
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("inflating: %w", err)
	}
	return out, nil
}

// resolve reads the object at off of pack p: a whole object, or a chain of
// deltas down to one, whose results are cached so that the next object
// built on the same bases inflates only its own delta.
func (pr *packReader) resolve(p *packObjects, pi int32, off, limit int64, depth int) (plumbing.ObjectType, []byte, error) {
	var deltas [][]byte // outermost first
	var offs []int64
	var typ plumbing.ObjectType
	var data []byte
	cur := off
	for {
		if len(deltas) > maxDeltaDepth || depth > 8 {
			return 0, nil, fmt.Errorf("delta chain at %d of %s is too deep", off, p.path)
		}
		if t, d, ok := pr.cache.get(pi, cur); ok {
			typ, data = t, d
			break
		}
		entryLimit := int64(1 << 62) // a base is read whatever its size
		if len(deltas) == 0 {
			entryLimit = limit
		}
		e, err := p.entry(cur, entryLimit)
		if err != nil {
			return 0, nil, err
		}
		if e.typ != packOfsDelta && e.typ != packRefDelta {
			data, err = inflate(e.body, e.size, nil)
			putBuf(e.buf)
			if err != nil {
				return 0, nil, fmt.Errorf("%s at %d: %w", p.path, cur, err)
			}
			typ = plumbing.ObjectType(e.typ)
			if len(deltas) > 0 {
				pr.cache.put(pi, cur, typ, data)
			}
			break
		}
		delta, err := inflate(e.body, e.size, getBuf(e.size))
		putBuf(e.buf)
		if err != nil {
			return 0, nil, fmt.Errorf("%s at %d: %w", p.path, cur, err)
		}
		if len(deltas) == 0 {
			if size := deltaTargetSize(delta); size > limit {
				return 0, nil, &tooBigError{size}
			}
		}
		deltas = append(deltas, delta)
		offs = append(offs, cur)
		if e.typ == packOfsDelta {
			cur = e.baseOff
			continue
		}
		// A ref-delta names its base; usually in the same pack.
		loc := pr.locate(e.baseID)
		if loc.pack == pi {
			cur = loc.off
			continue
		}
		if loc.pack >= 0 {
			typ, data, err = pr.resolve(pr.packs[loc.pack], loc.pack, loc.off, 1<<62, depth+1)
		} else if pr.fallback != nil {
			typ, data, err = pr.fallback(e.baseID, 1<<62)
		} else {
			err = plumbing.ErrObjectNotFound
		}
		if err != nil {
			return 0, nil, fmt.Errorf("delta base %s: %w", e.baseID, err)
		}
		break
	}
	for i := len(deltas) - 1; i >= 0; i-- {
		next, err := applyDelta(data, deltas[i])
		putBuf(deltas[i])
		if err != nil {
			return 0, nil, fmt.Errorf("%s at %d: %w", p.path, offs[i], err)
		}
		data = next
		pr.cache.put(pi, offs[i], typ, data)
	}
	return typ, data, nil
}

// deltaTargetSize reads the size of the object a delta builds (the second
// number of its header).
func deltaTargetSize(delta []byte) int64 {
	_, n := binary.Uvarint(delta)
	if n <= 0 {
		return 0
	}
	size, m := binary.Uvarint(delta[n:])
	if m <= 0 || size > 1<<62 {
		return 0
	}
	return int64(size)
}

// baseCache keeps resolved objects by pack position, least recently used
// first out, within a byte budget. Objects over an eighth of the budget are
// not kept: one would push out many bases for a single later use.
type baseCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	lru   *list.List
	items map[objLoc]*list.Element
}

type cached struct {
	loc  objLoc
	typ  plumbing.ObjectType
	data []byte
}

func newBaseCache(max int64) *baseCache {
	return &baseCache{max: max, lru: list.New(), items: map[objLoc]*list.Element{}}
}

// reset empties the cache: the history scan's pass over trees fills it,
// and its pass over blobs builds each object from its parent in the delta
// forest instead.
func (c *baseCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Init()
	c.items = map[objLoc]*list.Element{}
	c.used = 0
}

func (c *baseCache) get(pack int32, off int64) (plumbing.ObjectType, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[objLoc{pack, off}]
	if !ok {
		return 0, nil, false
	}
	c.lru.MoveToFront(el)
	it := el.Value.(*cached)
	return it.typ, it.data, true
}

func (c *baseCache) put(pack int32, off int64, typ plumbing.ObjectType, data []byte) {
	size := int64(len(data))
	if size > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	loc := objLoc{pack, off}
	if _, ok := c.items[loc]; ok {
		return
	}
	c.items[loc] = c.lru.PushFront(&cached{loc: loc, typ: typ, data: data})
	c.used += size
	for c.used > c.max {
		el := c.lru.Back()
		it := el.Value.(*cached)
		c.lru.Remove(el)
		delete(c.items, it.loc)
		c.used -= int64(len(it.data))
	}
}

// rawObject hands an object already read to go-git's decoders (trees,
// commits) with its id, which a plumbing.MemoryObject would compute again
// with SHA-1.
type rawObject struct {
	id   plumbing.Hash
	typ  plumbing.ObjectType
	data []byte
}

func (o *rawObject) Hash() plumbing.Hash           { return o.id }
func (o *rawObject) Type() plumbing.ObjectType     { return o.typ }
func (o *rawObject) SetType(t plumbing.ObjectType) { o.typ = t }
func (o *rawObject) Size() int64                   { return int64(len(o.data)) }
func (o *rawObject) SetSize(int64)                 {}
func (o *rawObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *rawObject) Writer() (io.WriteCloser, error) { return nil, errReadOnly }

// packs returns the repository's pack reader, opening it on first use.
// Objects it cannot find are read through go-git's storage.
func (r *Repo) packs() *packReader {
	r.packOnce.Do(func() {
		roots := append([]string{r.CommonDir()}, r.alternates...)
		r.pack = openPacks(roots)
		r.pack.fallback = r.readObject
	})
	return r.pack
}

// readObject reads an object through go-git's storage.
func (r *Repo) readObject(h plumbing.Hash, limit int64) (typ plumbing.ObjectType, data []byte, err error) {
	r.withObjects(func(st *objectChain) {
		var obj plumbing.EncodedObject
		if obj, err = st.EncodedObject(plumbing.AnyObject, h); err != nil {
			return
		}
		if obj.Size() > limit {
			err = &tooBigError{obj.Size()}
			return
		}
		var rd io.ReadCloser
		if rd, err = obj.Reader(); err != nil {
			return
		}
		defer rd.Close()
		// The size is known: one exact allocation instead of ReadAll's doubling.
		data = make([]byte, obj.Size())
		if _, err = io.ReadFull(rd, data); err == nil {
			typ = obj.Type()
		}
	})
	return typ, data, err
}

var errBadDelta = errors.New("invalid delta")

// applyDelta builds an object from its base and a delta (gitformat-pack:
// the base size, the target size, then copy-from-base and insert
// instructions) into one allocation of the target size, where go-git's
// PatchDelta grows a buffer as it goes.
func applyDelta(base, delta []byte) ([]byte, error) {
	srcSize, n := binary.Uvarint(delta)
	if n <= 0 || srcSize != uint64(len(base)) {
		return nil, errBadDelta
	}
	delta = delta[n:]
	size, n := binary.Uvarint(delta)
	if n <= 0 || size > 1<<40 {
		return nil, errBadDelta
	}
	delta = delta[n:]
	// A damaged header cannot make us allocate more than the instructions
	// could write: each byte inserts one, each copy at most 16 MiB.
	out := make([]byte, 0, min(size, uint64(len(delta))<<24, 256<<20))
	for len(delta) > 0 {
		cmd := delta[0]
		delta = delta[1:]
		switch {
		case cmd&0x80 != 0: // copy from the base
			var off, sz uint64
			for i := uint(0); i < 7; i++ {
				if cmd&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errBadDelta
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					sz |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if sz == 0 {
				sz = 0x10000
			}
			if off+sz > uint64(len(base)) || uint64(len(out))+sz > size {
				return nil, errBadDelta
			}
			out = append(out, base[off:off+sz]...)
		case cmd != 0: // insert the next cmd bytes
			sz := uint64(cmd)
			if sz > uint64(len(delta)) || uint64(len(out))+sz > size {
				return nil, errBadDelta
			}
			out = append(out, delta[:sz]...)
			delta = delta[sz:]
		default:
			return nil, errBadDelta
		}
	}
	if uint64(len(out)) != size {
		return nil, errBadDelta
	}
	return out, nil
}
