// Package scantest generates source trees for the directory-scan
// benchmarks (go test -bench ScanTree ./scanner, bench/scan-vs-rg.sh).
package scantest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// Lines of ordinary code, config and prose. Some mention keywords (token,
// key, secret, password) the way real code does, so the prefilter has work.
var benchLines = map[string][]string{
	".py": {
		"import numpy as np", "from collections import defaultdict",
		"def tokenize(text, max_tokens=512):", "    tokens = tokenizer.encode(text)[:max_tokens]",
		"    return [t for t in tokens if t != tokenizer.pad_token_id]",
		"for key, value in sorted(config.items(), key=lambda kv: kv[0]):",
		"    print(f\"{key}: {value}\")", "df = pd.read_parquet(path, columns=['id', 'score'])",
		"password = getpass.getpass('Password: ')", "secret_name = os.environ['SECRET_NAME']",
		"# compute the rolling mean over a seven day window", "result = df.groupby('key').agg({'score': 'mean'})",
		"class Model(nn.Module):", "    def forward(self, x):", "        return self.head(self.encoder(x))",
		"s3 = boto3.client('s3')", "cache_key = hashlib.sha256(payload).hexdigest()",
	},
	".js": {
		"const express = require('express');", "app.get('/api/items/:id', async (req, res) => {",
		"  const token = req.headers.authorization?.split(' ')[1];", "  if (!token) return res.status(401).end();",
		"  const item = await db.items.findOne({ id: req.params.id });", "  res.json(item);", "});",
		"export function keyBy(list, key) { return Object.fromEntries(list.map(x => [x[key], x])); }",
		"// TODO: move the secret lookup to the vault client",
	},
	".yaml": {
		"service:", "  name: scoring", "  replicas: 3", "  env:", "    - name: LOG_LEVEL", "      value: info",
		"    - name: DB_PASSWORD", "      valueFrom: {secretKeyRef: {name: db, key: password}}",
		"  resources: {limits: {cpu: '2', memory: 4Gi}}",
	},
	".md": {
		"# Scoring service", "Run `make test` before you push.", "The API key is read from the environment.",
		"See the runbook for rotating the database password.", "| column | type | description |",
		"| --- | --- | --- |", "| id | int | primary key |",
	},
	".go": {
		"package store", "func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {",
		"\ttok, err := s.tokens.Next(ctx)", "\tif err != nil {", "\t\treturn nil, fmt.Errorf(\"get %s: %w\", key, err)",
		"\t}", "\treturn s.db.Read(ctx, tok, key)", "}",
	},
}

// GenTree writes about size bytes of mixed source files under dir, with a
// handful of planted secrets (one file in 97), and returns the bytes
// written.
func GenTree(dir string, size int) (int64, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	set := testsecrets.New(77)
	exts := []string{".py", ".js", ".yaml", ".md", ".go"}
	var total int64
	for i := 0; total < int64(size); i++ {
		ext := exts[i%len(exts)]
		var b strings.Builder
		n := 50 + rng.IntN(400)
		for j := 0; j < n; j++ {
			lines := benchLines[ext]
			b.WriteString(lines[rng.IntN(len(lines))])
			b.WriteByte('\n')
		}
		if i%97 == 0 {
			fmt.Fprintf(&b, "api_key = %q\n", set.Get(fmt.Sprintf("token.%d", i)))
		}
		p := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("file%04d%s", i, ext))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return total, err
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return total, err
		}
		total += int64(b.Len())
	}
	return total, nil
}
