package catalog

import (
	"math"
	"testing"

	"chipgap/goodput"
	"chipgap/units"
)

// TestJobSparePolicyKeepsLargeAscendRunsMoving is the regression for a
// copy of the job assembly that sized spares by scale-up domains: 8,192
// 910Cs in 384-chip domains are 22 domains but 1,024 servers of 8.
func TestJobSparePolicyKeepsLargeAscendRunsMoving(t *testing.T) {
	cat := load(t)
	m, err := cat.Model("llama3.1-405b")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := cat.Cluster("ascend-910c", 8192, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := cat.Job(m, cl, JobOptions{Work: 100 * units.Day})
	if err != nil {
		t.Fatal(err)
	}
	// Fraction floor: ⌈0.02 × 8192/8⌉ = ⌈20.48⌉ = 21 servers.
	if j.Spares.Nodes < 21 {
		t.Errorf("spares = %d, want at least 21 (2 %% of 1,024 servers)", j.Spares.Nodes)
	}
	// And at least the servers away for repair at the pessimistic rates.
	hi, err := goodput.ClosedAt(j, goodput.High)
	if err != nil {
		t.Fatal(err)
	}
	if float64(j.Spares.Nodes) < math.Ceil(hi.InRepair) {
		t.Errorf("spares = %d < %.1f servers in repair at the high rates", j.Spares.Nodes, hi.InRepair)
	}
	e, err := goodput.Closed(j)
	if err != nil || e.NoProgress || e.Effective < 0.5 {
		t.Errorf("closed form: effective %.3g, no progress %v, err %v", e.Effective, e.NoProgress, err)
	}
}

func TestJobOptionsOverride(t *testing.T) {
	cat := load(t)
	m, _ := cat.Model("llama3.1-8b")
	cl, err := cat.Cluster("h100-sxm", 64, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zero, async := 0, false
	j, err := cat.Job(m, cl, JobOptions{Work: units.Day, Spares: &zero, Async: &async, BytesPerParam: 10})
	if err != nil {
		t.Fatal(err)
	}
	if j.Spares.Nodes != 0 || j.Checkpoint.Async {
		t.Errorf("overrides lost: spares %d, async %v", j.Spares.Nodes, j.Checkpoint.Async)
	}
	// 10 bytes per parameter of Llama 3.1 8B's 8,030,261,248 parameters.
	if got, want := float64(j.Checkpoint.Bytes), 10*float64(m.Params().Total); got != want {
		t.Errorf("checkpoint bytes = %g, want %g", got, want)
	}
	// A window of a run under way (Work 0) carries no porting.
	w, err := cat.Job(m, cl, JobOptions{Horizon: units.Day})
	if err != nil {
		t.Fatal(err)
	}
	if w.Engineering.Port.Typ != 0 {
		t.Errorf("window job has porting %v", w.Engineering.Port.Typ)
	}
}
