// Package ipynb reads notebooks (Jupyter nbformat 3 and 4, Zeppelin, jupytext
// scripts, Databricks source exports, R Markdown and Quarto) into segments:
// the decoded text of one cell's source or one output, plus a map from every
// byte of that text back to the bytes of the file on disk.
//
// Scanning decoded text is what lets rolecall see `\"AKIA...\"` inside a JSON
// string as the Python literal it is; the map is what lets it report the
// exact line and column of the file as stored, for SARIF and for fixes.
package ipynb

import (
	"slices"
	"sort"
)

// Kind says which part of a notebook a segment holds.
type Kind string

const (
	KindSource   Kind = "source"   // a cell's source
	KindOutput   Kind = "output"   // text of a cell output
	KindMetadata Kind = "metadata" // a string in notebook or cell metadata
)

// Output identifies a cell output.
type Output struct {
	Index int    // 0-based position in the cell's outputs
	Type  string // output_type: stream, execute_result, display_data, error (Zeppelin: TEXT, HTML, TABLE)
	MIME  string // the mimebundle key for execute_result/display_data; stream name for streams
}

// Segment is one stretch of decoded notebook text.
type Segment struct {
	Text     []byte
	Kind     Kind
	Cell     int    // 1-based cell number; 0 for notebook-level metadata
	CellID   string // nbformat 4.5 cell id, Zeppelin paragraph id, or ""
	CellType string // code, markdown, raw (or the notebook format's own word)
	// Lang is the language of Text, in the vocabulary of detectors.Lang
	// (python, r, scala, sql, shell, markdown, json, text, ...).
	Lang   string
	Output *Output // set when Kind is KindOutput
	// Key is, for metadata, the JSON path of the string (e.g. "metadata.title").
	Key string
	// WriteFile is the target of a %%writefile cell magic: the cell is that
	// file's content, so its language follows the file name, not the kernel.
	WriteFile string

	pieces []piece
}

// piece maps a stretch of decoded bytes to raw bytes. Exact pieces copy raw
// bytes one for one; others (a JSON escape such as \n or \u00e9, a joined
// separator) map every decoded byte to the whole raw stretch.
type piece struct {
	dec, raw       int
	decLen, rawLen int
	exact          bool
}

// RawOffset maps a decoded offset (the start of a match) to the file offset
// of the byte that produced it.
func (s *Segment) RawOffset(dec int) int {
	p := s.pieceAt(dec)
	if p == nil {
		return 0
	}
	if p.exact {
		return p.raw + min(dec-p.dec, p.rawLen)
	}
	return p.raw
}

// RawEnd maps a decoded end offset (exclusive) to the exclusive file offset
// just past the raw bytes that produced decoded byte end-1.
func (s *Segment) RawEnd(end int) int {
	if end <= 0 {
		return s.RawOffset(0)
	}
	p := s.pieceAt(end - 1)
	if p == nil {
		return 0
	}
	if p.exact {
		return p.raw + min(end-p.dec, p.rawLen)
	}
	return p.raw + p.rawLen
}

func (s *Segment) pieceAt(dec int) *piece {
	if len(s.pieces) == 0 {
		return nil
	}
	i := sort.Search(len(s.pieces), func(i int) bool { return s.pieces[i].dec > dec }) - 1
	if i < 0 {
		i = 0
	}
	return &s.pieces[i]
}

// Builder assembles a segment's decoded text and its map. Appends must come
// in decoded order; raw offsets may jump (one cell's source is several JSON
// strings).
type Builder struct {
	seg Segment
}

// NewBuilder starts a segment with the identity fields set from tmpl.
func NewBuilder(tmpl Segment) *Builder {
	tmpl.Text, tmpl.pieces = nil, nil
	return &Builder{seg: tmpl}
}

// Exact appends raw bytes that decode to themselves, found at file offset raw.
func (b *Builder) Exact(text []byte, raw int) {
	if len(text) == 0 {
		return
	}
	n := len(b.seg.pieces)
	if n > 0 {
		last := &b.seg.pieces[n-1]
		if last.exact && last.raw+last.rawLen == raw && last.dec+last.decLen == len(b.seg.Text) {
			last.decLen += len(text)
			last.rawLen += len(text)
			b.seg.Text = append(b.seg.Text, text...)
			return
		}
	}
	b.seg.pieces = append(b.seg.pieces, piece{dec: len(b.seg.Text), raw: raw, decLen: len(text), rawLen: len(text), exact: true})
	b.seg.Text = append(b.seg.Text, text...)
}

// Mapped appends decoded bytes produced by the raw stretch [raw, raw+rawLen):
// an escape sequence, or text that stands for a separator between strings.
func (b *Builder) Mapped(text []byte, raw, rawLen int) {
	if len(text) == 0 {
		return
	}
	b.seg.pieces = append(b.seg.pieces, piece{dec: len(b.seg.Text), raw: raw, decLen: len(text), rawLen: rawLen})
	b.seg.Text = append(b.seg.Text, text...)
}

// Grow reserves room for n more decoded bytes and pieces more pieces, so
// that a segment built from many JSON strings is not copied as it grows.
func (b *Builder) Grow(n, pieces int) {
	b.seg.Text = slices.Grow(b.seg.Text, n)
	b.seg.pieces = slices.Grow(b.seg.pieces, pieces)
}

// Len is the decoded length so far.
func (b *Builder) Len() int { return len(b.seg.Text) }

// Segment returns the built segment.
func (b *Builder) Segment() Segment { return b.seg }

// Identity returns a segment whose text is data[start:end] itself, as for the
// cells of text-based notebook formats.
func Identity(tmpl Segment, data []byte, start, end int) Segment {
	b := NewBuilder(tmpl)
	b.Exact(data[start:end], start)
	return b.Segment()
}
