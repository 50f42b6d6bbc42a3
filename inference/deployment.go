package inference

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// Parallel is how one serving instance (one copy of the model) is split
// over devices. Degrees count devices (a 910C package is two devices).
//
// A stage of the pipeline is W = max(TP, EP) devices wide (TP ×
// AttentionDP when that is given). Attention and dense layers are
// tensor-parallel over TP and data-parallel over the W/TP attention groups
// (DeepSeek-style "DP attention": each group holds its own KV cache and
// batch); routed experts are spread over EP devices (each expert further
// split W/EP ways).
type Parallel struct {
	TP int `json:"tp"`
	PP int `json:"pp"`
	EP int `json:"ep"`
	// AttentionDP is the attention data-parallel groups of a stage (0:
	// what TP and EP leave, max(TP, EP)/TP). With it, TP × AttentionDP is
	// the stage width; TP left at 0 is EP/AttentionDP.
	AttentionDP int `json:"attention_dp,omitempty"`
	// DP is the number of instances the cluster holds (0: as many as fit).
	DP int `json:"dp"`
}

// Speculative is draft (or MTP) decoding: Tokens drafted per step, each
// accepted with probability Acceptance (given the previous ones were).
type Speculative struct {
	Tokens     int     `json:"tokens"`
	Acceptance float64 `json:"acceptance"`
}

// TokensPerStep is the expected tokens one verification step emits:
// (1 − α^(d+1))/(1 − α) (Leviathan et al. 2023, arXiv 2211.17192).
func (s Speculative) TokensPerStep() float64 {
	if s.Tokens <= 0 {
		return 1
	}
	a := s.Acceptance
	if a >= 1 {
		return float64(s.Tokens + 1)
	}
	p := 1.0
	for range s.Tokens + 1 {
		p *= a
	}
	return (1 - p) / (1 - a)
}

// Deployment is everything the per-step model needs: the model, the
// hardware (Cluster.Chips = chips of the whole deployment), the split,
// the precisions and the software stack's profile.
type Deployment struct {
	Model    llm.Model        `json:"model"`
	Cluster  hardware.Cluster `json:"cluster"`
	Parallel Parallel         `json:"parallel"`
	// Precision of weights and matmuls; KVPrecision of the KV cache
	// (default: Precision, or FP8 for FP4 weights).
	Precision   hardware.Precision `json:"precision"`
	KVPrecision hardware.Precision `json:"kv_precision"`
	Profile     Profile            `json:"profile"`
	Speculative Speculative        `json:"speculative"`
	// ExpertImbalance overrides the profile's expert imbalance (0: the
	// profile's, with the engine's balancer): 1 for a perfect balancer, a
	// measured hottest/mean ratio for routing without one.
	ExpertImbalance float64 `json:"expert_imbalance,omitempty"`
	// Balancer overrides whether the engine runs an expert balancer:
	// BalancerEPLB (the profile's ExpertImbalance applies), BalancerNone
	// (the routing's own skew), "" the profile's choice.
	Balancer string `json:"balancer,omitempty"`
	// FP8Recipe states how FP8 weights are scaled: FP8Tensorwise (one
	// scale per tensor: NVIDIA's ModelOpt checkpoints), FP8Blockwise (128 ×
	// 128 blocks: DeepSeek-V3/R1's and Qwen3's FP8 releases), or "" for
	// the model's published checkpoints as blockScaledFP8 takes them.
	FP8Recipe string `json:"fp8_recipe,omitempty"`
}

// The FP8 weight scalings a deployment may state (Deployment.FP8Recipe).
const (
	FP8Tensorwise = "tensorwise"
	FP8Blockwise  = "blockwise"
)

// FP8RecipeWant is what Deployment.FP8Recipe may be.
const FP8RecipeWant = `want "tensorwise" (one scale per tensor), "blockwise" (128 × 128 weight blocks) or "" (blockwise for a fine-grained MoE model, tensorwise otherwise)`

// The expert balancers a deployment may state.
const (
	BalancerEPLB = "eplb"
	BalancerNone = "none"
)

// RoutingCoarse is MoEStep.Routing for a model served without a balancer
// whose routed experts are too few for the measured routing skew
// (Profile.RoutingMinExperts): the profile's assumed factor applies.
const RoutingCoarse = "coarse"

