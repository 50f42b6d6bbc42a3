package llm

import (
	"fmt"
	"math"

	"chipgap/input"
)

// Attention is the attention variant.
type Attention string

const (
	MHA Attention = "mha"
	GQA Attention = "gqa"
	MLA Attention = "mla"
)

// Activation is the MLP variant: GeLU uses 2 matrices, SwiGLU 3.
type Activation string

const (
	GeLU   Activation = "gelu"
	SwiGLU Activation = "swiglu"
)

// MLAConfig holds multi-head latent attention sizes (DeepSeek-V2/V3).
type MLAConfig struct {
	QLoraRank     int `yaml:"q_lora_rank" json:"q_lora_rank"` // 0 = no query compression
	KVLoraRank    int `yaml:"kv_lora_rank" json:"kv_lora_rank"`
	QKNopeHeadDim int `yaml:"qk_nope_head_dim" json:"qk_nope_head_dim"`
	QKRopeHeadDim int `yaml:"qk_rope_head_dim" json:"qk_rope_head_dim"`
	VHeadDim      int `yaml:"v_head_dim" json:"v_head_dim"`
}

// Norm is the normalisation layer: LayerNorm has a scale and a bias per
// channel (2h parameters), RMSNorm a scale only (h).
type Norm string

const (
	LayerNorm Norm = "layernorm"
	RMSNorm   Norm = "rmsnorm"
)

// MoEConfig describes mixture-of-experts MLP layers.
type MoEConfig struct {
	Experts     int `yaml:"experts" json:"experts"`           // routed experts per MoE layer
	Active      int `yaml:"active" json:"active"`             // routed experts per token
	Shared      int `yaml:"shared" json:"shared"`             // always-on shared experts
	ExpertFFN   int `yaml:"expert_ffn" json:"expert_ffn"`     // intermediate size of one expert
	DenseLayers int `yaml:"dense_layers" json:"dense_layers"` // the first N layers use the dense MLP
	// Groups and GroupTopK state group-limited routing (DeepSeek-V2/V3's
	// device- and node-limited routing; Megatron-Core's
	// moe_router_num_groups and moe_router_group_topk): the experts form
	// Groups equal groups and a token's experts come from the GroupTopK
	// groups its router scores highest. 0: every expert open to every
	// token.
	Groups    int `yaml:"groups,omitempty" json:"groups,omitempty"`
	GroupTopK int `yaml:"group_topk,omitempty" json:"group_topk,omitempty"`
	// Routing is how a token's experts are chosen: "" (a learned router,
	// spread evenly over the experts it may take) or RoutingContiguous.
	Routing string `yaml:"routing,omitempty" json:"routing,omitempty"`
}

// RoutingContiguous is a benchmark's fixed balanced gate that gives token
// i the Active consecutive experts i·k … i·k+k−1 (mod Experts): NeMo
// AutoModel's FakeBalancedGate at noise 0.
const RoutingContiguous = "contiguous"

// limited reports whether the routing is group-limited: some groups are
// closed to each token.
func (c MoEConfig) limited() bool { return c.Groups > 1 && c.GroupTopK > 0 && c.GroupTopK < c.Groups }

