package calc

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/units"
)

// ServeDeployment is what serves: the part every serving request shares
// (ServeRequest, SimulateRequest; `chipgap serve-estimate` and
// `chipgap simulate`, POST /api/infer/* and /api/serve/simulate).
type ServeDeployment struct {
	Model          string `json:"model" help:"model preset id (see 'chipgap models')"`
	Chip           string `json:"chip" help:"chip id (see 'chipgap chips')"`
	Chips          int    `json:"chips" help:"chips (packages) in the deployment (or its decode pool)"`
	ChipsPerNode   int    `json:"chips_per_node" help:"scale-up domain size (0 = the chip's usual)"`
	DevicesPerChip int    `json:"devices_per_chip" help:"devices the software sees per package (0 = the catalog's; 910C: 2)"`
	// Framework is a framework name or a serving-stack id ("" = the chip's stack).
	Framework string        `json:"framework" flag:"software" help:"framework or stack (tensorrt-llm, vllm, sglang, cloudmatrix-infer, mindie, ...; default: the chip's stack), with an optional release ('vllm 0.6.3', 'tensorrt-llm 0.5.0') that takes the engine's limits and decode kernel of that era"`
	Parallel  ServeParallel `json:"parallel"`
	// ExpertImbalance is the hottest device's expert load over the mean
	// (at least 1; 0 = the stack's, with its balancer).
	ExpertImbalance float64 `json:"expert_imbalance" help:"hottest device's expert load over the mean, at least 1 (1 = a perfect balancer; 0 = the stack's, with its EPLB)"`
	// Balancer says whether the engine balances expert load ("eplb"),
	// does not ("none": the routing's own skew), or "" as the engine's
	// default does.
	Balancer  string `json:"balancer" help:"expert balancer: eplb (redundant experts; the stack's residual imbalance), none (the routing's own skew, e.g. TensorRT-LLM's default) or empty for the engine's default"`
	Precision string `json:"precision" help:"weights and matmuls: bf16, fp16, fp8, int8 or fp4"`
	// FP8Recipe states how FP8 weights are scaled ("" = the model's
	// published checkpoints: block-wise for a fine-grained MoE model).
	FP8Recipe   string           `json:"fp8_recipe" help:"precision fp8: tensorwise (one scale per tensor, NVIDIA's ModelOpt checkpoints) or blockwise (128 x 128 weight blocks, DeepSeek-V3/R1's and Qwen3's FP8 releases: on a chip without FP4, Hopper, its GEMMs run at the stack's measured block-wise rate); empty: blockwise for a fine-grained MoE model (the stack's routing_min_experts routed experts or more), tensorwise otherwise"`
	KVPrecision string           `json:"kv_precision" help:"KV cache precision: bf16, fp16, fp8, int8 or fp4 (fp4 with fp4 weights; default: as --precision, fp8 for fp4 weights)"`
	Speculative ServeSpeculative `json:"speculative" flag:"spec-"`
	// MaxSeqs and MaxBatchTokens are the engine's configured limits per
	// instance (vLLM's max_num_seqs and max_num_batched_tokens,
	// TensorRT-LLM's max_batch_size and max_num_tokens), 0 for the
	// engine's documented defaults.
	MaxBatchTokens int `json:"max_batch_tokens" help:"the engine's token budget per step per instance (0 = the engine's default)"`
	MaxSeqs        int `json:"max_seqs" help:"the engine's running sequences per instance (0 = the engine's default, else the KV cache)"`
	// Window states a sliding window on the model (0: the model's own).
	Window
	// lines: the request file lines that set its fields (LineOf).
	lines fileLines
}

