package runs

import (
	"fmt"
	"math"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/serve"
)

// predictInference predicts an inference run's measured metric with the
// inference estimator: the deployment the run describes, the phase as a
// mode (prefill, decode = a disaggregated decode pool, mixed = colocated
// continuous batching), and either the stated batch or, without one, the
// highest-throughput batch that meets the run's SLO (offline max-throughput
// runs have no SLO: the largest batch memory and the engine allow).
func predictInference(cat *catalog.Catalog, r Run, o Options) (Prediction, error) {
	in := r.Inference
	if in == nil {
		return Prediction{}, fmt.Errorf("run %s: no inference section", r.ID)
	}
	d, note, err := cat.Deployment(inferenceOptions(r))
	if err != nil {
		return Prediction{}, err
	}
	if o.Serving != nil {
		o.Serving(&d.Profile)
	}
	mode, err := inference.ParseMode(in.Phase)
	if err != nil {
		return Prediction{}, err
	}
	if r.Measured.Metric == MetricInputTokensPerChip && mode == inference.Decode {
		// The format's table defines the metric as prefill throughput, the
		// prompt tokens processed per second: a decode pool's prompts are
		// prefilled elsewhere. The run's reason, not the file's error: the
		// table ties the metric to no phase.
		return Prediction{}, fmt.Errorf("measured.metric input_tokens_per_s_per_chip is prefill throughput and a decode pool prefills no prompts: state output_tokens_per_s_per_chip, or phase prefill or mixed")
	}
	w := inference.Workload{Input: in.InputTokens, Output: in.OutputTokens}
	var slo inference.SLO
	if in.SLO != nil {
		slo = inference.SLO{TPOT: in.SLO.TPOT.Seconds(), TTFT: in.SLO.TTFT.Seconds()}
	}
	if mode == inference.Decode {
		slo.TTFT = 0 // a decode pool's TTFT is set by the prefill pool
	}
	if in.BatchPerChip > 0 {
		// The stated batch is what the run's engine was configured to
		// hold: the engine's default max_batch does not refuse it (the KV
		// cache and the per-step token budget still bound it).
		d.Profile.MaxBatch = 0
	}
	batch, err := instanceBatch(d, in.BatchPerChip)
	if err != nil {
		return Prediction{}, err
	}
	p, err := inferencePoint(d, mode, w, slo, batch)
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
	offline := mode == inference.Colocated && slo == (inference.SLO{}) && r.Measured.Metric == MetricOutputTokensPerChip
	if offline {
		o, err := offlineThroughput(d, w, batch)
		if err != nil {
			return Prediction{}, err
		}
		v = o.perChip
		plan = fmt.Sprintf("offline tp=%d pp=%d ep=%d: %d requests queued at once, at most %d running per instance, tpot p50=%.4g ms ttft p50=%.4g ms (steady-state curve: batch=%d tpot=%v bound=%s)",
			max(par.TP, 1), max(par.PP, 1), max(par.EP, 1), o.requests, o.held, o.tpot, o.ttft, p.Batch, p.TPOT, p.Step.Bound)
	}
	if par.AttentionDP > 0 {
		plan += fmt.Sprintf(" attention_dp=%d", par.AttentionDP)
	}
	if m := p.Step.MoE; m.Imbalance > 0 {
		plan += fmt.Sprintf(" imbalance=%.3g", m.Imbalance)
	}
	if b := p.Step.ADPBalance; b > 0 && !offline {
		plan += fmt.Sprintf(" adp_balance=%.2f", b)
	}
	method := MethodCurve
	if offline {
		method = MethodOffline
	}
	return Prediction{Value: v, Plan: plan, Stack: d.Profile.ID, Note: note, Method: method, Engine: d.Profile.EngineID}, nil
}

// offlineThroughput is the output tokens per second per chip of an
// offline end-to-end run (the format's phase: mixed without an SLO: a
// benchmark that queues all its requests at once and times them to the
// last token), simulated request by request (package serve): requests of
// exactly the stated lengths, all arriving at time 0, on the deployment's
// instances with the engine's limits (the stated concurrency, batch, one
// instance's sequences, if any; else, for TensorRT-LLM, trtllm-bench's) and admission policy (the
// profile's kv_reserve_full, as the steady-state curve uses it). Uniform requests admitted together prefill
// together and finish together, so such a run proceeds in waves: prompt
// bursts, then decode-only steps. The steady-state curve instead takes
// requests finishing at their steady rate and their replacements'
// prompts spread over the steps (inference/colocated.go), which a wave
// does not. The run's request count is
// not stated by the format; waves repeat, so the throughput settles after
// a few: offlineWaves times what the instances hold at once.
func offlineThroughput(d inference.Deployment, w inference.Workload, batch int) (offlineRun, error) {
	if w.Output > offlineMaxOutput {
		// Every generated token is a simulated step: 8M of them took
		// minutes. No published offline benchmark generates over 32K.
		return offlineRun{}, fmt.Errorf("output_tokens = %d: an offline run is simulated step by step, at most %d generated tokens a request", w.Output, offlineMaxOutput)
	}
	r, err := inference.Resolve(d)
	if err != nil {
		return offlineRun{}, err
	}
	kv, err := r.KV()
	if err != nil {
		return offlineRun{}, err
	}
	// Requests of exactly input + output tokens an instance's KV cache holds.
	fits := max(1, kv.Blocks/((w.Input+w.Output+kv.BlockTokens-1)/kv.BlockTokens))
	pool, err := serve.NewPool("serve", d, serve.PoolOptions{ReserveOutput: d.Profile.KVReserveFull})
	if err != nil {
		return offlineRun{}, err
	}
	switch {
	case batch > 0:
		pool.Engine.MaxSeqs = batch
	case d.Profile.Engine == trtllmEngine:
		// trtllm-bench's own settings (trtllmBench): limits each
		// attention group's executor takes, worked out for the whole
		// instance.
		groups := max(kv.Groups, 1)
		bs, tokens := trtllmBench(float64(fits), w.Input, w.Output, max(d.Parallel.PP, 1))
		pool.Engine.MaxSeqs = min(pool.Engine.MaxSeqs, bs*groups)
		pool.Engine.MaxBatchTokens = tokens * groups
		pool.Engine.NoChunkedPrefill = true
	}
	held := min(pool.Engine.MaxSeqs, fits)
	n := min(max(offlineWaves*held*pool.Replicas, offlineMinRequests), offlineMaxRequests)
	dep := serve.Deployment{Pools: []serve.Pool{pool}, Router: serve.RoundRobin}
	wl := serve.Workload{Process: serve.Offline, Requests: n,
		Prompt: serve.Lengths{Dist: serve.Fixed, Mean: w.Input}, Output: serve.Lengths{Dist: serve.Fixed, Mean: w.Output}}
	res, err := serve.Simulate(dep, wl, serve.Options{})
	if err != nil {
		return offlineRun{}, err
	}
	if res.RequestsCompleted == 0 {
		return offlineRun{}, fmt.Errorf("offline run of %d requests of %d+%d tokens: none completed (%d rejected as too long for the KV cache)", n, w.Input, w.Output, res.RequestsRejected)
	}
	return offlineRun{perChip: res.Throughput.OutputTokensPerSPerChip, requests: n, held: held,
		tpot: res.TPOT.P50, ttft: res.TTFT.P50}, nil
}

