// Package sariftest checks SARIF logs in tests against the official SARIF
// 2.1.0 JSON schema and the properties GitHub code scanning reads.
package sariftest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The OASIS SARIF 2.1.0 schema (errata 01), as published at
// docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/.
//
//go:embed sarif-schema-2.1.0.json
var schemaJSON []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	const url = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// SchemaProblems validates a SARIF log against the official 2.1.0 JSON
// schema only.
func SchemaProblems(data []byte) []string {
	sch, err := compiled()
	if err != nil {
		return []string{"the SARIF schema does not compile: " + err.Error()}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if err := sch.Validate(doc); err != nil {
		return []string{"fails the SARIF 2.1.0 schema: " + err.Error()}
	}
	return nil
}

// Problems validates a SARIF log against the official 2.1.0 JSON schema and
// GitHub code scanning's requirements (a security-severity per rule,
// unique partialFingerprints); it returns what is wrong.
func Problems(data []byte) []string {
	p := SchemaProblems(data)
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool *struct {
				Driver *struct {
					Name  string `json:"name"`
					Rules []struct {
						ID               string `json:"id"`
						ShortDescription *struct {
							Text string `json:"text"`
						} `json:"shortDescription"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			ColumnKind string `json:"columnKind"`
			Results    []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex *int   `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   *struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation *struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
							EndLine     int `json:"endLine"`
							EndColumn   int `json:"endColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Fixes               []struct {
					ArtifactChanges []struct {
						ArtifactLocation *struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Replacements []struct {
							DeletedRegion *struct {
								StartLine int `json:"startLine"`
							} `json:"deletedRegion"`
						} `json:"replacements"`
					} `json:"artifactChanges"`
				} `json:"fixes"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &log); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	if log.Version != "2.1.0" {
		p = append(p, "version must be 2.1.0")
	}
	if log.Schema == "" {
		p = append(p, "$schema missing")
	}
	if len(log.Runs) == 0 {
		return append(p, "runs missing")
	}
	for _, run := range log.Runs {
		if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == "" {
			p = append(p, "run.tool.driver.name missing")
			continue
		}
		if run.ColumnKind != "utf16CodeUnits" && run.ColumnKind != "unicodeCodePoints" {
			p = append(p, "columnKind must be utf16CodeUnits or unicodeCodePoints, got "+run.ColumnKind)
		}
		rules := run.Tool.Driver.Rules
		for _, r := range rules {
			if r.ID == "" || r.ShortDescription == nil || r.ShortDescription.Text == "" {
				p = append(p, "rule without id or shortDescription")
			}
			// GitHub reads a result's severity from its rule only: a
			// number from 0.0 to 10.0, given as a string.
			sev, _ := r.Properties["security-severity"].(string)
			if v, err := strconv.ParseFloat(sev, 64); err != nil || v < 0 || v > 10 {
				p = append(p, fmt.Sprintf("rule %s: security-severity %q is not a number from 0 to 10", r.ID, sev))
			}
		}
		seen := map[string]int{}
		for i, r := range run.Results {
			where := fmt.Sprintf("result %d", i)
			if r.Message == nil || r.Message.Text == "" {
				p = append(p, where+": message.text missing")
			}
			if r.RuleID == "" {
				p = append(p, where+": ruleId missing")
			}
			if r.RuleIndex == nil || *r.RuleIndex < 0 || *r.RuleIndex >= len(rules) || rules[*r.RuleIndex].ID != r.RuleID {
				p = append(p, where+": ruleIndex does not point at its rule")
			}
			switch r.Level {
			case "none", "note", "warning", "error":
			default:
				p = append(p, where+": bad level "+r.Level)
			}
			if len(r.Locations) == 0 {
				p = append(p, where+": GitHub needs a location")
			}
			for _, l := range r.Locations {
				pl := l.PhysicalLocation
				if pl == nil || pl.ArtifactLocation == nil || pl.ArtifactLocation.URI == "" || pl.Region == nil {
					p = append(p, where+": physicalLocation needs artifactLocation.uri and region")
					continue
				}
				rg := pl.Region
				if rg.StartLine < 1 || rg.StartColumn < 1 || rg.EndLine < rg.StartLine || rg.EndLine == rg.StartLine && rg.EndColumn <= rg.StartColumn {
					p = append(p, fmt.Sprintf("%s: bad region %+v", where, *rg))
				}
			}
			if len(r.PartialFingerprints) == 0 {
				p = append(p, where+": partialFingerprints missing")
			}
			for k, v := range r.PartialFingerprints {
				if j, dup := seen[k+"="+v]; dup {
					p = append(p, fmt.Sprintf("%s: partialFingerprints %s=%s repeats result %d's", where, k, v, j))
				}
				seen[k+"="+v] = i
			}
			for _, fx := range r.Fixes {
				if len(fx.ArtifactChanges) == 0 {
					p = append(p, where+": fix without artifactChanges")
				}
				for _, ac := range fx.ArtifactChanges {
					if ac.ArtifactLocation == nil || len(ac.Replacements) == 0 {
						p = append(p, where+": artifactChange needs artifactLocation and replacements")
					}
					for _, rep := range ac.Replacements {
						if rep.DeletedRegion == nil || rep.DeletedRegion.StartLine < 1 {
							p = append(p, where+": replacement needs deletedRegion.startLine")
						}
					}
				}
			}
		}
	}
	return p
}
