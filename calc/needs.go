package calc

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"chipgap/input"
	"chipgap/serve"
)

// A Need is one condition a request field applies under, on another
// field's JSON value (that field's default where a request leaves it
// out): the value is one of In, none of NotIn, starts with Prefix, is
// stated (Set: not zero, empty or absent; an object with any such leaf)
// or is not (Unset). The page's forms carry them (FormField.Needs), so
// the page leaves out what the API would refuse as ignored, from the
// same table the API and the CLI refuse by.
type Need struct {
	Field  string   `json:"field"`
	In     []string `json:"in,omitempty"`
	NotIn  []string `json:"not_in,omitempty"`
	Prefix string   `json:"prefix,omitempty"`
	Set    bool     `json:"set,omitempty"`
	Unset  bool     `json:"unset,omitempty"`
}

// Needs are the groups of conditions a field applies under: it applies
// when every Need of one group holds (none: always).
type Needs [][]Need

// fieldRule is a field that applies only under its needs, and what the
// refusal of a field stated where it does not apply says it needs (name
// words a field in the caller's terms, a flag on the command line; at
// is a field's value).
type fieldRule struct {
	path  string
	needs Needs
	why   func(name, at func(string) string) string
	// zeroAbsent: a stated 0 reads as absent (a rate of 0 is how an
	// offline arrival or a sweep states no rate).
	zeroAbsent bool
	// planTakes: a deployment plan, which tries disaggregated pools,
	// takes the field whatever its needs.
	planTakes bool
}

// specRules: a draft-token acceptance needs draft tokens (every serving
// request: infer and simulate).
var specRules = []fieldRule{
	{path: "speculative.acceptance", zeroAbsent: true, needs: Needs{{{Field: "speculative.tokens", Set: true}}},
		why: func(name, _ func(string) string) string {
			return "the acceptance rate of draft tokens: it needs " + name("speculative.tokens") + " N (N ≥ 1)"
		}},
}

// simulateRules are the fields a serving simulation would ignore beside
// others (SimulateRequest.Unused).
var simulateRules = func() []fieldRule {
	link := Needs{{{Field: "mode", Prefix: "disagg"}}, {{Field: "prefill", Set: true}}}
	linkWhy := func(name, _ func(string) string) string {
		return "the prefill→decode KV link needs " + name("mode") + " disaggregated (or a prefill pool: " + name("prefill") + ")"
	}
	rules := []fieldRule{
		{path: "workload.rate", zeroAbsent: true, needs: Needs{{{Field: "workload.rates", Unset: true}}},
			why: func(name, _ func(string) string) string {
				return name("workload.rates") + " sweeps the rates it lists; drop one of them"
			}},
		{path: "workload.rate", zeroAbsent: true, needs: Needs{{{Field: "workload.arrival", NotIn: []string{serve.Offline}}}},
			why: func(name, _ func(string) string) string {
				return name("workload.arrival") + " offline queues every request at time 0; drop " + name("workload.rate")
			}},
		{path: "workload.cv", needs: Needs{{{Field: "workload.arrival", In: []string{serve.Gamma}}}},
			why: func(name, _ func(string) string) string {
				return "it sets the burstiness of gamma arrivals: it needs " + name("workload.arrival") + " gamma"
			}},
		{path: "link_bandwidth", needs: link, why: linkWhy, planTakes: true},
		{path: "link_latency", needs: link, why: linkWhy, planTakes: true},
		{path: "decode_binding", needs: link, planTakes: true, why: func(name, _ func(string) string) string {
			return "when a decode replica is picked: it needs " + name("mode") + " disaggregated (or a prefill pool: " + name("prefill") + ")"
		}},
	}
	for _, side := range []string{"input", "output"} {
		for _, key := range []string{"tokens", "min", "max", "sigma"} {
			rules = append(rules, lengthRule(side, key))
		}
	}
	return append(rules, specRules...)
}()

// lengthTakes: the distributions that take each field of a length (an
// empirical one draws whole lengths from the trace and takes none).
var lengthTakes = map[string][]string{
	"tokens": {serve.Fixed, serve.LogNormal},
	"min":    {serve.Uniform, serve.LogNormal},
	"max":    {serve.Uniform, serve.LogNormal},
	"sigma":  {serve.LogNormal},
}

// lengthRule: a field of the input or output length applies under a
// distribution that takes it, and without a trace to replay (a trace is
// replayed, its requests bringing their own lengths, unless a length is
// empirical: then the arrivals are generated, and the other length
// drawn from its own distribution).
func lengthRule(side, key string) fieldRule {
	dist, path := "workload."+side+".dist", "workload."+side+"."+key
	takes := Need{Field: dist, In: lengthTakes[key]}
	needs := Needs{{takes, {Field: "workload.trace", Unset: true}}}
	for _, other := range []string{"input", "output"} {
		if other != side {
			needs = append(needs, []Need{takes, {Field: "workload." + other + ".dist", In: []string{serve.Empirical}}})
		}
	}
	return fieldRule{path: path, needs: needs,
		why: func(name, at func(string) string) string {
			if slices.Contains(lengthTakes[key], at(dist)) {
				return name("workload.trace") + " replays its requests' own lengths; drop " + name(path)
			}
			return name(dist) + " " + at(dist) + " takes no " + key +
				" (fixed takes tokens, uniform min and max, lognormal tokens, min, max and sigma; empirical draws whole lengths from the trace)"
		}}
}

