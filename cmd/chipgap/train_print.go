package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"chipgap/training"
	"chipgap/units"
)

// trainHeader is what every train output names: model, system, stack.
type trainHeader struct {
	Model     string  `json:"model"`
	Chip      string  `json:"chip"`
	Chips     int     `json:"chips"`
	PerNode   int     `json:"chips_per_node"`
	Stack     string  `json:"software_stack"`
	StackNote string  `json:"stack_note"`
	Seq       int     `json:"seq"`
	Batch     int     `json:"global_batch"`
	Precision string  `json:"precision"`
	Tokens    float64 `json:"tokens,omitempty"`
}

func (s trainSetup) header() trainHeader {
	return trainHeader{Model: s.ModelID, Chip: s.Cluster.ChipID, Chips: s.Cluster.Chips, PerNode: s.Cluster.ChipsPerNode,
		Stack: s.Profile.ID, StackNote: s.StackNote, Seq: s.Job.Seq, Batch: s.Job.GlobalBatch, Precision: string(s.Job.Precision), Tokens: s.Job.Tokens}
}

func trainOne(e *env, f *trainFlags, s trainSetup) error {
	pl := s.plan()
	r, err := training.Estimate(s.Model, pl, s.Cluster, s.Profile, s.Job)
	if nf := (*training.NotFitError)(nil); err != nil && asNotFit(err, &nf) {
		if f.asJSON {
			_ = writeJSON(e.stdout, struct {
				trainHeader
				Fits      bool            `json:"fits"`
				Plan      string          `json:"plan"`
				Memory    training.Memory `json:"memory"`
				Shortfall units.Bytes     `json:"shortfall"`
			}{s.header(), false, pl.String(), nf.Memory, nf.Shortfall})
		}
		return err
	}
	if err != nil {
		return fieldErr(err)
	}
	if f.asJSON {
		return writeJSON(e.stdout, struct {
			trainHeader
			Fits bool `json:"fits"`
			training.Result
		}{s.header(), true, r})
	}
	printHeader(e.stdout, s)
	printResult(e.stdout, r)
	return nil
}

func asNotFit(err error, nf **training.NotFitError) bool {
	e, ok := err.(*training.NotFitError)
	*nf = e
	return ok
}

func trainSearch(e *env, f *trainFlags, s trainSetup) error {
	start := time.Now()
	sr, err := training.Search(s.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Space: s.Space, Top: f.top, Progress: progressBar(e)})
	elapsed := time.Since(start).Seconds()
	if fe := fieldErr(err); err != nil && (fe != err || sr.Evaluated == 0 && sr.Invalid == 0) {
		return fe // bad input: one line naming the flag
	}
	if f.asJSON {
		if jerr := writeJSON(e.stdout, struct {
			trainHeader
			training.SearchResult
			Seconds float64 `json:"seconds"`
		}{s.header(), sr, elapsed}); jerr != nil {
			return jerr
		}
		return err
	}
	printHeader(e.stdout, s)
	fmt.Fprintf(e.stdout, "Searched %d plans in %.2f s (%.0f plans/s): %d out of memory, %d slower than these; %d combinations invalid.\n\n",
		sr.Evaluated, elapsed, float64(sr.Evaluated)/max(elapsed, 1e-9), sr.OutOfMemory, sr.Slower, sr.Invalid)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tplan\tstep\ttokens/s/chip\tMFU\tHFU\tmemory/device\tcompute\texposed comm\tbubble")
	for i, r := range sr.Top {
		b := r.Breakdown
		comm := b.TP + b.PP + b.DP + b.EP + b.CP
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f\t%.1f%%\t%.1f%%\t%s\t%.0f%%\t%.0f%%\t%.0f%%\n", i+1, r.PlanText, r.StepTime, r.TokensPerSecPerChip,
			100*r.MFU, 100*r.HFU, r.Memory.Total, share(b.Compute+b.Experts, r.StepTime), share(comm, r.StepTime), share(b.Bubble, r.StepTime))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if b := sr.Best(); b.PlanText != sr.Top[0].PlanText {
		fmt.Fprintf(e.stdout, "\nBest plan within the stack's published practice (%s): %s, %.1f tokens/s per chip (%.1f%% below the best above, which %s)\n",
			s.Profile.ID, b.PlanText, b.TokensPerSecPerChip, 100*(1-b.TokensPerSecPerChip/sr.Top[0].TokensPerSecPerChip), practiceGap(s.Profile, sr.Top[0], s.Job.Seq))
	}
	fmt.Fprintln(e.stdout, "\nBest plan in detail:")
	printResult(e.stdout, sr.Top[0])
	return nil
}

