package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/report"
)

func newHistoryCmd(a *app) *cobra.Command {
	var branch, rng, since string
	var recurse bool
	cmd := &cobra.Command{
		Use:   "history [REPO]",
		Short: "Scan git history: every commit reachable from any ref (default: the current repository)",
		Long: `Scan every commit reachable from all refs (branches, tags, remotes, other refs)
of a work tree or bare repository. Each secret is reported once, at the commit
that introduced it into a file (whose parent's version of that file did not
hold it), with the path and line in that version. Commit messages are scanned
too.

What cannot be read (missing or damaged objects, refs to missing commits, the
history a shallow clone cut) is named in warnings and in --summary FILE, and
the scan goes on; --fail-incomplete makes such a scan exit 3. Submodules are
listed as not entered unless --recurse-submodules.`,
		Example: `  rolecall history
  rolecall history --range origin/main..HEAD     # what a branch adds
  rolecall history --branch main --since-commit v1.2.0
  rolecall history --recurse-submodules --summary coverage.json
  rolecall history --format sarif -o history.sarif /srv/git/repo.git`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "."
			if len(args) == 1 {
				path = args[0]
			}
			g, err := a.openGit(path)
			if err != nil {
				return err
			}
			defer g.repo.Close()
			sc, err := historyScope(g.repo, branch, rng, since)
			if err != nil {
				return err
			}
			res, cov, err := a.scanScope(cmd, g, sc)
			if err != nil && !interrupted(err) {
				return err
			}
			findings := res.Findings
			if err == nil {
				var subFindings []scanner.Finding
				subFindings, err = a.submodules(cmd, g, recurse, &cov)
				if err != nil && !interrupted(err) {
					return err
				}
				findings = append(findings, subFindings...)
			}
			return a.finish(g.eng, findings, cov, g.failOn, err)
		},
	}
	cmd.Flags().StringVar(&branch, "branch", "", "scan only commits reachable from this branch (or any revision)")
	cmd.Flags().StringVar(&rng, "range", "", "scan exactly the commits of `A..B` (git rev-list B --not A)")
	cmd.Flags().StringVar(&since, "since-commit", "", "scan only commits after this `SHA` (not reachable from it)")
	cmd.Flags().BoolVar(&recurse, "recurse-submodules", false, "also scan the history of each submodule cloned under .git/modules (paths prefixed with the submodule's)")
	a.addReportFlags(cmd.Flags())
	a.addScanFlags(cmd.Flags())
	a.addFailIncomplete(cmd.Flags(), false)
	return cmd
}

// gitScope is what a git-scanning command chose to scan: a walk, or exact
// commits, and what it could not resolve while choosing (refs to missing
// commits).
type gitScope struct {
	sel   gitscan.Selection
	exact []plumbing.Hash
	cov   scanner.Coverage
}

// historyScope turns the flags into the commits to walk.
func historyScope(repo *gitscan.Repo, branch, rng, since string) (gitScope, error) {
	var sc gitScope
	if rng != "" {
		if branch != "" {
			return sc, fmt.Errorf("--range and --branch do not combine: a range names its own tip")
		}
		from, to, ok := strings.Cut(rng, "..")
		if !ok || strings.HasPrefix(to, ".") || from == "" || to == "" {
			return sc, fmt.Errorf("--range %q: write it A..B (two dots), as in git rev-list", rng)
		}
		a, err := repo.Resolve(from)
		if err != nil {
			return sc, fmt.Errorf("--range: %w", err)
		}
		b, err := repo.Resolve(to)
		if err != nil {
			return sc, fmt.Errorf("--range: %w", err)
		}
		sc.sel.Include, sc.sel.Exclude = []plumbing.Hash{b}, []plumbing.Hash{a}
	} else if branch != "" {
		h, err := repo.Resolve(branch)
		if err != nil {
			return sc, fmt.Errorf("--branch: %w", err)
		}
		sc.sel.Include = []plumbing.Hash{h}
	} else {
		refs, skipped, unreadable, err := repo.AllRefs()
		if err != nil {
			return sc, err
		}
		for _, r := range refs {
			sc.sel.Include = append(sc.sel.Include, r.Commit)
		}
		sc.cov.Skipped, sc.cov.Unreadable = skipped, unreadable
	}
	if since != "" {
		h, err := repo.Resolve(since)
		if err != nil {
			return sc, fmt.Errorf("--since-commit: %w", err)
		}
		sc.sel.Exclude = append(sc.sel.Exclude, h)
	}
	return sc, nil
}

