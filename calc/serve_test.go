package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/serve"
)

// BenchmarkServe is one full estimate as serve-estimate prints it: the
// CloudMatrix384 decode instance (160 × 910C, EP320), its curve, the best
// point under 50 ms TPOT, the best point's range (200 seeded draws) and
// its cost.
func BenchmarkServe(b *testing.B) {
	cat, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	r := NewServeRequest()
	r.Chip, r.Chips, r.Framework, r.Model, r.Parallel.EP = "ascend-910c", 160, "cloudmatrix-infer", "deepseek-v3", 320
	r.Precision, r.Mode, r.Workload, r.SLO.TPOT, r.Speculative.Tokens = "int8", "decode", ServeWorkload{Input: 4096, Output: 256}, 0.05, 1
	s, err := r.Setup(cat)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Serve(s); err != nil {
			b.Fatal(err)
		}
	}
}

// The one definition of the serving inputs: a flat scenario entry (flag
// names), its JSON-named form and the flags mean the same request.
func TestServeScenarioKeys(t *testing.T) {
	flat, err := ServeScenario("f.yaml", []byte("deployments:\n  - {chip: h100-sxm, model: llama3.1-8b, tp: 4, spec_tokens: 1, input: 2048, tpot: 50ms, batches: [1, 8]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	nested, err := ServeScenario("n.yaml", []byte("deployments:\n  - chip: h100-sxm\n    model: llama3.1-8b\n    parallel: {tp: 4}\n"+
		"    speculative: {tokens: 1}\n    workload: {input_tokens: 2048}\n    slo: {tpot: 0.05}\n    batches: [1, 8]\n"))
	if err != nil {
		t.Fatal(err)
	}
	fromFlags := NewServeRequest()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	BindFlags(fs, &fromFlags)
	if err := fs.Parse([]string{"--chip", "h100-sxm", "--model", "llama3.1-8b", "--tp", "4", "--spec-tokens", "1", "--input", "2048", "--tpot", "50ms", "--batches", "1,8"}); err != nil {
		t.Fatal(err)
	}
	want := NewServeRequest()
	want.Chip, want.Model, want.Parallel.TP, want.Speculative.Tokens, want.Workload.Input = "h100-sxm", "llama3.1-8b", 4, 1, 2048
	want.SLO.TPOT, want.Batches = 0.05, []int{1, 8}
	// The files' lines (LineOf) say where each field was set.
	if l := flat[0].lines; l["chip"] != 2 || l["slo.tpot"] != 2 || len(l) != 7 {
		t.Errorf("flat: lines %v; want the 7 fields set, each on line 2", l)
	}
	if l := nested[0].lines; l["chip"] != 2 || l["parallel.tp"] != 4 || l["slo.tpot"] != 7 || l["batches"] != 8 {
		t.Errorf("nested: lines %v; want chip 2, parallel.tp 4, slo.tpot 7, batches 8", l)
	}
	flat[0].lines, nested[0].lines = nil, nil
	for name, got := range map[string]ServeRequest{"flat": flat[0], "nested": nested[0], "flags": fromFlags} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %+v\nwant %+v", name, got, want)
		}
	}
	_, err = ServeScenario("t.yaml", []byte("deployments:\n  - chip: h100-sxm\n    modle: x\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3: unknown field modle; did you mean mode, model?") {
		t.Errorf("typo: %v", err)
	}
	sim, err := SimulateScenario("s.yaml", []byte("simulate:\n  chip: h100-sxm\n  input: {dist: lognormal, sigma: 0.5}\n  prefill_tp: 2\n  rates: [1, 2.5]\n  seed: 7\n"))
	if err != nil {
		t.Fatal(err)
	}
	if w := sim.Workload; w.Input.Dist != "lognormal" || w.Input.Sigma != 0.5 || w.Input.Tokens != 1000 || !reflect.DeepEqual(w.Rates, []float64{1, 2.5}) ||
		w.Seed != 7 || sim.Prefill.Parallel.TP != 2 || !sim.Disaggregated() {
		t.Errorf("simulate scenario: %+v", sim)
	}
	// A value the flag cannot take names itself and what the field takes,
	// not the flag package's "parse error"; a list where one value goes
	// is refused, not read as its last element.
	for src, want := range map[string]string{
		"simulate:\n  chip: h100-sxm\n  chips: 8.5\n": "line 3: field chips: got 8.5, want a whole number",
		"simulate:\n  chip: h100-sxm\n  chips: [8]\n": "line 3: field chips: got a list, want a whole number",
		"simulate:\n  chip: h100-sxm\n  rate: fast\n": "line 3: field rate: got fast, want a number",
	} {
		_, err := SimulateScenario("s.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// A stage with tp and ep unset is the most devices up to one scale-up
// node's that divide the devices over pp (a dense model's tp: defaultTP); no layout may leave devices
// idle, stated dp included (QA: --chips 8 --attention-dp 3 took tp 2,
// instances of 6 devices, and divided per-chip figures by 6; --tp 2 --dp
// 2 on 8 devices served on 4 and said 8).
func TestServeParallelFill(t *testing.T) {
	dense := llm.Model{Heads: 64, KVHeads: 8, Attention: llm.GQA}
	moe := dense
	moe.MoE = &llm.MoEConfig{Experts: 64}
	for _, c := range []struct {
		p             ServeParallel
		devices, node int
		m             llm.Model
		tp, ep        int
		field         string
	}{
		{ServeParallel{PP: 1}, 16, 8, dense, 8, 1, ""},
		{ServeParallel{PP: 1}, 4, 8, dense, 4, 1, ""},
		{ServeParallel{PP: 2}, 8, 8, dense, 4, 1, ""},
		{ServeParallel{PP: 1}, 32, 8, moe, 1, 8, ""},
		{ServeParallel{PP: 1}, 12, 8, dense, 4, 1, ""}, // tp 4 (8 would leave 4 idle; 6 does not divide 64 heads)
		{ServeParallel{PP: 1}, 12, 8, moe, 1, 6, ""},
		{ServeParallel{PP: 3}, 8, 8, dense, 0, 0, "parallel.pp"},                           // 3 stages of 2 leave 2 idle
		{ServeParallel{PP: 1, AttentionDP: 3}, 8, 8, dense, 0, 0, "parallel.attention_dp"}, // tp 2 × 3 = 6 of 8
		{ServeParallel{PP: 1, AttentionDP: 3}, 12, 8, dense, 2, 1, ""},
		{ServeParallel{PP: 1, AttentionDP: 2}, 8, 8, moe, 0, 8, ""},
		{ServeParallel{TP: 4, PP: 1}, 6, 8, dense, 4, 0, "parallel.tp"},
		{ServeParallel{TP: 4, PP: 1, DP: 1}, 6, 8, dense, 4, 0, "parallel.dp"},
		{ServeParallel{TP: 2, PP: 1, DP: 2}, 8, 8, dense, 2, 0, "parallel.dp"},
		{ServeParallel{TP: 2, PP: 1, DP: 4}, 8, 8, dense, 2, 0, ""},
		{ServeParallel{TP: 2, PP: 3}, 8, 8, dense, 2, 0, "parallel.tp"},
		{ServeParallel{EP: 7}, 8, 8, moe, 0, 7, "parallel.ep"},
	} {
		got, err := c.p.fill(c.devices, c.node, c.m)
		var fe *input.Error
		switch {
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("%+v on %d devices: error %v, want one naming %s", c.p, c.devices, err, c.field)
		case c.field == "" && (err != nil || got.TP != c.tp || got.EP != c.ep):
			t.Errorf("%+v on %d devices (node %d, moe %v): tp %d ep %d (%v), want tp %d ep %d", c.p, c.devices, c.node, c.m.MoE != nil, got.TP, got.EP, err, c.tp, c.ep)
		}
	}
}

// The simulate text says why a cost is missing: a chip without a rental
// price in the catalog served tokens, or nothing was produced.
func TestSimCostReason(t *testing.T) {
	for _, c := range []struct {
		out, perHour float64
		want         string
	}{
		{100, 0, "the catalog has no rental price for this chip"},
		{0, 2, "no output token was produced"},
	} {
		var b strings.Builder
		r := serve.Result{Throughput: serve.Throughput{OutputTokensPerS: c.out}, Cost: serve.Cost{Chips: 8, USDPerHour: c.perHour}}
		writeSimResult(&b, SimPoint{Result: &r}, serve.SLO{}, nil)
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("output %g tokens/s at $%g/h: %q, want it to say %q", c.out, c.perHour, b.String(), c.want)
		}
	}
}

// Each pool says how the serving estimator scores on published runs: an
// offline arrival takes the offline-benchmark regime, a Poisson one the
// regime of runs under latency, and serve-estimate's header the latter.
func TestPoolsScored(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arrival, want string
	}{{serve.Offline, "nvidia-moe-serving-offline"}, {serve.Poisson, "nvidia-moe-serving"}} {
		r := NewSimulateRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.EP, r.Precision = "deepseek-v3", "h100-sxm", 16, 16, "fp8"
		r.Workload.Arrival, r.Workload.Requests = c.arrival, 10
		s, err := r.Setup(cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc := s.Pools[0].Scored; sc == nil || sc.ID != c.want || sc.Text == "" {
			t.Errorf("%s arrival: pool scored %+v, want regime %s with its summary", c.arrival, sc, c.want)
		}
	}
	r := NewServeRequest()
	r.Model, r.Chip, r.Chips, r.Parallel.EP, r.Precision = "deepseek-v3", "h100-sxm", 16, 16, "fp8"
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	if h := s.Header(); h.Scored == nil || h.Scored.ID != "nvidia-moe-serving" {
		t.Errorf("serve-estimate header scored %+v, want nvidia-moe-serving", h.Scored)
	}
	// A pool served by an engine with its own regime takes it, whatever
	// the arrival: vllm on two 910B is scored on GPUStack's vLLM-Ascend rows.
	for _, arrival := range []string{serve.Offline, serve.Poisson} {
		r := NewSimulateRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.TP, r.Framework = "qwen3-30b-a3b", "ascend-910b", 2, 2, "vllm"
		r.Workload.Arrival, r.Workload.Requests = arrival, 10
		s, err := r.Setup(cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc := s.Pools[0].Scored; sc == nil || sc.ID != "huawei-moe-serving-offline" {
			t.Errorf("%s arrival, vllm on 910B: pool scored %+v, want huawei-moe-serving-offline", arrival, sc)
		}
	}
}

// Each pool says how the named software mapped onto its serving profile,
// as serve-estimate's stack_note: a TensorRT-LLM release before 0.7.0
// names the engine's era before XQA, in both pools of a disaggregated
// deployment; a plain engine name maps directly and says nothing.
func TestPoolsStackNote(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		framework string
		era       bool
	}{{"tensorrt-llm 0.5.0", true}, {"tensorrt-llm", false}} {
		r := NewSimulateRequest()
		r.Model, r.Chip, r.Chips, r.Parallel.TP, r.Precision, r.Framework = "llama2-70b", "h200-sxm", 4, 4, "fp8", c.framework
		r.Prefill.Chips = 4
		r.Workload.Arrival, r.Workload.Requests = serve.Offline, 10
		s, err := r.Setup(cat, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Pools) != 2 {
			t.Fatalf("%q: %d pools, want prefill and decode", c.framework, len(s.Pools))
		}
		for _, p := range s.Pools {
			if era := strings.Contains(p.StackNote, "before v0.7"); era != c.era {
				t.Errorf("%q: pool %s note %q; want the era before XQA named: %v", c.framework, p.Name, p.StackNote, c.era)
			}
			if !c.era && p.StackNote != "" {
				t.Errorf("%q: pool %s note %q, want none", c.framework, p.Name, p.StackNote)
			}
		}
	}
}

// The engine's configured limits replace its documented defaults: on one
// H100 with TensorRT-LLM (max_batch_size 2048 by default) and Llama 3.1 8B
// at 128+128 tokens, whose KV cache holds thousands of sequences,
// max_seqs 100 makes 100 the largest batch, 2,000 is refused naming the
// stated limit, and max_seqs 3000 admits what the default refused.
func TestServeStatedEngineLimits(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	req := func(maxSeqs int, batches ...int) ServeRequest {
		r := NewServeRequest()
		r.Chip, r.Chips, r.Framework, r.Model, r.Precision = "h100-sxm", 1, "tensorrt-llm", "llama3.1-8b", "fp8"
		r.Workload, r.MaxSeqs, r.Batches = ServeWorkload{Input: 128, Output: 128}, maxSeqs, batches
		return r
	}
	s, err := req(100).Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Serve(s)
	if err != nil {
		t.Fatal(err)
	}
	if last := e.Curve[len(e.Curve)-1].Batch; last != 100 || e.Best == nil || e.Best.Batch > 100 {
		t.Errorf("max_seqs 100: curve ends at batch %d, best %+v; want 100 and a best within it", last, e.Best)
	}
	s, err = req(100, 2000).Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Serve(s); err == nil || !strings.Contains(err.Error(), "stated: max_seqs 100") {
		t.Errorf("batch 2000 under max_seqs 100: err = %v, want a refusal naming the stated limit", err)
	}
	for _, c := range []struct{ maxSeqs, batch int }{{0, 3000}, {3000, 3000}} {
		s, err := req(c.maxSeqs, c.batch).Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Serve(s)
		if refused := err != nil; refused != (c.maxSeqs == 0) {
			t.Errorf("batch %d with max_seqs %d: err = %v; want a refusal only at the default 2048", c.batch, c.maxSeqs, err)
		}
	}
	r := req(-1)
	if _, err := r.Setup(cat); err == nil || !strings.Contains(err.Error(), "max_seqs") {
		t.Errorf("max_seqs -1: err = %v, want one naming max_seqs", err)
	}
	// A stated budget is per instance, and each attention group takes its
	// share: gpt-oss-120b at EP 8 on 8 B200 runs 8 attention groups (an
	// unstated attention_dp, max(tp, ep)/tp), so 4,096 tokens a step are
	// 512 a group. It was applied whole to each group, admitting 8×.
	moe := NewServeRequest()
	moe.Chip, moe.Chips, moe.Model, moe.MaxBatchTokens, moe.Batches = "b200", 8, "gpt-oss-120b", 4096, []int{8180}
	if s, err = moe.Setup(cat); err != nil {
		t.Fatal(err)
	}
	if _, err := Serve(s); err == nil || !strings.Contains(err.Error(), "max_tokens 512 (stated: max_batch_tokens 4096 per instance over 8 attention groups)") {
		t.Errorf("max_batch_tokens 4096 over 8 groups: err = %v, want the 512-token share named", err)
	}
}

// A batch the KV cache cannot hold is refused with the pool's sizing and
// its source: on 8 910B (64 GiB each) Llama 3.1 70B in BF16 at TP 8 keeps
// 0.8 of what its 17.6 GB of weights per device and MindIE's 5 GB leave.
func TestServeKVRefusalNamesSizing(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewServeRequest()
	r.Chip, r.Chips, r.Model, r.Parallel.TP = "ascend-910b", 8, "llama3.1-70b", 8
	r.Workload, r.Batches = ServeWorkload{Input: 2048, Output: 512}, []int{1000}
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Serve(s)
	for _, want := range []string{"KV cache", "memory_fraction 0.8", "5 GB reserved", "npuMemSize"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("batch 1000 on 8 910B: err = %v, want one naming %q", err, want)
		}
	}
}

// A stated limit per instance is split over its attention-DP groups,
// rounded down: max_seqs 100 over 8 groups is 12 a group, 96 in all.
func TestServeStatedLimitsSplitOverGroups(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewServeRequest()
	r.Chip, r.Chips, r.Framework, r.Model, r.Precision = "h200-sxm", 8, "tensorrt-llm", "deepseek-v3", "fp8"
	r.Parallel.TP, r.Parallel.EP, r.Parallel.AttentionDP = 1, 8, 8
	r.Workload, r.MaxSeqs = ServeWorkload{Input: 1000, Output: 1000}, 100
	e, _ := serveCurveText(t, cat, r)
	if last := e.Curve[len(e.Curve)-1].Batch; last != 96 {
		t.Errorf("max_seqs 100 over 8 attention groups: curve ends at batch %d, want 96", last)
	}
}

// serve-estimate names the engine whose limits apply and is scored on
// that engine's runs: vllm on a 910B is vllm-ascend, scored on GPUStack's
// vLLM-Ascend rows; with no framework named, the stack's defaults and the
// CloudMatrix regime.
func TestServeScoredByEngine(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ framework, engine, regime string }{
		{"vllm", "vllm-ascend", "huawei-moe-serving-offline"},
		{"", "", "huawei-moe-serving"},
	} {
		r := NewServeRequest()
		r.Chip, r.Chips, r.Framework, r.Model, r.Batches = "ascend-910b", 2, c.framework, "qwen3-30b-a3b", []int{8}
		r.Parallel.TP = 2
		e, text := serveCurveText(t, cat, r)
		if e.Engine != c.engine || e.Scored == nil || e.Scored.ID != c.regime ||
			c.engine != "" && !strings.Contains(text, "stack cann (engine "+c.engine+")") {
			t.Errorf("framework %q: engine %q, regime %v, text %.120q; want engine %q scored by %s", c.framework, e.Engine, e.Scored, text, c.engine, c.regime)
		}
	}
}

