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

// TestBelieveNeverFinishesEncodes: the essay-claim map's ratio at the
// typical values is +Inf where the challenger's run never finishes (65,536
// CM384 chips: `report --json` failed with "unsupported value: +Inf");
// it encodes as null, and the other fields as before.
func TestBelieveNeverFinishesEncodes(t *testing.T) {
	b, err := json.Marshal(Results{Believe: &BelieveResult{Baseline: "H100", Challenger: "CM384", RatioAtTyp: math.Inf(1), ClaimLow: 5.0 / 3}})
	if err != nil {
		t.Fatalf("Results with an infinite claim ratio: %v", err)
	}
	for _, want := range []string{`"ratio_at_typ":null`, `"baseline":"H100"`, `"claim_low":1.6666666666666667`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoded claim map lacks %s: %s", want, b)
		}
	}
	if strings.Count(string(b), `"ratio_at_typ"`) != 1 {
		t.Errorf("ratio_at_typ written twice: %s", b)
	}
}
