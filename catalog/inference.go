package catalog

import (
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/uncertain"
	"chipgap/units"
)

// Param is one profile parameter as the data file gives it: a value with
// its provenance, Sources (keys) or Calibrated (on what), or Assumed, and
// optionally the range (Min, Max) its sources allow.
type Param[T any] struct {
	Value      T        `yaml:"value" json:"value"`
	Min        *T       `yaml:"min,omitempty" json:"min,omitempty"`
	Max        *T       `yaml:"max,omitempty" json:"max,omitempty"`
	Sources    []string `yaml:"sources,omitempty" json:"sources,omitempty"`
	Calibrated string   `yaml:"calibrated,omitempty" json:"calibrated,omitempty"`
	Assumed    bool     `yaml:"assumed,omitempty" json:"assumed,omitempty"`
	Note       string   `yaml:"note,omitempty" json:"note,omitempty"`
}

func (p Param[T]) provenance() (keys []string, ok bool) {
	return p.Sources, len(p.Sources) > 0 || p.Calibrated != "" || p.Assumed
}

// number is what a ranged parameter can be.
type number interface {
	~float64 | ~int
}

// param returns p's range as an uncertain.Param: triangular over
// [Min, Max] with its mode at Value, fixed without a range. A missing end
// is the value itself.
func param[T number](p Param[T]) (uncertain.Param, error) {
	v := float64(p.Value)
	lo, hi := v, v
	if p.Min != nil {
		lo = float64(*p.Min)
	}
	if p.Max != nil {
		hi = float64(*p.Max)
	}
	if lo == hi {
		return uncertain.Fixed(v), nil
	}
	return uncertain.FromRange(lo, v, hi)
}

// drawn is this trial's value of p, named stack.<id>.<name>.
func drawn[T number](d *uncertain.Draw, id, name string, p Param[T]) (T, error) {
	u, err := param(p)
	if err != nil {
		return p.Value, fmt.Errorf("stack %s: %s: %w", id, name, err)
	}
	x := d.Value("stack."+id+"."+name, u)
	if _, isInt := any(p.Value).(int); isInt {
		x = math.Round(x)
	}
	return T(x), nil
}

// InferenceParams is a serving stack's profile as stacks-inference.yaml
// writes it (see inference.Profile for what each parameter means).
type InferenceParams struct {
	MatmulEff       Param[float64]       `yaml:"matmul_eff" json:"matmul_eff"`
	MatmulHalfRows  Param[float64]       `yaml:"matmul_half_rows" json:"matmul_half_rows"`
	FP4MatmulScale  Param[float64]       `yaml:"fp4_matmul_scale" json:"fp4_matmul_scale"`
	FP4HalfRows     Param[float64]       `yaml:"fp4_matmul_half_rows" json:"fp4_matmul_half_rows"`
	FP8BlockScale   Param[float64]       `yaml:"fp8_block_scale" json:"fp8_block_scale"`
	MatmulK0        Param[float64]       `yaml:"matmul_k0" json:"matmul_k0"`
	AttentionEff    Param[float64]       `yaml:"attention_eff" json:"attention_eff"`
	MemoryEff       Param[float64]       `yaml:"memory_eff" json:"memory_eff"`
	CollectiveEff   Param[float64]       `yaml:"collective_eff" json:"collective_eff"`
	CommOverlap     Param[float64]       `yaml:"comm_overlap" json:"comm_overlap"`
	StepOverhead    Param[units.Seconds] `yaml:"step_overhead" json:"step_overhead"`
	LayerOverhead   Param[units.Seconds] `yaml:"layer_overhead" json:"layer_overhead"`
	HostPerSeq      Param[units.Seconds] `yaml:"host_per_seq" json:"host_per_seq"`
	MemoryFraction  Param[float64]       `yaml:"memory_fraction" json:"memory_fraction"`
	Reserved        Param[units.Bytes]   `yaml:"reserved" json:"reserved"`
	BlockTokens     Param[int]           `yaml:"block_tokens" json:"block_tokens"`
	MaxBatch        Param[int]           `yaml:"max_batch" json:"max_batch"`
	MaxTokens       Param[int]           `yaml:"max_tokens" json:"max_tokens"`
	ChunkTokens     Param[int]           `yaml:"chunk_tokens" json:"chunk_tokens"`
	KVReserveFull   Param[int]           `yaml:"kv_reserve_full" json:"kv_reserve_full"`
	ExpertImbalance Param[float64]       `yaml:"expert_imbalance" json:"expert_imbalance"`
	// EPLB is 1 where the stack's deployments run an expert balancer
	// (expert_imbalance is its residual), 0 where they do not (the
	// routing's skew from routing_cv); an engine's moe section may
	// replace it.
	EPLB              Param[int]           `yaml:"eplb" json:"eplb"`
	RoutingCV         Param[float64]       `yaml:"routing_cv" json:"routing_cv"`
	RoutingMinExperts Param[int]           `yaml:"routing_min_experts" json:"routing_min_experts"`
	ExpertTileRows    Param[float64]       `yaml:"expert_tile_rows" json:"expert_tile_rows"`
	CommSMShare       Param[float64]       `yaml:"comm_sm_share" json:"comm_sm_share"`
	MoESync           Param[units.Seconds] `yaml:"moe_sync" json:"moe_sync"`
	// ExpertMemoryEff and MoELayerTime are the MoE module of the stack's
	// default engine (an engine's moe section replaces them).
	ExpertMemoryEff Param[float64]       `yaml:"expert_memory_eff" json:"expert_memory_eff"`
	MoELayerTime    Param[units.Seconds] `yaml:"moe_layer_time" json:"moe_layer_time"`
	// ChipMatmul scales MatmulEff (value and range, each factor's range
	// multiplied end by end: onChip) on one chip, keyed by
	// its catalog id, where the stack's chips reach different shares of
	// their rated peaks (a measured GEMM rate, not a fit): InferenceProfile
	// applies it for the chip asked about.
	ChipMatmul map[string]Param[float64] `yaml:"chip_matmul,omitempty" json:"chip_matmul,omitempty"`
}

