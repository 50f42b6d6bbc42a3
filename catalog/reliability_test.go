package catalog

import (
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/goodput"
	"chipgap/units"
)

// TestLlama3Rates: the cuda rates are the Table 5 counts over
// 16,384 × 54 × 24 = 21,233,664 device-hours; they sum to the record's 466
// interruptions, 419 of them unexpected, and accelerator + HBM (the GPU
// rows) is 268/419 = 64 % of the unexpected ones.
func TestLlama3Rates(t *testing.T) {
	r, err := load(t).Reliability()
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Profile("cuda")
	if err != nil {
		t.Fatal(err)
	}
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
		{"no provenance", "restart: {min: 3min, typ: 8min, max: 30min, assumed: true, note: 'final checkpoint, maintenance handled on other nodes, restart'}", "restart: {min: 3min, typ: 8min, max: 30min}", "restart: no sources"},
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
