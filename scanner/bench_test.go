package scanner

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/scanner/scantest"
)

// BenchmarkScanTree reports directory-scan throughput with and without the
// keyword prefilter:
//
//	go test -run '^$' -bench ScanTree -benchtime 5x -count 5 ./scanner
func BenchmarkScanTree(b *testing.B) {
	dir := b.TempDir()
	size, err := scantest.GenTree(dir, 24<<20)
	if err != nil {
		b.Fatal(err)
	}
	for _, prefilter := range []bool{true, false} {
		name := "prefilter"
		if !prefilter {
			name = "no-prefilter"
		}
		b.Run(name, func(b *testing.B) {
			eng, err := detectors.NewEngine(nil)
			if err != nil {
				b.Fatal(err)
			}
			eng.SetPrefilter(prefilter)
			s := New(eng)
			b.SetBytes(size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := s.ScanPaths(context.Background(), []string{dir}, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Findings) == 0 {
					b.Fatal("planted secrets not found")
				}
			}
		})
	}
}

// BenchmarkLongLineFindings: thousands of findings on one 8 MB line
// (minified JSON) must cost about as much as on many lines:
//
//	go test -run '^$' -bench LongLine ./scanner
func BenchmarkLongLineFindings(b *testing.B) {
	set := testsecrets.New(78)
	var one, many strings.Builder
	for i := 0; one.Len() < 8<<20; i++ {
		item := fmt.Sprintf(`{"api_key": %q, "pad": %q}, `, set.Get(fmt.Sprintf("token.%d", i%4000)), strings.Repeat("x", 1900))
		one.WriteString(item)
		many.WriteString(item + "\n")
	}
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)
	for name, data := range map[string]string{"one-line": one.String(), "many-lines": many.String()} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if fs, _ := s.Scan(Content{Path: "data.json", Data: []byte(data)}); len(fs) < 3000 {
					b.Fatalf("%d findings", len(fs))
				}
			}
		})
	}
}
