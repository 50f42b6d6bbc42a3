package serve

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"chipgap/input"
)

// gaps draws n inter-arrival gaps (seconds) of w.
func gaps(w Workload, n int) []float64 {
	w.Requests = n + 1
	s := newSource(w)
	prev, _ := s.pull()
	out := make([]float64, 0, n)
	for range n {
		r, _ := s.pull()
		out = append(out, (r.Arrival - prev.Arrival).Seconds())
		prev = r
	}
	return out
}

func meanCV(xs []float64) (float64, float64) {
	var s, ss float64
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss/float64(len(xs)-1)) / m
}

// TestArrivalProcesses: with 2·10⁵ gaps the standard error of the mean is
// CV/√n ≈ 0.22 % (Poisson) to 0.67 % (gamma CV 3), so 2 % is > 3 sigma;
// the CV estimate of a gamma with CV c has a relative error below 5 %.
func TestArrivalProcesses(t *testing.T) {
	const n = 200_000
	base := Workload{Rate: 4, Seed: 9, Prompt: Lengths{Dist: Fixed, Mean: 1}, Output: Lengths{Dist: Fixed, Mean: 1}}
	for _, tc := range []struct {
		process string
		cv      float64
	}{{Poisson, 1}, {Gamma, 3}, {Gamma, 0.5}, {Deterministic, 0}} {
		w := base
		w.Process, w.CV = tc.process, tc.cv
		m, cv := meanCV(gaps(w, n))
		if math.Abs(m*4-1) > 0.02 {
			t.Errorf("%s cv %g: mean gap %.4f s, want 0.25 ± 2 %%", tc.process, tc.cv, m)
		}
		if math.Abs(cv-tc.cv) > 0.05*math.Max(tc.cv, 0.2) {
			t.Errorf("%s: CV of gaps %.3f, want %.3g", tc.process, cv, tc.cv)
		}
	}
}

// TestLengthDistributions checks each distribution's mean and range.
func TestLengthDistributions(t *testing.T) {
	r := newSource(Workload{Seed: 2}).prompts
	for _, tc := range []struct {
		l        Lengths
		mean     float64
		lo, hi   int
		relError float64
	}{
		{Lengths{Dist: Fixed, Mean: 700}, 700, 700, 700, 0},
		{Lengths{Dist: Uniform, Min: 10, Max: 30}, 20, 10, 30, 0.01},
		// lognormal mean exp(μ + σ²/2) = Mean; σ = 0.5 keeps the clip at
		// 8 × Mean far in the tail, and the standard error small (0.2 %).
		{Lengths{Dist: LogNormal, Mean: 1000, Sigma: 0.5, Max: 8000}, 1000, 1, 8000, 0.01},
		{Lengths{Dist: Empirical, Values: []int{1, 2, 3, 10}}, 4, 1, 10, 0.02},
	} {
		var sum float64
		const n = 100_000
		for range n {
			v := tc.l.draw(r)
			if v < tc.lo || v > tc.hi {
				t.Fatalf("%s drew %d outside [%d, %d]", tc.l.Dist, v, tc.lo, tc.hi)
			}
			sum += float64(v)
		}
		if m := sum / n; math.Abs(m/tc.mean-1) > tc.relError+1e-12 {
			t.Errorf("%s: mean %.2f, want %.4g", tc.l.Dist, m, tc.mean)
		}
		if e := tc.l.Expected(); math.Abs(e-tc.mean) > 1e-9 {
			t.Errorf("%s: Expected() = %v, want %v", tc.l.Dist, e, tc.mean)
		}
	}
}

// TestTraceRescale: a trace of 11 requests over 20 s has a rate of
// 10/20 = 0.5 per second; rescaled to 2 per second its times shrink 4×.
func TestTraceRescale(t *testing.T) {
	tr := make([]Request, 11)
	for i := range tr {
		tr[i] = Request{Arrival: time.Duration(i) * 2 * time.Second, Prompt: 5, Output: 5}
	}
	s := newSource(Workload{Process: Trace, Trace: tr, Rate: 2})
	var last Request
	for r, ok := s.pull(); ok; r, ok = s.pull() {
		last = r
	}
	if last.Arrival != 5*time.Second {
		t.Fatalf("last arrival %v, want 5s", last.Arrival)
	}
}

