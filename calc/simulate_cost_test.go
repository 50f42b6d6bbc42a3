package calc

import (
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/serve"
)

// simulate prices the chips rented (package serve's cost) and owned, the
// owned cost serve-estimate's (QA: simulate printed $/M out 1.15, rented,
// unlabelled, beside serve-estimate's owned $0.89).
//
// By hand: an H100 owned in region us is $1.886 per chip-hour
// (serve-estimate --chip h100-sxm prints "owned ... ($1.886/h per
// chip-hour, region us)"), rented $2.35. At R output tokens/s per chip a
// million tokens take 1e6 / (R × 3600) chip-hours: owned $1.886e6 / (3600
// R), rented $2.35e6 / (3600 R); at R = 572.5 (the audit's 18 requests/s)
// $0.9151 and $1.140. The 8 chips: owned 8 × 1.886 = $15.09/h.
func TestSimulateOwnedCost(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewSimulateRequest()
	r.Model, r.Chip, r.Chips, r.Parallel.TP, r.Precision = "llama3.1-70b", "h100-sxm", 8, 8, "fp8"
	r.Workload.Rate, r.Workload.Requests = 18, 1000
	r.Workload.Input.Tokens, r.Workload.Output.Tokens = 1024, 256
	st, err := r.Setup(cat, nil)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := Simulate(st, SimulateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pt := sim.Points[0]
	rate := pt.Throughput.OutputTokensPerSPerChip
	o := pt.Owned
	if o == nil {
		t.Fatalf("no owned cost: %s", pt.OwnedNote)
	}
	near := func(what string, got, want, tol float64) {
		if math.Abs(got-want) > tol*want {
			t.Errorf("%s = %.6g, want %.6g", what, got, want)
		}
	}
	near("owned $/h", o.USDPerHour, 8*1.886, 1e-3)
	near("owned $/M out", o.USDPerMOutputTokens, 1.886e6/(3600*rate), 1e-3)
	near("rented $/M out", pt.Cost.USDPerMOutputTokens, 2.35e6/(3600*rate), 1e-3)
	if o.Region != "us" {
		t.Errorf("region %q, want us", o.Region)
	}
	// serve-estimate's own owned cost at the same tokens/s per chip: the
	// same function, to rounding.
	c, _, note := serveCosts(cat, st.setupDeployment(t, cat), "us", rate)
	if c == nil || c.Owned == nil {
		t.Fatalf("serveCosts: no owned cost (%s)", note)
	}
	near("owned $/M out against serve-estimate's", o.USDPerMOutputTokens, float64(c.Owned.USDPerMillion), 1e-9)
	var b strings.Builder
	if err := sim.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Cost rented (the catalog's rental rate): 8 chips at $18.8/h in all", "Cost owned (region us, as serve-estimate prices it): 8 chips at $15.09/h in all"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// setupDeployment is the serving pool's deployment as serve-estimate
// resolves it.
func (s SimulateSetup) setupDeployment(t *testing.T, cat *catalog.Catalog) inference.Deployment {
	t.Helper()
	d, _, err := s.Request.ServeDeployment.resolve(cat)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A chip without an owned price (the H800: no list price) has a rented
// cost and a note for the owned one.
func TestSimulateOwnedCostNote(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	h800, err := cat.Chip("h800-sxm")
	if err != nil {
		t.Fatal(err)
	}
	o, note := ownedCost(cat, []pricedPool{{h800, 8}}, serve.Throughput{OutputTokensPerS: 1000})
	if o != nil || !strings.HasPrefix(note, "no owned cost: ") {
		t.Errorf("h800: %+v, %q; want none and a note", o, note)
	}
}

// A plan's tp counts devices, as --tp does: a 910C package holds two, so
// a tp-2 replica is one chip and a tp-4 one two (QA: "tp2 aggregated" was
// 2 chips running 2 replicas, its disaggregated 1:1 one chip a pool).
// By hand, CHIPS/UNIT: tp2 aggregated 1, 1:1 2, 2:1 and 1:2 3; tp4
// aggregated 2, 1:1 4, 2:1 and 1:2 6; an H100 (one device) tp2
// aggregated 2. Every row's chips are its units × its unit's chips, and
// an aggregated unit is one replica.
func TestPlanTPCountsDevices(t *testing.T) {
	if testing.Short() {
		t.Skip("sizes a plan")
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewSimulateRequest()
	r.Model, r.Precision, r.Chip = "llama3.1-8b", "bf16", ""
	r.Workload.Requests = 600
	r.SLO.TTFT, r.SLO.TPOT = 2, 0.05
	p, err := PlanDeployments(cat, r, PlanOptions{Chips: []string{"ascend-910c", "h100-sxm"}, TP: []int{2, 4}, Target: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"ascend-910c tp2 aggregated": 1, "ascend-910c tp2 disaggregated 1:1": 2, "ascend-910c tp2 disaggregated 2:1": 3, "ascend-910c tp2 disaggregated 1:2": 3,
		"ascend-910c tp4 aggregated": 2, "ascend-910c tp4 disaggregated 1:1": 4, "ascend-910c tp4 disaggregated 2:1": 6, "ascend-910c tp4 disaggregated 1:2": 6,
		"h100-sxm tp2 aggregated": 2, "h100-sxm tp4 disaggregated 2:1": 12,
	}
	for _, row := range p.Rows {
		if w, ok := want[row.Name]; ok && row.UnitChips != w {
			t.Errorf("%s: %g chips a unit, want %g", row.Name, row.UnitChips, w)
		}
		delete(want, row.Name)
		if row.Units > 0 && row.Chips != float64(row.Units)*row.UnitChips {
			t.Errorf("%s: %g chips in %d units of %g", row.Name, row.Chips, row.Units, row.UnitChips)
		}
		if row.Units > 0 && row.Owned == nil {
			t.Errorf("%s: no owned cost (%s)", row.Name, row.OwnedNote)
		}
	}
	for name := range want {
		t.Errorf("no row %s (skipped: %v)", name, p.Skipped)
	}
}
