package calc

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/input"
	"chipgap/units"
)

// TestRunNoProgressRefusedFast: a run to completion whose closed form
// makes no progress (a million 910Bs interrupted every 1.4 min) simulated
// every seed to 50 × its failure-free time, ~3.5 M interruptions and
// ~13 s a seed; it is refused before any seed runs, naming chips and
// what to change. A window of the same cluster still simulates.
func TestRunNoProgressRefusedFast(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := RunRequest{Model: "llama3.1-8b", Chip: "ascend-910b", Chips: 1 << 20, MFU: 0.3, Tokens: 1e15, Seeds: 100}
	s, err := req.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Run(s, RunOptions{Checks: true})
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Field != "chips" || !strings.Contains(fe.Want, "never finishes") || !strings.Contains(fe.Want, "fewer chips") {
		t.Fatalf("err = %v, want a chips refusal saying the run never finishes", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refusal took %v: something was simulated", d)
	}
	req.Tokens, req.Days, req.Seeds = 0, Days(3600), 2
	if s, err = req.Setup(cat); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(s, RunOptions{}); err != nil {
		t.Errorf("a one-hour window: %v, want it simulated", err)
	}
}

// TestRunEventLimit: seeds × goodput.EventBound over MaxEvents is refused
// before anything is simulated, naming seeds and the way to lift it; the
// interval check's seeds (min(seeds, 30) at each of three intervals)
// count with Checks.
func TestRunEventLimit(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 16384, MFU: 0.4, Days: Days(54 * 86400), Seeds: 10}
	s, err := req.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.seedsRun(true); got != 40 {
		t.Errorf("seeds run with the checks = %d, want 10 + 3 × 10", got)
	}
	_, err = Run(s, RunOptions{Checks: true, MaxEvents: 100, Lift: "or pass --yes"})
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Field != "seeds" || !errors.Is(err, ErrEventLimit) ||
		!strings.Contains(fe.Want, "10 seeds × up to") || !strings.Contains(fe.Want, "with the interval check's 10 seeds at each of ½, 1 and 2 × Daly's interval") ||
		!strings.HasSuffix(fe.Want, "; or pass --yes") {
		t.Fatalf("err = %v, want a seeds refusal over the limit of 100 events", err)
	}
	seen := 0
	res, err := Run(s, RunOptions{MaxEvents: MaxRunEvents, Simulated: func(done, total int) {
		if total != 10 || done != seen+1 {
			t.Errorf("progress %d of %d after %d", done, total, seen)
		}
		seen = done
	}})
	if err != nil || res.A.Result.Seeds != 10 || seen != 10 {
		t.Errorf("within the limit: err %v, seeds %d, progress %d; want 10 seeds simulated and counted", err, res.A.Result.Seeds, seen)
	}
	last := 0
	if _, err := Run(s, RunOptions{Checks: true, Simulated: func(done, total int) {
		if total != 40 || done != last+1 {
			t.Errorf("with the checks: progress %d of %d after %d", done, total, last)
		}
		last = done
	}}); err != nil || last != 40 {
		t.Errorf("with the checks: err %v, progress %d; want 40 of 40", err, last)
	}
}

// TestRunTooShort: a window or a token budget shorter than one optimizer
// step (70B on 64 H100 at MFU 0.4: 5.983e4 tokens/s, 2048 × 8192 tokens a
// step, 280.4 s) is refused naming days or tokens and the bound; it used
// to reach the interval check and fail on checkpoint.interval (86.4 ms
// under the 493.9 ms background write). A blocking checkpoint's floor is
// 1 s; one step is the larger bound here.
func TestRunTooShort(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req   RunRequest
		field string
		want  string
	}{
		{RunRequest{Days: Days(86400e-6)}, "days", "4.673 min for one optimizer step"},
		{RunRequest{Tokens: 1000}, "tokens", "want at least 1.678e+07 tokens"},
		// No compute at all (subnormal): goodput's "work = 0 ns" (QA).
		{RunRequest{Tokens: 1e-320}, "tokens", "want at least 1.678e+07 tokens"},
		{RunRequest{Tokens: 1e9, Days: Days(60)}, "days", "one optimizer step"},
	} {
		r := tc.req
		r.Model, r.Chip, r.Chips, r.MFU, r.Seeds = "llama3.1-70b", "h100-sxm", 64, 0.4, 2
		s, err := r.Setup(cat)
		if err == nil {
			_, err = Run(s, RunOptions{Checks: true})
		}
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Want, tc.want) {
			t.Errorf("%+v: err = %v, want %s refused with %q", tc.req, err, tc.field, tc.want)
		}
	}
	// Four steps' worth of window (20 min) runs.
	r := RunRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, MFU: 0.4, Seeds: 2, Days: Days(1200)}
	s, err := r.Setup(cat)
	if err == nil {
		_, err = Run(s, RunOptions{Checks: true})
	}
	if err != nil {
		t.Errorf("a 20-minute window: %v", err)
	}
}

