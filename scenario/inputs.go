package scenario

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"chipgap/hardware"
	"chipgap/uncertain"
)

// registry collects every uncertain input a trial draws, with its range
// and provenance, for the report's assumptions list. Trials register
// during their typical pass only; Monte Carlo passes carry a nil
// registry.
type registry struct {
	mu     sync.Mutex
	inputs map[string]Input
}

func newRegistry() *registry { return &registry{inputs: map[string]Input{}} }

func (r *registry) add(in Input) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inputs[in.Name] = in
}

func (r *registry) list() []Input {
	out := make([]Input, 0, len(r.inputs))
	for _, in := range r.inputs {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// drawer draws named, sourced inputs through an uncertain.Draw, keeping
// the first error.
type drawer struct {
	d     *uncertain.Draw
	reg   *registry
	err   error
	cache map[string]float64 // one value per input per trial
}

func newDrawer(d *uncertain.Draw, reg *registry) *drawer {
	return &drawer{d: d, reg: reg, cache: map[string]float64{}}
}

// draw returns this trial's value of the input name, a catalog Value
// or named assumption; unit labels it in the report.
func draw[T ~float64](w *drawer, name, unit string, v hardware.Value[T]) float64 {
	if x, ok := w.cache[name]; ok {
		return x
	}
	lo, typ, hi := float64(v.Min), float64(v.Typ), float64(v.Max)
	if lo == 0 && hi == 0 {
		lo, hi = typ, typ
	}
	w.reg.add(Input{Name: name, Unit: unit, Min: lo, Typ: typ, Max: hi, Sources: v.Sources,
		Assumed: v.Assumed, Derived: v.Derived, Basis: basisOr(v.Basis, v.Assumed), Note: v.Note})
	p, err := uncertain.FromRange(lo, typ, hi)
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("%s: %w", name, err)
		}
		return typ
	}
	x := w.d.Value(name, p)
	w.cache[name] = x
	return x
}

// chipInput is the name a chip figure is drawn under (eval), and its
// range listed under in Results.Inputs: "h100-sxm: BF16 peak" (OutPeak at
// precision prec), "h100-sxm: HBM bandwidth" (OutHBM), "h100-sxm: TDP"
// (OutTDP); "" for any other figure.
func chipInput(chip, key string, prec hardware.Precision) string {
	switch key {
	case OutPeak:
		return chip + ": " + strings.ToUpper(string(prec)) + " peak"
	case OutHBM:
		return chip + ": HBM bandwidth"
	case OutTDP:
		return chip + ": TDP"
	}
	return ""
}

// ChipInput is the range a system's chip figure (OutPeak at the training
// precision, OutHBM or OutTDP) is drawn from: the catalog's min, typical
// and max, with the scenario's overrides, as Inputs lists it; false for
// any other figure, or one no trial drew.
func (r *Results) ChipInput(sy *SystemResult, key string) (Input, bool) {
	name := chipInput(sy.System.Chip, key, hardware.Precision(r.Training.Precision))
	for _, in := range r.Inputs {
		if name != "" && in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}
