package calc

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestTrainUnstated: QA's case. Llama 3.1 70B on 64 H100, tp 8 pp 2 mb 1:
// the estimate names what the plan left out took — sp off, with the
// plan's tokens/s per chip at --sp (the stated --sp request's own
// estimate), full recompute of 21 of a stage's 40 layers, zero 1, vpp 1 —
// and a plan stating --sp lists no sp.
func TestTrainUnstated(t *testing.T) {
	cat := testCatalog(t)
	on := true
	est := func(p PlanRequest) TrainEstimate {
		t.Helper()
		s, err := TrainRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, Plan: p}.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Train(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	with := est(PlanRequest{TP: 8, PP: 2, Microbatch: 1, SequenceParallel: &on})
	e := est(PlanRequest{TP: 8, PP: 2, Microbatch: 1})
	got := map[string]Unstated{}
	for _, u := range e.Unstated {
		got[u.Field] = u
	}
	if u := got["plan.sequence_parallel"]; u.Value != "off" || math.Abs(u.Alternative-with.TokensPerSecPerChip) > 1e-9 || with.TokensPerSecPerChip < 1.3*e.TokensPerSecPerChip {
		t.Errorf("sp: %+v; want off with the --sp plan's %.1f (well above %.1f)", u, with.TokensPerSecPerChip, e.TokensPerSecPerChip)
	}
	if got["plan.recompute"].Value != "full 21/40 per stage" || got["plan.zero"].Value != "1" || got["plan.vpp"].Value != "1" {
		t.Errorf("unstated %+v", e.Unstated)
	}
	if _, ok := got["plan.microbatch"]; ok {
		t.Errorf("mb was stated: %+v", e.Unstated)
	}
	var b bytes.Buffer
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "Unstated: sp off (the default; --sp: 1037.0 tokens/s per chip), recompute full 21/40 per stage"
	if !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	for _, u := range with.Unstated {
		if u.Field == "plan.sequence_parallel" {
			t.Errorf("--sp stated, listed as unstated: %+v", u)
		}
	}
}
