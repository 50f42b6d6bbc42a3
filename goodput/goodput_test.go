package goodput

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

const h = units.Hour

func fx[T ~float64](x T) hardware.Value[T] { return hardware.Fixed(x) }

// dalyJob satisfies every assumption of Daly's model: one mode, blocking
// checkpoints, no swaps, no maturation. One chip at rate 0.1/h: M = 10 h.
func dalyJob() Job {
	return Job{
		Work: 100 * h, Chips: 1, ChipsPerNode: 1,
		Modes: []Mode{{Component: "accelerator", Rate: fx[units.Dimensionless](0.1),
			Detect: fx(0.1 * h), Restart: fx(0.4 * h)}},
		Checkpoint: Checkpoint{Overhead: 0.1 * h, Interval: 1 * h},
	}
}

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

// TestIntervals: δ = 0.1 h, M = 10 h. Young: √(2·0.1·10) = √2 = 1.414214 h.
// Daly: x = δ/2M = 0.005, √x = 0.0707107;
// √2·(1 + 0.0235702 + 0.0005556) − 0.1 = 1.448333 − 0.1 = 1.348333 h.
func TestIntervals(t *testing.T) {
	if got := YoungInterval(0.1*h, 10*h) / h; !near(float64(got), 1.414214, 1e-6) {
		t.Errorf("YoungInterval(0.1h, 10h) = %.6f h, want 1.414214", got)
	}
	if got := DalyInterval(0.1*h, 10*h) / h; !near(float64(got), 1.348333, 1e-6) {
		t.Errorf("DalyInterval(0.1h, 10h) = %.6f h, want 1.348333", got)
	}
	if got := DalyInterval(30*h, 10*h); got != 10*h {
		t.Errorf("DalyInterval(δ ≥ 2M) = %v, want M", got)
	}
}

// TestClosedFormByHand: R = 0.5 h, τ = 1 h, δ = 0.1 h, M = 10 h, W = 100 h:
// one mode and blocking checkpoints, where Closed is Daly's complete
// model, 10·e^0.05·(e^0.11 − 1)·100 = 10·1.051271·0.116278·100
// = 122.240 h (the first-order form it replaced read 122.905 h:
// waste (0.5 + 0.55)/10 = 0.105, 110 h / 0.895).
func TestClosedFormByHand(t *testing.T) {
	e, err := Closed(dalyJob())
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(e.Wall / h); !near(got, 122.240, 1e-4) {
		t.Errorf("closed-form wall = %.3f h, want 122.240", got)
	}
	if got := float64(e.DalyWall / h); !near(got, 122.240, 1e-4) {
		t.Errorf("Daly wall = %.3f h, want 122.240", got)
	}
	if got := e.Interruptions; !near(got, 12.2240, 1e-4) {
		t.Errorf("expected interruptions = %.4f, want λ·wall = 12.2240", got)
	}
	sum := e.Productive + e.Slowdown + e.Lost + e.Restart + e.Checkpointing
	if !near(float64(sum), float64(e.Wall), 1e-9) {
		t.Errorf("closed-form parts sum to %v, want wall %v", sum, e.Wall)
	}
}

