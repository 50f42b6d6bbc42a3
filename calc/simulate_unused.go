package calc

// Unused refuses a field the simulation would ignore (simulateRules): a
// rate beside a rate sweep or an offline arrival, a burstiness (cv)
// without gamma arrivals, a length's tokens, min, max or sigma its
// distribution does not take (or beside a trace replayed), a KV link without a prefill pool (a plan, which tries
// disaggregated pools, takes one), a draft-token acceptance without
// draft tokens. given reports whether the field at a JSON path was
// stated (the CLI: its flag was given); nil takes a field as stated where
// it differs from NewSimulateRequest's default (a scenario file or an
// API body is refused a key it states at decoding, unusedStated, whatever
// its value). name words a field in
// the error's terms (the CLI: its flag); nil keeps the JSON path. The
// error names the field (its Value left out: the field is wrong beside
// another, whatever its value) and what it needs.
func (r SimulateRequest) Unused(given func(path string) bool, name func(path string) string, plan bool) error {
	return unusedIn(simulateRules, r, NewSimulateRequest(), stating{given: given, name: name, plan: plan})
}

// rateStated: a rate other than the default and 0 (no rate, as an
// offline arrival or a sweep states it) was stated.
func rateStated(w SimWorkload) bool {
	return w.Rate != NewSimulateRequest().Workload.Rate && w.Rate != 0
}
