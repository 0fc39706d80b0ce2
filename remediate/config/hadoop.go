package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/remediate/edit"
)

// Credential provider classes for fs.s3a.aws.credentials.provider. Hadoop
// 3.4 moved S3A to AWS SDK v2 and remaps only a few v1 class names (not
// DefaultAWSCredentialsProviderChain), so 3.4 gets the v2 names.
const (
	providerDefaultV1 = "com.amazonaws.auth.DefaultAWSCredentialsProviderChain"
	providerProfileV1 = "com.amazonaws.auth.profile.ProfileCredentialsProvider"
	providerDefaultV2 = "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"
	providerProfileV2 = "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider"
)

// ProviderClass returns the S3A credential provider class for the options:
// the default chain, or the profile provider when a profile is chosen, in
// the SDK generation of opts.Hadoop ("3.4" is SDK v2; "3.3" or "" is v1).
func ProviderClass(opts edit.Options) string {
	switch {
	case opts.Hadoop == "3.4" && opts.Profile != "":
		return providerProfileV2
	case opts.Hadoop == "3.4":
		return providerDefaultV2
	case opts.Profile != "":
		return providerProfileV1
	}
	return providerDefaultV1
}

const reasonJceks = "move the secret to a Hadoop credential provider kept outside the repository (hadoop credential create NAME -provider jceks://file/...) and point hadoop.security.credential.provider.path at it"

// s3aEntry is one S3A property, from XML or spark-defaults.conf.
type s3aEntry struct {
	name   string // without any spark.hadoop. prefix
	value  string
	all    span // what deleting the entry removes
	own    span // the entry itself, which a provider entry replaces
	render func(name, value string) string
}

// s3aCredential reports whether an S3A property holds a credential, and
// its scope: "" for all buckets or "bucket.NAME" for one.
func s3aCredential(name string) (scope string, ok bool) {
	rest, ok := strings.CutPrefix(name, "fs.s3a.")
	if !ok {
		return "", false
	}
	for _, opt := range []string{"access.key", "secret.key", "session.token"} {
		if rest == opt {
			return "", true
		}
		if strings.HasPrefix(rest, "bucket.") && strings.HasSuffix(rest, "."+opt) {
			return strings.TrimSuffix(rest, "."+opt), true
		}
	}
	return "", false
}

// S3AProperty reads a Spark or Hadoop property name as code sets it
// (conf.set, SparkSession.builder.config): its "spark.hadoop." prefix,
// its scope, and the option after the scope ("access.key",
// "aws.credentials.provider"). ok is false for names outside fs.s3a.
func S3AProperty(name string) (prefix, scope, option string, ok bool) {
	if rest, cut := strings.CutPrefix(name, "spark.hadoop."); cut {
		prefix, name = "spark.hadoop.", rest
	}
	rest, ok := strings.CutPrefix(name, "fs.s3a.")
	if !ok {
		return "", "", "", false
	}
	if s, isCred := s3aCredential(name); isCred {
		return prefix, s, strings.TrimPrefix(strings.TrimPrefix(rest, s), "."), true
	}
	if b, cut := strings.CutPrefix(rest, "bucket."); cut {
		if i := strings.IndexByte(b, '.'); i > 0 {
			return prefix, "bucket." + b[:i], b[i+1:], true
		}
	}
	return prefix, "", rest, true
}

// S3AOption is the property name of an option in a scope.
func S3AOption(scope, option string) string { return s3aOption(scope, option) }

func s3aOption(scope, option string) string {
	if scope == "" {
		return "fs.s3a." + option
	}
	return "fs.s3a." + scope + "." + option
}

