package sweep_test

import (
	"context"
	"os"
	"testing"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/sweep"
	"chipgap/units"
)

// TestServingFleet: a serving cell of N chips is a fleet of N, not one
// instance of N. The user's audit of examples/sweep-small.yaml: DeepSeek-V3
// fp8 at TPOT ≤ 50 ms on B200 served 2,089 tokens/s per chip at 16 chips
// (one EP16 instance) and 1,027 at 64 (one EP64), though 64 chips can
// run as 8 instances of 8, as chipgap serve-estimate --chips 64 lays them
// out. Now every fleet of 64 serves at least as many tokens/s per chip
// as the fleet of 16 of the same chip, model, precision, stack, workload
// and SLO (16 divides 64: the fleet of 64 holds every instance size the
// fleet of 16 does), and the B200's fleet of 64 runs the instance size
// serve-estimate picks for --chips 64.
func TestServingFleet(t *testing.T) {
	b, err := os.ReadFile("../examples/sweep-small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := sweep.Parse("sweep-small.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	var cells []sweep.Cell
	for _, c := range g.Cells() {
		if c.Target == sweep.TargetServing {
			cells = append(cells, c)
		}
	}
	rows, err := sweep.Run(context.Background(), g, cells, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		chip, model, prec string
		tpot, ttft        float64
	}
	bySize := map[int64]map[key]sweep.Row{16: {}, 64: {}}
	for _, r := range rows {
		if r.Error == "" {
			bySize[r.Chips][key{r.Chip, r.Model, r.Precision, *r.SLOTPOT, *r.SLOTTFT}] = r
		}
	}
	compared := 0
	for k, r16 := range bySize[16] {
		r64, ok := bySize[64][k]
		if !ok {
			t.Errorf("%v: a fleet of 16 serves, the fleet of 64 does not", k)
			continue
		}
		compared++
		if *r64.ServeTPSPerChip < *r16.ServeTPSPerChip*(1-1e-12) {
			t.Errorf("%v: %.1f tokens/s per chip on 64 chips (%s), %.1f on 16 (%s)", k, *r64.ServeTPSPerChip, r64.Plan, *r16.ServeTPSPerChip, r16.Plan)
		}
		if n := *r64.InstanceChips; n < 1 || 64%n != 0 {
			t.Errorf("%v: instances of %d chips on 64", k, n)
		}
	}
	if compared < 10 {
		t.Errorf("compared %d serving cells of 16 and 64 chips, want at least 10", compared)
	}

	audit := key{"b200", "deepseek-v3", "fp8", 0.05, 0}
	r16, r64 := bySize[16][audit], bySize[64][audit]
	if r16.ServeTPSPerChip == nil || r64.ServeTPSPerChip == nil {
		t.Fatalf("%v: no serving rows", audit)
	}
	t.Logf("B200 DeepSeek-V3 fp8 TPOT 50 ms: 16 chips %.0f tokens/s per chip, $%.3f/Mtok (%s); 64 chips %.0f, $%.3f/Mtok (%s)",
		*r16.ServeTPSPerChip, *r16.USDPerMtok, r16.Plan, *r64.ServeTPSPerChip, *r64.USDPerMtok, r64.Plan)
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := calc.NewServeRequest()
	req.Chip, req.Chips, req.Model, req.Precision = "b200", 64, "deepseek-v3", "fp8"
	req.Workload = calc.ServeWorkload{Input: 4096, Output: 1024}
	req.SLO = calc.ServeSLO{TPOT: units.Seconds(0.05)}
	s, err := req.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Deployment.Parallel
	devices := max(p.TP, p.EP, 1) * max(p.PP, 1)
	inst := devices / max(s.Deployment.Cluster.Chip.DevicesPerChip, 1)
	if *r64.InstanceChips != int64(inst) || *r64.EP != int64(p.EP) {
		t.Errorf("fleet of 64 B200: instances of %d chips ep=%d (%s); serve-estimate --chips 64: instances of %d chips (tp=%d ep=%d)",
			*r64.InstanceChips, *r64.EP, r64.Plan, inst, p.TP, p.EP)
	}
}

// TestInstanceSizes: the divisors of the fleet up to the cap, smallest
// first.
func TestInstanceSizes(t *testing.T) {
	for _, tc := range []struct {
		n, limit int
		want     []int
	}{
		{1, 0, []int{1}},
		{12, 0, []int{1, 2, 3, 4, 6, 12}},
		{64, 0, []int{1, 2, 4, 8, 16, 32, 64}},
		{64, 16, []int{1, 2, 4, 8, 16}},
		{384, 384, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 384}},
		{16384, 384, []int{1, 2, 4, 8, 16, 32, 64, 128, 256}},
		{7, 5, []int{1}},
		{36, 0, []int{1, 2, 3, 4, 6, 9, 12, 18, 36}},
	} {
		got := sweep.InstanceSizes(tc.n, tc.limit)
		if len(got) != len(tc.want) {
			t.Errorf("InstanceSizes(%d, %d) = %v, want %v", tc.n, tc.limit, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("InstanceSizes(%d, %d) = %v, want %v", tc.n, tc.limit, got, tc.want)
				break
			}
		}
	}
}
