package gitscan

import (
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
