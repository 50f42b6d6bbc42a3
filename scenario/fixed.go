package scenario

import (
	"chipgap/strictyaml"
	"fmt"
	"reflect"
	"sort"

	"chipgap/hardware"
)

// fixedInputs lists what the Monte Carlo holds at one value: each
// software-stack profile parameter the systems use (with its basis:
// sourced, calibrated or assumed) and the checkpoint and spare-node
// defaults, so every number of the report traces to a source or a named
// assumption.
func (w *world) fixedInputs(systems []*system) []Input {
	seen := map[string]bool{}
	var out []Input
	add := func(in Input) {
		if !seen[in.Name] {
			seen[in.Name] = true
			out = append(out, in)
		}
	}
	for _, sy := range systems {
		if sy.plan != nil {
			params := sy.tprof.Params()
			for _, k := range sortedKeys(params) {
				p := params[k]
				add(Input{Name: fmt.Sprintf("training profile %s: %s", sy.tprof.ID, k), Min: p.Value, Typ: p.Value, Max: p.Value,
					Sources: p.Sources, Assumed: p.Basis == "assumed", Derived: p.Basis == "calibrated", Note: basisNote(string(p.Basis), p.Note)})
			}
		}
		if sy.serve != nil {
			for _, in := range serveParams(sy.sdata.ID, sy.sdata.Params) {
				add(in)
			}
		}
	}
	d := w.rel.Defaults
	for _, f := range []struct {
		name, unit string
		v          hardware.Value[float64]
	}{
		{"checkpoint bytes per parameter", "", conv(d.BytesPerParam)}, {"checkpoint storage bandwidth", "B/s", conv(d.StorageBW)},
		{"checkpoint snapshot bandwidth per chip", "B/s", conv(d.SnapshotBW)}, {"checkpoint fixed overhead", "s", conv(d.Overhead)},
		{"spare nodes (fraction of the job's nodes)", "", conv(d.SpareFraction)}, {"spare node swap time", "s", conv(d.Swap)},
		{"failed node repair time", "s", conv(d.Repair)},
	} {
		add(Input{Name: f.name + " (held at typ)", Unit: f.unit, Min: f.v.Typ, Typ: f.v.Typ, Max: f.v.Typ, Sources: f.v.Sources,
			Assumed: f.v.Assumed, Derived: f.v.Derived, Note: f.v.Note})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func basisNote(basis, note string) string {
	if note == "" {
		return basis
	}
	return basis + ": " + note
}

// serveParams lists a serving profile's parameters (catalog
// InferenceParams: fields of Param[T] with Value, Sources, Calibrated,
// Assumed, Note).
func serveParams(id string, params any) []Input {
	var out []Input
	v := reflect.ValueOf(params)
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Struct || !f.FieldByName("Value").IsValid() {
			continue
		}
		x, ok := number(f.FieldByName("Value"))
		if !ok {
			continue
		}
		name := strictyaml.TagName(t.Field(i))
		in := Input{Name: fmt.Sprintf("serving profile %s: %s", id, name), Min: x, Typ: x, Max: x}
		in.Sources, _ = f.FieldByName("Sources").Interface().([]string)
		in.Assumed = f.FieldByName("Assumed").Bool()
		cal := f.FieldByName("Calibrated").String()
		in.Derived = cal != ""
		in.Note = f.FieldByName("Note").String()
		if cal != "" {
			in.Note = basisNote("calibrated", cal)
		}
		out = append(out, in)
	}
	return out
}

func number(v reflect.Value) (float64, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Int, reflect.Int64, reflect.Int32:
		return float64(v.Int()), true
	}
	return 0, false
}
