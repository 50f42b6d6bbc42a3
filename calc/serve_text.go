package calc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/uncertain"
	"chipgap/units"
)

// WriteText prints the estimate as `chipgap serve-estimate` does.
func (r ServeEstimate) WriteText(w io.Writer) error {
	s, p := r.Request, r.Parallel
	stack := r.Stack
	if r.Engine != "" {
		stack += " (engine " + r.Engine + ")"
	}
	weights := s.Precision + " weights"
	if r.FP8BlockScale > 0 {
		weights += fmt.Sprintf(" (block-scaled: GEMMs at %.2f of the per-tensor rate)", r.FP8BlockScale)
	}
	if r.FP8ContextAttention > 0 {
		weights += fmt.Sprintf(", prompt attention in FP8 (%.2f× the 16-bit rate)", r.FP8ContextAttention)
	}
	fmt.Fprintf(w, "%s on %d × %s (%d devices): stack %s, %s, mode %s, %s\n",
		r.ModelName, s.Chips, s.Chip, r.Devices, stack, weights, s.Mode, layoutText(p))
	if r.StackNote != "" {
		fmt.Fprintf(w, "  software: %s\n", r.StackNote)
	}
	scored := catalog.Unscored("inference")
	if r.Scored != nil {
		scored = r.Scored.Summary()
	}
	fmt.Fprintf(w, "  scored on published runs: %s\n", scored)
	m := r.Memory
	fmt.Fprintf(w, "  per device: %v HBM = weights %v + reserved %v + KV cache %v (and headroom)\n", m.Capacity, m.Weights, m.Reserved, m.KVSpace)
	fmt.Fprintf(w, "  KV cache per instance: %d tokens (%v per token per device, %d attention groups); largest batch %s\n\n",
		r.KV.Tokens, r.KV.BytesPerToken, r.KV.Groups, batchSizingText(r.MaxBatchSizing, s.Workload))
	if err := writeCurve(w, r.Curve); err != nil {
		return err
	}
	fmt.Fprintln(w)
	writeBest(w, r)
	return nil
}

// batchSizingText says what sized the largest batch, from the numbers
// the estimator used: the context each sequence holds in the KV cache
// (the mean where it grows as tokens are generated, the whole context
// where the engine reserves it, the prompt in prefill), and the engine
// limit where one binds below what the cache holds.
func batchSizingText(b inference.BatchSizing, wl ServeWorkload) string {
	var ctx, why string
	switch b.KV {
	case inference.KVReserved:
		ctx, why = fmt.Sprintf("the whole %.6g tokens of %d+%d", b.ContextTokens, wl.Input, wl.Output), "reserved when a request is admitted"
	case inference.KVPrompt:
		ctx, why = fmt.Sprintf("the %.6g-token prompt", b.ContextTokens), "prefill holds the prompt only"
	default:
		ctx, why = fmt.Sprintf("a mean %.6g tokens of %d+%d", b.ContextTokens, wl.Input, wl.Output), "paged: the cache grows as tokens are generated"
	}
	switch {
	case b.DraftTokens == 1:
		ctx += ", 1 draft token included"
	case b.DraftTokens > 1:
		ctx += fmt.Sprintf(", %d draft tokens included", b.DraftTokens)
	}
	if b.Windowed {
		why += "; sliding-window layers hold their window only"
	}
	if b.Bound == inference.BoundKV {
		return fmt.Sprintf("%d at %s (%s)", b.Sequences, ctx, why)
	}
	return fmt.Sprintf("%d, the engine's %s limit; the KV cache holds %d at %s (%s)", b.Sequences, b.Bound, b.KVSequences, ctx, why)
}

// layoutText is the resolved layout as the header prints it: tp, pp, ep,
// attention_dp where a stage has more than one attention group, and dp,
// the instances.
func layoutText(p inference.Parallel) string {
	adp := ""
	if p.AttentionDP > 1 {
		adp = fmt.Sprintf(" attention_dp=%d", p.AttentionDP)
	}
	return fmt.Sprintf("tp=%d pp=%d ep=%d%s dp=%d", p.TP, p.PP, p.EP, adp, p.DP)
}

