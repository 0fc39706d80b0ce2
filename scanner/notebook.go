package scanner

import (
	"fmt"
	"strings"

	"github.com/rolecall/rolecall/detectors"
	"github.com/rolecall/rolecall/ipynb"
)

// scanNotebook scans a notebook segment by segment: each cell's decoded
// source, each text output and each metadata string is its own fragment,
// and each match is mapped back to the bytes of the file as stored. ok is
// false for files that are not notebooks.
func (s *Scanner) scanNotebook(c Content) (findings []Finding, warnings []string, ok bool) {
	if ipynb.Sniff(c.Path, c.Data) == ipynb.FormatNone {
		return nil, nil, false
	}
	nb, err := ipynb.Parse(c.Path, c.Data)
	if err != nil {
		// Still scan it: a broken notebook can hold a working key.
		return s.scanText(c), []string{fmt.Sprintf("not a valid notebook, scanned as plain text: %v", err)}, true
	}
	if nb == nil {
		return nil, nil, false
	}
	checkpoint := strings.Contains("/"+c.Path, "/.ipynb_checkpoints/")
	var li *LineIndex
	for i := range nb.Segments {
		seg := &nb.Segments[i]
		lang := detectors.Lang(seg.Lang)
		if seg.WriteFile != "" {
			lang = detectors.LangForPath(seg.WriteFile) // %%writefile kaggle.json
		}
		ms := s.engine.Detect(detectors.Fragment{Path: c.rulePath(), Lang: lang, Text: seg.Text})
		if len(ms) == 0 {
			continue
		}
		if li == nil {
			li = NewLineIndex(c.Data)
		}
		cellLines := NewLineIndex(seg.Text)
		for _, m := range ms {
			f := s.finding(c, li, m, seg.RawOffset(m.Start), seg.RawEnd(m.End))
			loc := &NotebookLocation{
				Cell: seg.Cell, CellID: seg.CellID, CellType: seg.CellType, Part: string(seg.Kind),
				MetadataKey: seg.Key, Checkpoint: checkpoint, Format: string(nb.Format),
			}
			loc.CellLine, loc.CellColumn = cellLines.Pos(m.Start)
			if seg.Output != nil {
				loc.Output = &OutputLocation{Index: seg.Output.Index + 1, Type: seg.Output.Type, MIME: seg.Output.MIME}
			}
			f.Notebook = loc
			findings = append(findings, f)
		}
	}
	SortFindings(findings)
	return findings, nb.Warnings, true
}
