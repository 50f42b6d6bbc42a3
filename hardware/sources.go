package hardware

import (
	"cmp"
	"reflect"
	"slices"
)

// SourceKeys lists every source key the chip cites, in field order (a
// map's entries in key order), with repeats: every Sources field, found
// by walking the entry, so a field added later cannot be left out (the
// list once skipped exp_rate and scale_out's domain size and latency).
func (c *Chip) SourceKeys() []string { return CitedKeys(c) }

// CitedKeys lists every source key a catalog entry (a chip, network,
// system or model) cites in its Sources fields, in field order, with
// repeats.
func CitedKeys(entry any) []string {
	var keys []string
	citedKeys(reflect.ValueOf(entry), &keys)
	return keys
}

// citedKeys appends the keys of every field named Sources ([]string) in v.
func citedKeys(v reflect.Value, keys *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			citedKeys(v.Elem(), keys)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if s, ok := v.Field(i).Interface().([]string); ok && f.Name == "Sources" {
				*keys = append(*keys, s...)
			} else {
				citedKeys(v.Field(i), keys)
			}
		}
	case reflect.Map:
		ks := v.MapKeys()
		slices.SortFunc(ks, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		for _, k := range ks {
			citedKeys(v.MapIndex(k), keys)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			citedKeys(v.Index(i), keys)
		}
	}
}
