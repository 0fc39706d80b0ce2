package sariftest

import (
	"strings"
	"testing"
)

func TestSchemaRejects(t *testing.T) {
	valid := `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"x","rules":[
		{"id":"r","shortDescription":{"text":"r"},"properties":{"tags":["security","secret"],"security-severity":"8.9"}}]}},"columnKind":"unicodeCodePoints","results":[]}]}`
	if p := Problems([]byte(valid)); len(p) > 0 {
		t.Fatalf("a valid log is refused: %v", p)
	}
	for name, bad := range map[string]string{
		"repeated tag":        strings.Replace(valid, `["security","secret"]`, `["secret","secret"]`, 1),
		"unknown property":    strings.Replace(valid, `"columnKind"`, `"colonKind"`, 1),
		"severity not number": strings.Replace(valid, `"8.9"`, `"high"`, 1),
		"wrong version":       strings.Replace(valid, `"2.1.0"`, `"2.2"`, 1),
		"level outside enum":  strings.Replace(valid, `"results":[]`, `"results":[{"message":{"text":"m"},"level":"fatal"}]`, 1),
	} {
		if p := Problems([]byte(bad)); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
