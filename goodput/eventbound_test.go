package goodput

import (
	"errors"
	"testing"
	"time"

	"chipgap/hardware"
	"chipgap/units"
)

// boundJob is 1,000 chips over a 30-day window (720 h, 2,592,000 s), two
// modes of highest rates 5e-6 and 1e-6 per chip-hour, and a blocking
// checkpoint of 1 TB at 10 GB/s (100 s) plus a 10 s overhead: δ_b = 110 s.
func boundJob() Job {
	return Job{Horizon: 30 * units.Day, Chips: 1000, ChipsPerNode: 8,
		Modes: []Mode{
			{Component: "accelerator", Rate: hardware.Value[units.Dimensionless]{Min: 1e-6, Typ: 2e-6, Max: 5e-6}, Detect: fx[units.Seconds](60), Restart: fx[units.Seconds](300)},
			{Component: "host", Rate: fx[units.Dimensionless](1e-6), Detect: fx[units.Seconds](60), Restart: fx[units.Seconds](300)},
		},
		Checkpoint: Checkpoint{Bytes: 1e12, StorageBW: 1e10, SnapshotBW: 1e9, Overhead: 10, Interval: units.Hour}}
}

// TestEventBound: every event a seed fires, by hand; with ranges, at
// their worst (each seed draws its own). Interruptions:
// 1000 × (5e-6 + 1e-6) × 720 h = 4.32, two events each. Cycles of a 1 h
// interval: 2,592,000 ÷ (3600 + 110) + 4.32 + 1 = 703.97, two events each
// (compute end, checkpoint end): 2 × 4.32 + 2 × 703.97 = 1416.58. Before,
// the bound was the 4.32 interruptions alone, so a 1 ms interval
// (2,592,000 ÷ 110.001 + 5.32 = 23,568.7 cycles) bounded the same 4.32.
func TestEventBound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*Job)
		cycles float64
		total  float64
	}{
		{"blocking, 1 h", func(*Job) {}, 703.972, 1416.585},
		// Asynchronous: δ_b = 10 s + 1e12 B ÷ 1000 chips ÷ 1e9 B/s = 11 s,
		// and each cycle also ends its background write: 2,592,000 ÷ 3611
		// + 5.32 = 723.13 cycles, 2 × 4.32 + 3 × 723.13 = 2178.02.
		{"async, 1 h", func(j *Job) { j.Checkpoint.Async = true }, 723.127, 2178.020},
		{"blocking, 1 ms", func(j *Job) { j.Checkpoint.Interval = 1e-3 }, 23568.742, 47146.124},
		// Daly's interval at the highest rates, the shortest a seed can
		// draw: M = 3600 ÷ (1000 × 6e-6) = 600,000 s, x = δ/2M = 9.1667e-5,
		// τ = √(2·110·600000)·(1 + √x/3 + x/9) − 110 = 11,415.9 s (16,174.8 s
		// at the typical rates); 2,592,000 ÷ 11,525.9 + 5.32 = 230.20.
		{"blocking, Daly's", func(j *Job) { j.Checkpoint.Interval = 0 }, 230.205, 469.049},
	} {
		j := boundJob()
		tc.edit(&j)
		if err := j.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b := EventBound(j, true)
		if !near(b.Interruptions, 4.32, 1e-9) || !near(b.Cycles, tc.cycles, 1e-5) || !near(b.Total(), tc.total, 1e-5) {
			t.Errorf("%s: bound %+v, total %.3f; want 4.32 interruptions, %.3f cycles, %.3f events", tc.name, b, b.Total(), tc.cycles, tc.total)
		}
	}
	// Without ranges every seed runs the typical values: 1000 × (2e-6 +
	// 1e-6) × 720 h = 2.16 interruptions; at 1 h, 2,592,000 ÷ 3710 + 3.16
	// = 701.81 cycles, 2 × 2.16 + 2 × 701.81 = 1407.94; at Daly's typical
	// 16,174.8 s, 2,592,000 ÷ 16,284.8 + 3.16 = 162.33 cycles, 328.97.
	for _, tc := range []struct {
		interval      units.Seconds
		cycles, total float64
	}{{units.Hour, 701.812, 1407.945}, {0, 162.327, 328.973}} {
		j := boundJob()
		j.Checkpoint.Interval = tc.interval
		b := EventBound(j, false)
		if !near(b.Interruptions, 2.16, 1e-9) || !near(b.Cycles, tc.cycles, 1e-5) || !near(b.Total(), tc.total, 1e-5) {
			t.Errorf("typical, interval %v: bound %+v, total %.3f; want 2.16 interruptions, %.3f cycles, %.3f events", tc.interval, b, b.Total(), tc.cycles, tc.total)
		}
	}
}

// TestStopEndsASeedPromptly: a seed of billions of events (a 1 ms
// interval and a 1 ms checkpoint over a 30-day window: 2,592,000 ÷ 0.002
// = 1.3e9 cycles, minutes) is ended by Options.Stop within a few
// milliseconds of it answering an error, and Simulate returns that
// error. Before, Stop did not exist and a server's deadline or DELETE
// could not end a simulation: its slot was held for minutes after the
// 504.
func TestStopEndsASeedPromptly(t *testing.T) {
	j := boundJob()
	j.Checkpoint = Checkpoint{Overhead: 1e-3, Interval: 1e-3}
	errStop := errors.New("deadline")
	start := time.Now()
	deadline := start.Add(100 * time.Millisecond)
	asked := 0
	_, err := Simulate(j, Options{Seeds: 3, Seed: 1, Stop: func() error {
		asked++
		if time.Now().After(deadline) {
			return errStop
		}
		return nil
	}})
	took := time.Since(start)
	if !errors.Is(err, errStop) || took > time.Second {
		t.Errorf("Simulate with Stop after 100 ms: err %v after %v (asked %d times); want the stop's error within a second", err, took, asked)
	}
	// Asked before any seed runs: an expired deadline simulates nothing.
	start = time.Now()
	if _, err := Simulate(j, Options{Seeds: 3, Stop: func() error { return errStop }}); !errors.Is(err, errStop) || time.Since(start) > 50*time.Millisecond {
		t.Errorf("Simulate with Stop already answering: err %v after %v", err, time.Since(start))
	}
}