// A deployment no regime scores says so rather than print nothing: dense
// serving on a 910B with the stack's defaults (the only Ascend dense
// serving regime is vLLM-Ascend's).
func TestServeUnscoredSaysSo(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := NewServeRequest()
	r.Chip, r.Chips, r.Model, r.Batches = "ascend-910b", 1, "llama3.1-8b", []int{8}
	e, text := serveCurveText(t, cat, r)
	want := "scored on published runs: " + catalog.Unscored("inference")
	if e.Scored != nil || !strings.Contains(text, want) || !strings.Contains(want, "serving engine") {
		t.Errorf("scored %+v, text %.300q; want no regime and the line %q", e.Scored, text, want)
	}
}

// serveCurveText is r's serving curve and the text serve-estimate prints
// for it.
func serveCurveText(t *testing.T, cat *catalog.Catalog, r ServeRequest) (ServeEstimate, string) {
	t.Helper()
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Serve(s)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return e, b.String()
}

// A serve estimate says where block-scaled FP8 ran: DeepSeek-V3 in FP8 on
// H100 (a fine-grained MoE model on a chip without FP4) at the cuda
// stack's fp8_block_scale, the same on B200 (block scales in its tensor
// cores) and a dense model at the per-tensor rate unless stated blockwise.
func TestServeSaysFP8Blocks(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	chip, err := cat.Chip("h100-sxm")
	if err != nil {
		t.Fatal(err)
	}
	stack, _, err := cat.InferenceProfile("cuda", chip)
	if err != nil {
		t.Fatal(err)
	}
	want := stack.Params.FP8BlockScale.Value
	if !(want > 0 && want < 1) {
		t.Fatalf("cuda fp8_block_scale = %g, want a fraction below 1", want)
	}
	for _, c := range []struct {
		model, chip, recipe string
		chips               int
		want                float64
	}{
		{"deepseek-v3", "h100-sxm", "", 16, want},
		{"deepseek-v3", "h100-sxm", "tensorwise", 16, 0},
		{"deepseek-v3", "b200", "", 8, 0},
		{"llama3.1-8b", "h100-sxm", "", 1, 0},
		{"llama3.1-8b", "h100-sxm", "blockwise", 1, want},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Precision, r.FP8Recipe = c.model, c.chip, c.chips, "fp8", c.recipe
		r.Workload.Input, r.Workload.Output = 1000, 100
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatalf("%s on %s: %v", c.model, c.chip, err)
		}
		if got := s.base().FP8BlockScale; got != c.want {
			t.Errorf("%s on %s, recipe %q: fp8_block_scale %g, want %g", c.model, c.chip, c.recipe, got, c.want)
		}
	}
}

