package main

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

func newScanCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan files and directories (default: the current directory)",
		Long: `Scan files and directory trees for credentials. Notebooks (.ipynb, .zpln,
jupytext, Databricks, R Markdown, Quarto) are read cell by cell: findings give
the cell, the line in the cell and the line in the file.

Directories are walked without following symbolic links; .git directories,
binary files and files over --max-file-size are skipped (the last with a
warning). Configuration is read from --config, else .rolecall.toml in the
first PATH.`,
		Example: `  rolecall scan
  rolecall scan notebooks/ etl.py
  rolecall scan --format github .            # annotations in GitHub Actions
  rolecall scan --fail-on high --exit-code 3 .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			failOn, err := a.checkScanFlags()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			eng, err := a.engine(configDir(args[0]))
			if err != nil {
				return err
			}
			s := scanner.New(eng).WithFingerprintKey(a.useFingerprintKey(dirRepo(configDir(args[0]))))
			res, err := s.ScanPaths(cmd.Context(), args, scanner.Options{
				Jobs: a.jobs, MaxFileSize: int64(a.maxFileSize), Warn: a.warn,
			})
			if err != nil {
				return err
			}
			return a.finish(eng, res.Findings, report.Stats{Files: res.Files, Skipped: len(res.Skipped) - res.Binary}, failOn)
		},
	}
	a.addScanFlags(cmd.Flags())
	return cmd
}

// configDir is where .rolecall.toml is looked for: the scan root, or the
// directory of a single file.
func configDir(path string) string {
	if info, err := os.Stat(path); err == nil && !info.IsDir() {
		return filepath.Dir(path)
	}
	return path
}
