package calc

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"chipgap/input"
)

// TestFieldRulesPaths: every field a rule names, and every field its
// needs read, is a field of the requests the rules apply to (valueAt
// panics on a path no field has).
func TestFieldRulesPaths(t *testing.T) {
	for _, c := range []struct {
		rules []fieldRule
		req   any
	}{{simulateRules, NewSimulateRequest()}, {specRules, defaultServeDeployment()}, {specRules, ServeRequest{}}} {
		v := reflect.ValueOf(c.req)
		for _, r := range c.rules {
			valueAt(v, r.path)
			for _, g := range r.needs {
				for _, n := range g {
					valueAt(v, n.Field)
				}
			}
		}
	}
}

// TestFormNeeds: the forms carry the rules' needs, the rate's two rules
// (no sweep, no offline arrival) as one group of both conditions.
func TestFormNeeds(t *testing.T) {
	f, err := Form("simulate")
	if err != nil {
		t.Fatal(err)
	}
	needs := map[string]Needs{}
	for _, x := range f.Fields {
		needs[x.Name] = x.Needs
	}
	rate := needs["workload.rate"]
	if len(rate) != 1 || len(rate[0]) != 2 || !rate[0][0].Unset || rate[0][1].NotIn[0] != "offline" {
		t.Errorf("workload.rate needs %+v: want one group, rates unset and arrival not offline", rate)
	}
	if cv := needs["workload.cv"]; len(cv) != 1 || !slices.Equal(cv[0][0].In, []string{"gamma"}) {
		t.Errorf("workload.cv needs %+v: want arrival gamma", cv)
	}
	// A length's field: its distribution takes it, and no trace is
	// replayed (none given, or the other length drawn from it).
	if s := needs["workload.output.sigma"]; len(s) != 2 || !slices.Equal(s[0][0].In, []string{"lognormal"}) || !s[0][1].Unset ||
		!slices.Equal(s[1][1].In, []string{"empirical"}) || s[1][1].Field != "workload.input.dist" {
		t.Errorf("sigma needs %+v: want lognormal, and no trace or an empirical input", s)
	}
	if s := needs["workload.input.tokens"]; len(s) != 2 || !slices.Equal(s[0][0].In, []string{"fixed", "lognormal"}) {
		t.Errorf("tokens needs %+v: want fixed or lognormal", s)
	}
	if l := needs["link_bandwidth"]; len(l) != 2 {
		t.Errorf("link_bandwidth needs %+v: want a disaggregated mode or a prefill pool", l)
	}
	if needs["workload.requests"] != nil {
		t.Errorf("workload.requests has needs %+v: it always applies", needs["workload.requests"])
	}
	inf, _ := Form("infer")
	for _, x := range inf.Fields {
		if x.Name == "speculative.acceptance" && (len(x.Needs) != 1 || !x.Needs[0][0].Set) {
			t.Errorf("infer speculative.acceptance needs %+v: want speculative.tokens set", x.Needs)
		}
	}
}

// TestNeedsHold: the needs read as the API refuses, case by case.
func TestNeedsHold(t *testing.T) {
	base := NewSimulateRequest()
	cases := []struct {
		name  string
		edit  func(*SimulateRequest)
		field string // "" = accepted
	}{
		{"defaults", func(*SimulateRequest) {}, ""},
		{"cv without gamma", func(r *SimulateRequest) { r.Workload.CV = 3 }, "workload.cv"},
		{"cv with gamma", func(r *SimulateRequest) { r.Workload.CV = 3; r.Workload.Arrival = "gamma" }, ""},
		{"rate beside a sweep", func(r *SimulateRequest) { r.Workload.Rate = 4; r.Workload.Rates = []float64{1, 2} }, "workload.rate"},
		{"rate 0 beside a sweep", func(r *SimulateRequest) { r.Workload.Rate = 0; r.Workload.Rates = []float64{1, 2} }, ""},
		{"default rate beside a sweep", func(r *SimulateRequest) { r.Workload.Rates = []float64{1, 2} }, ""},
		{"rate offline", func(r *SimulateRequest) { r.Workload.Rate = 4; r.Workload.Arrival = "offline" }, "workload.rate"},
		{"sigma uniform", func(r *SimulateRequest) { r.Workload.Input.Dist = "uniform"; r.Workload.Input.Sigma = 2 }, "workload.input.sigma"},
		{"min uniform", func(r *SimulateRequest) { r.Workload.Input.Dist = "uniform"; r.Workload.Input.Min = 5 }, ""},
		{"max fixed", func(r *SimulateRequest) { r.Workload.Output.Max = 5 }, "workload.output.max"},
		// QA: tokens 200 and 999 beside uniform gave the same answer.
		{"tokens uniform", func(r *SimulateRequest) {
			r.Workload.Output = SimLengths{Dist: "uniform", Min: 50, Max: 400, Tokens: 999, Sigma: 1}
		}, "workload.output.tokens"},
		{"default tokens uniform", func(r *SimulateRequest) {
			r.Workload.Output = SimLengths{Dist: "uniform", Min: 50, Max: 400, Tokens: 200, Sigma: 1}
		}, ""},
		{"tokens lognormal", func(r *SimulateRequest) { r.Workload.Input.Dist = "lognormal"; r.Workload.Input.Tokens = 500 }, ""},
		{"tokens empirical", func(r *SimulateRequest) {
			r.Workload.Trace, r.Workload.Input.Dist, r.Workload.Input.Tokens = "t.csv", "empirical", 500
		}, "workload.input.tokens"},
		{"tokens beside a trace replayed", func(r *SimulateRequest) { r.Workload.Trace, r.Workload.Input.Tokens = "t.csv", 500 }, "workload.input.tokens"},
		{"output tokens beside an empirical input", func(r *SimulateRequest) {
			r.Workload.Trace, r.Workload.Input.Dist, r.Workload.Output.Tokens = "t.csv", "empirical", 50
		}, ""},
		{"min beside a trace replayed", func(r *SimulateRequest) {
			r.Workload.Trace, r.Workload.Input.Dist, r.Workload.Input.Min, r.Workload.Input.Max = "t.csv", "uniform", 5, 50
		}, "workload.input.min"},
		{"link aggregated", func(r *SimulateRequest) { r.LinkBW = 5e10 }, "link_bandwidth"},
		{"link disaggregated", func(r *SimulateRequest) { r.LinkBW = 5e10; r.Mode = "disaggregated" }, ""},
		{"link beside a prefill pool", func(r *SimulateRequest) { r.LinkBW = 5e10; r.Prefill.Chips = 4 }, ""},
		{"acceptance alone", func(r *SimulateRequest) { r.Speculative.Acceptance = 0.6 }, "speculative.acceptance"},
		{"acceptance 0 alone", func(r *SimulateRequest) { r.Speculative.Acceptance = 0 }, ""},
		{"acceptance with tokens", func(r *SimulateRequest) { r.Speculative.Acceptance = 0.6; r.Speculative.Tokens = 2 }, ""},
	}
	for _, c := range cases {
		r := base
		r.Workload.Rates = nil
		c.edit(&r)
		err := r.Unused(nil, nil, false)
		var fe *input.Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want accepted", c.name, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%s: %v, want %s refused", c.name, err, c.field)
		}
	}
	// A plan tries disaggregated pools: it takes a KV link.
	r := base
	r.LinkBW = 5e10
	if err := r.Unused(nil, nil, true); err != nil {
		t.Errorf("a plan with a KV link: %v, want accepted", err)
	}
}
