package uncertain

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// must unwraps a constructor's result in tests; a bad literal is a bug.
func must(p Param, err error) Param {
	if err != nil {
		panic(err)
	}
	return p
}

// TestMoments checks sample mean and variance against the analytic
// values, worked by hand:
//   - uniform(2, 6): mean 4, variance (6−2)²/12 = 1.3333
//   - triangular(1, 2, 5): mean (1+2+5)/3 = 2.6667,
//     variance (1+4+25−2−5−10)/18 = 13/18 = 0.72222
//   - normal(10, 3): mean 10, variance 9
//   - lognormal(0, 0.5): mean e^(0.125) = 1.13315,
//     variance (e^(0.25) − 1)·e^(0.25) = 0.28403·1.28403 = 0.36470
func TestMoments(t *testing.T) {
	cases := []struct {
		name     string
		p        Param
		mean, vr float64
	}{
		{"uniform", must(Uniform(2, 6)), 4, 4.0 / 3},
		{"triangular", must(Triangular(1, 2, 5)), 8.0 / 3, 13.0 / 18},
		{"normal", must(Normal(10, 3)), 10, 9},
		{"lognormal", must(LogNormal(0, 0.5)), 1.133148453, 0.364696},
	}
	const n = 100000
	for _, c := range cases {
		if math.Abs(c.p.Mean()-c.mean) > 1e-6 || math.Abs(c.p.Variance()-c.vr) > 1e-5 {
			t.Errorf("%s: analytic mean, var = %g, %g; want %g, %g", c.name, c.p.Mean(), c.p.Variance(), c.mean, c.vr)
		}
		r := Stream(42, c.name)
		var s, ss float64
		for range n {
			x := c.p.Sample(r)
			s += x
			ss += x * x
		}
		m := s / n
		v := ss/n - m*m
		se := math.Sqrt(c.vr / n)
		if math.Abs(m-c.mean) > 5*se {
			t.Errorf("%s: sample mean %g, want %g ± %g", c.name, m, c.mean, 5*se)
		}
		if math.Abs(v-c.vr)/c.vr > 0.05 {
			t.Errorf("%s: sample variance %g, want %g ± 5%%", c.name, v, c.vr)
		}
	}
}

// TestQuantiles checks inverse CDFs against known values: the standard
// normal's 90th percentile is 1.2815516 (z-tables); the lognormal(0, 1)
// 90th percentile is e^1.2815516 = 3.6022; triangular(0, 0, 1) has
// CDF 1 − (1−x)², so Q(0.75) = 1 − √0.25 = 0.5; triangular(1, 2, 3) has
// Q(0.1) = 1 + √(0.1·2·1) = 1.4472.
func TestQuantiles(t *testing.T) {
	cases := []struct {
		p    Param
		q    float64
		want float64
	}{
		{must(Normal(0, 1)), 0.9, 1.2815516},
		{must(Normal(0, 1)), 0.1, -1.2815516},
		{must(LogNormal(0, 1)), 0.9, 3.6022245},
		{must(LogNormal(0, 1)), 0.5, 1},
		{must(Triangular(0, 0, 1)), 0.75, 0.5},
		{must(Triangular(1, 2, 3)), 0.1, 1.4472136},
		{must(Triangular(1, 2, 3)), 0.9, 2.5527864},
		{must(Uniform(10, 20)), 0.3, 13},
		{Fixed(7), 0.9, 7},
	}
	for _, c := range cases {
		if got := c.p.Quantile(c.q); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%v%v.Quantile(%g) = %g, want %g", c.p.Kind, []float64{c.p.A, c.p.B, c.p.C}, c.q, got, c.want)
		}
	}
}

