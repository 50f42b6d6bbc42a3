package calc

import (
	"chipgap/input"
	"chipgap/serve"
)

// Unused refuses a field the simulation would ignore: a rate beside a
// rate sweep or an offline arrival, a burstiness (cv) without gamma
// arrivals, a length's min, max or sigma its distribution does not take,
// a KV link without a prefill pool (a plan, which tries disaggregated
// pools, takes one). given reports whether the field at a JSON path was
// stated (the CLI: its flag was given); nil takes a field as stated where
// it differs from NewSimulateRequest's default, as a scenario file or an
// API body leaves an absent field at its default. name words a field in
// the error's terms (the CLI: its flag); nil keeps the JSON path. The
// error names the field (its Value left out: the field is wrong beside
// another, whatever its value) and what it needs.
func (r SimulateRequest) Unused(given func(path string) bool, name func(path string) string, plan bool) error {
	def := NewSimulateRequest()
	if name == nil {
		name = func(p string) string { return p }
	}
	w, dw := r.Workload, def.Workload
	rateSet := rateStated(w)
	rules := []struct {
		path    string
		differs bool
		unused  bool
		why     string
	}{
		{"workload.rate", rateSet, len(w.Rates) > 0, name("workload.rates") + " sweeps the rates it lists; drop one of them"},
		{"workload.rate", rateSet, w.Arrival == serve.Offline, name("workload.arrival") + " offline queues every request at time 0; drop " + name("workload.rate")},
		{"workload.cv", w.CV != dw.CV, w.Arrival != serve.Gamma, "it sets the burstiness of gamma arrivals: it needs " + name("workload.arrival") + " gamma"},
		{"link_bandwidth", r.LinkBW != def.LinkBW, !r.Disaggregated() && !plan, "the prefill→decode KV link needs " + name("mode") + " disaggregated (or a prefill pool: " + name("prefill") + ")"},
		{"link_latency", r.LinkLatency != def.LinkLatency, !r.Disaggregated() && !plan, "the prefill→decode KV link needs " + name("mode") + " disaggregated (or a prefill pool: " + name("prefill") + ")"},
	}
	for _, c := range rules {
		if c.unused && (given == nil && c.differs || given != nil && given(c.path)) {
			return &input.Error{Field: c.path, Want: c.why}
		}
	}
	for _, side := range []struct {
		name string
		l, d SimLengths
	}{{"input", w.Input, dw.Input}, {"output", w.Output, dw.Output}} {
		for _, f := range []struct {
			key     string
			differs bool
		}{{"min", side.l.Min != side.d.Min}, {"max", side.l.Max != side.d.Max}, {"sigma", side.l.Sigma != side.d.Sigma}} {
			takes := side.l.Dist == serve.Uniform && f.key != "sigma" || side.l.Dist == serve.LogNormal
			path := "workload." + side.name + "." + f.key
			if !takes && (given == nil && f.differs || given != nil && given(path)) {
				return &input.Error{Field: path, Want: name("workload."+side.name+".dist") + " " + side.l.Dist + " takes no " + f.key +
					" (uniform takes min and max, lognormal min, max and sigma)"}
			}
		}
	}
	return nil
}

// rateStated: a rate other than the default and 0 (no rate, as an
// offline arrival or a sweep states it) was stated.
func rateStated(w SimWorkload) bool {
	return w.Rate != NewSimulateRequest().Workload.Rate && w.Rate != 0
}