// TestSummarise: Hyndman–Fan type 7 on 1..101 gives P50 = 51, P90 = 91,
// P99 = 100 exactly; on {1, 2} P50 = 1.5.
func TestSummarise(t *testing.T) {
	xs := make([]float32, 101)
	for i := range xs {
		xs[100-i] = float32(i + 1)
	}
	l := summarise(xs)
	if l.P50 != 51 || l.P90 != 91 || l.P99 != 100 || l.Mean != 51 || l.Max != 101 || l.N != 101 {
		t.Fatalf("summarise(1..101) = %+v", l)
	}
	if l := summarise([]float32{2, 1}); l.P50 != 1.5 {
		t.Fatalf("P50 of {1, 2} = %v, want 1.5", l.P50)
	}
}

// TestArrivalsFitTheClock: a rate so low, or a gamma CV so small, that
// the arrival times overflow time.Duration (rate 1e-300: a gap of 10³⁰⁰
// s; CV 1e-300: shape +Inf, gaps NaN) is a field error, not a panic in
// the event queue ("Schedule at -2562047h… before now").
func TestArrivalsFitTheClock(t *testing.T) {
	base := Workload{Process: Poisson, Rate: 1, Requests: 2, Seed: 1,
		Prompt: Lengths{Dist: Fixed, Mean: 10}, Output: Lengths{Dist: Fixed, Mean: 10}}
	for _, tc := range []struct {
		name  string
		edit  func(*Workload)
		field string
	}{
		{"rate 1e-300", func(w *Workload) { w.Rate = 1e-300 }, "workload.rate"},
		{"10⁷ requests at 0.01/s (10⁹ s)", func(w *Workload) { w.Requests, w.Rate = 10_000_000, 0.01 }, "workload.rate"},
		{"gamma CV 1e-300", func(w *Workload) { w.Process, w.CV = Gamma, 1e-300 }, "workload.cv"},
		{"gamma CV 100 at 1e-4/s", func(w *Workload) { w.Process, w.CV, w.Rate = Gamma, 100, 1e-4 }, "workload.rate"},
		// Token counts are int32 in the running set: 2³² prompt tokens
		// wrapped to 0 and gave a negative TTFT.
		{"a 2³²-token prompt", func(w *Workload) { w.Prompt.Mean = 1 << 32 }, "workload.prompt.mean"},
		{"a uniform output past the bound", func(w *Workload) { w.Output = Lengths{Dist: Uniform, Min: 1, Max: input.MaxRequestTokens + 1} }, "workload.output.max"},
	} {
		w := base
		tc.edit(&w)
		err := w.Validate()
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%s: Validate() = %v, want a field error naming %s", tc.name, err, tc.field)
		}
	}
	// Inside the bound: 2 requests at 1e-6/s (a 2·10⁶ s span) simulate.
	w := base
	w.Rate = 1e-6
	if err := w.Validate(); err != nil {
		t.Errorf("2 requests at 1e-6/s: %v, want valid", err)
	}
}

// TestUniformNeedsBothBounds: a uniform length without its min or max
// was refused as "min = 0: want 1 ≤ min ≤ max (max = 0)", naming a value
// never given; it says that uniform needs both stated, naming the one
// left out.
func TestUniformNeedsBothBounds(t *testing.T) {
	for _, tc := range []struct {
		l     Lengths
		field string
		want  string
	}{
		{Lengths{Dist: Uniform}, "workload.prompt.min", "workload.prompt.min: missing: uniform lengths need min and max stated, 1 ≤ min ≤ max"},
		{Lengths{Dist: Uniform, Min: 5}, "workload.prompt.max", "workload.prompt.max: missing: uniform lengths need min and max stated"},
		{Lengths{Dist: Uniform, Max: 5}, "workload.prompt.min", "workload.prompt.min: missing"},
		{Lengths{Dist: Uniform, Min: 9, Max: 5}, "workload.prompt.min", "workload.prompt.min = 9: want 1 ≤ min ≤ max (max = 5)"},
	} {
		err := tc.l.validate("workload.prompt")
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.l, err, tc.want)
		}
	}
}