// ServeParallel is an instance's layout in devices (a 910C package is
// two). TP and EP both 0 (and no attention_dp): a stage is the most
// devices, up to one scale-up node's, that divide the devices over pp,
// tensor-parallel for a dense model (up to maxDefaultTP devices and a
// degree its heads allow that divides the devices: defaultTP),
// expert-parallel for an MoE model; where the weights
// leave that instance no room for a KV cache it doubles (widened) while
// the devices allow: EP across nodes for an MoE model, pipeline stages
// for a dense one.
type ServeParallel struct {
	TP          int `json:"tp" help:"tensor-parallel degree in devices (0 with ep 0: a stage of up to one scale-up node's devices dividing the devices, at most 8 for a dense model, doubled where the weights need more)"`
	PP          int `json:"pp" help:"pipeline stages"`
	EP          int `json:"ep" help:"expert-parallel degree in devices"`
	DP          int `json:"dp" help:"instances (0 = the devices over an instance's; stated, they must fill the devices)"`
	AttentionDP int `json:"attention_dp" help:"attention data-parallel groups per instance (tp × attention-dp = devices of a stage; 0 = what tp and ep leave)"`
}

// ServeSpeculative is draft (or MTP) decoding.
type ServeSpeculative struct {
	Tokens     int     `json:"tokens" help:"speculative / MTP draft tokens per step"`
	Acceptance float64 `json:"acceptance" help:"acceptance rate of each draft token"`
}

// maxSLO bounds a latency bound (TTFT, TPOT) or a link latency: a day (a
// time.Duration wraps around past about 292 years).
const maxSLO units.Seconds = 86400

// defaultServeDeployment is the deployment part's defaults.
func defaultServeDeployment() ServeDeployment {
	return ServeDeployment{Chips: 8, Parallel: ServeParallel{PP: 1}, Precision: "bf16", Speculative: ServeSpeculative{Acceptance: 0.7}}
}

func (p ServeParallel) inference() inference.Parallel {
	return inference.Parallel{TP: p.TP, PP: p.PP, EP: p.EP, DP: p.DP, AttentionDP: p.AttentionDP}
}

// check applies the deployment's own limits (those that need no catalog).
func (d ServeDeployment) check() error {
	p := d.Parallel
	if err := nonNegative(intField{"chips_per_node", d.ChipsPerNode}, intField{"devices_per_chip", d.DevicesPerChip},
		intField{"max_batch_tokens", d.MaxBatchTokens}, intField{"max_seqs", d.MaxSeqs},
		intField{"parallel.tp", p.TP}, intField{"parallel.pp", p.PP}, intField{"parallel.ep", p.EP}, intField{"parallel.dp", p.DP},
		intField{"parallel.attention_dp", p.AttentionDP}); err != nil {
		return err
	}
	if d.DevicesPerChip > input.MaxDevicesPerChip {
		return bad("devices_per_chip", d.DevicesPerChip, "want 1 to %d (0: the chip's own)", input.MaxDevicesPerChip)
	}
	if x := d.ExpertImbalance; x != 0 && !(x >= 1 && x <= maxExpertImbalance) {
		return bad("expert_imbalance", x, "want 1 to %d (the hottest device's expert load over the mean; 1 = perfectly balanced), or 0 for the stack's", maxExpertImbalance)
	}
	if b := d.Balancer; b != "" && b != inference.BalancerEPLB && b != inference.BalancerNone {
		return bad("balancer", b, inference.BalancerWant)
	}
	if r := d.FP8Recipe; r != "" && r != inference.FP8Tensorwise && r != inference.FP8Blockwise {
		return bad("fp8_recipe", r, inference.FP8RecipeWant)
	}
	if p := cmp.Or(hardware.Precision(d.Precision), hardware.BF16); d.FP8Recipe != "" && p != hardware.FP8 {
		// As train words it: the recipe scales FP8 weights only.
		return bad("fp8_recipe", d.FP8Recipe, "applies to precision fp8 only (the deployment's is %s)", p)
	}
	if a := d.Speculative.Acceptance; !(a >= 0 && a <= 1) {
		// Checked with or without draft tokens: a value out of range is
		// wrong whether or not it is used.
		return bad("speculative.acceptance", a, "want a probability in [0, 1]")
	}
	if err := unusedIn(specRules, d, defaultServeDeployment(), stating{}); err != nil {
		// Ignored without draft tokens (the CLI refuses the flag
		// itself, a file or an API body the key at decoding,
		// unusedStated; here a value other than the default, or 0, as
		// a request built in Go states it).
		return err
	}
	for _, f := range []struct{ name, v string }{{"precision", d.Precision}, {"kv_precision", d.KVPrecision}} {
		if f.v == "" {
			continue
		}
		if _, err := hardware.ParsePrecisionOf(f.v, inference.Precisions()...); err != nil {
			return bad(f.name, f.v, "%v", err)
		}
	}
	return requireSystem(d.Model, d.Chip, d.Chips)
}

