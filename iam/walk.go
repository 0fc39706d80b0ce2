package iam

import (
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/rolecall/rolecall/internal/safefile"
)

// Walk calls read with the content of every regular file under paths that
// want accepts: directories are walked without following links, skipping
// .git, node_modules, .terraform and .ipynb_checkpoints; a path named
// itself is followed. What could not be read is returned in notes, by name
// and reason, and files counts what was read.
func Walk(paths []string, maxSize int64, want func(name string) bool, read func(name string, data []byte)) (notes []string, files int) {
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %v", p, err))
				return nil
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules", ".terraform", ".ipynb_checkpoints":
					if p != root {
						return filepath.SkipDir
					}
				}
				return nil
			}
			if !want(p) || !d.Type().IsRegular() && p != root {
				return nil
			}
			// Opened without blocking and read only if it is a regular file:
			// a FIFO swapped in after the walk looked never hangs the run.
			limit := maxSize
			if limit <= 0 {
				limit = 1 << 30
			}
			data, err := safefile.ReadFile(p, limit)
			if err != nil {
				notes = append(notes, err.Error())
				return nil
			}
			files++
			read(filepath.ToSlash(p), data)
			return nil
		})
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v", root, err))
		}
	}
	return notes, files
}
