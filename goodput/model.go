package goodput

import (
	"fmt"
	"math"
	"slices"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// Components returns the components a failure mode may name. Table 5 of
// the Llama 3 paper maps onto them as catalog/data/reliability.yaml
// records.
func Components() []string {
	return []string{"accelerator", "hbm", "host", "nic", "switch", "software", "planned"}
}

// Mode is one way a job is interrupted: a component, how often it fails
// (per chip-hour: per accelerator package in the job per hour, a two-die
// 910C counting once; JSON rate_per_chip_hour, rate_per_device_hour until
// 7 Dec 2026), how long
// detection and restart take, and whether the node must be swapped.
// Planned interruptions are announced: the job stops right after a
// checkpoint, so they lose no work (their Restart includes that save).
type Mode struct {
	Component string                              `json:"component"`
	Rate      hardware.Value[units.Dimensionless] `json:"rate_per_chip_hour"`
	Detect    hardware.Value[units.Seconds]       `json:"detect"`
	Restart   hardware.Value[units.Seconds]       `json:"restart"`
	Swap      bool                                `json:"swap"`
	Planned   bool                                `json:"planned,omitempty"`
}

// Checkpoint describes how the job saves its state.
type Checkpoint struct {
	// Bytes is the size of one checkpoint (weights plus optimizer state).
	Bytes units.Bytes `json:"bytes"`
	// StorageBW is the aggregate write bandwidth to durable storage.
	StorageBW units.ByteRate `json:"storage_bw"`
	// Overhead is a fixed blocking cost per checkpoint (barrier,
	// coordination, metadata), in both modes.
	Overhead units.Seconds `json:"overhead"`
	// Async: the job blocks only to copy its shard to host memory at
	// SnapshotBW per chip, and the write to storage runs in the
	// background; the checkpoint is durable only once written.
	Async      bool           `json:"async"`
	SnapshotBW units.ByteRate `json:"snapshot_bw,omitempty"`
	// Interval is the productive compute between checkpoints; 0 chooses
	// it by Daly's formula.
	Interval units.Seconds `json:"interval"`
}

// Spares is the pool of spare nodes that replace failed ones.
type Spares struct {
	Nodes int `json:"nodes"` // spare nodes on hand at the start
	// Swap is the time to bring a spare into the job (hot swap).
	Swap units.Seconds `json:"swap"`
	// Repair is how long a failed node is away before it can serve as a
	// spare again; with no spare left the job waits for the first one back.
	Repair units.Seconds `json:"repair"`
}

// Engineering is the per-stack effort kept out of every efficiency: the
// calendar time to port and tune the model before the run (Port), and
// slower iterations while kernels mature: throughput starts at
// 1 − InitialSlowdown of steady state and recovers linearly over
// Maturation of wall-clock time.
type Engineering struct {
	Port            hardware.Value[units.Seconds]       `json:"port"`
	InitialSlowdown hardware.Value[units.Dimensionless] `json:"initial_slowdown"`
	Maturation      hardware.Value[units.Seconds]       `json:"maturation"`
}

// Job is a training run as the goodput model sees it. Work is the
// productive compute it needs at steady-state throughput (token budget ÷
// tokens per second, from the training estimator or 6·N·D ÷ MFU·peak).
// With Horizon > 0 the run is simulated for that wall-clock window only
// (e.g. the 54 days of the Llama 3 record) instead of to completion.
type Job struct {
	Work         units.Seconds `json:"work"`
	Horizon      units.Seconds `json:"horizon,omitempty"`
	Chips        int           `json:"chips"`
	ChipsPerNode int           `json:"chips_per_node"`
	Modes        []Mode        `json:"modes"`
	Checkpoint   Checkpoint    `json:"checkpoint"`
	Spares       Spares        `json:"spares"`
	Engineering  Engineering   `json:"engineering"`
}

// Validate checks every field; nothing is simulated on half-valid input.
func (j Job) Validate() error {
	checks := []struct {
		bad   bool
		field string
		value any
		want  string
	}{
		{!(j.Work > 0) && j.Horizon <= 0, "work", j.Work, "want > 0 (or a horizon)"},
		{j.Horizon < 0 || !finite(float64(j.Horizon)), "horizon", j.Horizon, "want ≥ 0"},
		{j.Chips < 1, "chips", j.Chips, "want ≥ 1"},
		{j.ChipsPerNode < 1 || j.ChipsPerNode > j.Chips, "chips_per_node", j.ChipsPerNode, fmt.Sprintf("want 1..chips (%d)", j.Chips)},
		{len(j.Modes) == 0, "modes", len(j.Modes), "want at least one failure mode"},
		{j.Spares.Nodes < 0, "spares.nodes", j.Spares.Nodes, "want ≥ 0"},
		{j.Spares.Swap < 0, "spares.swap", j.Spares.Swap, "want ≥ 0"},
		{j.Spares.Repair < 0, "spares.repair", j.Spares.Repair, "want ≥ 0"},
	}
	for _, c := range checks {
		if c.bad {
			return input.Bad(c.field, c.value, c.want)
		}
	}
	for i, m := range j.Modes {
		if err := m.validate(fmt.Sprintf("modes[%d]", i)); err != nil {
			return err
		}
	}
	if err := j.Checkpoint.validate(j); err != nil {
		return err
	}
	return j.Engineering.validate()
}

func (m Mode) validate(at string) error {
	if !slices.Contains(Components(), m.Component) {
		return input.Bad(at+".component", m.Component, fmt.Sprintf("want one of %v", Components()))
	}
	if err := checkRange(at+".rate", m.Rate); err != nil {
		return err
	}
	if err := checkRange(at+".detect", m.Detect); err != nil {
		return err
	}
	return checkRange(at+".restart", m.Restart)
}

func (c Checkpoint) validate(j Job) error {
	switch {
	case !(c.Bytes >= 0) || !finite(float64(c.Bytes)):
		return input.Bad("checkpoint.bytes", c.Bytes, "want ≥ 0")
	case c.Bytes > 0 && !(c.StorageBW > 0):
		return input.Bad("checkpoint.storage_bw", c.StorageBW, "want > 0")
	case !(c.Overhead >= 0):
		return input.Bad("checkpoint.overhead", c.Overhead, "want ≥ 0")
	case c.Async && c.Bytes > 0 && !(c.SnapshotBW > 0):
		return input.Bad("checkpoint.snapshot_bw", c.SnapshotBW, "want > 0 for an asynchronous checkpoint")
	case !(c.Interval >= 0) || !finite(float64(c.Interval)):
		return input.Bad("checkpoint.interval", c.Interval, "want ≥ 0 (0 = Daly's optimum)")
	case j.Work > 0 && c.Interval > j.Work:
		return input.Bad("checkpoint.interval", c.Interval, fmt.Sprintf("want ≤ the run's compute time (%v)", j.Work))
	case j.Horizon > 0 && c.Interval > j.Horizon:
		return input.Bad("checkpoint.interval", c.Interval, fmt.Sprintf("want ≤ the run's horizon (%v)", j.Horizon))
	case c.Async && c.Interval > 0 && c.Interval < c.writeTime():
		return input.Bad("checkpoint.interval", c.Interval, fmt.Sprintf("want ≥ the background write time (%v) for an asynchronous checkpoint", c.writeTime()))
	}
	return nil
}

func (e Engineering) validate() error {
	if err := checkRange("engineering.port", e.Port); err != nil {
		return err
	}
	if err := checkRange("engineering.maturation", e.Maturation); err != nil {
		return err
	}
	s := e.InitialSlowdown
	if err := checkRange("engineering.initial_slowdown", s); err != nil {
		return err
	}
	if s.Max >= 1 || s.Typ >= 1 {
		return input.Bad("engineering.initial_slowdown", s.Typ, "want a fraction in [0, 1)")
	}
	return nil
}

// checkRange accepts min ≤ typ ≤ max, all finite and ≥ 0 (a range with
// min = max = 0 means "typ only").
func checkRange[T ~float64](field string, v hardware.Value[T]) error {
	lo, typ, hi := float64(v.Min), float64(v.Typ), float64(v.Max)
	if lo == 0 && hi == 0 {
		lo, hi = typ, typ
	}
	switch {
	case !finite(lo, typ, hi):
		return input.Bad(field, v.Typ, "want a finite number")
	case lo < 0 || typ < 0:
		return input.Bad(field, min(lo, typ), "want ≥ 0")
	case lo > typ || typ > hi:
		return input.Bad(field, fmt.Sprintf("[%g, %g, %g]", lo, typ, hi), "want min ≤ typ ≤ max")
	}
	return nil
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Events bounds the events one seed of Simulate fires, in two kinds:
// Interruptions (each fires its arrival and at most one end of an
// outage) and checkpoint Cycles (each fires the end of its compute, the
// end of its blocking part and, asynchronous, the end of its background
// write). A short checkpoint interval makes a seed of few interruptions
// millions of cycles.
type Events struct {
	Interruptions float64 `json:"interruptions"`
	Cycles        float64 `json:"cycles"`
	// PerCycle is the events one cycle fires: 2 blocking, 3 asynchronous.
	PerCycle float64 `json:"per_cycle"`
}

// Total is the events of one seed: 2 × Interruptions + PerCycle × Cycles.
func (e Events) Total() float64 { return 2*e.Interruptions + e.PerCycle*e.Cycles }

// CyclesDrive says the checkpoint cycles are most of the events.
func (e Events) CyclesDrive() bool { return e.PerCycle*e.Cycles > 2*e.Interruptions }

// EventBound bounds the events one seed of Simulate fires (a server
// multiplies it by the seeds to bound a request's work before it
// starts): at the typical values, as every seed runs them, or with
// ranges (Options.Ranges, each seed drawing its own) at their worst, the
// modes' highest rates and the shortest interval they give. Over the
// hours simulated, H (the horizon; else the simulation's cap of 50 × the
// failure-free time, or twice the closed-form wall time when that is
// less), the interruptions are chips × Σ rate × H and the cycles
// H ÷ (τ + δ_b), each taking at least its interval of compute and its
// blocking checkpoint, plus one restarted by each interruption, plus the
// first. Validate the job first: the bound of an invalid one is
// meaningless.
func EventBound(j Job, ranges bool) Events {
	rate := 0.0
	for _, m := range j.Modes {
		rate += float64(m.Rate.Typ)
		if ranges {
			rate += float64(max(m.Rate.Max-m.Rate.Typ, 0))
		}
	}
	typ, worst := j.resolve(picker{}), j.resolve(picker{})
	if ranges {
		worst = j.resolve(picker{corner: Max})
	}
	wall := float64(j.Horizon)
	if j.Horizon <= 0 {
		wall = max(typ.limitTime(DefaultLimit), worst.limitTime(DefaultLimit)).Seconds()
		if est := typ.closed(); !est.NoProgress && finite(float64(est.Wall)) && est.Wall > 0 {
			wall = min(wall, 2*float64(est.Wall))
		}
	}
	cycle := float64(min(typ.interval, worst.interval) + typ.block)
	out := Events{Interruptions: rate * float64(j.Chips) * wall / 3600, PerCycle: 2}
	if typ.write > 0 {
		out.PerCycle = 3
	}
	out.Cycles = wall/cycle + out.Interruptions + 1
	return out
}
