// Package ghevent reads a GitHub Actions event (GITHUB_EVENT_NAME and the
// JSON payload at GITHUB_EVENT_PATH) and chooses the commits a scan should
// cover: what a push added, what a pull request proposes, or the whole
// history on a schedule.
package ghevent

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rolecall/rolecall/internal/safefile"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan"
)

// Event is the part of a workflow event payload that decides the range.
type Event struct {
	Name    string
	Ref     string `json:"ref"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Created bool   `json:"created"`
	Deleted bool   `json:"deleted"`
	Forced  bool   `json:"forced"`
	Commits []struct {
		ID string `json:"id"`
	} `json:"commits"`
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"base"`
		Head struct {
			SHA string `json:"sha"`
			Ref string `json:"ref"`
		} `json:"head"`
	} `json:"pull_request"`
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// Read loads the event named by GITHUB_EVENT_NAME from GITHUB_EVENT_PATH.
func Read(getenv func(string) string) (*Event, error) {
	name := getenv("GITHUB_EVENT_NAME")
	if name == "" {
		return nil, fmt.Errorf("GITHUB_EVENT_NAME is not set: `rolecall ci github` runs inside GitHub Actions (use `rolecall history` elsewhere)")
	}
	e := &Event{Name: name}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return e, nil // schedule and dispatch need no payload
	}
	data, err := safefile.ReadFile(path, safefile.PayloadCap)
	if err != nil {
		return nil, fmt.Errorf("reading the event payload: %w", err)
	}
	e, err = Parse(name, data)
	if err != nil {
		return nil, fmt.Errorf("the event payload %s: %w", path, err)
	}
	return e, nil
}

// Parse reads the payload of event name. Errors name the byte offset,
// never the payload's text.
func Parse(name string, data []byte) (*Event, error) {
	e := &Event{}
	if err := json.Unmarshal(data, e); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not JSON (syntax error at byte %d)", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			kind, _, _ := strings.Cut(te.Value, " ") // "number 12": keep the kind only
			return nil, fmt.Errorf("field %s holds a JSON %s at byte %d where the event schema has %s", te.Field, kind, te.Offset, te.Type)
		}
		return nil, fmt.Errorf("not a GitHub event payload: %v", err)
	}
	e.Name = name
	return e, nil
}

// Plan is the chosen range and why it was chosen, for the job log and
// summary.
type Plan struct {
	Selection gitscan.Selection
	// Commits, when set, are exact commits to scan instead of a walk.
	Commits []plumbing.Hash
	// Nothing is set when there is nothing to scan (a delete, a push of no
	// new commits); Describe says why.
	Nothing  bool
	Describe string
	Warnings []string
	// Skipped and Unreadable name refs of a full-history scan that do not
	// lead to a commit (see gitscan.Repo.AllRefs).
	Skipped, Unreadable []scanner.Gap
}

// ShallowError is the failure for an event whose range a shallow checkout
// does not wholly hold: the scan would pass on commits it never saw.
func ShallowError(what string) error {
	return fmt.Errorf("%s is not wholly in this shallow checkout, so it cannot be scanned: use actions/checkout with fetch-depth: 0 (or run git fetch --unshallow)", what)
}

func zero(sha string) bool { return sha == "" || strings.Trim(sha, "0") == "" }

