package detectors

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Fragment is a piece of text to search, with the path it came from (for
// path filters and allowlists) and the language it is written in.
type Fragment struct {
	Path string
	// Lang may be empty; it is then guessed from Path.
	Lang Lang
	Text []byte
}

// Match is a secret found in a fragment. Start and End are byte offsets of
// the secret in Fragment.Text.
type Match struct {
	Rule       *Rule
	Start, End int
	Secret     string
	Severity   Severity
	// AccountID is the AWS account decoded from an access key ID.
	AccountID string
	// KeyID is, for an AWS secret or session token, the access key ID it
	// was found next to.
	KeyID string
	// Encoding is "base64" (or "base64 in base64") when the secret was
	// found by decoding a literal: Start and End then span the encoded
	// literal, and Secret is the decoded secret.
	Encoding string
}

// AllowComment on a line suppresses findings on that line; gitleaks'
// comment does the same, so lines a team allowed before stay allowed.
const (
	AllowComment         = "rolecall:allow"
	GitleaksAllowComment = "gitleaks:allow"
)

// allowedLines reports whether lines carry either allow comment.
func allowedLines(lines []byte) bool {
	return bytes.Contains(lines, []byte(AllowComment)) || bytes.Contains(lines, []byte(GitleaksAllowComment))
}

// Engine runs a rule set over fragments. It is safe for concurrent use.
type Engine struct {
	rules    []*Rule
	byID     map[string]*Rule
	kw       *keywordMatcher // the keyword prefilter
	keywords []string
	kwRules  [][]int // keyword index -> indexes into rules
	always   []int   // rules without keywords run on every fragment
	global   []allowlist
	scratch  sync.Pool
	// noPrefilter runs every regex rule over whole fragments, to measure
	// what the keyword prefilter saves.
	noPrefilter bool
}

// SetPrefilter turns the keyword prefilter on (the default) or off. Off,
// every regex rule runs over every whole fragment; code detectors still use
// keyword hits as anchors. It exists for benchmarks and for debugging a
// rule that seems not to fire.
func (e *Engine) SetPrefilter(on bool) { e.noPrefilter = !on }

// NewEngine compiles the built-in rules overlaid with user (which may be nil).
func NewEngine(user *Config) (*Engine, error) {
	cfg, err := merge(DefaultConfig(), user)
	if err != nil {
		return nil, err
	}
	return compile(cfg)
}

func compile(cfg *Config) (*Engine, error) {
	e := &Engine{byID: map[string]*Rule{}}
	kwIndex := map[string]int{}
	for _, rc := range cfg.Rules {
		r, err := compileRule(rc)
		if err != nil {
			return nil, err
		}
		if e.byID[r.ID] != nil {
			return nil, fmt.Errorf("rule id %q is defined twice", r.ID)
		}
		e.byID[r.ID] = r
		ri := len(e.rules)
		r.index = ri
		e.rules = append(e.rules, r)
		if len(r.Keywords) == 0 {
			e.always = append(e.always, ri)
		}
		for _, k := range r.Keywords {
			ki, ok := kwIndex[k]
			if !ok {
				ki = len(e.keywords)
				kwIndex[k] = ki
				e.keywords = append(e.keywords, k)
				e.kwRules = append(e.kwRules, nil)
			}
			e.kwRules[ki] = append(e.kwRules[ki], ri)
		}
	}
	for i, ac := range cfg.Allowlists {
		a, err := compileAllowlist(fmt.Sprintf("allowlist %d", i+1), ac)
		if err != nil {
			return nil, err
		}
		for id := range a.targetRules {
			if e.byID[id] == nil {
				return nil, fmt.Errorf("allowlist %d: targetRules names %q, which is not a rule", i+1, id)
			}
		}
		e.global = append(e.global, a)
	}
	e.kw = newKeywordMatcher(e.keywords)
	e.scratch.New = func() any { return &scan{} }
	return e, nil
}

// Rules returns the active rules sorted by id.
func (e *Engine) Rules() []*Rule { return e.rules }

// PathAllowed reports whether a global allowlist suppresses everything in
// the file at p, so that the caller need not read it.
func (e *Engine) PathAllowed(p string) bool {
	for i := range e.global {
		a := &e.global[i]
		if a.targetRules == nil && a.pathOnly() && a.pathMatches(p) {
			return true
		}
	}
	return false
}

// scan is the per-fragment working state, pooled to spare the allocator.
type scan struct {
	e     *Engine
	f     Fragment
	lang  Lang
	text  []byte
	lower []byte  // scratch for lowerRange
	hits  [][]int // per rule: start offsets of keyword hits
	aws   *awsResult
	seen  map[int]bool
}

// lowerRange returns text[a:b] in ASCII lower case, valid until the next
// call: checks lower only the names they look at, never a whole fragment.
func (s *scan) lowerRange(a, b int) []byte {
	s.lower = lowerASCII(s.lower, s.text[a:b])
	return s.lower
}

// hitsOf returns the start offsets of the rule's keywords in the fragment.
func (s *scan) hitsOf(r *Rule) []int { return s.hits[r.index] }

// Detect returns the matches in f, without overlaps, ordered by offset.
func (e *Engine) Detect(f Fragment) []Match { return e.detect(f, 0) }

func (e *Engine) detect(f Fragment, depth int) []Match {
	if len(f.Text) == 0 {
		return nil
	}
	s := e.scratch.Get().(*scan)
	defer func() {
		s.f, s.text, s.aws, s.seen = Fragment{}, nil, nil, nil
		e.scratch.Put(s)
	}()
	s.e, s.f, s.text = e, f, f.Text
	s.lang = f.Lang
	if s.lang == "" {
		s.lang = LangForPath(f.Path)
	}
	if cap(s.hits) < len(e.rules) {
		s.hits = make([][]int, len(e.rules))
	}
	s.hits = s.hits[:len(e.rules)]
	for i := range s.hits {
		s.hits[i] = s.hits[i][:0]
	}
	e.kw.walk(f.Text, func(start int, k int32) {
		for _, ri := range e.kwRules[k] {
			s.hits[ri] = append(s.hits[ri], start)
		}
	})

	var out []Match
	for ri, r := range e.rules {
		if len(s.hits[ri]) == 0 && len(r.Keywords) > 0 && !(e.noPrefilter && r.detector == nil) {
			continue
		}
		if !r.appliesTo(f.Path) {
			continue
		}
		var ms []Match
		if r.detector != nil {
			ms = r.detector(s, r)
		} else {
			ms = s.regexMatches(r, r.re, s.hits[ri])
		}
		for _, m := range ms {
			if e.keep(s, &m) {
				out = append(out, m)
			}
		}
	}
	if depth < maxDecodeDepth {
		out = append(out, e.decodedMatches(s, depth)...)
	}
	return resolveOverlaps(out)
}

// keep applies the checks every rule shares: placeholders, entropy, the
// inline allow comment and allowlists.
func (e *Engine) keep(s *scan, m *Match) bool {
	if m.Severity == 0 {
		m.Severity = m.Rule.Severity
	}
	if IsPlaceholder(m.Secret) {
		return false
	}
	if m.Rule.entropy > 0 && Entropy(m.Secret) < m.Rule.entropy {
		return false
	}
	lines := s.text[lineStart(s.text, m.Start):lineEnd(s.text, m.End)]
	if allowedLines(lines) {
		return false
	}
	for i := range m.Rule.allow {
		if m.Rule.allow[i].allows(s.f.Path, m.Secret, lines) {
			return false
		}
	}
	for i := range e.global {
		a := &e.global[i]
		if a.targetRules != nil && !a.targetRules[m.Rule.ID] {
			continue
		}
		if a.allows(s.f.Path, m.Secret, lines) {
			return false
		}
	}
	return true
}

// regexMatches runs a regex rule over windows around its keyword hits (or the
// whole fragment), so a 5 MB notebook output with one keyword in it costs one
// line of regex work, not five megabytes.
func (s *scan) regexMatches(r *Rule, re *regexp.Regexp, hits []int) []Match {
	var out []Match
	for _, w := range s.windows(r, hits) {
		chunk := s.text[w[0]:w[1]]
		if !r.hasRequired(chunk) {
			continue
		}
		for _, loc := range re.FindAllSubmatchIndex(chunk, -1) {
			g := r.secretGroup
			if g == 0 && len(loc) > 2 {
				// first non-empty group, so alternations can each capture
				for i := 1; i < len(loc)/2; i++ {
					if loc[2*i] >= 0 && loc[2*i+1] > loc[2*i] {
						g = i
						break
					}
				}
			}
			start, end := loc[2*g], loc[2*g+1]
			if start < 0 || end <= start {
				continue
			}
			start, end = start+w[0], end+w[0]
			out = append(out, Match{Rule: r, Start: start, End: end, Secret: string(s.text[start:end])})
		}
	}
	return out
}

// maxWindow bounds how far around a keyword a window reaches on one long
// line (minified JSON or JavaScript).
const maxWindow = 2048

// windows returns sorted, disjoint [start, end) ranges to run a rule in.
func (s *scan) windows(r *Rule, hits []int) [][2]int {
	if len(r.Keywords) == 0 || r.context < 0 || s.e.noPrefilter {
		return [][2]int{{0, len(s.text)}}
	}
	var ws [][2]int
	for _, h := range hits {
		a, b := lineStart(s.text, h), lineEnd(s.text, h)
		for i := 0; i < r.context && a > 0; i++ {
			a = lineStart(s.text, a-1)
		}
		for i := 0; i < r.context && b < len(s.text); i++ {
			b = lineEnd(s.text, b+1)
		}
		if h-a > maxWindow {
			a = s.tokenBoundaryBack(h - maxWindow)
		}
		if b-h > maxWindow {
			b = s.tokenBoundaryForward(h + maxWindow)
		}
		if a > 0 && s.text[a-1] != '\n' && isTokenByte(s.text[a-1]) {
			a = s.tokenBoundaryBack(a) // cut inside a long line: not inside a token
		}
		if n := len(ws); n > 0 && a <= ws[n-1][1] {
			if b > ws[n-1][1] {
				ws[n-1][1] = b
			}
			continue
		}
		ws = append(ws, [2]int{a, b})
	}
	return ws
}

// A window cut inside a long line is moved to the edge of the token it
// falls in, so the regex never sees half a token as a whole one.
func isTokenByte(c byte) bool {
	return isWordByte(c) || c == '+' || c == '/' || c == '=' || c == '-' || c == '.'
}

// The moves are bounded too: in a base64 payload every byte is a token
// byte. A token longer than maxToken is no credential anyone matches.
const maxToken = 1024

func (s *scan) tokenBoundaryBack(i int) int {
	for stop := max(0, i-maxToken); i > stop && isTokenByte(s.text[i-1]); i-- {
	}
	return i
}

func (s *scan) tokenBoundaryForward(i int) int {
	for stop := min(len(s.text), i+maxToken); i < stop && isTokenByte(s.text[i]); i++ {
	}
	return i
}

// resolveOverlaps drops a match when a higher-priority rule matched
// overlapping text, and exact duplicates; the rest are sorted by offset.
func resolveOverlaps(ms []Match) []Match {
	if len(ms) < 2 {
		return ms
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		return ms[i].End < ms[j].End
	})
	drop := make([]bool, len(ms))
	for i := range ms {
		for j := i + 1; j < len(ms) && ms[j].Start < ms[i].End; j++ {
			a, b := &ms[i], &ms[j]
			switch {
			case a.Rule.Priority > b.Rule.Priority:
				drop[j] = true
			case a.Rule.Priority < b.Rule.Priority:
				drop[i] = true
			case a.Rule == b.Rule && a.Start == b.Start && a.End == b.End && a.Secret == b.Secret:
				drop[j] = true
			}
		}
	}
	out := ms[:0]
	for i, m := range ms {
		if !drop[i] {
			out = append(out, m)
		}
	}
	return out
}
