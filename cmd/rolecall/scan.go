package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/scanner"
)

func newScanCmd(a *app) *cobra.Command {
	var vf verifyFlags
	var stdinName string
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan files and directories (default: the current directory)",
		Long: `Scan files and directory trees for credentials. Notebooks (.ipynb, .zpln,
jupytext, Databricks, R Markdown, Quarto) are read cell by cell: findings give
the cell, the line in the cell and the line in the file.

Directories are walked without following symbolic links; .git directories,
binary files and files over --max-file-size are skipped (the last with a
warning). Configuration is read from --config, else .rolecall.toml in the
first PATH. A PATH of - reads standard input (named by --stdin-name). What
was skipped or could not be read is counted in the summary line and listed
by --summary FILE; --fail-incomplete makes an incomplete scan exit 3.`,
		Example: `  rolecall scan
  git show HEAD:etl.py | rolecall scan --stdin-name etl.py -
  rolecall scan notebooks/ etl.py
  rolecall scan --format github .            # annotations in GitHub Actions
  rolecall scan --fail-on high --exit-code 3 .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			failOn, err := a.checkScanFlags()
			if err != nil {
				return err
			}
			if err := vf.check(); err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			var paths []string
			stdin := false
			for _, p := range args {
				if p == "-" {
					stdin = true
				} else {
					paths = append(paths, p)
				}
			}
			if cmd.Flags().Changed("stdin-name") && !stdin {
				return fmt.Errorf("--stdin-name names what `scan -` reads from standard input; add - to the paths")
			}
			root := "."
			if len(paths) > 0 {
				root = paths[0]
			}
			eng, err := a.engine(configDir(root))
			if err != nil {
				return err
			}
			s := scanner.New(eng).WithFingerprintKey(a.useFingerprintKey(dirRepo(configDir(root))))
			res := &scanner.Result{}
			var scanErr error
			if len(paths) > 0 {
				tuneGC(scanGCPercent)
				res, scanErr = s.ScanPaths(cmd.Context(), paths, scanner.Options{
					Jobs: a.jobs, MaxFileSize: int64(a.maxFileSize), Warn: a.warn,
				})
				if scanErr != nil && !interrupted(scanErr) {
					return scanErr
				}
			}
			if stdin && scanErr == nil {
				if err := a.scanStdin(s, stdinName, res); err != nil {
					return err
				}
			}
			vf.run(cmd.Context(), a, res.Findings)
			return a.finish(eng, res.Findings, res.Coverage(), failOn, scanErr)
		},
	}
	a.addReportFlags(cmd.Flags())
	a.addScanFlags(cmd.Flags())
	vf.add(cmd)
	cmd.Flags().StringVar(&stdinName, "stdin-name", "stdin", "the `NAME` scan - reports for standard input; its extension picks the reader (nb.ipynb is read as a notebook)")
	a.addFailIncomplete(cmd.Flags(), false)
	return cmd
}

// scanStdin scans standard input as one file named name, adding to res.
func (a *app) scanStdin(s *scanner.Scanner, name string, res *scanner.Result) error {
	limit := int64(a.maxFileSize)
	data, err := io.ReadAll(io.LimitReader(a.stdin, limit+1))
	if err != nil {
		return fmt.Errorf("cannot read standard input: %w", err)
	}
	switch {
	case int64(len(data)) > limit:
		res.Skipped = append(res.Skipped, scanner.Skipped{Path: name, Reason: "larger than --max-file-size"})
		a.warn(scanner.Warning{Path: name, Message: fmt.Sprintf("standard input is larger than --max-file-size (%s); not scanned", &a.maxFileSize)})
		return nil
	case scanner.IsBinary(data):
		a.warn(scanner.Warning{Path: name, Message: "standard input is binary (it holds a NUL byte); not scanned"})
		return nil
	}
	fs, warnings := s.Scan(scanner.Content{Path: name, Data: data})
	for _, w := range warnings {
		a.warn(scanner.Warning{Path: name, Message: w})
	}
	res.Files++
	res.Findings = append(res.Findings, fs...)
	scanner.SortFindings(res.Findings)
	return nil
}

// configDir is where .rolecall.toml is looked for: the scan root, or the
// directory of a single file.
func configDir(path string) string {
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		return filepath.Dir(path)
	}
	return path
}
