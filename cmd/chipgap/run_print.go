package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/goodput"
	"chipgap/uncertain"
	"chipgap/units"
)

// runOutput is one run (A) or a comparison (A against B).
type runOutput struct {
	A    side
	B    *side
	flag runFlags
}

func (o *runOutput) simulate(f runFlags) error {
	if err := o.A.simulate(f); err != nil || o.B == nil {
		return err
	}
	return o.B.simulate(f)
}

// simulate runs the seeds, the closed form over draws of the input
// ranges and the simulated interval check.
func (s *side) simulate(f runFlags) error {
	var err error
	opts := goodput.Options{Seeds: f.Seeds, Seed: f.Seed, Ranges: f.Ranges}
	if s.Result, err = goodput.Simulate(s.Job, opts); err != nil {
		return err
	}
	if s.Samples, err = goodput.ClosedSamples(s.Job, rangeSamples, f.Seed); err != nil {
		return err
	}
	sweep := goodput.Options{Seeds: min(f.Seeds, sweepSeeds), Seed: f.Seed}
	s.Sweep, err = goodput.Sweep(s.Job, []float64{0.5, 1, 2}, sweep)
	return err
}

// sweepLine says, from simulation, which of ½×, 1× and 2× the Daly
// interval did best: least wall time, or in a window most productive days.
func sweepLine(s side) string {
	if len(s.Sweep) == 0 {
		return ""
	}
	window := s.Job.Work == 0
	best := 0
	var parts []string
	for i, p := range s.Sweep {
		v := p.WallDays
		if window {
			v = p.ProductiveDays
		}
		parts = append(parts, fmt.Sprintf("%g× %s: %.2f", p.Factor, p.Interval, v))
		b := s.Sweep[best]
		if (!window && p.WallDays < b.WallDays) || (window && p.ProductiveDays > b.ProductiveDays) {
			best = i
		}
	}
	what := "mean wall days"
	if window {
		what = "mean productive days"
	}
	return fmt.Sprintf("interval check (simulated, %d seeds, %s): %s; best %g× Daly",
		min(s.Result.Seeds, sweepSeeds), what, strings.Join(parts, ", "), s.Sweep[best].Factor)
}

// sideJSON is one cluster's result in chipgap run --json. Day figures
// are P10/P50/P90 over seeds; closed_form is in seconds.
type sideJSON struct {
	Model      string     `json:"model"`
	Chip       string     `json:"chip"`
	Chips      int        `json:"chips"`
	Stack      string     `json:"stack"`
	Throughput throughput `json:"throughput"`
	Tokens     float64    `json:"tokens,omitempty"`
	WindowDays float64    `json:"window_days,omitempty"`
	Seeds      int        `json:"seeds"`
	Seed       uint64     `json:"seed"`
	Ranges     bool       `json:"ranges"`
	Finished   int        `json:"finished"`
	// Days: total (port + wall) and its parts.
	Days map[string]goodput.Summary `json:"days"`
	// Interruptions over the run (or window), with the closed-form
	// expectation, and by component with the record's count (cuda).
	Interruptions countJSON     `json:"interruptions"`
	ByComponent   []componentJS `json:"by_component"`
	// Effective is productive ÷ wall time (effective training time).
	Effective  goodput.Summary  `json:"effective_training"`
	Checkpoint checkpointJSON   `json:"checkpoint"`
	MTBIHours  float64          `json:"mtbi_hours"`
	Closed     goodput.Estimate `json:"closed_form"`
	// Sweep is the simulated check of the interval: ½×, 1× and 2× Daly.
	Sweep []goodput.SweepPoint `json:"interval_sweep"`
	// InputRange propagates the input ranges through the closed form.
	InputRange rangeJSON       `json:"input_range"`
	Job        goodput.Job     `json:"inputs"`
	SpareWaits goodput.Summary `json:"spare_waits"`
	Notes      []string        `json:"notes,omitempty"`
}

type countJSON struct {
	goodput.Summary
	Expected float64 `json:"expected"`
}

type componentJS struct {
	Component string  `json:"component"`
	RatePerDH float64 `json:"rate_per_device_hour"`
	countJSON
	Share  float64 `json:"share_p50"`
	Record float64 `json:"record_count,omitempty"`
}

type checkpointJSON struct {
	Bytes    units.Bytes   `json:"bytes"`
	Async    bool          `json:"async"`
	Block    units.Seconds `json:"block"`
	Write    units.Seconds `json:"write"`
	Interval units.Seconds `json:"interval"`
	Young    units.Seconds `json:"young_interval"`
	Daly     units.Seconds `json:"daly_interval"`
	Best     string        `json:"best"`
}

