package fab

import (
	"errors"
	"math"
	"testing"

	"chipgap/input"
	"chipgap/units"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want)) }

// TestDiesPerWafer works the 910B/910C die (665.61 mm²) on a 300 mm wafer
// with 3 mm edge exclusion (usable d = 294 mm) by hand:
//
//	no scribe:  π·294²/(4·665.61) = 271 546.2/2 662.44 = 101.99;
//	            π·294/√(2·665.61) = 923.63/36.486 = 25.31;
//	            101.99 − 25.31 = 76.68 → 76 whole dies
//	            (the research catalog's worked example: 76.7 gross).
//	0.1 mm scribe: A = (√665.61 + 0.1)² = 25.8994² = 670.78 mm²;
//	            π·294²/(4·670.78) = 101.21; π·294/√1341.56 = 25.22;
//	            75.99 → 75.
//	21.32 × 31.22 mm outline, 0.1 mm scribe: A = 21.42·31.32 = 670.87 mm²;
//	            101.20 − 25.22 = 75.98 → 75.
//	H100 (814 mm², no scribe): 83.40 − 22.89 = 60.5 → 60 (catalog: 60.5).
func TestDiesPerWafer(t *testing.T) {
	w := Wafer{DiameterMM: 300, EdgeExclusionMM: 3}
	cases := []struct {
		die  Die
		want float64
	}{
		{Die{AreaMM2: 665.61}, 76},
		{Die{AreaMM2: 665.61, ScribeMM: 0.1}, 75},
		{Die{AreaMM2: 665.61, WidthMM: 21.32, HeightMM: 31.22, ScribeMM: 0.1}, 75},
		{Die{AreaMM2: 814}, 60},
	}
	for _, c := range cases {
		got, err := DiesPerWafer(w, c.die)
		if err != nil || got != c.want {
			t.Errorf("DiesPerWafer(%+v, %+v) = %g, %v; want %g", w, c.die, got, err, c.want)
		}
	}
	if _, err := DiesPerWafer(w, Die{AreaMM2: 80000}); !errors.Is(err, ErrNoDies) {
		t.Errorf("huge die: error %v, want ErrNoDies", err)
	}
	if _, err := DiesPerWafer(w, Die{AreaMM2: 665.61, WidthMM: 10, HeightMM: 10}); err == nil {
		t.Error("outline 100 mm² for a 665.61 mm² die accepted")
	}
	var fe *input.Error
	if _, err := DiesPerWafer(w, Die{AreaMM2: -1}); !errors.As(err, &fe) || fe.Field != "die area (mm²)" {
		t.Errorf("negative area: error %v, want a FieldError on die area", err)
	}
}

// TestDieYield: A = 665.61 mm² = 6.6561 cm², D0 = 0.15/cm², so
// x = A·D0 = 0.998415.
//
//	Poisson e^(−0.998415) = 0.368463
//	Murphy  ((1 − 0.368463)/0.998415)² = 0.632537² = 0.400106
//	NegBin α = 3: (1 + 0.332805)^(−3) = 1/2.367566 = 0.422377
//	Seeds   1/1.998415 = 0.500397
func TestDieYield(t *testing.T) {
	d := Defects{D0PerCM2: 0.15, Alpha: 3}
	for _, c := range []struct {
		m    YieldModel
		want float64
	}{{Poisson, 0.368463}, {Murphy, 0.400106}, {NegBinomial, 0.422377}, {Seeds, 0.500397}} {
		got, err := DieYield(c.m, 665.61, d)
		if err != nil || !near(got, c.want, 2e-6) {
			t.Errorf("DieYield(%v, 665.61, 0.15) = %g, %v; want %g", c.m, got, err, c.want)
		}
	}
	if y, _ := DieYield(Murphy, 665.61, Defects{}); y != 1 {
		t.Errorf("Murphy at D0 = 0: %g, want 1", y)
	}
	if _, err := DieYield(NegBinomial, 665.61, Defects{D0PerCM2: 0.1}); err == nil {
		t.Error("negbin with alpha 0: no error")
	}
}

// TestImpliedD0: a reported 36 % yield on 665.6 mm² under Poisson gives
// D0 = ln(1/0.36)/6.6561 = 1.021651/6.6561 = 0.15349 — the research
// catalog's back-solved 0.153.
func TestImpliedD0(t *testing.T) {
	got, err := ImpliedD0(Poisson, 665.61, 0.36, 0)
	if err != nil || !near(got, 0.153491, 1e-5) {
		t.Errorf("ImpliedD0(Poisson, 665.61, 0.36) = %g, %v; want 0.153491", got, err)
	}
	if _, err := ImpliedD0(Murphy, 665.61, 1.2, 0); err == nil {
		t.Error("yield 1.2 accepted")
	}
}

// TestPackageYield: two dies at 40 % yield, assembly 75 %.
// With KGD: package yield 0.75; dies per good package 2/(0.4·0.75) = 6.667.
// Without: 0.4²·0.75 = 0.12; dies per good package 2/0.12 = 16.667.
func TestPackageYield(t *testing.T) {
	p := Package{ComputeDies: 2, AssemblyYield: 0.75, HBMStacks: 8}
	kgd := p
	kgd.KGD = true
	if y := PackageYield(kgd, 0.4); y != 0.75 {
		t.Errorf("KGD package yield %g, want 0.75", y)
	}
	if d := DiesPerGoodPackage(kgd, 0.4); !near(d, 6.666667, 1e-6) {
		t.Errorf("KGD dies per good package %g, want 6.6667", d)
	}
	if y := PackageYield(p, 0.4); !near(y, 0.12, 1e-12) {
		t.Errorf("no-KGD package yield %g, want 0.12", y)
	}
	if d := DiesPerGoodPackage(p, 0.4); !near(d, 16.666667, 1e-6) {
		t.Errorf("no-KGD dies per good package %g, want 16.667", d)
	}
	if s := StacksPerGoodPackage(kgd, 0.4); !near(s, 10.666667, 1e-6) {
		t.Errorf("stacks per good package %g, want 8/0.75 = 10.667", s)
	}
}

