package calc

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/units"
)

// WriteText prints the run as `chipgap run` does: each cluster, then for
// a comparison the gap between them.
func (o RunResult) WriteText(w io.Writer) error {
	if err := o.A.writeText(w); err != nil || o.B == nil {
		return err
	}
	fmt.Fprintln(w)
	if err := o.B.writeText(w); err != nil {
		return err
	}
	g := o.Gap()
	fmt.Fprintf(w, "\nGap %s → %s (b − a per seed):\n", o.A.Cluster.ChipID, o.B.Cluster.ChipID)
	// The column header is the table's first row, so the tabwriter
	// aligns it (it was a line of literal tabs above the table).
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "days\tP10\tP50\tP90\t")
	fmt.Fprintf(tw, "total\t%s\t\n", p3(g.Total))
	fmt.Fprintf(tw, "from throughput (steady-state compute)\t%s\t\n", p3(g.Throughput))
	fmt.Fprintf(tw, "from downtime (lost work, restarts, checkpoints)\t%s\t\n", p3(g.Downtime))
	fmt.Fprintf(tw, "from engineering (porting, maturation)\t%s\t\n", p3(g.Engineering))
	fmt.Fprintf(tw, "ratio b/a\t%.2f\t%.2f\t%.2f\t\n", g.Ratio.P10, g.Ratio.P50, g.Ratio.P90)
	if err := tw.Flush(); err != nil {
		return err
	}
	return g.InputRange.writeText(w)
}

func p3(s goodput.Summary) string {
	return fmt.Sprintf("%.1f\t%.1f\t%.1f", s.P10, s.P50, s.P90)
}

func (s RunSide) writeText(w io.Writer) error {
	r, c := s.Result, s.Result.Closed
	s.writeHeader(w)
	t := s.Throughput
	fmt.Fprintf(w, "throughput: %.4g tokens/s (%.4g per chip, MFU %.1f %%) from %s", t.TokensPerSec, t.PerChip, 100*t.MFU, t.Source)
	if t.Plan != "" {
		fmt.Fprintf(w, "; plan %s", t.Plan)
	}
	if t.Scored != nil {
		fmt.Fprintf(w, "\nscored on published runs: %s", t.Scored.Summary())
		if b := measuredBand(t.Scored, t.PerChip); b != nil {
			fmt.Fprintf(w, "\n%s", b.text("tokens/s per chip"))
			if p := c.Productive.Days(); s.Job.Work > 0 && p > 0 {
				// Productive compute scales inversely with the rate.
				fmt.Fprintf(w, "; productive compute at those rates %.3g–%.3g days (%.3g modelled)", p*t.PerChip/b.High, p*t.PerChip/b.Low, p)
			}
		}
	}
	ck := s.Job.Checkpoint
	mode := map[bool]string{true: "async", false: "blocking"}[ck.Async]
	fmt.Fprintf(w, "\nspares: %d servers, swap %s, repair %s", s.Job.Spares.Nodes, s.Job.Spares.Swap, s.Job.Spares.Repair)
	fmt.Fprintf(w, "\ncheckpoint: %s %s, blocks %.1f s, writes %.1f s; interval %s (Daly %s, Young %s, from the unplanned MTBI %.2f h); job MTBI %.2f h (planned interruptions included)\n",
		ck.Bytes, mode, float64(c.Block), float64(c.Write), c.Interval, c.Daly, c.Young, c.UnplannedMTBI.Hours(), c.MTBI.Hours())
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
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, s.rangeLine())
	if line := s.sweepLine(); line != "" {
		fmt.Fprintln(w, line)
	}
	s.writeNotes(w)
	return nil
}

func (s RunSide) rangeLine() string {
	r := s.Ranges()
	line := fmt.Sprintf("input ranges (closed form over %d draws of %s): total P10 %s, P50 %s, P90 %s days",
		r.Draws, r.Drawn, r.TotalDays.P10.text("%.1f"), r.TotalDays.P50.text("%.1f"), r.TotalDays.P90.text("%.1f"))
	cf := totalDays(s.Result.Closed)
	if n := r.Apart.Note(fmt.Sprintf("%s, %.1f days,", typicalClosedForm, cf), "that P10–P90"); n != "" {
		line += " (" + n + ")"
	}
	if t := r.TokensPerSec; t != nil {
		line += fmt.Sprintf("; throughput P10 %s, P50 %s, P90 %s tokens/s (", t.P10.text("%.4g"), t.P50.text("%.4g"), t.P90.text("%.4g"))
		typ := s.Throughput.TokensPerSec
		if n := r.RateApart.Note(fmt.Sprintf("%s, %.4g,", typicalRate, typ), "that P10–P90"); n != "" {
			line += n + ")"
		} else {
			line += fmt.Sprintf("typical %.4g)", typ)
		}
	}
	line += fmt.Sprintf("; effective training P50 %s %%", (r.Effective.P50 * 100).text("%.1f"))
	if r.NoProgress > 0 {
		line += fmt.Sprintf("; no progress in %.1f %% of draws", 100*r.NoProgress)
	}
	return line
}

