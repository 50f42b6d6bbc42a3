package calc

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"chipgap/goodput"
	"chipgap/inference"
	"chipgap/plot"
	"chipgap/training"
	"chipgap/units"
)

// The charts of each answer, as the web API returns them (its "charts":
// SVG drawn by package plot, each carrying its data for the page's chart
// library). The CLI's reports draw theirs in package report.

// Chart is one drawn chart and the key the page finds it by.
type Chart = plot.Keyed

// TrainCharts draws where a step's time goes and the memory per device.
func TrainCharts(r training.Result) []Chart {
	b := r.Breakdown
	ms := func(v units.Seconds) float64 { return float64(v) * 1e3 }
	step := []plot.Bar{{Label: "Compute", Value: ms(b.Compute)}, {Label: "TP comm", Value: ms(b.TP)}, {Label: "PP comm", Value: ms(b.PP)},
		{Label: "DP comm", Value: ms(b.DP)}, {Label: "EP comm", Value: ms(b.EP)}, {Label: "CP comm", Value: ms(b.CP)},
		{Label: "Pipeline bubble", Value: ms(b.Bubble)}, {Label: "Optimizer", Value: ms(b.Optimizer)}, {Label: "Other", Value: ms(b.Other)}}
	if b.GradAccum > 0 {
		step = append(step[:len(step)-1], plot.Bar{Label: "Gradient accumulation", Value: ms(b.GradAccum)}, step[len(step)-1])
	}
	if b.Experts > 0 || b.MoEHost > 0 {
		step = append(step[:1], append([]plot.Bar{{Label: "Expert GEMMs", Value: ms(b.Experts)}, {Label: "MoE host", Value: ms(b.MoEHost)}}, step[1:]...)...)
	}
	for i := 1; i < len(step); i++ {
		step[i].Group = 1
	}
	gb := func(v units.Bytes) float64 { return float64(v) / 1e9 }
	m := r.Memory
	mem := []plot.Bar{{Label: "Weights", Value: gb(m.Weights)}, {Label: "Gradients", Value: gb(m.Grads)}, {Label: "Optimizer", Value: gb(m.Optimizer)},
		{Label: "Activations", Value: gb(m.Activations)}, {Label: "Overhead", Value: gb(m.Overhead)},
		{Label: "Total", Value: gb(m.Total), Group: 2}, {Label: "Capacity", Value: gb(m.Capacity), Group: 4}}
	return []Chart{
		{Key: "step", SVG: string(plot.Bars("Step time breakdown (exposed)", "ms", step))},
		{Key: "memory", SVG: string(plot.Bars("Memory per device", "GB", mem))},
	}
}

// CurveCharts plots latency against throughput per chip, with the SLO
// as a limit line: TPOT (decode) and TTFT.
func CurveCharts(pts []inference.Point, slo inference.SLO, name string) []Chart {
	x := make([]float64, len(pts))
	tpot := make([]float64, len(pts))
	ttft := make([]float64, len(pts))
	for i, p := range pts {
		x[i] = p.OutputPerChip
		tpot[i] = float64(p.TPOT / (units.Seconds(1e-3)))
		ttft[i] = float64(p.TTFT / (units.Seconds(1e-3)))
	}
	return []Chart{
		{Key: "tpot", SVG: string(plot.Lines("Time per output token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TPOT", X: x, Y: tpot}}, float64(slo.TPOT)*1e3))},
		{Key: "ttft", SVG: string(plot.Lines("Time to first token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TTFT", X: x, Y: ttft}}, float64(slo.TTFT)*1e3))},
	}
}

// RunCharts draws where the days go (P50, with P10–P90 whiskers).
func RunCharts(res goodput.Result) []Chart {
	parts := []struct {
		label string
		s     goodput.Summary
	}{
		{"Total", res.Total}, {"Productive compute", res.Productive}, {"Maturation slowdown", res.Slowdown},
		{"Lost work", res.Lost}, {"Restarts", res.Restart}, {"Checkpointing", res.Checkpointing}, {"Porting", res.Port},
	}
	var bars []plot.Bar
	for i, pt := range parts {
		bars = append(bars, plot.Bar{Label: pt.label, Value: pt.s.P50, Lo: pt.s.P10, Hi: pt.s.P90, Group: min(i, 1)})
	}
	return []Chart{{Key: "days", SVG: string(plot.Bars("Where the days go (P50, P10–P90)", "days", bars))}}
}

// SweepChart draws TTFT P50 and P99 and TPOT P99 against the arrival
// rate, over the rates that keep up, sorted (an overloaded run's
// latencies are those of the few requests it completed before the stop);
// nil when none does.
func SweepChart(pts []SimPoint) []byte {
	pts = slices.DeleteFunc(slices.Clone(pts), func(p SimPoint) bool { return p.Result.Overload != nil || p.Result.TTFT.N == 0 })
	if len(pts) == 0 {
		return nil
	}
	slices.SortFunc(pts, func(a, b SimPoint) int { return cmp.Compare(a.Rate, b.Rate) })
	names := []string{"TTFT P50", "TTFT P99", "TPOT P99"}
	ss := make([]plot.Series, len(names))
	for i := range ss {
		ss[i].Name = names[i]
	}
	for _, pt := range pts {
		res := pt.Result
		for i, y := range []float64{res.TTFT.P50, res.TTFT.P99, res.TPOT.P99} {
			ss[i].X, ss[i].Y = append(ss[i].X, pt.Rate), append(ss[i].Y, y)
		}
	}
	return plot.Lines("Latency against arrival rate (rates that keep up)", "requests/s", "ms", ss, 0)
}

// Charts draws the headline rows as bars with range whiskers.
func (c Comparison) Charts() []Chart {
	var out []Chart
	for _, rw := range c.Rows {
		switch rw.Key {
		case "peak", "hbm_bandwidth", "hbm_capacity", "tflops_per_watt", "decode_ceiling":
		default:
			continue
		}
		var bars []plot.Bar
		for i, cl := range rw.Cells {
			if !cl.Known {
				continue
			}
			bars = append(bars, plot.Bar{Label: c.Chips[i].Name, Value: cl.Typ / rw.Scale,
				Lo: cl.Min / rw.Scale, Hi: cl.Max / rw.Scale, Group: vendorGroup(c.Chips[i].Vendor)})
		}
		if len(bars) > 0 && !math.IsNaN(bars[0].Value) {
			out = append(out, Chart{Key: rw.Key, SVG: string(plot.Bars(rw.Label, rw.Unit, bars))})
		}
	}
	return out
}

// vendorGroup colours bars by vendor, in a fixed order.
func vendorGroup(vendor string) int {
	for i, v := range []string{"nvidia", "amd", "google", "intel", "huawei"} {
		if strings.Contains(strings.ToLower(vendor), v) {
			return i
		}
	}
	return 5
}
