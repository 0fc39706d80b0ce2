package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/iam/trust"
	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/internal/safefile"
	"github.com/rolecall/rolecall/remediate"
	"github.com/rolecall/rolecall/remediate/edit"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/report"
)

var fixFormats = []string{"diff", "sarif", "json"}

// fixFlags are the flags only `fix` has.
type fixFlags struct {
	write       bool
	profile     string
	roleName    string
	hadoop      string
	reportFile  string
	replaceText string
	// format is fix's own: a flag default is written when the flag is
	// defined, so sharing app.format with scan's "text" would clobber it.
	format string
}

func newFixCmd(a *app) *cobra.Command {
	var ff fixFlags
	cmd := &cobra.Command{
		Use:   "fix [PATH...]",
		Short: "Rewrite hardcoded credentials to use roles or a named profile",
		Long: `Scan, then rewrite the code that holds AWS keys (and configuration passwords)
so that the SDK's default credential chain supplies them: an instance or
execution role, IRSA, SSO or AWS_PROFILE. With --profile NAME the code is
pointed at that named profile instead, with each library's own parameter.

By default the fix is printed as a unified diff that git apply accepts (for
notebooks too: the diff is of the raw file); --write applies it in place,
refusing files that changed since they were scanned. Every edit is re-parsed
and re-scanned before it is offered; what cannot be rewritten safely is left
alone and listed with the reason. The run ends with a remediation report on
standard error: per leaked key the decoded account, the rotation checklist,
and (--profile) the ~/.aws/config stanza to create outside the repository.

Exit status: 0 when every finding was fixed, --exit-code (1) when some
must be fixed by hand, 2 on an error.`,
		Example: `  rolecall fix                                 # show the diff
  rolecall fix | git apply                     # apply it
  rolecall fix --write --profile analytics notebooks/
  rolecall fix --format sarif -o fixes.sarif   # fixes in SARIF results
  rolecall fix --report remediation.json --replace-text ~/leaked.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runFix(cmd, args, ff)
		},
	}
	fs := cmd.Flags()
	fs.BoolVarP(&ff.write, "write", "w", false, "apply the edits in place instead of printing a diff")
	fs.StringVar(&ff.profile, "profile", "", "point the code at this named AWS profile instead of the default chain (never invented)")
	fs.StringVar(&ff.roleName, "role-name", "", "name of the role that replaces each key, for the ARNs in the report (default rolecall-workload)")
	fs.StringVar(&ff.hadoop, "hadoop", "3.3", "Hadoop line of your Spark clusters, for the S3A credential provider class: 3.3 or 3.4 (AWS SDK v2 names)")
	fs.StringVar(&ff.reportFile, "report", "", "write the remediation report as JSON to `FILE`")
	fs.StringVar(&ff.replaceText, "replace-text", "", "write a git filter-repo --replace-text `FILE` for secrets already committed (it holds the secrets: keep it outside the repository)")
	a.maxFileSize = scanner.DefaultMaxFileSize
	fs.StringVarP(&ff.format, "format", "f", "diff", "output: "+strings.Join(fixFormats, ", "))
	fs.StringVarP(&a.output, "output", "o", "", "write the diff (or SARIF, JSON) to `FILE` instead of standard output")
	fs.StringVarP(&a.config, "config", "c", "", "rules and allowlists `FILE` (default: .rolecall.toml at the scan root, if present)")
	fs.StringVar(&a.baseline, "baseline", "", "leave alone findings in this earlier JSON report `FILE` (accepted ones)")
	fs.BoolVar(&a.noColor, "no-color", false, "accepted for symmetry with scan: fix prints no colour")
	fs.BoolVar(&a.showSecrets, "show-secrets", false, "print secrets in full in the report")
	fs.BoolVar(&a.redactKeyIDs, "redact-key-ids", false, "hide AWS key ids (AKIA...) too; by default they are shown in full, as identifiers")
	fs.IntVar(&a.exitCode, "exit-code", 1, "exit status when findings remain that must be fixed by hand")
	fs.Var(&a.maxFileSize, "max-file-size", "skip (with a warning) files bigger than this")
	a.addJobsFlag(fs)
	fs.BoolVarP(&a.quiet, "quiet", "q", false, "print no warnings and no report on standard error")
	fs.StringVar(&a.summary, "summary", "", "write the coverage record of the scan (what was scanned, skipped, unreadable) as JSON to `FILE`")
	return cmd
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+=,@-]*$`)

func (a *app) runFix(cmd *cobra.Command, args []string, ff fixFlags) error {
	if err := a.checkCommonFlags(); err != nil {
		return err
	}
	if !slices.Contains(fixFormats, ff.format) {
		return fmt.Errorf("--format %q: use one of %s", ff.format, strings.Join(fixFormats, ", "))
	}
	if ff.hadoop != "3.3" && ff.hadoop != "3.4" {
		return fmt.Errorf("--hadoop %q: use 3.3 (AWS SDK v1 provider classes) or 3.4 (SDK v2)", ff.hadoop)
	}
	if ff.roleName != "" && !roleName.MatchString(ff.roleName) {
		return fmt.Errorf("--role-name %q: an IAM role name is 1 to 64 letters, digits and _+=,.@-", ff.roleName)
	}
	if ff.profile != "" && !profileName.MatchString(ff.profile) {
		return fmt.Errorf("--profile %q: a profile name is letters, digits and _.+=,@-", ff.profile)
	}
	if ff.write && ff.format != "diff" {
		return fmt.Errorf("--write applies the edits; it does not combine with --format %s", ff.format)
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	// The repository holding the scan, if any: its work tree is off limits
	// for files of secrets, and its HEAD tells what is already committed.
	var repo *gitscan.Repo
	if r, err := gitscan.Open(args[0], 1); err == nil && r.WorkTree != "" {
		repo = r
		defer repo.Close()
	} else if err == nil {
		r.Close()
	}
	roots := append([]string(nil), args...)
	if repo != nil {
		roots = append(roots, repo.WorkTree)
	}
	if ff.replaceText != "" {
		if err := outsideRoots("--replace-text", ff.replaceText, roots); err != nil {
			return err
		}
	}
	if a.output != "" && ff.format == "diff" {
		// A diff written to a file is whole (it is for git apply).
		if err := outsideRoots("--output", a.output, roots); err != nil {
			return err
		}
	}
	eng, err := a.engine(configDir(args[0]))
	if err != nil {
		return err
	}
	s := scanner.New(eng).WithFingerprintKey(a.useFingerprintKey(func() *gitscan.Repo { return repo }))
	res, err := s.ScanPaths(cmd.Context(), args, scanner.Options{Jobs: a.jobs, MaxFileSize: int64(a.maxFileSize), Warn: a.warn})
	if err != nil {
		return err // interrupted too: a fix is planned from a whole scan or not at all
	}
	// The coverage of fix's scan: files it could not read may hold keys
	// it cannot fix.
	cov := res.Coverage()
	a.settle(&cov, res.Findings, nil)
	if err := a.writeSummary(&cov); err != nil {
		return err
	}
	var base *scanner.Baseline
	if a.baseline != "" {
		if base, err = scanner.LoadBaseline(a.baseline); err != nil {
			return err
		}
		res.Findings = a.withoutBaselineFile(res.Findings)
	}
	if known := len(res.Findings) - len(base.Filter(res.Findings)); known > 0 && !a.quiet {
		fmt.Fprintf(a.stderr, "rolecall: %d finding(s) known from the baseline are left alone.\n", known)
	}
	if advice := base.RefreshAdvice(); advice != "" {
		a.warn(scanner.Warning{Message: advice})
	}
	planner := &remediate.Planner{Registry: remediate.DefaultRegistry(), Scanner: s,
		Options: edit.Options{Profile: ff.profile, Hadoop: ff.hadoop}}
	plans, snaps := a.planFiles(planner, s, base.Filter(res.Findings), base)

	history, repoName := historyCheck(repo)
	for _, p := range plans {
		p.RedactKeyIDs = a.redactKeyIDs
	}
	branch := ""
	if repo != nil {
		branch = trust.DefaultBranch(repo.Dir, repo.CommonDir())
	}
	if ff.write {
		// Written first, so that the report says what was written.
		a.writeFixes(plans, snaps)
	}
	rep := remediate.BuildReport(plans, remediate.ReportOptions{
		Applied: ff.write, ShowSecrets: a.showSecrets, RedactKeyIDs: a.redactKeyIDs, Profile: ff.profile, InHistory: history,
		Repo: repoName, Branch: branch, RoleName: ff.roleName, Now: time.Now(),
	})
	if !ff.write {
		if err := a.writeReport(func(w io.Writer) error { return a.writeFixOutput(w, ff.format, plans, eng, rep) }); err != nil {
			return err
		}
	}
	if ff.reportFile != "" {
		if err := outfile.Write(ff.reportFile, mustJSON(rep), 0o644); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	if ff.replaceText != "" {
		if text := remediate.ReplaceTextExpressions(plans, history); text != "" {
			if err := outfile.Write(ff.replaceText, []byte(text), 0o600); err != nil {
				return fmt.Errorf("--replace-text: %w", err)
			}
		} else if !a.quiet {
			fmt.Fprintln(a.stderr, "rolecall: no secret found here is in committed history, so no --replace-text file was written.")
		}
	}
	if !a.quiet {
		if len(plans) == 0 {
			fmt.Fprintln(a.stderr, "rolecall: no secrets found, so there is nothing to fix.")
		}
		var text strings.Builder
		rep.WriteText(&text)
		io.WriteString(a.stderr, escape.Lines(text.String())) // file names come from the tree
	}
	if len(rep.Manual) > 0 {
		return exitCodeError{code: a.exitCode}
	}
	return nil
}

// planFiles re-reads each file with findings and plans its fix on exactly
// those bytes (re-scanned, so offsets match what is planned on), leaving
// alone what the baseline accepts. The snapshot of each file read is what
// --write checks before replacing it.
func (a *app) planFiles(planner *remediate.Planner, s *scanner.Scanner, findings []scanner.Finding, base *scanner.Baseline) ([]*remediate.FilePlan, map[string]outfile.Snapshot) {
	byFile := map[string]string{} // display path -> rule path
	var files []string
	for _, f := range findings {
		if _, ok := byFile[f.File]; !ok {
			byFile[f.File] = f.RulePath
			files = append(files, f.File)
		}
	}
	var plans []*remediate.FilePlan
	snaps := map[string]outfile.Snapshot{}
	for _, file := range files {
		data, info, err := readForFix(file, int64(a.maxFileSize))
		if err != nil {
			a.warn(scanner.Warning{Path: file, Message: fmt.Sprintf("cannot read it again to fix it: %v", err)})
			continue
		}
		snaps[file] = outfile.Take(info, data)
		fs, _ := s.Scan(scanner.Content{Path: file, RulePath: byFile[file], Data: data})
		fs = base.Filter(fs)
		if len(fs) == 0 {
			continue
		}
		if enc := fs[0].FileEncoding; enc != "" {
			plans = append(plans, byHand(file, data, fs, fmt.Sprintf("the file is %s; rolecall rewrites UTF-8 files only: fix it by hand, or convert it to UTF-8 and run rolecall fix again", enc)))
			continue
		}
		plans = append(plans, planner.Plan(file, data, fs))
	}
	return plans, snaps
}

// readForFix reads a file to fix (a regular file only, without blocking)
// and its state when read.
func readForFix(path string, limit int64) ([]byte, os.FileInfo, error) {
	f, info, err := safefile.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := safefile.ReadAll(f, info, limit)
	return data, info, err
}

// byHand is a plan that changes nothing: every finding is for a person,
// for reason.
func byHand(file string, data []byte, fs []scanner.Finding, reason string) *remediate.FilePlan {
	p := &remediate.FilePlan{Path: file, Original: data}
	for _, f := range fs {
		p.Items = append(p.Items, remediate.Item{Finding: f, Raw: f.Secret, Reason: reason})
	}
	return p
}

// writeFixes writes each changed plan in place. A file that could not be
// written (changed since the scan, hard-linked, not a regular file, an
// I/O error) is named with the reason, and its items become work by hand,
// which sets the exit status: nothing is reported fixed that was not
// written.
func (a *app) writeFixes(plans []*remediate.FilePlan, snaps map[string]outfile.Snapshot) {
	for _, p := range plans {
		claims := false
		for _, it := range p.Items {
			claims = claims || it.Fixed
		}
		switch {
		case p.Changed():
			if err := p.Write(p.Path, snaps[p.Path]); err != nil {
				p.NotWritten(err.Error())
				a.warn(scanner.Warning{Path: p.Path, Message: "not written: " + err.Error()})
				continue
			}
			if !a.quiet {
				fmt.Fprintf(a.stderr, "rolecall: fixed %s.\n", escape.Text(p.Summary()))
			}
		case claims:
			p.NotWritten("the planned fix left the file as it was (please report this)")
		}
	}
}

// writeFixOutput renders the plans in the chosen format.
func (a *app) writeFixOutput(w io.Writer, format string, plans []*remediate.FilePlan, eng *detectors.Engine, rep *remediate.Report) error {
	switch format {
	case "sarif":
		var fs []scanner.Finding
		fixes := map[int][]report.SARIFFix{}
		for _, p := range plans {
			for _, it := range p.Items {
				if it.Fixed && p.Changed() {
					fixes[len(fs)] = []report.SARIFFix{p.SARIFFix(!a.showSecrets)}
				}
				f := it.Finding
				f.Secret = scanner.Display(f.Secret, a.showSecrets, a.redactKeyIDs)
				fs = append(fs, f)
			}
		}
		return report.WriteSARIFWithFixes(w, fs, report.Options{Rules: eng.Rules(), Version: versionString()}, fixes)
	case "json":
		type fileOut struct {
			File    string `json:"file"`
			Changed bool   `json:"changed"`
			Diff    string `json:"diff,omitempty"`
		}
		out := struct {
			Files  []fileOut         `json:"files"`
			Report *remediate.Report `json:"report"`
		}{Files: []fileOut{}, Report: rep}
		for _, p := range plans {
			out.Files = append(out.Files, fileOut{File: p.Path, Changed: p.Changed(), Diff: diffFor(p, !a.showSecrets)})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	redact := !a.showSecrets && a.output == "" && a.stdoutIsTerminal()
	for _, p := range plans {
		if _, err := io.WriteString(w, diffFor(p, redact)); err != nil {
			return err
		}
	}
	if redact && !a.quiet && len(plans) > 0 {
		fmt.Fprintln(a.stderr, "rolecall: the diff above shows secrets redacted; to apply it, pipe it (rolecall fix | git apply), use --write, or add --show-secrets.")
	}
	return nil
}

// diffFor is a plan's diff, with every secret of the file redacted when
// asked. A diff that removes a secret holds it; redacted, it documents the
// change but git apply cannot use it. Piped into git apply (or a file), the
// diff is given whole: it holds nothing the file did not.
func diffFor(p *remediate.FilePlan, redact bool) string {
	if redact {
		return p.Redact(p.Diff())
	}
	return p.Diff()
}

// historyCheck returns a function telling whether a file's HEAD version
// holds a secret, and the GitHub owner/name of the origin remote, when the
// scan is in a git repository (repo is not nil).
func historyCheck(repo *gitscan.Repo) (check func(file, secret string) bool, repoName string) {
	if repo == nil {
		return nil, ""
	}
	cache := map[string][]byte{} // each HEAD file is read once
	check = func(file, secret string) bool {
		abs, err := filepath.Abs(file)
		if err != nil {
			return false
		}
		rel, err := filepath.Rel(repo.WorkTree, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return false
		}
		rel = filepath.ToSlash(rel)
		data, ok := cache[rel]
		if !ok {
			data, _ = repo.HeadFile(rel)
			cache[rel] = data
		}
		return bytes.Contains(data, []byte(secret))
	}
	return check, githubRepo(repo.ConfigValue(`remote "origin"`, "url"))
}

var roleName = regexp.MustCompile(`^[A-Za-z0-9_+=,.@-]{1,64}$`)

var githubURL = regexp.MustCompile(`github\.com[:/]([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$`)

func githubRepo(url string) string {
	if m := githubURL.FindStringSubmatch(url); m != nil {
		return m[1] + "/" + m[2]
	}
	return ""
}

// outsideRoots refuses a path inside the scanned trees or the repository:
// the file holds the secrets themselves and must not be committed. Paths
// are compared with symbolic links resolved.
func outsideRoots(flag, path string, roots []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	// The file is written through a link at path: compare where it lands.
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	} else if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	for _, r := range roots {
		ra, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		if resolved, err := filepath.EvalSymlinks(ra); err == nil {
			ra = resolved
		}
		if info, err := os.Stat(ra); err == nil && !info.IsDir() {
			ra = filepath.Dir(ra)
		}
		if rel, err := filepath.Rel(ra, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("%s %s is inside %s: the file holds the secrets themselves, so write it outside the repository (e.g. ~/rolecall-replace.txt)", flag, path, r)
		}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}
