package econ

import (
	"errors"
	"math"
	"testing"

	"chipgap/input"
	"chipgap/units"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want)) }

// h100 is an H100-like owned chip: 700 W TDP at 75 % load, server power
// ×1.8, PUE 1.1 (Epoch's hyperscale defaults), so the wall power is
// 700·0.75·1.8·1.1 = 1 039.5 W. Capex: $30 000 chip, server ×1.64 →
// $49 200 server of which $19 200 besides the chip, network 15 % of
// server = $7 380, facility $10/W · 1 039.5 W = $10 395: total $66 975.
func h100(t *testing.T) Ownership {
	p := Power{TDP: 700, Load: 0.75, ServerMultiplier: 1.8, PUE: 1.1}
	c, err := NewCapex(CapexOptions{ChipPrice: 30000, ServerMultiplier: 1.64, NetworkShare: 0.15, FacilityPerWatt: 10, Wall: p.Wall()})
	if err != nil {
		t.Fatal(err)
	}
	return Ownership{Capex: c, Life: 5 * Year, Power: p, USDPerKWh: 0.085, Utilisation: 0.8}
}

func TestCapexAndPower(t *testing.T) {
	o := h100(t)
	if w := o.Power.Wall(); !near(float64(w), 1039.5, 1e-12) {
		t.Errorf("Wall() = %v, want 1039.5 W", w)
	}
	c := o.Capex
	if !near(float64(c.Server), 19200, 1e-12) || !near(float64(c.Network), 7380, 1e-12) || !near(float64(c.Facility), 10395, 1e-12) || !near(float64(c.Total()), 66975, 1e-12) {
		t.Errorf("capex %+v total %v; want server 19200, network 7380, facility 10395, total 66975", c, c.Total())
	}
}

// TestOwnedHour: 5 years = 5·8 766 h = 43 830 h, 80 % busy = 35 064 h;
// capital 66 975/35 064 = $1.91008/h; energy 1.0395 kW·$0.085 =
// $0.0883575/h; total $1.99844/h.
func TestOwnedHour(t *testing.T) {
	h, err := OwnedHour(h100(t))
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(h.Capital), 1.910078, 1e-6) || !near(float64(h.Energy), 0.0883575, 1e-9) || !near(float64(h.Total()), 1.998436, 1e-6) {
		t.Errorf("OwnedHour = %+v (total %v); want capital 1.91008, energy 0.08836, total 1.99844", h, h.Total())
	}
}

// TestRun: 1 000 chips for 30 days = 720 000 chip-hours; at $2/h that is
// $1.44 M, and at 1 039.5 W per chip 748.44 MWh.
func TestRun(t *testing.T) {
	u, err := Run(Work{ChipTime: 1000 * 30 * units.Day, PerHour: 2, Wall: 1039.5})
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(u.Cost), 1.44e6, 1e-12) || !near(u.Energy.KWh(), 748440, 1e-12) {
		t.Errorf("Run = %v, %v; want $1.44M, 748.44 MWh", u.Cost, u.Energy)
	}
}

// TestPerMillionTokens: 1 000 tokens/s per chip → 1 000 chip-seconds per
// million tokens = 0.27778 h; at $2/h that is $0.55556, and 1 000 s ·
// 1 039.5 W = 1.0395 MJ = 0.28875 kWh.
func TestPerMillionTokens(t *testing.T) {
	u, err := PerMillionTokens(1000, 2, 1039.5)
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(u.Cost), 0.555556, 1e-6) || !near(u.Energy.KWh(), 0.28875, 1e-12) {
		t.Errorf("PerMillionTokens = %v, %v; want $0.5556, 0.28875 kWh", u.Cost, u.Energy)
	}
	if _, err := PerMillionTokens(0, 2, 1000); err == nil {
		t.Error("0 tokens/s accepted")
	}
}

func TestBadInput(t *testing.T) {
	o := h100(t)
	o.Utilisation = 0
	var fe *input.Error
	if _, err := OwnedHour(o); !errors.As(err, &fe) || fe.Field != "utilisation" {
		t.Errorf("utilisation 0: %v, want FieldError on utilisation", err)
	}
	o = h100(t)
	o.Power.PUE = 0.9
	if _, err := OwnedHour(o); !errors.As(err, &fe) || fe.Field != "PUE" {
		t.Errorf("PUE 0.9: %v, want FieldError on PUE", err)
	}
	if _, err := NewCapex(CapexOptions{ChipPrice: 1, ServerMultiplier: 0.5}); err == nil {
		t.Error("server multiplier 0.5 accepted")
	}
}