// A deployment on TensorRT-LLM with FP8 or FP4 weights or an FP8 KV cache
// says its prompt attention runs in FP8 at the engine's rate (1.62); one
// with 16-bit weights and cache, or on the stack's defaults (no engine
// named), does not; the text header says so where it does.
func TestServeSaysFP8PromptAttention(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		software, precision, kv string
		want                    float64
	}{
		{"tensorrt-llm", "fp8", "", 1.62},
		{"tensorrt-llm", "bf16", "fp8", 1.62},
		{"tensorrt-llm", "bf16", "", 0},
		{"", "fp8", "", 0},
		{"vllm", "fp8", "", 0},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Framework, r.Precision, r.KVPrecision = "llama3.1-8b", "h100-sxm", 1, c.software, c.precision, c.kv
		r.Workload.Input, r.Workload.Output = 1000, 100
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		e := s.base()
		if e.FP8ContextAttention != c.want {
			t.Errorf("%+v: fp8_context_attention %g, want %g", c, e.FP8ContextAttention, c.want)
		}
		var b strings.Builder
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if says := strings.Contains(b.String(), "prompt attention in FP8"); says != (c.want > 0) {
			t.Errorf("%+v: header says prompt attention in FP8: %v, want %v", c, says, c.want > 0)
		}
	}
}