// needsOf maps each ruled field's path to its needs, for a form: a
// field under two rules applies where both hold.
func needsOf(rules []fieldRule) map[string]Needs {
	m := make(map[string]Needs, len(rules))
	for _, r := range rules {
		prev, ok := m[r.path]
		if !ok {
			m[r.path] = r.needs
			continue
		}
		var both Needs
		for _, a := range prev {
			for _, b := range r.needs {
				both = append(both, append(slices.Clip(a), b...))
			}
		}
		m[r.path] = both
	}
	return m
}

// stating is how unusedIn reads a request: given reports whether a
// field was stated (the CLI: its flag was given); nil takes a field as
// stated where its value differs from the default's (a file or an API
// body leaves an absent field at its default). name words a field (nil:
// its JSON path). plan: a deployment plan (planTakes fields apply).
type stating struct {
	given func(string) bool
	name  func(string) string
	plan  bool
	// keys: given is the keys an input file or body holds (unusedStated),
	// where a plan's fields are not yet known to apply (planTakes rules
	// wait for the check on values) and a stated 0 of a zeroAbsent field
	// is absent, as the check on values reads it.
	keys bool
}

// keyRuled is a request some of whose fields apply only beside others
// (its rules, over its defaults).
type keyRuled interface{ ruledBy() ([]fieldRule, any) }

func (SimulateRequest) ruledBy() ([]fieldRule, any) { return simulateRules, NewSimulateRequest() }
func (ServeRequest) ruledBy() ([]fieldRule, any)    { return specRules, NewServeRequest() }

// unusedStated refuses a field an input file or a JSON body states
// (stated: its keys) where it does not apply, whatever its value: the
// check on values (given nil) reads a stated default as absent, so
// `spec_acceptance: 0.7` (the default) without draft tokens passed where
// 0.8 was refused. req is a pointer to a request; one without rules
// passes.
func unusedStated(req any, stated func(path string) bool) error {
	kr, ok := reflect.ValueOf(req).Elem().Interface().(keyRuled)
	if !ok {
		return nil
	}
	rules, def := kr.ruledBy()
	return unusedIn(rules, kr, def, stating{given: stated, keys: true})
}

// unusedIn refuses the first field of rules that req states where its
// needs do not hold (def: the request's defaults).
func unusedIn(rules []fieldRule, req, def any, o stating) error {
	given, name, plan := o.given, o.name, o.plan
	if name == nil {
		name = func(p string) string { return p }
	}
	doc, defDoc := reflect.ValueOf(req), reflect.ValueOf(def)
	for _, r := range rules {
		if o.keys && r.planTakes {
			continue
		}
		v := valueAt(doc, r.path)
		stated := given != nil && given(r.path) && !(o.keys && r.zeroAbsent && v.IsZero()) ||
			given == nil && !reflect.DeepEqual(v.Interface(), valueAt(defDoc, r.path).Interface()) && !(r.zeroAbsent && v.IsZero())
		if stated && !(plan && r.planTakes) && !r.needs.hold(doc) {
			at := func(p string) string { return fmt.Sprint(valueAt(doc, p).Interface()) }
			return &input.Error{Field: r.path, Want: r.why(name, at)}
		}
	}
	return nil
}

// hold: every Need of one group holds on doc (no groups: true).
func (n Needs) hold(doc reflect.Value) bool {
	if len(n) == 0 {
		return true
	}
	for _, g := range n {
		if !slices.ContainsFunc(g, func(c Need) bool { return !c.holds(doc) }) {
			return true
		}
	}
	return false
}

// holds reads the field as the page does its JSON: a string's text, set
// where not zero (an empty list and a struct of zeros are not).
func (c Need) holds(doc reflect.Value) bool {
	v := valueAt(doc, c.Field)
	s := ""
	if v.Kind() == reflect.String {
		s = v.String()
	}
	set := !v.IsZero() && !(v.Kind() == reflect.Slice && v.Len() == 0)
	switch {
	case c.In != nil && !slices.Contains(c.In, s),
		c.NotIn != nil && slices.Contains(c.NotIn, s),
		c.Prefix != "" && !strings.HasPrefix(s, c.Prefix),
		c.Set && !set,
		c.Unset && set:
		return false
	}
	return true
}

// valueAt is the field of a request struct at a JSON path (an embedded
// struct's fields at its own level); a path no field has panics, as the
// rules name fields of the structs they are applied to
// (TestFieldRulesPaths).
func valueAt(v reflect.Value, path string) reflect.Value {
	for _, k := range strings.Split(path, ".") {
		f, ok := jsonField(v, k)
		if !ok {
			panic("calc: no field " + path + " in " + v.Type().String())
		}
		v = f
	}
	return v
}

// jsonField is the field of struct v whose JSON name is k.
func jsonField(v reflect.Value, k string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && tag == "" {
			if f, ok := jsonField(v.Field(i), k); ok {
				return f, true
			}
			continue
		}
		if tag == k {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
