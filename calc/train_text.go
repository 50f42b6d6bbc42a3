package calc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
	"chipgap/units"
)

// WriteText prints the estimate as `chipgap train` does.
func (e TrainEstimate) WriteText(w io.Writer) error {
	e.Header.writeText(w)
	if e.Searched > 0 {
		fmt.Fprintf(w, "The run's plan as validate predicts it: the fastest of the %d plans within what the run states, within the stack's published practice where one of them is\n", e.Searched)
	}
	if err := writeTrainResult(w, e.Result); err != nil {
		return err
	}
	writeUnstated(w, e.Unstated)
	e.Span.writeText(w)
	writeBand(w, "", e.Band, "tokens/s per chip")
	e.Measured.writeText(w)
	writeLevers(w, e.Levers)
	return nil
}

// writeBand prints b's line after indent, where there is a band.
func writeBand(w io.Writer, indent string, b *MeasuredBand, unit string) {
	if b != nil {
		fmt.Fprintln(w, indent+b.text(unit))
	}
}

// writeLevers prints the MoE settings that would speed the plan up.
func writeLevers(w io.Writer, ls []MoELever) {
	if len(ls) == 0 {
		return
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("--%s %.1f tokens/s per chip (%+.0f %%)", strings.ReplaceAll(strings.TrimSuffix(strings.Replace(l.Setting, "=", " ", 1), " true"), "_", "-"), l.TokensPerSecPerChip, 100*l.Gain)
	}
	fmt.Fprintf(w, "MoE settings this plan leaves at the stack's default, if the run uses them: %s\n", strings.Join(parts, "; "))
}

// WriteText prints the ranked plans and the best in detail; elapsed is
// the search's wall time (for its plans/s line). A search with no plan
// that fits prints its counts only (train refuses it instead, exit 1).
func (s TrainSearch) WriteText(w io.Writer, elapsed float64) error {
	sr := s.SearchResult
	s.Header.writeText(w)
	fmt.Fprintf(w, "Searched %d plans in %.2f s (%.0f plans/s): %d out of memory, %d slower than these; %d combinations invalid.\n\n",
		sr.Evaluated, elapsed, float64(sr.Evaluated)/max(elapsed, 1e-9), sr.OutOfMemory, sr.Slower, sr.Invalid)
	if len(sr.Top) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
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
		fmt.Fprintf(w, "\nBest plan within the stack's published practice (%s): %s, %.1f tokens/s per chip (%.1f%% below the best above, which %s)\n",
			s.Profile.ID, b.PlanText, b.TokensPerSecPerChip, 100*(1-b.TokensPerSecPerChip/sr.Top[0].TokensPerSecPerChip), s.Profile.PracticeGap(sr.Top[0].Plan, s.Practice))
	}
	fmt.Fprintln(w, "\nBest plan in detail:")
	if err := writeTrainResult(w, sr.Top[0]); err != nil {
		return err
	}
	if s.Best != nil {
		s.Best.Span.writeText(w)
	}
	writeBand(w, "", s.Band(), "tokens/s per chip")
	if s.Best != nil {
		writeLevers(w, s.Best.Levers)
	}
	return nil
}

// writeMemorySavings says which of the stack's memory savings the plan
// took: a plan takes them only where it does not fit without them.
func writeMemorySavings(w io.Writer, pl parallel.Plan) {
	var what []string
	if pl.HalfParams {
		what = append(what, "parameters (and their gradients) in 16 bits")
	}
	if pl.HalfMoments {
		what = append(what, "Adam's two moments in 16 bits")
	}
	if len(what) > 0 {
		fmt.Fprintf(w, "Memory savings: %s; the plan does not fit without\n", strings.Join(what, ", "))
	}
}

func share(a, b units.Seconds) float64 { return 100 * float64(a) / float64(b) }

func (h TrainHeader) writeText(w io.Writer) {
	fmt.Fprintf(w, "%s on %d × %s (%d per node), seq %d%s, global batch %d%s, %s\n", h.Model, h.Chips, h.Chip, h.PerNode,
		h.Seq, defaultMark(!h.SeqDefault), h.Batch, defaultMark(!h.BatchDefault), h.Precision)
	if d := h.DevicesPerChip; d > 1 {
		each := fmt.Sprintf("%d dies each", d)
		if h.DevicesStated {
			each = fmt.Sprintf("%d devices each, as stated", d)
		}
		fmt.Fprintf(w, "%d chips = %d devices (%s): plan degrees and memory are per device; tokens/s per chip\n", h.Chips, h.Chips*d, each)
	}
	fmt.Fprintf(w, "Software: %s\n", h.StackNote)
	scored := catalog.Unscored("training")
	if h.Scored != nil {
		scored = h.Scored.Summary()
	}
	fmt.Fprintf(w, "Scored on published runs: %s\n", scored)
	fmt.Fprintln(w)
}