// A chip with a TDP and a rental rate but no price (the H800) is priced
// rented, with its energy, and says why it has no owned cost (QA: "no
// cost: ... has no price or TDP in chips.yaml" though chips.yaml gives a
// 700 W TDP and $2/h). The figures are worked from the catalog's typical
// values: $2/h over the best point's tokens per chip-hour; the wall power
// TDP × load × server multiplier × the us region's PUE over the rate.
func TestServeCostWithoutPrice(t *testing.T) {
	cat := testCatalog(t)
	r := NewServeRequest()
	r.Model, r.Chip, r.Chips = "llama3.1-8b", "h800-sxm", 1
	e := serveEstimate(t, cat, r)
	c := e.Cost
	if c == nil || c.Rental == nil || c.Owned != nil || !strings.Contains(e.CostNote, "h800-sxm has no price in chips.yaml") {
		t.Fatalf("H800 cost %+v, note %q; want rented only, the note naming the missing price", c, e.CostNote)
	}
	ch, _ := cat.Chip("h800-sxm")
	data, _ := cat.Econ()
	us, _ := data.Region("us")
	rate := e.Best.OutputPerChip
	wall := float64(ch.TDP.Typ) * float64(data.Power.Load.Typ) * float64(data.Power.ServerMultiplier.Typ) * float64(us.PUE.Typ)
	if want := 2 / (rate * 3600) * 1e6; math.Abs(float64(c.Rental.USDPerMillion)/want-1) > 1e-9 {
		t.Errorf("rented $%v per million, want $%.6g at $2/h and %.1f tokens/s", c.Rental.USDPerMillion, want, rate)
	}
	if want := wall / rate; math.Abs(float64(c.Rental.JoulesPerToken)/want-1) > 1e-9 {
		t.Errorf("energy %v J per token, want %.6g (%.0f W at the wall)", c.Rental.JoulesPerToken, want, wall)
	}
	var b strings.Builder
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "Cost per million output tokens: rented $") || !strings.Contains(out, "no owned cost: ") {
		t.Errorf("text lacks the rented cost or the owned cost's note:\n%s", out)
	}
}

