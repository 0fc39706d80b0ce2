package ipynb

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendJSONString decodes the JSON string content data[start:end] (between,
// not including, the quotes) onto b, mapping each decoded byte to the raw
// bytes that produced it. Invalid escapes are kept as raw text: a malformed
// notebook is still scanned, never rejected here.
//
// With stripANSI, terminal colour sequences (ESC [ ... final byte), which
// notebooks store as \u001b[...m in tracebacks, are dropped so that they do
// not split `key='value'` apart.
func AppendJSONString(b *Builder, data []byte, start, end int, stripANSI bool) {
	f := ansiFilter{b: b, on: stripANSI}
	i := start
	for i < end {
		j := bytes.IndexByte(data[i:end], '\\')
		if j < 0 {
			f.exact(data[i:end], i)
			return
		}
		if j > 0 {
			f.exact(data[i:i+j], i)
			i += j
		}
		// data[i] == '\\'
		if i+1 >= end {
			f.exact(data[i:end], i)
			return
		}
		var out [utf8.UTFMax]byte
		var dec []byte
		n := 2
		switch c := data[i+1]; c {
		case '"', '\\', '/':
			dec = []byte{c}
		case 'n':
			dec = []byte{'\n'}
		case 't':
			dec = []byte{'\t'}
		case 'r':
			dec = []byte{'\r'}
		case 'b':
			dec = []byte{'\b'}
		case 'f':
			dec = []byte{'\f'}
		case 'u':
			r, ok := hex4(data, i+2, end)
			if !ok {
				break
			}
			n = 6
			if utf16.IsSurrogate(r) {
				if r2, ok2 := lowSurrogate(data, i+6, end); ok2 {
					r = utf16.DecodeRune(r, r2)
					n = 12
				} else {
					r = utf8.RuneError
				}
			}
			dec = out[:utf8.EncodeRune(out[:], r)]
		}
		if dec == nil {
			f.exact(data[i:i+2], i) // unknown escape: keep as written
		} else {
			f.mapped(dec, i, n)
		}
		i += n
	}
}

func hex4(data []byte, i, end int) (rune, bool) {
	if i+4 > end {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func lowSurrogate(data []byte, i, end int) (rune, bool) {
	if i+6 > end || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	r, ok := hex4(data, i+2, end)
	return r, ok && r >= 0xDC00 && r <= 0xDFFF
}

// ansiFilter passes decoded bytes to the builder, dropping ANSI CSI and
// two-byte escape sequences when on.
type ansiFilter struct {
	b     *Builder
	on    bool
	state int // 0 text, 1 after ESC, 2 inside CSI parameters
}

func (f *ansiFilter) exact(text []byte, raw int) {
	if !f.on {
		f.b.Exact(text, raw)
		return
	}
	run := 0
	for k, c := range text {
		if f.state == 0 && c != 0x1b {
			continue
		}
		if f.state == 0 { // c == ESC
			f.b.Exact(text[run:k], raw+run)
		}
		f.step(c)
		run = k + 1
	}
	if f.state == 0 {
		f.b.Exact(text[run:], raw+run)
	}
}

func (f *ansiFilter) mapped(dec []byte, raw, rawLen int) {
	if !f.on {
		f.b.Mapped(dec, raw, rawLen)
		return
	}
	if f.state == 0 && !(len(dec) == 1 && dec[0] == 0x1b) {
		f.b.Mapped(dec, raw, rawLen)
		return
	}
	for _, c := range dec {
		f.step(c)
	}
}

func (f *ansiFilter) step(c byte) {
	switch f.state {
	case 0:
		if c == 0x1b {
			f.state = 1
		}
	case 1:
		if c == '[' {
			f.state = 2
		} else {
			f.state = 0 // two-byte escape: ESC plus one byte
		}
	case 2:
		if c >= 0x40 && c <= 0x7e {
			f.state = 0
		}
	}
}
