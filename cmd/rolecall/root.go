package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rolecall/rolecall/detectors"
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
	exitCode    int
	maxFileSize sizeValue
	noColor     bool
	jobs        int
	failOn      string
	quiet       bool
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

Exit status: 0 when nothing at or above --fail-on is found, --exit-code (1)
when something is, 2 on a usage or runtime error.`,
		Example: `  rolecall scan .                       scan the working tree
  rolecall scan --format sarif -o rolecall.sarif .
  rolecall scan --format json -o baseline.json . && rolecall scan --baseline baseline.json .
  rolecall rules                        list the detection rules`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to `FILE`")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
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
		newFixCmd(a), newCICmd(a), newRulesCmd(a), newVersionCmd(a))
	return root
}

// addScanFlags registers the flags shared by every command that scans.
func (a *app) addScanFlags(fs *pflag.FlagSet) {
	a.maxFileSize = scanner.DefaultMaxFileSize
	fs.StringVarP(&a.format, "format", "f", "text", "report format: "+strings.Join(report.Formats, ", "))
	fs.StringVarP(&a.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVarP(&a.config, "config", "c", "", "rules and allowlists `FILE` (default: .rolecall.toml at the scan root, if present)")
	fs.StringVar(&a.baseline, "baseline", "", "report only findings not in this earlier JSON report `FILE`")
	fs.BoolVar(&a.showSecrets, "show-secrets", false, "print secrets in full (by default every output shows only their first characters)")
	fs.IntVar(&a.exitCode, "exit-code", 1, "exit status when findings at or above --fail-on remain")
	fs.StringVar(&a.failOn, "fail-on", "medium", "lowest severity that sets the exit status: high, medium or low")
	fs.Var(&a.maxFileSize, "max-file-size", "skip (with a warning) files bigger than this, e.g. 10MiB, 500KB")
	fs.BoolVar(&a.noColor, "no-color", false, "no colour in the text report (NO_COLOR in the environment does the same)")
	fs.IntVarP(&a.jobs, "jobs", "j", 0, "worker goroutines (default: number of CPUs)")
	fs.BoolVarP(&a.quiet, "quiet", "q", false, "print no warnings or progress on standard error")
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
	if a.jobs < 0 {
		return fmt.Errorf("--jobs %d: use a positive number", a.jobs)
	}
	return nil
}

// engine loads the rules: --config (a link is followed: the user named
// it), else .rolecall.toml in configDir, read only if it is a regular file
// inside that tree.
func (a *app) engine(configDir string) (*detectors.Engine, error) {
	var user *detectors.Config
	var err error
	switch {
	case a.config != "":
		user, err = detectors.LoadConfigFile(a.config)
	default:
		if _, statErr := os.Lstat(filepath.Join(configDir, ".rolecall.toml")); statErr == nil {
			user, err = detectors.LoadTreeConfig(configDir, ".rolecall.toml")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w (fix the file, or point --config elsewhere)", err)
	}
	if user != nil {
		a.configKey = user.FingerprintKey
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

// useColor reports whether the text report may use ANSI colours: only on a
// terminal, never when NO_COLOR is set or --no-color given.
func (a *app) useColor() bool {
	if a.noColor || a.output != "" || os.Getenv("NO_COLOR") != "" {
		return false
	}
	return a.stdoutIsTerminal()
}

func (a *app) stdoutIsTerminal() bool {
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// finish filters by baseline, writes the report and turns the findings into
// the exit status.
func (a *app) finish(eng *detectors.Engine, findings []scanner.Finding, stats report.Stats, failOn detectors.Severity) error {
	findings, known, err := a.applyBaseline(findings)
	if err != nil {
		return err
	}
	a.warnUnkeyed()
	stats.Baselined = known
	opts := report.Options{
		ShowSecrets: a.showSecrets,
		Color:       a.format == "text" && a.useColor(),
		Rules:       eng.Rules(),
		Version:     versionString(),
		FailOn:      failOn,
	}
	if a.format == "text" {
		opts.Stats = &stats
	}
	if err := a.writeReport(func(w io.Writer) error { return report.Write(w, a.format, findings, opts) }); err != nil {
		return err
	}
	return a.exitFor(findings, failOn)
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
	kept := b.Filter(findings)
	if advice := b.RefreshAdvice(); advice != "" {
		a.warn(scanner.Warning{Message: advice})
	}
	return kept, len(findings) - len(kept), nil
}

// exitFor turns findings into the exit status: --exit-code when any is at or
// above --fail-on.
func (a *app) exitFor(findings []scanner.Finding, failOn detectors.Severity) error {
	for _, f := range findings {
		if f.Severity >= failOn {
			return exitCodeError{code: a.exitCode}
		}
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
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if err := outfile.Write(a.output, buf.Bytes(), 0o644); err != nil {
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