// scanScope walks the chosen commits and scans them under the heap limit.
// The coverage record starts from what choosing could not resolve and adds
// the commits the walk could not read and the shallow boundary. The error
// is an interruption (with the partial result) or a failure (without).
func (a *app) scanScope(cmd *cobra.Command, g *gitRun, sc gitScope) (*gitscan.Result, scanner.Coverage, error) {
	tuneGC(historyGCPercent)
	cov := sc.cov
	var walk *gitscan.WalkResult
	if len(sc.exact) > 0 {
		walk = g.repo.LoadCommits(sc.exact)
	} else {
		var err error
		if walk, err = g.repo.Select(sc.sel); err != nil {
			return nil, cov, err
		}
	}
	cov.Unreadable = append(cov.Unreadable, walk.Unreadable...)
	cov.Shallow = len(walk.Shallow) > 0
	for _, h := range walk.Shallow {
		cov.Unreadable = append(cov.Unreadable, scanner.Gap{Object: h.String(), Reason: report.ShallowAdvice})
	}
	res := &gitscan.Result{}
	var scanErr error
	if len(walk.Commits) > 0 {
		res, scanErr = g.repo.ScanCommits(cmd.Context(), scanner.New(g.eng).WithFingerprintKey(g.key), walk.Commits, a.gitOptions(true))
		a.clearProgress()
		if scanErr != nil && !interrupted(scanErr) {
			return nil, cov, scanErr
		}
	}
	cov.Add(res.Coverage(), "")
	switch {
	case len(walk.Commits) > 0 || a.quiet:
	case len(cov.Unreadable) > 0:
		fmt.Fprintln(a.stderr, "rolecall: no commit in scope could be read: the scan is incomplete")
	default:
		fmt.Fprintln(a.stderr, "rolecall: no commits to scan")
	}
	return res, cov, scanErr
}

// gitRun is what every git-scanning command opens first.
type gitRun struct {
	repo   *gitscan.Repo
	eng    *detectors.Engine
	failOn detectors.Severity
	key    *scanner.FingerprintKey
}

// openGit checks the scan flags, opens the repository at path and loads the
// rules from --config or the repository's .rolecall.toml. The caller closes
// the repository.
func (a *app) openGit(path string) (*gitRun, error) {
	failOn, err := a.checkScanFlags()
	if err != nil {
		return nil, err
	}
	repo, err := a.openRepo(path)
	if err != nil {
		return nil, err
	}
	eng, err := a.engine(repoConfigDir(repo))
	if err != nil {
		repo.Close()
		return nil, err
	}
	return &gitRun{repo: repo, eng: eng, failOn: failOn, key: a.useFingerprintKey(func() *gitscan.Repo { return repo })}, nil
}

// gitOptions are the history-scan options the flags ask for.
func (a *app) gitOptions(progress bool) gitscan.Options {
	o := gitscan.Options{Options: scanner.Options{Jobs: a.jobs, MaxFileSize: int64(a.maxFileSize), Warn: a.warn}}
	if progress {
		o.Progress = a.progressBar()
	}
	return o
}

// openRepo opens a repository for the worker count and passes on what
// could not be read of it.
func (a *app) openRepo(path string) (*gitscan.Repo, error) {
	repo, err := gitscan.Open(path, a.workers())
	if err != nil {
		return nil, err
	}
	for _, w := range repo.Warnings {
		a.warn(scanner.Warning{Path: path, Message: w})
	}
	return repo, nil
}

