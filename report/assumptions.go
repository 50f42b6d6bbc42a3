package report

import (
	"fmt"
	"math"
	"strings"

	"chipgap/scenario"
)

// inputValue formats an input in its unit, scaled for reading.
func inputValue(v float64, unit string) string {
	switch unit {
	case "FLOP/s":
		return fmt.Sprintf("%s TFLOP/s", sig(v/1e12))
	case "B/s":
		return fmt.Sprintf("%s GB/s", sig(v/1e9))
	case "W":
		return fmt.Sprintf("%s W", sig(v))
	case "USD":
		return money(v)
	case "s":
		switch a := math.Abs(v); {
		case a >= 86400:
			return fmt.Sprintf("%sd", sig(v/86400))
		case a >= 3600:
			return fmt.Sprintf("%sh", sig(v/3600))
		case a >= 60:
			return fmt.Sprintf("%smin", sig(v/60))
		default:
			return fmt.Sprintf("%ss", sig(v))
		}
	case "/chip-h": // a failure rate per chip (package, as a two-die 910C) per hour
		return fmt.Sprintf("%.3g/chip-h", v)
	case "":
		return sig(v)
	default:
		return sig(v) + " " + unit
	}
}

func inputRange(lo, hi float64, unit string) string {
	return inputValue(lo, unit) + " → " + inputValue(hi, unit)
}

func basis(in scenario.Input) string {
	switch {
	case in.Basis == scenario.BasisMeasured || in.Basis == scenario.BasisReported:
		return in.Basis
	case in.Assumed:
		return "assumed"
	case in.Derived:
		return "derived"
	case len(in.Sources) == 0:
		return "catalog (no key)"
	}
	return "sourced"
}

func (b *builder) assumptions() {
	t := Table{Caption: "Every uncertain input: catalog values (with source keys) and named assumptions (assumed, with why)",
		Header: []string{"input", "min", "typ", "max", "basis", "sources", "note"}}
	for _, in := range b.r.Inputs {
		t.Rows = append(t.Rows, []string{in.Name, inputValue(in.Min, in.Unit), inputValue(in.Typ, in.Unit), inputValue(in.Max, in.Unit),
			basis(in), strings.Join(in.Sources, " "), in.Note})
	}
	f := Table{Caption: "Held at one value: software-stack profiles (derived = calibrated on published runs) and run defaults",
		Header: []string{"parameter", "value", "basis", "sources", "note"}}
	for _, in := range b.r.Fixed {
		f.Rows = append(f.Rows, []string{in.Name, inputValue(in.Typ, in.Unit), basis(in), strings.Join(in.Sources, " "), in.Note})
	}
	s := Section{ID: "assumptions", Title: "8. Assumptions", Tables: []Table{t, f}}
	s.Text = append(s.Text, "Each range is drawn as a triangular distribution (min, typ, max); inputs named alike share one draw per sample.",
		"Held fixed: the training plan and serving layout (searched at typical values); checkpoint size, storage bandwidth and spare nodes at the catalog's typical values (reliability.yaml defaults); owned chips priced by econ (rental rates unused).",
		"Report thresholds (assumed): inference is called viable when the challenger's P50 $/Mtok is at most 2× the baseline's; an essay figure is consistent when it lies within chipgap's P10–P90.")
	for _, sy := range b.r.Systems {
		s.Text = append(s.Text, fmt.Sprintf("%s: %s; training profile %s; serving profile %s.", sy.System.Label, sy.ChipName, sy.TrainingStack, sy.ServingStack))
	}
	b.add(s)
}

func (b *builder) sources() {
	t := Table{Caption: "Sources cited by key", Header: []string{"key", "title", "url"}}
	for _, s := range b.r.Sources {
		t.Rows = append(t.Rows, []string{s.Key, s.Title, s.URL})
	}
	b.add(Section{ID: "sources", Title: "9. Sources", Tables: []Table{t}})
}
