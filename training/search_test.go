package training

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
)

// The search gives the same plans whatever the number of workers, every
// valid plan is either out of memory, in the top or slower, and the top
// is sorted and each entry equals Estimate of its plan.
func TestSearchDeterministicAndConsistent(t *testing.T) {
	c := testCluster(64)
	job := Job{Seq: 2048, GlobalBatch: 256, Precision: hardware.BF16}
	prof := ideal()
	prof.MatmulMax, prof.MatmulHalfFLOP, prof.AttentionEff, prof.MemoryEff = p(0.7), p(3e9), p(0.5), p(0.8)
	a, err := Search(gpt13, c, prof, job, SearchOptions{Top: 5, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Search(gpt13, c, prof, job, SearchOptions{Top: 5, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("1 worker and 3 workers differ:\n%+v\n%+v", a.Top[0].PlanText, b.Top[0].PlanText)
	}
	if a.Evaluated != a.OutOfMemory+a.Slower+len(a.Top) {
		t.Errorf("evaluated %d ≠ oom %d + slower %d + top %d", a.Evaluated, a.OutOfMemory, a.Slower, len(a.Top))
	}
	for i, r := range a.Top {
		if i > 0 && r.StepTime < a.Top[i-1].StepTime {
			t.Errorf("top not sorted at %d", i)
		}
		e, err := Estimate(gpt13, r.Plan, c, prof, job)
		if err != nil || e.StepTime != r.StepTime {
			t.Errorf("Estimate(%s) = %v, %v; search said %v", r.PlanText, e.StepTime, err, r.StepTime)
		}
	}
}

// Fixing a dimension in the space fixes it in every plan; the stack's
// features bound the free ones (no SP, ZeRO ≤ 1 here).
func TestSearchRespectsSpaceAndStack(t *testing.T) {
	prof := ideal()
	prof.SequenceParallel, prof.MaxZeRO = p(0), p(1)
	sr, err := Search(gpt13, testCluster(64), prof, Job{Seq: 2048, GlobalBatch: 256, Precision: hardware.BF16},
		SearchOptions{Space: parallel.Space{TP: 4}, Top: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sr.Top {
		if r.Plan.TP != 4 || r.Plan.SequenceParallel || r.Plan.ZeRO > 1 {
			t.Errorf("plan %s breaks tp=4, no sp, zero ≤ 1", r.PlanText)
		}
	}
}

func TestSearchProgressReachesTotal(t *testing.T) {
	var last, total int
	_, err := Search(gpt13, testCluster(16), ideal(), Job{Seq: 2048, GlobalBatch: 64, Precision: hardware.BF16},
		SearchOptions{Progress: func(d, n int) { last, total = d, n }})
	if err != nil {
		t.Fatal(err)
	}
	if last == 0 || last != total {
		t.Errorf("progress ended at %d of %d", last, total)
	}
}

// Of two plans equally fast, the one splitting the model over fewer ranks
// ranks first (before the change the plan text decided, which put
// "dp=1 cp=8" before "dp=8"); in a search every tie keeps that order.
func TestTiesPreferFewerModelRanks(t *testing.T) {
	cp8 := Result{Plan: parallel.Plan{TP: 1, PP: 1, DP: 1, CP: 8, Microbatch: 16}, StepTime: 60}
	dp8 := Result{Plan: parallel.Plan{TP: 1, PP: 1, DP: 8, CP: 1, Microbatch: 2}, StepTime: 60}
	if !better(dp8, cp8) || better(cp8, dp8) {
		t.Errorf("tie: %s should rank before %s", dp8.Plan, cp8.Plan)
	}
	slower := dp8
	slower.StepTime += 1e-3
	if !better(cp8, slower) {
		t.Error("a faster plan must rank first whatever its split")
	}
	sr, err := Search(gpt13, testCluster(64), ideal(), Job{Seq: 2048, GlobalBatch: 256, Precision: hardware.BF16}, SearchOptions{Top: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(sr.Top); i++ {
		a, b := sr.Top[i-1], sr.Top[i]
		if a.StepTime == b.StepTime && modelRanks(a.Plan) > modelRanks(b.Plan) {
			t.Errorf("tied plans %s (%d model ranks) before %s (%d)", a.PlanText, modelRanks(a.Plan), b.PlanText, modelRanks(b.Plan))
		}
	}
}

// A space whose every plan breaks a rule says which rule, where it said
// only that no valid plan fits in memory: a plan's own (vpp 2 needs pp >
// 1) or the stack's (no sequence parallelism). It is still ErrNoPlan.
func TestSearchNamesTheRuleEveryPlanBreaks(t *testing.T) {
	job := Job{Seq: 2048, GlobalBatch: 256, Precision: hardware.BF16}
	for _, tc := range []struct {
		name  string
		space parallel.Space
		noSP  bool
		want  string
	}{
		{"vpp without pp", parallel.Space{TP: 8, PP: 1, VPP: 2}, false, "vpp = 2"},
		{"sp on a stack without it", parallel.Space{TP: 4, SP: []bool{true}}, true, "has no sequence parallelism"},
	} {
		prof := ideal()
		if tc.noSP {
			prof.SequenceParallel = p(0)
		}
		sr, err := Search(gpt13, testCluster(64), prof, job, SearchOptions{Space: tc.space})
		if !errors.Is(err, ErrNoPlan) || !strings.Contains(err.Error(), tc.want) || sr.Evaluated != 0 {
			t.Errorf("%s: %v (%d estimated), want ErrNoPlan naming %q", tc.name, err, sr.Evaluated, tc.want)
		}
	}
}

// A search whose Stop answers an error ends at once with that error (a
// server's deadline): asked before each shape, so after the third shape
// it is asked a fourth time and nothing more is estimated; Stopped tells
// it from a search that found no plan, and errors.Is sees the caller's
// error through it.
func TestSearchStops(t *testing.T) {
	c := testCluster(64)
	job := Job{Seq: 2048, GlobalBatch: 256, Precision: hardware.BF16}
	deadline := errors.New("deadline")
	asked, shapes := 0, 0
	_, err := Search(gpt13, c, ideal(), job, SearchOptions{Workers: 1,
		Progress: func(done, total int) { shapes = done },
		Stop: func() error {
			if asked++; asked > 3 {
				return deadline
			}
			return nil
		}})
	if !errors.Is(err, deadline) || !Stopped(err) || asked != 4 || shapes != 3 {
		t.Errorf("stopped search: err %v (stopped %v), asked %d times, %d shapes done; want the deadline after 3 shapes", err, Stopped(err), asked, shapes)
	}
	if _, err := Search(gpt13, c, ideal(), job, SearchOptions{Workers: 1, Stop: func() error { return nil }}); err != nil || Stopped(err) {
		t.Errorf("a search Stop lets run: %v", err)
	}
}
