package main

import (
	"flag"
	"math"
	"reflect"
)

// checkFiniteFlags refuses a float flag (plain or a unit type given
// with flag.TextVar) set to NaN or ±Inf; a request's own fields are
// checked by calc.
func checkFiniteFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if err != nil || !ok {
			return
		}
		if x, ok := floatOf(reflect.ValueOf(g.Get())); ok && !finite(x) {
			err = usagef("--%s %s: want a finite number", f.Name, f.Value.String())
		}
	})
	return err
}

// floatOf is v's value when v is (or points to) a float.
func floatOf(v reflect.Value) (float64, bool) {
	for v.IsValid() && v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.IsValid() && (v.Kind() == reflect.Float64 || v.Kind() == reflect.Float32) {
		return v.Float(), true
	}
	return 0, false
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
