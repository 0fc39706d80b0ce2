// Package tokenfmt holds the checksums and encodings that providers build
// into their token formats. The detectors verify them; detectors/testsecrets
// uses the same functions to make fakes that pass, so neither side keeps a
// copy of the other's arithmetic.
package tokenfmt

import (
	"encoding/base64"
	"hash/crc32"
	"strings"
)

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62CRC32 is the six-character checksum that GitHub (ghp_, gho_, ...)
// and npm (npm_) tokens end with: the CRC-32 (IEEE) of the random part,
// in base 62, left-padded with zeros.
func Base62CRC32(random string) string {
	n := crc32.ChecksumIEEE([]byte(random))
	var b [6]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = base62Alphabet[n%62]
		n /= 62
	}
	return string(b[:])
}

// ValidBase62CRC32 checks a token of the form PREFIX_ + 30 random + 6
// checksum characters.
func ValidBase62CRC32(token string) bool {
	i := strings.LastIndexByte(token, '_')
	body := token[i+1:]
	if len(body) != 36 {
		return false
	}
	return Base62CRC32(body[:30]) == body[30:]
}

// Bech32 (BIP-173), used by age for its keys.

const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if top>>i&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

func bech32HRPExpand(hrp string) []byte {
	out := make([]byte, 0, 2*len(hrp)+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// Bech32Encode encodes 8-bit data with the human-readable part hrp, in
// lower case.
func Bech32Encode(hrp string, data []byte) string {
	var vals []byte
	acc, bits := 0, 0
	for _, b := range data {
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			vals = append(vals, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		vals = append(vals, byte(acc<<(5-bits)&31))
	}
	pm := bech32Polymod(append(append(bech32HRPExpand(hrp), vals...), 0, 0, 0, 0, 0, 0)) ^ 1
	for i := 0; i < 6; i++ {
		vals = append(vals, byte(pm>>(5*(5-i))&31))
	}
	var b strings.Builder
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range vals {
		b.WriteByte(bech32Charset[v])
	}
	return b.String()
}

// ValidBech32 checks the checksum of a Bech32 string (either case, not
// mixed).
func ValidBech32(s string) bool {
	lower := strings.ToLower(s)
	if lower != s && strings.ToUpper(s) != s {
		return false
	}
	sep := strings.LastIndexByte(lower, '1')
	if sep < 1 || len(lower)-sep < 7 {
		return false
	}
	vals := bech32HRPExpand(lower[:sep])
	for i := sep + 1; i < len(lower); i++ {
		v := strings.IndexByte(bech32Charset, lower[i])
		if v < 0 {
			return false
		}
		vals = append(vals, byte(v))
	}
	return bech32Polymod(vals) == 1
}

// DecodeBase64 decodes standard or URL-safe base64, padded or not.
func DecodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
