package catalog

import (
	"math"
	"testing"

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
	for _, s := range Stacks {
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