// writeNotes says, below the table, what the closed form leaves out (a
// wait for a spare) and where the simulation stopped short.
func (s RunSide) writeNotes(w io.Writer) {
	r, c := s.Result, s.Result.Closed
	switch {
	case c.InRepair > float64(s.Job.Spares.Nodes):
		fmt.Fprintf(w, "warning: %.1f nodes are away for repair on average, more than the %d spares: swaps wait (the closed form, which takes a spare as always ready, does not see it)\n", c.InRepair, s.Job.Spares.Nodes)
	case r.SpareWaits.P90 > 0:
		// Fewer nodes away than spares on average, but not always.
		fmt.Fprintf(w, "closed form: takes a spare as always ready (%.1f nodes away for repair on average, %d spares); the simulation's swaps that waited for one (P10–P90 %.0f–%.0f) are in its restarts and swaps, not the closed form's\n",
			c.InRepair, s.Job.Spares.Nodes, r.SpareWaits.P10, r.SpareWaits.P90)
	}
	if c.NoProgress {
		fmt.Fprintf(w, "closed form: no progress (the expected wall time is past %d × the failure-free time, where the simulation stops a run unfinished: interruptions outpace checkpointed work)\n", goodput.DefaultLimit)
	}
	if r.Finished < r.Seeds {
		fmt.Fprintf(w, "warning: %d of %d seeds did not finish (stopped at %d × the failure-free time: interruptions outpace recovery)\n", r.Seeds-r.Finished, r.Seeds, goodput.DefaultLimit)
	}
	if s.Job.Work == 0 {
		fmt.Fprintln(w, windowNote)
	}
}

// sweepLine says, from simulation, which of ½×, 1× and 2× the Daly
// interval did best: least wall time, or in a window most productive days.
func (s RunSide) sweepLine() string {
	if len(s.Sweep) == 0 {
		return ""
	}
	window := s.Job.Work == 0
	best := 0
	var parts []string
	for i, p := range s.Sweep {
		v := p.Wall
		if window {
			v = p.Productive
		}
		parts = append(parts, fmt.Sprintf("%g× %s: %.2f", p.Factor, p.Interval, v))
		b := s.Sweep[best]
		if (!window && p.Wall < b.Wall) || (window && p.Productive > b.Productive) {
			best = i
		}
	}
	what := "mean wall days"
	if window {
		what = "mean productive days"
	}
	verdict := fmt.Sprintf("best %g× Daly", s.Sweep[best].Factor)
	if !window && !slices.ContainsFunc(s.Sweep, func(p goodput.SweepPoint) bool { return p.Finished > 0 }) {
		// Every wall is the simulation's cap: no interval is better.
		verdict = "no interval finishes a run (interruptions outpace recovery)"
	}
	return fmt.Sprintf("interval check (simulated, %d seeds, %s): %s; %s",
		min(s.Result.Seeds, sweepSeeds), what, strings.Join(parts, ", "), verdict)
}

func (g RunGapRanges) writeText(w io.Writer) error {
	fmt.Fprintf(w, "input ranges, closed form over %d paired draws of both clusters' inputs:\n", g.Draws)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "days\tP10\tP50\tP90\t")
	rows := []struct {
		name string
		s    Spread
	}{{"total", g.Total}, {"from throughput", g.Throughput}, {"from downtime", g.Downtime}, {"from engineering", g.Engineering}}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", r.name, r.s.P10.text("%.1f"), r.s.P50.text("%.1f"), r.s.P90.text("%.1f"))
	}
	fmt.Fprintf(tw, "ratio b/a\t%s\t%s\t%s\t\n", g.Ratio.P10.text("%.2f"), g.Ratio.P50.text("%.2f"), g.Ratio.P90.text("%.2f"))
	return tw.Flush()
}

// writeHeader prints the run's first lines: the cluster, its node, the
// budget and the seeds, then the training job.
func (s RunSide) writeHeader(w io.Writer) {
	r := s.Result
	what := fmt.Sprintf("%.3g tokens", float64(s.Job.Work)*s.Throughput.TokensPerSec)
	if s.Job.Work == 0 {
		what = fmt.Sprintf("a %.4g-day window", s.Job.Horizon.Days())
	}
	fmt.Fprintf(w, "%s on %d × %s (%s; stack %s), %s, %d seeds from seed %d (ranges %v)\n",
		s.Model.ID, s.Cluster.Chips, s.Cluster.ChipID, nodeText(s.Cluster), s.Cluster.Stack, what, r.Seeds, r.Seed, r.Ranges)
	if s.job != "" {
		fmt.Fprintf(w, "training job: %s\n", s.job)
	}
}

// nodeText says how the cluster's chips are grouped: chips per node, the
// scale-up domain (a 384-chip 910C node is a CloudMatrix 384 supernode,
// one Unified Bus domain), and how many nodes.
func nodeText(cl hardware.Cluster) string {
	return fmt.Sprintf("%d per node, the scale-up domain, × %d nodes", cl.ChipsPerNode, cl.Nodes())
}