// BalancerWant is what Deployment.Balancer may be.
const BalancerWant = `want "eplb" (expert-parallel load balancer with redundant experts), "none" (routing as trained) or "" (the engine's default)`

// layout is a Deployment resolved into per-device quantities.
type layout struct {
	d                 Deployment
	m                 llm.Model
	win               llm.Windowing // m's sliding window, for the step's hot loops
	sh                shape
	devices           int
	tp, pp, ep, w     int
	adp, etp          int     // attention groups per stage, ways each expert is split
	instances         int     // instances in the deployment
	devicesPerChip    int     // devices per package
	peak, peak16      float64 // per-device dense FLOP/s at Precision and at 16-bit
	ctxAttn           float64 // prompt attention's rate over the 16-bit one (Profile.FP8ContextAttention where it applies, else 1)
	bw                float64 // per-device HBM bandwidth, bytes/s
	mem               float64 // per-device HBM capacity, bytes
	wBytes, kvBytes   float64 // bytes per weight, per KV element
	halfRows          float64 // GEMM height at half the large-GEMM efficiency, at the weight precision
	k0                float64 // reduction length of a GEMM tile's fixed work at the weight precision (Profile.MatmulK0)
	fp4Height         bool    // halfRows is FP4's own curve, which bounds grouped expert GEMMs too
	fp8Block          float64 // Profile.FP8BlockScale where it scales the peak (blockScaledFP8), else 0
	actBytes          float64 // bytes per activation element on the wire
	cluster           hardware.Cluster
	tpGroup, epGroup  hardware.Group
	tokensPerStepSpec float64
	drafter           *layout       // one-layer drafter of speculative tokens (nil without)
	lnEP              float64       // ln(EP), for the routing spread
	solo              units.Seconds // decode-mode TTFT of one prompt (soloTTFT; 0 until computed)
}

// resolve validates d and works out the per-device layout.
func resolve(d Deployment) (*layout, error) {
	m := d.Model.WithDefaults()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := d.Cluster.Validate(); err != nil {
		return nil, err
	}
	if err := d.Profile.Validate(); err != nil {
		return nil, err
	}
	if x := d.ExpertImbalance; x != 0 {
		if !(x >= 1) {
			return nil, input.Bad("expert_imbalance", x, imbalanceWant)
		}
		d.Profile.ExpertImbalance = x
		d.Profile.NoBalancer = false // a stated factor is the one to use
	}
	switch d.Balancer {
	case "":
	case BalancerEPLB:
		d.Profile.NoBalancer = false
	case BalancerNone:
		if d.ExpertImbalance == 0 {
			d.Profile.NoBalancer = true
		}
	default:
		return nil, input.Bad("balancer", d.Balancer, BalancerWant)
	}
	if r := d.FP8Recipe; r != "" && r != FP8Tensorwise && r != FP8Blockwise {
		return nil, input.Bad("fp8_recipe", r, FP8RecipeWant)
	}
	l := &layout{d: d, m: m, win: m.Windowing(), sh: newShape(m), cluster: d.Cluster}
	l.devicesPerChip = max(d.Cluster.Chip.DevicesPerChip, 1)
	l.devices = d.Cluster.Chips * l.devicesPerChip
	if err := l.split(d.Parallel); err != nil {
		return nil, err
	}
	if err := l.precisions(d); err != nil {
		return nil, err
	}
	if err := l.speculative(d.Speculative); err != nil {
		return nil, err
	}
	l.network()
	l.lnEP = math.Log(float64(l.ep))
	if d.Speculative.Tokens > 0 {
		l.drafter = l.newDrafter()
	}
	return l, nil
}

