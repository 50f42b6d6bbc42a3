package calc

import (
	"encoding/json"
	"reflect"

	"chipgap/input"
)

// A field tagged zero:"default" takes its default where it holds 0 (a
// run's seq 8192 and 100 seeds, a report's scenario samples): absent and
// 0 are one value of the struct, so a stated 0 would run the default
// silently where -1 is refused. Every input path refuses a stated 0
// (zeroWant) with what it knows was stated: the command line's flags
// (Flags.StatedZero), a JSON body or --request file (DecodeJSON), a
// request file's YAML (fileRequest) and a run file (DecodeRunFile). The
// report scenario and sweep grid files refuse theirs the same way
// (strictyaml.Doc.Has).
const zeroWant = "want a positive value (leave it out for the default)"

// ZeroStated is the refusal of a 0 stated for field where its 0 takes a
// default.
func ZeroStated(field string) *input.Error {
	return &input.Error{Field: field, Value: 0, Want: zeroWant}
}

// statedZero returns the JSON path of the first field of *req tagged
// zero:"default" that holds 0 and that stated says was given ("" if
// none).
func statedZero(req any, stated func(path string) bool) string {
	v := reflect.ValueOf(req)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	found := ""
	eachLeaf(v, "", func(path string, sf reflect.StructField, fv reflect.Value) {
		if found == "" && sf.Tag.Get("zero") == "default" && fv.IsZero() && stated(path) {
			found = path
		}
	})
	return found
}

// jsonPaths are the JSON paths of the leaves (non-object values) of the
// JSON object data ("plan.tp"); nil where data is not one.
func jsonPaths(data []byte) map[string]bool {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	paths := map[string]bool{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, x := range m {
			if sub, ok := x.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			paths[prefix+k] = true
		}
	}
	walk("", m)
	return paths
}
