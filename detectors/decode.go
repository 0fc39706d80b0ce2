package detectors

import (
	"bytes"

	"github.com/rolecall/rolecall/detectors/tokenfmt"
)

// A whole credentials file, a kubeconfig key or a .env is sometimes
// base64-encoded into one string constant or config value. Literals of a
// bounded length are decoded, and when the result is text it is scanned
// like any fragment; what is found there is reported at the literal.
// Images stay undecoded: notebook image outputs never reach the engine,
// data: URIs are skipped here, and binary results are dropped after their
// first bytes.

const (
	minEncoded     = 32       // shorter runs decode to less than a credential line
	maxEncoded     = 64 << 10 // longer runs are payloads, not constants
	maxDecodeDepth = 2        // base64 of base64, and no further
	sniffEncoded   = 48       // decoded first, to drop binary cheaply
)

// b64Class marks the bytes of standard and URL-safe base64.
var b64Class = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c)) || c == '+' || c == '/' || c == '-' || c == '_'
	}
	return t
}()

// decodedMatches decodes the base64 runs of the fragment and returns what
// the rules find in them, placed at the run.
func (e *Engine) decodedMatches(s *scan, depth int) []Match {
	var out []Match
	text := s.text
	forEachEncodedRun(text, func(a, b int) {
		if a >= 7 && bytes.EqualFold(text[a-7:a], []byte("base64,")) {
			return // a data: URI (an image or a font)
		}
		if allowedLines(lineOf(text, a)) {
			return // whatever the run holds is reported on this line
		}
		raw, ok := decodeText(text[a:b])
		if !ok {
			return
		}
		encoding := "base64"
		if depth > 0 {
			encoding = "base64 in base64"
		}
		for _, m := range e.detect(Fragment{Path: s.f.Path, Lang: LangText, Text: raw}, depth+1) {
			m.Start, m.End = a, b
			if m.Encoding == "" {
				m.Encoding = encoding
			}
			out = append(out, m)
		}
	})
	return out
}

// forEachEncodedRun calls fn with each run of base64 bytes (and its
// padding) of minEncoded to maxEncoded bytes that stands alone: not glued
// to other word characters. Like Horspool's search it probes the last byte
// of a window of minEncoded bytes and, on a base64 byte, checks backwards
// only until the first byte that is not, so ordinary text costs a few
// looks per window, not one per byte.
func forEachEncodedRun(text []byte, fn func(a, b int)) {
	i := 0
	for i+minEncoded <= len(text) {
		q := i + minEncoded - 1
		for q >= i && b64Class[text[q]] {
			q--
		}
		if q >= i {
			i = q + 1 // no run of minEncoded can hold text[q]
			continue
		}
		a := i
		for a > 0 && b64Class[text[a-1]] {
			a-- // only at the first window: later ones start after a non-base64 byte
		}
		b := i + minEncoded
		for b < len(text) && b64Class[text[b]] {
			b++
		}
		end := b
		for end < len(text) && end-b < 2 && text[end] == '=' {
			end++
		}
		if b-a <= maxEncoded {
			fn(a, end)
		}
		i = end + 1
	}
}

// decodeText decodes a base64 run and returns it when it is text. The
// first bytes are decoded alone so that binary data (images, hashes, ids)
// is dropped before the rest is decoded.
func decodeText(run []byte) ([]byte, bool) {
	s := string(run)
	if isHex(s) {
		return nil, false // a digest decodes to bytes, never to text
	}
	if len(s) > sniffEncoded {
		if head, ok := tokenfmt.DecodeBase64(s[:sniffEncoded]); !ok || !printable(head) {
			return nil, false
		}
	}
	raw, ok := tokenfmt.DecodeBase64(s)
	if !ok || !printable(raw) {
		return nil, false
	}
	return raw, true
}
