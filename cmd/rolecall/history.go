package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/report"
)

func newHistoryCmd(a *app) *cobra.Command {
	var branch, rng, since string
	cmd := &cobra.Command{
		Use:   "history [REPO]",
		Short: "Scan git history: every commit reachable from any ref (default: the current repository)",
		Long: `Scan every commit reachable from all refs (branches, tags, remotes, other refs)
of a work tree or bare repository. Each secret is reported once, at the commit
that introduced it into a file (whose parent's version of that file did not
hold it), with the path and line in that version. Commit messages are scanned
too.

Objects that cannot be read (partial clones, shallow clones, damaged packs)
are counted and named in warnings; the scan goes on.`,
		Example: `  rolecall history
  rolecall history --range origin/main..HEAD     # what a branch adds
  rolecall history --branch main --since-commit v1.2.0
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
			sel, err := historySelection(g.repo, branch, rng, since)
			if err != nil {
				return err
			}
			return a.scanSelection(cmd, g, sel)
		},
	}
	cmd.Flags().StringVar(&branch, "branch", "", "scan only commits reachable from this branch (or any revision)")
	cmd.Flags().StringVar(&rng, "range", "", "scan exactly the commits of `A..B` (git rev-list B --not A)")
	cmd.Flags().StringVar(&since, "since-commit", "", "scan only commits after this `SHA` (not reachable from it)")
	a.addScanFlags(cmd.Flags())
	return cmd
}

// historySelection turns the flags into the commits to walk.
func historySelection(repo *gitscan.Repo, branch, rng, since string) (gitscan.Selection, error) {
	var sel gitscan.Selection
	if rng != "" {
		if branch != "" {
			return sel, fmt.Errorf("--range and --branch do not combine: a range names its own tip")
		}
		from, to, ok := strings.Cut(rng, "..")
		if !ok || strings.HasPrefix(to, ".") || from == "" || to == "" {
			return sel, fmt.Errorf("--range %q: write it A..B (two dots), as in git rev-list", rng)
		}
		a, err := repo.Resolve(from)
		if err != nil {
			return sel, fmt.Errorf("--range: %w", err)
		}
		b, err := repo.Resolve(to)
		if err != nil {
			return sel, fmt.Errorf("--range: %w", err)
		}
		sel.Include, sel.Exclude = []plumbing.Hash{b}, []plumbing.Hash{a}
	} else if branch != "" {
		h, err := repo.Resolve(branch)
		if err != nil {
			return sel, fmt.Errorf("--branch: %w", err)
		}
		sel.Include = []plumbing.Hash{h}
	} else {
		refs, err := repo.Refs()
		if err != nil {
			return sel, err
		}
		for _, r := range refs {
			sel.Include = append(sel.Include, r.Commit)
		}
	}
	if since != "" {
		h, err := repo.Resolve(since)
		if err != nil {
			return sel, fmt.Errorf("--since-commit: %w", err)
		}
		sel.Exclude = append(sel.Exclude, h)
	}
	return sel, nil
}

// gitMemoryLimit is the soft heap limit for history scans: past it the Go
// garbage collector works harder instead of letting the heap double, which
// keeps whole-organisation scans under 1 GiB. GOMEMLIMIT overrides it.
const gitMemoryLimit = 640 << 20

// scanSelection walks the selected commits, scans them and reports.
func (a *app) scanSelection(cmd *cobra.Command, g *gitRun, sel gitscan.Selection) error {
	res, err := a.scanCommits(cmd, g, sel, nil)
	if err != nil {
		return err
	}
	if res.Commits == 0 && !a.quiet {
		fmt.Fprintln(a.stderr, "rolecall: no commits to scan")
	}
	return a.finish(g.eng, res.Findings, report.Stats{Files: res.Blobs, Commits: res.Commits, Skipped: len(res.Skipped) - res.Binary}, g.failOn)
}

// scanCommits scans the commits of sel, or exactly the commits listed in
// exact when there are any, under the heap limit, warning about what
// could not be read.
func (a *app) scanCommits(cmd *cobra.Command, g *gitRun, sel gitscan.Selection, exact []plumbing.Hash) (*gitscan.Result, error) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gitMemoryLimit)
	}
	var commits []*object.Commit
	var missing []plumbing.Hash
	if len(exact) > 0 {
		commits, missing = g.repo.LoadCommits(exact)
	} else {
		walk, err := g.repo.Select(sel)
		if err != nil {
			return nil, err
		}
		commits, missing = walk.Commits, walk.Missing
	}
	for _, h := range missing {
		a.warn(scanner.Warning{Path: h.String()[:12], Message: "commit is referenced but missing from the repository; its history is not scanned"})
	}
	if len(commits) == 0 {
		return &gitscan.Result{}, nil
	}
	res, err := g.repo.ScanCommits(cmd.Context(), scanner.New(g.eng).WithFingerprintKey(g.key), commits, a.gitOptions(true))
	a.clearProgress()
	if err != nil {
		return nil, err
	}
	if res.Unreadable > 0 {
		a.warn(scanner.Warning{Message: fmt.Sprintf("%d object(s) could not be read (see the warnings above); everything else was scanned", res.Unreadable)})
	}
	return res, nil
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