// Energy per token needs the chip's power alone, not a price: the B300,
// Gaudi 2 and MI350X have a TDP in chips.yaml but neither a price nor a
// rental rate, and had no energy figure. By hand from the catalog: wall
// power = TDP × load 0.75 × server multiplier 1.8 × PUE 1.1 (econ.yaml,
// region us): B300 1100 W → 1633.5 W, Gaudi 2 600 W → 891 W, MI350X
// 1000 W → 1485 W; energy per token = wall ÷ output tokens/s per chip.
// The note names both missing costs and why; text and JSON carry it; the
// H100, priced, carries the same energy as its cost.
func TestServeEnergyWithoutPrice(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		chip string
		wall float64
	}{{"b300", 1633.5}, {"gaudi2", 891}, {"mi350x", 1485}, {"h100-sxm", 700 * 0.75 * 1.8 * 1.1}} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips = "llama3.1-8b", c.chip, 1
		e := serveEstimate(t, cat, r)
		if e.Energy == nil {
			t.Errorf("%s: no energy (note %q)", c.chip, e.CostNote)
			continue
		}
		rate := e.Best.OutputPerChip
		if math.Abs(float64(e.Energy.Wall)/c.wall-1) > 1e-9 || math.Abs(float64(e.Energy.JoulesPerToken)/(c.wall/rate)-1) > 1e-9 {
			t.Errorf("%s: %v per token at %v, want %.6g J at %.1f W and %.1f tokens/s", c.chip, e.Energy.JoulesPerToken, e.Energy.Wall, c.wall/rate, c.wall, rate)
		}
		var b strings.Builder
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal(e)
		if !strings.Contains(string(js), fmt.Sprintf(`"energy":{"joules_per_token":%v,"wall_watts_per_chip":%v}`, float64(e.Energy.JoulesPerToken), float64(e.Energy.Wall))) {
			t.Errorf("%s: JSON lacks the energy:\n%s", c.chip, js)
		}
		if c.chip == "h100-sxm" {
			if e.Cost == nil || e.Cost.Owned == nil || e.Cost.Owned.JoulesPerToken != e.Energy.JoulesPerToken {
				t.Errorf("h100: cost %+v beside energy %+v", e.Cost, e.Energy)
			}
			continue
		}
		line := fmt.Sprintf("Energy per output token: %v (%v per chip at the wall)\n", e.Energy.JoulesPerToken, e.Energy.Wall)
		note := "no cost: no owned cost (catalog: chip " + c.chip + " has no price in chips.yaml: an owned chip-hour needs one) and no rented cost (the chip has no rental rate in chips.yaml)"
		if e.Cost != nil || e.CostNote != note || !strings.Contains(b.String(), line+"Cost: "+note+"\n") {
			t.Errorf("%s: cost %+v, note %q; want none, %q, and in the text %q:\n%s", c.chip, e.Cost, e.CostNote, note, line, b.String())
		}
	}
}

