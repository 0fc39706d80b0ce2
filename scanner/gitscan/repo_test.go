package gitscan

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
	"github.com/rolecall/rolecall/ipynb/nbtest"
	"github.com/rolecall/rolecall/scanner"
	"github.com/rolecall/rolecall/scanner/gitscan/gittest"
)

func newScanner(t testing.TB) *scanner.Scanner {
	eng, err := detectors.NewEngine(nil)
	if err != nil {
		t.Fatal(err)
	}
	return scanner.New(eng)
}

// history scans the selection (all refs when sel is nil) and returns the
// findings as "commit-prefix file:line rule secret-name" strings, sorted.
func history(t *testing.T, dir string, sel *Selection, set *testsecrets.Set) ([]string, *Result) {
	t.Helper()
	res := scanHistoryWith(t, dir, sel, newScanner(t), Options{})
	return describe(res.Findings, set), res
}

// scanHistoryWith scans the selection (all refs when sel is nil) with s.
func scanHistoryWith(t *testing.T, dir string, sel *Selection, s *scanner.Scanner, opts Options) *Result {
	t.Helper()
	repo, err := Open(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if sel == nil {
		sel = &Selection{}
		refs, err := repo.Refs()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			sel.Include = append(sel.Include, r.Commit)
		}
	}
	walk, err := repo.Select(*sel)
	if err != nil {
		t.Fatal(err)
	}
	res, err := repo.ScanCommits(context.Background(), s, walk.Commits, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func describe(fs []scanner.Finding, set *testsecrets.Set) []string {
	names := map[string]string{}
	for name, v := range set.Values() {
		names[v] = name
	}
	var out []string
	for _, f := range fs {
		name := names[f.Secret]
		if name == "" {
			name = "?" + f.Secret
		}
		c := f.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		out = append(out, fmt.Sprintf("%s %s:%d %s %s", c, f.File, f.Line, f.RuleID, name))
	}
	sort.Strings(out)
	return out
}

func short(sha string) string { return sha[:7] }

func wantFindings(t *testing.T, got []string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestHistoryAttribution(t *testing.T) {
	set := testsecrets.New(31)
	tok := func(name string) string { return fmt.Sprintf("api_key = %q\n", set.Get(name)) }
	r := gittest.New(t)

	r.Write("app.py", "import os\n")
	c1 := r.Commit("start")
	// The key is added to an existing file: credit this commit, not c1.
	r.Write("app.py", "import os\n"+tok("token.added"))
	c2 := r.Commit("add config")
	// Lines above it move it down: not a new introduction.
	r.Write("app.py", "import os\nimport sys\n\n"+tok("token.added"))
	r.Commit("imports")
	// A key added then deleted stays in history.
	r.Write("tmp.py", "x = 1\n"+tok("token.deleted"))
	c4 := r.Commit("debugging")
	r.Write("tmp.py", "x = 1\n")
	r.Commit("remove key")
	// A key in a file deleted later.
	r.Write("old/creds.py", tok("token.gone"))
	c6 := r.Commit("creds")
	r.Git("rm", "-q", "-r", "old")
	r.Commit("delete old")
	// A key moved between files: the second place is a new introduction.
	r.Write("a.py", tok("token.moved"))
	c8 := r.Commit("a")
	r.Write("a.py", "\n")
	r.Write("b/b.py", "# moved\n"+tok("token.moved"))
	c9 := r.Commit("move to b")
	// A key in a commit message.
	c10 := r.Commit("deploy with GITHUB_TOKEN=" + set.Get("github_pat"))

	got, res := history(t, r.Dir, nil, set)
	wantFindings(t, got,
		short(c2)+" app.py:2 generic-credential token.added",
		short(c4)+" tmp.py:2 generic-credential token.deleted",
		short(c6)+" old/creds.py:1 generic-credential token.gone",
		short(c8)+" a.py:1 generic-credential token.moved",
		short(c9)+" b/b.py:2 generic-credential token.moved",
		short(c10)+" "+MessagePath+":1 github-token github_pat",
	)
	if res.Commits != 10 {
		t.Errorf("scanned %d commits, want 10", res.Commits)
	}
	_ = c1
	all, _ := history(t, r.Dir, nil, set)
	for _, f := range res.Findings {
		if f.Author != "Ada" || f.Email != "ada@example.org" || !strings.HasPrefix(f.Date, "2024-01-01T") {
			t.Errorf("commit metadata missing: %+v", f)
		}
	}
	if len(all) != len(got) {
		t.Error("scan is not repeatable")
	}
}

func TestBranchesAndMerges(t *testing.T) {
	set := testsecrets.New(32)
	r := gittest.New(t)
	r.Write("README.md", "# x\n")
	base := r.Commit("base")

	r.Git("checkout", "-q", "-b", "feature")
	r.Write("feature.py", fmt.Sprintf("token = %q\n", set.Get("token.feature")))
	cf := r.Commit("feature work")

	r.Git("checkout", "-q", "-b", "spike", base)
	r.Write("spike.py", fmt.Sprintf("token = %q\n", set.Get("token.unmerged")))
	cs := r.Commit("unmerged spike")

	r.Git("checkout", "-q", "main")
	r.Write("main.py", "print(1)\n")
	r.Commit("main work")
	r.Tick++
	r.Git("merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	merge := r.Git("rev-parse", "HEAD")

	// A key written while resolving a conflict belongs to the merge itself.
	r.Git("checkout", "-q", "-b", "left", base)
	r.Write("conf.py", "value = 1\n")
	r.Commit("left")
	r.Git("checkout", "-q", "-b", "right", base)
	r.Write("conf.py", "value = 2\n")
	r.Commit("right")
	r.Tick++
	_, _ = gittest.Try(r.Dir, r.Tick, "merge", "-q", "left") // conflicts, as intended
	r.Write("conf.py", fmt.Sprintf("value = 3\nsecret = %q\n", set.Get("token.resolved")))
	cm := r.Commit("merge left")

	got, _ := history(t, r.Dir, nil, set)
	wantFindings(t, got,
		short(cf)+" feature.py:1 generic-credential token.feature",
		short(cs)+" spike.py:1 generic-credential token.unmerged",
		short(cm)+" conf.py:2 generic-credential token.resolved",
	)

	// --branch main: the unmerged spike and the conflict branch are out of reach.
	repo, err := Open(r.Dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	mainTip, err := repo.Resolve("main")
	repo.Close()
	if err != nil || mainTip.String() != merge {
		t.Fatalf("Resolve(main) = %s, %v; want %s", mainTip, err, merge)
	}
	got, _ = history(t, r.Dir, &Selection{Include: []plumbing.Hash{mainTip}}, set)
	wantFindings(t, got, short(cf)+" feature.py:1 generic-credential token.feature")
}

// A key printed into a notebook output is reported at the commit that saved
// the output, with its cell and output, and not again once a later commit
// clears the outputs.
func TestNotebookOutputClearedLater(t *testing.T) {
	set := testsecrets.New(34)
	r := gittest.New(t)
	cell := nbtest.Cell{Type: "code", ID: "c1", Source: "import os\n%env AWS_PROFILE=analytics\n!aws sts get-session-token"}
	r.Write("nb.ipynb", string(nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{cell}}, nbtest.Jupyter, nbtest.Options{})))
	r.Commit("notebook")
	cell.Outputs = []nbtest.Output{{Type: "stream", Name: "stdout", Text: fmt.Sprintf("{\"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}\n", set.Get("aws_asia_id"), set.Get("aws_secret"))}}
	r.Write("nb.ipynb", string(nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{cell}}, nbtest.Jupyter, nbtest.Options{})))
	ran := r.Commit("ran it")
	cell.Outputs = nil
	r.Write("nb.ipynb", string(nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{cell}}, nbtest.Jupyter, nbtest.Options{})))
	r.Commit("clear outputs")

	got, res := history(t, r.Dir, nil, set)
	if len(got) != 2 {
		t.Fatalf("findings %v", got)
	}
	for _, f := range res.Findings {
		nb := f.Notebook
		if f.Commit != ran || nb == nil || nb.Cell != 1 || nb.Part != "output" || nb.Output == nil || nb.Output.Type != "stream" || nb.CellLine != 1 {
			t.Errorf("finding %s at commit %.7s, notebook %+v", f.RuleID, f.Commit, nb)
		}
	}
}