// resolve builds the estimator's deployment; note says how the stack was
// picked. with are the deployment's other chips (a disaggregated
// deployment's other pool): the framework is refused only where none of
// them, nor d.Chip, runs it; a pool whose chip does not falls back to its
// own stack, as its note says.
func (d ServeDeployment) resolve(cat *catalog.Catalog, with ...string) (inference.Deployment, string, error) {
	if err := d.check(); err != nil {
		return inference.Deployment{}, "", err
	}
	m, err := cat.Model(d.Model)
	if err != nil {
		return inference.Deployment{}, "", lookup("model", err)
	}
	if m, err = d.Window.apply(m); err != nil {
		return inference.Deployment{}, "", err
	}
	if err := d.moeFits(m); err != nil {
		return inference.Deployment{}, "", err
	}
	chip, err := cat.Chip(d.Chip)
	if err != nil {
		return inference.Deployment{}, "", lookup("chip", err)
	}
	if err := cat.CheckServingFrameworkOn(d.Framework, deploymentChips(cat, chip, with)); err != nil {
		return inference.Deployment{}, "", err
	}
	cl, err := cat.Cluster(d.Chip, d.Chips, catalog.ClusterOptions{ChipsPerNode: d.ChipsPerNode})
	if err != nil {
		return inference.Deployment{}, "", clusterError(err, d.Chips)
	}
	perChip := max(chip.DevicesPerChip, 1)
	if d.DevicesPerChip > 0 {
		perChip = d.DevicesPerChip
	}
	if err := catalog.CheckServingDegrees(m, d.Parallel.inference()); err != nil {
		return inference.Deployment{}, "", err // the model's own limits first: they say more
	}
	devices := d.Chips * perChip
	par, err := d.Parallel.fill(devices, cl.ChipsPerNode*perChip, m)
	if err != nil {
		return inference.Deployment{}, "", err
	}
	build := func(par inference.Parallel) (inference.Deployment, string, error) {
		return cat.Deployment(catalog.DeploymentOptions{Chip: d.Chip, Chips: d.Chips, ChipsPerNode: d.ChipsPerNode,
			DevicesPerChip: d.DevicesPerChip, Software: d.Framework, Model: m, Parallel: par, Precision: d.Precision,
			KVPrecision: d.KVPrecision, Speculative: inference.Speculative(d.Speculative), ExpertImbalance: d.ExpertImbalance})
	}
	dep, note, err := build(par)
	if err == nil && d.Parallel.TP == 0 && d.Parallel.EP == 0 && d.Parallel.AttentionDP == 0 && (m.MoE != nil || d.Parallel.PP <= 1) {
		dep, note = widened(dep, note, devices, m, build)
	}
	dep.Balancer, dep.FP8Recipe = d.Balancer, d.FP8Recipe
	if err == nil {
		// The attention groups the layout makes (an unstated
		// attention_dp is max(tp, ep)/tp), each taking its share.
		groups := max(dep.Parallel.AttentionDP, 1)
		kv, kerr := inference.KVCapacity(dep)
		switch {
		case kerr == nil:
			groups = max(kv.Groups, 1)
		case errors.Is(kerr, inference.ErrInstanceTooLarge):
			// The estimator's refusal, at once: it names the stated
			// degree to lower (its other refusals, weights that do not
			// fit, stay the estimate's).
			return dep, note, kerr
		}
		d.engineLimits(&dep.Profile, groups)
	}
	return dep, note, err
}