// planS3A deletes the credential properties of each scope that holds a
// target and puts one fs.s3a.aws.credentials.provider in place of the
// first, unless the scope already names a provider.
func planS3A(p *plan, entries []s3aEntry, opts edit.Options, shape string) {
	values := map[string]string{}
	for _, e := range entries {
		values[e.name] = e.value
	}
	var scopes []string
	group := map[string][]int{}
	for _, e := range entries {
		ts := p.within(e.own.start, e.own.end)
		scope, ok := s3aCredential(e.name)
		if !ok {
			p.manualAll(ts, reasonJceks)
			continue
		}
		if len(ts) > 0 && group[scope] == nil {
			scopes = append(scopes, scope)
		}
		group[scope] = append(group[scope], ts...)
	}
	class := ProviderClass(opts)
	fixed := false
	for _, scope := range scopes {
		endpoint, ok := values[s3aOption(scope, "endpoint")]
		if !ok {
			endpoint = values["fs.s3a.endpoint"]
		}
		if endpoint != "" && !strings.Contains(endpoint, "amazonaws.com") {
			p.manualAll(group[scope], "the S3A endpoint is "+endpoint+", not AWS, so roles and profiles do not apply: "+reasonJceks)
			continue
		}
		_, hasProvider := values[s3aOption(scope, "aws.credentials.provider")]
		first := true
		for _, e := range entries {
			if s, ok := s3aCredential(e.name); !ok || s != scope {
				continue
			}
			if first && !hasProvider {
				p.add(edit.Edit{Start: e.own.start, End: e.own.end, New: e.render(s3aOption(scope, "aws.credentials.provider"), class)})
			} else {
				p.add(edit.Edit{Start: e.all.start, End: e.all.end})
			}
			first = false
		}
		p.fixAll(group[scope], shape)
		fixed = true
	}
	if !fixed {
		return
	}
	if opts.Profile == "" {
		p.note("S3A now uses %s: an instance profile or IRSA on the cluster, AWS_PROFILE or SSO on a laptop", class)
		return
	}
	p.note("set AWS_PROFILE=%s on every node (driver and executors, e.g. spark.executorEnv.AWS_PROFILE and spark.yarn.appMasterEnv.AWS_PROFILE), and make profile %s available there", opts.Profile, opts.Profile)
	if opts.Hadoop != "3.4" {
		p.note("the AWS SDK v1 ProfileCredentialsProvider reads profile sections without the `profile ` prefix: name the section [%s]", opts.Profile)
	}
}

// alone reports whether text[s:e] has only blanks before it on its first
// line and only blanks after it on its last (or, with comments, a comment
// starting with one of them).
func alone(text []byte, s, e int, comments ...string) bool {
	after := bytes.TrimLeft(text[e:eol(text, e)], " \t\r")
	ok := len(after) == 0
	for _, c := range comments {
		ok = ok || bytes.HasPrefix(after, []byte(c))
	}
	return ok && isBlank(text, edit.LineStart(text, s), s)
}

var (
	xmlComment  = regexp.MustCompile(`(?s)<!--.*?-->`)
	xmlProperty = regexp.MustCompile(`(?s)<property\b[^>]*>.*?</property\s*>`)
	xmlChild    = regexp.MustCompile(`(?s)<([A-Za-z_][\w.:-]*)\b[^>]*?(/>|>(.*?)</([A-Za-z_][\w.:-]*)\s*>)`)
)

// HadoopXML rewrites Hadoop *-site.xml files: the <property> elements of
// fs.s3a.access.key, secret.key and session.token (also per bucket) go,
// and one fs.s3a.aws.credentials.provider property takes the place of
// the first, in the same layout.
func HadoopXML(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindHadoopXML, text, targets)
	// Comments are blanked (offsets kept) so commented-out properties
	// are neither read nor edited.
	masked := xmlComment.ReplaceAllFunc(bytes.Clone(text), func(c []byte) []byte {
		return bytes.Map(func(r rune) rune {
			if r == '\n' {
				return r
			}
			return ' '
		}, c)
	})
	var entries []s3aEntry
	for _, m := range xmlProperty.FindAllIndex(masked, -1) {
		e, ok := xmlEntry(text, masked, m[0], m[1])
		if ok {
			entries = append(entries, e)
		}
	}
	planS3A(p, entries, opts, "Hadoop S3A credential properties")
	return p.result(reasonJceks)
}

