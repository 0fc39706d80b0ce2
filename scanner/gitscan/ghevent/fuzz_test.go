package ghevent

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rolecall/rolecall/scanner/gitscan"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

var fuzzEvents = []string{"push", "pull_request", "pull_request_target", "schedule", "workflow_dispatch", "merge_group"}

// FuzzEvent parses arbitrary payloads and chooses a range in a real
// repository: no panic, and a plan either scans something or says why
// not; a push never becomes the whole history.
func FuzzEvent(f *testing.F) {
	r := gittest.New(f)
	r.Write("a.txt", "one\n")
	c1 := r.Commit("one")
	r.Write("a.txt", "two\n")
	c2 := r.Commit("two")
	r.Git("branch", "side", c1)
	repo, err := gitscan.Open(r.Dir, 1)
	if err != nil {
		f.Fatal(err)
	}
	defer repo.Close()
	zero := strings.Repeat("0", 40)
	for i := range fuzzEvents {
		f.Add(uint8(i), []byte(fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"commits":[{"id":%q}]}`, c1, c2, c2)))
		f.Add(uint8(i), []byte(fmt.Sprintf(`{"ref":"refs/heads/new","before":%q,"after":%q,"created":true}`, zero, c2)))
		f.Add(uint8(i), []byte(fmt.Sprintf(`{"pull_request":{"number":7,"base":{"sha":%q},"head":{"sha":%q}}}`, c1, c2)))
	}
	f.Add(uint8(0), []byte(`{"deleted":true,"after":"`+zero+`"}`))
	f.Add(uint8(0), []byte(`{"after":"\u0000\u001b]0;x\u0007","commits":[{"id":1}]}`))
	f.Add(uint8(1), []byte(`{"pull_request":null}`))
	f.Fuzz(func(t *testing.T, k uint8, payload []byte) {
		name := fuzzEvents[int(k)%len(fuzzEvents)]
		e, err := Parse(name, payload)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\x1b") {
				t.Fatalf("error message carries control characters: %q", err)
			}
			return
		}
		p, err := e.Choose(repo)
		if err != nil {
			return
		}
		if p.Nothing {
			return
		}
		if len(p.Selection.Include) == 0 && len(p.Commits) == 0 {
			t.Fatalf("%s: a plan that scans nothing without saying so: %+v", name, p)
		}
		if name == "push" && len(p.Commits) == 0 && !(len(p.Selection.Include) == 1 && p.Selection.Include[0] == plumbing.NewHash(e.After)) {
			t.Fatalf("push plan does not start at the pushed commit: %+v", p.Selection)
		}
	})
}
