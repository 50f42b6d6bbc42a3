package calc

import (
	"fmt"
	"reflect"
	"strings"

	"chipgap/training"
)

// Field describes one input of a request struct: what a form needs to
// offer it, read from the same struct tags as BindFlags and JSON (json,
// flag, help), so that the page's forms, the API and the CLI cannot
// drift apart.
type Field struct {
	// Name is the JSON path ("plan.tp"): the API's name and the form's.
	Name string `json:"name"`
	// Flag is the CLI flag ("tp", "mb"); empty for an API-only field.
	Flag string `json:"flag,omitempty"`
	// Kind is "int", "float", "string", "bool", "ints" or "floats" (lists,
	// comma-separated on the command line), or "quantity": a number in
	// the field's base unit or a string with a unit ("50ms", "2TB/s"; a
	// bare number of days for a run's days).
	Kind string `json:"kind"`
	Help string `json:"help,omitempty"`
	// Default is the value the job uses when the field is absent, where
	// that is one value (nil: absent means "auto": searched, derived or
	// left out, as Help says).
	Default any `json:"default,omitempty"`
	// Pointer fields tell absent from zero (plan.zero: absent is the
	// stack's stage; 0 is ZeRO-0).
	Pointer bool `json:"pointer,omitempty"`
}

// Describe lists the fields of a request struct (a value or a pointer)
// in declaration order, nested structs flattened to JSON paths. defaults
// maps a JSON path to the value an absent field takes.
func Describe(req any, defaults map[string]any) []Field {
	v := reflect.ValueOf(req)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		panic(fmt.Sprintf("calc.Describe: want a struct, got %T", req))
	}
	var out []Field
	describe(v.Type(), "", "", defaults, &out)
	return out
}

// describe walks t as BindFlags binds it: an embedded struct's fields are
// the outer struct's, a nested struct's flag tag prefixes its fields'
// flags ("spec-" + "tokens").
func describe(t reflect.Type, prefix, flagPrefix string, defaults map[string]any, out *[]Field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Tag.Get("json") == "" && sf.Type.Kind() == reflect.Struct {
			describe(sf.Type, prefix, flagPrefix, defaults, out) // promoted, as encoding/json promotes them
			continue
		}
		jname, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if jname == "-" {
			continue
		}
		if jname == "" {
			jname = strings.ToLower(sf.Name)
		}
		path := prefix + jname
		ft := sf.Type
		if ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(textUnmarshaler) {
			describe(ft, path+".", flagPrefix+sf.Tag.Get("flag"), defaults, out)
			continue
		}
		f := Field{Name: path, Help: sf.Tag.Get("help"), Default: defaults[path]}
		switch fl := sf.Tag.Get("flag"); fl {
		case "-":
		case "":
			f.Flag = flagPrefix + strings.ReplaceAll(jname, "_", "-")
		default:
			f.Flag = fl
		}
		if ft.Kind() == reflect.Pointer {
			f.Pointer, ft = true, ft.Elem()
		}
		text := reflect.PointerTo(ft).Implements(textUnmarshaler)
		switch {
		case ft.Kind() == reflect.Int || ft.Kind() == reflect.Uint64:
			f.Kind = "int"
		case ft.Kind() == reflect.Float64 && text:
			f.Kind = "quantity" // units.Seconds, units.ByteRate, Days
		case ft.Kind() == reflect.Float64:
			f.Kind = "float"
		case ft.Kind() == reflect.String || text:
			f.Kind = "string"
		case ft.Kind() == reflect.Bool:
			f.Kind = "bool"
			if f.Default == nil && !f.Pointer {
				f.Default = false // absent is false: one value (a *bool's absent is the stack's or the job's choice)
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Int:
			f.Kind = "ints"
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Float64:
			f.Kind = "floats"
		default:
			continue // not a form field
		}
		*out = append(*out, f)
	}
}

// TrainDefaults are the values an absent field of a TrainRequest takes
// where that is one value (Setup and Search apply them).
func TrainDefaults() map[string]any {
	return map[string]any{"seq": training.DefaultSeq, "global_batch": training.DefaultGlobalBatch, "precision": "bf16", "top": 10, "ranges": true}
}

// DescribeTrain is the form of a training estimate or plan search.
func DescribeTrain() []Field { return Describe(TrainRequest{}, TrainDefaults()) }

// Defaults maps the JSON path of every field of req (a request its
// constructor filled, e.g. NewServeRequest()) that holds a value other
// than its zero to that value: what an absent field takes. A zero field
// is left out (absent means "auto", as its help says).
func Defaults(req any) map[string]any {
	out := map[string]any{}
	v := reflect.ValueOf(req)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	defaults(v, "", out)
	return out
}

func defaults(v reflect.Value, prefix string, out map[string]any) {
	eachLeaf(v, prefix, func(path string, _ reflect.StructField, fv reflect.Value) {
		if !fv.IsZero() {
			out[path] = fv.Interface()
		}
	})
}

// eachLeaf calls fn with every leaf field of struct v as encoding/json
// names it: its JSON path (an embedded struct's fields at their own
// level, a nested struct's under "name."; json:"-" and unexported fields
// left out), the field and its value.
func eachLeaf(v reflect.Value, prefix string, fn func(path string, sf reflect.StructField, fv reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		fv := v.Field(i)
		if sf.Anonymous && sf.Tag.Get("json") == "" && sf.Type.Kind() == reflect.Struct {
			eachLeaf(fv, prefix, fn) // promoted, as encoding/json promotes them
			continue
		}
		jname, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if jname == "-" {
			continue
		}
		if jname == "" {
			jname = strings.ToLower(sf.Name)
		}
		if sf.Type.Kind() == reflect.Struct && !reflect.PointerTo(sf.Type).Implements(textUnmarshaler) {
			eachLeaf(fv, prefix+jname+".", fn)
			continue
		}
		fn(prefix+jname, sf, fv)
	}
}

// DescribeServe is the form of a serving estimate (POST /api/infer/curve
// and /estimate): NewServeRequest's values are the defaults.
func DescribeServe() []Field { return Describe(ServeRequest{}, Defaults(NewServeRequest())) }

// DescribeSimulate is the form of a serving simulation (POST
// /api/serve/simulate): NewSimulateRequest's values are the defaults.
func DescribeSimulate() []Field { return Describe(SimulateRequest{}, Defaults(NewSimulateRequest())) }

// RunDefaults are the values an absent field of a RunRequest takes where
// that is one value (RunRequest.Setup fills them).
func RunDefaults() map[string]any {
	return map[string]any{"precision": "bf16", "seq": training.DefaultSeq, "global_batch": training.DefaultGlobalBatch, "seeds": 100, "seed": 1}
}

// DescribeRun is the form of a whole training run (POST /api/run/simulate).
func DescribeRun() []Field { return Describe(RunRequest{}, RunDefaults()) }
