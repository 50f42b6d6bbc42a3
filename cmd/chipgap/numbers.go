package main

import (
	"flag"
	"math"
	"reflect"
	"strings"

	"chipgap/units"
)

// One validation of numbers for every command: a float flag or a float
// field of a scenario file must be finite, and a duration must be
// bounded before it becomes a time.Duration (which overflows at about
// 292 years and would print as a negative).

// maxSLOSeconds bounds a latency target (TTFT, TPOT) and a link
// latency, as POST /api/serve/simulate does: a day.
const maxSLOSeconds = 86400

// checkFiniteFlags refuses a float flag (plain or a unit type given
// with flag.TextVar) set to NaN or ±Inf.
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

// checkFinite refuses a NaN or ±Inf anywhere in v's float fields (a
// struct decoded from a scenario file); the error names the field by
// its flag name (the yaml tag with - for _).
func checkFinite(v any) error {
	return finiteIn(reflect.ValueOf(v), "")
}

func finiteIn(v reflect.Value, name string) error {
	if x, ok := floatOf(v); ok {
		if !finite(x) {
			return usagef("--%s %v: want a finite number", name, x)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return finiteIn(v.Elem(), name)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := finiteIn(v.Index(i), name); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			n := strings.ReplaceAll(cmpOr(tag, strings.ToLower(sf.Name)), "_", "-")
			if name != "" {
				n = name + "-" + n
			}
			if err := finiteIn(v.Field(i), n); err != nil {
				return err
			}
		}
	}
	return nil
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

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// checkSeconds refuses a duration below 0 or above max seconds.
func checkSeconds(name string, v units.Seconds, max float64) error {
	if !(v >= 0 && float64(v) <= max) {
		return usagef("--%s %gs: want 0 to %gs (%s)", name, float64(v), max, units.Seconds(max))
	}
	return nil
}
