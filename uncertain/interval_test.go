package uncertain

import (
	"math"
	"testing"
)

func near(x, want, tol float64) bool { return math.Abs(x-want) <= tol*math.Max(1, math.Abs(want)) }

// TestPoissonInterval: exact 80 % intervals, checked by summing the
// Poisson terms: P(X ≤ 6 | 3.894767) = 0.9 and P(X ≤ 7 | 11.770914) =
// 0.1 for 7 events; for 0, the top is −ln 0.1 = 2.302585.
func TestPoissonInterval(t *testing.T) {
	for _, tc := range []struct{ n, lo, hi float64 }{
		{7, 3.894767, 11.770914},
		{0, 0, 2.302585},
		{1, 0.105361, 3.889720},
	} {
		lo, hi := PoissonInterval(tc.n, 0.8)
		if !near(lo, tc.lo, 1e-5) || !near(hi, tc.hi, 1e-5) {
			t.Errorf("n = %g: [%.6f, %.6f], want [%.6f, %.6f]", tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
}

// TestTriangularFromP10P90: the bounds found give a triangular whose P10
// and P90 are the ones asked for; a symmetric case by hand: P10 = c − 1
// and P90 = c + 1 put the mode mid-way (p = ½), c − P10 = w·(½ − √0.05),
// so w = 1/0.276393 = 3.618034 and [a, b] = c ∓ 1.809017.
func TestTriangularFromP10P90(t *testing.T) {
	a, b := TriangularFromP10P90(9, 10, 11, 0)
	if !near(a, 10-1.809017, 1e-6) || !near(b, 10+1.809017, 1e-6) {
		t.Errorf("symmetric: [%.6f, %.6f], want [8.190983, 11.809017]", a, b)
	}
	for _, tc := range []struct{ p10, c, p90 float64 }{{3.894767, 7, 11.770914}, {0.5, 1, 4}, {0, 0, 2.302585}} {
		lo, hi := TriangularFromP10P90(tc.p10, tc.c, tc.p90, 0)
		p, err := FromRange(lo, tc.c, hi)
		if err != nil {
			t.Fatal(err)
		}
		if q := p.Quantile(0.9); !near(q, tc.p90, 1e-6) || lo < 0 {
			t.Errorf("%v: bounds [%g, %g], P90 %g", tc, lo, hi, q)
		}
		if q := p.Quantile(0.1); lo > 0 && !near(q, tc.p10, 1e-6) {
			t.Errorf("%v: bounds [%g, %g], P10 %g", tc, lo, hi, q)
		}
	}
}
