package detectors

// keywordDFA finds every occurrence of a set of keywords in a text, ASCII
// letters matched without regard to case: an Aho-Corasick automaton
// compiled to a full transition table, so each byte of the text costs one
// table load. The keyword prefilter runs it over every byte scanned; the
// trie it replaces followed failure links and needed the text lowered
// into a copy first.
type keywordDFA struct {
	next []int32 // state<<8 | byte -> state
	// out lists, for states where keywords end, those keywords (and the
	// ones that end there as suffixes); final marks such states.
	out   [][]int32
	final []bool
	lens  []int
}

// newKeywordDFA builds the automaton of keywords (lower case, non-empty).
func newKeywordDFA(keywords []string) *keywordDFA {
	d := &keywordDFA{next: make([]int32, 256), out: [][]int32{nil}}
	// The trie: next holds child links, 0 meaning none (the root is never
	// a child).
	for ki, k := range keywords {
		d.lens = append(d.lens, len(k))
		s := int32(0)
		for i := 0; i < len(k); i++ {
			t := d.next[int(s)<<8|int(k[i])]
			if t == 0 {
				t = int32(len(d.out))
				d.out = append(d.out, nil)
				d.next = append(d.next, make([]int32, 256)...)
				d.next[int(s)<<8|int(k[i])] = t
			}
			s = t
		}
		d.out[s] = append(d.out[s], int32(ki))
	}
	// Breadth first, fill every missing transition with the failure
	// state's, and inherit the failure state's keywords.
	fail := make([]int32, len(d.out))
	queue := []int32{}
	for c := 0; c < 256; c++ {
		if t := d.next[c]; t != 0 {
			queue = append(queue, t) // fail[t] = root
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		d.out[s] = append(d.out[s], d.out[fail[s]]...)
		for c := 0; c < 256; c++ {
			t := d.next[int(s)<<8|c]
			if t == 0 {
				d.next[int(s)<<8|c] = d.next[int(fail[s])<<8|c]
				continue
			}
			fail[t] = d.next[int(fail[s])<<8|c]
			queue = append(queue, t)
		}
	}
	// Upper-case letters go where their lower-case forms go.
	for s := range d.out {
		for c := 'A'; c <= 'Z'; c++ {
			d.next[s<<8|int(c)] = d.next[s<<8|int(c+'a'-'A')]
		}
	}
	d.final = make([]bool, len(d.out))
	for s, o := range d.out {
		d.final[s] = len(o) > 0
	}
	return d
}

// walk calls fn with the start offset and index of every keyword
// occurrence in text, in order of where they end.
func (d *keywordDFA) walk(text []byte, fn func(start int, keyword int32)) {
	next, final := d.next, d.final
	s := int32(0)
	for i, c := range text {
		s = next[int(s)<<8|int(c)]
		if final[s] {
			for _, k := range d.out[s] {
				fn(i-d.lens[k]+1, k)
			}
		}
	}
}
