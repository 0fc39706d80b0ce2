package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/iam/verify"
	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/report"
)

// app carries the process's streams and the flags every scanning command
// shares.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	warnMu         sync.Mutex
	progressShown  bool // a progress line is on stderr and must be cleared first
	stopProfile    func()

	format      string
	output      string
	config      string
	baseline    string
	showSecrets bool
	// redactKeyIDs hides AWS key and principal ids, shown in full by default.
	redactKeyIDs bool
	exitCode     int
	maxFileSize  sizeValue
	noColor      bool
	jobs         int
	failOn       string
	quiet        bool
	// dir is -C DIR of the git hook commands.
	dir string
	// summary is --summary FILE: the coverage record as JSON.
	summary string
	// failIncomplete makes an incomplete scan exit 3 (--fail-incomplete;
	// on by default for the commands that gate: ci, pre-push, staged).
	failIncomplete    bool
	hasFailIncomplete bool // the command has the flag (fix does not)
	// failOnlyLive is scan --fail-on-live: only a verified live key fails
	// the run.
	failOnlyLive bool
	// configKey is the config's fingerprintKey, if it sets one; fpKey is
	// this run's key, and fpKeyWhy why there is none.
	configKey string
	fpKey     *scanner.FingerprintKey
	fpKeyWhy  string
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "rolecall",
		Short: "Find cloud keys and credentials in code, notebooks and git history, and fix them",
		Long: `rolecall finds AWS access keys, tokens and plaintext credentials in files,
Jupyter notebooks (cells, outputs and metadata, reported by cell and line)
and git history, and rewrites the code to use roles or named profiles.

Exit status:
  0    nothing at or above --fail-on found, and everything in scope was read
  1    findings at or above --fail-on (the --exit-code value); findings win
  2    a usage or runtime error (the message says what to do)
  3    incomplete: nothing found, but part of the scope could not be read
       (ci github, pre-push and staged by default; scan and history with
       --fail-incomplete, else they warn and exit 0)
  130  interrupted (Ctrl-C): what was found so far is reported, marked incomplete`,
		Example: `  rolecall scan .                       scan the working tree
  rolecall scan --format sarif -o rolecall.sarif .
  rolecall scan --format json -o baseline.json --exit-code 0 . && rolecall scan --baseline baseline.json .
  rolecall rules                        list the detection rules`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// `rolecall --version` prints what `rolecall version` does.
	root.Version = versionString()
	root.SetVersionTemplate("rolecall {{.Version}}\n")
	// `rolecall completion bash|zsh|fish|powershell` (cobra's generator).
	root.CompletionOptions.HiddenDefaultCmd = false
	root.SetFlagErrorFunc(flagError)
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if f := cmd.Flags().Lookup("fail-incomplete"); f != nil {
			a.hasFailIncomplete, a.failIncomplete = true, f.Value.String() == "true"
		}
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		a.stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return pprof.StartCPUProfile(f)
	}

	root.AddCommand(newScanCmd(a), newHistoryCmd(a), newStagedCmd(a), newPrePushCmd(a), newHookCmd(a),
		newFixCmd(a), newCICmd(a), newOrgCmd(a), newReportCmd(a), newIAMCmd(a), newRulesCmd(a), newVersionCmd(a))
	// cobra's completion command prints its help and exits 0 for a shell it
	// does not know (`completion tcsh`): a script would take that for the
	// completion; say so and exit 2 instead. The generators keep the
	// output stream they are made with, so it is set first.
	root.SetOut(a.stdout)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return fmt.Errorf("no completion for the shell %q: use bash, zsh, fish or powershell", args[0])
			}
		}
	}
	return root
}

// addReportFlags registers --format and --output, for the commands that
// write one report where the user says (not ci github, which writes
// annotations and SARIF).
func (a *app) addReportFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&a.format, "format", "f", "text", "report format: "+strings.Join(report.Formats, ", "))
	a.addOutputFlags(fs)
}

// addOutputFlags registers --output and --no-color, for commands with
// formats of their own (org, report merge).
func (a *app) addOutputFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&a.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.BoolVar(&a.noColor, "no-color", false, "no colour in the text report (NO_COLOR in the environment does the same)")
}

