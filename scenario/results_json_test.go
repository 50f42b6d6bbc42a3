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

// TestStatTypOutside: a figure whose estimate at typical values lies
// outside its samples' P10–P90 says so in its JSON (the report's 2.58×
// beside 2.68×–5.54×; a run that never finishes in its P90 still has a
// P10 to lie below), and one inside, or with no finite typ, does not.
func TestStatTypOutside(t *testing.T) {
	for _, c := range []struct {
		s    Stat
		want string
	}{
		{Stat{Typ: 2.58, P10: 2.68, P50: 3.5, P90: 5.54}, `"typ_outside":"below"`},
		{Stat{Typ: 0.49, P10: 0.40, P50: 0.45, P90: 0.48}, `"typ_outside":"above"`},
		{Stat{Typ: 35, P10: 51, P50: 87, P90: math.Inf(1)}, `"typ_outside":"below"`},
		{Stat{Typ: 3, P10: 2.68, P50: 3.5, P90: 5.54}, ""},
		{Stat{Typ: math.Inf(1), P10: 2, P50: 3, P90: 4}, ""},
	} {
		b, err := json.Marshal(c.s)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(b), "typ_outside"); got != (c.want != "") || c.want != "" && !strings.Contains(string(b), c.want) {
			t.Errorf("%+v encodes %s, want %q", c.s, b, c.want)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
}

// TestNoStrategyOmitted: where the baseline or the challenger has no
// training plan there is no strategy and no tornado; the JSON leaves
// them out rather than writing empty labels and a base of 0, and writes
// them where they were computed.
func TestNoStrategyOmitted(t *testing.T) {
	b, err := json.Marshal(Results{Title: "none fits"})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"strategy"`, `"tornado"`, `"believe"`} {
		if strings.Contains(string(b), k) {
			t.Errorf("no plan, yet the JSON has %s: %s", k, b)
		}
	}
	b, err = json.Marshal(Results{Strategy: StrategyResult{Baseline: "H100", Challenger: "CM384"}, Tornado: TornadoResult{Output: "CM384 / H100 total training time", Base: 2.5}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"strategy":{"baseline":"H100","challenger":"CM384"`, `"tornado":{"output":"CM384 / H100 total training time","base":2.5`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}
