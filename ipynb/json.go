package ipynb

import (
	"bytes"
	"fmt"
	"math"
)

// MaxDepth bounds the nesting of arrays and objects. Real notebooks nest a
// dozen levels (widget state, plotly specs); the bound keeps a hostile file
// from exhausting the stack.
const MaxDepth = 512

// ValueKind is the JSON type of a Value.
type ValueKind uint8

const (
	JSONNull ValueKind = iota + 1
	JSONBool
	JSONNumber
	JSONString
	JSONArray
	JSONObject
)

func (k ValueKind) String() string {
	switch k {
	case JSONNull:
		return "null"
	case JSONBool:
		return "boolean"
	case JSONNumber:
		return "number"
	case JSONString:
		return "string"
	case JSONArray:
		return "array"
	case JSONObject:
		return "object"
	}
	return "nothing"
}

// Value is a parsed JSON value that remembers where it came from:
// data[Start:End] is its text in the file, quotes included for strings.
// Strings are not decoded while parsing, so a multi-megabyte base64 image
// costs one memchr; decode the few strings you need with Decode or
// AppendJSONString.
type Value struct {
	Kind       ValueKind
	Start, End int
	// Escaped is set for strings containing a backslash; the others decode
	// to their raw bytes.
	Escaped bool
	Elems   []Value  // array elements
	Members []Member // object members, in file order (duplicates kept)

	src *[]byte // the whole file; a pointer keeps Value small
}

// Member is one key-value pair of an object. Key is a JSON string value.
type Member struct {
	Key   Value
	Value Value
}

// Name is the decoded key.
func (m *Member) Name() string { return m.Key.Decode() }

// Get returns the value of key in an object, or nil. With duplicate keys
// the last wins, as in Python's json module, which is what Jupyter reads.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != JSONObject {
		return nil
	}
	for i := len(v.Members) - 1; i >= 0; i-- {
		if v.Members[i].Key.Is(key) {
			return &v.Members[i].Value
		}
	}
	return nil
}

// IsUsedMember reports whether member i is the one Get returns for its
// name: the last of any duplicates. Readers skip the members they handle by
// name; an earlier duplicate must still be walked, or a file could hide a
// secret behind a second "cells" or "source" key.
func (v *Value) IsUsedMember(i int) bool {
	name := v.Members[i].Name()
	for j := i + 1; j < len(v.Members); j++ {
		if v.Members[j].Name() == name {
			return false
		}
	}
	return true
}

// Is reports whether v is a string that decodes to s.
func (v *Value) Is(s string) bool {
	if v == nil || v.Kind != JSONString {
		return false
	}
	if !v.Escaped {
		return v.End-v.Start-2 == len(s) && string((*v.src)[v.Start+1:v.End-1]) == s
	}
	return v.Decode() == s
}

// Index returns the i-th array element, or nil.
func (v *Value) Index(i int) *Value {
	if v == nil || v.Kind != JSONArray || i < 0 || i >= len(v.Elems) {
		return nil
	}
	return &v.Elems[i]
}

// Len is the number of elements or members; 0 for scalars.
func (v *Value) Len() int {
	if v == nil {
		return 0
	}
	return len(v.Elems) + len(v.Members)
}

// Str returns the span of a string's content, without the quotes. For
// other kinds it returns the whole value's span.
func (v *Value) Str() (start, end int) {
	if v == nil {
		return 0, 0
	}
	if v.Kind == JSONString {
		return v.Start + 1, v.End - 1
	}
	return v.Start, v.End
}

// Raw is the value's text as stored.
func (v *Value) Raw() []byte {
	if v == nil {
		return nil
	}
	return (*v.src)[v.Start:v.End]
}

// Decode returns a string's decoded content ("" for other kinds). Meant for
// small strings (keys, ids, cell types); invalid escapes are kept as
// written, as AppendJSONString does.
func (v *Value) Decode() string {
	if v == nil || v.Kind != JSONString {
		return ""
	}
	if !v.Escaped {
		return string((*v.src)[v.Start+1 : v.End-1])
	}
	b := NewBuilder(Segment{})
	AppendJSONString(b, *v.src, v.Start+1, v.End-1, false)
	return string(b.Segment().Text)
}