// Serving software names a user gives: an unknown framework is refused on
// field framework with the closest name (QA: --software vlm served on the
// default stack with exit 0; simulate --software sglnag likewise), and so
// is another platform's stack id; a release, the chip's own stack id and
// a framework that does not run on the chip (it falls back, saying so)
// keep working.
func TestServeSoftwareNames(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		chip, framework, want string // want: the error's end, or "" for none
	}{
		{"h100-sxm", "vlm", "did you mean vllm?"}, // not xla, two edits of three letters (catalog.TestSuggestOnlyClose)
		{"h100-sxm", "cann", "want cuda or one of its frameworks deepseek-infer, lmdeploy, sglang, tensorrt-llm, trtllm, vllm"},
		{"h100-sxm", "vllm 0.11.0", ""},
		{"h100-sxm", "cuda", ""},
		{"ascend-910b", "tensorrt-llm", ""},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Framework = "llama3.1-8b", c.chip, 1, c.framework
		_, err := r.Setup(cat)
		var ie *input.Error
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s on %s: %v", c.framework, c.chip, err)
		case c.want != "" && (!errors.As(err, &ie) || ie.Field != "framework" || !strings.HasSuffix(ie.Want, c.want)):
			t.Errorf("%s on %s: %v, want a framework error ending %q", c.framework, c.chip, err, c.want)
		}
	}
	r := NewSimulateRequest()
	r.Model, r.Chip, r.Chips, r.Framework = "llama3.1-8b", "h100-sxm", 1, "sglnag"
	_, err := r.Setup(cat, nil)
	var ie *input.Error
	if !errors.As(err, &ie) || ie.Field != "framework" || !strings.HasSuffix(ie.Want, "did you mean sglang?") {
		t.Errorf("simulate --software sglnag: %v, want a framework error", err)
	}
}

