package org

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/scanner"
)

// The store is one bbolt file. Every repository's outcome is committed in
// one transaction (its ref tips, its new findings, the blob scans it made
// and its entry in the run record), so a process killed at any point
// leaves either all of a repository's work or none of it.
//
//	repos/<name>              repoState (JSON)
//	findings/<len><name><key> Finding (JSON, secret in full: the state is private)
//	blobs/<rules id>/<key>    []scanner.Finding of one blob scan (JSON; empty: nothing found)
//	runs/<run key>/           "\x00start" and one outcome (JSON) per finished repository
//
// Findings of all repositories share one bucket under a length-prefixed
// repository name (a bucket per repository would take a page each), and
// the text a finding's rule supplies (description, hint) is not stored
// with every finding: the store's pages are mapped into memory as they are
// read, so its size is memory.
var (
	bucketRepos    = []byte("repos")
	bucketFindings = []byte("findings")
	bucketBlobs    = []byte("blobs")
	bucketRuns     = []byte("runs")
	keyRunStart    = []byte("\x00start")
)

// Store is the state of organisation scans.
type Store struct {
	db *bolt.DB
	// rules restore the text findings are stored without.
	rules map[string]*detectors.Rule
}

// repoState is what the next run needs to scan only what is new.
type repoState struct {
	URL string `json:"url,omitempty"`
	// Tips are the commits of every ref when the repository was scanned.
	Tips map[string]string `json:"tips"`
	// Rules identifies the rules the tips were scanned with; other rules
	// mean a full rescan.
	Rules     string `json:"rules"`
	ScannedAt string `json:"scanned_at"`
}

// outcome is one repository's result in a run.
type outcome struct {
	Status  string `json:"status"` // scanned, unchanged or failed
	Error   string `json:"error,omitempty"`
	Commits int    `json:"commits"`
	Blobs   int    `json:"blobs"`
}

// OpenStore opens (creating) the store at path for a scan with eng's
// rules. Only one process may hold it; another waits a few seconds and
// then gives up with an error.
func OpenStore(path string, eng *detectors.Engine) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("state %s is in use by another rolecall org run; give each concurrent run (shard) its own --state", path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening state %s: %w (delete it to start afresh)", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketRepos, bucketFindings, bucketBlobs, bucketRuns} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialising state %s: %w", path, err)
	}
	return &Store{db: db, rules: rulesByID(eng)}, nil
}

func rulesByID(eng *detectors.Engine) map[string]*detectors.Rule {
	m := map[string]*detectors.Rule{}
	for _, r := range eng.Rules() {
		m[r.ID] = r
	}
	return m
}

// slim drops what the finding's rule supplies.
func slim(f scanner.Finding) scanner.Finding {
	f.Description, f.Hint = "", ""
	return f
}

// unslim restores what slim dropped.
func (s *Store) unslim(f *scanner.Finding) {
	if r := s.rules[f.RuleID]; r != nil {
		f.Description, f.Hint = r.Description, r.Hint
	}
}

// repoKey is the prefix of a repository's keys in the findings bucket.
func repoKey(name string) []byte {
	return append(binary.AppendUvarint(nil, uint64(len(name))), name...)
}

// Close releases the store.
func (s *Store) Close() error { return s.db.Close() }

// beginRun returns the start time and finished repositories of the run
// named key: an unfinished run of that name is resumed, otherwise a new
// one starts now.
func (s *Store) beginRun(key string, now time.Time) (start string, done map[string]outcome, err error) {
	done = map[string]outcome{}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketRuns).CreateBucketIfNotExists([]byte(key))
		if err != nil {
			return err
		}
		if v := b.Get(keyRunStart); v != nil {
			start = string(v)
		} else {
			start = now.UTC().Format(time.RFC3339Nano)
			return b.Put(keyRunStart, []byte(start))
		}
		return b.ForEach(func(k, v []byte) error {
			if bytes.Equal(k, keyRunStart) {
				return nil
			}
			var o outcome
			if err := json.Unmarshal(v, &o); err != nil {
				return fmt.Errorf("run record for %s: %w", k, err)
			}
			done[string(k)] = o
			return nil
		})
	})
	return start, done, err
}

// endRun forgets the run record: the next run starts afresh.
func (s *Store) endRun(key string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		err := tx.Bucket(bucketRuns).DeleteBucket([]byte(key))
		if errors.Is(err, bolt.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}

func (s *Store) repoState(name string) (*repoState, error) {
	var st *repoState
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRepos).Get([]byte(name))
		if v == nil {
			return nil
		}
		st = &repoState{}
		return json.Unmarshal(v, st)
	})
	return st, err
}

// commit is one repository's work, stored at once.
type commit struct {
	run     string
	name    string
	rules   string
	state   *repoState // nil: leave the recorded tips alone (a failure)
	full    bool       // a full scan: the findings replace the recorded ones
	found   []scanner.Finding
	blobs   []blobEntry
	outcome outcome
	start   string // the run's start: first_seen of findings new in it
}