// onChip is the stack's parameters on chip: MatmulEff scaled by the
// chip's ChipMatmul factor, if it has one. Both may carry a range (a
// missing end is the value itself), and the product's is the simple
// bound, min × min to max × max, as a reliability factor scales cuda's
// rate (modeRate): the factor's own range is not dropped where the stack's
// matmul_eff has none.
func (p InferenceParams) onChip(chip *hardware.Chip) InferenceParams {
	f, ok := p.ChipMatmul[chip.ID]
	if !ok {
		return p
	}
	m := p.MatmulEff
	lo, hi := rangeOf(m)
	flo, fhi := rangeOf(f)
	if ranged := lo < hi || flo < fhi; ranged {
		lo, hi = lo*flo, hi*fhi
		m.Min, m.Max = &lo, &hi
	}
	m.Value *= f.Value
	p.MatmulEff = m
	return p
}

// rangeOf is p's range, a missing end the value itself.
func rangeOf(p Param[float64]) (lo, hi float64) {
	lo, hi = p.Value, p.Value
	if p.Min != nil {
		lo = *p.Min
	}
	if p.Max != nil {
		hi = *p.Max
	}
	return lo, hi
}

// limits is the stack's own engine limits (its default engine's).
func (p InferenceParams) limits() EngineLimits {
	return EngineLimits{BlockTokens: p.BlockTokens, MaxBatch: p.MaxBatch, MaxTokens: p.MaxTokens, ChunkTokens: p.ChunkTokens, KVReserveFull: p.KVReserveFull}
}

