package main

import (
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/org"
	"github.com/rolecall/rolecall/scanner/report"
)

func newReportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with reports: merge the shards of an org scan",
		Args:  cobra.NoArgs, // an unknown subcommand is an error, not help
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var format string
	merge := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Combine the reports of org scan shards (jsonl, json, sarif) into one, duplicates removed",
		Long: `Combine reports written by "rolecall org" (jsonl, json or sarif, told apart by
their content; each input may be any of them) into one report, sorted by
repository, with duplicates removed (a finding in two inputs is kept once,
with the earliest first_seen). Secrets are passed on as the inputs hold them;
--redact-key-ids hides the AWS key and principal ids they show.`,
		Example: `  rolecall report merge shard-*.jsonl > org.jsonl
  rolecall report merge -f sarif -o org.sarif shard-*.sarif`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := org.CheckFormat(format); err != nil {
				return err
			}
			m := org.NewMerged()
			for _, p := range args {
				if err := m.ReadFile(p); err != nil {
					return err
				}
			}
			// The inputs were redacted (or not) when written: pass them on.
			opts := report.Options{ShowSecrets: true, Version: versionString()}
			if eng, err := detectors.NewEngine(nil); err == nil {
				opts.Rules = eng.Rules()
			}
			repos := m.Repositories()
			if a.redactKeyIDs {
				repos = redactKeyIDs(repos)
			}
			return a.writeReport(func(w io.Writer) error { return org.Write(w, format, repos, opts) })
		},
	}
	merge.Flags().StringVarP(&format, "format", "f", "jsonl", "report format: "+strings.Join(org.Formats, ", "))
	merge.Flags().StringVarP(&a.output, "output", "o", "", "write the merged report to `FILE` instead of standard output")
	merge.Flags().BoolVar(&a.redactKeyIDs, "redact-key-ids", false, "hide the AWS key and principal ids (AKIA..., AIDA...) the inputs show")
	cmd.AddCommand(merge)
	return cmd
}

// redactKeyIDs hides the AWS ids of findings passed on as their inputs
// hold them; other secrets were redacted, or not, when the shard was written.
func redactKeyIDs(repos iter.Seq2[org.RepoFindings, error]) iter.Seq2[org.RepoFindings, error] {
	return func(yield func(org.RepoFindings, error) bool) {
		for r, err := range repos {
			if err == nil {
				r.Findings = slices.Clone(r.Findings)
				for i := range r.Findings {
					if detectors.IsAWSID(r.Findings[i].Secret) {
						r.Findings[i].Secret = scanner.Redact(r.Findings[i].Secret)
					}
				}
			}
			if !yield(r, err) {
				return
			}
		}
	}
}