// save commits c and returns every finding recorded for the repository.
func (s *Store) save(c *commit) ([]Finding, error) {
	var all []Finding
	err := s.db.Update(func(tx *bolt.Tx) error {
		if len(c.blobs) > 0 {
			bb, err := tx.Bucket(bucketBlobs).CreateBucketIfNotExists([]byte(c.rules))
			if err != nil {
				return err
			}
			for _, e := range c.blobs {
				if err := bb.Put([]byte(e.key), e.value); err != nil {
					return err
				}
			}
		}
		if c.state != nil {
			v, err := json.Marshal(c.state)
			if err != nil {
				return err
			}
			rb := tx.Bucket(bucketRepos)
			rb.FillPercent = 0.9
			if err := rb.Put([]byte(c.name), v); err != nil {
				return err
			}
			if err := s.addFindings(tx, c); err != nil {
				return err
			}
		}
		v, err := json.Marshal(c.outcome)
		if err != nil {
			return err
		}
		rb := tx.Bucket(bucketRuns).Bucket([]byte(c.run))
		if rb == nil {
			return fmt.Errorf("run record %s is missing", c.run)
		}
		if err := rb.Put([]byte(c.name), v); err != nil {
			return err
		}
		all, err = s.readFindings(tx, c.name)
		return err
	})
	return all, err
}

// addFindings records the findings of a scan. Like a single history scan,
// each secret is reported once per place (file and notebook part): a place
// already recorded by an earlier run keeps its earlier commit.
func (s *Store) addFindings(tx *bolt.Tx, c *commit) error {
	b := tx.Bucket(bucketFindings)
	// A repository's keys are added side by side: pack the pages.
	b.FillPercent = 0.9
	prefix := repoKey(c.name)
	firstSeen := map[string]string{}
	if c.full {
		cur := b.Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Seek(prefix) {
			var f Finding
			if err := json.Unmarshal(v, &f); err != nil {
				return err
			}
			firstSeen[string(k)] = f.FirstSeen
			if err := cur.Delete(); err != nil {
				return err
			}
		}
	}
	for _, sf := range c.found {
		place := append(slices.Clip(prefix), placeOf(&sf)...)
		key := append(slices.Clip(place), strconv.Itoa(sf.Line)+":"+strconv.Itoa(sf.Column)+"\x00"+sf.Commit...)
		if k, v := b.Cursor().Seek(place); k != nil && bytes.HasPrefix(k, place) {
			var known Finding
			if err := json.Unmarshal(v, &known); err != nil {
				return err
			}
			if known.Commit != sf.Commit {
				continue // introduced earlier; this is a re-introduction
			}
		}
		f := Finding{Finding: slim(sf), Repository: c.name, FirstSeen: c.start}
		if fs, ok := firstSeen[string(key)]; ok {
			f.FirstSeen = fs
		}
		v, err := json.Marshal(&f)
		if err != nil {
			return err
		}
		if err := b.Put(key, v); err != nil {
			return err
		}
	}
	return nil
}

// placeOf is the key prefix of a secret's place in a repository.
func placeOf(f *scanner.Finding) string {
	part := ""
	if f.Notebook != nil {
		part = f.Notebook.Part
	}
	return f.Fingerprint + "\x00" + part + "\x00"
}

func (s *Store) readFindings(tx *bolt.Tx, name string) ([]Finding, error) {
	prefix := repoKey(name)
	var out []Finding
	cur := tx.Bucket(bucketFindings).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var f Finding
		if err := json.Unmarshal(v, &f); err != nil {
			return nil, fmt.Errorf("finding %q of %s in the state: %w", k, name, err)
		}
		s.unslim(&f.Finding)
		out = append(out, f)
	}
	return out, nil
}

// findings returns every finding recorded for a repository.
func (s *Store) findings(name string) ([]Finding, error) {
	var out []Finding
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		out, err = s.readFindings(tx, name)
		return err
	})
	return out, err
}

// blob returns a recorded blob scan.
func (s *Store) blob(rules, key string) (value []byte, ok bool) {
	_ = s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlobs).Bucket([]byte(rules))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(key)); v != nil {
			value, ok = bytes.Clone(v), true
		}
		return nil
	})
	return value, ok
}

// Stored yields the recorded findings of each named repository, in the
// order given, from the store in state (opened read-only: a report can be
// rendered while nothing else holds it).
func Stored(state string, names []string, eng *detectors.Engine) iter.Seq2[RepoFindings, error] {
	return func(yield func(RepoFindings, error) bool) {
		db, err := bolt.Open(StatePath(state), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
		if err != nil {
			yield(RepoFindings{}, fmt.Errorf("opening state %s: %w", state, err))
			return
		}
		defer db.Close()
		s := &Store{db: db, rules: rulesByID(eng)}
		for _, n := range names {
			fs, err := s.findings(n)
			Sort(fs)
			if !yield(RepoFindings{Repository: n, Findings: fs}, err) || err != nil {
				return
			}
		}
	}
}
