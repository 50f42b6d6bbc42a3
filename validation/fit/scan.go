package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/runs"
	"chipgap/training"
)

// scanFactors are the multiples of a parameter's value -scan predicts at.
var scanFactors = []float64{0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5}

// scanRule is the calibration discipline's bar: a value is refitted only
// where some other value lowers the rms log error by more than this
// fraction (validation/README.md; the stacks' notes say "under 5 %").
const scanRule = 0.05

// scanRow is one parameter's rms log error at each of scanFactors times
// its value, and the factor with the lowest.
type scanRow struct {
	name  string
	value float64
	basis training.Basis
	rms   []float64 // by scanFactors
	best  int       // index into scanFactors
}

// pickBest sets best to the factor with the lowest rms log error.
func (r *scanRow) pickBest() {
	for i, x := range r.rms {
		if x < r.rms[r.best] {
			r.best = i
		}
	}
}

// over says whether the best factor beats the value by more than the
// calibration rule allows (scanRule). On a few runs already within a
// point or two of their measurements a mark is weak evidence: the rows
// and their errors are what to read before moving a value.
func (r scanRow) over() bool { return r.gain() > scanRule }

// gain is how much lower the best factor's rms log error is than the
// value's own, as a fraction of it.
func (r scanRow) gain() float64 {
	own := r.rms[ownFactor()]
	if own == 0 {
		return 0
	}
	return 1 - r.rms[r.best]/own
}

func ownFactor() int {
	for i, f := range scanFactors {
		if f == 1 {
			return i
		}
	}
	panic("scanFactors lacks 1")
}

// scannable says whether -scan moves a parameter: a calibrated one, or
// any whose value is not a whole number (a share, an overlap, a time);
// whole-number switches, byte counts, domains and practice rules are left
// out, as are zeros, which a multiple cannot move.
func scannable(p training.Param) bool {
	if p.Value == 0 {
		return false
	}
	return p.Basis == training.Calibrated || p.Value != math.Trunc(p.Value)
}

// scan predicts the runs with each scannable top-level parameter of base
// at scanFactors times its value, the others at base's, and returns one
// row per parameter, largest gain first (then by name).
func scan(cat *catalog.Catalog, base training.Profile, rs []runs.Run, st state) ([]scanRow, error) {
	var out []scanRow
	for name, q := range base.Params() {
		if strings.Contains(name, ".") || !scannable(q) {
			continue
		}
		row := scanRow{name: name, value: q.Value, basis: q.Basis}
		for _, f := range scanFactors {
			prof, vals, err := atPoint(base, []axis{{name: name, values: []float64{q.Value * f}}}, []int{0}, base.ID)
			if err != nil {
				return nil, err
			}
			row.rms = append(row.rms, evaluate(cat, prof, rs, vals, st).rms)
		}
		row.pickBest()
		out = append(out, row)
	}
	sortScan(out)
	return out, nil
}

// sortScan orders rows largest gain first, then by name.
func sortScan(out []scanRow) {
	sort.Slice(out, func(i, j int) bool {
		if gi, gj := out[i].gain(), out[j].gain(); gi != gj {
			return gi > gj
		}
		return out[i].name < out[j].name
	})
}

// printScan writes one line per row: the parameter, its value and basis,
// the rms log error at each factor, and a mark where the best beats the
// value by more than the calibration rule allows: a refit for a
// calibrated or assumed value; for a sourced one (a measurement or a
// recipe's setting, which the runs do not overrule) a sign that the runs
// ask for something the model lacks.
func printScan(rows []scanRow) {
	head := make([]string, len(scanFactors))
	for i, f := range scanFactors {
		head[i] = fmt.Sprintf("×%-6g", f)
	}
	fmt.Printf("%-32s %-10s %-10s %s\n", "parameter", "value", "basis", strings.Join(head, " "))
	for _, r := range rows {
		cells := make([]string, len(r.rms))
		for i, x := range r.rms {
			cells[i] = fmt.Sprintf("%-7.4f", x)
		}
		mark := ""
		switch {
		case !r.over():
		case r.basis == "":
			mark = fmt.Sprintf("  best ×%g is %.1f %% lower: over the 5 %% rule where the value is fitted (stacks-inference.yaml says which)", scanFactors[r.best], 100*r.gain())
		case r.basis == training.Sourced:
			mark = fmt.Sprintf("  best ×%g is %.1f %% lower: a sourced value, so the runs ask for something the model lacks", scanFactors[r.best], 100*r.gain())
		default:
			mark = fmt.Sprintf("  best ×%g is %.1f %% lower: over the 5 %% rule, refit", scanFactors[r.best], 100*r.gain())
		}
		basis := string(r.basis)
		if basis == "" {
			basis = "-"
		}
		fmt.Printf("%-32s %-10.4g %-10s %s%s\n", r.name, r.value, basis, strings.Join(cells, " "), mark)
	}
}

// scanServing is scan for a serving stack: each of the named serving
// parameters (servingNames for all) the
// stack's profiles set to a non-zero value, multiplied by scanFactors on
// every profile of that stack the runs resolve to (a chip's own value
// included), the runs scored as validate scores them. The serving
// catalog keeps no basis per value in the profile, so rows carry none.
func scanServing(cat *catalog.Catalog, f *runs.File, stack string, names []string) []scanRow {
	var out []scanRow
	for _, name := range names {
		sp := servingParams[name]
		row := scanRow{name: name}
		for _, fac := range scanFactors {
			set := func(p *inference.Profile) {
				if p.ID != stack {
					return
				}
				v := sp.get(p)
				if row.value == 0 {
					row.value = v
				}
				sp.set(p, v*fac)
			}
			row.rms = append(row.rms, scoreServing(cat, f, stack, set, []float64{fac}).rms)
			if row.value == 0 {
				break // the stack leaves it at zero: no multiple moves it
			}
		}
		if row.value == 0 {
			continue
		}
		row.pickBest()
		out = append(out, row)
	}
	sortScan(out)
	return out
}
