package uncertain

import (
	"math"
	"testing"
)

// Outside places a typical value beside a band by hand: inside (ends
// included, and a rounding's worth past them), below, above, a band given
// high end first, a band with an infinite end (a run that never
// finishes), and nowhere for a typ that is not finite or a NaN band.
func TestOutside(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, c := range []struct {
		typ, lo, hi float64
		want        string
	}{
		{250, 194, 301, ""}, {194, 194, 301, ""}, {301, 194, 301, ""}, {301 * (1 + 1e-12), 194, 301, ""},
		{178, 194, 301, Below}, {183, 108, 182, Above}, {183, 182, 108, Above},
		{47.0, 48.3, inf, Below}, {60, 48.3, inf, ""}, {47.0, inf, inf, Below},
		{inf, 48.3, 57.3, ""}, {47, nan, 57.3, ""}, {nan, 1, 2, ""}, {5, 5, 5, ""}, {4, 5, 5, Below},
	} {
		if got := Outside(c.typ, c.lo, c.hi); got != c.want {
			t.Errorf("Outside(%g, %g, %g) = %q, want %q", c.typ, c.lo, c.hi, got, c.want)
		}
	}
	if got, want := (Beside{178, 194, 301}).Note("the estimate at typical values", "it", NearEnd),
		"the estimate at typical values lies below it: some typical values sit near an end of their ranges"; got != want {
		t.Errorf("Beside.Note below = %q, want %q", got, want)
	}
	if got := (Beside{250, 194, 301}).Note("the estimate at typical values", "it", NearEnd); got != "" {
		t.Errorf("Beside.Note inside = %q, want none", got)
	}
}

// A triangle whose mode sits near its low end (ROCm's matmul_eff, 0.2 in
// [0.18, 0.5]) draws a P10–P90 that leaves the mode below it: its CDF at
// the mode is (0.2 − 0.18)/(0.5 − 0.18) = 0.0625, under 0.1.
func TestTypicalBelowItsOwnDraws(t *testing.T) {
	p, err := FromRange(0.18, 0.2, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := p.Quantile(0.1), p.Quantile(0.9); Outside(0.2, lo, hi) != Below {
		t.Errorf("mode 0.2 beside P10–P90 %g–%g: want below", lo, hi)
	}
}
