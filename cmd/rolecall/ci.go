package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/gitscan/ghevent"
	"github.com/rolecall/rolecall/scanner/report"
)

func newCICmd(a *app) *cobra.Command {
	ci := &cobra.Command{
		Use:   "ci",
		Short: "Run in a CI system and pick the commits to scan from its event",
		Args:  cobra.NoArgs, // an unknown CI system is an error, not help
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var sarif string
	gh := &cobra.Command{
		Use:   "github [REPO]",
		Short: "Scan what a GitHub Actions event brought: a push, a pull request, or all history on a schedule",
		Long: `Read GITHUB_EVENT_NAME and GITHUB_EVENT_PATH and scan:
  push                 the pushed commits (after --not before); for a new
                       branch or a force push whose old tip is gone, the
                       commits no other branch or tag has (never the whole
                       history by accident); a push of nothing new passes
  pull_request         base.sha..head.sha
  schedule, workflow_dispatch and others: the full history

It writes annotations on standard output, a job summary to
GITHUB_STEP_SUMMARY (a table with file, cell and commit, secrets redacted,
and what could not be read) and a SARIF file for
github/codeql-action/upload-sarif. The exit status follows the findings
(--fail-on, --exit-code); with none, a scan that could not read everything
exits 3. On a shallow checkout an event whose range is not wholly present
fails (exit 2): check out with fetch-depth: 0.`,
		Example: `  rolecall ci github --sarif rolecall.sarif`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			event, err := ghevent.Read(os.Getenv)
			if err != nil {
				return err
			}
			g, err := a.openGit(path)
			if err != nil {
				return err
			}
			defer g.repo.Close()
			repo, eng, failOn := g.repo, g.eng, g.failOn
			plan, err := event.Choose(repo)
			if err != nil {
				return err
			}
			for _, w := range plan.Warnings {
				a.warn(scanner.Warning{Message: w})
			}
			if !a.quiet {
				fmt.Fprintf(a.stderr, "rolecall: %s\n", escape.Text(plan.Describe))
			}
			sc := gitScope{sel: plan.Selection, exact: plan.Commits}
			sc.cov.Skipped, sc.cov.Unreadable = plan.Skipped, plan.Unreadable
			if !plan.Nothing && repo.IsShallow() {
				if err := wholeRange(repo, sc, plan.Describe); err != nil {
					return err
				}
			}
			res, cov := &gitscan.Result{}, sc.cov
			var scanErr error
			if !plan.Nothing {
				res, cov, scanErr = a.scanScope(cmd, g, sc)
				if scanErr != nil && !interrupted(scanErr) {
					return scanErr
				}
			}
			findings, known, err := a.applyBaseline(res.Findings)
			if err != nil {
				return err
			}
			if known > 0 && !a.quiet {
				fmt.Fprintf(a.stderr, "rolecall: %d finding(s) known from the baseline\n", known)
			}
			a.settle(&cov, findings, scanErr)
			opts := a.reportOptions(eng, failOn, &cov)
			opts.AnnotationsRestIn = "the job summary and in code scanning (the SARIF file " + sarif + ")"
			if err := report.Write(a.stdout, "github", findings, opts); err != nil {
				return err
			}
			var sb bytes.Buffer
			if err := report.Write(&sb, "sarif", findings, opts); err != nil {
				return err
			}
			if err := outfile.Write(sarif, sb.Bytes(), 0o644); err != nil {
				return fmt.Errorf("--sarif: %w", err)
			}
			if err := a.writeSummary(&cov); err != nil {
				return err
			}
			if summary := os.Getenv("GITHUB_STEP_SUMMARY"); summary != "" {
				if err := appendSummary(summary, plan.Describe, res.Commits, findings, opts); err != nil {
					a.warn(scanner.Warning{Path: summary, Message: fmt.Sprintf("cannot write the job summary: %v", err)})
				}
			}
			return a.exitFor(findings, failOn, &cov)
		},
	}
	a.addScanFlags(gh.Flags())
	a.addFailIncomplete(gh.Flags(), true)
	gh.Flags().StringVar(&sarif, "sarif", "rolecall.sarif", "write SARIF for github/codeql-action/upload-sarif to `FILE`")
	ci.AddCommand(gh)
	return ci
}

// appendSummary adds the job summary: GitHub collects what every step
// appends to the file.
func appendSummary(path, scope string, commits int, fs []scanner.Finding, o report.Options) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := report.WriteGitHubSummary(f, scope, commits, fs, o); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// wholeRange fails when the commits to scan reach a shallow boundary: the
// commits behind it are part of the event's range but not in the checkout.
func wholeRange(repo *gitscan.Repo, sc gitScope, what string) error {
	var walk *gitscan.WalkResult
	if len(sc.exact) > 0 {
		walk = repo.LoadCommits(sc.exact)
	} else {
		var err error
		if walk, err = repo.Select(sc.sel); err != nil {
			return err
		}
	}
	if len(walk.Shallow) > 0 {
		return ghevent.ShallowError(what)
	}
	return nil
}