// split checks the parallel degrees and derives the stage width.
func (l *layout) split(p Parallel) error {
	l.tp, l.pp, l.ep = max(p.TP, 1), max(p.PP, 1), max(p.EP, 1)
	if l.m.MoE == nil && l.ep > 1 {
		return input.Bad("parallel.ep", p.EP, "want 1 for a dense model")
	}
	if l.pp > l.m.Layers {
		return input.Bad("parallel.pp", p.PP, fmt.Sprintf("want at most the layers (%d)", l.m.Layers))
	}
	if err := l.width(p); err != nil {
		return err
	}
	if l.m.Heads > 0 && l.tp > l.m.Heads {
		return input.Bad("parallel.tp", l.tp, fmt.Sprintf("want at most the model's %d attention heads (tensor parallelism splits the heads)", l.m.Heads))
	}
	l.adp, l.etp = l.w/l.tp, l.w/l.ep
	per := l.w * l.pp
	if per > l.devices {
		return l.tooLarge(p, per)
	}
	l.instances = l.devices / per
	if p.DP > 0 {
		if p.DP > l.devices/per { // p.DP·per could overflow
			return input.Bad("parallel.dp", p.DP, fmt.Sprintf("want at most %d instances of %d devices on %d devices", l.devices/per, per, l.devices))
		}
		l.instances = p.DP
	}
	return nil
}

// width sets the stage width W: TP × AttentionDP when attention_dp is
// given (TP defaulting to EP/AttentionDP), else max(TP, EP); TP and EP
// must divide W.
func (l *layout) width(p Parallel) error {
	l.w = max(l.tp, l.ep)
	if a := p.AttentionDP; a != 0 {
		if a < 0 {
			return input.Bad("parallel.attention_dp", a, "want at least 1")
		}
		if p.TP == 0 {
			if l.ep%a != 0 {
				return input.Bad("parallel.attention_dp", a, fmt.Sprintf("want a divisor of ep (%d) when tp is not given (tp = ep/attention_dp)", l.ep))
			}
			l.tp = l.ep / a
		}
		l.w = l.tp * a
		if l.ep > l.w {
			return &input.Error{Field: "parallel.attention_dp", Value: a, Want: fmt.Sprintf("want tp × attention_dp (%d × %d) = the devices of a stage, at least ep (%d)", l.tp, a, l.ep)}
		}
	}
	if l.w%l.tp != 0 || l.w%l.ep != 0 {
		return l.undivided(p)
	}
	return nil
}

// undivided is the refusal of a stage whose degrees do not divide its
// width: tp and ep that do not divide each other, or an ep that does not
// divide tp × attention_dp. Both (all three) are stated, an unstated tp
// or ep being 1 or what the others leave, and changing any one alone
// mends it (to 1, or to the other's value), so the refusal names the
// largest (parallel.Blame) and says what each may be.
func (l *layout) undivided(p Parallel) error {
	ds := []parallel.Degree{{Name: "tp", Value: l.tp, Fixes: true}, {Name: "ep", Value: l.ep, Fixes: true}}
	want := fmt.Sprintf("tp %d and ep %d do not divide each other (a stage is max(tp, ep) devices wide, split evenly by both): want tp a divisor or a multiple of %d, or ep one of %d",
		l.tp, l.ep, l.ep, l.tp)
	if a := p.AttentionDP; a > 0 {
		ds = append(ds, parallel.Degree{Name: "attention_dp", Value: a, Fixes: true})
		want = fmt.Sprintf("ep %d does not divide tp × attention_dp = %d × %d = %d, the devices of a stage: want ep a divisor of %d, or tp × attention_dp a multiple of %d",
			l.ep, l.tp, a, l.w, l.w, l.ep)
	}
	i, _ := parallel.Blame(ds)
	return input.Bad("parallel."+ds[i].Name, ds[i].Value, want)
}