// deploymentChips are chip and the catalog chips of with (an unknown id
// is left to its own pool's lookup to refuse).
func deploymentChips(cat *catalog.Catalog, chip *hardware.Chip, with []string) []*hardware.Chip {
	chips := []*hardware.Chip{chip}
	for _, id := range with {
		if ch, err := cat.Chip(id); err == nil && ch.ID != chip.ID {
			chips = append(chips, ch)
		}
	}
	return chips
}

// moeFits refuses expert settings on a dense model (they would be
// ignored), in train's words.
func (d ServeDeployment) moeFits(m llm.Model) error {
	if m.MoE != nil {
		return nil
	}
	why := fmt.Sprintf("applies to MoE models; %s is dense (leave it unset)", m.Name)
	switch {
	case d.ExpertImbalance != 0:
		return bad("expert_imbalance", d.ExpertImbalance, "%s", why)
	case d.Balancer != "":
		return bad("balancer", d.Balancer, "%s", why)
	}
	return nil
}

// maxDefaultTP bounds the tensor-parallel degree a dense model's default
// stage takes on a scale-up domain larger than an 8-GPU node (NVL72, a
// TPU pod, CloudMatrix 384): every dense serving run in chipgap's files
// (runs/testdata, validation/: TensorRT-LLM's perf overview and the
// others) runs TP 1 to 8, and a TP beyond that splits a layer's GEMMs
// into slivers; the rest of the domain serves as further instances.
const maxDefaultTP = 8

// defaultTP is the tensor-parallel degree of a dense model's default
// stage of w devices (one node's, or all n devices of a pipeline stage
// when fewer): w up to maxDefaultTP, lowered to the largest degree that
// divides n (so that the instances fill the devices: none idles) and that
// the model's attention heads allow (catalog.CheckServingDegrees: TP
// divides the heads, and divides or is a multiple of the KV heads).
func defaultTP(w, n int, m llm.Model) int {
	for t := min(w, maxDefaultTP); t > 1; t-- {
		if n%t == 0 && catalog.CheckServingDegrees(m, inference.Parallel{TP: t}) == nil {
			return t
		}
	}
	return 1
}

// nextStages is the fewest pipeline stages above pp whose instances of
// tp × stages devices fill the devices (3 H100 hold Llama 3.1 70B as tp
// 1 × 3 stages, where doubling to 2 stages would leave one idle), or
// 2·pp, which the caller's divisibility check then refuses.
func nextStages(pp, tp, devices int) int {
	for q := pp + 1; tp*q <= devices; q++ {
		if devices%(tp*q) == 0 {
			return q
		}
	}
	return 2 * pp
}

