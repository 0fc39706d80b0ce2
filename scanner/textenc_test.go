package scanner

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// encode writes s in the named encoding, with or without a byte order
// mark.
func encode(s, enc string, bom bool) []byte {
	var order binary.AppendByteOrder = binary.LittleEndian
	if enc == "UTF-16BE" || enc == "UTF-32BE" {
		order = binary.BigEndian
	}
	var out []byte
	if enc == "UTF-32LE" || enc == "UTF-32BE" {
		if bom {
			out = order.AppendUint32(out, 0xfeff)
		}
		for _, r := range s {
			out = order.AppendUint32(out, uint32(r))
		}
		return out
	}
	if bom {
		out = order.AppendUint16(out, 0xfeff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = order.AppendUint16(out, u)
	}
	return out
}

func TestScanDecodesUTF16AndUTF32(t *testing.T) {
	set := testsecrets.New(21)
	secret := set.AWSSecret()
	// Two lines with non-ASCII and an astral character before the key, so
	// columns (characters) and offsets (bytes) differ.
	text := "# café 😀 config\nx = 1; aws_secret_access_key = \"" + secret + "\"\n"
	eng, _ := detectors.NewEngine(nil)
	s := New(eng)
	for _, c := range []struct {
		enc string
		bom bool
	}{
		{"UTF-16LE", true}, {"UTF-16BE", true}, {"UTF-32LE", true}, {"UTF-32BE", true},
		{"UTF-16LE", false}, {"UTF-16BE", false},
	} {
		name := c.enc
		if !c.bom {
			name += " without BOM"
		}
		t.Run(name, func(t *testing.T) {
			data := encode(text, c.enc, c.bom)
			if IsBinary(data) {
				t.Fatal("taken for binary")
			}
			fs, _ := s.Scan(Content{Path: "settings.py", Data: data})
			var got *Finding
			for i := range fs {
				if fs[i].Secret == secret {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("secret not found; findings %+v", fs)
			}
			if got.Line != 2 || got.Column != 33 || got.EndColumn != 32+len(secret) || got.FileEncoding != c.enc {
				t.Errorf("at %d:%d-%d (%s), want 2:33-%d (%s)", got.Line, got.Column, got.EndColumn, got.FileEncoding, 32+len(secret), c.enc)
			}
			if raw := data[got.Offset:got.EndOffset]; string(raw) != string(encode(secret, c.enc, false)) {
				t.Errorf("offsets [%d,%d) hold %q in the file, not the secret", got.Offset, got.EndOffset, raw)
			}
		})
	}
}

func TestBinaryStaysBinary(t *testing.T) {
	for name, data := range map[string][]byte{
		"NUL in ASCII":          []byte("abc\x00def\x01\x02"),
		"odd length":            append(encode("hello world", "UTF-16LE", false), 'x'),
		"controls as UTF-16":    encode("ab\x01\x02cd", "UTF-16LE", false),
		"unpaired surrogate":    {0x41, 0x00, 0x00, 0xd8, 0x42, 0x00, 0x43, 0x00},
		"PNG-like header bytes": {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d},
	} {
		if !IsBinary(data) {
			t.Errorf("%s: not taken for binary", name)
		}
	}
}