// InferenceStack is one serving software stack: its id (a stack id of
// Stacks), a name, and its parameters with provenance.
type InferenceStack struct {
	ID     string          `yaml:"id" json:"id"`
	Name   string          `yaml:"name" json:"name"`
	Notes  []string        `yaml:"notes,omitempty" json:"notes,omitempty"`
	Params InferenceParams `yaml:"params" json:"params"`
	// DefaultEngine is the engine whose documented defaults the stack's
	// own limits are (TensorRT-LLM's on cuda, vLLM's on rocm; "" where no
	// engine entry holds them): a prediction on the stack's own limits is
	// that engine's, as the scorecard matches it.
	DefaultEngine string `yaml:"engine,omitempty" json:"default_engine,omitempty"`
	// Engine is the engine whose limits Params carries ("" = the stack's
	// defaults), EngineID its id, and LimitSources each limit's source
	// title, as InferenceProfile resolved them.
	Engine       string            `yaml:"-" json:"engine,omitempty"`
	EngineID     string            `yaml:"-" json:"engine_id,omitempty"`
	LimitSources map[string]string `yaml:"-" json:"limit_sources,omitempty"`
	// NoTPDispatch is the engine's MoE path under whole-instance attention
	// TP (EngineMoE.TPDispatch 0), as InferenceProfile resolved it.
	NoTPDispatch bool `yaml:"-" json:"no_tp_dispatch,omitempty"`
	// EagerLayer is the engine's eager host time per layer on steps with
	// prompt tokens (InferenceEngine.EagerLayer), as InferenceProfile
	// resolved it; zero where the engine has none.
	EagerLayer Param[units.Seconds] `yaml:"-" json:"eager_layer,omitzero"`
	// FP8ContextAttention is the engine's rate for prompt attention run
	// in FP8 over the 16-bit rate (InferenceEngine.FP8ContextAttention) in
	// the era the run names, as InferenceProfile resolved it; zero where
	// the engine runs it in 16 bits.
	FP8ContextAttention Param[float64] `yaml:"-" json:"fp8_context_attention,omitzero"`
	// DecodeKVPerQueryHead is the engine's generation-phase attention
	// kernel in the era the run names (EngineEra.DecodeKVPerQueryHead), as
	// InferenceProfile resolved it.
	DecodeKVPerQueryHead bool `yaml:"-" json:"decode_kv_per_query_head,omitempty"`
	// PrefillFirstTokens is the engine's token budget where, in the era
	// the run names, it scheduled whole prompts ahead of the decodes
	// (EngineEra.PrefillFirstTokens), as InferenceProfile resolved it; 0
	// where it mixes them.
	PrefillFirstTokens int `yaml:"-" json:"prefill_first_tokens,omitempty"`
	// MemoryOfTotal: Params.MemoryFraction is the engine's share of the
	// device's whole memory (InferenceEngine.MemoryUtilization), as
	// InferenceProfile resolved it.
	MemoryOfTotal bool `yaml:"-" json:"memory_of_total,omitempty"`
}

// Profile converts the parameters into the estimator's profile.
func (s InferenceStack) Profile() inference.Profile {
	p := s.Params
	return inference.Profile{ID: s.ID,
		MatmulEff: p.MatmulEff.Value, MatmulHalfRows: p.MatmulHalfRows.Value, FP4MatmulScale: p.FP4MatmulScale.Value, FP4MatmulHalfRows: p.FP4HalfRows.Value, FP8BlockScale: p.FP8BlockScale.Value, MatmulK0: p.MatmulK0.Value, AttentionEff: p.AttentionEff.Value,
		MemoryEff: p.MemoryEff.Value, CollectiveEff: p.CollectiveEff.Value, CommOverlap: p.CommOverlap.Value,
		StepOverhead: p.StepOverhead.Value, LayerOverhead: p.LayerOverhead.Value, HostPerSeq: p.HostPerSeq.Value, MemoryFraction: p.MemoryFraction.Value, MemoryOfTotal: s.MemoryOfTotal,
		Reserved: p.Reserved.Value, BlockTokens: p.BlockTokens.Value, MaxBatch: p.MaxBatch.Value,
		MaxTokens: p.MaxTokens.Value, ChunkTokens: p.ChunkTokens.Value, KVReserveFull: p.KVReserveFull.Value == 1, Engine: s.Engine, EngineID: s.EngineID, LimitSources: s.LimitSources, NoTPDispatch: s.NoTPDispatch,
		ExpertImbalance: p.ExpertImbalance.Value, NoBalancer: p.EPLB.Value == 0, RoutingCV: p.RoutingCV.Value, RoutingMinExperts: p.RoutingMinExperts.Value, ExpertTileRows: p.ExpertTileRows.Value,
		CommSMShare: p.CommSMShare.Value, MoESync: p.MoESync.Value,
		ExpertMemoryEff: p.ExpertMemoryEff.Value, MoELayerTime: p.MoELayerTime.Value, EagerLayer: s.EagerLayer.Value,
		FP8ContextAttention: s.FP8ContextAttention.Value, DecodeKVPerQueryHead: s.DecodeKVPerQueryHead,
		PrefillFirstTokens: s.PrefillFirstTokens}
}