// TestClosedFormOverlappingOutages: outages that outlast the MTBI, where
// the closed form and the simulation used to disagree. One chip at 2/h
// (M = 30 min), outage R = 0.4 h, blocking checkpoint δ = 0.05 h every
// τ = 0.25 h (s = 0.3 h), W = 10 h (n = 40 checkpoints, failure-free
// up-time U = 12 h). The first-order waste 2·(0.4 + 0.3/2) = 1.1 ≥ 1
// said no progress, "never"; the simulation finishes every seed.
//
// By hand, q = e^(λR) = e^0.8 = 2.225541, E1 = e^(λs) − 1 = e^0.6 − 1 =
// 0.822119: the job is down 1 − 1/q = 0.550671 of the time (an outage
// ends when none is running: overlapping ones count once); an up period
// keeps G = τ/E1 = 0.304093 h; wall = U·q·E1/(λs) = 12 × 3.049432 =
// 36.5932 h, Daly's eq. 20 (0.5·e^0.8·0.822119·40). Restarts 0.550671 ×
// 36.5932 = 20.1508 h; checkpoints 40 × 0.05 h plus those cut short,
// (λB − λGδ/τ)/q × wall with B = δ/E1 + E[(Y−τ)⁺] = 0.060818 + 0.003145
// = 0.063963 h: 2 + 0.1034 = 2.1034 h; lost 36.5932 − 12 − 20.1508 −
// 0.1034 = 4.3390 h; interruptions 2 × 36.5932 = 73.19.
func TestClosedFormOverlappingOutages(t *testing.T) {
	j := Job{Work: 10 * h, Chips: 1, ChipsPerNode: 1,
		Modes:      []Mode{{Component: "accelerator", Rate: fx[units.Dimensionless](2), Detect: fx(0.1 * h), Restart: fx(0.3 * h)}},
		Checkpoint: Checkpoint{Overhead: 0.05 * h, Interval: 0.25 * h}}
	e, err := Closed(j)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"wall h", float64(e.Wall / h), 36.5932}, {"Daly wall h", float64(e.DalyWall / h), 36.5932},
		{"restart h", float64(e.Restart / h), 20.1508}, {"checkpointing h", float64(e.Checkpointing / h), 2.1034},
		{"lost h", float64(e.Lost / h), 4.3390}, {"productive h", float64(e.Productive / h), 10},
		{"interruptions", e.Interruptions, 73.186},
	} {
		if !near(c.got, c.want, 2e-5) {
			t.Errorf("%s = %.4f, want %.4f", c.name, c.got, c.want)
		}
	}
	if e.NoProgress {
		t.Errorf("NoProgress: the simulation finishes this job")
	}
	// 2000 seeds: the wall's spread is about 30 % of its mean, so the
	// mean's standard error is ≈ 0.7 %; 3 % is > 4 σ. Each part too.
	res, err := Simulate(j, Options{Seeds: 2000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Finished != 2000 {
		t.Errorf("finished %d of 2000 seeds", res.Finished)
	}
	day := float64(units.Day)
	for _, c := range []struct {
		name   string
		sim    float64
		closed units.Seconds
		tol    float64
	}{
		{"wall", res.Wall.Mean, e.Wall, 0.03}, {"restart", res.Restart.Mean, e.Restart, 0.03},
		{"lost", res.Lost.Mean, e.Lost, 0.05}, {"checkpointing", res.Checkpointing.Mean, e.Checkpointing, 0.03},
	} {
		if !near(c.sim, float64(c.closed)/day, c.tol) {
			t.Errorf("%s: simulated mean %.4f h, closed form %.4f h; want within %.0f %%", c.name, c.sim*24, float64(c.closed/h), 100*c.tol)
		}
	}
}

// TestSimulationAgreesWithDaly: the mean of 2000 seeds against Daly's
// complete model. A seed's wall time has a standard deviation of about
// 4 h here, so the mean's standard error is ≈ 0.1 h (0.08 %): 1 % is
// > 10 σ, yet a modelling slip of one restart per run (0.4 %) would show.
func TestSimulationAgreesWithDaly(t *testing.T) {
	res, err := Simulate(dalyJob(), Options{Seeds: 2000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	mean := res.Wall.Mean * 24
	t.Logf("Daly job: simulated mean %.3f h (P10 %.1f, P90 %.1f), Daly %.3f h, closed form %.3f h", mean, res.Wall.P10*24, res.Wall.P90*24, res.Closed.DalyWall/h, res.Closed.Wall/h)
	if !near(mean, 122.239, 0.01) {
		t.Errorf("simulated mean wall = %.3f h, want Daly's 122.239 ± 1 %%", mean)
	}
	if !near(mean, float64(res.Closed.Wall/h), 0.015) {
		t.Errorf("simulated mean wall = %.3f h, closed form %.3f h: want within 1.5 %%", mean, res.Closed.Wall/h)
	}
	if res.Finished != 2000 {
		t.Errorf("finished %d of 2000 seeds", res.Finished)
	}
}

// TestInterruptionCount: a Poisson count over a fixed window has mean
// λ·n·T: 2e-5/h × 16384 chips × 1296 h = 424.7; the mean of 200 seeds has
// a standard error of √(424.7/200) = 1.46 (0.34 %), so 2 % is > 5 σ.
func TestInterruptionCount(t *testing.T) {
	j := Job{
		Horizon: 54 * units.Day, Chips: 16384, ChipsPerNode: 8,
		Modes: []Mode{
			{Component: "accelerator", Rate: fx[units.Dimensionless](1.5e-5), Detect: fx(2 * units.Minute), Restart: fx(10 * units.Minute), Swap: true},
			{Component: "planned", Rate: fx[units.Dimensionless](0.5e-5), Restart: fx(10 * units.Minute)},
		},
		Checkpoint: Checkpoint{Bytes: 5 * units.TB, StorageBW: 2 * units.TBps, Overhead: 30},
		Spares:     Spares{Nodes: 16, Swap: 5 * units.Minute, Repair: 3 * units.Day},
	}
	res, err := Simulate(j, Options{Seeds: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	want := 2e-5 * 16384 * 1296
	if !near(res.Interruptions.Mean, want, 0.02) || !near(res.Closed.Interruptions, want, 1e-9) {
		t.Errorf("interruptions: simulated mean %.1f, closed %.1f, want %.1f", res.Interruptions.Mean, res.Closed.Interruptions, want)
	}
	if share := res.ByMode[0].Mean / res.Interruptions.Mean; !near(share, 0.75, 0.03) {
		t.Errorf("accelerator share = %.3f, want 0.75", share)
	}
	if res.Wall.P50 != 54 {
		t.Errorf("horizon run wall = %v days, want 54", res.Wall.P50)
	}
}

// TestPartsSumToWall checks the accounting invariant on a job that uses
// every feature: async checkpoints, maturation, swaps with few spares,
// planned interruptions and a frequent failure rate.
func TestPartsSumToWall(t *testing.T) {
	j := fullJob()
	res, err := Simulate(j, Options{Seeds: 50, Seed: 3, Ranges: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range res.Outcomes {
		sum := o.Productive + o.Slowdown + o.Lost + o.Restart + o.Checkpointing
		if !near(float64(sum), float64(o.Wall), 1e-9) || o.Slowdown < 0 || o.Lost < 0 {
			t.Fatalf("seed %d: parts %+v sum to %v, want wall %v", i, o, sum, o.Wall)
		}
		if o.Finished && !near(float64(o.Productive), float64(j.Work), 1e-9) {
			t.Fatalf("seed %d finished with productive %v, want work %v", i, o.Productive, j.Work)
		}
	}
	if res.SpareWaits.Max == 0 {
		t.Error("no seed ever waited for a spare with 1 spare node and 2-day repairs")
	}
}

func fullJob() Job {
	return Job{
		Work: 30 * units.Day, Chips: 4096, ChipsPerNode: 8,
		Modes: []Mode{
			{Component: "accelerator", Rate: hardware.Value[units.Dimensionless]{Min: 1e-5, Typ: 2e-5, Max: 4e-5},
				Detect: fx(5 * units.Minute), Restart: hardware.Value[units.Seconds]{Min: 300, Typ: 600, Max: 1800}, Swap: true},
			{Component: "software", Rate: fx[units.Dimensionless](1e-5), Detect: fx(10 * units.Minute), Restart: fx(10 * units.Minute)},
			{Component: "planned", Rate: fx[units.Dimensionless](2e-6), Restart: fx(15 * units.Minute)},
		},
		Checkpoint: Checkpoint{Bytes: 2 * units.TB, StorageBW: 100 * units.GBps, Overhead: 20, Async: true, SnapshotBW: 20 * units.GBps},
		Spares:     Spares{Nodes: 1, Swap: 5 * units.Minute, Repair: 2 * units.Day},
		Engineering: Engineering{Port: fx(20 * units.Day), InitialSlowdown: fx[units.Dimensionless](0.3),
			Maturation: fx(20 * units.Day)},
	}
}

// TestNoMaturationNoSlowdown: without maturation the slowdown, a
// residual of large sums, is exactly zero in every seed (it read ±1e-10
// days, and -0.0 in the text, before rounding was snapped to zero).
func TestNoMaturationNoSlowdown(t *testing.T) {
	j := fullJob()
	j.Engineering = Engineering{}
	res, err := Simulate(j, Options{Seeds: 30, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range res.Outcomes {
		if o.Slowdown != 0 {
			t.Fatalf("seed %d: slowdown %v s without maturation, want 0", i, float64(o.Slowdown))
		}
	}
}

// TestAsyncAgreesWithClosedForm: async checkpoints with M ≫ τ, no swaps
// and no maturation, 400 seeds: the closed form, whose cycles are
// durable δ_w after their block, within 2 %.
func TestAsyncAgreesWithClosedForm(t *testing.T) {
	j := fullJob()
	j.Modes = j.Modes[1:2]
	j.Spares = Spares{}
	j.Engineering = Engineering{}
	j.Checkpoint.Interval = 30 * units.Minute
	res, err := Simulate(j, Options{Seeds: 400, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("async: sim wall %.4f d (lost %.4f), closed %.4f d (lost %.4f)", res.Wall.Mean, res.Lost.Mean, res.Closed.Wall.Days(), res.Closed.Lost.Days())
	if want := res.Closed.Wall.Days(); !near(res.Wall.Mean, want, 0.02) {
		t.Errorf("async: simulated mean wall %.3f days, closed form %.3f", res.Wall.Mean, want)
	}
	if want := res.Closed.Lost.Days(); !near(res.Lost.Mean, want, 0.10) {
		t.Errorf("async: simulated lost work %.4f days, closed form %.4f", res.Lost.Mean, want)
	}
}

// TestMaturationRamp: slow 0.5 over 10 units: cum(4) = 4 − 0.5·(4 − 16/20)
// = 2.4; cum(10) = 10 − 2.5 = 7.5; past the ramp the debt stays 2.5.
func TestMaturationRamp(t *testing.T) {
	r := ramp{slow: 0.5, span: 10}
	cases := []struct{ t, w float64 }{{0, 0}, {4, 2.4}, {10, 7.5}, {20, 17.5}}
	for _, c := range cases {
		if got := r.cum(c.t); !near(got, c.w, 1e-12) {
			t.Errorf("cum(%v) = %v, want %v", c.t, got, c.w)
		}
		if got := r.inv(c.w); !near(got, c.t, 1e-12) && c.t != 0 {
			t.Errorf("inv(%v) = %v, want %v", c.w, got, c.t)
		}
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	encode := func(seed uint64) []byte {
		res, err := Simulate(fullJob(), Options{Seeds: 20, Seed: seed, Ranges: true})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(struct {
			R Result
			O []Outcome
		}{res, res.Outcomes})
		return b
	}
	a, b, c := encode(5), encode(5), encode(6)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same bytes")
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*Job)
		field string
	}{
		{"negative rate", func(j *Job) { j.Modes[0].Rate = fx[units.Dimensionless](-1e-5) }, "modes[0].rate"},
		{"NaN restart", func(j *Job) { j.Modes[1].Restart = fx(units.Seconds(math.NaN())) }, "modes[1].restart"},
		{"unknown component", func(j *Job) { j.Modes[0].Component = "gpu" }, "modes[0].component"},
		{"interval past the run", func(j *Job) { j.Checkpoint.Interval = 31 * units.Day }, "checkpoint.interval"},
		{"interval under the async write", func(j *Job) { j.Checkpoint.Interval = 10 }, "checkpoint.interval"},
		{"min above typ", func(j *Job) {
			j.Modes[0].Rate = hardware.Value[units.Dimensionless]{Min: 3, Typ: 2, Max: 4}
		}, "modes[0].rate"},
		{"no chips", func(j *Job) { j.Chips = 0 }, "chips"},
		{"slowdown of 1", func(j *Job) { j.Engineering.InitialSlowdown = fx[units.Dimensionless](1) }, "engineering.initial_slowdown"},
		{"no storage", func(j *Job) { j.Checkpoint.StorageBW = 0 }, "checkpoint.storage_bw"},
	}
	for _, c := range cases {
		j := fullJob()
		j.Modes = append([]Mode(nil), j.Modes...)
		c.edit(&j)
		_, err := Simulate(j, Options{Seeds: 1})
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want a one-line FieldError on %s", c.name, err, c.field)
		}
	}
	if _, err := Simulate(fullJob(), Options{Seeds: 0}); !errors.Is(err, ErrNoSeeds) {
		t.Errorf("Seeds 0: err = %v, want ErrNoSeeds", err)
	}
}

// BenchmarkNinetyDays16K: a 90-day run on 16,384 chips at the Llama 3
// interruption rate (2.2e-5 per device-hour), 100 seeds.
func BenchmarkNinetyDays16K(b *testing.B) {
	j := Job{
		Work: 80 * units.Day, Chips: 16384, ChipsPerNode: 8,
		Modes: []Mode{
			{Component: "accelerator", Rate: fx[units.Dimensionless](1.3e-5), Detect: fx(3 * units.Minute), Restart: fx(10 * units.Minute), Swap: true},
			{Component: "software", Rate: fx[units.Dimensionless](0.7e-5), Detect: fx(5 * units.Minute), Restart: fx(10 * units.Minute)},
			{Component: "planned", Rate: fx[units.Dimensionless](0.2e-5), Restart: fx(10 * units.Minute)},
		},
		Checkpoint: Checkpoint{Bytes: 6 * units.TB, StorageBW: 2 * units.TBps, Overhead: 30},
		Spares:     Spares{Nodes: 40, Swap: 5 * units.Minute, Repair: 3 * units.Day},
	}
	for b.Loop() {
		if _, err := Simulate(j, Options{Seeds: 100, Seed: 1, Ranges: true}); err != nil {
			b.Fatal(err)
		}
	}
	// Baseline: the bound of "a few seconds" (3 s) for this case.
	b.ReportMetric(3/(b.Elapsed().Seconds()/float64(b.N)), "x-3s-goal")
}

// TestCorners: the optimistic corner is faster than typical, the
// pessimistic slower; a job whose expected wall time is past the
// simulation's cap makes no progress, and says so.
func TestCorners(t *testing.T) {
	j := fullJob()
	var totals []units.Seconds
	for _, c := range []Corner{Min, Low, Typical, High, Max} {
		e, err := ClosedAt(j, c)
		if err != nil {
			t.Fatal(err)
		}
		totals = append(totals, e.Wall+e.Port)
	}
	for i := 1; i < len(totals); i++ {
		if totals[i-1] >= totals[i] {
			t.Errorf("corners min, P10, typ, P90, max not increasing: %v", totals)
		}
	}
	// Port is triangular(20 d, 20 d, 20 d) = fixed; the accelerator rate
	// [1, 2, 4]e-5 at P90: F(typ) = 1/3, so 1 − 0.9 = 0.1 = (4−x)²/(3·2)
	// gives x = 4 − √0.6 = 3.2254e-5 (a third of the way is (2−1)/(4−1)).
	hi := j.resolve(picker{corner: High})
	if got := hi.modes[0].rate * float64(units.Hour) / 4096; !near(got, 3.2254e-5, 1e-4) {
		t.Errorf("P90 of [1, 2, 4]e-5 = %.5g, want 3.2254e-5", got)
	}
	typ, _ := ClosedAt(j, Typical)
	// One chip at 1/h with outages of 0.1 + 5 h: up e^(−5.1) = 0.6 % of
	// the time, and an hour's checkpointed work (s = 1.1 h) rarely done in
	// one go: wall = U·e^5.1·(e^1.1 − 1)/1.1 = U × 164.0 × 2.004 / 1.1 =
	// 299 × the failure-free time, past the simulation's cap of 50 ×.
	// (A 2 h outage, which the first-order form called hopeless, is 14.9 ×
	// and finishes in simulation.)
	j = dalyJob()
	j.Modes[0].Rate = fx[units.Dimensionless](1)
	j.Modes[0].Restart = fx(5 * h)
	e, err := Closed(j)
	if err != nil || !e.NoProgress || e.Wall != 0 {
		t.Errorf("hopeless job: NoProgress %v, wall %v, err %v; want true, 0, nil", e.NoProgress, e.Wall, err)
	}
	// The per-mode counts are there (one per mode) even with no progress:
	// rate × wall = 0 here, callers index them by mode.
	if len(e.ByMode) != len(j.Modes) || e.ByMode[0] != 0 {
		t.Errorf("hopeless job: ByMode %v, want %d zeros", e.ByMode, len(j.Modes))
	}
	res, err := Simulate(j, Options{Seeds: 3, Seed: 1, Limit: 5})
	if err != nil || res.Finished != 0 {
		t.Errorf("hopeless job: finished %d of 3 (err %v), want 0", res.Finished, err)
	}
	// Little's law: 4096 chips × 2e-5/h swaps × 48 h repair = 3.93 nodes away.
	if got := typ.InRepair; !near(got, 4096*2e-5*48, 1e-9) {
		t.Errorf("InRepair = %v, want 3.93", got)
	}
}

// TestDalyIntervalIsBest: the simulated mean wall time at Daly's interval
// is no worse than at a third or three times it (δ = 0.1 h, M = 10 h:
// Daly 1.348 h). The first-order waste δ/τ + (τ+δ)/2M (restart aside) is
// 0.0742 + 0.0724 = 14.7 % at 1.348 h, 0.2227 + 0.0275 = 25.0 % at
// 0.449 h and 0.0247 + 0.2073 = 23.2 % at 4.045 h: 8–10 points, far above
// the noise of 1000 seeds (≈ 0.1 %).
func TestDalyIntervalIsBest(t *testing.T) {
	mean := func(interval units.Seconds) float64 {
		j := dalyJob()
		j.Checkpoint.Interval = interval
		res, err := Simulate(j, Options{Seeds: 1000, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		return res.Wall.Mean
	}
	daly := DalyInterval(0.1*h, 10*h)
	best, short, long := mean(daly), mean(daly/3), mean(3*daly)
	if best >= short || best >= long {
		t.Errorf("mean wall days: Daly interval %.3f, a third of it %.3f, three times %.3f: want Daly lowest", best, short, long)
	}
}

// TestSweep: the sweep reproduces TestDalyIntervalIsBest through the API.
func TestSweep(t *testing.T) {
	pts, err := Sweep(dalyJob(), []float64{1.0 / 3, 1, 3}, Options{Seeds: 1000, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(pts[1].Interval/h), 1.348333, 1e-6) {
		t.Errorf("sweep 1× interval = %v h, want Daly's 1.348333", pts[1].Interval/h)
	}
	if pts[1].Wall >= pts[0].Wall || pts[1].Wall >= pts[2].Wall {
		t.Errorf("sweep %+v: want the Daly point lowest", pts)
	}
	if _, err := Sweep(dalyJob(), []float64{-1}, Options{Seeds: 1}); err == nil {
		t.Error("negative factor accepted")
	}
}

// TestClosedSamples: with fixed inputs every sample is the typical
// estimate; with ranges the samples' median lies between the P10 and P90
// corners, and the same seed gives the same samples.
func TestClosedSamples(t *testing.T) {
	fixedJob := dalyJob()
	ss, err := ClosedSamples(fixedJob, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	typ, _ := Closed(fixedJob)
	for _, s := range ss {
		if s.Wall != typ.Wall {
			t.Fatalf("fixed inputs: sample wall %v, typical %v", s.Wall, typ.Wall)
		}
	}
	j := fullJob()
	a, _ := ClosedSamples(j, 400, 3)
	b, _ := ClosedSamples(j, 400, 3)
	var walls []float64
	for i := range a {
		if a[i].Wall != b[i].Wall {
			t.Fatal("same seed, different samples")
		}
		walls = append(walls, float64(a[i].Wall+a[i].Port))
	}
	slices.Sort(walls)
	lo, _ := ClosedAt(j, Low)
	hi, _ := ClosedAt(j, High)
	if med := walls[200]; med <= float64(lo.Wall+lo.Port) || med >= float64(hi.Wall+hi.Port) {
		t.Errorf("median sampled total %v outside the P10/P90 corners %v, %v", med, lo.Wall+lo.Port, hi.Wall+hi.Port)
	}
	if _, err := ClosedSamples(j, 0, 1); !errors.Is(err, ErrNoSeeds) {
		t.Errorf("n = 0: err %v, want ErrNoSeeds", err)
	}
}

// A window runs to its end whatever its progress: a job whose run to
// completion would never finish (interruptions every 1.5 min, outages of
// 24 min: the expected wall time passes the simulation's cap) keeps its
// window's times, 10 h of wall and 40 × 10 = 400 interruptions at the
// raw rate, and some progress, not NoProgress with every time 0 (review).
func TestClosedFormWindowKeepsItsTimes(t *testing.T) {
	j := Job{Work: 10 * h, Chips: 1, ChipsPerNode: 1,
		Modes:      []Mode{{Component: "accelerator", Rate: fx[units.Dimensionless](40), Detect: fx(0.1 * h), Restart: fx(0.3 * h)}},
		Checkpoint: Checkpoint{Overhead: 0.05 * h, Interval: 0.25 * h}}
	if e, err := Closed(j); err != nil || !e.NoProgress {
		t.Fatalf("to completion: NoProgress %v, %v; want a run that never finishes", e.NoProgress, err)
	}
	j.Horizon = 10 * h
	e, err := Closed(j)
	if err != nil {
		t.Fatal(err)
	}
	if e.NoProgress || !near(float64(e.Wall/h), 10, 1e-12) || !near(e.Interruptions, 400, 1e-9) || !(e.Productive > 0 && e.Productive < h) {
		t.Errorf("window: NoProgress %v, wall %v, %g interruptions, productive %v; want the window's 10 h, 400, some progress", e.NoProgress, e.Wall, e.Interruptions, e.Productive)
	}
}

// TestClosedUnplannedMTBI: the intervals take the unplanned MTBI, and the
// estimate says it beside the job's (QA: run printed "job MTBI 44.50 h"
// beside intervals from 49.5 h). dalyJob's 0.1/h plus a planned 0.025/h:
// MTBI 1/0.125 = 8 h, unplanned 1/0.1 = 10 h; with Block 0.1 h Young is
// √(2·0.1·10) = 1.414214 h and Daly 1.348333 h, as TestIntervals.
func TestClosedUnplannedMTBI(t *testing.T) {
	j := dalyJob()
	j.Modes = append(j.Modes, Mode{Component: "planned", Rate: fx[units.Dimensionless](0.025), Detect: fx(0.1 * h), Restart: fx(0.4 * h), Planned: true})
	e, err := Closed(j)
	if err != nil {
		t.Fatal(err)
	}
	if !near(float64(e.MTBI/h), 8, 1e-12) || !near(float64(e.UnplannedMTBI/h), 10, 1e-12) {
		t.Errorf("MTBI %v, unplanned %v: want 8 h and 10 h", e.MTBI, e.UnplannedMTBI)
	}
	if !near(float64(e.Young/h), 1.414214, 1e-6) || !near(float64(e.Daly/h), 1.348333, 1e-6) {
		t.Errorf("Young %v, Daly %v: want 1.414214 h and 1.348333 h (the unplanned 10 h)", e.Young, e.Daly)
	}
}