// addScanFlags registers the flags shared by every command that scans.
func (a *app) addScanFlags(fs *pflag.FlagSet) {
	a.maxFileSize = scanner.DefaultMaxFileSize
	if a.format == "" {
		a.format = "text" // ci github has no --format: its reports are fixed
	}
	fs.StringVarP(&a.config, "config", "c", "", "rules and allowlists `FILE` (default: .rolecall.toml at the scan root, if present)")
	fs.StringVar(&a.baseline, "baseline", "", "report only findings not in this earlier JSON report `FILE`")
	fs.BoolVar(&a.showSecrets, "show-secrets", false, "print secrets in full (by default every output shows only their first characters)")
	fs.BoolVar(&a.redactKeyIDs, "redact-key-ids", false, "hide AWS key and principal ids (AKIA..., AIDA...) too; by default they are shown in full, as identifiers")
	fs.IntVar(&a.exitCode, "exit-code", 1, "exit status when findings at or above --fail-on remain")
	fs.StringVar(&a.failOn, "fail-on", "medium", "lowest severity that sets the exit status: high, medium or low")
	fs.Var(&a.maxFileSize, "max-file-size", "skip (with a warning) files bigger than this, e.g. 10MiB, 500KB")
	a.addJobsFlag(fs)
	fs.BoolVarP(&a.quiet, "quiet", "q", false, "print no warnings or progress on standard error")
	fs.StringVar(&a.summary, "summary", "", "write the coverage record (what was scanned, skipped, unreadable) as JSON to `FILE`")
}

// addFailIncomplete registers --fail-incomplete with the command's default:
// on for the commands that gate a commit, push or workflow.
func (a *app) addFailIncomplete(fs *pflag.FlagSet, def bool) {
	// Each command has its own default, so the flag cannot share a field
	// (the last definition's default would win): the running command's
	// value is copied in before it runs (see newRootCmd).
	fs.Bool("fail-incomplete", def, "exit 3 when part of the scope could not be read and nothing was found")
}

// addJobsFlag registers -j; 0 stands for "one per CPU" and cannot be given.
func (a *app) addJobsFlag(fs *pflag.FlagSet) {
	fs.VarP((*jobsValue)(&a.jobs), "jobs", "j", "worker goroutines, 1 or more (default: number of CPUs)")
}

// jobsValue is a worker count: a whole number of 1 or more.
type jobsValue int

func (j *jobsValue) String() string { return strconv.Itoa(int(*j)) }
func (j *jobsValue) Type() string   { return "N" }
func (j *jobsValue) Set(v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return fmt.Errorf("use a whole number of 1 or more (without -j, rolecall uses one per CPU)")
	}
	*j = jobsValue(n)
	return nil
}

var flagValueError = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?(--[\w-]+)" flag: (.*)$`)

// flagError rewrites pflag's errors for people: no Go function or type
// names, the flag and value first, and where to read about the flags.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := flagValueError.FindStringSubmatch(msg); m != nil {
		reason := m[3]
		switch {
		case strings.Contains(reason, "strconv.ParseInt"), strings.Contains(reason, "strconv.Atoi"):
			reason = "not a whole number"
		case strings.Contains(reason, "strconv.ParseBool"):
			reason = "use true or false"
		case strings.Contains(reason, "strconv.Parse"):
			reason = "not a number"
		case strings.Contains(reason, "time: "):
			reason = "not a duration: write it like 200ms, 2s or 1m"
		}
		msg = fmt.Sprintf("%s %q: %s", m[2], m[1], reason)
	}
	return fmt.Errorf("%s\nRun '%s --help' for the flags it takes.", msg, cmd.CommandPath())
}

// checkScanFlags validates flag values before any work starts.
func (a *app) checkScanFlags() (detectors.Severity, error) {
	ok := false
	for _, f := range report.Formats {
		ok = ok || f == a.format
	}
	if !ok {
		return 0, fmt.Errorf("--format %q: use one of %s", a.format, strings.Join(report.Formats, ", "))
	}
	sev, err := detectors.ParseSeverity(a.failOn)
	if err != nil {
		return 0, fmt.Errorf("--fail-on: %w", err)
	}
	return sev, a.checkCommonFlags()
}