// Sample is the profile with each ranged parameter drawn from d (the
// typical profile, = Profile(), with uncertain.Typical()). Inputs are
// named stack.<id>.<parameter>.
func (s InferenceStack) Sample(d *uncertain.Draw) (inference.Profile, error) {
	pr := s.Profile()
	p := s.Params
	var err error
	f := func(dst *float64, name string, v Param[float64]) {
		if err == nil {
			*dst, err = drawn(d, s.ID, name, v)
		}
	}
	f(&pr.MatmulEff, "matmul_eff", p.MatmulEff)
	f(&pr.FP4MatmulScale, "fp4_matmul_scale", p.FP4MatmulScale)
	f(&pr.FP8BlockScale, "fp8_block_scale", p.FP8BlockScale)
	f(&pr.MatmulK0, "matmul_k0", p.MatmulK0)
	f(&pr.AttentionEff, "attention_eff", p.AttentionEff)
	f(&pr.MemoryEff, "memory_eff", p.MemoryEff)
	f(&pr.CollectiveEff, "collective_eff", p.CollectiveEff)
	f(&pr.CommOverlap, "comm_overlap", p.CommOverlap)
	f(&pr.ExpertImbalance, "expert_imbalance", p.ExpertImbalance)
	f(&pr.RoutingCV, "routing_cv", p.RoutingCV)
	f(&pr.CommSMShare, "comm_sm_share", p.CommSMShare)
	f(&pr.ExpertMemoryEff, "expert_memory_eff", p.ExpertMemoryEff)
	if err == nil {
		pr.StepOverhead, err = drawn(d, s.ID, "step_overhead", p.StepOverhead)
	}
	if err == nil {
		pr.LayerOverhead, err = drawn(d, s.ID, "layer_overhead", p.LayerOverhead)
	}
	if err == nil {
		pr.HostPerSeq, err = drawn(d, s.ID, "host_per_seq", p.HostPerSeq)
	}
	if err == nil {
		pr.MoELayerTime, err = drawn(d, s.ID, "moe_layer_time", p.MoELayerTime)
	}
	if err == nil && s.EagerLayer.Value > 0 {
		pr.EagerLayer, err = drawn(d, s.ID, "eager_layer", s.EagerLayer)
	}
	if err == nil && s.FP8ContextAttention.Value > 0 {
		pr.FP8ContextAttention, err = drawn(d, s.ID, "fp8_context_attention", s.FP8ContextAttention)
	}
	return pr, err
}

// ranges checks every stated range: min ≤ value ≤ max.
func (p InferenceParams) ranges() error {
	for _, c := range []struct {
		name string
		p    Param[float64]
	}{{"matmul_eff", p.MatmulEff}, {"fp4_matmul_scale", p.FP4MatmulScale}, {"fp8_block_scale", p.FP8BlockScale}, {"attention_eff", p.AttentionEff},
		{"memory_eff", p.MemoryEff}, {"collective_eff", p.CollectiveEff}, {"comm_overlap", p.CommOverlap},
		{"expert_imbalance", p.ExpertImbalance}, {"routing_cv", p.RoutingCV}, {"comm_sm_share", p.CommSMShare}, {"expert_memory_eff", p.ExpertMemoryEff}} {
		if _, err := param(c.p); err != nil {
			return fmt.Errorf("%s: want min ≤ value ≤ max: %w", c.name, err)
		}
	}
	for _, c := range []struct {
		name string
		p    Param[units.Seconds]
	}{{"step_overhead", p.StepOverhead}, {"layer_overhead", p.LayerOverhead}, {"host_per_seq", p.HostPerSeq}, {"moe_sync", p.MoESync}, {"moe_layer_time", p.MoELayerTime}} {
		if _, err := param(c.p); err != nil {
			return fmt.Errorf("%s: want min ≤ value ≤ max: %w", c.name, err)
		}
	}
	return nil
}

// provEntry is one parameter's provenance: its name, source keys, whether
// it has any provenance, and, where fitted, on what and its value.
type provEntry struct {
	name       string
	keys       []string
	ok         bool
	calibrated string
	value      string
}

func pv[T any](name string, p Param[T]) provEntry {
	k, ok := p.provenance()
	return provEntry{name: name, keys: k, ok: ok, calibrated: p.Calibrated, value: fmt.Sprint(p.Value)}
}