// A stack id given for a deployment that mixes chips is checked against
// its chips together (review: prefill on an MI300X, decode on an H100
// with --software cuda was refused, as each pool checked it alone): it
// runs where some chip takes it, the other pool falling back with its
// note, and is refused where none does.
func TestSimulateSoftwareAcrossPools(t *testing.T) {
	cat := testCatalog(t)
	setup := func(framework string) (SimulateSetup, error) {
		r := NewSimulateRequest()
		r.Model, r.Chip, r.Chips, r.Framework, r.Mode = "llama3.1-8b", "h100-sxm", 1, framework, "disaggregated"
		r.Prefill.Chip = "mi300x"
		return r.Setup(cat, nil)
	}
	s, err := setup("cuda")
	if err != nil {
		t.Fatalf("cuda over mi300x and h100-sxm: %v", err)
	}
	if len(s.Pools) != 2 || !strings.Contains(s.Pools[0].StackNote, "rocm") || s.Pools[1].StackNote != "" {
		t.Errorf("pools %+v: want the mi300x prefill pool's fallback to rocm noted, the h100 pool's none", s.Pools)
	}
	_, err = setup("cann")
	var ie *input.Error
	if !errors.As(err, &ie) || ie.Field != "framework" {
		t.Errorf("cann over mi300x and h100-sxm: %v, want a framework error", err)
	}
}

