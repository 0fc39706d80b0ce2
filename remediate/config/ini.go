package config

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// iniKey is one `key = value` of an INI file over lines first..last
// (indented lines after it continue it, as in the AWS config's nested
// s3 = ... settings).
type iniKey struct {
	first, last int
	section     string
	key         string
}

// iniKeys reads an AWS-style INI file.
func iniKeys(text []byte, ls []line) ([]iniKey, error) {
	var out []iniKey
	section := ""
	inSection := false // a key of the current section was read
	for i := 0; i < len(ls); i++ {
		l := ls[i]
		c := bytes.TrimSpace(text[l.start:l.end])
		switch {
		case len(c) == 0 || c[0] == '#' || c[0] == ';':
			continue
		case c[0] == '[':
			if c[len(c)-1] != ']' {
				return nil, fmt.Errorf("line %d: unclosed section header", i+1)
			}
			section, inSection = strings.TrimSpace(string(c[1:len(c)-1])), false
			continue
		case indentOf(text, l) > 0 && inSection:
			out[len(out)-1].last = i
			continue
		}
		key, _, ok := keyValue(text, l.start, l.end, "=", false)
		if !ok {
			return nil, fmt.Errorf("line %d: not a key = value line", i+1)
		}
		out = append(out, iniKey{first: i, last: i, section: section, key: string(text[key.start:key.end])})
		inSection = true
	}
	return out, nil
}

func validateINI(text []byte) error {
	_, err := iniKeys(text, splitLines(text))
	return err
}

// AWSConfig rewrites a committed ~/.aws/config: the key lines of a section
// go, and the rest of the section (region, output, sso settings) stays.
// The profile option does not apply: the file defines the profiles.
func AWSConfig(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindAWSConfig, text, targets)
	ls := splitLines(text)
	keys, err := iniKeys(text, ls)
	if err != nil {
		return p.result(fmt.Sprintf("the file could not be read as an AWS config file (%v): delete the keys by hand", err))
	}
	var sections []string
	fixed := map[string][]int{}
	for _, k := range keys {
		ts := p.within(ls[k.first].start, ls[k.last].end)
		if len(ts) == 0 {
			continue
		}
		if !awsConfigKeys[k.key] {
			p.manualAll(ts, "the secret is part of "+k.key+": use credential_process with a tool that fetches it, or sso_session / role_arn instead")
			continue
		}
		if fixed[k.section] == nil {
			sections = append(sections, k.section)
		}
		fixed[k.section] = append(fixed[k.section], ts...)
	}
	for _, s := range sections {
		for _, k := range keys {
			if k.section == s && awsConfigKeys[k.key] {
				p.add(deleteLines(ls, k.first, k.last))
			}
		}
		p.fixAll(fixed[s], "AWS config profile keys")
		name := strings.TrimSpace(strings.TrimPrefix(s, "profile "))
		p.note("[%s] has no keys now: give it sso_session (aws configure sso --profile %s) or role_arn with source_profile / credential_source", s, name)
	}
	return p.result(reasonUnknown)
}