// ShardsHit is the expected number of n equal shards of the routed
// experts, in expert order (the nodes of an expert-parallel group, which
// hold the experts in rank order), that one token's Active experts fall
// in, for routing spread evenly over the experts a token may take (a
// balanced router; forced balancing draws random scores). Without group
// limits each expert is an independent draw, n·(1 − (1 − 1/n)^k). With
// them the token's experts come from GroupTopK of the Groups groups,
// every choice of groups equally likely, k/GroupTopK experts in each
// (the router picks the groups by their best experts, so each chosen
// group holds some): where a shard holds whole groups (Groups a
// multiple of n) it is hit unless none of its groups is chosen, 1 −
// C(G − G/n, g)/C(G, g); where a group spans whole shards (n a multiple
// of Groups) a shard is hit when its group is chosen and one of the
// group's k/g experts lands in it, (g/G)·(1 − (1 − G/n)^(k/g)). Under
// RoutingContiguous the k experts are consecutive: contiguousHit counts
// the shards they fall in (one for DeepSeek-V3's eight over EP 32).
// Other layouts (a fractional n) take the unlimited value.
func (c MoEConfig) ShardsHit(n float64) float64 {
	k := float64(c.Active)
	uniform := n * (1 - math.Pow(1-1/n, k))
	ni := int(n)
	if c.Routing == RoutingContiguous && n >= 1 && float64(ni) == n {
		return c.contiguousHit(ni)
	}
	if !c.limited() || n < 1 || float64(ni) != n {
		return uniform
	}
	G, g := c.Groups, c.GroupTopK
	switch {
	case G%ni == 0:
		h := min(g, c.Active) // the chosen groups that hold one of the token's experts
		return n * (1 - binomial(G-G/ni, h)/binomial(G, h))
	case ni%G == 0:
		return n * float64(g) / float64(G) * (1 - math.Pow(1-float64(G)/n, k/float64(g)))
	}
	return uniform
}

// contiguousHit is ShardsHit under RoutingContiguous: the mean, over the
// windows the gate cycles through (token i starts at i·k mod E, a period
// of E/gcd(E, k) tokens), of the distinct shards of E/n experts each
// (expert x in shard ⌊x·n/E⌋) a window's k experts fall in.
func (c MoEConfig) contiguousHit(n int) float64 {
	e, k := c.Experts, c.Active
	period := e / gcd(e, k)
	seen := make([]int, n) // the window that last hit each shard, plus one
	total := 0
	for i := range period {
		for j := range k {
			if s := (i*k + j) % e * n / e; seen[s] != i+1 {
				seen[s] = i + 1
				total++
			}
		}
	}
	return float64(total) / float64(period)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// binomial is C(n, k) as a float (0 where k > n).
func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	r := 1.0
	for i := range k {
		r *= float64(n-i) / float64(k-i)
	}
	return r
}

// Model is a decoder-only transformer architecture. Field names follow the
// published-runs/v1 format.
type Model struct {
	ID             string     `yaml:"id,omitempty" json:"id,omitempty"`
	Name           string     `yaml:"name" json:"name"`
	Layers         int        `yaml:"layers" json:"layers"`
	Hidden         int        `yaml:"hidden" json:"hidden"`
	Heads          int        `yaml:"heads" json:"heads"`
	KVHeads        int        `yaml:"kv_heads" json:"kv_heads"`
	HeadDim        int        `yaml:"head_dim,omitempty" json:"head_dim,omitempty"` // default Hidden/Heads
	FFN            int        `yaml:"ffn" json:"ffn"`
	Act            Activation `yaml:"ffn_act" json:"ffn_act"`
	Vocab          int        `yaml:"vocab" json:"vocab"`
	TiedEmbeddings bool       `yaml:"tied_embeddings,omitempty" json:"tied_embeddings,omitempty"`
	Attention      Attention  `yaml:"attention" json:"attention"`
	MLA            *MLAConfig `yaml:"mla,omitempty" json:"mla,omitempty"`
	MoE            *MoEConfig `yaml:"moe,omitempty" json:"moe,omitempty"`
	// Norm defaults to layernorm for gelu models and rmsnorm for swiglu models.
	Norm Norm `yaml:"norm,omitempty" json:"norm,omitempty"`
	// Bias says whether linear layers carry biases; default true with
	// layernorm (GPT-2/3, Megatron GPT), false with rmsnorm (Llama family).
	Bias *bool `yaml:"bias,omitempty" json:"bias,omitempty"`
	// QKNorm adds an RMSNorm over each query and key head (Qwen3).
	QKNorm bool `yaml:"qk_norm,omitempty" json:"qk_norm,omitempty"`
	// PosEmbeddings is the number of learned absolute positions (GPT-3,
	// Megatron GPT); 0 for rotary models.
	PosEmbeddings int `yaml:"pos_embeddings,omitempty" json:"pos_embeddings,omitempty"`
	// MTPModules counts DeepSeek-V3 multi-token-prediction modules. They are
	// reported apart (Params.MTP) and are not in Params.Total.
	MTPModules int `yaml:"mtp_modules,omitempty" json:"mtp_modules,omitempty"`
	// Window is sliding-window attention: a local layer's query attends
	// to at most Window keys, itself included (Mistral 7B v0.1, Gemma 2);
	// 0: every layer attends to the whole context. GlobalEvery, with a
	// window, makes every GlobalEvery-th layer attend to the whole
	// context and the others locally (Gemma 2: 2); 0: every layer local.
	// Presets only: the published-runs format has no field for them.
	Window      int `yaml:"window,omitempty" json:"window,omitempty"`
	GlobalEvery int `yaml:"global_every,omitempty" json:"global_every,omitempty"`
	// Sources cite where the architecture was published (presets only).
	Sources []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	// PublishedParams is the parameter count the source states, for tests.
	PublishedParams float64 `yaml:"published_params,omitempty" json:"published_params,omitempty"`
	// PublishedActive is the active-per-token count the source states (MoE).
	PublishedActive float64 `yaml:"published_active_params,omitempty" json:"published_active_params,omitempty"`
	// Note records how a preset was read from its sources (presets only).
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
}