// TestEmpiricalQuantiles: the P10/P50/P90 of 100k uniform(0, 1) draws
// are within 0.01 of 0.1, 0.5, 0.9.
func TestEmpiricalQuantiles(t *testing.T) {
	u := must(Uniform(0, 1))
	res, err := Run(100000, 7, func(d *Draw) (map[string]float64, error) {
		return map[string]float64{"u": d.Value("u", u)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := res["u"]
	for _, c := range [][2]float64{{s.P10, 0.1}, {s.P50, 0.5}, {s.P90, 0.9}} {
		if math.Abs(c[0]-c[1]) > 0.01 {
			t.Errorf("empirical quantile %g, want %g ± 0.01", c[0], c[1])
		}
	}
	if s.Min < 0 || s.Max > 1 || s.N != 100000 {
		t.Errorf("summary %+v out of [0,1] or wrong N", s)
	}
}

// TestPercentile: for 1..5, position q·(n−1): P10 at 0.4 → 1.4, P50 → 3,
// P90 at 3.6 → 4.6.
func TestPercentile(t *testing.T) {
	s := Summarize([]float64{5, 3, 1, 4, 2})
	want := Summary{P10: 1.4, P50: 3, P90: 4.6, Mean: 3, Min: 1, Max: 5, N: 5}
	if math.Abs(s.P10-want.P10) > 1e-12 || math.Abs(s.P90-want.P90) > 1e-12 || s.P50 != 3 || s.Mean != 3 || s.Min != 1 || s.Max != 5 {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
}

func sampleTrial(withB bool) Trial {
	x := must(Triangular(1, 2, 3))
	y := must(LogNormal(0, 0.3))
	b := must(Normal(0, 1))
	return func(d *Draw) (map[string]float64, error) {
		out := map[string]float64{"xy": d.Value("x", x) * d.Value("y", y)}
		if withB {
			out["b"] = d.Value("b", b)
		}
		return out, nil
	}
}

// TestSameSeedSameBytes: two runs with one seed marshal to identical
// JSON; another seed differs; adding an input leaves the others' draws
// untouched (per-input streams).
func TestSameSeedSameBytes(t *testing.T) {
	run := func(seed uint64, withB bool) ([]byte, map[string]Summary) {
		res, err := Run(2000, seed, sampleTrial(withB))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b, res
	}
	a, ra := run(1, false)
	b, _ := run(1, false)
	c, _ := run(2, false)
	if !bytes.Equal(a, b) {
		t.Errorf("same seed, different bytes:\n%s\n%s", a, b)
	}
	if bytes.Equal(a, c) {
		t.Errorf("seeds 1 and 2 gave identical results %s", a)
	}
	_, rb := run(1, true)
	if ra["xy"] != rb["xy"] {
		t.Errorf("adding input b changed xy: %+v vs %+v", ra["xy"], rb["xy"])
	}
}

// TestTornado: out = x·y + z with x triangular(1, 2, 3), y fixed 10,
// z uniform(0, 1). Base = 2·10 + 0.5 = 20.5. x swings from
// 1 + √0.2 = 1.4472 to 3 − √0.2 = 2.5528, so out swings by
// 10·(2.5528 − 1.4472) = 11.056; z from 0.1 to 0.9: swing 0.8.
// y is fixed and left out.
func TestTornado(t *testing.T) {
	x := must(Triangular(1, 2, 3))
	z := must(Uniform(0, 1))
	trial := func(d *Draw) (map[string]float64, error) {
		return map[string]float64{"out": d.Value("z", z) + d.Value("x", x)*d.Value("y", Fixed(10))}, nil
	}
	base, sw, err := Tornado(trial, "out")
	if err != nil {
		t.Fatal(err)
	}
	if base != 20.5 || len(sw) != 2 || sw[0].Input != "x" || sw[1].Input != "z" {
		t.Fatalf("Tornado = %g, %+v; want base 20.5, order x, z", base, sw)
	}
	if math.Abs(sw[0].Swing-11.055728) > 1e-5 || math.Abs(sw[1].Swing-0.8) > 1e-12 {
		t.Errorf("swings %g, %g; want 11.0557, 0.8", sw[0].Swing, sw[1].Swing)
	}
	if _, _, err := Tornado(trial, "nope"); err == nil {
		t.Error("Tornado with an unknown output: no error")
	}
}

func TestBadParams(t *testing.T) {
	if _, err := FromRange(3, 2, 4); err == nil {
		t.Error("FromRange(3, 2, 4): typ below min accepted")
	}
	if p, err := FromRange(5, 5, 5); err != nil || p.Kind != KindFixed {
		t.Errorf("FromRange(5, 5, 5) = %+v, %v; want fixed", p, err)
	}
	if p, err := FromRange(0, 5, 0); err != nil || p.Kind != KindFixed || p.A != 5 {
		t.Errorf("FromRange(0, 5, 0) = %+v, %v; want fixed 5", p, err)
	}
	if _, err := Normal(0, -1); err == nil {
		t.Error("Normal(0, -1) accepted")
	}
	if _, err := Uniform(math.NaN(), 1); err == nil {
		t.Error("Uniform(NaN, 1) accepted")
	}
	if _, err := Run(0, 1, sampleTrial(false)); !errors.Is(err, ErrNoTrials) {
		t.Errorf("Run(0) error %v, want ErrNoTrials", err)
	}
}

func BenchmarkRun(b *testing.B) {
	x, _ := Triangular(1, 2, 3)
	trial := func(d *Draw) (map[string]float64, error) {
		return map[string]float64{"x": d.Value("x", x)}, nil
	}
	for b.Loop() {
		if _, err := Run(10000, 1, trial); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTypical(t *testing.T) {
	d := Typical()
	if v := d.Value("x", must(Triangular(1, 2, 5))); v != 2 {
		t.Errorf("Typical triangular(1, 2, 5) = %g, want the mode 2", v)
	}
	if v := d.Value("y", must(LogNormal(0, 1))); v != 1 {
		t.Errorf("Typical lognormal(0, 1) = %g, want the median 1", v)
	}
}
