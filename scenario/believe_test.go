package scenario

import (
	"encoding/json"
	"math"
	"testing"
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
		want := step * 30.4375 / bl.BaselineDays
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