// provenances lists each parameter's name with its provenance check.
func (p InferenceParams) provenances() []provEntry {
	return []provEntry{
		pv("matmul_eff", p.MatmulEff),
		pv("matmul_half_rows", p.MatmulHalfRows),
		pv("fp4_matmul_scale", p.FP4MatmulScale),
		pv("fp4_matmul_half_rows", p.FP4HalfRows),
		pv("fp8_block_scale", p.FP8BlockScale),
		pv("matmul_k0", p.MatmulK0),
		pv("attention_eff", p.AttentionEff),
		pv("memory_eff", p.MemoryEff),
		pv("collective_eff", p.CollectiveEff),
		pv("comm_overlap", p.CommOverlap),
		pv("step_overhead", p.StepOverhead),
		pv("layer_overhead", p.LayerOverhead),
		pv("host_per_seq", p.HostPerSeq),
		pv("memory_fraction", p.MemoryFraction),
		pv("reserved", p.Reserved),
		pv("block_tokens", p.BlockTokens),
		pv("max_batch", p.MaxBatch),
		pv("max_tokens", p.MaxTokens),
		pv("chunk_tokens", p.ChunkTokens),
		pv("kv_reserve_full", p.KVReserveFull),
		pv("expert_imbalance", p.ExpertImbalance),
		pv("eplb", p.EPLB),
		pv("routing_cv", p.RoutingCV),
		pv("routing_min_experts", p.RoutingMinExperts),
		pv("expert_tile_rows", p.ExpertTileRows),
		pv("comm_sm_share", p.CommSMShare),
		pv("moe_sync", p.MoESync),
		pv("expert_memory_eff", p.ExpertMemoryEff),
		pv("moe_layer_time", p.MoELayerTime),
	}
}

// Calibrated lists every serving-stack parameter fitted to measurements,
// "`stack.name` = value: on what", stacks in file order, parameters in
// the file's order; an engine's MoE backend values are sourced, not
// fitted, so none appears.
func (s *InferenceStacks) Calibrated() []string {
	var out []string
	for _, st := range s.Stacks {
		for _, p := range st.Params.provenances() {
			if p.calibrated != "" {
				out = append(out, fmt.Sprintf("`%s.%s` = %s: %s", st.ID, p.name, p.value, p.calibrated))
			}
		}
	}
	return out
}

// InferenceStacks is the decoded stacks-inference.yaml: the stacks and the
// framework names that map onto them.
type InferenceStacks struct {
	Stacks []InferenceStack `yaml:"stacks" json:"stacks"`
	// Frameworks maps a framework name (as published runs write it) to
	// the stacks it runs on, preferred first.
	Frameworks map[string][]string `yaml:"frameworks" json:"frameworks"`
	// Engines are the serving engines with their own limits.
	Engines []InferenceEngine `yaml:"engines" json:"engines"`
}

// loadInferenceStacks decodes and checks the file against c's sources.
func loadInferenceStacks(c *Catalog, fsys fs.FS, name string) (*InferenceStacks, error) {
	var s InferenceStacks
	if err := decodeFile(fsys, name, &s); err != nil {
		return nil, err
	}
	return &s, s.check(c, name)
}

func (s *InferenceStacks) check(c *Catalog, file string) error {
	seen := map[string]bool{}
	for _, st := range s.Stacks {
		at := fmt.Sprintf("catalog: %s: stack %q", file, st.ID)
		if !slices.Contains(Stacks(), st.ID) || seen[st.ID] {
			return fmt.Errorf("%s: want a unique id among %v", at, Stacks())
		}
		seen[st.ID] = true
		for _, p := range st.Params.provenances() {
			if !p.ok {
				return fmt.Errorf("%s: %s: want sources, calibrated (on what) or assumed: true", at, p.name)
			}
			if err := c.checkSources(at+": "+p.name, p.keys); err != nil {
				return err
			}
		}
		if err := st.Params.limits().documented(at); err != nil {
			return err
		}
		if err := st.Profile().Validate(); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if err := st.Params.ranges(); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		if b := st.Params.EPLB.Value; b != 0 && b != 1 {
			return fmt.Errorf("%s: eplb = %d: want 0 (no balancer) or 1", at, b)
		}
		if err := c.checkChipMatmul(at, st.Params); err != nil {
			return err
		}
	}
	if err := s.checkEngines(c, file, seen); err != nil {
		return err
	}
	for _, st := range s.Stacks {
		if e := st.DefaultEngine; e != "" {
			if got, ok := s.engineByID(e); !ok || !slices.Contains(got.Stacks, st.ID) {
				return fmt.Errorf("catalog: %s: stack %q: engine = %q: want the id of an engine that runs on it", file, st.ID, e)
			}
		}
	}
	for fw, ids := range s.Frameworks {
		for _, id := range ids {
			if !seen[id] {
				return fmt.Errorf("catalog: %s: framework %q: stack %q has no profile", file, fw, id)
			}
		}
	}
	return nil
}

