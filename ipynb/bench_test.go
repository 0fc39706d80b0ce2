package ipynb

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rolecall/rolecall/ipynb/nbtest"
)

// imageHeavy builds a ~20 MB notebook: a few code cells and twenty 1 MB
// base64 PNG outputs, the shape that makes raw-text scanners slow.
func imageHeavy() []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	raw := make([]byte, 768<<10)
	for i := range raw {
		raw[i] = byte(rng.Uint32())
	}
	png := base64.StdEncoding.EncodeToString(raw)
	nb := &nbtest.Notebook{Minor: 5, Metadata: nbtest.Map{{Key: "kernelspec", Value: nbtest.Map{{Key: "language", Value: "python"}}}}}
	for i := 0; i < 20; i++ {
		nb.Cells = append(nb.Cells, nbtest.Cell{
			Type: "code", ID: fmt.Sprintf("cell-%d", i), ExecutionCount: i + 1,
			Source: "import matplotlib.pyplot as plt\nplt.plot(range(10))\nplt.title(\"figure\")\nplt.show()\n",
			Outputs: []nbtest.Output{{Type: "display_data", Data: nbtest.Map{
				{Key: "image/png", Value: png},
				{Key: "text/plain", Value: "<Figure size 640x480 with 1 Axes>"},
			}}},
		})
	}
	return nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})
}

func BenchmarkParseImageHeavy(b *testing.B) {
	data := imageHeavy()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		nb, err := Parse("plots.ipynb", data)
		if err != nil || len(nb.Segments) != 40 {
			b.Fatalf("%v, %d segments", err, len(nb.Segments))
		}
	}
}

// BenchmarkParseTextHeavy is the other extreme: every byte is source that
// must be decoded and mapped.
func BenchmarkParseTextHeavy(b *testing.B) {
	nb := &nbtest.Notebook{Minor: 5}
	for i := 0; i < 2000; i++ {
		nb.Cells = append(nb.Cells, nbtest.Cell{
			Type: "code", ID: fmt.Sprintf("c%d", i),
			Source:  "df = pd.read_csv(\"s3://bucket/key.csv\")\nprint(df.head())\nfor k, v in d.items():\n    print(f\"{k}: {v}\\t\")\n",
			Outputs: []nbtest.Output{{Type: "stream", Name: "stdout", Text: "a: 1\t\nb: 2\t\n"}},
		})
	}
	data := nbtest.Write(nb, nbtest.Jupyter, nbtest.Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("text.ipynb", data); err != nil {
			b.Fatal(err)
		}
	}
}