// offlineRun is a simulated offline run: output tokens per second per
// chip, the requests simulated, the most running per instance, and the
// median TPOT and TTFT in milliseconds.
type offlineRun struct {
	perChip        float64
	requests, held int
	tpot, ttft     float64
}

// trtllmEngine is the engine name the catalog gives TensorRT-LLM.
const trtllmEngine = "TensorRT-LLM"

// trtllmFinetune is trtllm-bench's finetune_setting (optimistic tuning),
// the engine limits it sets when a throughput run states neither
// (tensorrt_llm/bench/build/tuning.py): for requests that fit the KV cache
// (chipgap's KV capacity stands in for the tool's own estimate, which for
// MHA and GQA is the same cache; for MLA the tool's reading of the config
// would allow about 25 times fewer requests, which the measurements
// contradict), isl/osl tokens each, over pp pipeline stages, bs =
// min(requests, 4096) / pp rounded up (to 32s below 256, at least 64; to
// 128s below 1024; to 256s above), and tokens = min(bs · (1 + isl/osl),
// 32768) rounded up (to 256s below 4096, at least 2048; 512s below 8192;
// 1024s above). trtllmBench adds what the tool does when chunked prefill
// is off.
func trtllmFinetune(requests float64, isl, osl, pp int) (bs, tokens int) {
	rawBS := math.Min(requests, 4096) / float64(pp)
	rawTok := math.Min(rawBS*(1+float64(isl)/float64(osl)), 32768)
	bs = max(64, roundUpTiered(rawBS, [][2]float64{{256, 32}, {1024, 128}, {math.Inf(1), 256}}))
	tokens = max(2048, roundUpTiered(rawTok, [][2]float64{{4096, 256}, {8192, 512}, {math.Inf(1), 1024}}))
	return bs, tokens
}

// trtllmBench is the engine limits trtllm-bench throughput runs with when
// neither is given (tensorrt_llm/bench/benchmark/utils/general.py,
// get_settings): finetune_setting's batch and token budget for the
// requests the KV cache holds (trtllmFinetune), worked out for the whole
// tensor-parallel world the command names, which with attention data
// parallelism each rank's executor then takes as its own; and, since the
// tool leaves chunked prefill off unless its options turn it on
// (--enable_chunked_context defaults to false, and the perf overview's
// options do not set enable_chunked_prefill), a token budget of at least
// the longest prompt plus the batch, so that a whole prompt fits a step.
func trtllmBench(requests float64, isl, osl, pp int) (bs, tokens int) {
	bs, tokens = trtllmFinetune(requests, isl, osl, pp)
	return bs, max(tokens, isl+bs)
}

// roundUpTiered rounds x up to a multiple of the step of the first tier
// {below, step} whose bound x is below.
func roundUpTiered(x float64, tiers [][2]float64) int {
	for _, t := range tiers {
		if x < t[0] {
			return int(t[1] * math.Ceil(x/t[1]))
		}
	}
	return int(math.Ceil(x))
}

// The offline simulation's size: offlineWaves times what the instances
// hold at once, within [offlineMinRequests, offlineMaxRequests].
const (
	offlineWaves       = 4
	offlineMinRequests = 64
	offlineMaxRequests = 100_000
	offlineMaxOutput   = 1 << 18 // generated tokens a request (simulated steps)
)

// instanceBatch is the sequences one instance holds at the run's stated
// batch_per_chip (0: none stated): the per-chip batch times the packages
// an instance occupies. Each of the run's dp replicas holds its own, so
// the per-chip batch, and the rate per chip, is the same at any dp; the
// run's chips (every replica) are not one instance.
func instanceBatch(d inference.Deployment, perChip int) (int, error) {
	if perChip <= 0 {
		return 0, nil
	}
	r, err := inference.Resolve(d)
	if err != nil {
		return 0, err
	}
	return max(1, int(math.Round(float64(perChip)*r.ChipsPerInstance()))), nil
}

// inferencePoint is one instance's stated batch (instanceBatch), or the
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