// Int returns an integer number's value.
func (v *Value) Int() (int, bool) {
	if v == nil || v.Kind != JSONNumber {
		return 0, false
	}
	n := 0
	neg := false
	for i, c := range (*v.src)[v.Start:v.End] {
		switch {
		case c == '-' && i == 0:
			neg = true
		case c >= '0' && c <= '9':
			if n > (math.MaxInt-9)/10 {
				return 0, false
			}
			n = n*10 + int(c-'0')
		default:
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// SyntaxError says where a file stops being JSON.
type SyntaxError struct {
	Offset       int // byte offset in the file
	Line, Column int // 1-based; the column counts bytes
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d (byte %d): %s", e.Line, e.Column, e.Offset, e.Msg)
}

// LineCol converts a byte offset to a 1-based line and byte column.
func LineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return line, col
}

var utf8BOM = []byte("\xef\xbb\xbf")

// ParseJSON parses data into a tree of spans. It is lenient where Python's
// json module is (NaN, Infinity, -Infinity, raw control characters and
// invalid UTF-8 inside strings) because files that Jupyter itself opened
// must be read; it is strict about structure, since a broken structure is
// better scanned as plain text. A UTF-8 byte order mark is skipped.
func ParseJSON(data []byte) (*Value, error) {
	// Values point at their own copy of the slice header, not into the
	// parser, so the parse stacks are freed with the parser.
	src := new([]byte)
	*src = data
	p := parser{data: data, src: src}
	i := 0
	if bytes.HasPrefix(data, utf8BOM) {
		i = len(utf8BOM)
	}
	i = p.ws(i)
	if i >= len(data) {
		return nil, p.errorf(i, "no JSON value (the file is empty or blank)")
	}
	root, i, err := p.value(i, 0)
	if err != nil {
		return nil, err
	}
	v := &root
	if i = p.ws(i); i < len(data) {
		return nil, p.errorf(i, "unexpected %s after the end of the top-level value (concatenated files or a merge conflict?)", p.what(i))
	}
	return v, nil
}

type parser struct {
	data []byte
	src  *[]byte
	// Children are parsed onto these stacks and copied out at their exact
	// size when the container closes: growing each container's slice by
	// appending would copy and garbage-collect most of the tree twice.
	elems   []Value
	members []Member
}

func (p *parser) errorf(off int, format string, args ...any) error {
	line, col := LineCol(p.data, off)
	return &SyntaxError{Offset: off, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// what describes the byte at i for an error message.
func (p *parser) what(i int) string {
	if i >= len(p.data) {
		return "end of file"
	}
	c := p.data[i]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *parser) ws(i int) int {
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\n', '\r', '\t':
			i++
		default:
			return i
		}
	}
	return i
}

// value parses the value at data[i]. Values are returned, not filled in
// through pointers: in this recursion a pointer to a local would make the
// compiler move every member to the heap.
func (p *parser) value(i int, depth int) (Value, int, error) {
	if i >= len(p.data) {
		return Value{}, i, p.errorf(i, "unexpected end of file, want a value (the file is truncated)")
	}
	switch c := p.data[i]; {
	case c == '"':
		end, esc, err := p.str(i)
		return Value{Kind: JSONString, Start: i, End: end, Escaped: esc, src: p.src}, end, err
	case c == '{':
		return p.object(i, depth)
	case c == '[':
		return p.array(i, depth)
	case c == 't':
		return p.literal(i, "true", JSONBool)
	case c == 'f':
		return p.literal(i, "false", JSONBool)
	case c == 'n':
		return p.literal(i, "null", JSONNull)
	case c == 'N':
		return p.literal(i, "NaN", JSONNumber)
	case c == 'I':
		return p.literal(i, "Infinity", JSONNumber)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(i)
	}
	return Value{}, i, p.errorf(i, "unexpected %s, want a value", p.what(i))
}

// str finds the end of the string starting at data[i] == '"'. A quote ends
// the string when an even number of backslashes precede it; scanning for
// quotes with IndexByte keeps base64 payloads at memchr speed.
func (p *parser) str(i int) (end int, escaped bool, err error) {
	j := i + 1
	for {
		k := bytes.IndexByte(p.data[j:], '"')
		if k < 0 {
			return len(p.data), true, p.errorf(i, "string never closed (the file is truncated or a quote is missing)")
		}
		q := j + k
		n := 0
		for q-1-n > i && p.data[q-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			esc := n > 0 || bytes.IndexByte(p.data[i+1:q], '\\') >= 0
			return q + 1, esc, nil
		}
		j = q + 1
	}
}

func (p *parser) literal(i int, word string, kind ValueKind) (Value, int, error) {
	if !bytes.HasPrefix(p.data[i:], []byte(word)) {
		return Value{}, i, p.errorf(i, "unexpected %s, want a value (did you mean %s?)", p.what(i), word)
	}
	return Value{Kind: kind, Start: i, End: i + len(word), src: p.src}, i + len(word), nil
}

func (p *parser) number(i int) (Value, int, error) {
	start := i
	if p.data[i] == '-' {
		i++
		if bytes.HasPrefix(p.data[i:], []byte("Infinity")) {
			i += len("Infinity")
			return Value{Kind: JSONNumber, Start: start, End: i, src: p.src}, i, nil
		}
	}
	digits := func() int {
		n := 0
		for i < len(p.data) && p.data[i] >= '0' && p.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(p.data) && p.data[i] == '0' {
		i++ // no leading zeros: "01" is 0 followed by garbage, as Python reads it
	} else if digits() == 0 {
		return Value{}, i, p.errorf(i, "malformed number %q", p.data[start:i])
	}
	if i < len(p.data) && p.data[i] == '.' {
		i++
		if digits() == 0 {
			return Value{}, i, p.errorf(i, "malformed number %q: digits must follow the decimal point", p.data[start:i])
		}
	}
	if i < len(p.data) && (p.data[i] == 'e' || p.data[i] == 'E') {
		i++
		if i < len(p.data) && (p.data[i] == '+' || p.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return Value{}, i, p.errorf(i, "malformed number %q: digits must follow the exponent", p.data[start:i])
		}
	}
	return Value{Kind: JSONNumber, Start: start, End: i, src: p.src}, i, nil
}

func (p *parser) object(i int, depth int) (Value, int, error) {
	v := Value{Kind: JSONObject, Start: i, src: p.src}
	if depth >= MaxDepth {
		return v, i, p.errorf(i, "objects and arrays nested more than %d deep", MaxDepth)
	}
	i = p.ws(i + 1)
	if i < len(p.data) && p.data[i] == '}' {
		v.End = i + 1
		return v, v.End, nil
	}
	base := len(p.members) // on errors the stack is abandoned with the tree
	for {
		if i >= len(p.data) {
			return v, i, p.unclosed(v.Start, "object")
		}
		if p.data[i] != '"' {
			return v, i, p.errorf(i, "unexpected %s, want a quoted key (a trailing comma?)", p.what(i))
		}
		end, esc, err := p.str(i)
		key := Value{Kind: JSONString, Start: i, End: end, Escaped: esc, src: p.src}
		if err != nil {
			return v, end, err
		}
		i = p.ws(end)
		if i >= len(p.data) {
			return v, i, p.unclosed(v.Start, "object")
		}
		if p.data[i] != ':' {
			return v, i, p.errorf(i, "unexpected %s after key %s, want ':'", p.what(i), clip(p.data[key.Start:key.End]))
		}
		val, next, err := p.value(p.ws(i+1), depth+1)
		if err != nil {
			return v, next, err
		}
		p.members = append(p.members, Member{Key: key, Value: val})
		i = p.ws(next)
		if i >= len(p.data) {
			return v, i, p.unclosed(v.Start, "object")
		}
		switch p.data[i] {
		case ',':
			i = p.ws(i + 1)
		case '}':
			v.End = i + 1
			v.Members = append([]Member(nil), p.members[base:]...)
			p.members = p.members[:base]
			return v, v.End, nil
		default:
			return v, i, p.errorf(i, "unexpected %s after an object member, want ',' or '}'", p.what(i))
		}
	}
}

func (p *parser) array(i int, depth int) (Value, int, error) {
	v := Value{Kind: JSONArray, Start: i, src: p.src}
	if depth >= MaxDepth {
		return v, i, p.errorf(i, "objects and arrays nested more than %d deep", MaxDepth)
	}
	i = p.ws(i + 1)
	if i < len(p.data) && p.data[i] == ']' {
		v.End = i + 1
		return v, v.End, nil
	}
	base := len(p.elems)
	for {
		e, next, err := p.value(i, depth+1)
		if err != nil {
			return v, next, err
		}
		p.elems = append(p.elems, e)
		i = p.ws(next)
		if i >= len(p.data) {
			return v, i, p.unclosed(v.Start, "array")
		}
		switch p.data[i] {
		case ',':
			i = p.ws(i + 1)
		case ']':
			v.End = i + 1
			v.Elems = append([]Value(nil), p.elems[base:]...)
			p.elems = p.elems[:base]
			return v, v.End, nil
		default:
			return v, i, p.errorf(i, "unexpected %s after an array element, want ',' or ']'", p.what(i))
		}
	}
}

func (p *parser) unclosed(open int, what string) error {
	line, col := LineCol(p.data, open)
	return p.errorf(len(p.data), "unexpected end of file inside the %s opened at line %d, column %d (the file is truncated)", what, line, col)
}

// clip shortens text quoted in an error message.
func clip(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}
