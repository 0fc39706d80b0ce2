// Command gentree writes a generated source tree for the directory-scan
// benchmark (bench/scan-vs-rg.sh):
//
//	go run ./bench/gentree -mib 256 -o /tmp/tree
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/rolecall/rolecall/scanner/scantest"
)

func main() {
	mib := flag.Int("mib", 256, "size of the tree in MiB")
	out := flag.String("o", "", "directory to write (must not exist)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gentree: -o DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "gentree: %s exists; give a new directory\n", *out)
		os.Exit(2)
	}
	n, err := scantest.GenTree(*out, *mib<<20)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
	fmt.Println(strconv.FormatInt(n, 10))
}
