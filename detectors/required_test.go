package detectors

import (
	"fmt"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`\b[a-z]{1,20}://[^\s:@]{1,128}:([^\s@]{3,256})@[a-z]`, `["://" ":" "@"]`},
		{`(https://hooks\.slack\.com/T[A-Z0-9]+)`, `["https://hooks.slack.com/T"]`},
		{`(?i)accountkey\s*=`, `[]`},                    // case-folded: not a byte literal
		{`abc|xyz`, `[]`},                               // an alternation needs neither
		{`x(?:ab)?y`, `["x" "y"]`},                      // optional parts are not required
		{`((?:ghp|gho)_[A-Za-z0-9]{36})`, `["gh" "_"]`}, // the parser factors the prefix out
		{`(`, `[]`},
	} {
		if got := fmt.Sprintf("%q", requiredLiterals(c.expr)); got != c.want {
			t.Errorf("%s: %s, want %s", c.expr, got, c.want)
		}
	}
}
