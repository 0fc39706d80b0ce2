package detectors

import "encoding/binary"

// keywordMatcher finds every occurrence of a set of keywords in a text,
// ASCII letters matched without regard to case. The keyword prefilter runs
// it over every byte scanned, so it is built for the common case, a
// position where no keyword starts: the three bytes there (case folded)
// are hashed and looked up in a bit set small enough for the first-level
// cache; only where a keyword's first three bytes hash to a set bit are
// the keywords with that hash compared. No step depends on the one before
// (unlike an automaton, whose next state needs the last, from a table of
// a megabyte for the built-in rules), so the processor overlaps the work
// of neighbouring bytes: 1.5-2x the automaton's speed on source code.
type keywordMatcher struct {
	keywords []string // lower case, non-empty
	bits     [1 << (hashBits - 6)]uint64
	// groups[slot[h]-1] lists the keywords whose first three bytes hash
	// to h, in keyword order (slot 0: none). A two-byte keyword is in
	// the group of its two bytes followed by any third.
	slot   []uint32
	groups [][]int32
	// short lists the keywords of one or two bytes, which are looked for
	// in the last two bytes of a text; single those of one byte, looked
	// for everywhere (only a user's rule would have one).
	short, single []int32
	// head and headMask: each keyword's first eight bytes (fewer, masked,
	// for a shorter one) as a little-endian word, so that check compares
	// a candidate with a keyword in one step.
	head, headMask []uint64
}

const hashBits = 16

// lowerByte maps A-Z to a-z and every other byte to itself.
var lowerByte = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c + 'a' - 'A')
	}
	return t
}()

// The filter folds case by setting each byte's 0x20 bit, which maps A-Z
// to a-z as lowerByte does, and also pairs a few other bytes (_ with DEL,
// @ with `, control characters with punctuation): a byte that lowerByte
// makes equal to a keyword's folds equal to it too, so the filter passes
// every occurrence, and check, which compares exactly, drops the rest.
const fold = 0x20

// hash3 mixes three bytes, the first lowest as a little-endian load puts
// them, into hashBits bits.
func hash3(a, b, c byte) uint32 {
	return trigramHash(uint32(a) | uint32(b)<<8 | uint32(c)<<16)
}

// trigramHash hashes the three bytes packed into the low 24 bits of t
// (higher bits are ignored), folded.
func trigramHash(t uint32) uint32 {
	return (t&0xffffff | fold*0x010101) * 0x9E3779B1 >> (32 - hashBits)
}

// newKeywordMatcher indexes keywords (lower case, non-empty).
func newKeywordMatcher(keywords []string) *keywordMatcher {
	m := &keywordMatcher{keywords: keywords, slot: make([]uint32, 1<<hashBits)}
	add := func(h uint32, ki int32) {
		m.bits[h>>6] |= 1 << (h & 63)
		if m.slot[h] == 0 {
			m.groups = append(m.groups, nil)
			m.slot[h] = uint32(len(m.groups))
		}
		g := &m.groups[m.slot[h]-1]
		if n := len(*g); n == 0 || (*g)[n-1] != ki {
			*g = append(*g, ki)
		}
	}
	for i, k := range keywords {
		ki := int32(i)
		var w [8]byte
		n := copy(w[:], k)
		m.head = append(m.head, binary.LittleEndian.Uint64(w[:]))
		m.headMask = append(m.headMask, ^uint64(0)>>(64-8*n))
		switch len(k) {
		case 1:
			m.short = append(m.short, ki)
			m.single = append(m.single, ki)
		case 2:
			m.short = append(m.short, ki)
			for c := range 256 {
				add(hash3(k[0], k[1], byte(c)), ki)
			}
		default:
			add(hash3(k[0], k[1], k[2]), ki)
		}
	}
	return m
}

