package econ

import (
	"errors"
	"testing"

	"chipgap/input"
	"chipgap/units"
)

// TestRace works the essay's numbers by hand: a run of 90 days on NVIDIA
// against 180 days on Ascend, 30 days between runs. Cycles 120 and 210
// days: 365.25/120 = 3.04375 and 365.25/210 = 1.739286 iterations a
// year, a relative rate of 210/120 = 1.75. The lag is t·(1 − 120/210) =
// t·0.428571: 2.571 months behind after 6 months, 7.714 after 18 — the
// essay's "six months from now similar, eighteen months wider". After
// 18 months (547.875 days) the leader has finished 547.875/120 −
// 547.875/210 = 4.565625 − 2.608929 = 1.956696 more generations.
func TestRace(t *testing.T) {
	l, err := Cycle(90*units.Day, 30*units.Day)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := Cycle(180*units.Day, 30*units.Day)
	r := Race{Leader: l, Follower: f}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := IterationsPerYear(l); !near(got, 3.04375, 1e-12) {
		t.Errorf("IterationsPerYear(120d) = %v, want 3.04375", got)
	}
	if got := IterationsPerYear(f); !near(got, 1.7392857142857143, 1e-12) {
		t.Errorf("IterationsPerYear(210d) = %v, want 1.739286", got)
	}
	if got := r.RelativeRate(); !near(got, 1.75, 1e-12) {
		t.Errorf("RelativeRate() = %v, want 1.75", got)
	}
	month := Year / 12
	for _, c := range []struct{ months, lag float64 }{{6, 2.5714285714}, {18, 7.7142857143}} {
		if got := float64(r.Lag(units.Seconds(c.months)*month) / month); !near(got, c.lag, 1e-9) {
			t.Errorf("Lag(%v months) = %v months, want %v", c.months, got, c.lag)
		}
	}
	if got := r.IterationGap(18 * month); !near(got, 1.956696, 1e-6) {
		t.Errorf("IterationGap(18 months) = %v, want 1.956696", got)
	}
}

// TestPremium: 2× the time at 0.8× the cost is a premium of 1.6; a
// follower faster and cheaper has a premium below 1.
func TestPremium(t *testing.T) {
	got, err := Premium(90*units.Day, 1e9, 180*units.Day, 0.8e9)
	if err != nil || !near(got, 1.6, 1e-12) {
		t.Errorf("Premium(90d, $1B, 180d, $0.8B) = %v, %v; want 1.6", got, err)
	}
	got, _ = Premium(90*units.Day, 1e9, 45*units.Day, 0.5e9)
	if !near(got, 0.25, 1e-12) {
		t.Errorf("Premium(90d, $1B, 45d, $0.5B) = %v, want 0.25", got)
	}
}

func TestStrategyErrors(t *testing.T) {
	var fe *input.Error
	if _, err := Cycle(0, units.Day); !errors.As(err, &fe) {
		t.Errorf("Cycle(0, 1d) error = %v, want a *input.Error", err)
	}
	if _, err := Cycle(units.Day, -1); !errors.As(err, &fe) {
		t.Errorf("Cycle(1d, -1s) error = %v, want a *input.Error", err)
	}
	if err := (Race{Leader: units.Day}).Validate(); !errors.As(err, &fe) || fe.Field != "follower_cycle" {
		t.Errorf("Race{follower 0}.Validate() = %v, want follower_cycle error", err)
	}
	if _, err := Premium(units.Day, 0, units.Day, 1); !errors.As(err, &fe) || fe.Field != "leader" {
		t.Errorf("Premium with zero leader cost = %v, want leader error", err)
	}
}
