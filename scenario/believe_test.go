package scenario

import (
	"encoding/json"
	"math"
	"testing"

	"chipgap/training"
)

// TestBelieve checks the claim map against figures computed another way:
//   - at the four typical unknowns (the challenger's typical rates and
//     outages folded into the cuda modes) the ratio is the gap report's
//     typical ratio, which the Monte Carlo's typical pass computes with
//     the cann modes themselves (within 2 %);
//   - porting is calendar time before the run, so each month of it adds
//     month ÷ baseline days to the ratio exactly (30.4375 / baseline);
//   - at each failure window's bounds the ratio is 5/3 and 7/3, and the
//     windows move to lower failure rates as recovery gets slower;
//   - JSON writes a bound the claim never reaches as null.
func TestBelieve(t *testing.T) {
	r, _ := runSmall(t, 1, 10, 0, 5) // H100, CM384
	bl := r.Believe
	if bl == nil {
		t.Fatal("no believe map")
	}
	var gap Stat
	for _, g := range r.Gaps {
		if g.Label == "CM384" {
			gap = g.Stats[GapRatio]
		}
	}
	if math.Abs(bl.RatioAtTyp/gap.Typ-1) > 0.02 {
		t.Errorf("ratio at typical unknowns %.4f, gap report typical %.4f: want within 2 %%", bl.RatioAtTyp, gap.Typ)
	}
	for _, c := range bl.ByPort {
		step := c.X[1] - c.X[0]
		want := step * 30.4375 / float64(bl.BaselineTime)
		for i := 1; i < len(c.Ratio); i++ {
			if d := c.Ratio[i] - c.Ratio[i-1]; math.Abs(d-want) > 1e-9 {
				t.Fatalf("efficiency %g: ratio step %.6f per %.2f months, want %.6f", c.Value, d, step, want)
			}
		}
	}
	prevLo := math.Inf(1)
	for _, fw := range bl.FailWindows {
		if math.IsNaN(fw.Lo) || math.IsNaN(fw.Hi) || fw.Lo >= fw.Hi {
			t.Errorf("recovery %g min: window %g–%g: want a finite, ordered window", fw.At, fw.Lo, fw.Hi)
			continue
		}
		if fw.Lo >= prevLo {
			t.Errorf("recovery %g min: window starts at %g, not below the faster recovery's %g", fw.At, fw.Lo, prevLo)
		}
		prevLo = fw.Lo
	}
	bad := BelieveWindow{At: 0.5, Lo: math.NaN(), Hi: math.NaN()}
	b, err := json.Marshal(bad)
	if err != nil || string(b) != `{"at":0.5,"lo":null,"hi":null}` {
		t.Errorf("JSON of a window never reached: %s, %v", b, err)
	}
}

// TestWindow: on f(x) = x the claim's window is [5/3, 7/3]; above it
// everywhere, none.
func TestWindow(t *testing.T) {
	lo, hi := window(func(x float64) float64 { return x }, 0, 10)
	if math.Abs(lo-5.0/3) > 1e-9 || math.Abs(hi-7.0/3) > 1e-9 {
		t.Errorf("window of x: %g–%g, want 5/3–7/3", lo, hi)
	}
	lo, hi = window(func(x float64) float64 { return 3 + x }, 0, 10)
	if !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("window above the claim: %g–%g, want none", lo, hi)
	}
}

// The region map agrees with the windows: on the 15-minute row, a failure
// multiple inside the claim's window gives a ratio inside 1.67×–2.33×,
// one outside it (by more than a grid step) a ratio outside; and the
// ratio rises with the failure rate along every row.
func TestBelieveMapMatchesWindows(t *testing.T) {
	r, _ := runSmall(t, 1, 10, 0, 5)
	bl := r.Believe
	if bl == nil {
		t.Fatal("no believe result")
	}
	m := bl.Map
	if len(m.Ratio) != len(m.Recovery) || len(m.Ratio[0]) != len(m.Failure) {
		t.Fatalf("map %d×%d for %d recoveries × %d failure multiples", len(m.Ratio), len(m.Ratio[0]), len(m.Recovery), len(m.Failure))
	}
	var w BelieveWindow
	row := -1
	for j, rm := range m.Recovery {
		if rm == 15 {
			row = j
		}
	}
	for _, fw := range bl.FailWindows {
		if fw.At == 15 {
			w = fw
		}
	}
	if row < 0 || w.At != 15 {
		t.Fatal("no 15-minute row or window")
	}
	step := m.Failure[1] - m.Failure[0]
	for i, f := range m.Failure {
		v := m.Ratio[row][i]
		in := v >= bl.ClaimLow && v <= bl.ClaimHigh
		switch {
		case !math.IsNaN(w.Lo) && !math.IsNaN(w.Hi) && f > w.Lo+step && f < w.Hi-step && !in:
			t.Errorf("failure %.2f× inside the window [%.2f, %.2f] but ratio %.3f", f, w.Lo, w.Hi, v)
		case (math.IsNaN(w.Lo) || f < w.Lo-step || f > w.Hi+step) && in:
			t.Errorf("failure %.2f× outside the window [%.2f, %.2f] but ratio %.3f inside the claim", f, w.Lo, w.Hi, v)
		}
	}
	for j := range m.Ratio {
		for i := 1; i < len(m.Failure); i++ {
			if m.Ratio[j][i] < m.Ratio[j][i-1]-1e-12 {
				t.Errorf("recovery %.0f min: ratio falls from %.4f to %.4f as failures rise", m.Recovery[j], m.Ratio[j][i-1], m.Ratio[j][i])
			}
		}
	}
}

// The evidence class follows matmul_max's basis; a value taken over from
// another profile's fit stays assumed and names that profile.
func TestStackEvidence(t *testing.T) {
	p := training.Profile{ID: "x"}
	for _, tc := range []struct {
		basis training.Basis
		from  string
		want  string
	}{
		{training.Calibrated, "", "measured (stack x: its GEMM efficiency fitted on published runs)"},
		{training.Sourced, "", "reported (stack x: its GEMM efficiency from a published source, not fitted)"},
		{training.Assumed, "", "assumed (stack x: its GEMM efficiency assumed, not fitted to any run)"},
		{training.Assumed, "y", "assumed (stack x: its GEMM efficiency taken over from stack y, fitted on that stack's published runs; none of its own runs fitted)"},
	} {
		p.MatmulMax = training.Param{Value: 0.9, Basis: tc.basis, From: tc.from}
		if got := stackEvidence(p); got != tc.want {
			t.Errorf("basis %s from %q: %q, want %q", tc.basis, tc.from, got, tc.want)
		}
	}
}
