package detectors

import "fmt"

// Severity ranks how urgent a finding is. The zero value is invalid so that
// a rule that forgets to set one is caught when the rule set loads.
type Severity int

const (
	Low Severity = iota + 1
	Medium
	High
)

var severityNames = map[Severity]string{Low: "low", Medium: "medium", High: "high"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity accepts "low", "medium" or "high".
func ParseSeverity(name string) (Severity, error) {
	for s, n := range severityNames {
		if n == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: use low, medium or high", name)
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
