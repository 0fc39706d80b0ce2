package detectors

import (
	"bytes"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
)

// AWS unique identifiers: four characters of type, then sixteen of base32.
// Only the credential types are secrets; the others name principals and are
// reported at low severity because they still map a repository to an account.
var awsIDPrefixes = map[string]bool{
	"AKIA": true, "ASIA": true, "ABIA": true, "ACCA": true, // access keys
	"AGPA": false, "AIDA": false, "AROA": false, "AIPA": false, "ANPA": false,
	"ANVA": false, "APKA": false, "ASCA": false,
}

// Distances, in bytes, within which AWS parts are taken to belong together.
const (
	awsPairWindow  = 1024 // key id <-> secret, for severity and KeyID
	awsNearID      = 512  // a bare 40-character value this close to a key id is its secret
	awsTokenWindow = 2048 // ASIA id <-> session token
	awsSecretLen   = 40
	awsMinTokenLen = 100
)

type awsID struct {
	start, end int
	id         string
	credential bool
	account    string
}

type awsSecret struct {
	start, end int
	keyID      string
	account    string
}

type awsResult struct {
	ids     []awsID
	secrets []awsSecret
	tokens  []awsSecret
}

// IsAWSID reports whether s is an AWS unique identifier: an access key id
// (AKIA, ASIA...) or a principal id (AIDA, AROA...). AWS treats these as
// identifiers, not secrets, so reports show them in full.
func IsAWSID(s string) bool {
	if len(s) != 20 {
		return false
	}
	if _, ok := awsIDPrefixes[s[:4]]; !ok {
		return false
	}
	for _, c := range s[4:] {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// AccountFromKeyID decodes the 12-digit AWS account number embedded in a
// modern access key ID, offline. It returns "" for legacy IDs (fifth
// character I or J) and for anything that is not an ID.
func AccountFromKeyID(id string) string {
	if len(id) != 20 || id[4] == 'I' || id[4] == 'J' {
		return ""
	}
	if _, ok := awsIDPrefixes[id[:4]]; !ok {
		return ""
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(id[4:])
	if err != nil || len(raw) < 6 {
		return ""
	}
	var b [8]byte
	copy(b[2:], raw[:6])
	z := binary.BigEndian.Uint64(b[:])
	return fmt.Sprintf("%012d", (z&0x7fffffffff80)>>7)
}

// analyseAWS finds key ids, secret keys and session tokens once per fragment;
// the three AWS rules share the result so that each can be paired.
func (s *scan) analyseAWS(hits []int) *awsResult {
	if s.aws != nil {
		return s.aws
	}
	res := &awsResult{}
	s.aws = res
	seenID := map[int]bool{}
	for _, h := range hits {
		if id, ok := awsIDAt(s.text, h); ok && !seenID[id.start] {
			seenID[id.start] = true
			res.ids = append(res.ids, id)
		}
	}
	seenSecret := map[int]bool{}
	addSecret := func(list *[]awsSecret, start, end int) {
		if !seenSecret[start] {
			seenSecret[start] = true
			*list = append(*list, awsSecret{start: start, end: end})
		}
	}
	for _, h := range hits {
		kw := awsKeywordAt(s.text, h)
		switch kw {
		case "secret":
			if start, end, ok := valueAfter(s.text, h+len(kw)); ok && awsSecretShape(s.text[start:end]) {
				addSecret(&res.secrets, start, end)
			} else if a, b := nameAround(s.text, h); a > 0 {
				// variable "aws_secret_key" { default = "..." }
				if start, end, ok := hclVariableDefault(s.text, a, b); ok && awsSecretShape(s.text[start:end]) {
					addSecret(&res.secrets, start, end)
				}
			}
		case "session_token", "sessiontoken", "session-token", "security_token", "securitytoken", "security-token":
			if start, end, ok := valueAfter(s.text, h+len(kw)); ok && awsTokenShape(s.text, start, end, false) {
				addSecret(&res.tokens, start, end)
			}
		}
	}
	for _, id := range res.ids {
		if !id.credential {
			continue
		}
		forEachRun(s.text, max(0, id.start-awsNearID), min(len(s.text), id.end+awsNearID), func(start, end int) {
			if start != id.start && awsSecretShape(s.text[start:end]) && newlinesBetween(s.text, start, id.start) <= 5 {
				addSecret(&res.secrets, start, end)
			}
		})
		if strings.HasPrefix(id.id, "ASIA") {
			forEachRun(s.text, max(0, id.start-awsTokenWindow), min(len(s.text), id.end+awsTokenWindow), func(start, end int) {
				if awsTokenShape(s.text, start, end, true) {
					addSecret(&res.tokens, start, end)
				}
			})
		}
	}
	pair := func(list []awsSecret) {
		for i := range list {
			if id := nearestID(res.ids, list[i].start); id != nil {
				list[i].keyID, list[i].account = id.id, id.account
			}
		}
	}
	pair(res.secrets)
	pair(res.tokens)
	return res
}

// awsKeywordAt names the AWS keyword starting at text[h:] (in any case).
func awsKeywordAt(text []byte, h int) string {
	for _, kw := range []string{"secret", "session_token", "sessiontoken", "session-token",
		"security_token", "securitytoken", "security-token"} {
		if hasFoldPrefix(text[h:], kw) {
			return kw
		}
	}
	return ""
}

func nearestID(ids []awsID, at int) *awsID {
	var best *awsID
	bestDist := awsPairWindow + 1
	for i := range ids {
		if !ids[i].credential {
			continue
		}
		d := ids[i].start - at
		if d < 0 {
			d = -d
		}
		if d < bestDist {
			best, bestDist = &ids[i], d
		}
	}
	return best
}

// awsIDAt checks for a key id starting at h, where the keyword prefilter saw
// a prefix (in lower case; ids are upper case, so "Asia" is rejected here).
func awsIDAt(text []byte, h int) (awsID, bool) {
	if h+20 > len(text) || h > 0 && isAlnum(text[h-1]) || h+20 < len(text) && isAlnum(text[h+20]) {
		return awsID{}, false
	}
	prefix := string(text[h : h+4])
	credential, known := awsIDPrefixes[prefix]
	rest := 4
	if !known {
		if !strings.HasPrefix(prefix, "A3T") || !(prefix[3] >= 'A' && prefix[3] <= 'Z' || prefix[3] >= '0' && prefix[3] <= '9') {
			return awsID{}, false
		}
		credential = true
	}
	for _, c := range text[h+rest : h+20] {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return awsID{}, false
		}
	}
	id := string(text[h : h+20])
	suffix := id[4:]
	if Entropy(suffix) < 2.5 || hasSequence(suffix, 6) {
		return awsID{}, false
	}
	return awsID{start: h, end: h + 20, id: id, credential: credential, account: AccountFromKeyID(id)}, true
}

// valueAfter finds the value assigned to the credential name whose keyword
// ends at i: it skips the rest of the name, then separators, quotes, and
// XML tags (<value>), and returns the run of base64 characters that follows.
func valueAfter(text []byte, i int) (start, end int, ok bool) {
	for i < len(text) && (isWordByte(text[i]) || text[i] == '.' || text[i] == '-') {
		i++
	}
	limit := min(len(text), i+120)
	newlines := 0
	for i < limit {
		switch c := text[i]; c {
		case ' ', '\t', '\r', '"', '\'', '`', ':', '=', ',', '>', '(', '[', ']', '{', '\\':
			i++
			continue
		case '\n':
			if newlines++; newlines > 2 {
				return 0, 0, false
			}
			i++
			continue
		case '<':
			j := bytes.IndexByte(text[i:min(limit, i+24)], '>')
			if j < 0 {
				return 0, 0, false
			}
			for _, t := range text[i+1 : i+j] {
				if !(isWordByte(t) || t == '/') {
					return 0, 0, false
				}
			}
			i += j + 1
			continue
		}
		break
	}
	if i >= limit {
		return 0, 0, false
	}
	end = runEnd(text, i)
	return i, end, end > i
}

// runEnd returns the end of the run of base64 characters starting at i. A
// percent-encoded '+', '/' or '=' (as in s3a:// URLs) belongs to the run.
func runEnd(text []byte, i int) int {
	for i < len(text) {
		c := text[i]
		if isAlnum(c) || c == '+' || c == '/' {
			i++
			continue
		}
		if c == '%' && i+2 < len(text) && text[i+1] == '2' && strings.IndexByte("bBfF", text[i+2]) >= 0 {
			i += 3
			continue
		}
		break
	}
	return i
}

// forEachRun calls fn for each maximal base64 run inside [from, to).
func forEachRun(text []byte, from, to int, fn func(start, end int)) {
	i := from
	for i > 0 && i < len(text) && (isAlnum(text[i-1]) || text[i-1] == '+' || text[i-1] == '/') {
		i++ // start outside a run cut by the window
	}
	for i < to {
		c := text[i]
		if !(isAlnum(c) || c == '+' || c == '/') {
			i++
			continue
		}
		end := runEnd(text, i)
		if end <= to {
			fn(i, end)
		}
		i = end
	}
}

func newlinesBetween(text []byte, a, b int) int {
	if a > b {
		a, b = b, a
	}
	return bytes.Count(text[a:b], []byte{'\n'})
}

// decodedLen counts %2F-style escapes as one character.
func decodedLen(b []byte) int {
	return len(b) - 2*bytes.Count(b, []byte{'%'})
}

// awsSecretShape accepts a 40-character secret access key: mixed case with
// digits or symbols, high entropy, and not a hex digest (git SHAs) or a
// hand-typed sequence.
func awsSecretShape(b []byte) bool {
	if decodedLen(b) != awsSecretLen {
		return false
	}
	s := string(b)
	if isHex(s) || hasSequence(s, 6) || Entropy(s) < 3.8 {
		return false
	}
	var upper, lower, other bool
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		default:
			other = true
		}
	}
	return upper && lower && other
}

