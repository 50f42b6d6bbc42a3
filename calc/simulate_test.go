package calc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/serve"
)

// The SLO text names the percentile package serve judges at: its default
// P99 for a zero (QA: "within P0 TPOT ≤ 13ms" beside a P99 verdict).
func TestSimSLOTextPercentile(t *testing.T) {
	for _, c := range []struct {
		pct  float64
		want string
	}{{0, "P99 TPOT ≤ 13ms"}, {0.9, "P90 TPOT ≤ 13ms"}} {
		if got := simSLOText(serve.SLO{TPOT: 13 * time.Millisecond, Percentile: c.pct}); got != c.want {
			t.Errorf("percentile %g: %q, want %q", c.pct, got, c.want)
		}
	}
}

// A stated slo.percentile of 0 is refused: the default is 0.99, so a 0
// is always stated, and package serve would judge it at P99.
func TestSimulateRefusesPercentileZero(t *testing.T) {
	r := NewSimulateRequest()
	r.Model, r.Chip, r.SLO.Percentile = "llama3.1-8b", "h100-sxm", 0
	var fe *input.Error
	if err := r.check(); !errors.As(err, &fe) || fe.Field != "slo.percentile" {
		t.Errorf("percentile 0: %v, want an error naming slo.percentile", err)
	}
}

// A plan checks its lists before building anything (unknown, empty and
// repeated entries are bad input, not skipped candidates or duplicate
// rows) and refuses one deployment's fields a scenario states beside it.
func TestPlanDeploymentsChecksInput(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := NewSimulateRequest()
	base.Model, base.SLO.TTFT = "llama3.1-8b", 2
	for _, c := range []struct {
		edit  func(*SimulateRequest, *PlanOptions)
		field string
		want  string
	}{
		{func(_ *SimulateRequest, o *PlanOptions) { o.Chips = []string{"nope"} }, "plan", "unknown chip"},
		{func(_ *SimulateRequest, o *PlanOptions) { o.Chips = []string{"h100-sxm", ""} }, "plan", "entry 2 is empty"},
		{func(_ *SimulateRequest, o *PlanOptions) { o.Chips = []string{"h100-sxm", "h100-sxm"} }, "plan", "listed twice"},
		{func(_ *SimulateRequest, o *PlanOptions) { o.TP = []int{2, 2} }, "plan_tp", "listed twice"},
		{func(_ *SimulateRequest, o *PlanOptions) { o.Target = -5 }, "target_rate", "a positive number"},
		{func(r *SimulateRequest, _ *PlanOptions) { r.Chip = "h100-sxm" }, "chip", "a plan sizes itself"},
		{func(r *SimulateRequest, _ *PlanOptions) { r.Parallel.DP = 8 }, "parallel.dp", "a plan sizes itself"},
		{func(r *SimulateRequest, _ *PlanOptions) { r.Prefill.Chips = 2 }, "prefill", "a plan sizes itself"},
	} {
		r, o := base, PlanOptions{Chips: []string{"h100-sxm"}, TP: []int{1}, Target: 5}
		c.edit(&r, &o)
		_, err := PlanDeployments(cat, r, o)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error on %s saying %q, got %v", c.field, c.want, err)
		}
	}
}

// A KV link is refused without a prefill pool, but a plan, which tries
// disaggregated pools, takes it; with given (the CLI's flags) a field
// stated at its default value is refused too.
func TestSimulateUnusedLinkAndGiven(t *testing.T) {
	r := NewSimulateRequest()
	r.LinkBW = 50e9
	var fe *input.Error
	if err := r.Unused(nil, nil, false); !errors.As(err, &fe) || fe.Field != "link_bandwidth" {
		t.Errorf("link without a prefill pool: %v, want an error naming link_bandwidth", err)
	}
	if err := r.Unused(nil, nil, true); err != nil {
		t.Errorf("link under a plan: %v, want none", err)
	}
	r.Mode = "disaggregated"
	if err := r.Unused(nil, nil, false); err != nil {
		t.Errorf("link with disaggregated pools: %v, want none", err)
	}
	d := NewSimulateRequest()
	if err := d.Unused(nil, nil, false); err != nil {
		t.Errorf("the defaults: %v, want none", err)
	}
	cvGiven := func(p string) bool { return p == "workload.cv" }
	if err := d.Unused(cvGiven, func(p string) string { return "<" + p + ">" }, false); !errors.As(err, &fe) || fe.Field != "workload.cv" || !strings.Contains(fe.Want, "<workload.arrival> gamma") {
		t.Errorf("cv given at its default under Poisson: %v, want an error naming workload.cv and <workload.arrival> gamma", err)
	}
}

// A draft-token acceptance other than the default without draft tokens
// would be ignored: refused in a file or an API body as the CLI refuses
// its flag; with tokens, or at the default, it passes the check.
func TestServeAcceptanceNeedsTokens(t *testing.T) {
	d := defaultServeDeployment()
	d.Model, d.Chip = "llama3.1-8b", "h100-sxm"
	d.Speculative.Acceptance = 0.8
	var fe *input.Error
	if err := d.check(); !errors.As(err, &fe) || fe.Field != "speculative.acceptance" || !strings.Contains(fe.Want, "needs speculative.tokens") {
		t.Errorf("acceptance 0.8 without tokens: %v, want an error naming speculative.acceptance", err)
	}
	d.Speculative.Tokens = 2
	if err := d.check(); err != nil {
		t.Errorf("acceptance 0.8 with 2 draft tokens: %v, want none", err)
	}
}

// TestOfflineCarriesNoRate: an offline batch queues every request at time
// 0 and uses no rate, yet its answer said "rate": 10 (the request's
// default) beside a throughput of 15.7 requests/s (QA). It carries rate
// 0, in the view, the point and the scenario's echo, and the same answer
// whatever rate the request held.
func TestOfflineCarriesNoRate(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewSimulateRequest()
	r.Model, r.Chip, r.Chips = "llama3.1-8b", "h100-sxm", 1
	r.Workload.Arrival, r.Workload.Requests = serve.Offline, 300
	var first []byte
	for _, rate := range []float64{10, 0} {
		r.Workload.Rate = rate
		st, err := r.Setup(cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := Simulate(st, SimulateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		v := sim.View(false)
		if v.Rate != 0 || sim.Points[0].Rate != 0 || r.Spec().Rate != 0 {
			t.Errorf("request rate %g: view rate %g, point %g, echo %g; want 0 (not used)", rate, v.Rate, sim.Points[0].Rate, r.Spec().Rate)
		}
		b, _ := json.Marshal(v.Result)
		if first == nil {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("the offline result at request rate 0 differs from rate 10's (the series' interval followed the rate)")
		}
	}
}
