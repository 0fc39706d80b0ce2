package scanner

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// LineIndex finds the 1-based line and column (in code points) of byte
// offsets in a text. Built once per file, only when the file has a finding.
type LineIndex struct {
	text   []byte
	starts []int // byte offset where each line starts
	// A cursor at the last position computed: findings come in offset
	// order, so on a long line (minified JSON) columns are counted onward
	// from the previous one instead of from the line start each time.
	curLine, curOff, curCol int
}

// NewLineIndex indexes the line starts of text.
func NewLineIndex(text []byte) *LineIndex {
	starts := make([]int, 1, 64)
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return &LineIndex{text: text, starts: starts}
}

// Pos returns the line and column (in code points) of offset off.
func (li *LineIndex) Pos(off int) (line, col int) {
	off = max(0, min(off, len(li.text)))
	i := sort.SearchInts(li.starts, off+1) - 1
	from, col := li.starts[i], 1
	if li.curLine == i+1 && li.curOff <= off {
		from, col = li.curOff, li.curCol
	}
	col += utf8.RuneCount(li.text[from:off])
	li.curLine, li.curOff, li.curCol = i+1, off, col
	return i + 1, col
}

// lastCharPos returns the position of the last character before end.
func (li *LineIndex) lastCharPos(start, end int) (line, col int) {
	last := end - 1
	for last > start && !utf8.RuneStart(li.text[last]) {
		last--
	}
	if last < start {
		last = start
	}
	return li.Pos(last)
}
