package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/internal/outfile"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/org"
	"github.com/rolecall/rolecall/scanner/report"
)

// orgExitIncomplete is the exit status when repositories could not be
// scanned and nothing was found at or above --fail-on (issue 9's
// "incomplete").
const orgExitIncomplete = 3

// orgFlags are org's own flags; the scan flags live in app.
type orgFlags struct {
	format          string
	githubOrg       string
	githubUser      string
	apiURL          string
	includeForks    bool
	includeArchived bool
	reposFile       string
	dir             string
	state           string
	shard           string
	shards          int
	onlyNew         bool
	summary         string
}

func newOrgCmd(a *app) *cobra.Command {
	var of orgFlags
	cmd := &cobra.Command{
		Use:   "org (--github-org NAME | --github-user NAME | --repos FILE | --dir DIR)",
		Short: "Scan the git history of many repositories, incrementally, resumably, sharded across machines",
		Long: `Scan every repository of a GitHub organisation or user, of a list, or below a
directory. Bare mirrors and a store of what was scanned live in --state: the
next run fetches and scans only commits that are new since, a blob shared by
several repositories (forks, vendored copies) is read once, and a run killed
at any point finishes the rest when started again.

Findings stream out one JSON object a line (-f jsonl) as each repository
finishes, with "repository" and "first_seen" added. --shard K/N scans one
part of the repositories (by a stable hash of the name); "rolecall report
merge" joins the parts.

GITHUB_TOKEN authenticates API calls and clones (sent only to
https://github.com and the --api-url origin).

Exit status: 130 when interrupted (Ctrl-C: the repositories done so far are
reported and the summary says "interrupted"; the next run resumes);
--exit-code when findings at or above --fail-on are reported, 3 when some
repositories could not be scanned (each is named), 0 otherwise.`,
		Example: `  rolecall org --github-org acme --summary summary.json > findings.jsonl
  rolecall org --github-org acme --new                    # only what is new since the last run
  rolecall org --repos repos.txt --shard 2/4 -o shard-2.jsonl
  rolecall org --dir /srv/git -f sarif -o org.sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runOrg(cmd, &of) },
	}
	fs := cmd.Flags()
	fs.StringVar(&of.githubOrg, "github-org", "", "scan the repositories of the GitHub organisation `NAME`")
	fs.StringVar(&of.githubUser, "github-user", "", "scan the repositories the GitHub user `NAME` owns")
	fs.StringVar(&of.apiURL, "api-url", "", "GitHub API base `URL`, for GitHub Enterprise Server: https://HOST/api/v3")
	fs.BoolVar(&of.includeForks, "include-forks", false, "also scan forks listed by the GitHub API")
	fs.BoolVar(&of.includeArchived, "include-archived", false, "also scan archived repositories")
	fs.StringVar(&of.reposFile, "repos", "", "scan the repositories in `FILE`: one clone URL or local path a line (# comments)")
	fs.StringVar(&of.dir, "dir", "", "scan every git repository (work tree or bare) below `DIR`")
	fs.StringVar(&of.state, "state", "", "keep mirrors and the store of what was scanned in `DIR` (default: the user cache directory's rolecall/org)")
	fs.StringVar(&of.shard, "shard", "", "scan only shard `K/N` (1-based) of the repositories")
	fs.IntVar(&of.shards, "shards", 0, "split into `N` shards and scan the one JOB_COMPLETION_INDEX (0-based) names")
	fs.BoolVar(&of.onlyNew, "new", false, "report only findings first seen in this run")
	fs.StringVarP(&of.format, "format", "f", "jsonl", "report format: "+strings.Join(org.Formats, ", "))
	a.addOutputFlags(fs)
	a.addScanFlags(fs)
	fs.Lookup("summary").Usage = "write a JSON summary of the run to `FILE`"
	fs.Lookup("config").Usage = "rules and allowlists `FILE`, applied to every repository"
	fs.Lookup("jobs").Usage = "repositories scanned at once (default: number of CPUs)"
	return cmd
}

// orgSources lists the repositories the flags name.
func (a *app) orgSources(cmd *cobra.Command, of *orgFlags) ([]org.Repository, error) {
	n := 0
	for _, s := range []string{of.githubOrg, of.githubUser, of.reposFile, of.dir} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("name the repositories with exactly one of --github-org, --github-user, --repos or --dir")
	}
	switch {
	case of.reposFile != "":
		return org.FromFile(of.reposFile)
	case of.dir != "":
		return org.FromDir(of.dir)
	}
	gh := &org.GitHub{API: of.apiURL, Org: of.githubOrg, User: of.githubUser, Token: os.Getenv("GITHUB_TOKEN"),
		IncludeForks: of.includeForks, IncludeArchived: of.includeArchived,
		Wait: func(d time.Duration, why string) {
			a.warn(scanner.Warning{Message: fmt.Sprintf("%s reached: waiting %s before the next request", why, d.Round(time.Second))})
		}}
	return gh.List(cmd.Context())
}

// orgShard reads --shard or --shards.
func orgShard(of *orgFlags) (org.Shard, error) {
	switch {
	case of.shard != "" && of.shards != 0:
		return org.Shard{}, fmt.Errorf("--shard and --shards do not combine: --shards takes the shard from JOB_COMPLETION_INDEX")
	case of.shard != "":
		return org.ParseShard(of.shard)
	case of.shards != 0:
		return org.IndexedShard(of.shards, os.Getenv("JOB_COMPLETION_INDEX"))
	}
	return org.Shard{K: 1, N: 1}, nil
}

func (a *app) runOrg(cmd *cobra.Command, of *orgFlags) error {
	if err := org.CheckFormat(of.format); err != nil {
		return err
	}
	failOn, err := detectors.ParseSeverity(a.failOn)
	if err != nil {
		return fmt.Errorf("--fail-on: %w", err)
	}
	if err := a.checkCommonFlags(); err != nil {
		return err
	}
	shard, err := orgShard(of)
	if err != nil {
		return err
	}
	if of.state == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no user cache directory (%v): give --state DIR", err)
		}
		of.state = filepath.Join(cache, "rolecall", "org")
	}
	eng, rules, err := a.orgEngine()
	if err != nil {
		return err
	}
	var baseline *scanner.Baseline
	if a.baseline != "" {
		if baseline, err = scanner.LoadBaseline(a.baseline); err != nil {
			return err
		}
	}
	tokenOrigins := []string{"https://github.com"}
	repos, err := a.orgSources(cmd, of)
	if err != nil {
		return err
	}
	if of.apiURL != "" {
		tokenOrigins = append(tokenOrigins, originOf(of.apiURL))
	}
	repos = shard.Select(repos)
	tuneGC(0) // the limit only: bench/org.sh measures its memory at the default GC target

	keep := func(fs []org.Finding, start string) []org.Finding {
		return slices.DeleteFunc(fs, func(f org.Finding) bool {
			return baseline.Knows(f.Finding) || of.onlyNew && f.FirstSeen != start
		})
	}
	// jsonl streams each repository's findings as it finishes, to
	// standard output or into the temporary file that becomes -o; the
	// other formats are rendered from the store once the run is done.
	stream := of.format == "jsonl"
	var failing bool
	var outMu sync.Mutex
	var out io.Writer
	var finished []string // the repositories done, for a report of an interrupted run
	cfg := org.Config{
		Repos: repos, State: of.state, Engine: eng, Rules: rules, RunKey: shard.String(),
		FingerprintKey: func(g *gitscan.Repo) *scanner.FingerprintKey {
			return a.fingerprintKeyOf(func() *gitscan.Repo { return g }, new(string))
		},
		Auth: org.Auth{Token: os.Getenv("GITHUB_TOKEN"), Origins: tokenOrigins},
		Jobs: a.workers(), MaxFileSize: int64(a.maxFileSize), Warn: a.warn, Progress: a.orgProgress(),
		Done: func(repo string, fs []org.Finding, start string) error {
			outMu.Lock()
			defer outMu.Unlock()
			finished = append(finished, repo)
			if !stream {
				return nil
			}
			fs = keep(fs, start)
			org.Sort(fs)
			failing = failing || anyAtLeast(fs, failOn)
			a.clearProgress()
			return org.WriteJSONL(out, fs, report.Options{ShowSecrets: a.showSecrets, RedactKeyIDs: a.redactKeyIDs})
		},
	}
	var res *org.Result
	var runErr error
	scan := func(w io.Writer) error {
		out = w
		res, runErr = org.Run(cmd.Context(), cfg)
		a.clearProgress()
		if interrupted(runErr) {
			return nil // keep what was written so far
		}
		return runErr
	}
	if stream {
		err = a.writeReport(scan)
	} else {
		err = scan(nil)
	}
	if runErr != nil && (!interrupted(runErr) || res == nil) {
		return runErr // not "cannot write report"
	}
	if err != nil {
		return err
	}
	if !stream {
		names := make([]string, len(repos))
		for i, r := range repos {
			names[i] = r.Name
		}
		if res.Summary.Interrupted {
			names = finished
		}
		slices.Sort(names)
		all := org.Stored(of.state, names, eng)
		failed := map[string]bool{}
		for _, f := range res.Summary.Failed {
			failed[f.Repository] = true
		}
		filtered := func(yield func(org.RepoFindings, error) bool) {
			for r, err := range all {
				r.Failed = failed[r.Repository]
				if err == nil {
					r.Findings = keep(r.Findings, res.Start)
					failing = failing || anyAtLeast(r.Findings, failOn)
				}
				if !yield(r, err) {
					return
				}
			}
		}
		opts := report.Options{ShowSecrets: a.showSecrets, RedactKeyIDs: a.redactKeyIDs, Color: of.format == "text" && a.useColor(), Rules: eng.Rules(),
			Version: versionString(), FailOn: failOn}
		if err := a.writeReport(func(w io.Writer) error {
			return org.Write(w, of.format, iter.Seq2[org.RepoFindings, error](filtered), opts)
		}); err != nil {
			return err
		}
	}
	s := res.Summary
	for _, f := range s.Failed {
		a.warn(scanner.Warning{Path: f.Repository, Message: "not scanned: " + f.Error})
	}
	if s.Interrupted && !a.quiet {
		fmt.Fprintf(a.stderr, "rolecall: warning: the scan is incomplete: interrupted with %d of %d repositories done; "+
			"what they hold is reported, and the next run with the same --state finishes the rest\n", len(finished), s.Repositories)
	}
	if !a.quiet {
		fmt.Fprintf(a.stderr, "rolecall org: %d repositories (%d scanned, %d unchanged, %d failed), %d commits, %d blobs, %d findings (%d new) in %.1fs\n",
			s.Repositories, s.Scanned, s.Unchanged, len(s.Failed), s.CommitsScanned, s.BlobsScanned, s.Findings, s.NewFindings, s.DurationS)
	}
	if a.summary != "" {
		data, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		if err := outfile.Write(a.summary, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("cannot write --summary: %w", err)
		}
	}
	switch {
	case s.Interrupted:
		return exitCodeError{code: exitInterrupted}
	case failing:
		return exitCodeError{code: a.exitCode}
	case len(s.Failed) > 0:
		return exitCodeError{code: orgExitIncomplete}
	}
	return nil
}

func anyAtLeast(fs []org.Finding, sev detectors.Severity) bool {
	for _, f := range fs {
		if f.Severity >= sev {
			return true
		}
	}
	return false
}

// orgEngine loads the rules from --config only (the repositories are bare
// mirrors: there is no scan root to find .rolecall.toml in) and names them
// with the version and size limit, so that a change of any of these
// rescans instead of trusting what was recorded.
func (a *app) orgEngine() (*detectors.Engine, string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", versionString(), int64(a.maxFileSize))
	if a.config == "" {
		eng, err := detectors.NewEngine(nil)
		return eng, hex.EncodeToString(h.Sum(nil)[:16]), err
	}
	data, err := os.ReadFile(a.config)
	if err != nil {
		return nil, "", fmt.Errorf("--config: %w", err)
	}
	h.Write(data)
	eng, err := a.engine("")
	return eng, hex.EncodeToString(h.Sum(nil)[:16]), err
}

// originOf is scheme://host of a URL: the API host serves the clones of
// GitHub Enterprise Server.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// orgProgress draws repositories done of total, the ones in progress and
// the findings so far on one stderr line, on a terminal only.
func (a *app) orgProgress() func(org.Progress) {
	f, ok := a.stderr.(*os.File)
	if a.quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(p org.Progress) {
		current := strings.Join(p.Current, ", ")
		if len(current) > 60 {
			current = current[:57] + "..."
		}
		a.warnMu.Lock()
		fmt.Fprintf(a.stderr, "\r\x1b[Krepositories %d/%d  findings %d  %s", p.Done, p.Total, p.Findings, current)
		a.progressShown = true
		a.warnMu.Unlock()
	}
}