func writeCurve(w io.Writer, pts []inference.Point) error {
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\tper chip\tTPOT\tTTFT\tout tok/s/chip\tin tok/s/chip\tstep\tbound\tSLO\t")
	for _, p := range pts {
		ok := "no"
		if p.Meets {
			ok = "yes"
		}
		fmt.Fprintf(tw, "%d\t%.4g\t%v\t%v\t%.0f\t%.0f\t%v\t%s\t%s\t\n", p.Batch, p.BatchPerChip, p.TPOT, p.TTFT,
			p.OutputPerChip, p.InputPerChip, p.Step.Time, p.Step.Bound, ok)
	}
	return tw.Flush()
}

func sloText(slo inference.SLO) string {
	switch {
	case slo.TPOT > 0 && slo.TTFT > 0:
		return fmt.Sprintf("TPOT ≤ %v and TTFT ≤ %v", slo.TPOT, slo.TTFT)
	case slo.TPOT > 0:
		return fmt.Sprintf("TPOT ≤ %v", slo.TPOT)
	case slo.TTFT > 0:
		return fmt.Sprintf("TTFT ≤ %v", slo.TTFT)
	}
	return "no latency target (highest throughput)"
}

func writeBest(w io.Writer, r ServeEstimate) {
	if r.Best == nil {
		fmt.Fprintf(w, "No operating point under %s: %s\n", sloText(r.SLO), r.NoBest)
		return
	}
	b := r.Best
	rate, unit := r.bestRate()
	ttft, chip := fmt.Sprint(b.TTFT), "chip"
	if d := r.Disagg; d != nil {
		// The prefill pool emits the first token: its TTFT is the
		// request's (the decode pool's point starts when the KV arrives);
		// the point's rate is per decode chip (both pools: below).
		ttft, chip = fmt.Sprintf("%v (the prefill pool's)", d.Prefill.TTFT), "decode chip"
	}
	fmt.Fprintf(w, "Best under %s: batch %d (%.4g/%s): %.0f %s tokens/s per %s (range %s), TPOT %v, TTFT %s\n",
		sloText(r.SLO), b.Batch, b.BatchPerChip, chip, rate, unit, chip, rangeText(r.BestLow, r.BestHigh)+outsideText(r.BestApart)+noFitText(r.BestNoFit), b.TPOT, ttft)
	writeBand(w, "  ", r.MeasuredBand, unit+" tokens/s per chip")
	if r.MeasuredBandNote != "" {
		fmt.Fprintf(w, "  %s\n", r.MeasuredBandNote)
	}
	writeStep(w, b.Step)
	if d := r.Disagg; d != nil {
		fmt.Fprintf(w, "Disaggregated: %.3g prefill chips per decode chip (prefill batch %d, decode batch %d): %.0f output tokens/s and %.3g requests/s per chip over both pools\n",
			d.PrefillPerDecodeChip, d.Prefill.Batch, d.Decode.Batch, d.OutputPerChip, d.RequestsPerChip)
	}
	if r.DisaggError != "" {
		fmt.Fprintf(w, "Disaggregated: the pools cannot be sized together: %s\n", r.DisaggError)
	}
	writeCost(w, r, unit)
}