// WithDefaults fills derived defaults (HeadDim, KVHeads for MHA). An MLA
// model has no head_dim of its own (its query/key and value widths are
// the mla block's), so hidden / heads is not filled in for it (QA:
// DeepSeek-V3 printed head_dim 56, a width no tensor has).
func (m Model) WithDefaults() Model {
	if m.HeadDim == 0 && m.Heads > 0 && m.Attention != MLA {
		m.HeadDim = m.Hidden / m.Heads
	}
	if m.KVHeads == 0 {
		m.KVHeads = m.Heads
	}
	if m.Attention == "" {
		m.Attention = MHA
		if m.KVHeads < m.Heads {
			m.Attention = GQA
		}
	}
	if m.Act == "" {
		m.Act = GeLU
	}
	if m.Norm == "" {
		m.Norm = LayerNorm
		if m.Act == SwiGLU {
			m.Norm = RMSNorm
		}
	}
	if m.Bias == nil {
		b := m.Norm == LayerNorm
		m.Bias = &b
	}
	return m
}

// Validate checks the architecture is self-consistent.
func (m Model) Validate() error {
	pos := []struct {
		name string
		v    int
	}{{"layers", m.Layers}, {"hidden", m.Hidden}, {"heads", m.Heads}, {"ffn", m.FFN}, {"vocab", m.Vocab}}
	for _, p := range pos {
		if p.v <= 0 {
			return &input.Error{Prefix: "model.", Field: p.name, Value: p.v, Want: "want a positive integer"}
		}
	}
	if m.HeadDim <= 0 && m.Attention != MLA {
		return &input.Error{Prefix: "model.", Field: "head_dim", Value: m.HeadDim, Want: fmt.Sprintf("want a positive integer (absent: hidden / heads, %d / %d)", m.Hidden, m.Heads)}
	}
	switch m.Attention {
	case MHA, GQA:
		if m.KVHeads <= 0 || m.Heads%m.KVHeads != 0 {
			return &input.Error{Prefix: "model.", Field: "kv_heads", Value: m.KVHeads, Want: fmt.Sprintf("want a positive divisor of heads (%d)", m.Heads)}
		}
	case MLA:
		if m.MLA == nil || m.MLA.KVLoraRank <= 0 {
			return &input.Error{Prefix: "model.", Field: "mla", Value: m.MLA, Want: "attention mla needs mla.kv_lora_rank > 0"}
		}
	default:
		return &input.Error{Prefix: "model.", Field: "attention", Value: m.Attention, Want: "want mha, gqa or mla"}
	}
	if m.Act != GeLU && m.Act != SwiGLU {
		return &input.Error{Prefix: "model.", Field: "ffn_act", Value: m.Act, Want: "want gelu or swiglu"}
	}
	if m.Norm != "" && m.Norm != LayerNorm && m.Norm != RMSNorm {
		return &input.Error{Prefix: "model.", Field: "norm", Value: m.Norm, Want: "want layernorm or rmsnorm"}
	}
	if m.Window < 0 {
		return &input.Error{Prefix: "model.", Field: "window", Value: m.Window, Want: "want 0 (no sliding window) or the keys a local layer attends to"}
	}
	if m.GlobalEvery < 0 || m.GlobalEvery == 1 || (m.GlobalEvery > 1 && m.Window == 0) {
		return &input.Error{Prefix: "model.", Field: "global_every", Value: m.GlobalEvery, Want: "want 0 (every layer local), or 2 or more with a window (every n-th layer global)"}
	}
	if m.PosEmbeddings < 0 || m.MTPModules < 0 {
		return &input.Error{Prefix: "model.", Field: "pos_embeddings/mtp_modules", Value: [2]int{m.PosEmbeddings, m.MTPModules}, Want: "want 0 or more"}
	}
	if m.Attention == MLA && (m.MLA.QKNopeHeadDim < 0 || m.MLA.QKRopeHeadDim < 0 || m.MLA.QKNopeHeadDim+m.MLA.QKRopeHeadDim <= 0 || m.MLA.VHeadDim <= 0 || m.MLA.QLoraRank < 0) {
		return &input.Error{Prefix: "model.", Field: "mla", Value: *m.MLA, Want: "want qk_nope_head_dim and qk_rope_head_dim >= 0 with a positive sum, v_head_dim > 0, q_lora_rank >= 0"}
	}
	if e := m.MoE; e != nil {
		switch {
		case e.Experts <= 0 || e.Active <= 0 || e.Active > e.Experts:
			return &input.Error{Prefix: "model.", Field: "moe.active", Value: e.Active, Want: fmt.Sprintf("want 1..experts (%d)", e.Experts)}
		case e.Shared < 0:
			return &input.Error{Prefix: "model.", Field: "moe.shared", Value: e.Shared, Want: "want 0 or more"}
		case e.ExpertFFN <= 0:
			return &input.Error{Prefix: "model.", Field: "moe.expert_ffn", Value: e.ExpertFFN, Want: "want a positive integer"}
		case e.DenseLayers < 0 || e.DenseLayers > m.Layers:
			return &input.Error{Prefix: "model.", Field: "moe.dense_layers", Value: e.DenseLayers, Want: fmt.Sprintf("want 0..layers (%d)", m.Layers)}
		case e.Groups < 0 || e.Groups > 0 && e.Experts%e.Groups != 0:
			return &input.Error{Prefix: "model.", Field: "moe.groups", Value: e.Groups, Want: fmt.Sprintf("want 0 (no router groups) or a divisor of experts (%d)", e.Experts)}
		case e.Groups == 0 && e.GroupTopK != 0:
			return &input.Error{Prefix: "model.", Field: "moe.group_topk", Value: e.GroupTopK, Want: "want 0 without moe.groups"}
		case e.Routing != "" && e.Routing != RoutingContiguous:
			return &input.Error{Prefix: "model.", Field: "moe.routing", Value: e.Routing, Want: fmt.Sprintf("want %q (a benchmark's fixed balanced gate) or nothing (a learned router)", RoutingContiguous)}
		case e.Routing == RoutingContiguous && e.Groups > 0:
			return &input.Error{Prefix: "model.", Field: "moe.routing", Value: e.Routing, Want: "want no moe.groups with a contiguous gate, which takes no router groups"}
		case e.Groups > 0 && (e.GroupTopK < 1 || e.GroupTopK > e.Groups || e.GroupTopK*(e.Experts/e.Groups) < e.Active):
			return &input.Error{Prefix: "model.", Field: "moe.group_topk", Value: e.GroupTopK, Want: fmt.Sprintf("want 1..groups (%d) whose experts hold the %d active ones", e.Groups, e.Active)}
		}
	}
	return nil
}
