package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/runs"
)

// calibrationFiles are the rows a value may be fitted on: chipgap's own
// calibration files and the copies of the shared published-runs files.
func calibrationFiles() ([]string, error) {
	own, err := filepath.Glob("validation/calibration-*.yaml")
	if err != nil {
		return nil, err
	}
	if len(own) == 0 {
		return nil, fmt.Errorf("-calibration: no validation/calibration-*.yaml here (run it from the repository root)")
	}
	return append([]string{"runs/testdata/published-runs.yaml", "runs/testdata/published-runs-ascend.yaml"}, own...), nil
}

// calibrationRows predicts the calibration files' runs at their stated
// plans (nothing when not asked).
func calibrationRows(cat *catalog.Catalog, asked bool) ([]row, error) {
	if !asked {
		return nil, nil
	}
	files, err := calibrationFiles()
	if err != nil {
		return nil, err
	}
	rs, err := load(cat, files, false)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		rs[i].calibration = true
	}
	return rs, nil
}

// ownCalibration is the calibration rows the goals do not already hold:
// those of chipgap's own calibration files (the shared files' copies are
// goal rows too, and would appear twice in -rows and -against).
func ownCalibration(cal []row) []row {
	return filter(cal, func(r row) bool { return strings.HasPrefix(r.file, "validation/calibration-") })
}

// calibrationTable prints, per training stack, the root-mean-square log
// error of the predicted throughput rows of the calibration files, over
// all of them and over the dense and the MoE ones apart: the figure a fit
// minimises (validation/fit), to read beside the hold-outs' goals.
func calibrationTable(out io.Writer, cal []row) {
	if len(cal) == 0 {
		return
	}
	type acc struct{ all, dense, moe []float64 }
	by := map[string]*acc{}
	for _, r := range cal {
		if r.kind != runs.KindTraining || !r.metricOK || !r.predicted {
			continue
		}
		a := by[r.stack]
		if a == nil {
			a = &acc{}
			by[r.stack] = a
		}
		l := math.Log1p(r.err)
		a.all = append(a.all, l)
		if r.moe {
			a.moe = append(a.moe, l)
		} else {
			a.dense = append(a.dense, l)
		}
	}
	stacks := make([]string, 0, len(by))
	for s := range by {
		stacks = append(stacks, s)
	}
	sort.Strings(stacks)
	fmt.Fprintln(out, "\nCalibration rows (the rows a value may be fitted on), training, rms log error by stack:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "stack\trows\tall\tdense\tMoE")
	for _, s := range stacks {
		a := by[s]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s, len(a.all), rmsOf(a.all), rmsOf(a.dense), rmsOf(a.moe))
	}
	tw.Flush()
}

// rmsOf is the root mean square of xs with its count, or "-" for none.
func rmsOf(xs []float64) string {
	if len(xs) == 0 {
		return "-"
	}
	var s float64
	for _, x := range xs {
		s += x * x
	}
	return fmt.Sprintf("%.4f (%d)", math.Sqrt(s/float64(len(xs))), len(xs))
}