// checkCommonFlags validates the flags every command that reads files has.
func (a *app) checkCommonFlags() error {
	if a.exitCode < 0 || a.exitCode > 125 {
		return fmt.Errorf("--exit-code %d: use a value from 0 to 125", a.exitCode)
	}
	return nil
}

// engine loads the rules: --config (a link is followed: the user named
// it), else .rolecall.toml in configDir, else a gitleaks config there
// (.gitleaks.toml), read as gitleaks reads it. A config found in the tree
// is read only as a regular file inside it.
func (a *app) engine(configDir string) (*detectors.Engine, error) {
	path := a.config
	load := detectors.LoadConfigFile
	for _, name := range []string{".rolecall.toml", ".gitleaks.toml"} {
		if path != "" {
			break
		}
		if _, err := os.Lstat(filepath.Join(configDir, name)); err == nil {
			path = filepath.Join(configDir, name)
			load = func(string) (*detectors.Config, error) { return detectors.LoadTreeConfig(configDir, name) }
		}
	}
	var user *detectors.Config
	if path != "" {
		c, err := load(path)
		if err != nil {
			return nil, fmt.Errorf("%w (fix the file, or point --config elsewhere)", err)
		}
		if len(c.Notes) > 0 {
			a.warn(scanner.Warning{Path: path, Message: "read as a gitleaks config; not used: " + strings.Join(c.Notes, "; ")})
		}
		user = c
		a.configKey = c.FingerprintKey
	}
	return detectors.NewEngine(user)
}

// warn prints a warning on standard error unless --quiet.
func (a *app) warn(w scanner.Warning) {
	if a.quiet {
		return
	}
	a.warnMu.Lock()
	defer a.warnMu.Unlock()
	if a.progressShown {
		fmt.Fprint(a.stderr, "\r\x1b[K")
	}
	fmt.Fprintf(a.stderr, "rolecall: warning: %s\n", escape.Text(w.String()))
}

