// Package org scans many repositories as one job: it lists them (GitHub
// API, a file, a directory), keeps bare mirrors and a store of what each
// repository's refs pointed at when it was last scanned, scans only the
// commits that are new since, reads a blob that several repositories share
// once, and streams each repository's findings out as it finishes. A run
// killed at any point resumes where it stopped.
package org

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/sourcegraph/conc/pool"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
)

// Finding is a finding of an organisation scan. Its JSON form is the
// finding's fields plus repository and first_seen (a public interface).
type Finding struct {
	scanner.Finding
	Repository string `json:"repository"`
	// FirstSeen is when the run that first found it started (RFC 3339).
	FirstSeen string `json:"first_seen"`
}

// Summary is what --summary writes; its field names are a public
// interface, shared with the scan commands' coverage record where they
// mean the same.
type Summary struct {
	Repositories   int       `json:"repositories"`
	Scanned        int       `json:"scanned"`
	Unchanged      int       `json:"unchanged"`
	Failed         []Failure `json:"failed"`
	CommitsScanned int       `json:"commits_scanned"`
	BlobsScanned   int       `json:"blobs_scanned"`
	Findings       int       `json:"findings"`
	NewFindings    int       `json:"new_findings"`
	DurationS      float64   `json:"duration_s"`
	// Interrupted: the run was stopped (Ctrl-C) before every repository
	// was done; the same name as in the scan commands' coverage record.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Failure is a repository that could not be scanned, and why.
type Failure struct {
	Repository string `json:"repository"`
	Error      string `json:"error"`
}

// Config is one run.
type Config struct {
	Repos []Repository
	// State is the directory of the mirrors and the store.
	State  string
	Engine *detectors.Engine
	// FingerprintKey, if set, gives the key of a repository's fingerprints
	// (see scanner.FingerprintKey); nil leaves them unkeyed.
	FingerprintKey func(*gitscan.Repo) *scanner.FingerprintKey
	// Rules identifies Engine's rules (version and configuration): the
	// recorded tips and blob scans are only reused under the same rules.
	Rules string
	// RunKey names the run record: a killed run with this key is resumed.
	RunKey      string
	Auth        Auth
	Jobs        int // repositories at once
	MaxFileSize int64
	Warn        func(scanner.Warning)
	// Progress, if set, is called as repositories start and finish.
	Progress func(Progress)
	// Done is called for each repository, one call at a time, with every
	// finding recorded for it, once its work is stored; findings whose
	// FirstSeen is start are new in this run.
	Done func(repo string, fs []Finding, start string) error
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Progress is the state of a run for a progress display.
type Progress struct {
	Done, Total int
	Current     []string
	Findings    int
}

// Result is the summary of a run and the start time that marks the
// findings first seen in it.
type Result struct {
	Summary Summary
	Start   string
}

// StatePath is the store's file in a state directory.
func StatePath(state string) string { return filepath.Join(state, "state.db") }

// Run scans the repositories of cfg. A repository's failure is recorded in
// the summary and the run goes on; an error is returned only when the run
// itself cannot go on (state unusable, interrupted). When interrupted, the
// result of the repositories finished so far comes with ctx's error.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	began := now()
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return nil, fmt.Errorf("--state: %w", err)
	}
	store, err := OpenStore(StatePath(cfg.State), cfg.Engine)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	start, done, err := store.beginRun(cfg.RunKey, began)
	if err != nil {
		return nil, fmt.Errorf("reading the run record: %w", err)
	}
	r := &run{cfg: cfg, store: store, start: start, blobs: newBlobCache(store, cfg.Engine, cfg.Rules)}
	r.res.Summary.Repositories = len(cfg.Repos)
	r.res.Summary.Failed = []Failure{}
	r.res.Start = start
	r.progress.Total = len(cfg.Repos)
	var todo []Repository
	for _, repo := range cfg.Repos {
		o, ok := done[repo.Name]
		if !ok {
			todo = append(todo, repo)
			continue
		}
		// Finished before the previous process stopped: only report it.
		fs, err := store.findings(repo.Name)
		if err != nil {
			return nil, err
		}
		if err := r.finish(repo.Name, o, fs); err != nil {
			return nil, err
		}
	}
	p := pool.New().WithErrors().WithContext(ctx).WithMaxGoroutines(max(1, cfg.Jobs))
	for _, repo := range todo {
		p.Go(func(ctx context.Context) error { return r.scan(ctx, repo) })
	}
	err = p.Wait()
	if ctx.Err() != nil {
		// Interrupted: what finished is stored and reported; the run
		// record stays open, so the next run with this key resumes.
		r.mu.Lock()
		defer r.mu.Unlock()
		r.res.Summary.Interrupted = true
		r.res.Summary.DurationS = now().Sub(began).Seconds()
		return &r.res, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if err := store.endRun(cfg.RunKey); err != nil {
		return nil, err
	}
	r.res.Summary.DurationS = now().Sub(began).Seconds()
	return &r.res, nil
}

type run struct {
	cfg   Config
	store *Store
	start string
	blobs *blobCache

	mu       sync.Mutex
	res      Result
	progress Progress
}

// scan does one repository's work and stores it. Only an interruption or
// an unusable store stops the run.
func (r *run) scan(ctx context.Context, repo Repository) error {
	r.setCurrent(repo.Name, true)
	defer r.setCurrent(repo.Name, false)
	rb := r.blobs.forRepo()
	defer rb.release()
	c, err := r.scanRepo(ctx, repo, rb)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		c = &commit{outcome: outcome{Status: "failed", Error: err.Error()}}
	}
	c.run, c.name, c.rules, c.start = r.cfg.RunKey, repo.Name, r.cfg.Rules, r.start
	if err == nil {
		c.blobs = rb.added
	}
	fs, err := r.store.save(c)
	if err != nil {
		return fmt.Errorf("storing the scan of %s: %w", repo.Name, err)
	}
	return r.finish(repo.Name, c.outcome, fs)
}