// widened is the default layout (no tp, ep or attention_dp stated) grown
// until it holds the weights: a stage of one node's devices is the
// default, but a model whose weights leave that instance no room for its
// KV cache doubles it, expert parallelism across nodes for a MoE model
// (then, where it cannot double over the devices, the tensor parallelism
// of its attention and dense layers inside the expert group) and pipeline
// stages for a dense one (the fewest more that divide the devices) that states no more than one stage, as long as
// the instance divides the devices and the model's degree rules allow it
// (catalog.CheckServingDegrees). An instance that
// already fits, or one that cannot grow, is returned as it came, so the
// estimator's refusal names the layout tried.
func widened(dep inference.Deployment, note string, devices int, m llm.Model,
	build func(inference.Parallel) (inference.Deployment, string, error)) (inference.Deployment, string) {
	first := dep.Parallel
	for {
		if _, err := inference.KVCapacity(dep); !errors.Is(err, inference.ErrDoesNotFit) {
			break
		}
		par := dep.Parallel
		switch ep := par.EP * 2 * max(par.PP, 1); {
		case m.MoE == nil:
			par.PP = nextStages(max(par.PP, 1), max(par.TP, 1), devices)
		case ep <= devices && devices%ep == 0:
			par.EP *= 2
		default:
			// Expert parallelism cannot double over the devices:
			// split the replicated attention and dense weights over
			// tensor parallelism inside the expert group instead.
			par.TP *= 2
			if par.TP > par.EP || par.TP > maxDefaultTP {
				par.TP = 0 // no further split (at most a dense default's TP): stop below
			}
		}
		if par.TP == 0 {
			break
		}
		if per := max(par.TP, par.EP) * max(par.PP, 1); per > devices || devices%per != 0 || catalog.CheckServingDegrees(m, par) != nil {
			break
		}
		next, nnote, err := build(par)
		if err != nil {
			break
		}
		dep, note = next, nnote
	}
	if dep.Parallel != first {
		p := dep.Parallel
		note += fmt.Sprintf("; the default instance (tp=%d pp=%d ep=%d) leaves the weights no room for a KV cache: widened to tp=%d pp=%d ep=%d, %d devices an instance",
			first.TP, max(first.PP, 1), first.EP, p.TP, max(p.PP, 1), p.EP, max(p.TP, p.EP)*max(p.PP, 1))
	}
	return dep, note
}

// engineLimits puts the stated engine limits in place of the engine's
// defaults: per instance as stated, per attention group in the profile
// (each group's scheduler takes an equal share, rounded down so that the
// instance admits no more than stated), and named as stated in a
// refusal.
func (d ServeDeployment) engineLimits(p *inference.Profile, groups int) {
	if d.MaxSeqs == 0 && d.MaxBatchTokens == 0 {
		return
	}
	src := maps.Clone(p.LimitSources)
	if src == nil {
		src = map[string]string{}
	}
	if d.MaxSeqs > 0 {
		p.MaxBatch = max(d.MaxSeqs/groups, 1)
		src["max_batch"] = fmt.Sprintf("stated: max_seqs %d per instance over %d attention groups", d.MaxSeqs, groups)
	}
	if d.MaxBatchTokens > 0 {
		p.MaxTokens = max(d.MaxBatchTokens/groups, 1)
		src["max_tokens"] = fmt.Sprintf("stated: max_batch_tokens %d per instance over %d attention groups", d.MaxBatchTokens, groups)
	}
	p.LimitSources = src
}

// fill is the layout on devices (node of them in a scale-up domain):
// the stated degrees, or for TP and EP both unset a stage of the most
// devices up to one node's that divides the devices over pp (a dense
// model without attention_dp: defaultTP over one node's devices). Every device serves: an instance must
// divide the devices, and dp instances must fill them; a layout that
// leaves devices idle is refused, since the per-chip figures would count
// only the busy ones.
func (p ServeParallel) fill(devices, node int, m llm.Model) (inference.Parallel, error) {
	par := p.inference()
	if p.TP == 0 && p.EP == 0 {
		n := devices / max(p.PP, 1)
		switch w := stageWidth(n, node); {
		case m.MoE != nil:
			par.EP = w
			if p.AttentionDP == 0 {
				par.TP = 1
			}
		case p.AttentionDP > 0:
			par.TP, par.EP = max(w/p.AttentionDP, 1), 1
		default:
			par.TP, par.EP = defaultTP(max(min(node, n), 1), n, m), 1
		}
	}
	return par, p.idle(par, devices)
}

// stageWidth is the most devices, at most node, that divide n (at least 1).
func stageWidth(n, node int) int {
	for w := min(node, n); w > 1; w-- {
		if n%w == 0 {
			return w
		}
	}
	return 1
}

