package gitscan

import (
	"bytes"
	stdzlib "compress/zlib"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zlib"
)

// BenchmarkInflate compares the standard library's inflater with
// klauspost/compress's on every entry of a pack (ROLECALL_BENCH_REPO, a
// bare repository; a generated notebook history otherwise):
//
//	go test -run '^$' -bench Inflate -count 5 ./scanner/gitscan
func BenchmarkInflate(b *testing.B) {
	dir := benchRepo(b, 300)
	idxs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.idx"))
	if len(idxs) == 0 {
		b.Skip("no pack")
	}
	p, err := openPack(idxs[0])
	if err != nil {
		b.Fatal(err)
	}
	defer p.f.Close()
	var bodies [][]byte
	var sizes []int64
	var total int64
	for _, off := range p.order[:len(p.order)-1] {
		e, err := p.entry(off, 1<<62)
		if err != nil {
			b.Fatal(err)
		}
		bodies, sizes = append(bodies, e.body), append(sizes, e.size)
		total += int64(len(e.body))
	}
	for _, c := range []struct {
		name string
		open func(io.Reader) (io.ReadCloser, error)
	}{{"stdlib", stdzlib.NewReader}, {"klauspost", zlib.NewReader}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(total)
			for range b.N {
				for i, body := range bodies {
					zr, err := c.open(bytes.NewReader(body))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.ReadFull(zr, make([]byte, sizes[i])); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// benchRepo is ROLECALL_BENCH_REPO or a generated notebook history of the
// given length.
func benchRepo(b *testing.B, commits int) string {
	if dir := os.Getenv("ROLECALL_BENCH_REPO"); dir != "" {
		return dir
	}
	dir, _ := benchHistory(b, commits)
	return dir
}
