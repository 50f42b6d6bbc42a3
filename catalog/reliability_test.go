package catalog

import (
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/goodput"
	"chipgap/uncertain"
	"chipgap/units"

	"go.yaml.in/yaml/v3"
)

// TestLlama3Rates: the cuda rates are the Table 5 counts over
// 16,384 × 54 × 24 = 21,233,664 device-hours; they sum to the record's 466
// interruptions, 419 of them unexpected, and accelerator + HBM (the GPU
// rows) is 268/419 = 64 % of the unexpected ones.
func TestLlama3Rates(t *testing.T) {
	p := cudaReliability(t)
	const dh = 16384 * 54 * 24.0
	total, planned := 0.0, 0.0
	want := map[string]float64{"accelerator": 196, "hbm": 72, "host": 46, "nic": 7, "switch": 35, "software": 63, "planned": 47}
	for _, m := range p.Modes {
		n := float64(m.Rate.Typ) * dh
		if math.Abs(n-want[m.Component]) > 1e-9 {
			t.Errorf("%s: rate × device-hours = %g, want %g", m.Component, n, want[m.Component])
		}
		if m.Rate.Min >= m.Rate.Typ || m.Rate.Max <= m.Rate.Typ {
			t.Errorf("%s: range %v..%v does not bracket %v", m.Component, m.Rate.Min, m.Rate.Max, m.Rate.Typ)
		}
		total += n
		if m.Planned {
			planned += n
		}
	}
	if math.Abs(total-466) > 1e-9 || math.Abs(planned-47) > 1e-9 {
		t.Errorf("total %g, planned %g: want 466 and 47", total, planned)
	}
}

// TestStackProfiles: every stack has a profile and an engineering entry,
// each one a valid goodput input; Ascend's typ rates exceed NVIDIA's.
func TestStackProfiles(t *testing.T) {
	c := load(t)
	r, err := c.Reliability()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := c.Engineering()
	if err != nil {
		t.Fatal(err)
	}
	sum := func(p ReliabilityProfile) (s float64) {
		for _, m := range p.Modes {
			s += float64(m.Rate.Typ)
		}
		return s
	}
	for _, s := range Stacks() {
		p, err := r.Profile(s)
		if err != nil {
			t.Fatal(err)
		}
		j := goodput.Job{Work: 30 * units.Day, Chips: 1024, ChipsPerNode: 8, Modes: p.Modes, Engineering: eng[s].Engineering}
		if err := j.Validate(); err != nil {
			t.Errorf("stack %s: %v", s, err)
		}
	}
	cuda, _ := r.Profile("cuda")
	cann, _ := r.Profile("cann")
	if ratio := sum(cann) / sum(cuda); ratio < 1.2 || ratio > 4 {
		t.Errorf("cann/cuda typ rate = %.2f, want the assumed 1.2–4", ratio)
	}
	if _, err := r.Profile("cudaa"); err == nil {
		t.Error("Profile(cudaa) = nil error, want unknown stack")
	}
	if eng["cuda"].Engineering.Port.Typ != 0 || eng["cann"].Engineering.Port.Typ <= 0 {
		t.Errorf("port: cuda %v (want 0, the reference), cann %v (want > 0)", eng["cuda"].Engineering.Port.Typ, eng["cann"].Engineering.Port.Typ)
	}
}

// TestReliabilityErrors: bad data gets a one-line error naming the file,
// the entry and the field; nothing half-decoded is returned.
func TestReliabilityErrors(t *testing.T) {
	b, err := fs.ReadFile(dataFS, "reliability.yaml")
	if err != nil {
		t.Fatal(err)
	}
	orig := string(b)
	cases := []struct{ name, from, to, want string }{
		{"negative factor", "factor: {min: 1.5, typ: 3, max: 8,", "factor: {min: -1.5, typ: 3, max: 8,", `stack "cann": modes[5]: factor`},
		{"unknown component", "component: nic\n        count: 7", "component: nicc\n        count: 7", `component "nicc"`},
		{"unknown stack", "stack: synapse", "stack: oneapi", `stack "oneapi"`},
		{"two rates", "count: 72\n", "count: 72\n        rate: {typ: 1e-6, assumed: true, note: x}\n", "exactly one of count, factor, rate"},
		{"no provenance", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true, basis: assumed, note: 'final checkpoint, maintenance handled on other nodes, restart'}", "restart: {min: 3min, typ: 8min, max: 30min, basis: assumed}", "restart: no sources"},
		{"no basis", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true, basis: assumed,", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true,", "restart: no basis"},
		{"unknown basis", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true, basis: assumed,", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true, basis: guessed,", `basis "guessed"`},
		{"assumed not marked", "sources: [bloom_readme], assumed: true, basis: assumed", "sources: [bloom_readme], basis: assumed", "overhead: basis assumed: mark it assumed: true"},
		{"reported without date", "basis: reported, date: 2024-07, sources: [dubey2024_llama3]", "basis: reported, sources: [dubey2024_llama3]", `date ""`},
		{"reported and assumed", "basis: reported, date: 2024-07, sources: [dubey2024_llama3]", "basis: reported, assumed: true, date: 2024-07, sources: [dubey2024_llama3]", "want one or the other"},
		{"unknown field", "  async: true\n", "  async: true\n  asink: 3\n", "asink"},
	}
	for _, tc := range cases {
		body := strings.Replace(orig, tc.from, tc.to, 1)
		if body == orig {
			t.Fatalf("%s: replacement did not apply", tc.name)
		}
		r, err := load(t).reliabilityFrom(fstest.MapFS{"reliability.yaml": {Data: []byte(body)}})
		if r != nil || err == nil || !strings.Contains(err.Error(), "reliability.yaml") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming reliability.yaml and %q", tc.name, err, tc.want)
		}
	}
}

