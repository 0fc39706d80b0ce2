package detectors

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The matcher finds exactly the occurrences a naive search of the
// lower-cased text finds, overlapping and nested keywords included.
func TestKeywordMatcher(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sets := [][]string{
		{"akia", "secret", "key", "pass", "pwd", "token", "://", "sk-", "sk-ant-", "hf_", "t3blbkfj"},
		{"a", "aa", "aaa", "ab", "b"},
		{"he", "she", "his", "hers"},
		{"\xc3\xa9t\xc3\xa9", "x"},                                           // non-ASCII bytes match as they are
		{"`ab", "{ab", "[ab", "@ab", "abcdefgh", "abcdefghi", "habcdefghab"}, // next to A-Z; eight bytes and more
	}
	alphabet := "aAbBhHeEsSrRiIkKyY:/-_tT \xc3\xa9@[`{cCdDfFgG"
	for si, kws := range sets {
		d := newKeywordMatcher(kws)
		for n := 0; n < 300; n++ {
			b := make([]byte, rng.IntN(200))
			for i := range b {
				b[i] = alphabet[rng.IntN(len(alphabet))]
			}
			if n%3 == 0 { // and text made of the keywords themselves
				var sb strings.Builder
				for sb.Len() < 100 {
					k := kws[rng.IntN(len(kws))]
					if rng.IntN(2) == 0 {
						k = strings.ToUpper(k)
					}
					sb.WriteString(k)
				}
				b = []byte(sb.String())
			}
			if diff := matcherDiff(d, kws, b); diff != "" {
				t.Fatalf("set %d, text %q: %s", si, b, diff)
			}
		}
	}
}

// matcherDiff compares what m finds in text with a naive search of the
// lower-cased text, and checks that hits come in order of start offset.
func matcherDiff(m *keywordMatcher, kws []string, text []byte) string {
	var got, want []string
	last := -1
	ordered := true
	m.walk(text, func(start int, k int32) {
		ordered = ordered && start >= last
		last = start
		got = append(got, fmt.Sprintf("%d:%s", start, kws[k]))
	})
	if !ordered {
		return fmt.Sprintf("hits out of order: %v", got)
	}
	lower := lowerASCII(nil, text)
	for _, k := range kws {
		for i := 0; i+len(k) <= len(lower); i++ {
			if string(lower[i:i+len(k)]) == k {
				want = append(want, fmt.Sprintf("%d:%s", i, k))
			}
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("\n got %v\nwant %v", got, want)
	}
	return ""
}

// FuzzKeywordMatcher: any keyword set (one a line, lower-cased as rules
// lower them; one- and two-byte keywords take other paths) and the
// built-in rules' keywords, on any text.
func FuzzKeywordMatcher(f *testing.F) {
	eng, err := NewEngine(nil)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct{ kws, text string }{
		{"", ""}, {"key\nsecret_key", "AWS_SECRET_ACCESS_KEY=x"}, {"q~\nab", "Q~abc"},
		{"a\nke\n\xc3\x89t", "\xffKEY\x00secret\xc3\x89T"}, {"abcdefghij\n@ab", "`AB@abABCDEFGHIJ"},
	} {
		f.Add(seed.kws, []byte(seed.text))
	}
	f.Fuzz(func(t *testing.T, kwText string, text []byte) {
		if diff := matcherDiff(eng.kw, eng.keywords, text); diff != "" {
			t.Fatalf("built-in keywords, text %q: %s", text, diff)
		}
		var kws []string
		seen := map[string]bool{}
		for _, k := range strings.Split(kwText, "\n") {
			if k = string(lowerASCII(nil, []byte(k))); k != "" && !seen[k] {
				seen[k] = true
				kws = append(kws, k)
			}
		}
		if len(kws) == 0 || len(kws) > 64 {
			return
		}
		if diff := matcherDiff(newKeywordMatcher(kws), kws, text); diff != "" {
			t.Fatalf("keywords %q, text %q: %s", kws, text, diff)
		}
	})
}

// BenchmarkKeywordMatcher: the prefilter over ordinary code:
//
//	go test -run '^$' -bench KeywordMatcher ./detectors
func BenchmarkKeywordMatcher(b *testing.B) {
	eng, err := NewEngine(nil)
	if err != nil {
		b.Fatal(err)
	}
	text := []byte(strings.Repeat("for key, value in sorted(config.items()):\n    print(f'{key}: {value}')  # Token count\n", 20000))
	b.SetBytes(int64(len(text)))
	n := 0
	for range b.N {
		eng.kw.walk(text, func(int, int32) { n++ })
	}
	if n == 0 {
		b.Fatal("no keyword found")
	}
}
