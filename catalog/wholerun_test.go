package catalog

import (
	"errors"
	"math"
	"strings"
	"testing"

	"chipgap/goodput"
	"chipgap/training"
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

// TestRunThroughputNoPlanFits: a search that estimates plans and finds
// none that fits in memory is no run (training.ErrNoPlan), not 6·N·D at
// the stack's fallback MFU: 8 H100s hold 8 × 85.9 = 687 GB, the 405B's
// bf16 weights alone 405.8e9 × 2 B = 811.7 GB. The same model on 1,024
// chips finds a plan (the estimator's rate, not the fallback's), and
// carries it (Best, the plan its text names). An assumed MFU sets the
// rate, not the memory: 8 chips at mfu 0.4 are refused alike.
func TestRunThroughputNoPlanFits(t *testing.T) {
	cat := load(t)
	m, err := cat.Model("llama3.1-405b")
	if err != nil {
		t.Fatal(err)
	}
	job := training.Job{Seq: 8192, GlobalBatch: 2048, Precision: "bf16"}
	cl, err := cat.Cluster("h100-sxm", 8, ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tp, err := cat.RunThroughput(ThroughputRequest{Model: m, Cluster: cl, Job: job})
	if !errors.Is(err, training.ErrNoPlan) || !strings.Contains(err.Error(), "short by") || tp.TokensPerSec != 0 {
		t.Errorf("8 × h100-sxm: %+v, err %v; want training.ErrNoPlan naming the shortfall", tp, err)
	}
	tp, err = cat.RunThroughput(ThroughputRequest{Model: m, Cluster: cl, Job: job, MFU: 0.4, MFUFrom: "test"})
	if !errors.Is(err, training.ErrNoPlan) || !strings.Contains(err.Error(), "an assumed mfu, 0.4, sets the rate, not the memory") || tp.TokensPerSec != 0 {
		t.Errorf("8 × h100-sxm at mfu 0.4: %+v, err %v; want training.ErrNoPlan: an MFU sets the rate, not the memory", tp, err)
	}
	if cl, err = cat.Cluster("h100-sxm", 1024, ClusterOptions{}); err != nil {
		t.Fatal(err)
	}
	tp, err = cat.RunThroughput(ThroughputRequest{Model: m, Cluster: cl, Job: job})
	if err != nil || !strings.HasPrefix(tp.Source, "training estimator") {
		t.Errorf("1024 × h100-sxm: source %q, err %v; want the estimator's plan", tp.Source, err)
	}
	if tp.Best == nil || tp.Best.String() != tp.Plan {
		t.Errorf("1024 × h100-sxm: best %v, plan %q; want the plan the text names", tp.Best, tp.Plan)
	}
}