// Each serving endpoint refuses the other's batch field, which it would
// ignore (QA: /api/infer/curve answered the same with "batch": 16, and
// /api/infer/estimate with "batches": [1,2,4]).
func TestServeBatchFieldsPerEndpoint(t *testing.T) {
	cat := testCatalog(t)
	setup := func(batch int, batches []int) ServeSetup {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Batch, r.Batches = "llama3.1-8b", "h100-sxm", 1, batch, batches
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	field := func(err error) string {
		var ie *input.Error
		if errors.As(err, &ie) {
			return ie.Field
		}
		return fmt.Sprint(err)
	}
	if _, err := Serve(setup(16, nil)); field(err) != "batch" || !strings.Contains(err.Error(), "POST /api/infer/estimate") {
		t.Errorf("curve with batch 16: %v, want a batch error", err)
	}
	if _, err := Serve(setup(16, nil)); field(err) != "batch" {
		t.Errorf("serve-estimate with batch 16: %v, want a batch error", err)
	}
	if _, err := ServePointOf(setup(0, []int{1, 2, 4})); field(err) != "batches" || !strings.Contains(err.Error(), "POST /api/infer/curve") {
		t.Errorf("estimate with batches: %v, want a batches error", err)
	}
	if p, err := ServePointOf(setup(16, nil)); err != nil || p.Point.Batch != 16 {
		t.Errorf("estimate at batch 16: batch %d, %v", p.Point.Batch, err)
	}
	if c, err := Serve(setup(0, []int{1, 2, 4})); err != nil || len(c.Curve) != 3 {
		t.Errorf("curve over 1,2,4: %d points, %v", len(c.Curve), err)
	}
}

// A stated batch in disaggregated mode has no price: the pools are sized
// at their best under the SLO, and pricing the stated batch at their rate
// over both pools would not be its price (review: batch 0, 8 and 64 all
// gave $1.013/Mtok rented while the range moved 20×). Batch 0 keeps the
// pools' price, which is Serve's.
func TestServePointDisaggBatchHasNoPoolsPrice(t *testing.T) {
	cat := testCatalog(t)
	setup := func(batch int) ServeSetup {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Precision, r.Mode, r.Batch = "llama3.1-70b", "h100-sxm", 8, "fp8", "disagg", batch
		r.Parallel.TP = 8
		r.SLO = ServeSLO{TPOT: 0.05, TTFT: 2}
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	best, err := ServePointOf(setup(0))
	if err != nil || best.Cost == nil || best.Cost.Rental == nil || best.Disagg == nil {
		t.Fatalf("batch 0: cost %+v, disagg %+v, %v", best.Cost, best.Disagg, err)
	}
	curve, err := Serve(setup(0))
	if err != nil || curve.Cost == nil || curve.Cost.Rental.USDPerMillion != best.Cost.Rental.USDPerMillion {
		t.Errorf("batch 0 rented %v, curve's %+v (%v): want the same price", best.Cost.Rental.USDPerMillion, curve.Cost, err)
	}
	for _, b := range []int{8, 64} {
		p, err := ServePointOf(setup(b))
		if err != nil {
			t.Fatalf("batch %d: %v", b, err)
		}
		want := fmt.Sprintf("no cost or energy: the pools are sized at their best under the SLO, not at batch %d", b)
		if p.Cost != nil || p.Energy != nil || !strings.HasPrefix(p.CostNote, want) {
			t.Errorf("batch %d: cost %+v, energy %+v, note %q: want none, with %q", b, p.Cost, p.Energy, p.CostNote, want)
		}
	}
}
