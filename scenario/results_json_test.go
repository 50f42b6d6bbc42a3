package scenario

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"chipgap/uncertain"
)

// TestTornadoNeverFinishesEncodes: a tornado whose base run never
// finishes (total days +Inf, as at 262,144 chips where failures outpace
// checkpoints) encodes, the non-finite figures as null as Stat does, the
// finite ones unchanged; before, json.Marshal of the whole Results failed.
func TestTornadoNeverFinishesEncodes(t *testing.T) {
	tr := TornadoResult{Output: "total_days", Base: math.Inf(1), Swings: []uncertain.Swing{
		{Input: "mtbf", LowIn: 1, HighIn: 2, LowOut: math.Inf(1), HighOut: 30, Swing: math.Inf(1)},
	}}
	b, err := json.Marshal(Results{Tornado: tr})
	if err != nil {
		t.Fatalf("Results with an infinite tornado: %v", err)
	}
	for _, want := range []string{`"base":null`, `"low_out":null`, `"high_out":30`, `"low_in":1`, `"swing":null`, `"input":"mtbf"`, `"output":"total_days"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoded tornado lacks %s: %s", want, b)
		}
	}
}