// walk calls fn with the start offset and index of every keyword
// occurrence in text, in order of start offset.
func (m *keywordMatcher) walk(text []byte, fn func(start int, keyword int32)) {
	if len(m.single) > 0 {
		m.walkSingles(text, fn)
		return
	}
	i := 0
	for {
		j, h := m.nextCandidate(text, i)
		if j < 0 {
			break
		}
		m.check(text, j, m.groups[m.slot[h]-1], fn)
		i = j + 1
	}
	i = max(0, len(text)-2)
	for ; i < len(text); i++ { // the last two bytes: only short keywords fit
		m.check(text, i, m.short, fn)
	}
}

// nextCandidate returns the first position from i where three bytes
// start whose hash has its bit set, and the hash; -1 when there is none
// before the last two bytes. It is walk's inner loop, apart so that no call
// in it makes the compiler keep its variables on the stack.
func (m *keywordMatcher) nextCandidate(text []byte, i int) (int, uint32) {
	bits := &m.bits
	// Eight bytes at a time hold six trigrams, each hashed from the word
	// with a shift: a third of the instructions of a byte-by-byte loop.
	for ; i+8 <= len(text); i += 6 {
		w := binary.LittleEndian.Uint64(text[i:])
		if h := trigramHash(uint32(w)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i, h
		}
		if h := trigramHash(uint32(w >> 8)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i + 1, h
		}
		if h := trigramHash(uint32(w >> 16)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i + 2, h
		}
		if h := trigramHash(uint32(w >> 24)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i + 3, h
		}
		if h := trigramHash(uint32(w >> 32)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i + 4, h
		}
		if h := trigramHash(uint32(w >> 40)); bits[h>>6]&(1<<(h&63)) != 0 {
			return i + 5, h
		}
	}
	for ; i+2 < len(text); i++ {
		if h := hash3(text[i], text[i+1], text[i+2]); bits[h>>6]&(1<<(h&63)) != 0 {
			return i, h
		}
	}
	return -1, 0
}

// walkSingles is walk for a set with one-byte keywords, which may start
// anywhere: every position is checked against every keyword that could
// start there.
func (m *keywordMatcher) walkSingles(text []byte, fn func(start int, keyword int32)) {
	for i := range text {
		if i+2 < len(text) {
			if h := hash3(text[i], text[i+1], text[i+2]); m.slot[h] != 0 {
				m.check(text, i, m.groups[m.slot[h]-1], fn)
			}
			m.check(text, i, m.single, fn)
		} else {
			m.check(text, i, m.short, fn)
		}
	}
}

// check reports the keywords of list that occur at text[i:]. It is kept
// out of walk's loop, whose registers it would otherwise take.
//
//go:noinline
func (m *keywordMatcher) check(text []byte, i int, list []int32, fn func(int, int32)) {
	if len(text)-i < 8 {
		for _, ki := range list {
			if hasFoldPrefix(text[i:], m.keywords[ki]) {
				fn(i, ki)
			}
		}
		return
	}
	x := lowerWord(binary.LittleEndian.Uint64(text[i:]))
	for _, ki := range list {
		if x&m.headMask[ki] != m.head[ki] {
			continue
		}
		if k := m.keywords[ki]; len(k) <= 8 || hasFoldPrefix(text[i+8:], k[8:]) {
			fn(i, ki)
		}
	}
}

// lowerWord is lowerByte on each byte of a word at once: a byte of A-Z
// (high bit clear, at least 'A' and not above 'Z') gets the 0x20 bit.
func lowerWord(x uint64) uint64 {
	const ones = 0x0101010101010101
	low7 := x & (0x7f * ones)
	aboveZ := low7 + (0x7f-'Z')*ones // high bit set where the byte > 'Z'
	fromA := low7 + (0x80-'A')*ones  // high bit set where the byte >= 'A'
	upper := ^x & (0x80 * ones) & (fromA ^ aboveZ)
	return x | upper>>2
}

// hasFoldPrefix reports whether text starts with k (lower case), ASCII
// letters compared without regard to case.
func hasFoldPrefix(text []byte, k string) bool {
	if len(text) < len(k) {
		return false
	}
	for j := 0; j < len(k); j++ {
		if lowerByte[text[j]] != k[j] {
			return false
		}
	}
	return true
}