// provenanceText is a parameter's provenance as a refusal cites it: its
// sources' titles, else what it was calibrated on, else its assumption.
func (c *Catalog) provenanceText(sources []string, calibrated, note string) string {
	var why []string
	for _, k := range sources {
		if src, err := c.Source(k); err == nil {
			why = append(why, src.Title)
		}
	}
	switch {
	case len(why) > 0:
	case calibrated != "":
		why = append(why, "calibrated on "+calibrated)
	default:
		why = append(why, "assumed: "+note)
	}
	return strings.Join(why, "; ")
}

// checkChipMatmul checks a stack's chip_matmul factors: each names a
// catalog chip, has provenance and a range with min ≤ value ≤ max, and
// keeps matmul_eff, value and range (onChip's product), in (0, 1].
func (c *Catalog) checkChipMatmul(at string, p InferenceParams) error {
	for _, id := range slices.Sorted(maps.Keys(p.ChipMatmul)) {
		f := p.ChipMatmul[id]
		name := at + ": chip_matmul." + id
		if _, err := c.Chip(id); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if keys, ok := f.provenance(); !ok {
			return fmt.Errorf("%s: want sources, calibrated (on what) or assumed: true", name)
		} else if err := c.checkSources(name, keys); err != nil {
			return err
		}
		if _, err := param(f); err != nil {
			return fmt.Errorf("%s: want min ≤ value ≤ max: %w", name, err)
		}
		lo, _ := rangeOf(f)
		_, hi := rangeOf(p.onChip(&hardware.Chip{ID: id}).MatmulEff)
		if lo <= 0 || hi > 1 {
			return fmt.Errorf("%s = %g: want a factor > 0 that keeps matmul_eff (%g) at most 1 (%g at the ends of both ranges)", name, f.Value, p.MatmulEff.Value, hi)
		}
	}
	return nil
}

// InferenceStackOf is the stack a resolved profile p came from, with the
// engine limits and MoE path of the engine p names (p.Engine), as
// InferenceProfile resolved them, on chip (its chip_matmul factor; nil:
// none): the ranges to draw p's parameters from. Sample on it with
// uncertain.Typical() gives p's stack parameters back.
func (c *Catalog) InferenceStackOf(p inference.Profile, chip *hardware.Chip) (InferenceStack, error) {
	data := c.inference
	fw := ""
	for _, e := range data.Engines {
		if e.Name == p.Engine {
			fw = e.ID
		}
	}
	if p.Engine != "" && fw == "" {
		return InferenceStack{}, fmt.Errorf("catalog: no serving engine %q", p.Engine)
	}
	for _, st := range data.Stacks {
		if st.ID == p.ID {
			st, _ = c.withLimits(data, st, fw, nil, "")
			// The limits p was resolved with (its device and release
			// may have picked other ones than the engine's base).
			st.Params.MaxBatch.Value, st.Params.MaxTokens.Value = p.MaxBatch, p.MaxTokens
			st.DecodeKVPerQueryHead, st.PrefillFirstTokens = p.DecodeKVPerQueryHead, p.PrefillFirstTokens
			if p.FP8ContextAttention == 0 { // an era before the engine ran prompt attention in FP8
				st.FP8ContextAttention = Param[float64]{}
			}
			if p.LimitSources != nil {
				st.LimitSources = p.LimitSources
			}
			if chip != nil {
				st.Params = st.Params.onChip(chip)
			}
			return st, nil
		}
	}
	return InferenceStack{}, fmt.Errorf("catalog: no inference stack %q%s", p.ID, Suggest(p.ID, stackIDs(data)))
}

// InferenceStacksData returns the serving profiles as Load decoded and
// checked them. Callers must not modify them.
func (c *Catalog) InferenceStacksData() (*InferenceStacks, error) { return c.inference, nil }

