package catalog

import (
	"errors"
	"math"
	"strings"
	"testing"
	"testing/fstest"

	"chipgap/econ"
	"chipgap/uncertain"
)

// TestEconOwnership works two typical owned chip-hours by hand.
//
// H100 SXM in the US: wall 700 W · 0.75 · 1.8 · 1.1 = 1 039.5 W; capex
// $30 000 · 1.64 = $49 200 server + 15 % network $7 380 + $10/W · 1 039.5
// = $10 395 facility: $66 975; busy hours 5 · 8 766 · 0.85 = 37 255.5;
// capital $1.79772/h + energy 1.0395 kW · $0.085 = $0.08836/h:
// $1.88608/h (the SemiAnalysis owner breakeven is ~$1.65/h).
//
// Ascend 910C in China: wall 800 · 0.75 · 1.8 · 1.35 = 1 458 W; capex
// $20 100 · 1.64 · 1.15 + $14 580 = $52 488.6; capital $1.40888/h +
// 1.458 · $0.06 = $0.08748/h: $1.49636/h (the research catalog's derived
// cost floor: $1.4/h typical).
func TestEconOwnership(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Econ()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chip, region string
		capex, total float64
	}{{"h100-sxm", "us", 66975, 1.886079}, {"ascend-910c", "china", 52488.6, 1.496362}} {
		ch, err := c.Chip(tc.chip)
		if err != nil {
			t.Fatal(err)
		}
		o, err := d.Ownership(ch, tc.region, uncertain.Typical())
		if err != nil {
			t.Fatal(err)
		}
		h, err := econ.OwnedHour(o)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(float64(o.Capex.Total())-tc.capex) > 0.01 || math.Abs(float64(h.Total())-tc.total) > 1e-5 {
			t.Errorf("%s in %s: capex %v, owned hour %v; want $%g, $%g/h", tc.chip, tc.region, o.Capex.Total(), h.Total(), tc.capex, tc.total)
		}
	}
	if _, err := d.Region("mars"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Region(mars): %v, want ErrNotFound", err)
	}
}

func TestEconBadFiles(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	good, err := dataFS.(interface{ ReadFile(string) ([]byte, error) }).ReadFile("econ.yaml")
	if err != nil {
		t.Skip("embedded data has no ReadFile:", err)
	}
	cases := []struct{ name, old, new, want string }{
		{"unknown field", "  load: {", "  lode: {", "line"},
		{"unknown source", "sources: [epoch_hardware], note: 'server cost", "sources: [epoch_hardwar], note: 'server cost", "epoch_hardwar"},
		{"pue below 1", "pue: {min: 1.09,", "pue: {min: 0.9,", "pue min 0.9"},
		{"no provenance", "{min: 0.7, typ: 0.85, max: 1.0, assumed: true,", "{min: 0.7, typ: 0.85, max: 1.0,", "no sources"},
	}
	for _, tc := range cases {
		src := string(good)
		if !strings.Contains(src, tc.old) {
			t.Fatalf("%s: econ.yaml no longer contains %q", tc.name, tc.old)
		}
		_, err := c.econFrom(fstest.MapFS{"econ.yaml": {Data: []byte(strings.Replace(src, tc.old, tc.new, 1))}})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "econ.yaml") {
			t.Errorf("%s: error %v, want one naming econ.yaml and %q", tc.name, err, tc.want)
		}
	}
}

// TestEconHourTrial: the trial's typical owned hour is TestEconOwnership's
// $1.88608 for an H100 in the US, the rental typical is chips.yaml's, and
// a seeded run brackets the typical value between P10 and P90.
func TestEconHourTrial(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Econ()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := c.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	trial := d.HourTrial(ch, "us")
	typ, err := trial(uncertain.Typical())
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(typ[OutOwnedPerHour]-1.886079) > 1e-5 || typ[OutRentedPerHour] != float64(ch.Rental.Typ) {
		t.Errorf("typical %v; want owned $1.88608/h and rented %v", typ, ch.Rental.Typ)
	}
	res, err := uncertain.Run(2000, 3, trial)
	if err != nil {
		t.Fatal(err)
	}
	if s := res[OutOwnedPerHour]; !(s.P10 < typ[OutOwnedPerHour] && typ[OutOwnedPerHour] < s.P90) {
		t.Errorf("owned hour P10–P90 %g–%g does not bracket typical %g", s.P10, s.P90, typ[OutOwnedPerHour])
	}
}
