package ipynb

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// checkMap verifies a segment's offset map against the file: every decoded
// byte maps inside the file, spans never run backwards, and exact pieces
// copy the file's bytes. It returns a description of the first problem.
func checkMap(data []byte, seg *Segment) string {
	for d := 0; d < len(seg.Text); d++ {
		r, e := seg.RawOffset(d), seg.RawEnd(d+1)
		if r < 0 || r > e || e > len(data) {
			return fmt.Sprintf("decoded byte %d maps to raw [%d,%d) of %d", d, r, e, len(data))
		}
	}
	end := 0
	for _, p := range seg.pieces {
		if p.dec != end {
			return fmt.Sprintf("pieces not contiguous at decoded %d", p.dec)
		}
		end = p.dec + p.decLen
		if p.raw < 0 || p.raw+p.rawLen > len(data) {
			return "piece outside the file"
		}
		if p.exact && !bytes.Equal(seg.Text[p.dec:p.dec+p.decLen], data[p.raw:p.raw+p.rawLen]) {
			return fmt.Sprintf("exact piece at decoded %d differs from the file", p.dec)
		}
	}
	if end != len(seg.Text) {
		return fmt.Sprintf("pieces cover %d of %d decoded bytes", end, len(seg.Text))
	}
	return ""
}

func checkAllMaps(t *testing.T, data []byte, nb *Notebook) {
	t.Helper()
	for i := range nb.Segments {
		if msg := checkMap(data, &nb.Segments[i]); msg != "" {
			t.Errorf("segment %d (%s cell %d %s): %s", i, nb.Segments[i].Kind, nb.Segments[i].Cell, nb.Segments[i].Key, msg)
		}
	}
}

// rawOf returns the file bytes a decoded span maps to.
func rawOf(data []byte, seg *Segment, i, n int) string {
	return string(data[seg.RawOffset(i):seg.RawEnd(i+n)])
}

// find returns the segments whose text contains s.
func find(nb *Notebook, s string) []*Segment {
	var out []*Segment
	for i := range nb.Segments {
		if bytes.Contains(nb.Segments[i].Text, []byte(s)) {
			out = append(out, &nb.Segments[i])
		}
	}
	return out
}

func one(t *testing.T, nb *Notebook, s string) *Segment {
	t.Helper()
	got := find(nb, s)
	if len(got) != 1 {
		var where []string
		for _, g := range got {
			where = append(where, string(g.Kind)+" "+g.Key)
		}
		t.Fatalf("%q is in %d segments %v, want 1", s, len(got), where)
	}
	return got[0]
}

// Decoys are built at run time so that no file in the repository holds a
// string that looks like a credential.
type decoys struct {
	awsKeyID string // AKIA + 16 capitals: what an access key id looks like
	png      string // base64 image payload with awsKeyID inside
	hash     string // 40 hex digits, as vscode.interpreter.hash
	cellID   string
	widget   string
}

func newDecoys() decoys {
	var caps []byte
	for i := 0; i < 16; i++ {
		caps = append(caps, byte('A'+(i*7+3)%26))
	}
	key := "AK" + "IA" + string(caps)
	raw := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xfe}, 40)
	png := base64.StdEncoding.EncodeToString(raw[:120]) + key + base64.StdEncoding.EncodeToString(raw[120:])
	sum := sha1.Sum([]byte("interpreter"))
	return decoys{
		awsKeyID: key,
		png:      png,
		hash:     hex.EncodeToString(sum[:]),
		cellID:   "c0ffee" + strings.ToLower(string(caps[:6])),
		widget:   "wd" + hex.EncodeToString(sum[:12]),
	}
}

func (d decoys) all() []string { return []string{d.awsKeyID, d.hash, d.cellID, d.widget} }

func checkNoDecoys(t *testing.T, nb *Notebook, d decoys) {
	t.Helper()
	for _, s := range d.all() {
		for _, seg := range find(nb, s) {
			t.Errorf("decoy %q leaked into %s segment (cell %d, key %q, output %+v)", s, seg.Kind, seg.Cell, seg.Key, seg.Output)
		}
	}
}
