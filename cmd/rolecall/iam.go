package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/iam/infer"
	"github.com/rolecall/rolecall/iam/lint"
	"github.com/rolecall/rolecall/iam/policy"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

func newIAMCmd(a *app) *cobra.Command {
	iam := &cobra.Command{
		Use:   "iam",
		Short: "Write the least-privilege policy for the code, and lint IAM policies",
		Args:  cobra.NoArgs, // an unknown subcommand is an error, not help
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	iam.AddCommand(newIAMPolicyCmd(a), newIAMLintCmd(a))
	return iam
}

func newIAMPolicyCmd(a *app) *cobra.Command {
	var format string
	var explain bool
	cmd := &cobra.Command{
		Use:   "policy [PATH...]",
		Short: "Print the least-privilege identity policy for the AWS calls of the code under PATH",
		Long: `Read Python, R and shell files and notebooks (default: the current
directory) for AWS calls: boto3 clients, resources, paginators and waiters,
pandas/dask/polars on s3:// paths, s3fs and fsspec, awswrangler, the
SageMaker SDK, Spark s3a:// reads and writes, R paws and aws.s3, and the AWS
CLI in scripts, %%bash cells and ! lines. Print the identity policy they
need: one statement per action set and resource, ARNs from literals, module
constants and the literal prefix of f-strings and concatenations.

A call whose resource cannot be known gets "*" for its own actions only and
a warning on stderr naming the call site. No statement ever has a wildcard
action.`,
		Example: `  rolecall iam policy notebooks/
  rolecall iam policy -f text etl.py
  rolecall iam policy -f terraform . > policy.tf`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			switch format {
			case "json", "text", "terraform":
			default:
				return fmt.Errorf("unknown --format %q: use json, text or terraform", format)
			}
			if err := pathsExist(args); err != nil {
				return err
			}
			res, skipped := infer.Paths(args)
			for _, s := range skipped {
				a.warnf("not read: %s", s)
			}
			for _, w := range res.Warnings() {
				a.warnf("%s", w)
			}
			for _, n := range res.Notes {
				a.warnf("%s", n)
			}
			doc := policy.Build(res.Grants())
			return a.writeReport(func(w io.Writer) error { return writePolicy(w, format, explain, doc, res) })
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "json", "output `FORMAT`: json, text or terraform")
	cmd.Flags().BoolVar(&explain, "explain", false, "json: print {\"policy\", \"calls\"} with each call site's action and resource")
	cmd.Flags().StringVarP(&a.output, "output", "o", "", "write to `FILE` instead of stdout")
	cmd.Flags().BoolVarP(&a.quiet, "quiet", "q", false, "no warnings on stderr")
	return cmd
}

// writePolicy renders a policy and, for text and --explain, its call sites.
func writePolicy(w io.Writer, format string, explain bool, doc policy.Document, res *infer.Result) error {
	switch format {
	case "terraform":
		_, err := io.WriteString(w, doc.Terraform("rolecall"))
		return err
	case "json":
		if !explain {
			_, err := w.Write(doc.JSON())
			return err
		}
		uses := res.Uses
		if uses == nil {
			uses = []infer.Use{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Policy policy.Document `json:"policy"`
			Calls  []infer.Use     `json:"calls"`
		}{doc, uses})
	}
	if _, err := w.Write(doc.JSON()); err != nil {
		return err
	}
	lines := make([]string, 0, len(res.Uses))
	for _, u := range res.Uses {
		l := fmt.Sprintf("%s -> %s -> %s", u.Site, u.Action, u.Resource)
		if u.Warning != "" {
			l += "  (" + u.Warning + ")"
		}
		lines = append(lines, l)
	}
	_, err := fmt.Fprintf(w, "\ncall sites (%d):\n%s", len(lines), indentLines(lines))
	return err
}

func indentLines(ls []string) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

func newIAMLintCmd(a *app) *cobra.Command {
	var suggest bool
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Check IAM policies in JSON, Terraform, CloudFormation/SAM and Python/notebook code",
		Long: `Find IAM policy documents (default: under the current directory) in JSON
files, Terraform (aws_iam_policy_document blocks, jsonencode(...), heredoc
JSON), CloudFormation and SAM templates (YAML or JSON), and dict or JSON
literals passed to put_role_policy, create_policy, create_role and
put_bucket_policy in Python files and notebooks, and check them. Each check
is a rule (see README); findings take scan's formats, flags and exit codes.
A rolecall:allow comment on the line silences a finding.

--suggest prints, after the report and on stderr, the least-privilege policy
rolecall infers from the code under the same paths, to replace a wildcard.`,
		Example: `  rolecall iam lint infra/
  rolecall iam lint -f sarif -o iam.sarif .
  rolecall iam lint --suggest .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			failOn, err := a.checkScanFlags()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			if err := pathsExist(args); err != nil {
				return err
			}
			findings, notes, files := lint.Paths(args, int64(a.maxFileSize))
			for _, n := range notes {
				a.warnf("%s", n)
			}
			findings, known, err := a.applyBaseline(findings)
			if err != nil {
				return err
			}
			opts := report.Options{ShowSecrets: true, Color: a.format == "text" && a.useColor(), Rules: lint.Rules,
				Version: versionString(), FailOn: failOn}
			if err := a.writeReport(func(w io.Writer) error {
				if err := report.Write(w, a.format, findings, opts); err != nil || a.format != "text" {
					return err
				}
				return lintSummary(w, findings, files, known)
			}); err != nil {
				return err
			}
			if suggest && hasRule(findings, lint.WildcardAction) {
				code := codeRoots(args)
				res, _ := infer.Paths(code)
				fmt.Fprintf(a.stderr, "\nrolecall: suggested least-privilege policy, from the AWS calls of the code under %s:\n%s",
					strings.Join(code, " "), policy.Build(res.Grants()).JSON())
				for _, w := range res.Warnings() {
					fmt.Fprintf(a.stderr, "rolecall: warning: %s\n", w)
				}
			}
			// lint reads no git objects: nothing makes it incomplete but
			// unreadable files, which are named on stderr
			return a.exitFor(findings, failOn, &scanner.Coverage{Complete: true})
		},
	}
	a.addReportFlags(cmd.Flags())
	a.addScanFlags(cmd.Flags())
	cmd.Flags().BoolVar(&suggest, "suggest", false, "after the report, print the least-privilege policy inferred from the code (stderr)")
	return cmd
}

// lintSummary ends the text report (scan's summary speaks of secrets).
func lintSummary(w io.Writer, fs []scanner.Finding, files, baselined int) error {
	s := "no IAM policy problems found"
	if len(fs) > 0 {
		s = fmt.Sprintf("%d IAM policy finding(s)", len(fs))
	}
	s += fmt.Sprintf("; %d file(s) checked", files)
	if baselined > 0 {
		s += fmt.Sprintf("; %d known from the baseline", baselined)
	}
	_, err := fmt.Fprintln(w, s+".")
	return err
}

// codeRoots are where --suggest reads code: the work tree of the git
// repository holding each path (the policy in infra/ is for the code in
// etl/), else the path itself.
func codeRoots(paths []string) []string {
	var roots []string
	for _, p := range paths {
		root := p
		if abs, err := filepath.Abs(p); err == nil {
			for d := abs; ; d = filepath.Dir(d) {
				if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
					root = d
					if wd, err := os.Getwd(); err == nil {
						if rel, err := filepath.Rel(wd, d); err == nil && !strings.HasPrefix(rel, "..") {
							root = rel // shown as the user would type it
						}
					}
					break
				}
				if filepath.Dir(d) == d {
					break
				}
			}
		}
		if !slices.Contains(roots, root) {
			roots = append(roots, root)
		}
	}
	return roots
}

func hasRule(fs []scanner.Finding, id string) bool {
	for _, f := range fs {
		if f.RuleID == id {
			return true
		}
	}
	return false
}

// warnf prints a warning on stderr unless --quiet.
func (a *app) warnf(format string, args ...any) {
	a.warn(scanner.Warning{Message: fmt.Sprintf(format, args...)})
}

// pathsExist refuses a PATH that is not there, as scan does: a misspelt
// path must not pass as "nothing found" (exit 2, not 0).
func pathsExist(paths []string) error {
	for _, p := range paths {
		if _, err := os.Lstat(p); err != nil {
			return fmt.Errorf("cannot read %s: %w; check the path", p, errors.Unwrap(err))
		}
	}
	return nil
}