// tooLarge is the refusal of an instance of per devices, more than the
// deployment's: it names the degree p states (parallel.tp, .pp, .ep or
// .attention_dp) that alone stands in the way (tp 2 on 1 device is tp's),
// else the largest of those that could each be lowered, else the largest
// stated (parallel.Blame); the message states the degrees, the
// instance's devices and what each could be lowered to.
func (l *layout) tooLarge(p Parallel, per int) error {
	terms := fmt.Sprintf("max(tp %d, ep %d)", l.tp, l.ep)
	// most is the largest value of a degree that fits, the others kept,
	// where they take need devices without it (0: none fits).
	most := func(need int) int { return l.devices / need }
	var ds []parallel.Degree
	var mosts []int
	add := func(name string, stated, v, m int) {
		if stated > 0 {
			ds, mosts = append(ds, parallel.Degree{Name: name, Value: v, Fixes: m > 0}), append(mosts, m)
		}
	}
	if a := p.AttentionDP; a > 0 {
		terms = fmt.Sprintf("tp %d × attention_dp %d", l.tp, a)
		add("tp", p.TP, l.tp, most(a*l.pp))
		add("attention_dp", a, a, most(l.tp*l.pp))
	} else {
		if l.ep <= 1 {
			terms = fmt.Sprintf("tp %d", l.tp)
		}
		// A stage is max(tp, ep) wide: either lowered alone fits
		// where the other's stages do, up to the devices a stage has.
		add("tp", p.TP, l.tp, min(most(l.ep*l.pp), 1)*most(l.pp))
		add("ep", p.EP, l.ep, min(most(l.tp*l.pp), 1)*most(l.pp))
	}
	add("pp", p.PP, l.pp, most(l.w))
	what := fmt.Sprintf("%s × pp %d = %d devices per instance, more than the deployment's %d", terms, l.pp, per, l.devices)
	i, fixable := parallel.Blame(ds)
	if i < 0 { // no degree stated: the defaults' instance
		return &input.Error{Field: "parallel", Want: what, Err: ErrInstanceTooLarge}
	}
	want := what + ", and no one stated degree lowered alone makes it fit"
	if fixable {
		var alts []string
		for j, d := range ds {
			if d.Fixes {
				alts = append(alts, fmt.Sprintf("%s at most %d", d.Name, mosts[j]))
			}
		}
		want = what + ": want " + strings.Join(alts, ", or ")
	}
	return &input.Error{Field: "parallel." + ds[i].Name, Value: ds[i].Value, Want: want, Err: ErrInstanceTooLarge}
}

// Precisions are those a deployment's weights and KV cache take, in
// display order (fp32 and tf32 are no serving recipe the estimator
// models; an fp4 KV cache needs fp4 weights).
func Precisions() []hardware.Precision {
	return []hardware.Precision{hardware.BF16, hardware.FP16, hardware.FP8, hardware.INT8, hardware.FP4}
}

// precisions resolves peaks and element sizes, refusing what the chip lacks.
func (l *layout) precisions(d Deployment) error {
	c := d.Cluster.Chip
	prec := d.Precision
	if prec == "" {
		prec = hardware.BF16
	}
	if _, err := hardware.ParsePrecisionOf(string(prec), Precisions()...); err != nil {
		return input.Bad("precision", prec, err.Error())
	}
	pk, ok := c.PeakFor(prec)
	if !ok {
		return &input.Error{Field: "precision", Value: prec, Want: fmt.Sprintf("chip %s supports %s", c.ID, supported(c)), Err: ErrPrecision}
	}
	p16, ok := c.PeakFor(hardware.BF16)
	if !ok {
		p16, ok = c.PeakFor(hardware.FP16)
	}
	if !ok {
		p16 = pk
	}
	kv := d.KVPrecision
	if kv == "" {
		kv = prec
		if prec == hardware.FP4 {
			kv = hardware.FP8
		}
	}
	if !slices.Contains(Precisions(), kv) || kv == hardware.FP4 && prec != hardware.FP4 {
		return input.Bad("kv_precision", kv, "want bf16, fp16, fp8 or int8 (fp4 only with fp4 weights)")
	}
	n := float64(l.devicesPerChip)
	l.peak, l.peak16 = float64(pk.Typ)/n, float64(p16.Typ)/n
	l.halfRows = d.Profile.MatmulHalfRows
	if pk.Typ > 0 && p16.Typ > 0 {
		l.k0 = d.Profile.MatmulK0 * float64(pk.Typ) / float64(p16.Typ)
	}
	if f := FP8BlockRate(d); f > 0 {
		l.peak *= f
		l.fp8Block = f
	}
	if prec == hardware.FP4 {
		l.peak *= d.Profile.FP4MatmulScale
		if h := d.Profile.FP4MatmulHalfRows; h > 0 {
			l.halfRows, l.fp4Height = h, true
		}
	}
	l.ctxAttn = max(FP8ContextRate(Deployment{Cluster: d.Cluster, Precision: prec, KVPrecision: kv, Profile: d.Profile}), 1)
	l.bw = float64(c.HBM.Bandwidth.Typ) / n
	l.mem = float64(c.HBM.Capacity.Typ) / n
	if l.bw <= 0 || l.mem <= 0 {
		return input.Bad("chip.hbm", c.ID, "want a known HBM capacity and bandwidth")
	}
	l.wBytes, l.kvBytes = prec.Bytes(), kv.Bytes()
	l.actBytes = 2
	l.d.Precision, l.d.KVPrecision = prec, kv
	return nil
}

