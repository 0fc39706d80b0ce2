package detectors

import (
	_ "embed"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rolecall/rolecall/internal/escape"
	"github.com/rolecall/rolecall/internal/safefile"
)

//go:embed rules.toml
var defaultRulesTOML string

// Config is the TOML schema shared by the built-in rule set and user
// configuration files (.rolecall.toml). Key names follow gitleaks so that a
// team moving over can carry most of its allowlists across.
type Config struct {
	Title string `toml:"title"`
	// MinVersion is gitleaks' minimum gitleaks version: read, not used.
	MinVersion string            `toml:"minVersion"`
	Extend     ExtendConfig      `toml:"extend"`
	Rules      []RuleConfig      `toml:"rules"`
	Allowlists []AllowlistConfig `toml:"allowlists"`
	// Allowlist is gitleaks' older single global [allowlist]; it is added
	// to Allowlists.
	Allowlist *AllowlistConfig `toml:"allowlist"`

	// Notes name what a gitleaks config holds that rolecall does not use,
	// for the caller to print as one warning.
	Notes []string `toml:"-"`
	// FingerprintKey keys the fingerprints of findings (see the README's
	// Fingerprints section); empty means the repository's root commit.
	FingerprintKey string `toml:"fingerprintKey"`
}

// ExtendConfig says how a user config combines with the built-in rules.
type ExtendConfig struct {
	// UseDefault keeps the built-in rules (the default); false replaces them.
	UseDefault    *bool    `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
	// Path names a config this one extends (gitleaks' [extend] path),
	// relative to this file's directory: its rules and allowlists come
	// first, this file's rules replace those with the same id.
	Path string `toml:"path"`
}

// RuleConfig is one [[rules]] table.
type RuleConfig struct {
	ID          string   `toml:"id"`
	Description string   `toml:"description"`
	Regex       string   `toml:"regex"`
	SecretGroup int      `toml:"secretGroup"`
	Keywords    []string `toml:"keywords"`
	Entropy     float64  `toml:"entropy"`
	Paths       []string `toml:"paths"`
	// Path is a regular expression the file's path must match (gitleaks).
	Path     string `toml:"path"`
	Severity string `toml:"severity"`
	// Detector names built-in Go code that matches instead of Regex.
	Detector string `toml:"detector"`
	// Context is how many lines around a keyword hit the regex may span;
	// -1 runs it over the whole fragment (multi-line secrets such as PEM).
	Context int `toml:"context"`
	// Priority settles overlaps: when two rules match the same text, the one
	// with the higher priority reports it (specific rules beat generic ones).
	Priority   int               `toml:"priority"`
	Hint       string            `toml:"hint"`
	Tags       []string          `toml:"tags"`
	Allowlists []AllowlistConfig `toml:"allowlists"`
	// Allowlist is gitleaks' older single [rules.allowlist].
	Allowlist *AllowlistConfig `toml:"allowlist"`
}

// AllowlistConfig suppresses findings. With condition "OR" (the default) any
// one listed criterion suppresses; with "AND" every listed criterion must hold.
type AllowlistConfig struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	Paths       []string `toml:"paths"`
	Regexes     []string `toml:"regexes"`
	// RegexTarget is what Regexes are matched against: "secret" (default),
	// "match" (the same as secret for now) or "line".
	RegexTarget string   `toml:"regexTarget"`
	Stopwords   []string `toml:"stopwords"`
	// TargetRules limits a global allowlist to these rule ids.
	TargetRules []string `toml:"targetRules"`
	// Commits is gitleaks' list of allowed commits: read, not used.
	Commits []string `toml:"commits"`
	// PathRegexes are regular expressions on the path: a gitleaks config's
	// paths (rolecall's own paths are globs).
	PathRegexes []string `toml:"-"`
}

// ParseConfig decodes TOML text. Unknown keys are errors: a misspelt key
// would otherwise silently disable an allowlist or a rule.
func ParseConfig(name, text string) (*Config, error) {
	return parseConfig(name, text, false)
}

// parseConfig decodes a rolecall config, or with gitleaks a gitleaks one:
// paths are regular expressions, the singular [allowlist] tables are read,
// and what rolecall does not use is named in Notes instead of refused.
func parseConfig(name, text string, gitleaks bool) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s: line %d, column %d: %s", name, perr.Position.Line, perr.Position.Col, withoutInput(perr.Message))
		}
		return nil, fmt.Errorf("%s: %s", name, withoutInput(tomlTypeError(err)))
	}
	var unknown []string
	for _, k := range md.Undecoded() {
		unknown = append(unknown, escape.Text(k.String()))
	}
	if !gitleaks {
		if len(unknown) > 0 {
			return nil, fmt.Errorf("%s: unknown key(s) %s; the README's Configuration section lists the keys rolecall reads",
				name, strings.Join(unknown, ", "))
		}
		if c.MinVersion != "" || c.Allowlist != nil || c.Extend.Path != "" {
			return nil, fmt.Errorf("%s: minVersion, [allowlist] and [extend] path are gitleaks keys: name the file .gitleaks.toml to have it read as gitleaks reads it, or use [[allowlists]]", name)
		}
		for _, r := range c.Rules {
			if r.Path != "" || r.Allowlist != nil {
				return nil, fmt.Errorf("%s: rule %q: path and [rules.allowlist] are gitleaks keys: use paths (globs) and [[rules.allowlists]], or name the file .gitleaks.toml", name, r.ID)
			}
		}
		return &c, nil
	}
	if len(unknown) > 0 {
		c.Notes = append(c.Notes, "unknown keys "+strings.Join(unknown, ", "))
	}
	if c.MinVersion != "" {
		c.Notes = append(c.Notes, fmt.Sprintf("minVersion %q (it names a gitleaks version)", c.MinVersion))
	}
	commits := false
	fromGitleaks := func(a *AllowlistConfig) {
		a.PathRegexes, a.Paths = a.Paths, nil
		if len(a.Commits) > 0 {
			commits = true
			a.Commits = nil
		}
	}
	if c.Allowlist != nil {
		c.Allowlists = append([]AllowlistConfig{*c.Allowlist}, c.Allowlists...)
		c.Allowlist = nil
	}
	for i := range c.Allowlists {
		fromGitleaks(&c.Allowlists[i])
	}
	rules := c.Rules[:0]
	for _, r := range c.Rules {
		if r.Allowlist != nil {
			r.Allowlists = append([]AllowlistConfig{*r.Allowlist}, r.Allowlists...)
			r.Allowlist = nil
		}
		for i := range r.Allowlists {
			fromGitleaks(&r.Allowlists[i])
		}
		if r.Regex == "" {
			// gitleaks reports a file by its path alone; rolecall reports
			// secrets.
			c.Notes = append(c.Notes, fmt.Sprintf("rule %q (a path-only rule: rolecall reports secrets, not files)", r.ID))
			continue
		}
		// gitleaks rules carry no severity; every one is a secret.
		if r.Severity == "" {
			r.Severity = "high"
		}
		rules = append(rules, r)
	}
	c.Rules = rules
	if commits {
		c.Notes = append(c.Notes, "allowlist commits (rolecall allowlists by path, secret or line; accept known findings in history with --baseline)")
	}
	return &c, nil
}

var tomlTypeMismatch = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): incompatible types: TOML value has type (\w+); destination has type (\w+)`)

