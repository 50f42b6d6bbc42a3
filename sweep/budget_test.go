package sweep

import (
	"strconv"
	"testing"
	"time"
)

// Cost.Cell worked by hand from Measured().
func TestCostCell(t *testing.T) {
	k := Measured()
	for _, tc := range []struct {
		c       Cell
		samples int
		w       Work
		want    time.Duration
	}{
		// 1 ms + 150,000 plans × 1.1 µs = 166 ms.
		{Cell{Target: TargetTraining, Size: 16384}, 0, Work{Plans: 150000}, 166 * time.Millisecond},
		// + 1000 draws × 0.3 ms = 466 ms.
		{Cell{Target: TargetTraining, Size: 16384}, 1000, Work{Plans: 150000}, 466 * time.Millisecond},
		// MoE: 1 ms + 4,958,240 plans × 1.8 µs = 8.925832 s.
		{Cell{Target: TargetTraining, Size: 65536}, 0, Work{MoE: true, Plans: 4958240}, 8925832 * time.Microsecond},
		// No plan to search: 1 ms and the draws.
		{Cell{Target: TargetTraining, Size: 16}, 10, Work{MoE: true}, 4 * time.Millisecond},
		// A cell that fails before its search (a chip without its
		// precision): 1 ms, no draws.
		{Cell{Target: TargetTraining, Size: 16}, 10, Work{MoE: true, Plans: 9, Fails: true}, time.Millisecond},
		// Serving: a fleet of 64 searching its 7 instance sizes, 7 ×
		// 1.5 ms + 100 × 0.05 ms = 15.5 ms; plans play no part.
		{Cell{Target: TargetServing, Size: 64}, 100, Work{MoE: true, Plans: 9, Instances: 7}, 15500 * time.Microsecond},
		{Cell{Target: TargetServing, Size: 8}, 0, Work{Instances: 1}, 400 * time.Microsecond},
		// Every instance size searched by an earlier cell: the typical
		// evaluation and the draws, (1 + 100) × 0.05 ms.
		{Cell{Target: TargetServing, Size: 64}, 100, Work{MoE: true}, 5050 * time.Microsecond},
	} {
		if got := k.Cell(tc.c, tc.samples, tc.w); got != tc.want {
			t.Errorf("Cell(%s ×%d, %d samples, %+v) = %v, want %v", tc.c.Target, tc.c.Size, tc.samples, tc.w, got, tc.want)
		}
	}
}

// A serving cell's cost counts the instance sizes its fleet searches
// first: fleets of 16 and 64 DeepSeek-V3 chips try 1, 2, 4, 8, 16 and
// 1, 2, 4, 8, 16, 32, 64, so the second searches 32 and 64 only
// (5 × 1.5 ms, then 2 × 1.5 ms); a cap of 8 leaves 4 sizes to the first
// and none to the second (its typical evaluation, 0.05 ms).
func TestCellCostsInstances(t *testing.T) {
	for _, tc := range []struct {
		cap  string
		want []time.Duration
	}{
		{"", []time.Duration{7500 * time.Microsecond, 3000 * time.Microsecond}},
		{"\n  max_instance_chips: 8", []time.Duration{6000 * time.Microsecond, 50 * time.Microsecond}},
	} {
		g := parse(t, `format: chipgap-sweep/v1
chips: [b200]
sizes: [16, 64]
models: [deepseek-v3]
precisions: [fp8]
serving:
  slos: [{tpot: 50ms}]`+tc.cap+"\n")
		got, err := g.CellCosts(g.Cells())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != tc.want[0] || got[1] != tc.want[1] {
			t.Errorf("cap %q: CellCosts = %v, want %v", tc.cap, got, tc.want)
		}
	}
}

// One cell runs on one core: a grid of one cell of 4.32 s takes 4.32 s
// on 2 cores, not half of it (QA: the estimate said 2.2 s for a cell
// that took 4.2 s).
func TestSpreadOneCellOneCore(t *testing.T) {
	cell := 4320 * time.Millisecond
	for _, cores := range []int{1, 2, 16} {
		if got := Spread([]time.Duration{cell}, cores); got != cell {
			t.Errorf("one 4.32 s cell on %d cores: %v", cores, got)
		}
	}
	if got := Spread([]time.Duration{cell, cell}, 2); got != cell {
		t.Errorf("two 4.32 s cells on 2 cores: %v, want 4.32 s", got)
	}
	if got := Spread([]time.Duration{cell, cell}, 1); got != 2*cell {
		t.Errorf("two 4.32 s cells on 1 core: %v, want 8.64 s", got)
	}
}

// qaGrid is QA's grid: one DeepSeek-V3 training cell on 65,536 910C
// (131,072 devices) with a whole run, at global batch gb (0: the
// default 2,048).
func qaGrid(t *testing.T, gb int) *Grid {
	t.Helper()
	src := "format: chipgap-sweep/v1\nchips: [ascend-910c]\nsizes: [65536]\nmodels: [deepseek-v3]\nprecisions: [bf16]\ntraining: {tokens: 20e12, whole_run: true"
	if gb > 0 {
		src += ", global_batch: " + strconv.Itoa(gb)
	}
	g, err := Parse("grid", []byte(src+"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The estimate follows the plans the search estimates, which the global
// batch multiplies (QA: the cell took 7.1 s at the default batch and
// 14.1 s at 65,536, 16.5 s as a job, and both were estimated at 5.3 s,
// so a synchronous POST /api/sweep ran into a 504 instead of a 400).
// The plan counts are those Space.Each walks (parallel.TestCountPlansCountsEach
// checks the method); the times are Measured's.
func TestEstimateFollowsGlobalBatch(t *testing.T) {
	k := Measured()
	for _, tc := range []struct {
		gb, plans int
	}{
		{0, 4958240},
		{65536, 9973200},
	} {
		g := qaGrid(t, tc.gb)
		start := time.Now()
		costs, err := g.CellCosts(g.Cells())
		if err != nil {
			t.Fatal(err)
		}
		got := Spread(costs, 2)
		if d := time.Since(start); d > time.Second {
			t.Errorf("global batch %d: estimated in %v, want well under a second", tc.gb, d)
		}
		if want := k.TrainCell + time.Duration(tc.plans)*k.MoEPlan; got != want {
			t.Errorf("global batch %d: estimate %v, want %v (%d plans)", tc.gb, got, want, tc.plans)
		}
	}
}