// idle refuses a layout par (p as stated, filled in) that leaves some of
// the devices without work: an instance that does not divide them, or dp
// instances that do not fill them. An instance larger than the devices,
// or more instances than fit, is the estimator's error.
func (p ServeParallel) idle(par inference.Parallel, devices int) error {
	width := max(par.TP, par.EP, 1)
	if a := par.AttentionDP; a > 0 {
		width = max(par.TP, par.EP/a, 1) * a
	}
	per := width * max(par.PP, 1)
	if per > devices || par.AttentionDP > 0 && par.TP == 0 && par.EP%par.AttentionDP != 0 {
		return nil // the estimator says what is wrong
	}
	layout := fmt.Sprintf("an instance of %d devices (tp %d, ep %d, attention_dp %d, pp %d)", per, max(par.TP, 1), max(par.EP, 1), max(par.AttentionDP, 1), max(par.PP, 1))
	if p.DP > 0 && p.DP <= devices/per && p.DP*per < devices {
		return bad("parallel.dp", p.DP, "%d instances %s use %d of the %d devices, leaving %d idle: want dp × an instance's devices = the devices, or dp 0 for as many instances as fit",
			p.DP, strings.TrimPrefix(layout, "an instance "), p.DP*per, devices, devices-p.DP*per)
	}
	if p.DP > 0 || devices%per == 0 {
		return nil
	}
	field, v := "parallel.tp", p.TP
	switch {
	case p.EP > p.TP:
		field, v = "parallel.ep", p.EP
	case p.TP > 0:
	case p.AttentionDP > 0:
		field, v = "parallel.attention_dp", p.AttentionDP
	default:
		field, v = "parallel.pp", p.PP
	}
	return bad(field, v, "%s leaves %d of the %d devices idle: want degrees whose instance divides the devices",
		layout, devices%per, devices)
}

// checkSLO checks latency bounds: 0 (none) to a day.
func checkSLO(fields ...secondsField) error {
	for _, f := range fields {
		if !(f.v >= 0 && f.v <= maxSLO) {
			return bad(f.name, fmt.Sprintf("%g s", float64(f.v)), "want 0 (no bound) to %g s", float64(maxSLO))
		}
	}
	return nil
}

// checkTPOT refuses a TPOT bound over inference.MaxTPOT, saying that a
// bare number is seconds (a file's tpot: 50 read as 50 s).
func checkTPOT(name string, v units.Seconds) error {
	if v > inference.MaxTPOT {
		return bad(name, fmt.Sprintf("%g s", float64(v)), "want 0 (no bound) to %v (a bare number is seconds: 50 ms is written 50ms)", inference.MaxTPOT)
	}
	return nil
}

type secondsField struct {
	name string
	v    units.Seconds
}

// estimatorFields maps the estimator's field names to a request's.
var estimatorFields = map[string]string{"input_tokens": "workload.input_tokens", "output_tokens": "workload.output_tokens"}

// renamed names an *input.Error's field by rename (the estimator's name
// → the request's path); any other error is returned as it is.
func renamed(err error, rename map[string]string) error {
	var fe *input.Error
	if !errors.As(err, &fe) {
		return err
	}
	to, ok := rename[fe.Field]
	if !ok {
		return err
	}
	c := *fe
	c.Field = to
	return &c
}

// prefixed puts prefix before the field of an error about one of fields
// (a path or a path's parent), as a nested pool's errors need.
func prefixed(prefix string, err error, fields ...string) error {
	var fe *input.Error
	if !errors.As(err, &fe) {
		return err
	}
	for _, f := range fields {
		if fe.Field == f || strings.HasPrefix(fe.Field, f+".") {
			c := *fe
			c.Field = prefix + fe.Field
			return &c
		}
	}
	return err
}

// region is the econ region: the request's, else china for an Ascend
// (Huawei) chip, else us.
func region(r, vendor string) string {
	switch {
	case r != "":
		return r
	case strings.Contains(strings.ToLower(vendor), "huawei"):
		return "china"
	}
	return "us"
}
