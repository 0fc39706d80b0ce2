// Command genhistory writes a generated notebook-heavy git history for the
// history benchmarks (see gittest.NotebookHistory) and prints the planted
// secrets, one a line, so that a benchmark can check each is still found:
//
//	go run ./bench/genhistory -commits 1500 -o /tmp/nb.git > /tmp/nb.planted
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

func main() {
	commits := flag.Int("commits", 1500, "number of commits")
	out := flag.String("o", "", "directory of the bare repository to write (must not exist)")
	seed := flag.Uint64("seed", 1, "seed of the generated content and secrets")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genhistory: -o DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "genhistory: %s exists; give a new directory\n", *out)
		os.Exit(2)
	}
	planted, err := gittest.NotebookHistory(*out, *commits, *seed)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genhistory:", err)
		os.Exit(1)
	}
	for _, p := range planted {
		fmt.Println(p)
	}
}