// InferenceProfile picks the serving profile for a framework name on a
// chip: a framework that runs on the chip's default stack gets that
// stack; one that does not, an empty name or an unknown one falls back to
// the chip's default stack. A name may carry its release ("vllm 0.9.1",
// "tensorrt-llm@v0.19", as SplitRelease reads it): serving profiles have
// no dated versions beyond an engine's earlier era (InferenceEngine.Before:
// its limits, its decode kernel), so a later release takes the engine's
// current defaults. note says which happened ("" when the name mapped
// directly).
func (c *Catalog) InferenceProfile(framework string, chip *hardware.Chip) (s InferenceStack, note string, err error) {
	data, err := c.InferenceStacksData()
	if err != nil {
		return InferenceStack{}, "", err
	}
	id := chip.Stack
	name, tag, fw := data.servingName(framework)
	switch ids, ok := data.servingNames()[fw]; {
	case fw == "":
		note = fmt.Sprintf("no framework named: the %s default stack %s", chip.ID, id)
	case !ok:
		note = fmt.Sprintf("framework %q unknown (known: %s): the %s default stack %s", framework, strings.Join(frameworkNames(data), ", "), chip.ID, id)
	case !slices.Contains(ids, id):
		note = fmt.Sprintf("framework %q does not run on %s (runs on %v): its default stack %s", framework, chip.ID, ids, id)
	}
	for _, st := range data.Stacks {
		if st.ID == id {
			st, era := c.withLimits(data, st, fw, chip, tag)
			st.Params = st.Params.onChip(chip)
			switch {
			case note == "" && era != "":
				note = fmt.Sprintf("release %q of %s named: the engine as it was before its current era applies (%s); the serving profile carries no other dated versions", tag, name, era)
			case note == "" && tag != "":
				note = fmt.Sprintf("release %q of %s named: serving profiles carry no dated versions, so its current defaults apply", tag, name)
			}
			return st, note, nil
		}
	}
	return InferenceStack{}, "", fmt.Errorf("catalog: no inference profile for stack %q (chip %s)%s", id, chip.ID, Suggest(id, stackIDs(data)))
}

// servingName splits a serving framework name as InferenceProfile reads
// it: a name the catalog lists whole ("vllm-ascend") stays whole, else a
// release after it is split off (SplitRelease); fw is the name matched,
// lower case.
func (d *InferenceStacks) servingName(framework string) (name, tag, fw string) {
	name = framework
	if _, known := d.Frameworks[strings.ToLower(strings.TrimSpace(framework))]; !known {
		name, tag = SplitRelease(framework)
	}
	return name, tag, strings.ToLower(strings.TrimSpace(name))
}

// servingNames maps every name a serving framework may be given by to the
// stacks it runs on: the frameworks of stacks-inference.yaml, each
// engine's id and names (sglang-ascend) and each stack's id (a
// framework may name its stack: cuda).
func (d *InferenceStacks) servingNames() map[string][]string {
	m := make(map[string][]string, len(d.Frameworks))
	for k, v := range d.Frameworks {
		m[k] = v
	}
	for _, e := range d.Engines {
		for _, n := range append([]string{e.ID}, e.Names...) {
			if _, ok := m[n]; !ok {
				m[n] = e.Stacks
			}
		}
	}
	for _, st := range d.Stacks {
		if _, ok := m[st.ID]; !ok {
			m[st.ID] = []string{st.ID}
		}
	}
	return m
}

// CheckServingFramework refuses a serving framework a user gave (a flag,
// an API field, a scenario file) on chip where InferenceProfile would
// quietly fall back to the chip's default stack: a name the catalog does
// not know (with or without a release after it), and a stack id of
// another platform (cann on an H100). Published runs name their software
// freely and keep the fallback (they do not call this); a known framework
// that does not run on the chip falls back too, and its note says so. The
// error is field framework's, naming the known names and the closest.
func (c *Catalog) CheckServingFramework(framework string, chip *hardware.Chip) error {
	data := c.inference
	_, _, fw := data.servingName(framework)
	names := data.servingNames()
	ids, ok := names[fw]
	switch {
	case fw == "":
		return nil
	case !ok:
		return unknownFramework("serving", framework, fw, slices.Sorted(maps.Keys(names)), "'vllm 0.11.0'")
	case slices.Contains(Stacks(), fw) && !slices.Contains(ids, chip.Stack):
		var here []string
		for k, v := range data.Frameworks {
			if slices.Contains(v, chip.Stack) {
				here = append(here, k)
			}
		}
		sort.Strings(here)
		return &input.Error{Field: "framework", Value: framework,
			Want: fmt.Sprintf("stack %s does not run on %s, whose stack is %s: want %s or one of its frameworks %s", fw, chip.ID, chip.Stack, chip.Stack, strings.Join(here, ", "))}
	}
	return nil
}

