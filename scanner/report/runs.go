package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"

	"github.com/rolecall/rolecall/scanner"
)

// SARIFRun is one run of a multi-run log: the findings of one repository
// in a `rolecall org` report.
type SARIFRun struct {
	// Properties go on the run (the repository's name).
	Properties map[string]any
	Findings   []scanner.Finding
	// ResultProperties[i], if present, are added to the properties of the
	// result of Findings[i].
	ResultProperties []map[string]any
}

// WriteSARIFRuns writes one SARIF log with a run per element of runs,
// rendering one run at a time so that memory holds one repository's
// findings, not the organisation's. Each result also carries the finding
// fields SARIF has no place for (secret as shown, account, author, email,
// date), so that a merge can read the log back without loss.
func WriteSARIFRuns(w io.Writer, runs iter.Seq2[SARIFRun, error], o Options) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\n  \"$schema\": %q,\n  \"version\": \"2.1.0\",\n  \"runs\": ", sarifSchema)
	arr := NewJSONArray(bw, "  ")
	for r, err := range runs {
		if err != nil {
			return err
		}
		fs := prepare(r.Findings, o)
		run := sarifRunOf(fs, o, nil)
		run.Properties = r.Properties
		for i := range run.Results {
			props := run.Results[i].Properties
			f := &fs[i]
			props["secret"] = f.Secret
			for k, v := range map[string]string{"account_id": f.AccountID, "author": f.Author, "email": f.Email, "date": f.Date} {
				if v != "" {
					props[k] = v
				}
			}
			if i < len(r.ResultProperties) {
				for k, v := range r.ResultProperties[i] {
					props[k] = v
				}
			}
		}
		if err := arr.Add(run); err != nil {
			return err
		}
	}
	arr.Close()
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// JSONArray writes a JSON array one element at a time, laid out as
// json.MarshalIndent lays out a slice at depth prefix, so a long report
// holds one element in memory, not all.
type JSONArray struct {
	w      *bufio.Writer
	prefix string
	n      int
}

// NewJSONArray starts an array on w.
func NewJSONArray(w *bufio.Writer, prefix string) *JSONArray {
	w.WriteByte('[')
	return &JSONArray{w: w, prefix: prefix}
}

// Add appends one element.
func (a *JSONArray) Add(v any) error {
	data, err := json.MarshalIndent(v, a.prefix+"  ", "  ")
	if err != nil {
		return err
	}
	if a.n > 0 {
		a.w.WriteByte(',')
	}
	a.w.WriteString("\n" + a.prefix + "  ")
	a.w.Write(data)
	a.n++
	return nil
}

// Close ends the array.
func (a *JSONArray) Close() {
	if a.n > 0 {
		a.w.WriteString("\n" + a.prefix)
	}
	a.w.WriteByte(']')
}
