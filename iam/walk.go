package iam

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
			fi, err := os.Stat(p)
			switch {
			case err != nil:
				notes = append(notes, fmt.Sprintf("%s: %v", p, err))
				return nil
			case !fi.Mode().IsRegular():
				notes = append(notes, p+": not a regular file, not read")
				return nil
			case maxSize > 0 && fi.Size() > maxSize:
				notes = append(notes, fmt.Sprintf("%s: larger than %d bytes, not read", p, maxSize))
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s: %v", p, err))
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