// CheckServingFrameworkOn is CheckServingFramework across the chips of
// one deployment or grid (a disaggregated deployment's two pools, a
// sweep's chip axis): it refuses only where no chip takes the framework,
// with the first chip's error; a chip the framework does not run on falls
// back to its own stack, and its note says so.
func (c *Catalog) CheckServingFrameworkOn(framework string, chips []*hardware.Chip) error {
	var first error
	for _, ch := range chips {
		err := c.CheckServingFramework(framework, ch)
		if err == nil {
			return nil
		}
		first = cmp.Or(first, err)
	}
	return first
}

func frameworkNames(d *InferenceStacks) []string {
	var n []string
	for k := range d.Frameworks {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func stackIDs(d *InferenceStacks) []string {
	var n []string
	for _, s := range d.Stacks {
		n = append(n, s.ID)
	}
	return n
}

// DeploymentOptions describe a serving deployment by catalog ids and
// plain values (what a published run or the command line gives).
type DeploymentOptions struct {
	Chip           string
	Chips          int                  // packages in the deployment
	ChipsPerNode   int                  // 0: the chip's usual scale-up domain
	ScaleOut       units.GigabitsPerSec // 0: the catalog's NIC
	DevicesPerChip int                  // 0: the chip's own
	Software       string               // framework name or stack id; "" = the chip's default
	Model          llm.Model
	// Parallel degrees count devices; with TP and EP both 0 one instance
	// spans every device: EP for an MoE model, TP for a dense one.
	Parallel    inference.Parallel
	Precision   string // "" = bf16
	KVPrecision string // "" = as Precision
	Speculative inference.Speculative
	// ExpertImbalance overrides the stack's expert imbalance (0: the
	// stack's, with its balancer).
	ExpertImbalance float64
}

// Deployment builds the estimator's deployment from o; note says how the
// software name was resolved ("" when it mapped directly).
func (c *Catalog) Deployment(o DeploymentOptions) (d inference.Deployment, note string, err error) {
	chip, err := c.Chip(o.Chip)
	if err != nil {
		return d, "", err
	}
	st, note, err := c.InferenceProfile(o.Software, chip)
	if err != nil {
		return d, "", err
	}
	cl, err := c.Cluster(chip.ID, o.Chips, ClusterOptions{ChipsPerNode: o.ChipsPerNode, ScaleOut: o.ScaleOut, Stack: st.ID})
	if err != nil {
		return d, "", err
	}
	if o.DevicesPerChip > 0 && o.DevicesPerChip != chip.DevicesPerChip {
		cp := *chip
		cp.DevicesPerChip = o.DevicesPerChip
		cl.Chip = &cp
	}
	var prec, kv hardware.Precision
	if o.Precision != "" {
		if prec, err = hardware.ParsePrecision(o.Precision); err != nil {
			return d, "", fmt.Errorf("precision: %w", err)
		}
	}
	if o.KVPrecision != "" {
		if kv, err = hardware.ParsePrecision(o.KVPrecision); err != nil {
			return d, "", fmt.Errorf("kv_precision: %w", err)
		}
	}
	if err := CheckServingDegrees(o.Model, o.Parallel); err != nil {
		return d, "", err
	}
	par := o.Parallel
	if par.TP == 0 && par.EP == 0 {
		devices := o.Chips * max(cl.Chip.DevicesPerChip, 1) / max(par.PP, 1)
		switch {
		case o.Model.MoE != nil:
			par.EP = devices
		case par.AttentionDP > 0:
			par.TP = devices / par.AttentionDP
		default:
			par.TP = devices
		}
	}
	d = inference.Deployment{Model: o.Model, Cluster: cl, Parallel: par, Precision: prec, KVPrecision: kv,
		Profile: st.Profile(), Speculative: o.Speculative, ExpertImbalance: o.ExpertImbalance}
	return d, note, nil
}