// tomlTypeError says what a key must hold in TOML's words, not the Go
// types the decoder names ("destination has type slice").
func tomlTypeError(err error) string {
	m := tomlTypeMismatch.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	kind := func(t string) string {
		switch {
		case t == "slice" || t == "array" || strings.HasPrefix(t, "[]"):
			return "a list in [ ]"
		case t == "string":
			return "a string in quotes"
		case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
			return "a whole number"
		case strings.HasPrefix(t, "float"):
			return "a number"
		case t == "bool":
			return "true or false"
		case t == "map" || t == "struct" || t == "ptr":
			return "a table"
		}
		return t
	}
	return fmt.Sprintf("line %s: %s must be %s, not %s", m[1], m[2], kind(m[4]), kind(m[3]))
}

// IsGitleaksConfig reports whether a config file is read the way gitleaks
// reads it: its name says gitleaks (.gitleaks.toml, gitleaks.toml).
func IsGitleaksConfig(path string) bool {
	return strings.Contains(strings.ToLower(filepath.Base(path)), "gitleaks")
}

// maxExtendDepth bounds [extend] path chains (gitleaks stops at two).
const maxExtendDepth = 2

// LoadConfigFile reads and parses a user configuration file, and the
// files it extends.
func LoadConfigFile(path string) (*Config, error) {
	return loadConfig(path, IsGitleaksConfig(path), readNamed)
}

func loadConfig(path string, gitleaks bool, read func(string) ([]byte, error)) (*Config, error) {
	c, err := loadConfigFile(path, 0, gitleaks, read)
	if err != nil || !gitleaks {
		return c, err
	}
	if c.Extend.UseDefault == nil && len(c.Rules) > 0 {
		// As gitleaks reads it: a config with rules and without
		// useDefault = true stands alone.
		no := false
		c.Extend.UseDefault = &no
		c.Notes = append(c.Notes, "the built-in rules (the file has rules of its own and no [extend] useDefault = true, so gitleaks would use only those)")
	}
	// disabledRules may name gitleaks' own rule ids, which rolecall lacks.
	known := map[string]bool{}
	for _, r := range append(DefaultConfig().Rules, c.Rules...) {
		known[r.ID] = true
	}
	var disabled, unknown []string
	for _, id := range c.Extend.DisabledRules {
		if known[id] {
			disabled = append(disabled, id)
		} else {
			unknown = append(unknown, id)
		}
	}
	c.Extend.DisabledRules = disabled
	if len(unknown) > 0 {
		c.Notes = append(c.Notes, "disabledRules "+strings.Join(unknown, ", ")+" (no rolecall rule has these ids; `rolecall rules` lists them)")
	}
	return c, nil
}

// quotedInput matches what a TOML parser's message quotes from the file.
var quotedInput = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)

