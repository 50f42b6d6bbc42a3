package runs

import (
	"fmt"

	"chipgap/catalog"
	"chipgap/inference"
)

// predictInference predicts an inference run's measured metric with the
// inference estimator: the deployment the run describes, the phase as a
// mode (prefill, decode = a disaggregated decode pool, mixed = colocated
// continuous batching), and either the stated batch or, without one, the
// highest-throughput batch that meets the run's SLO (offline max-throughput
// runs have no SLO: the largest batch memory and the engine allow).
func predictInference(cat *catalog.Catalog, r Run) (Prediction, error) {
	in := r.Inference
	if in == nil {
		return Prediction{}, fmt.Errorf("run %s: no inference section", r.ID)
	}
	d, note, err := cat.Deployment(inferenceOptions(r))
	if err != nil {
		return Prediction{}, err
	}
	mode, err := inference.ParseMode(in.Phase)
	if err != nil {
		return Prediction{}, err
	}
	w := inference.Workload{Input: in.InputTokens, Output: in.OutputTokens}
	var slo inference.SLO
	if in.SLO != nil {
		slo = inference.SLO{TPOT: in.SLO.TPOT.Seconds(), TTFT: in.SLO.TTFT.Seconds()}
	}
	if mode == inference.Decode {
		slo.TTFT = 0 // a decode pool's TTFT is set by the prefill pool
	}
	p, err := inferencePoint(d, mode, w, slo, in.BatchPerChip*r.System.Chips)
	if err != nil {
		return Prediction{}, err
	}
	v := p.OutputPerChip
	if r.Measured.Metric == MetricInputTokensPerChip {
		v = p.InputPerChip
	}
	par := d.Parallel
	plan := fmt.Sprintf("%s tp=%d pp=%d ep=%d batch=%d (%.4g/chip) tpot=%v ttft=%v bound=%s",
		mode, max(par.TP, 1), max(par.PP, 1), max(par.EP, 1), p.Batch, p.BatchPerChip, p.TPOT, p.TTFT, p.Step.Bound)
	if par.AttentionDP > 0 {
		plan += fmt.Sprintf(" attention_dp=%d", par.AttentionDP)
	}
	if m := p.Step.MoE; m.Imbalance > 0 {
		plan += fmt.Sprintf(" imbalance=%.3g", m.Imbalance)
	}
	if b := p.Step.ADPBalance; b > 0 {
		plan += fmt.Sprintf(" adp_balance=%.2f", b)
	}
	return Prediction{Value: v, Plan: plan, Stack: d.Profile.ID, Note: note}, nil
}

// inferencePoint is the stated batch (instance = the run's chips), or the
// best one under slo.
func inferencePoint(d inference.Deployment, mode inference.Mode, w inference.Workload, slo inference.SLO, batch int) (inference.Point, error) {
	if batch <= 0 {
		return inference.Best(d, mode, w, slo)
	}
	pts, err := inference.Curve(d, mode, w, slo, []int{batch})
	if err != nil {
		return inference.Point{}, err
	}
	return pts[0], nil
}

func inferenceOptions(r Run) catalog.DeploymentOptions {
	in := r.Inference
	o := catalog.DeploymentOptions{
		Chip: r.System.Chip, Chips: r.System.Chips, ChipsPerNode: r.System.ChipsPerNode,
		// The format's default (shared/spec/published-runs.md): a run that
		// omits devices_per_chip runs one device per package, whatever the
		// catalog's usual split of the chip.
		ScaleOut: r.System.ScaleOut, DevicesPerChip: r.System.Devices(),
		Software: r.System.Software, Model: r.Model,
		Parallel: inference.Parallel{TP: in.Parallel.TP, PP: in.Parallel.PP, EP: in.Parallel.EP, DP: in.Parallel.DP,
			AttentionDP: in.Parallel.AttentionDP},
		Precision: in.Precision, KVPrecision: in.KVPrecision,
	}
	if s := in.Speculative; s != nil {
		o.Speculative = inference.Speculative{Tokens: s.Tokens, Acceptance: s.Acceptance}
	}
	return o
}
