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
// By hand, from the catalog's typical values (chips.yaml's H100, econ.yaml
// with region us), the owned chip-hour is capital plus energy:
//
//	wall    = TDP × load × server power multiplier × PUE
//	        = 700 × 0.75 × 1.8 × 1.1 = 1039.5 W
//	capex   = price × server cost multiplier × (1 + network share)
//	          + facility $/W × wall
//	        = 30000 × 1.64 × 1.15 + 10 × 1039.5 = $66,975
//	capital = capex ÷ (depreciation years × 365.25 × 24 h × utilisation)
//	        = 66975 ÷ (5 × 8766 × 0.85) = $1.7977/h
//	energy  = wall ÷ 1000 × $/kWh = 1.0395 × 0.085 = $0.0884/h
//	owned   = $1.886 per chip-hour
//
// (serve-estimate --chip h100-sxm prints "owned ... ($1.886/h per
// chip-hour, region us)"), rented $2.35 (the rental's typical value). At
// R output tokens/s per chip a million tokens take 1e6 / (R × 3600)
// chip-hours: owned $1.886e6 / (3600 R), rented $2.35e6 / (3600 R); at R =
// 572.5 (the audit's 18 requests/s) $0.9151 and $1.140. The 8 chips: owned
// 8 × 1.886 = $15.09/h. The test computes the owned chip-hour with this
// formula from catalog.Load's values, not through ownedChipHour, so a
// change to that function's formula fails it.
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
	owned, rented := ownedH100Hour(t, cat)
	near("owned chip-hour, by hand", owned, 1.886, 1e-3)
	near("owned $/h", o.USDPerHour, 8*owned, 1e-9)
	near("owned $/M out", o.USDPerMOutputTokens, owned*1e6/(3600*rate), 1e-9)
	near("rented $/M out", pt.Cost.USDPerMOutputTokens, rented*1e6/(3600*rate), 1e-9)
	if o.Region != "us" {
		t.Errorf("region %q, want us", o.Region)
	}
	// serve-estimate's own owned cost at the same tokens/s per chip: the
	// same chip-hour (the hand figure above pins its formula).
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

// ownedH100Hour is the H100's owned chip-hour in region us at typical
// values, by TestSimulateOwnedCost's formula from catalog.Load's chips.yaml
// and econ.yaml, and its typical rental rate.
func ownedH100Hour(t *testing.T, cat *catalog.Catalog) (owned, rented float64) {
	t.Helper()
	ch, err := cat.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	data, err := cat.Econ()
	if err != nil {
		t.Fatal(err)
	}
	us, err := data.Region("us")
	if err != nil {
		t.Fatal(err)
	}
	wall := float64(ch.TDP.Typ) * float64(data.Power.Load.Typ) * float64(data.Power.ServerMultiplier.Typ) * float64(us.PUE.Typ)
	capex := float64(ch.Price.Typ)*float64(data.Capex.ServerMultiplier.Typ)*(1+float64(data.Capex.NetworkShare.Typ)) +
		float64(data.Capex.FacilityUSDPerWatt.Typ)*wall
	busyHours := float64(data.DepreciationYears.Typ) * 365.25 * 24 * float64(data.Utilisation.Typ)
	return capex/busyHours + wall/1000*float64(us.USDPerKWh.Typ), float64(ch.Rental.Typ)
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