func (a *app) stdinIsTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) stdoutIsTerminal() bool {
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// finish filters by baseline, writes the report and the coverage record,
// and turns findings and coverage into the exit status. scanErr is the
// scan's own error: only an interruption (Ctrl-C) reaches here.
func (a *app) finish(eng *detectors.Engine, findings []scanner.Finding, cov scanner.Coverage, failOn detectors.Severity, scanErr error) error {
	findings, known, err := a.applyBaseline(findings)
	if err != nil {
		return err
	}
	a.warnUnkeyed()
	a.settle(&cov, findings, scanErr)
	stats := report.StatsOf(&cov)
	stats.Baselined = known
	opts := a.reportOptions(eng, failOn, &cov)
	opts.Color = a.format == "text" && a.useColor()
	opts.Width = a.terminalWidth()
	if a.format == "text" {
		opts.Stats = &stats
	}
	if err := a.writeReport(func(w io.Writer) error { return report.Write(w, a.format, findings, opts) }); err != nil {
		return err
	}
	if err := a.writeSummary(&cov); err != nil {
		return err
	}
	return a.exitFor(findings, failOn, &cov)
}

// reportOptions are the rendering options every scanning command shares.
func (a *app) reportOptions(eng *detectors.Engine, failOn detectors.Severity, cov *scanner.Coverage) report.Options {
	return report.Options{ShowSecrets: a.showSecrets, RedactKeyIDs: a.redactKeyIDs, Rules: eng.Rules(), Version: versionString(), FailOn: failOn, Coverage: cov}
}

// settle completes the coverage record once the scan is over: the findings
// reported, an interruption, and Complete. It warns when the scan is
// incomplete.
func (a *app) settle(cov *scanner.Coverage, findings []scanner.Finding, scanErr error) {
	cov.Findings = len(findings)
	if interrupted(scanErr) {
		cov.MarkInterrupted()
	}
	cov.Settle()
	if cov.Complete || a.quiet {
		return
	}
	fmt.Fprintf(a.stderr, "rolecall: warning: the scan is %s\n", cov.Summary())
	for i, g := range cov.Unreadable {
		if i == 10 {
			fmt.Fprintf(a.stderr, "rolecall:   ... and %d more (--summary FILE lists them all)\n", len(cov.Unreadable)-i)
			break
		}
		fmt.Fprintf(a.stderr, "rolecall:   not read: %s\n", g)
	}
	if a.hasFailIncomplete && !a.failIncomplete && !cov.Interrupted {
		fmt.Fprintln(a.stderr, "rolecall:   the exit status ignores this; --fail-incomplete makes it exit 3")
	}
}

// writeSummary writes --summary FILE.
func (a *app) writeSummary(cov *scanner.Coverage) error {
	if a.summary == "" {
		return nil
	}
	data, err := json.MarshalIndent(cov, "", "  ")
	if err != nil {
		return err
	}
	if err := outfile.Write(a.summary, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("--summary: %w", err)
	}
	return nil
}

// interrupted tells a scan stopped by Ctrl-C (the command's context was
// cancelled) from other errors.
func interrupted(err error) bool {
	return errors.Is(err, context.Canceled)
}

// applyBaseline drops the findings --baseline knows, and counts them.
func (a *app) applyBaseline(findings []scanner.Finding) ([]scanner.Finding, int, error) {
	if a.baseline == "" {
		return findings, 0, nil
	}
	b, err := scanner.LoadBaseline(a.baseline)
	if err != nil {
		return nil, 0, err
	}
	findings = a.withoutBaselineFile(findings)
	kept := b.Filter(findings)
	if advice := b.RefreshAdvice(); advice != "" {
		a.warn(scanner.Warning{Message: advice})
	}
	return kept, len(findings) - len(kept), nil
}

// withoutBaselineFile drops findings in the --baseline file itself: it
// names the key ids it accepts, and would otherwise report them anew.
func (a *app) withoutBaselineFile(findings []scanner.Finding) []scanner.Finding {
	base, err := filepath.Abs(a.baseline)
	if err != nil {
		return findings
	}
	kept := findings[:0:0]
	for _, f := range findings {
		if abs, err := filepath.Abs(f.File); err != nil || abs != base {
			kept = append(kept, f)
		}
	}
	return kept
}

// exitFor turns findings and coverage into the exit status: 130 when
// interrupted; else --exit-code when a finding is at or above --fail-on
// (findings win); else 3 when the scan is incomplete and
// --fail-incomplete is on.
func (a *app) exitFor(findings []scanner.Finding, failOn detectors.Severity, cov *scanner.Coverage) error {
	if cov.Interrupted {
		return exitCodeError{code: exitInterrupted}
	}
	for _, f := range findings {
		if f.Severity >= failOn && (!a.failOnlyLive || f.Verification != nil && f.Verification.Status == verify.Live) {
			return exitCodeError{code: a.exitCode}
		}
	}
	if !cov.Complete && a.failIncomplete {
		return exitCodeError{code: exitIncomplete}
	}
	return nil
}

// writeReport writes to --output as a shell redirection would (atomically
// for a regular file, through a link, directly to a device or FIFO), or to
// standard output.
func (a *app) writeReport(write func(io.Writer) error) error {
	if a.output == "" {
		return write(a.stdout)
	}
	if err := outfile.WriteFunc(a.output, 0o644, write); err != nil {
		return fmt.Errorf("cannot write report: %w", err)
	}
	return nil
}

func versionString() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return version
}

// sizeValue is a byte count flag that accepts units: 10MiB, 10MB, 512k, 2048.
type sizeValue int64

func (s *sizeValue) String() string {
	n := int64(*s)
	switch {
	case n > 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n > 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

func (s *sizeValue) Type() string { return "size" }

func (s *sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeValue(n)
	return nil
}

func parseSize(v string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(v))
	units := []struct {
		suffix string
		mult   int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1e9}, {"mb", 1e6}, {"kb", 1e3},
		{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n <= 0 || n*float64(mult) > 1<<40 {
		return 0, fmt.Errorf("%q is not a size: use a positive number with an optional unit, e.g. 10MiB, 500KB", v)
	}
	return int64(n * float64(mult)), nil
}
