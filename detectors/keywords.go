package detectors

// keywordMatcher finds every occurrence of a set of keywords in a text,
// ASCII letters matched without regard to case. The keyword prefilter runs
// it over every byte scanned, so it is built for the common case, a
// position where no keyword starts: the first three bytes there (lower
// cased through a table) are hashed and looked up in a bit set small
// enough for the first-level cache; only where a keyword's first three
// bytes hash to a set bit are the keywords with that hash compared. No
// step depends on the one before (unlike an automaton, whose next state
// needs the last, from a table of a megabyte for the rule set), so the
// processor overlaps the work of neighbouring bytes.
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

// hash3 mixes three lower-cased bytes into hashBits bits.
func hash3(a, b, c byte) uint32 {
	return (uint32(a)<<16 | uint32(b)<<8 | uint32(c)) * 0x9E3779B1 >> (32 - hashBits)
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
	if len(text) >= 3 {
		a, b := lowerByte[text[0]], lowerByte[text[1]]
		for ; i+2 < len(text); i++ {
			c := lowerByte[text[i+2]]
			if h := hash3(a, b, c); m.bits[h>>6]&(1<<(h&63)) != 0 {
				m.check(text, i, m.groups[m.slot[h]-1], fn)
			}
			a, b = b, c
		}
	}
	for ; i < len(text); i++ { // the last two bytes: only short keywords fit
		m.check(text, i, m.short, fn)
	}
}

// walkSingles is walk for a set with one-byte keywords, which may start
// anywhere: every position is checked against every keyword that could
// start there.
func (m *keywordMatcher) walkSingles(text []byte, fn func(start int, keyword int32)) {
	for i := range text {
		if i+2 < len(text) {
			if h := hash3(lowerByte[text[i]], lowerByte[text[i+1]], lowerByte[text[i+2]]); m.slot[h] != 0 {
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
	for _, ki := range list {
		if hasFoldPrefix(text[i:], m.keywords[ki]) {
			fn(i, ki)
		}
	}
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
