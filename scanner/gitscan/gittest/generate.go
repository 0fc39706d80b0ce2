package gittest

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"

	"github.com/rolecall/rolecall/detectors/testsecrets"
)

// NotebookHistory writes a bare repository at dir with a generated
// notebook-heavy history of the given number of commits, for benchmarks:
// thirty notebooks edited a cell at a time (code, text outputs, base64 PNG
// outputs that grow and change as real plots do), Python modules and
// Markdown, a side branch merged every 150 commits, and an AWS key pair
// planted every 100 commits (each in a new cell that later commits keep).
// The repository is packed with `git gc` (deltas, as on a server). It
// returns the planted key ids and secrets, generated at run time from seed.
func NotebookHistory(dir string, commits int, seed uint64) (planted []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	home, err := os.MkdirTemp("", "gittest-home")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(home)
	git := func(stdin io.Reader, args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env, cmd.Stdin = dir, Env(home), stdin
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := git(nil, "init", "-q", "--bare", "-b", "main"); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- git(pr, "fast-import", "--quiet") }()
	g := &historyGen{rng: rand.New(rand.NewPCG(seed, seed+1)), set: testsecrets.New(seed), w: bufio.NewWriter(pw)}
	werr := g.write(commits)
	pw.CloseWithError(werr)
	if err := <-done; err != nil {
		return nil, err
	}
	if werr != nil {
		return nil, werr
	}
	if err := git(nil, "gc", "-q"); err != nil {
		return nil, err
	}
	return g.planted, nil
}

type historyGen struct {
	rng     *rand.Rand
	set     *testsecrets.Set
	w       *bufio.Writer
	mark    int
	planted []string
	nbs     [][]nbCell // notebooks' cells
	mods    []string   // Python modules
}

type nbCell struct {
	src     []string
	text    string // stream output
	png     []byte // image output
	comment bool
}

var genLines = []string{
	"import pandas as pd", "import numpy as np", "import matplotlib.pyplot as plt",
	"df = pd.read_csv('data/measurements.csv', parse_dates=['time'])",
	"df['rolling'] = df['value'].rolling(window=7).mean()", "fig, ax = plt.subplots(figsize=(8, 4))",
	"ax.plot(df['time'], df['rolling'], label='7-day mean')", "model = LinearRegression().fit(X_train, y_train)",
	"print(f'score: {model.score(X_test, y_test):.3f}')", "token_counts = Counter(tokenize(text))",
	"password_field = form.fields['password']", "for key, group in df.groupby('key'):",
	"    print(key, len(group))", "s3 = boto3.client('s3', region_name='us-east-1')",
	"secret_arn = os.environ['SECRET_ARN']", "X = np.linspace(0, 10, 200)", "plt.show()",
}

func (g *historyGen) line() string { return genLines[g.rng.IntN(len(genLines))] }

// png returns a base64-able image body that changes a little each time,
// the way a re-run plot does.
func (g *historyGen) png(old []byte) []byte {
	if old == nil || g.rng.IntN(4) == 0 {
		b := make([]byte, 8000+g.rng.IntN(24000))
		for i := range b {
			b[i] = byte(g.rng.IntN(64)) // compressible, like a plot
		}
		return b
	}
	b := append([]byte(nil), old...)
	for i := 0; i < 200; i++ {
		b[g.rng.IntN(len(b))] = byte(g.rng.IntN(256))
	}
	return b
}

func (g *historyGen) notebook(cells []nbCell) []byte {
	type output map[string]any
	var out []map[string]any
	for i, c := range cells {
		cell := map[string]any{"cell_type": "code", "execution_count": i + 1, "metadata": map[string]any{}, "source": c.src}
		if c.comment {
			cell = map[string]any{"cell_type": "markdown", "metadata": map[string]any{}, "source": c.src}
		} else {
			var outs []output
			if c.text != "" {
				outs = append(outs, output{"output_type": "stream", "name": "stdout", "text": []string{c.text}})
			}
			if c.png != nil {
				outs = append(outs, output{"output_type": "display_data", "metadata": map[string]any{},
					"data": map[string]any{"image/png": base64.StdEncoding.EncodeToString(c.png), "text/plain": []string{"<Figure size 800x400 with 1 Axes>"}}})
			}
			cell["outputs"] = outs
		}
		out = append(out, cell)
	}
	b, _ := json.MarshalIndent(map[string]any{"cells": out, "metadata": map[string]any{"kernelspec": map[string]any{"name": "python3", "language": "python"}},
		"nbformat": 4, "nbformat_minor": 5}, "", " ")
	return append(b, '\n')
}

func (g *historyGen) blob(data []byte) int {
	g.mark++
	fmt.Fprintf(g.w, "blob\nmark :%d\ndata %d\n", g.mark, len(data))
	g.w.Write(data)
	g.w.WriteString("\n")
	return g.mark
}