// withoutInput drops the file's text from a parser message: the file may
// be anything a link pointed at (an environment, a credentials file), and
// the position is enough to find the mistake.
func withoutInput(msg string) string {
	return escape.Text(quotedInput.ReplaceAllString(msg, "(…)"))
}

// LoadTreeConfig reads the config file name found in a scanned tree (and
// what it extends) only as regular files inside root: a committed link to
// /proc/self/environ or to a FIFO, or an [extend] path out of the tree, is
// refused, never followed.
func LoadTreeConfig(root, name string) (*Config, error) {
	read := func(path string) ([]byte, error) {
		rel, err := filepath.Rel(root, path)
		if err != nil || !filepath.IsLocal(rel) {
			return nil, &safefile.Error{Path: path, Reason: "outside the scanned tree"}
		}
		return safefile.ReadInTree(root, rel, safefile.SmallCap)
	}
	path := filepath.Join(root, name)
	return loadConfig(path, IsGitleaksConfig(path), read)
}

// readNamed reads a config the user named: a link is followed, but only to
// a regular file.
func readNamed(path string) ([]byte, error) { return safefile.ReadFile(path, safefile.SmallCap) }

// loadConfigFile reads path and what it extends; a file a gitleaks config
// extends is a gitleaks config too.
func loadConfigFile(path string, depth int, gitleaks bool, read func(string) ([]byte, error)) (*Config, error) {
	b, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	c, err := parseConfig(path, string(b), gitleaks)
	if err != nil || c.Extend.Path == "" {
		return c, err
	}
	if depth >= maxExtendDepth {
		return nil, fmt.Errorf("%s: [extend] path goes more than %d files deep", path, maxExtendDepth)
	}
	basePath := c.Extend.Path
	if !filepath.IsAbs(basePath) {
		basePath = filepath.Join(filepath.Dir(path), basePath)
	}
	base, err := loadConfigFile(basePath, depth+1, gitleaks, read)
	if err != nil {
		return nil, fmt.Errorf("%s: [extend] path: %w", path, err)
	}
	return extend(base, c), nil
}

// extend lays c over base: base's rules and allowlists first, c's rules
// replacing those with the same id; disabled rules add up.
func extend(base, c *Config) *Config {
	out := *c
	out.Extend.Path = ""
	if out.Extend.UseDefault == nil {
		out.Extend.UseDefault = base.Extend.UseDefault
	}
	out.Extend.DisabledRules = append(append([]string(nil), base.Extend.DisabledRules...), c.Extend.DisabledRules...)
	out.Rules = overlayRules(base.Rules, c.Rules)
	out.Allowlists = append(append([]AllowlistConfig(nil), base.Allowlists...), c.Allowlists...)
	out.Notes = append(append([]string(nil), base.Notes...), c.Notes...)
	return &out
}

// overlayRules returns base with over laid on it: a rule of over replaces
// the base rule with its id, other rules are added after.
func overlayRules(base, over []RuleConfig) []RuleConfig {
	out := append([]RuleConfig(nil), base...)
	index := map[string]int{}
	for i, r := range out {
		index[r.ID] = i
	}
	for _, r := range over {
		if i, ok := index[r.ID]; ok {
			out[i] = r
			continue
		}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

// DefaultConfig is the built-in rule set.
func DefaultConfig() *Config {
	c, err := ParseConfig("built-in rules.toml", defaultRulesTOML)
	if err != nil {
		panic(err) // the embedded file is tested; a bad build must not ship
	}
	return c
}

// merge lays a user config over the default one: user rules with a built-in
// id replace it, new ids are added, disabled ids are dropped.
func merge(def, user *Config) (*Config, error) {
	if user == nil {
		return def, nil
	}
	out := &Config{Allowlists: append([]AllowlistConfig(nil), user.Allowlists...)}
	if user.Extend.UseDefault == nil || *user.Extend.UseDefault {
		out.Rules = append(out.Rules, def.Rules...)
		out.Allowlists = append(out.Allowlists, def.Allowlists...)
	}
	out.Rules = overlayRules(out.Rules, user.Rules)
	index := map[string]bool{}
	for _, r := range out.Rules {
		index[r.ID] = true
	}
	disabled := map[string]bool{}
	for _, id := range user.Extend.DisabledRules {
		if !index[id] {
			return nil, fmt.Errorf("disabledRules names %q, which is not a rule; `rolecall rules` lists the ids", id)
		}
		disabled[id] = true
	}
	kept := out.Rules[:0]
	for _, r := range out.Rules {
		if !disabled[r.ID] {
			kept = append(kept, r)
		}
	}
	out.Rules = kept
	// An allowlist aimed only at disabled rules has nothing left to do.
	allow := out.Allowlists[:0]
	for _, a := range out.Allowlists {
		if len(a.TargetRules) > 0 {
			var targets []string
			for _, id := range a.TargetRules {
				if !disabled[id] {
					targets = append(targets, id)
				}
			}
			if len(targets) == 0 {
				continue
			}
			a.TargetRules = targets
		}
		allow = append(allow, a)
	}
	out.Allowlists = allow
	sort.SliceStable(out.Rules, func(i, j int) bool { return out.Rules[i].ID < out.Rules[j].ID })
	return out, nil
}