// The same file version reached through two branches (a cherry-pick) is
// reported once, at the earliest commit; two lines in one commit stay two.
func TestOneReportPerPlace(t *testing.T) {
	set := testsecrets.New(33)
	r := gittest.New(t)
	r.Write("README.md", "# x\n")
	base := r.Commit("base")
	body := fmt.Sprintf("token = %q\n\nbackup_token = %q\n", set.Get("token"), set.Get("token"))
	r.Write("cfg.py", body)
	first := r.Commit("add cfg")
	r.Git("checkout", "-q", "-b", "other", base)
	r.Write("cfg.py", body)
	r.Commit("same file on another branch")
	got, _ := history(t, r.Dir, nil, set)
	wantFindings(t, got,
		short(first)+" cfg.py:1 generic-credential token",
		short(first)+" cfg.py:3 generic-credential token")
}

// --range A..B selects exactly `git rev-list B --not A`.
func TestRangeMatchesRevList(t *testing.T) {
	r := gittest.New(t)
	var shas []string
	for i := 0; i < 6; i++ {
		r.Write("f.txt", fmt.Sprintf("%d\n", i))
		shas = append(shas, r.Commit(fmt.Sprintf("c%d", i)))
	}
	r.Git("checkout", "-q", "-b", "side", shas[2])
	for i := 0; i < 3; i++ {
		r.Write("side.txt", fmt.Sprintf("%d\n", i))
		r.Commit(fmt.Sprintf("s%d", i))
	}
	r.Git("checkout", "-q", "main")
	r.Tick++
	r.Git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	r.Write("f.txt", "last\n")
	r.Commit("last")
	repo, err := Open(r.Dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for _, rng := range [][2]string{{shas[1], "main"}, {"side", "main"}, {shas[4], "side"}, {"main", "side"}, {"main~2", "main"}} {
		from, err := repo.Resolve(rng[0])
		if err != nil {
			t.Fatal(err)
		}
		to, err := repo.Resolve(rng[1])
		if err != nil {
			t.Fatal(err)
		}
		walk, err := repo.Select(Selection{Include: []plumbing.Hash{to}, Exclude: []plumbing.Hash{from}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range walk.Commits {
			got = append(got, c.Hash.String())
		}
		sort.Strings(got)
		want := strings.Fields(r.Git("rev-list", rng[1], "--not", rng[0]))
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s..%s: got %d commits %v, git rev-list gives %d %v", rng[0], rng[1], len(got), got, len(want), want)
		}
	}
}

func TestResolve(t *testing.T) {
	r := gittest.New(t)
	r.Write("a", "1\n")
	c1 := r.Commit("one")
	r.Write("a", "2\n")
	c2 := r.Commit("two")
	r.Git("tag", "-a", "v1", "-m", "release", c1)
	r.Git("tag", "light", c2)
	repo, err := Open(r.Dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for rev, want := range map[string]string{
		"HEAD": c2, "main": c2, "refs/heads/main": c2, "v1": c1, "light": c2, c2[:8]: c2, c2: c2,
		"HEAD~1": c1, "main^": c1, "HEAD~0": c2,
	} {
		h, err := repo.Resolve(rev)
		if err != nil || h.String() != want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", rev, h, err, want)
		}
	}
	for _, rev := range []string{"nope", "HEAD~5", "0123456789abcdef0123456789abcdef01234567", "HEAD~x", ""} {
		if _, err := repo.Resolve(rev); err == nil {
			t.Errorf("Resolve(%q) succeeded", rev)
		}
	}
}

// Progress is reported while scanning and once at the end, with every
// commit and file counted.
func TestProgress(t *testing.T) {
	r := gittest.New(t)
	for i := 0; i < 5; i++ {
		r.Write(fmt.Sprintf("f%d.py", i), fmt.Sprintf("x = %d\n", i))
		r.Commit(fmt.Sprintf("c%d", i))
	}
	repo, err := Open(r.Dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	refs, _ := repo.Refs()
	walk, _ := repo.Select(Selection{Include: []plumbing.Hash{refs[0].Commit}})
	var last Progress
	calls := 0
	_, err = repo.ScanCommits(context.Background(), newScanner(t), walk.Commits, Options{Progress: func(p Progress) { last = p; calls++ }})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last.Commits != 5 || last.CommitsTotal != 5 || last.Blobs != 5 || last.Bytes == 0 {
		t.Errorf("%d progress calls, last %+v", calls, last)
	}
}

// A file renamed or copied in history is one blob at several paths. It is
// read once per class of those paths (scanner.Scanner.PathClass), and each
// path still gets exactly the findings, fingerprints and coverage entries a
// scan of the file under that path gives; a path of another class (a
// path-scoped rule, another language, a notebook checkpoint) is a scan of
// its own, an allowlisted path is not read.
func TestRenamedAndCopiedBlobsScannedOncePerClass(t *testing.T) {
	set := testsecrets.New(47)
	conf, err := detectors.ParseConfig(".rolecall.toml", `
[[rules]]
id = "internal-token"
description = "Internal service token"
regex = '''\b(itk_[A-Za-z0-9]{32})\b'''
keywords = ["itk_"]
severity = "high"
paths = ["services/**"]

[[allowlists]]
paths = ["vendor/**"]
`)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := detectors.NewEngine(conf)
	if err != nil {
		t.Fatal(err)
	}
	s := scanner.New(eng).WithFingerprintKey(scanner.NewFingerprintKey(func() ([]byte, string) { return []byte("repository key"), "test" }))

	code := fmt.Sprintf("import boto3\naws_access_key_id = %q\naws_secret_access_key = %q\nSERVICE = %q\n",
		set.Get("aws_key_id"), set.Get("aws_secret"), "itk_"+set.Get("token"))
	cell := nbtest.Cell{Type: "code", ID: "c1", Source: fmt.Sprintf("import boto3\nboto3.client('s3', aws_access_key_id=%q,\n  aws_secret_access_key=%q)", set.Get("aws_key_id"), set.Get("aws_secret"))}
	nb := string(nbtest.Write(&nbtest.Notebook{Minor: 5, Cells: []nbtest.Cell{cell}}, nbtest.Jupyter, nbtest.Options{}))
	const limit = 4096
	big := strings.Repeat("x = 1\n", limit/4)

	r := gittest.New(t)
	content := map[string]string{} // path -> what it holds
	added := map[string]string{}   // path -> the commit that added it
	commit := func(msg string, files map[string]string, moves ...[2]string) {
		for p, body := range files {
			r.Write(p, body)
			content[p] = body
		}
		for _, m := range moves { // a rename: the same blob at a new path
			r.Write(m[1], content[m[0]])
			r.Git("rm", "-q", m[0])
			content[m[1]] = content[m[0]]
			files[m[1]] = ""
		}
		c := r.Commit(msg)
		for p := range files {
			added[p] = c
		}
	}
	commit("add", map[string]string{"app.py": code, "nb.ipynb": nb, "data/big1.py": big})
	commit("rename", map[string]string{}, [2]string{"app.py", "src/main.py"})
	commit("copy", map[string]string{
		"copy.py":                                code, // same class as src/main.py: not read again
		"services/app.py":                        code, // internal-token applies here only
		"notes.txt":                              code, // another language
		"vendor/app.py":                          code, // allowlisted: not read
		"other/nb.ipynb":                         nb,
		"data/big2.py":                           big, // too big, like big1.py: skipped at both paths
		".ipynb_checkpoints/nb-checkpoint.ipynb": nb,
	})
	commit("rename the copy", map[string]string{}, [2]string{"copy.py", "lib/copy2.py"})

	// What a scan of each added file under its own path finds.
	var want []scanner.Finding
	for p, c := range added {
		fs, _ := s.Scan(scanner.Content{Path: p, Data: []byte(content[p])})
		for _, f := range fs {
			f.Commit = c
			want = append(want, f)
		}
	}
	scanner.SortFindings(want)
	if !hasRuleAt(want, "internal-token", "services/app.py") || hasRuleAt(want, "internal-token", "src/main.py") {
		t.Fatal("the path-scoped rule does not tell the classes apart; the test proves nothing")
	}
	wantSkipped := []string{"data/big1.py " + scanner.ReasonSize, "data/big2.py " + scanner.ReasonSize, "vendor/app.py " + scanner.ReasonAllowlisted}

	for _, tc := range []struct {
		name   string
		packed bool // git gc, and the pack-order read
	}{{"loose objects, read by id", false}, {"packed, pack order", true}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.packed {
				r.Git("gc", "-q")
				readPacks(t, 0)
			}
			opts := Options{}
			opts.MaxFileSize = limit
			res := scanHistoryWith(t, r.Dir, nil, s, opts)
			got := make([]scanner.Finding, len(res.Findings))
			for i, f := range res.Findings {
				f.Author, f.Email, f.Date = "", "", ""
				got[i] = f
			}
			scanner.SortFindings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("findings differ from scanning each path directly:\n got %s\nwant %s", brief(got), brief(want))
			}
			var skipped []string
			for _, g := range res.Skipped {
				skipped = append(skipped, g.Path+" "+strings.SplitN(g.Reason, ":", 2)[0])
			}
			sort.Strings(skipped)
			if !reflect.DeepEqual(skipped, wantSkipped) {
				t.Errorf("skipped %q, want %q", skipped, wantSkipped)
			}
			// Read: the code under plain .py paths, under services/ and as
			// text; the notebook, and its checkpoint copy. Not the four
			// other paths of those classes (nor the allowlisted or big ones).
			if res.Blobs != 5 {
				t.Errorf("read %d blobs, want 5 (one per blob and path class)", res.Blobs)
			}
		})
	}
}