// xmlEntry reads one <property> element at [s, e).
func xmlEntry(text, masked []byte, s, e int) (s3aEntry, bool) {
	open := bytes.IndexByte(masked[s:e], '>') + s + 1
	close := bytes.LastIndex(masked[s:e], []byte("</")) + s
	var name, value []int
	var others [][]int
	for _, c := range xmlChild.FindAllSubmatchIndex(masked[open:close], -1) {
		for k := range c {
			if c[k] >= 0 {
				c[k] += open
			}
		}
		switch string(text[c[2]:c[3]]) {
		case "name":
			name = c
		case "value":
			value = c
		default:
			others = append(others, c)
		}
	}
	if name == nil || value == nil || name[6] < 0 || value[6] < 0 {
		return s3aEntry{}, false
	}
	en := s3aEntry{
		name:  string(bytes.TrimSpace(text[name[6]:name[7]])),
		value: string(bytes.TrimSpace(text[value[6]:value[7]])),
		all:   span{s, e},
		own:   span{s, e},
	}
	if alone(text, s, e) {
		en.all = span{edit.LineStart(text, s), edit.LineEnd(text, e)}
	}
	// The provider property copies this element: same tags, indentation
	// and line breaks, new name and value, without <description> or
	// other children that described the key.
	en.render = func(n, v string) string {
		es := []edit.Edit{{Start: name[6] - s, End: name[7] - s, New: n}, {Start: value[6] - s, End: value[7] - s, New: v}}
		for _, c := range others {
			if alone(text, c[0], c[1]) && edit.LineStart(text, c[0]) > s && edit.LineEnd(text, c[1]) <= e {
				es = append(es, edit.Edit{Start: edit.LineStart(text, c[0]) - s, End: edit.LineEnd(text, c[1]) - s})
			} else {
				es = append(es, edit.Edit{Start: c[0] - s, End: c[1] - s})
			}
		}
		out, err := edit.Apply(text[s:e], es)
		if err != nil {
			// Children overlap only in malformed XML, which validation
			// rejects; fall back to the bare element.
			return "<property><name>" + n + "</name><value>" + v + "</value></property>"
		}
		return string(out)
	}
	return en, true
}

func validateXML(text []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(text))
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth != 0 {
				return fmt.Errorf("XML ends inside an element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// SparkConf rewrites spark-defaults.conf: spark.hadoop.fs.s3a.access.key
// (and secret.key, session.token) lines go, and one
// spark.hadoop.fs.s3a.aws.credentials.provider line takes the place of
// the first.
func SparkConf(text []byte, targets []edit.Target, opts edit.Options) edit.Result {
	p := newPlan(KindSparkConf, text, targets)
	ls := splitLines(text)
	var entries []s3aEntry
	for k, l := range ls {
		c := bytes.TrimSpace(text[l.start:l.end])
		if len(c) == 0 || c[0] == '#' || c[0] == '!' {
			continue
		}
		key, val, ok := keyValue(text, l.start, l.end, "=:", true)
		if !ok {
			continue
		}
		full := string(text[key.start:key.end])
		name := strings.TrimPrefix(full, "spark.hadoop.")
		before := string(text[l.start:key.start]) + full[:len(full)-len(name)]
		sep := string(text[key.end:val.start])
		entries = append(entries, s3aEntry{
			name:   name,
			value:  string(text[val.start:val.end]),
			all:    span{l.start, ls[k].next},
			own:    span{l.start, l.end},
			render: func(n, v string) string { return before + n + sep + v },
		})
	}
	planS3A(p, entries, opts, "spark-defaults S3A credential properties")
	return p.result(reasonJceks)
}