// TestInventory: every value of the two whole-run files is listed once
// with its basis, and the counts agree with a scan of the raw YAML (each
// span mapping — a node with a typ key — by its basis key, plus the cuda
// modes' counts, which are measured). 8 defaults + 5 stacks × 7 modes × 3
// + 5 stacks × 4 engineering values = 133. Before issue 15, 123 of them
// (92.5 %) were assumed; now 120 (90.2 %).
func TestInventory(t *testing.T) {
	rows, err := load(t).Inventory()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8+5*7*3+5*4 {
		t.Fatalf("%d rows, want 133", len(rows))
	}
	scan := map[string]int{}
	for _, name := range []string{"reliability.yaml", "stacks-engineering.yaml"} {
		b, err := fs.ReadFile(dataFS, name)
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(b, &root); err != nil {
			t.Fatal(err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				basis, span := "", false
				for i := 0; i+1 < len(n.Content); i += 2 {
					switch n.Content[i].Value {
					case "typ":
						span = true
					case "basis":
						basis = n.Content[i+1].Value
					case "count":
						scan[BasisMeasured]++
					}
				}
				if span {
					scan[basis]++
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&root)
	}
	got := Shares(rows)
	for _, b := range Bases() {
		if got[b] != scan[b] {
			t.Errorf("%s: inventory %d, raw YAML %d", b, got[b], scan[b])
		}
	}
	want := map[string]int{BasisMeasured: 10, BasisReported: 3, BasisAssumed: 120}
	for b, n := range want {
		if got[b] != n {
			t.Errorf("%s: %d values, want %d", b, got[b], n)
		}
	}
}

// TestNICRateRangeByHand: the NIC's 7 interruptions. The exact Poisson
// 80 % interval (Garwood) is [3.894767, 11.770914] (P(X ≤ 6 | 3.894767)
// = 0.9, P(X ≤ 7 | 11.770914) = 0.1). The triangle with its mode at 7
// whose P10–P90 is that interval: the ratio (11.770914 − 7) ÷
// (7 − 3.894767) = 1.536411 = g(1−p) ÷ g(p), g(x) = x − √(0.1x), gives
// the mode's place p = 0.424475; g(p) = 0.218447, so the width is
// 3.105233 ÷ 0.218447 = 14.215049 and the bounds 7 − p·w = 0.966071 and
// 15.181120 events, ÷ 21,233,664 device-hours. The drawn P10 and P90 are
// the interval (the old n ∓ 1.2816·√n bounds, [3.61, 10.39], drew
// [5.13, 8.87]: 45 % narrower than the 80 % they stood for).
func TestNICRateRangeByHand(t *testing.T) {
	p := cudaReliability(t)
	const dh = 16384 * 54 * 24.0
	for _, m := range p.Modes {
		if m.Component != "nic" {
			continue
		}
		lo, hi := float64(m.Rate.Min)*dh, float64(m.Rate.Max)*dh
		if math.Abs(lo-0.966071) > 1e-5 || math.Abs(hi-15.181120) > 1e-5 {
			t.Errorf("nic bounds × device-hours = [%.6f, %.6f], want [0.966071, 15.181120]", lo, hi)
		}
		d, err := uncertain.FromRange(lo, 7, hi)
		if err != nil {
			t.Fatal(err)
		}
		if q10, q90 := d.Quantile(0.1), d.Quantile(0.9); math.Abs(q10-3.894767) > 1e-5 || math.Abs(q90-11.770914) > 1e-5 {
			t.Errorf("drawn P10–P90 = [%.6f, %.6f], want the exact 80 %% interval [3.894767, 11.770914]", q10, q90)
		}
		return
	}
	t.Fatal("cuda has no nic mode")
}

// cudaReliability is the catalog's cuda failure profile (the Llama 3
// record's rates).
func cudaReliability(t *testing.T) ReliabilityProfile {
	t.Helper()
	r, err := load(t).Reliability()
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Profile("cuda")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