// writeUnevenBatch says where dp does not divide the global batch: the
// step is timed at the busiest rank's local batch, rounded up, while
// tokens/s counts the batch run (training.Result.IdleSequences), and
// Megatron-LM would refuse the batch: the multiples of micro-batch × dp
// either side of it are what it takes.
func writeUnevenBatch(w io.Writer, r training.Result) {
	if r.IdleSequences <= 0 {
		return
	}
	dp, mb := r.Plan.DP, r.Plan.Microbatch
	local := r.MicroBatches * mb
	batch, unit := local*dp-r.IdleSequences, mb*dp
	even := fmt.Sprintf("%d or %d", batch/unit*unit, (batch/unit+1)*unit)
	if batch < unit {
		even = fmt.Sprint(unit)
	}
	fmt.Fprintf(w, "Local batch rounded up: dp=%d does not divide the global batch %d, so the step is timed at the busiest rank's %d sequences (%s a step idle) and tokens/s counts the %d sequences run; Megatron-LM refuses such a batch: a multiple of mb × dp = %d (%s) runs evenly\n",
		dp, batch, local, counted(r.IdleSequences, "rank-slot", "rank-slots"), batch, unit, even)
}

func writeTrainResult(w io.Writer, r training.Result) error {
	b := r.Breakdown
	fmt.Fprintf(w, "Plan: %s (%s)\n", r.PlanText, counted(r.MicroBatches, "micro-batch", "micro-batches"))
	writeUnevenBatch(w, r)
	if r.Plan.RecomputeLayers != nil {
		fmt.Fprintf(w, "Recompute (%s) of %d of the %d layers (per stage as stated)\n", r.Plan.Recompute, r.RecomputedLayers, r.StageLayers)
	} else if r.SelectivePolicy != "" && r.Plan.Recompute == parallel.RecomputeMoE {
		fmt.Fprintf(w, "MoE-block recompute runs again: %s\n", r.SelectivePolicy)
	} else if r.SelectivePolicy != "" {
		fmt.Fprintf(w, "Selective recompute runs again: %s\n", r.SelectivePolicy)
	} else if r.StageLayers > 0 && r.RecomputedLayers < r.StageLayers {
		fmt.Fprintf(w, "Full recompute of %d of the %d layers per stage (as many as memory requires)\n", r.RecomputedLayers, r.StageLayers)
	}
	writeMemorySavings(w, r.Plan)
	if r.PipelineLayout != "" {
		fmt.Fprintf(w, "Pipeline layout: vpp %d does not divide a stage's layers, which Megatron-LM refuses unless the split is stated: --pipeline-model-parallel-layout %q (stage 0's layers by virtual stage: %s)\n",
			r.Plan.VPP, r.PipelineLayout, strings.Trim(strings.Join(strings.Fields(fmt.Sprint(r.VirtualStageLayers[0])), ","), "[]"))
	}
	fmt.Fprintf(w, "Step: %s   tokens/s per chip: %.1f   MFU %.1f%%   HFU %.1f%%\n", r.StepTime, r.TokensPerSecPerChip, 100*r.MFU, 100*r.HFU)
	if r.FP8WeightGather {
		fmt.Fprintln(w, "Data-parallel weight gathers move the FP8 weights, 1 byte each (the framework's FP8 recipes keep them)")
	}
	switch r.FP8Recipe {
	case training.FP8Blockwise:
		fmt.Fprintln(w, "FP8 recipe blockwise: 1x128 and 128x128 scales, the GEMMs at the stack's measured block-wise rate; weights kept and gathered in 16 bits")
	case training.FP8MX:
		fmt.Fprintln(w, "FP8 recipe mxfp8: 1x32 scales on Blackwell's microscaling tensor cores, the GEMMs at the FP8 rate; weights kept and gathered in 16 bits")
	case training.FP8Tensorwise, training.FP8Delayed:
		fmt.Fprintf(w, "FP8 recipe %s: one scale per tensor\n", r.FP8Recipe)
	}
	if r.FP4Ceiling > 0 {
		fmt.Fprintf(w, "FP4 (NVFP4/MXFP4): the linear layers' GEMMs at up to %.2f of the FP4 peak (the stack's FP4 ceiling), the attention core and the output layer at 16 bits; MFU and HFU over the FP4 peak\n", r.FP4Ceiling)
	}
	if r.ExpertLoad > 0 {
		writeMoELine(w, r)
	}
	type part struct {
		n string
		v units.Seconds
	}
	parts := []part{{"compute", b.Compute}, {"TP comm (exposed)", b.TP}, {"PP send/recv", b.PP}, {"DP/ZeRO comm (exposed)", b.DP},
		{"EP all-to-all (exposed)", b.EP}, {"CP exchange (exposed)", b.CP}, {"pipeline bubble", b.Bubble}, {"optimizer", b.Optimizer}, {"other", b.Other}}
	if b.GradAccum > 0 { // a stack that accumulates weight gradients apart from their GEMMs
		parts = append(parts[:len(parts)-1], part{"gradient accumulation (unfused)", b.GradAccum}, parts[len(parts)-1])
	}
	if b.Experts > 0 || b.MoEHost > 0 { // MoE: where the expert layers' time goes
		parts = append(parts[:1], append([]part{{"expert GEMMs (hottest rank)", b.Experts}, {"MoE host overhead (exposed)", b.MoEHost}}, parts[1:]...)...)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step part\ttime\tshare\t")
	for _, p := range parts {
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t\n", p.n, p.v, share(p.v, r.StepTime))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m := r.Memory
	fmt.Fprintf(w, "Memory per device: weights %s, grads %s, optimizer %s, activations %s, overhead %s = %s of %s\n",
		m.Weights, m.Grads, m.Optimizer, m.Activations, m.Overhead, m.Total, m.Capacity)
	if r.BudgetTime > 0 {
		fmt.Fprintf(w, "Token budget: %.1f days, %.3g chip-hours in steady state (failures not included)\n", float64(r.BudgetTime), float64(r.ChipTime))
	}
	return nil
}

// writeMoELine is a MoE step's line: the hottest rank's load, how its
// experts run and dispatch, and the host path.
func writeMoELine(w io.Writer, r training.Result) {
	fmt.Fprintf(w, "MoE: the hottest expert rank carries %.2f× the mean routed tokens", r.ExpertLoad)
	if r.ExpertLoadNote != "" {
		fmt.Fprintf(w, " (%s)", r.ExpertLoadNote)
	}
	if r.HottestDropped > 0 {
		fmt.Fprintf(w, " (capacity factor; it drops %.0f%% of its tokens)", 100*r.HottestDropped)
	}
	if r.DenseDispatch {
		fmt.Fprintf(w, ", every expert computing its capacity (factor %g) behind a dense one-hot dispatch and combine (GShard's layer)", r.CapacityFactor)
	} else if r.PaddedToCapacity {
		fmt.Fprint(w, ", every expert padded to its capacity (no host sync per layer)")
	}
	if r.MoEHostPath != "" && r.MoEHostPerLayer > 0 {
		fmt.Fprintf(w, "; host %.2f ms per MoE layer forward (%s path)", float64(r.MoEHostPerLayer), r.MoEHostPath)
	} else if r.MoEHostPath == training.MoEPathFullIteration {
		fmt.Fprint(w, "; full-iteration path (one CUDA graph a step: no MoE host time; the fused grouped MLP)")
	} else if r.MoEHostPath == training.MoEPathLayerGraphs {
		fmt.Fprint(w, "; whole MoE layers in CUDA graphs (static padded shapes: no MoE host time)")
	}
	if r.MoERouting == llm.RoutingContiguous {
		fmt.Fprint(w, "; a contiguous balanced gate (token i takes experts i·k … i·k+k−1)")
	}
	if r.MoEDispatch != "" {
		fmt.Fprintf(w, "; %s dispatch", r.MoEDispatch)
	}
	if r.MoEA2AOverlap {
		fmt.Fprint(w, " with the 1F1B all-to-all overlap")
		if r.MoEA2APractice {
			fmt.Fprint(w, " (the stack's practice on this system)")
		}
	}
	fmt.Fprintln(w)
}

// counted is n with its noun, singular for one: "1 micro-batch",
// "64 micro-batches".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
