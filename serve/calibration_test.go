package serve_test

import (
	"math"
	"os"
	"slices"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/runs"
	"chipgap/serve"
)

// publishedRuns is the repository's copy of ../shared/data/published-runs.yaml.
const publishedRuns = "../runs/testdata/published-runs.yaml"

// operatingPoint simulates one published inference run as the source ran
// it: all requests queued at t = 0 (offline benchmarks); at the stated
// batch when there is one (the running-sequence limit), else, under a
// TPOT SLO, at the largest batch whose simulated mean TPOT meets it, else
// as many as the engine and KV cache hold. Decode runs are a decode pool
// fed decode-ready requests, prefill runs have one output token; the
// engine admits as the run's serving profile says (kv_reserve_full: the
// engine's or the stack's default). It returns the run's metric per chip.
func operatingPoint(t *testing.T, cat *catalog.Catalog, r runs.Run) float64 {
	in := r.Inference
	o := catalog.DeploymentOptions{
		Chip: r.System.Chip, Chips: r.System.Chips, ChipsPerNode: r.System.ChipsPerNode,
		ScaleOut: r.System.ScaleOut, DevicesPerChip: r.System.DevicesPerChip,
		Software: r.System.Software, Model: r.Model, Precision: in.Precision, KVPrecision: in.KVPrecision,
		Parallel: inference.Parallel{TP: in.Parallel.TP, PP: in.Parallel.PP, EP: in.Parallel.EP, DP: in.Parallel.DP},
	}
	if s := in.Speculative; s != nil {
		o.Speculative = inference.Speculative{Tokens: s.Tokens, Acceptance: s.Acceptance}
	}
	d, _, err := cat.Deployment(o)
	if err != nil {
		t.Fatalf("%s: %v", r.ID, err)
	}
	p := pool(t, d)
	p.Engine.ReserveOutput = d.Profile.KVReserveFull
	out := max(in.OutputTokens, 1)
	limit := min(p.Engine.MaxSeqs, p.Engine.KVBlocks*p.Engine.BlockTokens/(in.InputTokens+out))
	run := func(batch, waves int) *serve.Result {
		p.Engine.MaxSeqs = batch
		n := max(waves*batch*p.Replicas, 64)
		w := serve.Workload{Process: serve.Trace, Trace: make([]serve.Request, n), Prefilled: in.Phase == "decode"}
		for i := range w.Trace {
			w.Trace[i] = serve.Request{Prompt: in.InputTokens, Output: out}
		}
		res, err := serve.Simulate(serve.Deployment{Pools: []serve.Pool{p}, Router: serve.LeastOutstanding}, w, serve.Options{MaxQueue: n + 1})
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		return res
	}
	batch := limit
	switch {
	case in.BatchPerChip > 0:
		batch = int(math.Round(float64(in.BatchPerChip) * p.ChipsPerReplica))
	case in.SLO != nil && in.SLO.TPOT > 0:
		batch = largestBatch(limit, func(b int) bool { return run(b, 1).TPOT.Mean <= float64(in.SLO.TPOT) })
	}
	res := run(batch, 3)
	sim := res.Throughput.OutputTokensPerSPerChip
	if r.Measured.Metric == runs.MetricInputTokensPerChip {
		sim = res.Throughput.InputTokensPerS / res.Cost.Chips
	}
	t.Logf("%-48s measured %7.0f simulated %7.0f (%+5.1f %%) ttft p50 %.0f ms tpot p50 %.1f ms preemptions %d, %d replicas × %d seqs",
		r.ID, r.Measured.Value, sim, (sim/r.Measured.Value-1)*100, res.TTFT.P50, res.TPOT.P50, res.Preemptions, p.Replicas, batch)
	return sim
}

// largestBatch is the largest b in [1, limit] with ok(b), assuming ok
// holds up to some batch and fails beyond it: doubling, then bisection.
func largestBatch(limit int, ok func(int) bool) int {
	lo, hi := 1, 2
	for hi <= limit && ok(hi) {
		lo, hi = hi, hi*2
	}
	hi = min(hi, limit+1)
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; ok(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// TestCalibrationRunsAsOperatingPoints: simulating each published
// inference run as its source ran it stays within the inference
// estimator's own error bars (median |error| ≤ 12 %, worst ≤ 30 %,
// TestInferenceAccuracy in package runs), on the calibration file and on
// the held-out runs.
func TestCalibrationRunsAsOperatingPoints(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{publishedRuns, "../cmd/chipgap/testdata/inference-heldout.yaml"} {
		abs := simulatedErrors(t, cat, path)
		if len(abs) == 0 {
			continue
		}
		slices.Sort(abs)
		med := abs[len(abs)/2]
		if len(abs)%2 == 0 {
			med = (abs[len(abs)/2-1] + med) / 2
		}
		t.Logf("%s: %d runs, median |error| %.1f %%, worst %.1f %%", path, len(abs), med*100, abs[len(abs)-1]*100)
		if med > 0.12 || abs[len(abs)-1] > 0.30 {
			t.Errorf("%s: median |error| %.1f %% (want ≤ 12 %%), worst %.1f %% (want ≤ 30 %%)", path, med*100, abs[len(abs)-1]*100)
		}
	}
}

// simulatedErrors simulates every inference run of a published-runs file
// and returns the absolute relative errors.
func simulatedErrors(t *testing.T, cat *catalog.Catalog, path string) []float64 {
	fh, err := os.Open(path)
	if err != nil {
		t.Logf("%s: %v (skipped)", path, err)
		return nil
	}
	defer fh.Close()
	f, err := runs.Load(fh)
	if err != nil {
		t.Fatal(err)
	}
	var abs []float64
	for _, r := range f.Runs {
		if r.Kind != runs.KindInference {
			continue
		}
		s := operatingPoint(t, cat, r)
		abs = append(abs, math.Abs(s/r.Measured.Value-1))
	}
	return abs
}
