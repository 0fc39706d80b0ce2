package main

import (
	"os"
	"runtime/debug"
)

// memoryLimit is the soft heap limit for scans: past it the Go garbage
// collector works harder instead of letting the heap double, which keeps
// whole-organisation scans under 1 GiB. GOMEMLIMIT overrides it.
const memoryLimit = 640 << 20

// GC targets (GOGC overrides them). A scan keeps little (findings, the
// history's list of changes and delta-forest path) while every file it
// reads is garbage once scanned, so collecting at the default 2x of the
// live heap spends a third of a directory scan's CPU on a heap of tens of
// megabytes.
const (
	// historyGCPercent: 3x saves about 10% of a history scan's CPU and
	// still peaks at a fraction of git log -p's memory.
	historyGCPercent = 200
	// scanGCPercent: 9x makes a directory scan of sagemaker-examples'
	// 200 MB about 40% faster than the default, at a peak of 140 MB
	// instead of 40 (the heap limit still bounds it).
	scanGCPercent = 800
)

// tuneGC sets the heap limit and the GC target for a scan, unless the
// user set them in the environment.
func tuneGC(percent int) {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	if percent > 0 && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
}
