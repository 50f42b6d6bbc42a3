package main

import (
	"fmt"
	"math"
	"os"
	"text/tabwriter"
)

// grouping is one way to split the scored rows: each group may take a
// constant of its own (none with a nil key).
type grouping struct {
	name string
	key  func(row) string
}

// trainingGroupings are the splits a global calibration could follow,
// coarse to fine: what a profile's per-family and per-precision values
// can express, then per training stack, then per framework release.
var trainingGroupings = []grouping{
	{"none (the model as it is)", nil},
	{"one constant for every row", func(row) string { return "" }},
	{"chip family", func(r row) string { return r.family }},
	{"chip family, precision, dense or MoE", func(r row) string { return fmt.Sprint(r.family, r.precision, r.moe) }},
	{"chip family, precision, dense or MoE, stack", func(r row) string { return fmt.Sprint(r.family, r.precision, r.moe, r.stack) }},
	{"chip, precision, dense or MoE, stack", func(r row) string { return fmt.Sprint(r.chip, r.precision, r.moe, r.stack) }},
	{"... and the framework's release", func(r row) string { return fmt.Sprint(r.chip, r.precision, r.moe, r.stack, r.software) }},
}

// inferenceGroupings split the serving rows the same way (one serving
// engine per row here, so no stack level).
var inferenceGroupings = []grouping{
	{"none (the model as it is)", nil},
	{"one constant for every row", func(row) string { return "" }},
	{"chip family", func(r row) string { return r.family }},
	{"chip family, precision, dense or MoE", func(r row) string { return fmt.Sprint(r.family, r.precision, r.moe) }},
	{"chip, precision, dense or MoE", func(r row) string { return fmt.Sprint(r.chip, r.precision, r.moe) }},
}

// groupShift is what each grouping would reach if every group took the
// constant that centres it: the median of its rows' log error, read off
// the scored rows themselves. It is not a model (the constants are fitted
// on the rows that score them, which the goals forbid); it says how much
// of the error a constant per group can remove at all, so a bar that even
// these constants miss needs information the grouping does not carry.
// A group of one row is centred exactly, so alone counts those rows: the
// finer a grouping, the more of its figure is theirs.
func groupShift(rs []row, g grouping, bar float64) (med float64, over, groups, alone int) {
	key := g.key
	if key == nil {
		key = func(row) string { return "" }
	}
	logs := map[string][]float64{}
	for _, r := range rs {
		logs[key(r)] = append(logs[key(r)], math.Log1p(r.err))
	}
	centre := make(map[string]float64, len(logs))
	for k, v := range logs {
		if g.key != nil {
			centre[k] = median(v)
		}
		if len(v) == 1 {
			alone++
		}
	}
	abs := make([]float64, len(rs))
	for i, r := range rs {
		abs[i] = math.Abs(math.Expm1(math.Log1p(r.err) - centre[key(r)]))
		if abs[i] > bar {
			over++
		}
	}
	return median(abs), over, len(logs), alone
}

// groupShifts prints groupShift for each grouping.
func groupShifts(title string, rs []row, gs []grouping, medBar, worstBar float64) {
	fmt.Printf("\n%s: the median |error| and the rows over the %.0f %% worst bar if every group took the\n"+
		"constant that centres it (its rows' median log error, read off the scored rows themselves: not a model,\n"+
		"a measure of what one constant per group can remove; the median bar is %.0f %%):\n", title, 100*worstBar, 100*medBar)
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "grouping\tgroups\trows alone in theirs\tmedian |error|\tover the worst bar")
	for _, g := range gs {
		med, over, n, alone := groupShift(rs, g, worstBar)
		fmt.Fprintf(w, "%s\t%d\t%d\t%.1f %%\t%d\n", g.name, n, alone, 100*med, over)
	}
	w.Flush()
}