// ascend is a 910C-like case: 665.61 mm² dies, 76 per wafer, Murphy at
// D0 0.15 (yield 0.400106), $14 000 wafers, 2 dies with KGD, assembly
// yield 0.8, 8 HBM stacks at $300, $500 packaging and $200 test.
func ascend() Inputs {
	return Inputs{
		Wafer: Wafer{DiameterMM: 300, EdgeExclusionMM: 3}, Die: Die{AreaMM2: 665.61},
		Model: Murphy, Defects: Defects{D0PerCM2: 0.15},
		Package: Package{ComputeDies: 2, KGD: true, AssemblyYield: 0.8, HBMStacks: 8, Peak: 752 * units.TFLOPS},
		Prices:  Prices{Wafer: 14000, HBMStack: 300, Packaging: 500, Test: 200},
	}
}

// TestEstimateCost: cost per good die = 14 000/(76 · 0.400106) =
// 14 000/30.408 = $460.40. A good package: dies 2·460.40/0.8 = 1 151.01,
// HBM 8·300/0.8 = 3 000, packaging 500/0.8 = 625, test 200/0.8 = 250;
// total $5 026.01.
func TestEstimateCost(t *testing.T) {
	r, err := Estimate(ascend())
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(r.CostPerGoodDie), 460.404, 1e-5) {
		t.Errorf("cost per good die %v, want $460.40", r.CostPerGoodDie)
	}
	b := r.Breakdown
	if !near(float64(b.Dies), 1151.01, 1e-5) || b.HBM != 3000 || b.Packaging != 625 || b.Test != 250 {
		t.Errorf("breakdown %+v, want dies 1151.01, HBM 3000, packaging 625, test 250", b)
	}
	if !near(float64(r.CostPerGoodPackage), 5026.01, 1e-5) {
		t.Errorf("cost per good package %v, want $5026.01", r.CostPerGoodPackage)
	}
}

// TestSupply: 10 000 wafer starts/month, half for this chip:
// 12·10 000·0.5 = 60 000 wafers × 76 dies = 4.56 M dies; a good package
// needs 2/(0.400106·0.8) = 6.24834 dies, so wafers allow 729 794 a year.
// 2 M HBM stacks at 8/0.8 = 10 per good package allow 200 000: HBM binds.
// With HBM unlimited and 1 M packages·0.8 = 800 000, wafers bind.
func TestSupply(t *testing.T) {
	in := ascend()
	c := Capacity{WaferStartsPerMonth: 10000, Share: 0.5, HBMStacksPerYear: 2e6, PackagesPerYear: 1e6}
	s, err := Supply(in, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Binding != HBM || !near(s.GoodPerYear, 200000, 1e-9) || !near(s.FromWafers, 729793.9, 1e-6) || !near(s.FromPackaging, 800000, 1e-12) {
		t.Errorf("HBM case: %+v; want HBM binding at 200 000, wafers 729 794, packaging 800 000", s)
	}
	if want := 200000 * 752e12; !near(float64(s.Deployed), want, 1e-9) {
		t.Errorf("deployed %v, want %g FLOP/s", s.Deployed, want)
	}
	c.HBMStacksPerYear = math.Inf(1)
	s, err = Supply(in, c)
	if err != nil || s.Binding != Wafers || !near(s.GoodPerYear, 729793.9, 1e-6) {
		t.Errorf("wafer case: %+v, %v; want wafers binding at 729 794", s, err)
	}
	c.PackagesPerYear = 500000
	if s, _ = Supply(in, c); s.Binding != Packaging || s.GoodPerYear != 400000 {
		t.Errorf("packaging case: %+v; want packaging binding at 400 000", s)
	}
	c.Share = 1.5
	if _, err := Supply(in, c); err == nil {
		t.Error("share 1.5 accepted")
	}
}

func TestParseYieldModel(t *testing.T) {
	for _, s := range []string{"poisson", "Murphy", "negbin", "seeds"} {
		if m, err := ParseYieldModel(s); err != nil || !(m.String() == s || m.String() == "murphy") {
			t.Errorf("ParseYieldModel(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseYieldModel("bose"); err == nil {
		t.Error("unknown model accepted")
	}
}

func BenchmarkSupply(b *testing.B) {
	in := ascend()
	c := Capacity{WaferStartsPerMonth: 10000, Share: 0.5, HBMStacksPerYear: 2e6, PackagesPerYear: 1e6}
	for b.Loop() {
		if _, err := Supply(in, c); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseYieldModel: whatever parses prints back to a name that parses
// to the same model.
func FuzzParseYieldModel(f *testing.F) {
	for _, s := range []string{"murphy", "Poisson", "negbin", "seeds", "", "bose"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseYieldModel(s)
		if err != nil {
			return
		}
		if back, err := ParseYieldModel(m.String()); err != nil || back != m {
			t.Errorf("ParseYieldModel(%q) = %v, but its name parses to %v, %v", s, m, back, err)
		}
	})
}