// TestChipsPerNodeWholeNodes: run and train refuse a chips_per_node over
// the job's chips or not dividing them, alike (catalog.ClusterOptions.
// WholeNodes); both used to accept 3 for 64 chips and cap 128 to 64.
func TestChipsPerNodeWholeNodes(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, node := range []int{3, 128} {
		_, rerr := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, ChipsPerNode: node, Days: Days(86400)}.Setup(cat)
		_, terr := TrainRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, ChipsPerNode: node}.Setup(cat)
		for name, err := range map[string]error{"run": rerr, "train": terr} {
			var fe *input.Error
			if !errors.As(err, &fe) || fe.Field != "chips_per_node" || !strings.Contains(fe.Want, "64 chips") {
				t.Errorf("%s, 64 chips in nodes of %d: err %v, want chips_per_node refused naming the 64 chips", name, node, err)
			}
		}
	}
}

// TestRunShortIntervalRefused: the bound counts checkpoint cycles. QA's
// requests were admitted (the bound counted the few interruptions only)
// and ran for minutes, holding a server's slot after its 504; they are
// refused at once naming interval, with the way to lift it.
//
// 70B on 4,096 H100s at MFU 0.4: 0.4 × 989.4e12 × 4096 ÷ (6 × 70.55e9) =
// 3.829e6 tokens/s, so 10¹² tokens are W = 261,143 s of compute; at a
// 1 ms interval at least W ÷ 1 ms = 2.61e8 cycles a seed, two events
// each. 8B on 1,024 H100s over 3,650 days at 5 min, each cycle blocking
// δ_b = 10 s + 8.03e9 × 14 B ÷ 1024 chips ÷ 25 GB/s = 10.004 s: at least
// 315,360,000 s ÷ 310.004 s = 1.0173e6 cycles a seed, × 1000 seeds × 3
// events (asynchronous) = 3.1e9 events.
func TestRunShortIntervalRefused(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req       RunRequest
		minCycles float64
	}{
		{RunRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 4096, MFU: 0.4, Seeds: 5, Tokens: 1e12, Interval: 1e-3, Checkpoint: "blocking"}, 2.61e8},
		{RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 1024, MFU: 0.4, Seeds: 1000, Days: Days(3650 * 86400), Interval: 300}, 1.0172e6},
	} {
		s, err := tc.req.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := Run(s, RunOptions{Checks: true, MaxEvents: MaxRunEvents, Lift: "or pass --yes"})
			done <- err
		}()
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("interval %v: still simulating after 5 s, want a refusal before any seed runs", tc.req.Interval)
		}
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != "interval" || !errors.Is(err, ErrEventLimit) ||
			!strings.Contains(fe.Want, "checkpoint cycles") || !strings.Contains(fe.Want, "a longer interval") || !strings.HasSuffix(fe.Want, "; or pass --yes") {
			t.Errorf("interval %v: err %v, want interval refused over the event limit", tc.req.Interval, err)
			continue
		}
		d := s.Sides[0]
		if err := s.assemble(&d, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		if b := goodput.EventBound(d.Job, false); b.Cycles < tc.minCycles || float64(tc.req.Seeds)*b.Total() <= MaxRunEvents {
			t.Errorf("interval %v: bound %+v, want at least %.4g cycles a seed and over %g events", tc.req.Interval, b, tc.minCycles, MaxRunEvents)
		}
	}
}

// TestRunClosedFormAgreesWithSimulation: 405B on 65,536 910Bs at MFU 0.3
// on 15 T tokens (job MTBI 21.6 min, mean outage 22.3 min) was refused,
// "the closed form finds no progress and the run never finishes", while
// a --days 1000 window finished every seed at 218 days: the first-order
// closed form charged each interruption its whole outage (waste ≥ 1)
// though one during another's outage only extends it. Now the run is
// simulated and the closed form's wall time and restarts are within 2 %
// of the simulated P50 (219.0 against 218.5 days here).
func TestRunClosedFormAgreesWithSimulation(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := RunRequest{Model: "llama3.1-405b", Chip: "ascend-910b", Chips: 65536, MFU: 0.3, Tokens: 15e12, Seeds: 5}
	s, err := req.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MaxEvents: MaxRunEvents})
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	r := res.A.Result
	if r.Closed.NoProgress || r.Finished != 5 {
		t.Fatalf("closed form no progress %v, %d of 5 seeds finished", r.Closed.NoProgress, r.Finished)
	}
	for _, c := range []struct {
		name   string
		closed units.Seconds
		sim    float64
	}{{"wall", r.Closed.Wall, r.Wall.P50}, {"restarts", r.Closed.Restart, r.Restart.P50}} {
		if got := c.closed.Days(); math.Abs(got/c.sim-1) > 0.02 {
			t.Errorf("%s: closed form %.1f days, simulated P50 %.1f: want within 2 %%", c.name, got, c.sim)
		}
	}
}