func (s side) json(f runFlags) sideJSON {
	r := s.Result
	c := r.Closed
	j := sideJSON{Model: s.Model.ID, Chip: s.Chip.ID, Chips: s.Cluster.Chips, Stack: s.Stack, Throughput: s.Throughput,
		Tokens: f.Tokens, WindowDays: units.Seconds(f.Days).Days(), Seeds: r.Seeds, Seed: r.Seed, Ranges: r.Ranges, Finished: r.Finished,
		Days: map[string]goodput.Summary{"total": r.Total, "wall": r.Wall, "productive": r.Productive,
			"maturation_slowdown": r.Slowdown, "lost_work": r.Lost, "restarts": r.Restart,
			"checkpointing": r.Checkpointing, "porting": r.Port, "engineering": r.Engineering},
		Interruptions: countJSON{r.Interruptions, c.Interruptions}, Effective: r.Effective,
		Checkpoint: checkpointJSON{Bytes: s.Job.Checkpoint.Bytes, Async: s.Job.Checkpoint.Async, Block: c.Block,
			Write: c.Write, Interval: c.Interval, Young: c.Young, Daly: c.Daly,
			Best: "Daly (2006) for the blocking cost and the unplanned MTBI, at least the background write"},
		MTBIHours: c.MTBI.Hours(), Closed: c, Job: s.Job, SpareWaits: r.SpareWaits, Sweep: s.Sweep,
		InputRange: s.ranges()}
	for i, m := range s.Job.Modes {
		cj := componentJS{Component: m.Component, RatePerDH: float64(m.Rate.Typ),
			countJSON: countJSON{r.ByMode[i], c.ByMode[i]}}
		if r.Interruptions.P50 > 0 {
			cj.Share = r.ByMode[i].P50 / r.Interruptions.P50
		}
		if i < len(s.Counts) {
			cj.Record = s.Counts[i]
		}
		j.ByComponent = append(j.ByComponent, cj)
	}
	if s.Job.Work == 0 {
		j.Notes = append(j.Notes, "window mode: porting and maturation are behind a run already under way and are left out")
	}
	return j
}

// gapJSON splits B − A (paired by seed) into its causes, in days.
type gapJSON struct {
	Total       goodput.Summary `json:"total"`
	Throughput  goodput.Summary `json:"throughput"`
	Downtime    goodput.Summary `json:"downtime"`
	Engineering goodput.Summary `json:"engineering"`
	Ratio       goodput.Summary `json:"ratio"`
	// InputRange is the closed-form gap over paired draws of both
	// clusters' input ranges.
	InputRange gapRangeJSON `json:"input_range"`
}

func (o runOutput) gap() gapJSON {
	a, b := o.A.Result.Outcomes, o.B.Result.Outcomes
	col := func(get func(goodput.Outcome) float64) goodput.Summary {
		xs := make([]float64, len(a))
		for i := range a {
			xs[i] = get(b[i]) - get(a[i])
		}
		return uncertain.Summarize(xs)
	}
	days := func(s units.Seconds) float64 { return s.Days() }
	ratios := make([]float64, len(a))
	for i := range a {
		ratios[i] = float64((b[i].Port + b[i].Wall) / (a[i].Port + a[i].Wall))
	}
	return gapJSON{
		Total:       col(func(x goodput.Outcome) float64 { return days(x.Port + x.Wall) }),
		Throughput:  col(func(x goodput.Outcome) float64 { return days(x.Productive) }),
		Downtime:    col(func(x goodput.Outcome) float64 { return days(x.Lost + x.Restart + x.Checkpointing) }),
		Engineering: col(func(x goodput.Outcome) float64 { return days(x.Port + x.Slowdown) }),
		Ratio:       uncertain.Summarize(ratios),
		InputRange:  o.gapRanges(),
	}
}

func (o runOutput) json() any {
	f := o.flag
	a := o.A.json(f)
	if o.B == nil {
		return a
	}
	return map[string]any{"a": a, "b": o.B.json(f), "gap_days": o.gap(),
		"gap_note": "b − a per seed (same seed numbers), days; throughput = steady-state compute, downtime = lost work + restarts + checkpointing, engineering = porting + maturation slowdown"}
}

func p3(s goodput.Summary) string {
	return fmt.Sprintf("%.1f\t%.1f\t%.1f", s.P10, s.P50, s.P90)
}

func printRun(w io.Writer, o runOutput) error {
	printSide(w, o.A)
	if o.B == nil {
		return nil
	}
	fmt.Fprintln(w)
	printSide(w, *o.B)
	g := o.gap()
	fmt.Fprintf(w, "\nGap %s → %s, days (b − a per seed)\tP10\tP50\tP90\n", o.A.Chip.ID, o.B.Chip.ID)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "total\t%s\t\n", p3(g.Total))
	fmt.Fprintf(tw, "from throughput (steady-state compute)\t%s\t\n", p3(g.Throughput))
	fmt.Fprintf(tw, "from downtime (lost work, restarts, checkpoints)\t%s\t\n", p3(g.Downtime))
	fmt.Fprintf(tw, "from engineering (porting, maturation)\t%s\t\n", p3(g.Engineering))
	fmt.Fprintf(tw, "ratio b/a\t%.2f\t%.2f\t%.2f\t\n", g.Ratio.P10, g.Ratio.P50, g.Ratio.P90)
	if err := tw.Flush(); err != nil {
		return err
	}
	return printGapRanges(w, g.InputRange)
}