// Choose picks the commits for the event in repo.
func (e *Event) Choose(repo *gitscan.Repo) (*Plan, error) {
	switch e.Name {
	case "push":
		return e.push(repo)
	case "pull_request", "pull_request_target":
		if e.PullRequest == nil {
			return nil, fmt.Errorf("the %s payload has no pull_request object", e.Name)
		}
		base, head := e.PullRequest.Base.SHA, e.PullRequest.Head.SHA
		if !repo.HasObject(plumbing.NewHash(head)) || !repo.HasObject(plumbing.NewHash(base)) {
			return nil, fmt.Errorf("the pull request's base %.12s or head %.12s is not in the checkout: use actions/checkout with fetch-depth: 0", base, head)
		}
		return &Plan{
			Selection: gitscan.Selection{Include: []plumbing.Hash{plumbing.NewHash(head)}, Exclude: []plumbing.Hash{plumbing.NewHash(base)}},
			Describe:  fmt.Sprintf("pull request #%d: %.12s..%.12s", e.PullRequest.Number, base, head),
		}, nil
	}
	refs, skipped, unreadable, err := repo.AllRefs()
	if err != nil {
		return nil, err
	}
	p := &Plan{Describe: fmt.Sprintf("%s: the full history (%d refs)", e.Name, len(refs)), Skipped: skipped, Unreadable: unreadable}
	for _, r := range refs {
		p.Selection.Include = append(p.Selection.Include, r.Commit)
	}
	if len(refs) == 0 && len(unreadable) == 0 {
		p.Nothing, p.Describe = true, e.Name+": the repository has no commits"
	}
	return p, nil
}

func (e *Event) push(repo *gitscan.Repo) (*Plan, error) {
	switch {
	case e.Deleted || zero(e.After):
		return &Plan{Nothing: true, Describe: fmt.Sprintf("push deleted %s: nothing to scan", e.Ref)}, nil
	case e.Before == e.After:
		return &Plan{Nothing: true, Describe: fmt.Sprintf("push to %s added no commits: nothing to scan", e.Ref)}, nil
	}
	after := plumbing.NewHash(e.After)
	if !repo.HasObject(after) {
		return nil, fmt.Errorf("the pushed commit %.12s is not in the checkout: check out the pushed ref", e.After)
	}
	if !zero(e.Before) && repo.HasObject(plumbing.NewHash(e.Before)) {
		return &Plan{
			Selection: gitscan.Selection{Include: []plumbing.Hash{after}, Exclude: []plumbing.Hash{plumbing.NewHash(e.Before)}},
			Describe:  fmt.Sprintf("push to %s: %.12s..%.12s", e.Ref, e.Before, e.After),
		}, nil
	}
	if !zero(e.Before) && repo.IsShallow() {
		// The old tip is absent because the checkout is shallow, not
		// because the push rewrote history: never call that a force push.
		return nil, ShallowError(fmt.Sprintf("the pushed range %.12s..%.12s", e.Before, e.After))
	}
	// A new branch, or a force push whose old tip is gone: scan what no
	// other branch or tag already has. Never fall back to the whole history.
	why := "new branch " + e.Ref
	if !zero(e.Before) {
		why = fmt.Sprintf("force push to %s (old tip %.12s is gone)", e.Ref, e.Before)
	}
	refs, err := repo.Refs()
	if err != nil {
		return nil, err
	}
	branch := strings.TrimPrefix(e.Ref, "refs/heads/")
	p := &Plan{Selection: gitscan.Selection{Include: []plumbing.Hash{after}}}
	for _, r := range refs {
		name := string(r.Name)
		remote := strings.HasPrefix(name, "refs/remotes/")
		if r.Name == plumbing.HEAD || name == e.Ref || remote && strings.HasSuffix(name, "/"+branch) {
			continue // the pushed branch itself
		}
		if remote && strings.HasSuffix(name, "/HEAD") {
			continue // an alias of a remote branch (maybe the pushed one), listed under its own name
		}
		p.Selection.Exclude = append(p.Selection.Exclude, r.Commit)
	}
	if len(p.Selection.Exclude) > 0 {
		p.Describe = fmt.Sprintf("%s: commits not on any other branch or tag", why)
		return p, nil
	}
	// No other refs were fetched: only the commits the event lists are
	// known to be new.
	p.Selection = gitscan.Selection{}
	for _, c := range e.Commits {
		if h := plumbing.NewHash(c.ID); repo.HasObject(h) {
			p.Commits = append(p.Commits, h)
		}
	}
	if len(p.Commits) == 0 {
		p.Commits = []plumbing.Hash{after}
	}
	p.Describe = fmt.Sprintf("%s: the %d commit(s) the event lists", why, len(p.Commits))
	p.Warnings = append(p.Warnings, "no other branch is in the checkout, so the exact range is unknown: use actions/checkout with fetch-depth: 0")
	return p, nil
}
