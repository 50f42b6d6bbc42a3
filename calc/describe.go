package calc

import (
	"fmt"
	"reflect"
	"strings"
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
	// Kind is "int", "float", "string", "bool" or "ints" (a list of
	// integers, comma-separated on the command line).
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
	describe(v.Type(), "", defaults, &out)
	return out
}

func describe(t reflect.Type, prefix string, defaults map[string]any, out *[]Field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
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
			describe(ft, path+".", defaults, out)
			continue
		}
		f := Field{Name: path, Help: sf.Tag.Get("help"), Default: defaults[path]}
		switch fl := sf.Tag.Get("flag"); fl {
		case "-":
		case "":
			f.Flag = strings.ReplaceAll(jname, "_", "-")
		default:
			f.Flag = fl
		}
		if ft.Kind() == reflect.Pointer {
			f.Pointer, ft = true, ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Int:
			f.Kind = "int"
		case ft.Kind() == reflect.Float64:
			f.Kind = "float"
		case ft.Kind() == reflect.String || reflect.PointerTo(ft).Implements(textUnmarshaler):
			f.Kind = "string"
		case ft.Kind() == reflect.Bool:
			f.Kind = "bool"
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Int:
			f.Kind = "ints"
		default:
			continue // not a form field
		}
		*out = append(*out, f)
	}
}

// TrainDefaults are the values an absent field of a TrainRequest takes
// where that is one value (Setup and Search apply them).
func TrainDefaults() map[string]any {
	return map[string]any{"seq": 4096, "global_batch": 1024, "precision": "bf16", "top": 10, "ranges": true}
}

// DescribeTrain is the form of a training estimate or plan search.
func DescribeTrain() []Field { return Describe(TrainRequest{}, TrainDefaults()) }
