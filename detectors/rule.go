package detectors

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Rule is one compiled detection rule.
type Rule struct {
	ID          string
	Description string
	Hint        string
	Severity    Severity
	Keywords    []string
	Tags        []string
	Priority    int

	index       int // position in the engine's rule list
	context     int
	detector    detectorFunc
	re          *regexp.Regexp
	required    [][]byte // see requiredLiterals
	secretGroup int
	entropy     float64
	paths       []string
	pathRe      *regexp.Regexp // a gitleaks rule's path
	allow       []allowlist
}

// appliesTo reports whether the rule's path filters admit p.
func (r *Rule) appliesTo(p string) bool {
	return (len(r.paths) == 0 || matchAnyGlob(r.paths, p)) && (r.pathRe == nil || r.pathRe.MatchString(p))
}

type allowlist struct {
	and         bool
	paths       []string
	pathRes     []*regexp.Regexp // a gitleaks allowlist's paths
	regexes     []*regexp.Regexp
	regexLine   bool
	stopwords   []string
	targetRules map[string]bool
}

// allows reports whether the allowlist suppresses a secret found in the
// given path and line.
func (a *allowlist) allows(p, secret string, line []byte) bool {
	var checks []bool
	if len(a.paths) > 0 || len(a.pathRes) > 0 {
		checks = append(checks, a.pathMatches(p))
	}
	if len(a.regexes) > 0 {
		hit := false
		for _, re := range a.regexes {
			if a.regexLine && re.Match(line) || !a.regexLine && re.MatchString(secret) {
				hit = true
				break
			}
		}
		checks = append(checks, hit)
	}
	if len(a.stopwords) > 0 {
		hit := false
		lower := strings.ToLower(secret)
		for _, w := range a.stopwords {
			if strings.Contains(lower, w) {
				hit = true
				break
			}
		}
		checks = append(checks, hit)
	}
	if len(checks) == 0 {
		return false
	}
	for _, c := range checks {
		if c && !a.and {
			return true
		}
		if !c && a.and {
			return false
		}
	}
	return a.and
}

