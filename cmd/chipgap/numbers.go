package main

import (
	"flag"
	"math"
	"reflect"
)

// checkFiniteFlags refuses a float flag (plain, a unit type, or a pointer
// to one) set to NaN or ±Inf; a request's own fields are checked by calc.
func checkFiniteFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok && err == nil {
			if v := reflect.Indirect(reflect.ValueOf(g.Get())); v.CanFloat() && (math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)) {
				err = usagef("--%s %s: want a finite number", f.Name, f.Value.String())
			}
		}
	})
	return err
}
