package org

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v75/github"
)

// GitHub says which repositories to list from the GitHub REST API.
type GitHub struct {
	// API is the REST API's base URL; empty means api.github.com. For
	// GitHub Enterprise Server: https://HOST/api/v3.
	API             string
	Org, User       string
	Token           string
	IncludeForks    bool
	IncludeArchived bool
	// Wait, if set, is told about every rate-limit wait before it starts.
	Wait func(d time.Duration, why string)
	// Client is the HTTP client (tests); nil means http.DefaultClient.
	Client *http.Client
}

// defaultSecondaryWait is the wait for a secondary limit that names no time.
const defaultSecondaryWait = time.Minute

// List lists the repositories of the organisation or user, page by page,
// waiting out rate limits (primary: until X-RateLimit-Reset; secondary and
// 429: Retry-After) instead of failing. A user who is the token's owner is
// listed through /user/repos, which holds their private repositories too;
// /users/NAME/repos holds only the public ones.
func (g *GitHub) List(ctx context.Context) ([]Repository, error) {
	client := github.NewClient(g.Client)
	if g.Token != "" {
		client = client.WithAuthToken(g.Token)
	}
	if g.API != "" {
		u, err := url.Parse(strings.TrimSuffix(g.API, "/") + "/")
		if err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http" {
			return nil, fmt.Errorf("--api-url %q: give the API's base URL, e.g. https://github.example.com/api/v3", g.API)
		}
		if g.Token != "" && !encryptedOrLocal(u) {
			return nil, fmt.Errorf("--api-url %s: GITHUB_TOKEN would travel unencrypted; give the https:// URL", g.API)
		}
		client.BaseURL = u
	}
	self := false
	if g.User != "" && g.Token != "" {
		var err error
		if self, err = g.isTokenOwner(ctx, client); err != nil {
			return nil, err
		}
	}
	var out []Repository
	for page := 1; page != 0; {
		var repos []*github.Repository
		var resp *github.Response
		err := g.retry(ctx, func() (err error) {
			opts := github.ListOptions{PerPage: 100, Page: page}
			switch {
			case g.Org != "":
				repos, resp, err = client.Repositories.ListByOrg(ctx, g.Org, &github.RepositoryListByOrgOptions{Type: "all", ListOptions: opts})
			case self:
				repos, resp, err = client.Repositories.ListByAuthenticatedUser(ctx, &github.RepositoryListByAuthenticatedUserOptions{
					Visibility: "all", Affiliation: "owner", ListOptions: opts})
			default:
				repos, resp, err = client.Repositories.ListByUser(ctx, g.User, &github.RepositoryListByUserOptions{Type: "owner", ListOptions: opts})
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("listing the repositories of %s: %w", g.owner(), err)
		}
		for _, r := range repos {
			if r.GetFork() && !g.IncludeForks || r.GetArchived() && !g.IncludeArchived {
				continue
			}
			out = append(out, Repository{Name: r.GetFullName(), URL: r.GetCloneURL()})
		}
		page = resp.NextPage
	}
	return out, nil
}

// isTokenOwner tells whether the token belongs to g.User. A token GET /user
// refuses (an app's installation token) cannot list a user's private
// repositories either: the public listing is all there is.
func (g *GitHub) isTokenOwner(ctx context.Context, client *github.Client) (bool, error) {
	var me *github.User
	err := g.retry(ctx, func() (err error) {
		me, _, err = client.Users.Get(ctx, "")
		return err
	})
	var refused *github.ErrorResponse
	switch {
	case errors.As(err, &refused) && refused.Response != nil && refused.Response.StatusCode != http.StatusUnauthorized:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("asking GitHub whose GITHUB_TOKEN this is: %w", err)
	}
	return strings.EqualFold(me.GetLogin(), g.User), nil
}

func (g *GitHub) owner() string {
	if g.Org != "" {
		return "organisation " + g.Org
	}
	return "user " + g.User
}

// retry runs call until it succeeds or fails with something other than a
// rate limit.
func (g *GitHub) retry(ctx context.Context, call func() error) error {
	for {
		err := call()
		d, why, limited := rateLimitWait(err)
		if !limited {
			return err
		}
		if g.Wait != nil {
			g.Wait(d, why)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// rateLimitWait says how long to wait before calling again when err is a
// rate limit.
func rateLimitWait(err error) (time.Duration, string, bool) {
	var primary *github.RateLimitError
	var secondary *github.AbuseRateLimitError
	var plain *github.ErrorResponse
	switch {
	case errors.As(err, &primary):
		// A second of margin: the reset time has one-second resolution.
		return max(time.Until(primary.Rate.Reset.Time), 0) + time.Second, "GitHub API rate limit", true
	case errors.As(err, &secondary):
		d := defaultSecondaryWait
		if secondary.RetryAfter != nil {
			d = *secondary.RetryAfter
		}
		return max(d, time.Second), "GitHub secondary rate limit", true
	case errors.As(err, &plain) && plain.Response != nil &&
		(plain.Response.StatusCode == http.StatusTooManyRequests || plain.Response.StatusCode == http.StatusForbidden):
		s, err := strconv.Atoi(plain.Response.Header.Get("Retry-After"))
		if err != nil {
			if plain.Response.StatusCode == http.StatusTooManyRequests {
				return defaultSecondaryWait, "GitHub API: too many requests", true
			}
			return 0, "", false // a plain refusal (no access)
		}
		return max(time.Duration(s)*time.Second, time.Second), "GitHub API: too many requests", true
	}
	return 0, "", false
}
