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
			var got, want []string
			d.walk(b, func(start int, k int32) { got = append(got, fmt.Sprintf("%d:%s", start, kws[k])) })
			lower := lowerASCII(nil, b)
			for ki, k := range kws {
				for i := 0; i+len(k) <= len(lower); i++ {
					if string(lower[i:i+len(k)]) == k {
						want = append(want, fmt.Sprintf("%d:%s", i, kws[ki]))
					}
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("set %d, text %q:\n got %v\nwant %v", si, b, got, want)
			}
		}
	}
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
