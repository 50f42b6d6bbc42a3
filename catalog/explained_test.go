package catalog

import (
	"math"
	"testing"
)

// TestExplainedRuns: the CodeGeeX entry loads with its two open factors,
// and a prediction of 1e6 chip-hours allows 1e6/0.95 = 1.0526e6 (both
// factors at max), 1e6/(0.55 × 0.7) = 2.5974e6 (typ) and 1e6/(0.35 × 0.4)
// = 7.1429e6 (min): the published 2,396,160 lies inside.
func TestExplainedRuns(t *testing.T) {
	ex, err := load(t).ExplainedRuns()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := ex["codegeex-13b-1536xascend910"]
	if !ok || len(e.Factors) != 2 {
		t.Fatalf("codegeex entry: %+v", e)
	}
	lo, typ, hi := e.Allowed(1e6)
	for _, c := range []struct{ got, want float64 }{{lo, 1e6 / 0.95}, {typ, 1e6 / (0.55 * 0.7)}, {hi, 1e6 / (0.35 * 0.4)}} {
		if math.Abs(c.got/c.want-1) > 1e-12 {
			t.Errorf("allowed %g, want %g", c.got, c.want)
		}
	}
	if 2396160 < lo || 2396160 > hi {
		t.Errorf("measured 2,396,160 outside %g–%g", lo, hi)
	}
}
