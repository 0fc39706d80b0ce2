package detectors

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
)

// A JWT signed with HMAC is only as secret as its key. When the key sits
// near the token (a test fixture, a notebook that mints tokens), rolecall
// can prove it is the key by recomputing the signature: a finding with no
// false positive. The token itself is not reported; it expires, the key
// does not.

const (
	jwtKeyWindow     = 2048 // bytes around the token searched for its key
	jwtMaxCandidates = 400
)

func detectJWTSecrets(s *scan, r *Rule) []Match {
	var out []Match
	done := -1
	for _, h := range s.hitsOf(r) {
		if h < done || h > 0 && isTokenByte(s.text[h-1]) && s.text[h-1] != '.' {
			continue // inside a token already seen, or not its start
		}
		start, end, sign, sig, newHash, ok := parseHMACJWT(s.text, h)
		if !ok {
			continue
		}
		done = end
		from, to := max(0, start-jwtKeyWindow), min(len(s.text), end+jwtKeyWindow)
		n := 0
		forEachCandidate(s.text, from, to, func(a, b int) bool {
			if a >= start && b <= end {
				return true
			}
			if n++; n > jwtMaxCandidates {
				return false
			}
			mac := hmac.New(newHash, s.text[a:b])
			mac.Write(sign)
			if hmac.Equal(mac.Sum(nil), sig) {
				out = append(out, Match{Rule: r, Start: a, End: b, Secret: string(s.text[a:b])})
				return false
			}
			return true
		})
	}
	return out
}

// parseHMACJWT reads a JWT starting at h and returns its span, the signed
// part, the signature and the hash of its HS256/384/512 algorithm.
func parseHMACJWT(text []byte, h int) (start, end int, signed, sig []byte, newHash func() hash.Hash, ok bool) {
	i, dots := h, 0
	for i < len(text) && i-h < 8192 && (isAlnum(text[i]) || text[i] == '-' || text[i] == '_' || text[i] == '.') {
		if text[i] == '.' {
			dots++
		}
		i++
	}
	tok := text[h:i]
	parts := bytes.Split(tok, []byte{'.'})
	if dots != 2 || len(parts[0]) < 10 || len(parts[1]) < 4 || len(parts[2]) < 40 {
		return
	}
	header, err := base64.RawURLEncoding.DecodeString(string(parts[0]))
	if err != nil {
		return
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(header, &hdr) != nil {
		return
	}
	switch hdr.Alg {
	case "HS256":
		newHash = sha256.New
	case "HS384":
		newHash = sha512.New384
	case "HS512":
		newHash = sha512.New
	default:
		return
	}
	sig, err = base64.RawURLEncoding.DecodeString(string(parts[2]))
	if err != nil {
		return
	}
	return h, i, tok[:len(parts[0])+1+len(parts[1])], sig, newHash, true
}

// forEachCandidate calls fn with the span of every string literal's content
// and every bare word in text[from:to] that could be a key: 6 to 256
// characters. fn returns false to stop.
func forEachCandidate(text []byte, from, to int, fn func(a, b int) bool) {
	isDelim := func(c byte) bool {
		return c <= ' ' || bytes.IndexByte([]byte(`"'`+"`"+`,;()[]{}=:<>`), c) >= 0
	}
	i := from
	for i < to {
		c := text[i]
		if c == '"' || c == '\'' || c == '`' {
			j := bytes.IndexByte(text[i+1:to], c)
			nl := bytes.IndexByte(text[i+1:to], '\n')
			if j >= 0 && (nl < 0 || j < nl) {
				if n := j; n >= 6 && n <= 256 && !fn(i+1, i+1+j) {
					return
				}
			}
			i++
			continue
		}
		if isDelim(c) {
			i++
			continue
		}
		j := i
		for j < to && !isDelim(text[j]) {
			j++
		}
		if n := j - i; n >= 6 && n <= 256 && !fn(i, j) {
			return
		}
		i = j
	}
}