func hasRuleAt(fs []scanner.Finding, rule, path string) bool {
	for _, f := range fs {
		if f.RuleID == rule && f.File == path {
			return true
		}
	}
	return false
}

// brief lists findings as "commit path:line rule fingerprint".
func brief(fs []scanner.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %.7s %s:%d %s %.12s", f.Commit, f.File, f.Line, f.RuleID, f.Fingerprint)
	}
	return b.String()
}

// brokenCache panics when asked, as a scan might on input nobody foresaw.
type brokenCache struct{}

func (brokenCache) Get(plumbing.Hash, string) ([]scanner.Finding, bool) { panic("broken cache") }
func (brokenCache) Put(plumbing.Hash, string, []scanner.Finding)        {}

// A scan that panics is an internal-error warning for every path of its
// class, not only the one it was made under: the copies must not pass as
// clean.
func TestPanickedScanWarnsEveryPathOfItsClass(t *testing.T) {
	r := gittest.New(t)
	r.Write("a.py", "x = 1\n")
	r.Commit("a")
	r.Write("b.py", "x = 1\n")
	r.Write("lib/c.py", "x = 1\n")
	r.Commit("copies")
	warned := map[string]bool{} // Warn is never called concurrently
	opts := Options{Blobs: brokenCache{}}
	opts.Warn = func(w scanner.Warning) {
		if strings.Contains(w.Message, "internal error") {
			warned[w.Path] = true
		}
	}
	scanHistoryWith(t, r.Dir, nil, newScanner(t), opts)
	if want := map[string]bool{"a.py": true, "b.py": true, "lib/c.py": true}; !reflect.DeepEqual(warned, want) {
		t.Errorf("internal-error warnings for %v, want %v", warned, want)
	}
}