func (g *historyGen) newCell(plant bool) nbCell {
	c := nbCell{}
	for n := 2 + g.rng.IntN(8); n > 0; n-- {
		c.src = append(c.src, g.line()+"\n")
	}
	switch g.rng.IntN(3) {
	case 0:
		c.png = g.png(nil)
	case 1:
		c.text = fmt.Sprintf("score: 0.%03d\n", g.rng.IntN(1000))
	}
	if plant {
		id, secret := g.set.AWSKeyID(), g.set.AWSSecret()
		g.planted = append(g.planted, id, secret)
		c.src = append(c.src, fmt.Sprintf("aws_access_key_id = %q\n", id), fmt.Sprintf("aws_secret_access_key = %q\n", secret))
	}
	return c
}

// edit changes a file: a notebook cell (source or outputs), or a module.
func (g *historyGen) edit(plant bool) (path string, data []byte) {
	if !plant && g.rng.IntN(5) == 0 {
		i := g.rng.IntN(len(g.mods))
		g.mods[i] += g.line() + "\n"
		return fmt.Sprintf("src/pkg%d/module%02d.py", i%4, i), []byte(g.mods[i])
	}
	i := g.rng.IntN(len(g.nbs))
	cells := g.nbs[i]
	switch k := g.rng.IntN(4); {
	case plant || k == 0 || len(cells) < 3:
		cells = append(cells, g.newCell(plant))
	case k == 1:
		j := g.rng.IntN(len(cells))
		cells[j].src = append(cells[j].src, g.line()+"\n")
	default:
		j := g.rng.IntN(len(cells))
		if cells[j].png != nil {
			cells[j].png = g.png(cells[j].png)
		} else {
			cells[j].text = fmt.Sprintf("score: 0.%03d\n", g.rng.IntN(1000))
		}
	}
	if len(cells) > 40 { // notebooks get split rather than grow forever
		cells = cells[len(cells)-40:]
	}
	g.nbs[i] = cells
	return fmt.Sprintf("notebooks/%02d-analysis.ipynb", i), g.notebook(cells)
}

func (g *historyGen) commit(ref string, n int, from string, merge string, files map[string][]byte) {
	marks := map[string]int{}
	for p, d := range files {
		marks[p] = g.blob(d)
	}
	g.mark++
	fmt.Fprintf(g.w, "commit %s\nmark :%d\n", ref, g.mark)
	when := 1500000000 + n*3600
	fmt.Fprintf(g.w, "author Ada <ada@example.org> %d +0000\ncommitter Ada <ada@example.org> %d +0000\n", when, when)
	msg := fmt.Sprintf("commit %d\n", n)
	fmt.Fprintf(g.w, "data %d\n%s", len(msg), msg)
	if from != "" {
		fmt.Fprintf(g.w, "from %s\n", from)
	}
	if merge != "" {
		fmt.Fprintf(g.w, "merge %s\n", merge)
	}
	for p, m := range marks {
		fmt.Fprintf(g.w, "M 100644 :%d %s\n", m, p)
	}
	g.w.WriteString("\n")
}

func (g *historyGen) write(commits int) error {
	files := map[string][]byte{}
	for i := 0; i < 30; i++ {
		g.nbs = append(g.nbs, []nbCell{g.newCell(false), g.newCell(false)})
		files[fmt.Sprintf("notebooks/%02d-analysis.ipynb", i)] = g.notebook(g.nbs[i])
	}
	for i := 0; i < 20; i++ {
		g.mods = append(g.mods, "\"\"\"Helpers.\"\"\"\n"+g.line()+"\n")
		files[fmt.Sprintf("src/pkg%d/module%02d.py", i%4, i)] = []byte(g.mods[i])
	}
	files["README.md"] = []byte("# Analysis notebooks\n")
	g.commit("refs/heads/main", 0, "", "", files)
	mainTip, sideStart := g.mark, 0
	for n := 1; n < commits; n++ {
		changed := map[string][]byte{}
		for k := 1 + g.rng.IntN(3); k > 0; k-- {
			p, d := g.edit(n%100 == 50 && k == 1)
			changed[p] = d
		}
		switch {
		case n%150 == 140: // a side branch of a few commits...
			sideStart = mainTip
			g.commit("refs/heads/side", n, fmt.Sprintf(":%d", mainTip), "", changed)
		case n%150 > 140 && n%150 < 149:
			g.commit("refs/heads/side", n, "", "", changed)
		case n%150 == 149 && sideStart != 0: // ...merged back
			side := g.mark
			g.commit("refs/heads/main", n, fmt.Sprintf(":%d", mainTip), fmt.Sprintf(":%d", side), changed)
			mainTip = g.mark
		default:
			g.commit("refs/heads/main", n, fmt.Sprintf(":%d", mainTip), "", changed)
			mainTip = g.mark
		}
	}
	return g.w.Flush()
}
