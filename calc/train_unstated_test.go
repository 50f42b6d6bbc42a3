package calc

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestTrainUnstated: QA's case. Llama 3.1 70B on 64 H100, tp 8 pp 2 mb 1:
// sequence parallelism, left out, is searched as a published run's
// unstated dimensions are, so the plan runs with it on (the stated --sp
// request's own estimate, 1037.0 tokens/s per chip, where the default off
// gave 712.5 with full recompute of 21 of a stage's 40 layers), and the
// estimate names what the plan left out took: sp on, with the plan's
// tokens/s per chip at sp off (the stated --sp=false request's), recompute
// none, zero 1, vpp 1; a plan stating sp lists no sp.
func TestTrainUnstated(t *testing.T) {
	cat := testCatalog(t)
	on, off := true, false
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
	without := est(PlanRequest{TP: 8, PP: 2, Microbatch: 1, SequenceParallel: &off})
	e := est(PlanRequest{TP: 8, PP: 2, Microbatch: 1})
	if !e.Plan.SequenceParallel || e.TokensPerSecPerChip != with.TokensPerSecPerChip || math.Abs(with.TokensPerSecPerChip-1037.0) > 0.05 || math.Abs(without.TokensPerSecPerChip-712.5) > 0.05 {
		t.Errorf("unstated sp: %s at %.1f; want the --sp plan's %.1f (1037.0; off 712.5: %.1f)", e.PlanText, e.TokensPerSecPerChip, with.TokensPerSecPerChip, without.TokensPerSecPerChip)
	}
	got := map[string]Unstated{}
	for _, u := range e.Unstated {
		got[u.Field] = u
	}
	if u := got["plan.sequence_parallel"]; u.Value != "on" || math.Abs(u.Alternative-without.TokensPerSecPerChip) > 1e-9 {
		t.Errorf("sp: %+v; want on with the sp-off plan's %.1f", u, without.TokensPerSecPerChip)
	}
	if got["plan.recompute"].Value != "none" || got["plan.zero"].Value != "1" || got["plan.vpp"].Value != "1" {
		t.Errorf("unstated %+v", e.Unstated)
	}
	if _, ok := got["plan.microbatch"]; ok {
		t.Errorf("mb was stated: %+v", e.Unstated)
	}
	var b bytes.Buffer
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "Unstated: sp on (searched: the faster within the stack's practice; sp off: 712.5 tokens/s per chip), recompute none (searched: memory needs none)"
	if !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	for _, u := range without.Unstated {
		if u.Field == "plan.sequence_parallel" {
			t.Errorf("sp stated, listed as unstated: %+v", u)
		}
	}
	if r := got["plan.recompute"]; len(without.Unstated) == 0 || without.Unstated[0].Value != "full 21/40 per stage" {
		t.Errorf("sp off: unstated %+v; want recompute full 21/40 per stage first (sp on: %+v)", without.Unstated, r)
	}
}

// On a stack without sequence parallelism (cuda-megatron, Megatron-LM of
// 2021) nothing is searched: the line says the stack offers none and
// gives no sp-on figure.
func TestTrainUnstatedNoSP(t *testing.T) {
	cat := testCatalog(t)
	s, err := TrainRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, Stack: "cuda-megatron", Plan: PlanRequest{TP: 8, PP: 4, Microbatch: 1}}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Train(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range e.Unstated {
		if u.Field == "plan.sequence_parallel" && (u.Value != "off" || u.How != "the stack offers no sequence parallelism" || u.Alternative != 0) {
			t.Errorf("sp on a stack without it: %+v", u)
		}
	}
	if len(e.Unstated) == 0 || e.Unstated[0].Field != "plan.sequence_parallel" {
		t.Errorf("unstated %+v: want sp listed first", e.Unstated)
	}
}
