package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"chipgap/goodput"
	"chipgap/uncertain"
)

// rangeSamples is how many draws of the input ranges the closed form
// is evaluated on (about a millisecond per thousand).
const rangeSamples = 2000

// maybe is a figure that may be infinite (a run that never finishes);
// it encodes +Inf as JSON null.
type maybe float64

func (m maybe) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(m))
}

func (m maybe) text(format string) string {
	if math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		return "never"
	}
	return fmt.Sprintf(format, float64(m))
}

// spread is P10/P50/P90 of draws that may be +Inf.
type spread struct {
	P10 maybe `json:"p10"`
	P50 maybe `json:"p50"`
	P90 maybe `json:"p90"`
}

func spreadOf(xs []float64) spread {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) maybe { return maybe(uncertain.Percentile(s, p)) } // +Inf draws stay +Inf
	return spread{q(0.1), q(0.5), q(0.9)}
}

// rangeJSON is one cluster's closed form over draws of its inputs.
type rangeJSON struct {
	Draws      int     `json:"draws"`
	TotalDays  spread  `json:"total_days"`
	Effective  spread  `json:"effective_training"`
	NoProgress float64 `json:"no_progress_share"`
}

// total is an estimate's port + wall in days, +Inf when it never ends.
func total(e goodput.Estimate) float64 {
	if e.NoProgress {
		return math.Inf(1)
	}
	return (e.Port + e.Wall).Days()
}

func (s side) ranges() rangeJSON {
	var tot, eff []float64
	stuck := 0
	for _, e := range s.Samples {
		tot = append(tot, total(e))
		eff = append(eff, e.Effective)
		if e.NoProgress {
			stuck++
		}
	}
	return rangeJSON{Draws: len(s.Samples), TotalDays: spreadOf(tot), Effective: spreadOf(eff),
		NoProgress: float64(stuck) / float64(max(len(s.Samples), 1))}
}

func (s side) rangeLine() string {
	r := s.ranges()
	line := fmt.Sprintf("input ranges (closed form over %d draws of every input in [min, typ, max]): total P10 %s, P50 %s, P90 %s days; effective training P50 %s %%",
		r.Draws, r.TotalDays.P10.text("%.1f"), r.TotalDays.P50.text("%.1f"), r.TotalDays.P90.text("%.1f"), (r.Effective.P50 * 100).text("%.1f"))
	if r.NoProgress > 0 {
		line += fmt.Sprintf("; no progress in %.1f %% of draws", 100*r.NoProgress)
	}
	return line
}

// gapRangeJSON is B − A in days over paired draws of both clusters'
// inputs (draw i of each): +Inf where B never finishes.
type gapRangeJSON struct {
	Draws       int    `json:"draws"`
	Total       spread `json:"total"`
	Throughput  spread `json:"throughput"`
	Downtime    spread `json:"downtime"`
	Engineering spread `json:"engineering"`
	Ratio       spread `json:"ratio"`
}

func (o runOutput) gapRanges() gapRangeJSON {
	a, b := o.A.Samples, o.B.Samples
	n := min(len(a), len(b))
	var tot, thr, down, eng, ratio []float64
	for i := range n {
		x, y := a[i], b[i]
		tot = append(tot, total(y)-total(x))
		thr = append(thr, (y.Productive - x.Productive).Days())
		ratio = append(ratio, total(y)/total(x))
		if x.NoProgress || y.NoProgress {
			down = append(down, math.Inf(1))
		} else {
			down = append(down, (y.Lost + y.Restart + y.Checkpointing - x.Lost - x.Restart - x.Checkpointing).Days())
		}
		eng = append(eng, (y.Port + y.Slowdown - x.Port - x.Slowdown).Days())
	}
	return gapRangeJSON{Draws: n, Total: spreadOf(tot), Throughput: spreadOf(thr), Downtime: spreadOf(down),
		Engineering: spreadOf(eng), Ratio: spreadOf(ratio)}
}

func printGapRanges(w io.Writer, g gapRangeJSON) error {
	fmt.Fprintf(w, "input ranges, closed form over %d paired draws of both clusters' inputs:\n", g.Draws)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "days\tP10\tP50\tP90\t")
	rows := []struct {
		name string
		s    spread
	}{{"total", g.Total}, {"from throughput", g.Throughput}, {"from downtime", g.Downtime}, {"from engineering", g.Engineering}}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.name, r.s.P10.text("%.1f"), r.s.P50.text("%.1f"), r.s.P90.text("%.1f"))
	}
	fmt.Fprintf(tw, "ratio b/a\t%s\t%s\t%s\t\n", g.Ratio.P10.text("%.2f"), g.Ratio.P50.text("%.2f"), g.Ratio.P90.text("%.2f"))
	return tw.Flush()
}