// awsTokenShape accepts a session token: a long base64 run. Found only by
// proximity to an ASIA id (needMarker), it must also carry one of the
// base64 fragments every STS token starts with ("aws", "origin").
func awsTokenShape(text []byte, start, end int, needMarker bool) bool {
	if end-start < awsMinTokenLen {
		return false
	}
	if start >= 7 && bytes.HasSuffix(text[start-7:start], []byte("base64,")) {
		return false // a data: URI
	}
	tok := text[start:end]
	if needMarker && !bytes.Contains(tok, []byte("YXdz")) && !bytes.Contains(tok, []byte("b3JpZ2lu")) {
		return false
	}
	return Entropy(string(tok)) >= 4.5
}

func detectAWSKeyIDs(s *scan, r *Rule) []Match {
	res := s.analyseAWS(s.hitsOf(r))
	var out []Match
	for _, id := range res.ids {
		sev := Low
		if id.credential {
			sev = Medium
			for _, sec := range res.secrets {
				if sec.keyID == id.id {
					sev = High
					break
				}
			}
		}
		out = append(out, Match{Rule: r, Start: id.start, End: id.end, Secret: id.id, Severity: sev, AccountID: id.account})
	}
	return out
}

func detectAWSSecrets(s *scan, r *Rule) []Match {
	return awsSecretMatches(r, s.text, s.analyseAWS(s.hitsOf(r)).secrets)
}

func detectAWSSessionTokens(s *scan, r *Rule) []Match {
	return awsSecretMatches(r, s.text, s.analyseAWS(s.hitsOf(r)).tokens)
}

func awsSecretMatches(r *Rule, text []byte, list []awsSecret) []Match {
	out := make([]Match, 0, len(list))
	for _, sec := range list {
		out = append(out, Match{Rule: r, Start: sec.start, End: sec.end, Secret: string(text[sec.start:sec.end]),
			KeyID: sec.keyID, AccountID: sec.account})
	}
	return out
}

// nameAround returns the identifier (letters, digits, _ . -) holding
// offset h, up to maxName bytes either side.
func nameAround(text []byte, h int) (a, b int) { return nameStart(text, h), nameEnd(text, h) }

// nameStart and nameEnd walk at most maxName+1 bytes from h.
func nameStart(text []byte, h int) int {
	a := h
	for a > 0 && h-a <= maxName && isNameByte(text[a-1]) {
		a--
	}
	return a
}

func nameEnd(text []byte, h int) int {
	b := h
	for b < len(text) && b-h <= maxName && isNameByte(text[b]) {
		b++
	}
	return b
}
