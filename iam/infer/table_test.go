package infer

import (
	"regexp"
	"testing"
)

// actionName is an IAM action as AWS's Service Authorization Reference
// spells it: a service prefix and one action, no wildcard.
var actionName = regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`)

// Every action the table can grant is one named action, so no inferred
// policy holds "*" or "service:*", whatever code it reads.
func TestTableActionsAreNamed(t *testing.T) {
	n := 0
	for svc, table := range methods {
		if _, ok := iamPrefix[svc]; !ok {
			t.Errorf("service %q has methods but no IAM prefix", svc)
		}
		for name, m := range table {
			if len(m.actions) == 0 {
				t.Errorf("%s.%s grants no action", svc, name)
			}
			for _, a := range m.actions {
				n++
				if !actionName.MatchString(a) {
					t.Errorf("%s.%s grants %q, not one named action", svc, name, a)
				}
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d actions in the table", n)
	}
}
