package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/iam/verify"
	"github.com/rolecall/rolecall/scanner"
)

// verifyFlags are scan's opt-in live verification.
type verifyFlags struct {
	on         bool
	endpoint   string
	failOnLive bool
	interval   time.Duration
}

func (v *verifyFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&v.on, "verify", false, "ask AWS STS (GetCallerIdentity) whether each AWS key pair found is live; canary-token accounts are never called")
	f.StringVar(&v.endpoint, "sts-endpoint", verify.DefaultEndpoint, "STS endpoint `URL` for --verify (other partitions, tests)")
	f.BoolVar(&v.failOnLive, "fail-on-live", false, "with --verify: exit with --exit-code only when a live key is found")
	f.DurationVar(&v.interval, "verify-interval", 200*time.Millisecond, "with --verify: at least this long between two STS calls")
}

func (v *verifyFlags) check() error {
	if !v.on && v.failOnLive {
		return errors.New("--fail-on-live needs --verify")
	}
	if u, err := url.Parse(v.endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--sts-endpoint %q is not an http(s) URL", v.endpoint)
	}
	return nil
}

func (v *verifyFlags) run(ctx context.Context, a *app, fs []scanner.Finding) {
	a.failOnlyLive = v.failOnLive
	if !v.on {
		return
	}
	// Keys an earlier report accepted (--baseline) are not reported, so
	// they are not sent either; a baseline that does not load is reported
	// by finish.
	var known *scanner.Baseline
	if a.baseline != "" {
		known, _ = scanner.LoadBaseline(a.baseline)
	}
	var idx []int
	var sub []scanner.Finding
	for i, f := range fs {
		if !known.Knows(f) {
			idx = append(idx, i)
			sub = append(sub, f)
		}
	}
	ver := &verify.Verifier{Endpoint: v.endpoint, Interval: v.interval}
	ver.Findings(ctx, sub)
	for k, i := range idx {
		fs[i].Verification = sub[k].Verification
	}
}