// practiceGap says why a plan is outside the stack's published practice.
func practiceGap(p training.Profile, r training.Result, seq int) string {
	return fmt.Sprintf("splits a %d-token sequence %d ways, below the %g tokens per context-parallel rank teams run", seq, r.Plan.CP, p.CPMinTokens.Value)
}

func share(a, b units.Seconds) float64 { return 100 * float64(a) / float64(b) }

func printHeader(w io.Writer, s trainSetup) {
	fmt.Fprintf(w, "%s on %d × %s (%d per node), seq %d, global batch %d, %s\n", s.ModelID, s.Cluster.Chips, s.Cluster.ChipID,
		s.Cluster.ChipsPerNode, s.Job.Seq, s.Job.GlobalBatch, s.Job.Precision)
	fmt.Fprintf(w, "Software: %s\n\n", s.StackNote)
}

func printResult(w io.Writer, r training.Result) {
	b := r.Breakdown
	fmt.Fprintf(w, "Plan: %s (%d micro-batches)\n", r.PlanText, r.MicroBatches)
	if r.Plan.RecomputeLayers != nil {
		fmt.Fprintf(w, "Recompute (%s) of %d of the %d layers (per stage as stated)\n", r.Plan.Recompute, r.RecomputedLayers, r.StageLayers)
	} else if r.StageLayers > 0 && r.RecomputedLayers < r.StageLayers {
		fmt.Fprintf(w, "Full recompute of %d of the %d layers per stage (as many as memory requires)\n", r.RecomputedLayers, r.StageLayers)
	}
	fmt.Fprintf(w, "Step: %s   tokens/s per chip: %.1f   MFU %.1f%%   HFU %.1f%%\n", r.StepTime, r.TokensPerSecPerChip, 100*r.MFU, 100*r.HFU)
	if r.ExpertLoad > 0 {
		fmt.Fprintf(w, "MoE: the hottest expert rank carries %.2f× the mean routed tokens", r.ExpertLoad)
		if r.HottestDropped > 0 {
			fmt.Fprintf(w, " (capacity factor; it drops %.0f%% of its tokens)", 100*r.HottestDropped)
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step part\ttime\tshare\t")
	parts := []struct {
		n string
		v units.Seconds
	}{{"compute", b.Compute}, {"TP comm (exposed)", b.TP}, {"PP send/recv", b.PP}, {"DP/ZeRO comm (exposed)", b.DP},
		{"EP all-to-all (exposed)", b.EP}, {"CP exchange (exposed)", b.CP}, {"pipeline bubble", b.Bubble}, {"optimizer", b.Optimizer}, {"other", b.Other}}
	if b.Experts > 0 || b.MoEHost > 0 { // MoE: where the expert layers' time goes
		parts = append(parts[:1], append([]struct {
			n string
			v units.Seconds
		}{{"expert GEMMs (hottest rank)", b.Experts}, {"MoE host overhead (exposed)", b.MoEHost}}, parts[1:]...)...)
	}
	for _, p := range parts {
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t\n", p.n, p.v, share(p.v, r.StepTime))
	}
	_ = tw.Flush()
	m := r.Memory
	fmt.Fprintf(w, "Memory per device: weights %s, grads %s, optimizer %s, activations %s, overhead %s = %s of %s\n",
		m.Weights, m.Grads, m.Optimizer, m.Activations, m.Overhead, m.Total, m.Capacity)
	if r.Days > 0 {
		fmt.Fprintf(w, "Token budget: %.1f days, %.3g chip-hours in steady state (failures not included)\n", r.Days, r.ChipHours)
	}
}
