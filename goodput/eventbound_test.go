package goodput

import (
	"testing"

	"chipgap/hardware"
	"chipgap/units"
)

// TestEventBound: chips × Σ max(rate max, typ) × hours, by hand.
func TestEventBound(t *testing.T) {
	modes := []Mode{
		{Component: "gpu", Rate: hardware.Value[units.Dimensionless]{Min: 1e-6, Typ: 2e-6, Max: 5e-6}},
		{Component: "host", Rate: hardware.Fixed[units.Dimensionless](1e-6)},
	}
	// A 30-day horizon on 1,000 chips: 1000 × (5e-6 + 1e-6) × 720 h = 4.32.
	j := Job{Horizon: 30 * units.Day, Chips: 1000, Modes: modes}
	if got := EventBound(j); got < 4.3199 || got > 4.3201 {
		t.Errorf("horizon bound = %g, want 4.32", got)
	}
	// Far fewer interruptions than one: the bound is at least 1.
	if got := EventBound(Job{Horizon: units.Hour, Chips: 1, Modes: modes}); got != 1 {
		t.Errorf("tiny job bound = %g, want 1", got)
	}
}