// pathMatches reports whether p matches one of the allowlist's globs or
// path regexes.
func (a *allowlist) pathMatches(p string) bool {
	if matchAnyGlob(a.paths, p) {
		return true
	}
	for _, re := range a.pathRes {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}

// pathOnly reports whether the allowlist decides on the path alone, so a
// whole file can be skipped before it is read.
func (a *allowlist) pathOnly() bool {
	return (len(a.paths) > 0 || len(a.pathRes) > 0) && (!a.and || len(a.regexes) == 0 && len(a.stopwords) == 0)
}

func compileAllowlist(where string, c AllowlistConfig) (allowlist, error) {
	a := allowlist{stopwords: make([]string, len(c.Stopwords))}
	switch strings.ToUpper(c.Condition) {
	case "", "OR":
	case "AND":
		a.and = true
	default:
		return a, fmt.Errorf("%s: condition %q must be \"AND\" or \"OR\"", where, c.Condition)
	}
	switch c.RegexTarget {
	case "", "secret", "match":
	case "line":
		a.regexLine = true
	default:
		return a, fmt.Errorf("%s: regexTarget %q must be \"secret\", \"match\" or \"line\"", where, c.RegexTarget)
	}
	for _, g := range c.Paths {
		if !doublestar.ValidatePattern(g) {
			return a, fmt.Errorf("%s: path glob %q is not valid", where, g)
		}
		a.paths = append(a.paths, g)
	}
	for _, expr := range c.Regexes {
		re, err := regexp.Compile(expr)
		if err != nil {
			return a, fmt.Errorf("%s: regex %q: %w", where, expr, err)
		}
		a.regexes = append(a.regexes, re)
	}
	for _, expr := range c.PathRegexes {
		re, err := regexp.Compile(expr)
		if err != nil {
			return a, fmt.Errorf("%s: path regex %q: %w", where, expr, err)
		}
		a.pathRes = append(a.pathRes, re)
	}
	for i, w := range c.Stopwords {
		a.stopwords[i] = strings.ToLower(w)
	}
	if len(c.TargetRules) > 0 {
		a.targetRules = map[string]bool{}
		for _, id := range c.TargetRules {
			a.targetRules[id] = true
		}
	}
	return a, nil
}

// matchAnyGlob matches slash-separated paths against doublestar globs. A
// glob without a slash matches a name at any depth, as in .gitignore.
func matchAnyGlob(globs []string, p string) bool {
	base := path.Base(p)
	for _, g := range globs {
		if ok, _ := doublestar.Match(g, p); ok {
			return true
		}
		if !strings.Contains(g, "/") {
			if ok, _ := doublestar.Match(g, base); ok {
				return true
			}
		}
	}
	return false
}

func compileRule(c RuleConfig) (*Rule, error) {
	where := fmt.Sprintf("rule %q", c.ID)
	if c.ID == "" {
		return nil, fmt.Errorf("a rule has no id: every [[rules]] table needs id = \"...\"")
	}
	r := &Rule{
		ID: c.ID, Description: c.Description, Hint: c.Hint, Tags: c.Tags,
		Priority: c.Priority, context: c.Context, secretGroup: c.SecretGroup,
		entropy: c.Entropy,
	}
	if r.Description == "" {
		r.Description = c.ID
	}
	sev := c.Severity
	if sev == "" {
		sev = "high"
	}
	var err error
	if r.Severity, err = ParseSeverity(sev); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	switch {
	case c.Detector != "" && c.Regex != "":
		return nil, fmt.Errorf("%s: set either regex or detector, not both", where)
	case c.Detector != "":
		fn, ok := codeDetectors[c.Detector]
		if !ok {
			return nil, fmt.Errorf("%s: unknown detector %q", where, c.Detector)
		}
		r.detector = fn
	case c.Regex != "":
		if r.re, err = regexp.Compile(c.Regex); err != nil {
			return nil, fmt.Errorf("%s: regex: %w", where, err)
		}
		r.required = requiredLiterals(c.Regex)
		if c.SecretGroup < 0 || c.SecretGroup > r.re.NumSubexp() {
			return nil, fmt.Errorf("%s: secretGroup %d but the regex has %d groups", where, c.SecretGroup, r.re.NumSubexp())
		}
	default:
		return nil, fmt.Errorf("%s: needs a regex", where)
	}
	if c.Path != "" {
		if r.pathRe, err = regexp.Compile(c.Path); err != nil {
			return nil, fmt.Errorf("%s: path regex: %w", where, err)
		}
	}
	for _, k := range c.Keywords {
		if k == "" {
			return nil, fmt.Errorf("%s: empty keyword", where)
		}
		// ASCII only, as the text is folded: strings.ToLower would make
		// "É" an "é" that never meets the "É" in a text.
		r.Keywords = append(r.Keywords, string(lowerASCII(nil, []byte(k))))
	}
	for _, g := range c.Paths {
		if !doublestar.ValidatePattern(g) {
			return nil, fmt.Errorf("%s: path glob %q is not valid", where, g)
		}
		r.paths = append(r.paths, g)
	}
	for i, ac := range c.Allowlists {
		a, err := compileAllowlist(fmt.Sprintf("%s allowlist %d", where, i+1), ac)
		if err != nil {
			return nil, err
		}
		r.allow = append(r.allow, a)
	}
	return r, nil
}

// detectorFunc is built-in matching code that a rule names with
// `detector = "..."` when a regex cannot express the check.
type detectorFunc func(s *scan, r *Rule) []Match

var codeDetectors = map[string]detectorFunc{
	"aws-access-key-id":     detectAWSKeyIDs,
	"aws-secret-access-key": detectAWSSecrets,
	"aws-session-token":     detectAWSSessionTokens,
	"generic-credential":    detectGeneric,
	"jwt-hmac-secret":       detectJWTSecrets,
	"url-credentials":       detectURLCredentials,
}