// writeStep is the best point's step breakdown: the four roofline parts,
// then where drafting and MoE time go (inside those parts).
func writeStep(w io.Writer, st inference.StepResult) {
	fmt.Fprintf(w, "  step %v = compute %v + memory %v + comm (exposed) %v + overhead %v; %d pass(es)\n",
		st.Time, st.Compute, st.Memory, st.Comm, st.Overhead, st.Passes)
	if st.Draft > 0 {
		fmt.Fprintf(w, "  of which drafting %v (one layer + logit projection per draft token)\n", st.Draft)
	}
	if st.Host > 0 {
		how := "hidden behind the GPU's"
		if st.Bound == "host" {
			how = "longer than the GPU's: it sets the step"
		}
		fmt.Fprintf(w, "  host (the engine's CPU work per step, overlapped with the GPU) %v, %s\n", st.Host, how)
		if st.Eager > 0 {
			fmt.Fprintf(w, "    of which %v launching the layers eagerly (steps with prompt tokens run outside the engine's CUDA graphs)\n", st.Eager)
		}
	}
	if st.ADPBalance > 0 {
		fmt.Fprintf(w, "  attention DP: groups carry %.2f of the busiest group's tokens (prompts land unevenly); waiting for it adds %v\n",
			st.ADPBalance, st.ADPWait)
	}
	m := st.MoE
	if m.Imbalance == 0 {
		return
	}
	load := fmt.Sprintf("balancer %.3g", m.Balancer)
	switch m.Routing {
	case inference.BalancerNone:
		load = fmt.Sprintf("no balancer: routing skew %.3g", m.Balancer)
	case inference.RoutingCoarse:
		load = fmt.Sprintf("no balancer, too few experts for the measured skew: assumed %.3g", m.Balancer)
	}
	shortK := ""
	if m.ShortK > 1.0005 {
		shortK = fmt.Sprintf(", ×%.2f for their short K", m.ShortK)
	}
	if m.FP8BlockScale > 0 {
		shortK += fmt.Sprintf("; block-scaled FP8, every GEMM at %.2f of the per-tensor rate", m.FP8BlockScale)
	}
	fmt.Fprintf(w, "  MoE: imbalance %.3g (%s × routing spread %.3g) adds %v; routed experts %v at %.0f rows/expert (grouped GEMM eff %.2f%s, weights streamed at %.2f of HBM bandwidth) + module fixed time %v\n",
		m.Imbalance, load, m.Spread, m.ImbalanceTime, m.Experts, m.RowsPerExpert, m.GroupedGEMMEff, shortK, m.ExpertMemoryEff, m.Fixed)
	if m.Kernels != "" {
		fmt.Fprintf(w, "  MoE: %s EP kernels: dispatch %v + combine %v, %v hidden behind compute (SM tax %v), host sync %v\n",
			m.Kernels, m.Dispatch, m.Combine, m.Hidden, m.SMTax, m.Sync)
	}
}

// noFitText says how many of the range's draws left the weights no room
// (each counted as 0).
func noFitText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; on %d of %d draws the weights do not fit (the draw's HBM capacity, less the stack's reserve, is below them), counted as 0", n, rangeTrials)
}

// outsideText is "; the estimate at typical values lies below it: …"
// where the estimate carries a best point outside the range printed just
// before (ServeEstimate.BestApart, as best_range_note words it), else "".
func outsideText(a uncertain.Apart) string {
	if n := a.Note(typicalEstimate, "it"); n != "" {
		return "; " + n
	}
	return ""
}

func rangeText(lo, hi *float64) string {
	return rangeNums(lo, hi) + " p10–p90 over the chip's and the stack's ranges"
}

func rangeNums(lo, hi *float64) string {
	f := func(x *float64) string {
		if x == nil {
			return "none"
		}
		return fmt.Sprintf("%.0f", *x)
	}
	return f(lo) + "–" + f(hi)
}

func writeCost(w io.Writer, r ServeEstimate, unit string) {
	c := r.Cost
	if c == nil {
		if e := r.Energy; e != nil {
			fmt.Fprintf(w, "Energy per %s token: %v (%v per chip at the wall)\n", unit, e.JoulesPerToken, e.Wall)
		}
		if r.CostNote != "" {
			fmt.Fprintf(w, "Cost: %s\n", r.CostNote)
		}
		return
	}
	var priced []string
	if c.Owned != nil {
		priced = append(priced, fmt.Sprintf("owned %v (%v per chip-hour, region %s)", c.Owned.USDPerMillion, c.Owned.PerHour, c.Region))
	}
	if c.Rental != nil {
		priced = append(priced, fmt.Sprintf("rented %v (%v)", c.Rental.USDPerMillion, c.Rental.PerHour))
	}
	e := c.energy()
	fmt.Fprintf(w, "Cost per million %s tokens: %s; energy %v per token (%v per chip at the wall)\n", unit, strings.Join(priced, ", "), e.JoulesPerToken, e.Wall)
	if r.CostNote != "" {
		fmt.Fprintf(w, "  %s\n", r.CostNote)
	}
}