// blockScaledFP8 says whether a deployment's FP8 GEMMs pay
// Profile.FP8BlockScale: its FP8 weights are block-scaled (as it states,
// else as the published FP8 checkpoints of fine-grained MoE models are:
// DeepSeek-V3 and R1, Qwen3's MoE models, 128 × 128 weight blocks, taken
// to be the models with Profile.RoutingMinExperts routed experts or more);
// and its chip's matrix units apply no block scales themselves (no FP4
// peak in its catalog entry: Hopper, where the scales are applied between
// the partial sums).
func blockScaledFP8(d Deployment) bool {
	if d.Precision != hardware.FP8 {
		return false
	}
	if _, fp4 := d.Cluster.Chip.PeakFor(hardware.FP4); fp4 {
		return false
	}
	switch d.FP8Recipe {
	case FP8Blockwise:
		return true
	case FP8Tensorwise:
		return false
	}
	m := d.Model.MoE
	return m != nil && d.Profile.RoutingMinExperts > 0 && m.Experts >= d.Profile.RoutingMinExperts
}

// FP8BlockRate is the rate a deployment's GEMMs run at over per-tensor
// FP8 for their block scales (Profile.FP8BlockScale where blockScaledFP8
// holds), 0 where they pay none.
func FP8BlockRate(d Deployment) float64 {
	if f := d.Profile.FP8BlockScale; f > 0 && blockScaledFP8(d) {
		return f
	}
	return 0
}

// FP8ContextRate is the rate the deployment's prompt (context) attention
// runs at over the 16-bit rate where its engine runs it in FP8
// (Profile.FP8ContextAttention): with FP8 or FP4 weights, or an FP8 KV
// cache (the default for FP4 weights), on a chip with FP8 matrix units;
// 0 where it runs in 16 bits.
func FP8ContextRate(d Deployment) float64 {
	f := d.Profile.FP8ContextAttention
	if f <= 1 || d.Cluster.Chip == nil {
		return 0
	}
	if _, fp8 := d.Cluster.Chip.PeakFor(hardware.FP8); !fp8 {
		return 0
	}
	kv := d.KVPrecision
	if kv == "" && d.Precision == hardware.FP4 {
		kv = hardware.FP8
	}
	if d.Precision == hardware.FP8 || d.Precision == hardware.FP4 || kv == hardware.FP8 {
		return f
	}
	return 0
}

// supported lists the precisions the chip's matrix units execute.
func supported(c *hardware.Chip) string {
	var s []string
	for _, p := range hardware.Precisions() {
		if _, ok := c.PeakFor(p); ok {
			s = append(s, string(p))
		}
	}
	if len(s) == 0 {
		return "no precision (no peak in the catalog)"
	}
	return fmt.Sprint(s)
}

func (l *layout) speculative(s Speculative) error {
	if s.Tokens < 0 || s.Tokens > 16 {
		return input.Bad("speculative.tokens", s.Tokens, "want 0..16")
	}
	if s.Tokens > 0 && !(s.Acceptance >= 0 && s.Acceptance <= 1) {
		return input.Bad("speculative.acceptance", s.Acceptance, "want a probability in [0, 1]")
	}
	l.tokensPerStepSpec = s.TokensPerStep()
	return nil
}

// network derives the per-device tiers (a package's links are shared by
// its devices) and places the TP and EP groups.
func (l *layout) network() {
	c := l.cluster.PerDevice(l.devicesPerChip)
	eff := l.d.Profile.CollectiveEff
	c.ScaleUp = c.ScaleUp.Derate(eff)
	c.ScaleOut = c.ScaleOut.Derate(eff)
	c.Chips = l.devices
	l.cluster = c
	l.tpGroup = c.Group(l.tp, 1)
	l.epGroup = c.Group(l.ep, l.etp)
}

// chipsPerInstance is the packages one instance occupies.
func (l *layout) chipsPerInstance() float64 {
	return float64(l.w*l.pp) / float64(l.devicesPerChip)
}

// perChip converts an instance's rate into a rate per package.
func (l *layout) perChip(instanceRate float64) float64 { return instanceRate / l.chipsPerInstance() }

var _ = units.Bytes(0)
