// Package scanner turns sources (files, directories, git blobs) into
// findings: it splits content into fragments (notebook segments or whole
// files), runs the detectors on them, and maps each match back to a
// location in the file as stored.
package scanner

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/detectors"
)

// Finding is one secret at one place. Its JSON form is a public interface
// (documented in the README): scripts and CI pipelines read these names.
type Finding struct {
	RuleID      string             `json:"rule"`
	Description string             `json:"description"`
	Severity    detectors.Severity `json:"severity"`
	File        string             `json:"file"`
	// Line and Column are 1-based, in the file as stored on disk (for a
	// notebook, the raw JSON); columns count Unicode code points.
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"` // column of the secret's last character
	Secret    string `json:"secret"`
	// Fingerprint depends on rule, file and secret but not on the line, so a
	// baseline survives edits above the secret; it is keyed (see
	// FingerprintKey) so it does not give the secret away.
	Fingerprint string            `json:"fingerprint"`
	Commit      string            `json:"commit,omitempty"`
	Author      string            `json:"author,omitempty"`
	Email       string            `json:"email,omitempty"`
	Date        string            `json:"date,omitempty"`
	AccountID   string            `json:"account_id,omitempty"`
	Notebook    *NotebookLocation `json:"notebook,omitempty"`
	// Encoding is "base64" (or "base64 in base64") when the secret was
	// found by decoding the literal at this position: Secret is the
	// decoded secret, the position is the encoded literal's.
	Encoding string `json:"encoding,omitempty"`
	Hint     string `json:"hint,omitempty"`
	// Verification is set by scan --verify for AWS key pairs.
	Verification *Verification `json:"verification,omitempty"`

	// Offset and EndOffset are byte offsets of the secret in the file as
	// stored, for fixers; KeyID pairs an AWS secret with its key id.
	Offset    int    `json:"-"`
	EndOffset int    `json:"-"`
	KeyID     string `json:"-"`
	// FileEncoding is set ("UTF-16LE", ...) when the file was decoded to be
	// scanned: Offset and EndOffset are in the file, but a fixer must not
	// splice UTF-8 into it.
	FileEncoding string `json:"-"`
	// RulePath is the path rules and allowlists saw (relative to the scan
	// root), so a re-scan of the same file applies the same ones.
	RulePath string `json:"-"`
}

// MoveTo attributes f, found in a scan of the same content under another
// path of the same class (detectors.Engine.PathClass), to path, as a scan
// under path with key would have made it: the class fixes everything else,
// so what changes is the name and the fingerprint, which hashes it.
func (f *Finding) MoveTo(path string, key *FingerprintKey) {
	f.File = path
	f.RulePath = path
	f.Fingerprint = key.Fingerprint(f.RuleID, path, f.Secret)
}

// Verification is what STS GetCallerIdentity said about a key pair:
// status live, dead, unknown (no answer: network error, throttling) or
// canary (a canary-token account: never called).
type Verification struct {
	Status  string `json:"status"`
	ARN     string `json:"arn,omitempty"`
	Account string `json:"account,omitempty"`
	Error   string `json:"error,omitempty"`
}

// NotebookLocation says where in a notebook a finding is, the way a person
// looking at Jupyter finds it.
type NotebookLocation struct {
	Cell       int             `json:"cell"` // 1-based, top to bottom; 0 for notebook metadata
	CellID     string          `json:"cell_id"`
	CellType   string          `json:"cell_type,omitempty"`
	CellLine   int             `json:"cell_line"`
	CellColumn int             `json:"cell_column"`
	Output     *OutputLocation `json:"output"`
	// Part is source, output or metadata; MetadataKey names the metadata string.
	Part        string `json:"part"`
	MetadataKey string `json:"metadata_key,omitempty"`
	// Checkpoint marks a copy under .ipynb_checkpoints/.
	Checkpoint bool   `json:"checkpoint,omitempty"`
	Format     string `json:"format,omitempty"`
}

// OutputLocation identifies a cell output.
type OutputLocation struct {
	Index int    `json:"index"` // 1-based, like Cell and the text report
	Type  string `json:"type"`
	MIME  string `json:"mime,omitempty"`
}

// FingerprintKey keys the fingerprints of a scan: HMAC-SHA256 with a key
// stable for a repository, so a baseline made on one clone works on every
// other, while a reader of a report who does not know the key cannot test
// guesses of a secret against a fingerprint. The key is loaded on the first
// finding (finding the root commit walks the history), so a scan that
// finds nothing pays nothing. A nil *FingerprintKey is the empty key.
type FingerprintKey struct {
	once   sync.Once
	load   func() (key []byte, source string)
	key    []byte
	source string
	loaded atomic.Bool
}

// NewFingerprintKey returns a key that load supplies when first needed,
// with a description of where it came from ("" when there is none).
func NewFingerprintKey(load func() (key []byte, source string)) *FingerprintKey {
	return &FingerprintKey{load: load}
}

func (k *FingerprintKey) get() []byte {
	if k == nil {
		return nil
	}
	k.once.Do(func() {
		if k.load != nil {
			k.key, k.source = k.load()
		}
		k.loaded.Store(true)
	})
	return k.key
}

// Source says where the key came from ("" when there was none) and
// whether it was needed at all.
func (k *FingerprintKey) Source() (source string, used bool) {
	if k == nil || !k.loaded.Load() {
		return "", false
	}
	return k.source, true
}

// Fingerprint hashes rule, file and secret with the key: stable when
// lines move, never revealing the secret.
func (k *FingerprintKey) Fingerprint(rule, file, secret string) string {
	h := hmac.New(sha256.New, k.get())
	writeFingerprintInput(h, rule, file, secret)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// UnkeyedFingerprint is the fingerprint rolecall wrote before keys: a plain
// SHA-256, which a dictionary can reverse. Baselines holding them are
// still read (see Baseline) but nothing writes them any more.
func UnkeyedFingerprint(rule, file, secret string) string {
	h := sha256.New()
	writeFingerprintInput(h, rule, file, secret)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeFingerprintInput(h hash.Hash, rule, file, secret string) {
	h.Write([]byte(rule))
	h.Write([]byte{0})
	h.Write([]byte(file))
	h.Write([]byte{0})
	h.Write([]byte(secret))
}

// SortFindings orders findings by file, commit, position and rule, so that
// reports are stable from run to run whatever the worker scheduling.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return Compare(&a, &b) })
}

// Compare orders two findings by file, commit, line, column and rule.
func Compare(a, b *Finding) int {
	return cmp.Or(
		strings.Compare(a.File, b.File),
		strings.Compare(a.Commit, b.Commit),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		strings.Compare(a.RuleID, b.RuleID),
	)
}

// Display is how a report shows a secret: in full when show is set, else
// redacted, except AWS key and principal ids (AKIA..., AIDA...): they are
// identifiers, not secrets, and shown in full unless redactIDs, so a
// rotation command can be run as printed and two keys tell apart.
func Display(secret string, show, redactIDs bool) string {
	if show || !redactIDs && detectors.IsAWSID(secret) {
		return secret
	}
	return Redact(secret)
}

// Redact keeps the first characters of a secret: four, or fewer for short
// secrets so that most of a short password is never shown.
func Redact(secret string) string {
	r := []rune(secret)
	n := 4
	if len(r) < 12 {
		n = len(r) / 4
	}
	return string(r[:n]) + "***"
}