// WriteServeComparison prints one line per deployment of a scenario.
func WriteServeComparison(w io.Writer, rs []ServeEstimate) error {
	fmt.Fprintln(w, "\nComparison (best point per deployment):")
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "deployment\tchip\ttarget\ttokens/s/chip\trange\tTPOT\t$/M tokens (owned)\t")
	why := ""
	for _, r := range rs {
		if r.Best == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\tnone\t\t\t\t\n", r.Request.Label(), r.Request.Chip, sloText(r.SLO))
			continue
		}
		rate := r.Best.OutputPerChip
		if r.Request.Mode == "prefill" {
			rate = r.Best.InputPerChip
		}
		cost := "n/a"
		if r.Cost != nil && r.Cost.Owned != nil {
			cost = r.Cost.Owned.USDPerMillion.String()
		}
		rng := rangeNums(r.BestLow, r.BestHigh)
		if a := r.BestApart; a.Side != "" {
			rng += " (typical " + a.Side + ")"
			why = a.Why
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%s\t%v\t%s\t\n", r.Request.Label(), r.Request.Chip, sloText(r.SLO), rate, rng, r.Best.TPOT, cost)
	}
	if err := tw.Flush(); err != nil || why == "" {
		return err
	}
	_, err := fmt.Fprintf(w, "range: P10–P90 over the chip's and the stack's ranges; %s\n", uncertain.Legend(typicalEstimate, "it", why))
	return err
}

// ServeSpec is the request as `chipgap serve-estimate --json` echoes it
// (`spec`): flat, by its flags' names.
type ServeSpec struct {
	Name           string        `json:"name,omitempty"`
	Chip           string        `json:"chip"`
	Chips          int           `json:"chips"`
	ChipsPerNode   int           `json:"chips_per_node,omitempty"`
	DevicesPerChip int           `json:"devices_per_chip,omitempty"`
	Software       string        `json:"software,omitempty"`
	Model          string        `json:"model"`
	TP             int           `json:"tp,omitempty"`
	PP             int           `json:"pp,omitempty"`
	EP             int           `json:"ep,omitempty"`
	DP             int           `json:"dp,omitempty"`
	AttentionDP    int           `json:"attention_dp,omitempty"`
	Imbalance      float64       `json:"expert_imbalance,omitempty"`
	Balancer       string        `json:"balancer,omitempty"`
	Precision      string        `json:"precision,omitempty"`
	FP8Recipe      string        `json:"fp8_recipe,omitempty"`
	KVPrecision    string        `json:"kv_precision,omitempty"`
	Mode           string        `json:"mode"`
	Input          int           `json:"input"`
	Output         int           `json:"output"`
	TPOT           units.Seconds `json:"tpot,omitempty"`
	TTFT           units.Seconds `json:"ttft,omitempty"`
	SpecTokens     int           `json:"spec_tokens,omitempty"`
	SpecAcceptance float64       `json:"spec_acceptance,omitempty"`
	Batches        []int         `json:"batches,omitempty"`
	Region         string        `json:"region,omitempty"`
	MaxSeqs        int           `json:"max_seqs,omitempty"`
	MaxBatchTokens int           `json:"max_batch_tokens,omitempty"`
}

// ServeView is one serving estimate as `chipgap serve-estimate --json`
// prints it and POST /api/infer/curve answers it (beside the API's ids
// and charts): the request echoed flat (spec) and the estimate, so the
// two cannot drift.
type ServeView struct {
	Spec ServeSpec `json:"spec"`
	ServeEstimate
}

// View is the estimate with its request's echo.
func (r ServeEstimate) View() ServeView { return ServeView{r.Request.Spec(), r} }

// Spec is the request's echo.
func (r ServeRequest) Spec() ServeSpec {
	p := r.Parallel
	return ServeSpec{Name: r.Name, Chip: r.Chip, Chips: r.Chips, ChipsPerNode: r.ChipsPerNode, DevicesPerChip: r.DevicesPerChip, Software: r.Framework,
		Model: r.Model, TP: p.TP, PP: p.PP, EP: p.EP, DP: p.DP, AttentionDP: p.AttentionDP, Imbalance: r.ExpertImbalance, Balancer: r.Balancer, Precision: r.Precision,
		FP8Recipe: r.FP8Recipe, KVPrecision: r.KVPrecision, Mode: r.Mode, Input: r.Workload.Input, Output: r.Workload.Output, TPOT: r.SLO.TPOT, TTFT: r.SLO.TTFT,
		SpecTokens: r.Speculative.Tokens, SpecAcceptance: r.Speculative.Acceptance, Batches: r.Batches, Region: r.Region,
		MaxSeqs: r.MaxSeqs, MaxBatchTokens: r.MaxBatchTokens}
}
