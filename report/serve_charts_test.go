package report

import (
	"bytes"
	"testing"

	"chipgap/serve"
)

func TestServeChartsAreSVG(t *testing.T) {
	r := &serve.Result{Series: []serve.Sample{{T: 0, Waiting: 3, Running: 1, KV: []float64{0.1}}, {T: 1, Waiting: 1, Running: 4, KV: []float64{0.6}}}}
	q, kv := ServeCharts(r, []string{"serve"})
	for _, b := range [][]byte{q, kv} {
		if !bytes.HasPrefix(bytes.TrimSpace(b), []byte("<svg")) || !bytes.Contains(b, []byte("<path")) {
			t.Fatalf("chart is not an SVG with a line: %.80s", b)
		}
	}
}