// finish counts a repository's outcome and hands on its findings.
func (r *run) finish(name string, o outcome, fs []Finding) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.res.Summary
	switch o.Status {
	case "failed":
		s.Failed = append(s.Failed, Failure{Repository: name, Error: o.Error})
	case "unchanged":
		s.Unchanged++
	default:
		s.Scanned++
	}
	s.CommitsScanned += o.Commits
	s.BlobsScanned += o.Blobs
	s.Findings += len(fs)
	for i := range fs {
		if fs[i].FirstSeen == r.start {
			s.NewFindings++
		}
	}
	r.progress.Done++
	r.progress.Findings += len(fs)
	r.report()
	if r.cfg.Done != nil {
		return r.cfg.Done(name, fs, r.start)
	}
	return nil
}

func (r *run) setCurrent(name string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.progress.Current = append(r.progress.Current, name)
	} else {
		r.progress.Current = slices.DeleteFunc(r.progress.Current, func(s string) bool { return s == name })
	}
	r.report()
}

func (r *run) report() {
	if r.cfg.Progress != nil {
		p := r.progress
		p.Current = slices.Clone(p.Current)
		r.cfg.Progress(p)
	}
}

func (r *run) warn(repo, format string, args ...any) {
	if r.cfg.Warn != nil {
		r.cfg.Warn(scanner.Warning{Path: repo, Message: fmt.Sprintf(format, args...)})
	}
}

// scanRepo brings the repository up to date and scans the commits no
// recorded tip reaches.
func (r *run) scanRepo(ctx context.Context, repo Repository, rb *repoBlobs) (*commit, error) {
	dir := repo.Path
	if repo.URL == "" {
		if err := checkLocal(dir); err != nil {
			return nil, err
		}
	} else {
		dir = mirrorDir(r.cfg.State, repo.Name)
		if err := mirror(ctx, dir, repo.URL, r.cfg.Auth); err != nil {
			return nil, fmt.Errorf("fetching %s: %w", repo.URL, err)
		}
	}
	g, err := gitscan.Open(dir, 1)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	for _, w := range g.Warnings {
		r.warn(repo.Name, "%s", w)
	}
	refs, err := g.Refs()
	if err != nil {
		return nil, err
	}
	prev, err := r.store.repoState(repo.Name)
	if err != nil {
		return nil, fmt.Errorf("reading the state of %s: %w", repo.Name, err)
	}
	state := &repoState{URL: repo.URL, Tips: map[string]string{}, Rules: r.cfg.Rules, ScannedAt: r.start}
	var sel gitscan.Selection
	for _, ref := range refs {
		state.Tips[ref.Name.String()] = ref.Commit.String()
		sel.Include = append(sel.Include, ref.Commit)
	}
	full := prev == nil || prev.Rules != r.cfg.Rules
	if !full {
		for _, tip := range prev.Tips {
			h := plumbing.NewHash(tip)
			if g.HasObject(h) {
				sel.Exclude = append(sel.Exclude, h)
			}
		}
	}
	// Unchanged: known before and nothing new to scan; a repository seen
	// for the first time counts as scanned even when it is empty.
	c := &commit{state: state, full: full, outcome: outcome{Status: "scanned"}}
	if prev != nil {
		c.outcome.Status = "unchanged"
	}
	if len(sel.Include) == 0 {
		return c, nil
	}
	walk, err := g.Select(sel)
	if err != nil {
		return nil, err
	}
	for _, h := range walk.Missing {
		r.warn(repo.Name, "commit %s is referenced but missing; its history is not scanned", h)
	}
	if len(walk.Commits) == 0 {
		return c, nil
	}
	s := scanner.New(r.cfg.Engine)
	if r.cfg.FingerprintKey != nil {
		rb.key = r.cfg.FingerprintKey(g)
		s.WithFingerprintKey(rb.key)
	}
	res, err := g.ScanCommits(ctx, s, walk.Commits, gitscan.Options{
		Options: scanner.Options{Jobs: 1, MaxFileSize: r.cfg.MaxFileSize, Warn: func(w scanner.Warning) {
			r.warn(repo.Name, "%s", w)
		}},
		Blobs: rb,
	})
	if err != nil {
		return nil, err
	}
	if res.Unreadable > 0 {
		r.warn(repo.Name, "%d object(s) could not be read (see the warnings above); everything else was scanned", res.Unreadable)
	}
	c.outcome = outcome{Status: "scanned", Commits: res.Commits, Blobs: res.Blobs}
	c.found = res.Findings
	return c, nil
}
