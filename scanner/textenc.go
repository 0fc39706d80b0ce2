package scanner

import (
	"encoding/binary"
	"sort"
	"unicode/utf16"
	"unicode/utf8"
)

// decoded is a UTF-16 or UTF-32 file turned into UTF-8 for the detectors,
// with what it takes to map offsets back to the file. Lines and columns
// need no mapping: the decoded text has the same characters and line
// breaks, and columns count characters.
type decoded struct {
	Encoding string // "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"
	text     []byte
	unit     int    // bytes per code unit: 2 or 4
	marks    []mark // sparse map of decoded offsets to file offsets
	raw      int    // file offset after the last rune added
}

type mark struct{ dec, raw int }

const markEvery = 256

// decodeText decodes files with a UTF-32 or UTF-16 byte order mark, and
// BOM-less UTF-16 that decodes cleanly (every code unit a character that
// text holds: no NUL, no control other than blanks and line breaks, no
// unpaired surrogate). It returns nil for anything else. An odd last byte
// is dropped.
func decodeText(data []byte) *decoded {
	switch {
	case hasPrefix(data, 0xff, 0xfe, 0, 0):
		return decode32(data, binary.LittleEndian, "UTF-32LE")
	case hasPrefix(data, 0, 0, 0xfe, 0xff):
		return decode32(data, binary.BigEndian, "UTF-32BE")
	case hasPrefix(data, 0xff, 0xfe):
		return decode16(data, 2, binary.LittleEndian, "UTF-16LE")
	case hasPrefix(data, 0xfe, 0xff):
		return decode16(data, 2, binary.BigEndian, "UTF-16BE")
	}
	if len(data) < 4 || len(data)%2 != 0 {
		return nil
	}
	order, name := utf16Order(data)
	if order == nil {
		return nil
	}
	return decode16(data, 0, order, name)
}

// textEncoding names the encoding decodeText would use, without decoding:
// "" for anything it would not decode.
func textEncoding(data []byte) string {
	switch {
	case hasPrefix(data, 0xff, 0xfe, 0, 0):
		return "UTF-32LE"
	case hasPrefix(data, 0, 0, 0xfe, 0xff):
		return "UTF-32BE"
	case hasPrefix(data, 0xff, 0xfe):
		return "UTF-16LE"
	case hasPrefix(data, 0xfe, 0xff):
		return "UTF-16BE"
	}
	_, name := utf16Order(data)
	return name
}

// utf16Order says whether data is BOM-less UTF-16 that decodes cleanly,
// and in which byte order: guessed from where ASCII's zero bytes fall,
// then every code unit checked.
func utf16Order(data []byte) (binary.ByteOrder, string) {
	if len(data) < 4 || len(data)%2 != 0 {
		return nil, ""
	}
	var order binary.ByteOrder = binary.LittleEndian
	name := "UTF-16LE"
	if data[0] == 0 && data[1] != 0 {
		order, name = binary.BigEndian, "UTF-16BE"
	}
	for i := 0; i < len(data); i += 2 {
		u := rune(order.Uint16(data[i:]))
		if utf16.IsSurrogate(u) {
			if u >= 0xdc00 || i+3 >= len(data) {
				return nil, ""
			}
			if u2 := rune(order.Uint16(data[i+2:])); u2 < 0xdc00 || u2 >= 0xe000 {
				return nil, ""
			}
			i += 2
			continue
		}
		if !cleanRune(u) {
			return nil, ""
		}
	}
	return order, name
}

func hasPrefix(data []byte, p ...byte) bool {
	return len(data) >= len(p) && string(data[:len(p)]) == string(p)
}

// cleanRune is a character plain text holds.
func cleanRune(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
		return true
	case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
		return false
	}
	return r != 0xfffe && r != 0xffff && r != utf8.RuneError
}

// decode16 decodes data[bom:]; an unpaired surrogate becomes U+FFFD.
func decode16(data []byte, bom int, order binary.ByteOrder, name string) *decoded {
	d := &decoded{Encoding: name, unit: 2, raw: bom}
	b := data[bom:]
	d.text = make([]byte, 0, len(b)/2+16)
	for i := 0; i+1 < len(b); {
		u := rune(order.Uint16(b[i:]))
		r, size := u, 2
		if utf16.IsSurrogate(u) {
			r = utf8.RuneError // unpaired: one unit
			if u < 0xdc00 && i+3 < len(b) {
				if u2 := rune(order.Uint16(b[i+2:])); u2 >= 0xdc00 && u2 < 0xe000 {
					r, size = utf16.DecodeRune(u, u2), 4
				}
			}
		}
		d.add(r, size)
		i += size
	}
	return d
}

func decode32(data []byte, order binary.ByteOrder, name string) *decoded {
	d := &decoded{Encoding: name, unit: 4, raw: 4}
	b := data[4:]
	d.text = make([]byte, 0, len(b)/4+16)
	for i := 0; i+3 < len(b); i += 4 {
		r := rune(order.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		d.add(r, 4)
	}
	return d
}

// add appends a rune that took size bytes in the file.
func (d *decoded) add(r rune, size int) {
	if n := len(d.marks); n == 0 || len(d.text)-d.marks[n-1].dec >= markEvery {
		d.marks = append(d.marks, mark{dec: len(d.text), raw: d.raw})
	}
	d.text = utf8.AppendRune(d.text, r)
	d.raw += size
}

// rawOffset maps an offset in the decoded text to the file: from the last
// mark before it, each rune took one code unit, or two for a UTF-16
// surrogate pair.
func (d *decoded) rawOffset(off int) int {
	if len(d.marks) == 0 {
		return d.raw
	}
	i := sort.Search(len(d.marks), func(i int) bool { return d.marks[i].dec > off }) - 1
	m := d.marks[max(i, 0)]
	dec, raw := m.dec, m.raw
	for dec < off && dec < len(d.text) {
		r, n := utf8.DecodeRune(d.text[dec:])
		dec += n
		if d.unit == 2 && r >= 0x10000 {
			raw += 4
		} else {
			raw += d.unit
		}
	}
	return raw
}