func printSide(w io.Writer, s side) {
	r, c := s.Result, s.Result.Closed
	what := fmt.Sprintf("%.3g tokens", float64(s.Job.Work)*s.Throughput.TokensPerSec)
	if s.Job.Work == 0 {
		what = fmt.Sprintf("a %.4g-day window", s.Job.Horizon.Days())
	}
	fmt.Fprintf(w, "%s on %d × %s (stack %s), %s, %d seeds from seed %d (ranges %v)\n",
		s.Model.ID, s.Cluster.Chips, s.Chip.ID, s.Stack, what, r.Seeds, r.Seed, r.Ranges)
	t := s.Throughput
	fmt.Fprintf(w, "throughput: %.4g tokens/s (%.4g per chip, MFU %.1f %%) from %s", t.TokensPerSec, t.PerChip, 100*t.MFU, t.Source)
	if t.Plan != "" {
		fmt.Fprintf(w, "; plan %s", t.Plan)
	}
	ck := s.Job.Checkpoint
	mode := map[bool]string{true: "async", false: "blocking"}[ck.Async]
	fmt.Fprintf(w, "\nspares: %d servers, swap %s, repair %s", s.Job.Spares.Nodes, s.Job.Spares.Swap, s.Job.Spares.Repair)
	fmt.Fprintf(w, "\ncheckpoint: %s %s, blocks %.1f s, writes %.1f s; interval %s (Daly %s, Young %s); job MTBI %.2f h\n",
		ck.Bytes, mode, float64(c.Block), float64(c.Write), c.Interval, c.Daly, c.Young, c.MTBI.Hours())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "days\tP10\tP50\tP90\tclosed form\t")
	rows := []struct {
		name string
		s    goodput.Summary
		cf   units.Seconds
	}{{"total (porting + wall)", r.Total, c.Port + c.Wall}, {"wall clock", r.Wall, c.Wall},
		{"  productive compute", r.Productive, c.Productive}, {"  maturation slowdown", r.Slowdown, c.Slowdown},
		{"  lost work", r.Lost, c.Lost}, {"  restarts and swaps", r.Restart, c.Restart},
		{"  checkpointing", r.Checkpointing, c.Checkpointing}, {"porting (before the run)", r.Port, c.Port},
		{"engineering (porting + slowdown)", r.Engineering, c.Port + c.Slowdown}}
	// A run to completion the closed form sees make no progress has no
	// closed-form days: "never" for its length, "–" for the parts.
	never := c.NoProgress && s.Job.Horizon <= 0
	cf := func(v float64, i int) string {
		switch {
		case never && i < 2:
			return "never"
		case never:
			return "–"
		}
		return fmt.Sprintf("%.1f", v)
	}
	for i, x := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", x.name, p3(x.s), cf(x.cf.Days(), i))
	}
	fmt.Fprintf(tw, "interruptions\t%.0f\t%.0f\t%.0f\t%s\t\n", r.Interruptions.P10, r.Interruptions.P50, r.Interruptions.P90, cf(c.Interruptions, 2))
	for i, m := range s.Job.Modes {
		fmt.Fprintf(tw, "  %s\t%.0f\t%.0f\t%.0f\t%s\t\n", m.Component, r.ByMode[i].P10, r.ByMode[i].P50, r.ByMode[i].P90, cf(c.ByMode[i], 2))
	}
	fmt.Fprintf(tw, "swaps that waited for a spare\t%.0f\t%.0f\t%.0f\t\t\n", r.SpareWaits.P10, r.SpareWaits.P50, r.SpareWaits.P90)
	fmt.Fprintf(tw, "effective training time %%\t%.1f\t%.1f\t%.1f\t%.1f\t\n", 100*r.Effective.P10, 100*r.Effective.P50, 100*r.Effective.P90, 100*c.Effective)
	tw.Flush()
	fmt.Fprintln(w, s.rangeLine())
	if line := sweepLine(s); line != "" {
		fmt.Fprintln(w, line)
	}
	if c.InRepair > float64(s.Job.Spares.Nodes) {
		fmt.Fprintf(w, "warning: %.1f nodes are away for repair on average, more than the %d spares: swaps wait\n", c.InRepair, s.Job.Spares.Nodes)
	}
	if c.NoProgress {
		fmt.Fprintln(w, "closed form: no progress (expected downtime per hour of running ≥ 1 hour: interruptions outpace checkpointed work)")
	}
	if r.Finished < r.Seeds {
		fmt.Fprintf(w, "warning: %d of %d seeds did not finish (no progress: interruptions faster than recovery)\n", r.Seeds-r.Finished, r.Seeds)
	}
	if s.Job.Work == 0 {
		fmt.Fprintln(w, "window mode: porting and maturation are behind a run already under way and are left out")
	}
}

// sweepSeeds bounds the seeds of the interval check (three extra runs).
const sweepSeeds = 30
