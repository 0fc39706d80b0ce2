package scanner

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCoverageSettleAndSummary(t *testing.T) {
	cases := []struct {
		name     string
		cov      Coverage
		complete bool
		summary  string
	}{
		{"nothing missing", Coverage{Skipped: []Gap{{Path: "a.png", Reason: ReasonBinary}}}, true, ""},
		{"unreadable", Coverage{Unreadable: []Gap{{Path: "a.py", Reason: "permission denied"}}}, false, "INCOMPLETE (1 unreadable)"},
		{"shallow", Coverage{Shallow: true, Unreadable: []Gap{{Object: "abc", Reason: ReasonShallow + ": cut"}}}, false, "INCOMPLETE (history cut by a shallow clone)"},
		{"interrupted", func() Coverage { var c Coverage; c.MarkInterrupted(); return c }(), false, "INCOMPLETE (interrupted)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cov.Settle()
			if c.cov.Complete != c.complete || c.cov.Summary() != c.summary {
				t.Errorf("complete %v summary %q, want %v %q", c.cov.Complete, c.cov.Summary(), c.complete, c.summary)
			}
			data, _ := json.Marshal(c.cov)
			if strings.Contains(string(data), "null") {
				t.Errorf("empty lists must be []: %s", data)
			}
		})
	}
}

func TestCoverageAddPrefixesPaths(t *testing.T) {
	c := Coverage{FilesScanned: 1, Skipped: []Gap{{Path: "x", Reason: ReasonBinary}}}
	c.Add(Coverage{CommitsScanned: 2, BlobsScanned: 3, Shallow: true,
		Skipped:    []Gap{{Path: "img.png", Reason: ReasonBinary}},
		Unreadable: []Gap{{Ref: "refs/heads/x", Reason: "unresolvable ref"}, {Path: "a.py", Object: "abc", Reason: "cannot read blob"}},
	}, "libs/sub")
	c.Settle()
	want := []Gap{{Ref: "refs/heads/x", Reason: "in libs/sub: unresolvable ref"}, {Path: "libs/sub/a.py", Object: "abc", Reason: "cannot read blob"}}
	if c.Complete || !c.Shallow || c.FilesScanned != 1 || c.CommitsScanned != 2 || c.BlobsScanned != 3 ||
		len(c.Skipped) != 2 || c.Skipped[1].Path != "libs/sub/img.png" || len(c.Unreadable) != 2 || c.Unreadable[0] != want[0] || c.Unreadable[1] != want[1] {
		t.Errorf("merged %+v", c)
	}
}