// repoConfigDir is where .rolecall.toml is looked for: the work tree, or
// the git directory of a bare repository.
func repoConfigDir(repo *gitscan.Repo) string {
	if repo.WorkTree != "" {
		return repo.WorkTree
	}
	return repo.Dir
}

// progressBar returns a progress callback drawing one line on stderr, or nil
// when stderr is not a terminal or --quiet is set.
func (a *app) progressBar() func(gitscan.Progress) {
	f, ok := a.stderr.(*os.File)
	if a.quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(p gitscan.Progress) {
		rate := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			rate = float64(p.Commits) / s
		}
		a.warnMu.Lock()
		fmt.Fprintf(a.stderr, "\r\x1b[Kcommits %d/%d  files %d  %.0f MB  %.0f commits/s", p.Commits, p.CommitsTotal, p.Blobs, float64(p.Bytes)/1e6, rate)
		a.progressShown = true
		a.warnMu.Unlock()
	}
}

func (a *app) clearProgress() {
	a.warnMu.Lock()
	defer a.warnMu.Unlock()
	if a.progressShown {
		fmt.Fprint(a.stderr, "\r\x1b[K")
		a.progressShown = false
	}
}

func (a *app) workers() int {
	if a.jobs > 0 {
		return a.jobs
	}
	return runtime.GOMAXPROCS(0)
}

// maxSubmoduleDepth bounds submodules of submodules (each is a repository
// someone else controls).
const maxSubmoduleDepth = 5

// submodules scans, with recurse, the history of each submodule cloned
// under .git/modules, its findings' paths prefixed with the submodule's
// path, and merges its coverage into cov. Without recurse it lists each
// submodule as not entered.
func (a *app) submodules(cmd *cobra.Command, g *gitRun, recurse bool, cov *scanner.Coverage) ([]scanner.Finding, error) {
	return a.submodulesAt(cmd, g, recurse, cov, "", 0)
}

func (a *app) submodulesAt(cmd *cobra.Command, g *gitRun, recurse bool, cov *scanner.Coverage, prefix string, depth int) ([]scanner.Finding, error) {
	var out []scanner.Finding
	for _, sm := range g.repo.Submodules() {
		path := sm.Path
		if prefix != "" {
			path = prefix + "/" + sm.Path
		}
		switch {
		case !recurse:
			cov.Skipped = append(cov.Skipped, scanner.Gap{Path: path, Reason: scanner.ReasonSubmodule + " (--recurse-submodules scans its history)"})
			continue
		case sm.GitDir == "":
			cov.Unreadable = append(cov.Unreadable, scanner.Gap{Path: path, Reason: "submodule not cloned under .git/modules: run git submodule update --init"})
			continue
		case depth >= maxSubmoduleDepth:
			cov.Skipped = append(cov.Skipped, scanner.Gap{Path: path, Reason: fmt.Sprintf("%s: nested more than %d deep", scanner.ReasonSubmodule, maxSubmoduleDepth)})
			continue
		}
		repo, err := a.openRepo(sm.GitDir)
		if err != nil {
			cov.Unreadable = append(cov.Unreadable, scanner.Gap{Path: path, Reason: fmt.Sprintf("submodule repository cannot be opened: %v", err)})
			continue
		}
		sub := &gitRun{repo: repo, eng: g.eng, failOn: g.failOn}
		sc, err := historyScope(repo, "", "", "")
		var res *gitscan.Result
		var subCov scanner.Coverage
		if err == nil {
			res, subCov, err = a.scanScope(cmd, sub, sc)
		}
		if err != nil && !interrupted(err) {
			repo.Close()
			cov.Unreadable = append(cov.Unreadable, scanner.Gap{Path: path, Reason: fmt.Sprintf("submodule history cannot be scanned: %v", err)})
			continue
		}
		for _, f := range res.Findings {
			f.File = path + "/" + f.File
			out = append(out, f)
		}
		cov.Add(subCov, path)
		if err != nil { // interrupted
			repo.Close()
			return out, err
		}
		nested, err := a.submodulesAt(cmd, sub, recurse, cov, path, depth+1)
		repo.Close()
		out = append(out, nested...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}
