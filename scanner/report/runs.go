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
	fmt.Fprintf(bw, "{\n  \"$schema\": %q,\n  \"version\": \"2.1.0\",\n  \"runs\": [", sarifSchema)
	n := 0
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
		data, err := json.MarshalIndent(run, "    ", "  ")
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(data)
		n++
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}
