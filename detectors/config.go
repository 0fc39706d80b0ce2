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
	Title      string            `toml:"title"`
	Extend     ExtendConfig      `toml:"extend"`
	Rules      []RuleConfig      `toml:"rules"`
	Allowlists []AllowlistConfig `toml:"allowlists"`
	// FingerprintKey keys the fingerprints of findings (see the README's
	// Baseline section); empty means the repository's root commit.
	FingerprintKey string `toml:"fingerprintKey"`
}

// ExtendConfig says how a user config combines with the built-in rules.
type ExtendConfig struct {
	// UseDefault keeps the built-in rules (the default); false replaces them.
	UseDefault    *bool    `toml:"useDefault"`
	DisabledRules []string `toml:"disabledRules"`
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
	Severity    string   `toml:"severity"`
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
}

// ParseConfig decodes TOML text. Unknown keys are errors: a misspelt key
// would otherwise silently disable an allowlist or a rule.
func ParseConfig(name, text string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s: line %d, column %d: %s", name, perr.Position.Line, perr.Position.Col, withoutInput(perr.Message))
		}
		return nil, fmt.Errorf("%s: %s", name, withoutInput(err.Error()))
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, len(undecoded))
		for i, k := range undecoded {
			keys[i] = escape.Text(k.String())
		}
		return nil, fmt.Errorf("%s: unknown key(s) %s; the README's Configuration section lists the keys rolecall reads",
			name, strings.Join(keys, ", "))
	}
	return &c, nil
}

// quotedInput matches what a TOML parser's message quotes from the file.
var quotedInput = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)

// withoutInput drops the file's text from a parser message: the file may
// be anything a link pointed at (an environment, a credentials file), and
// the position is enough to find the mistake.
func withoutInput(msg string) string {
	return escape.Text(quotedInput.ReplaceAllString(msg, "(…)"))
}

// LoadConfigFile reads and parses a configuration file named by the user
// (--config): a link is followed, but only to a regular file.
func LoadConfigFile(path string) (*Config, error) {
	b, err := safefile.ReadFile(path, safefile.SmallCap)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(path, string(b))
}

// LoadTreeConfig reads the config file name found in a scanned tree: only
// a regular file inside root is read (a committed link to
// /proc/self/environ or to a FIFO is refused, never followed).
func LoadTreeConfig(root, name string) (*Config, error) {
	b, err := safefile.ReadInTree(root, name, safefile.SmallCap)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(filepath.Join(root, name), string(b))
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
	index := map[string]int{}
	for i, r := range out.Rules {
		index[r.ID] = i
	}
	for _, r := range user.Rules {
		if i, ok := index[r.ID]; ok {
			out.Rules[i] = r
			continue
		}
		index[r.ID] = len(out.Rules)
		out.Rules = append(out.Rules, r)
	}
	disabled := map[string]bool{}
	for _, id := range user.Extend.DisabledRules {
		if _, ok := index[id]; !ok {
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
