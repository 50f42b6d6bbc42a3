package sweep

import (
	"encoding/json"
	"math"
	"testing"
)

// TestJSONValues: a row whose figures JSON cannot carry encodes, with
// +Inf, -Inf and NaN spelt as the CSV spells them and every other value
// as Values gives it.
func TestJSONValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	r := Row{Cell: 3, Chip: "b200", PeakFLOPS: 2.5e15, HBMBytes: math.Inf(-1), PriceUSD: nan, Tokens: &inf}
	vs := JSONValues(&r)
	want := map[string]any{"cell": int64(3), "chip": "b200", "peak_flops": 2.5e15, "hbm_bytes": "-Inf", "price_usd": "NaN", "tokens": "+Inf", "seq": nil}
	for i, c := range Columns() {
		if w, ok := want[c]; ok && vs[i] != w {
			t.Errorf("%s = %#v, want %#v", c, vs[i], w)
		}
	}
	if _, err := json.Marshal(vs); err != nil {
		t.Errorf("does not encode: %v", err)
	}
}
