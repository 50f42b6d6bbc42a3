package report

import (
	"fmt"

	"chipgap/plot"
	"chipgap/serve"
)

// ServeCharts draws a serving run's time series as two SVG line charts
// (package plot): the requests waiting, running and in KV transfer; and
// each pool's KV cache use in percent. For chipgap simulate --chart and
// the web page.
func ServeCharts(r *serve.Result, pools []string) (queue, kv []byte) {
	n := len(r.Series)
	x := make([]float64, n)
	wait, run, moving := make([]float64, n), make([]float64, n), make([]float64, n)
	use := make([][]float64, len(pools))
	for i := range use {
		use[i] = make([]float64, n)
	}
	for i, s := range r.Series {
		x[i], wait[i], run[i], moving[i] = s.T, float64(s.Waiting), float64(s.Running), float64(s.InTransit)
		for p := range use {
			if p < len(s.KV) {
				use[p][i] = 100 * s.KV[p]
			}
		}
	}
	qs := []plot.Series{{Name: "waiting", X: x, Y: wait}, {Name: "running", X: x, Y: run}}
	if len(pools) > 1 {
		qs = append(qs, plot.Series{Name: "in KV transfer", X: x, Y: moving})
	}
	var ks []plot.Series
	for p, name := range pools {
		ks = append(ks, plot.Series{Name: fmt.Sprintf("KV %s", name), X: x, Y: use[p]})
	}
	queue = plot.Lines("Requests over time", "s", "requests", qs, 0)
	kv = plot.Lines("KV cache use over time", "s", "%", ks, 100)
	return queue, kv
}
