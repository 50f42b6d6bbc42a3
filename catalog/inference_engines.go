package catalog

// Serving engines (stacks-inference.yaml's engines section): their
// scheduling limits, the large-device and earlier-era limits an engine
// may size by the device and its release, their MoE backends, the
// checks when the data loads, and how a stack takes an engine's limits.

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"chipgap/hardware"
	"chipgap/units"
)

// EngineMoE is a serving engine's default MoE backend: the bandwidth
// fraction its routed-expert GEMMs stream weights at and the module's
// fixed time per MoE layer (see inference.Profile), each with a source.
type EngineMoE struct {
	Backend         string               `yaml:"backend" json:"backend"`
	ExpertMemoryEff Param[float64]       `yaml:"expert_memory_eff" json:"expert_memory_eff"`
	MoELayerTime    Param[units.Seconds] `yaml:"moe_layer_time" json:"moe_layer_time"`
	// EPLB is the engine's default expert balancer (1: on, 0: off); nil
	// keeps the stack's.
	EPLB *Param[int] `yaml:"eplb,omitempty" json:"eplb,omitempty"`
	// CommOverlap is the share of the EP dispatch and combine the
	// engine's default MoE path hides behind compute, and MoESync its
	// host wait per MoE layer; nil keeps the stack's (DeepEP-style
	// dual-micro-batch overlap and its token-count sync).
	CommOverlap *Param[float64]       `yaml:"comm_overlap,omitempty" json:"comm_overlap,omitempty"`
	MoESync     *Param[units.Seconds] `yaml:"moe_sync,omitempty" json:"moe_sync,omitempty"`
	// TPDispatch is 0 where the engine, with attention tensor-parallel
	// over the whole instance, runs each device's experts on the
	// replicated tokens and sums them in the all-reduce (no EP dispatch);
	// nil or 1: the tokens are split over the TP ranks and dispatched.
	TPDispatch *Param[int] `yaml:"tp_dispatch,omitempty" json:"tp_dispatch,omitempty"`
}

// EngineLimits are a serving engine's scheduling limits as its defaults
// set them (see inference.Profile): KV block size, running sequences,
// tokens per forward pass and chunked-prefill size, each with a source.
type EngineLimits struct {
	BlockTokens Param[int] `yaml:"block_tokens" json:"block_tokens"`
	MaxBatch    Param[int] `yaml:"max_batch" json:"max_batch"`
	MaxTokens   Param[int] `yaml:"max_tokens" json:"max_tokens"`
	ChunkTokens Param[int] `yaml:"chunk_tokens" json:"chunk_tokens"`
	// KVReserveFull is 1 where the engine reserves a request's whole
	// prompt and output in the KV cache when it admits it.
	KVReserveFull Param[int] `yaml:"kv_reserve_full" json:"kv_reserve_full"`
}

func (e EngineLimits) named() []struct {
	name string
	p    Param[int]
} {
	return []struct {
		name string
		p    Param[int]
	}{{"block_tokens", e.BlockTokens}, {"max_batch", e.MaxBatch}, {"max_tokens", e.MaxTokens}, {"chunk_tokens", e.ChunkTokens}, {"kv_reserve_full", e.KVReserveFull}}
}

// documented refuses an engine limit without sources: a limit is an
// engine's documented default (none may be invented), so neither
// assumed: true nor a calibration stands for one.
func (e EngineLimits) documented(at string) error {
	for _, l := range e.named() {
		if len(l.p.Sources) == 0 {
			return fmt.Errorf("%s: %s: an engine limit wants sources (the engine's documented default), not assumed or calibrated", at, l.name)
		}
	}
	return nil
}

// InferenceEngine is one serving engine (SGLang, vLLM, TensorRT-LLM):
// the framework names it goes by, the stacks it runs on and its limits,
// which replace the stack's own when a run names the engine.
type InferenceEngine struct {
	ID     string       `yaml:"id" json:"id"`
	Name   string       `yaml:"name" json:"name"`
	Names  []string     `yaml:"names" json:"names"`
	Stacks []string     `yaml:"stacks" json:"stacks"`
	Limits EngineLimits `yaml:"limits" json:"limits"`
	// MoE is the engine's default MoE backend, where it has a measured
	// one; nil keeps the stack's.
	MoE *EngineMoE `yaml:"moe,omitempty" json:"moe,omitempty"`
	// MemoryUtilization is the share of the device's whole memory the
	// engine takes for weights, activations and the KV cache together
	// (vLLM's gpu_memory_utilization), replacing the stack's
	// memory_fraction, which is a share of what the weights and the
	// reserve leave; nil keeps the stack's.
	MemoryUtilization *Param[float64] `yaml:"memory_utilization,omitempty" json:"memory_utilization,omitempty"`
	// Reserved is the engine's memory per device outside the weights and
	// the KV cache (its profiled activations and runtime memory),
	// replacing the stack's; nil keeps the stack's.
	Reserved *Param[units.Bytes] `yaml:"reserved,omitempty" json:"reserved,omitempty"`
	// EagerLayer is the engine's host time per transformer layer on a
	// step that carries prompt tokens, where it captures CUDA graphs for
	// decode-only steps alone (inference.Profile.EagerLayer); nil: none.
	EagerLayer *Param[units.Seconds] `yaml:"eager_layer,omitempty" json:"eager_layer,omitempty"`
	// FP8ContextAttention is the rate at which the engine runs prompt
	// (context) attention in FP8, over the 16-bit rate, where it does
	// (inference.Profile.FP8ContextAttention), from its release (or date)
	// on; nil: always in 16 bits.
	FP8ContextAttention *EngineSince `yaml:"fp8_context_attention,omitempty" json:"fp8_context_attention,omitempty"`
	// LargeDevice replaces the running-sequence and token limits on a
	// device with at least its memory (vLLM sizes its defaults by the
	// device); nil: the limits hold on every device.
	LargeDevice *EngineDeviceLimits `yaml:"large_device,omitempty" json:"large_device,omitempty"`
	// Before is the engine's limits for a run that names a release (or a
	// date) before the current defaults' era; nil: none.
	Before *EngineEra `yaml:"before,omitempty" json:"before,omitempty"`
	// ChipLimits replace the running-sequence or chunked-prefill limit
	// on the chips each entry names (LMDeploy picks its max_batch_size by
	// the device's name, SGLang its chunked_prefill_size by the device's
	// memory); a run in an earlier era keeps the era's batch.
	ChipLimits []EngineChipLimits `yaml:"chip_limits,omitempty" json:"chip_limits,omitempty"`
}

// EngineChipLimits are the limits an engine sets on the chips it names:
// the running sequences, the chunked-prefill size, or both (nil: the
// engine's own).
type EngineChipLimits struct {
	Chips       []string    `yaml:"chips" json:"chips"`
	MaxBatch    *Param[int] `yaml:"max_batch,omitempty" json:"max_batch,omitempty"`
	ChunkTokens *Param[int] `yaml:"chunk_tokens,omitempty" json:"chunk_tokens,omitempty"`
}

// onChip is the entry of e's per-chip limits that names chip, if any.
func (e InferenceEngine) onChip(chip *hardware.Chip) (EngineChipLimits, bool) {
	for _, l := range e.ChipLimits {
		if chip != nil && slices.Contains(l.Chips, chip.ID) {
			return l, true
		}
	}
	return EngineChipLimits{}, false
}

// EngineDeviceLimits are an engine's running-sequence and token limits
// on a large device: one whose memory per device is at least
// MinMemoryGiB, on one of Stacks, and not one of ExceptChips.
type EngineDeviceLimits struct {
	MinMemoryGiB float64    `yaml:"min_memory_gib" json:"min_memory_gib"`
	Stacks       []string   `yaml:"stacks" json:"stacks"`
	ExceptChips  []string   `yaml:"except_chips,omitempty" json:"except_chips,omitempty"`
	MaxBatch     Param[int] `yaml:"max_batch" json:"max_batch"`
	MaxTokens    Param[int] `yaml:"max_tokens" json:"max_tokens"`
}

// applies reports whether chip (its memory per device) on stack st is a
// large device for d.
func (d *EngineDeviceLimits) applies(chip *hardware.Chip, st string) bool {
	if d == nil || chip == nil || !slices.Contains(d.Stacks, st) || slices.Contains(d.ExceptChips, chip.ID) {
		return false
	}
	perDevice := float64(chip.HBM.Capacity.Typ) / float64(max(chip.DevicesPerChip, 1))
	return perDevice >= d.MinMemoryGiB*(1<<30)
}

// EngineEra is what an engine did before its current era: for a run
// that names a release before Release or a date before Date, its
// running-sequence and token limits (nil: the engine's own) and its
// generation-phase attention kernel (DecodeKVPerQueryHead 1: the kernel
// loaded K and V per query head, inference.Profile.DecodeKVPerQueryHead;
// nil or 0: as now) and its scheduling of whole prompts ahead of the
// decodes (PrefillFirstTokens: its token budget a step,
// inference.Profile.PrefillFirstTokens; nil: as now). An era states at
// least one of them.
type EngineEra struct {
	Date                 string      `yaml:"date" json:"date"`
	Release              string      `yaml:"release" json:"release"`
	MaxBatch             *Param[int] `yaml:"max_batch,omitempty" json:"max_batch,omitempty"`
	MaxTokens            *Param[int] `yaml:"max_tokens,omitempty" json:"max_tokens,omitempty"`
	DecodeKVPerQueryHead *Param[int] `yaml:"decode_kv_per_query_head,omitempty" json:"decode_kv_per_query_head,omitempty"`
	PrefillFirstTokens   *Param[int] `yaml:"prefill_first_tokens,omitempty" json:"prefill_first_tokens,omitempty"`
	Note                 string      `yaml:"note" json:"note"`
}

// EngineSince is an engine parameter that holds from a release (or a
// date) on: a run that names an earlier one goes without it.
type EngineSince struct {
	Param[float64] `yaml:",inline"`
	Release        string `yaml:"release" json:"release"`
	Date           string `yaml:"date" json:"date"`
}

// holds reports whether the parameter holds for a run naming tag (a
// release or a date; "" for none: the engine as it is now).
func (e *EngineSince) holds(tag string) bool {
	return e != nil && !(&EngineEra{Date: e.Date, Release: e.Release}).covers(tag)
}

// covers reports whether a release tag (a version such as 0.6.3 or
// v0.7.2, or a date YYYY-MM-DD) falls before the era's end.
func (e *EngineEra) covers(tag string) bool {
	if e == nil || tag == "" {
		return false
	}
	if dateTagRE.MatchString(tag) {
		return tag < e.Date
	}
	v, ok := versionParts(tag)
	end, _ := versionParts(e.Release)
	return ok && slices.Compare(v, end) < 0
}

// dateTagRE is a release given as its date.
var dateTagRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])-\d\d$`)

// versionParts reads a release such as "0.8.5", "v0.9.1" or
// "0.6.3.post1" as its leading numbers; ok is false for anything else.
func versionParts(tag string) (v []int, ok bool) {
	tag = strings.TrimPrefix(strings.ToLower(tag), "v")
	for _, f := range strings.Split(tag, ".") {
		n, err := strconv.Atoi(f)
		if err != nil {
			break
		}
		v = append(v, n)
	}
	return v, len(v) >= 2
}

// checkEngines checks each engine's stacks, names and sourced limits.
func (s *InferenceStacks) checkEngines(c *Catalog, file string, stacks map[string]bool) error {
	names := map[string]string{}
	for _, e := range s.Engines {
		at := fmt.Sprintf("catalog: %s: engine %q", file, e.ID)
		for _, id := range e.Stacks {
			if !stacks[id] {
				return fmt.Errorf("%s: stack %q has no profile", at, id)
			}
		}
		// A name means one engine per stack (vLLM is vLLM-Ascend on cann).
		for _, n := range append([]string{e.ID}, e.Names...) {
			for _, st := range e.Stacks {
				if o, dup := names[n+"@"+st]; dup {
					return fmt.Errorf("%s: name %q is also engine %q's on stack %s", at, n, o, st)
				}
				names[n+"@"+st] = e.ID
			}
		}
		if err := e.Limits.documented(at); err != nil {
			return err
		}
		for _, l := range e.Limits.named() {
			keys, _ := l.p.provenance()
			if err := c.checkSources(at+": "+l.name, keys); err != nil {
				return err
			}
			if l.p.Value < 0 || l.name == "block_tokens" && l.p.Value < 1 || l.name == "kv_reserve_full" && l.p.Value > 1 {
				return fmt.Errorf("%s: %s = %d: want 0 (no limit) or more; a block of at least 1 token", at, l.name, l.p.Value)
			}
		}
		if m := e.MoE; m != nil {
			if err := m.check(c, at); err != nil {
				return err
			}
		}
		if err := e.checkDatedLimits(c, at, stacks); err != nil {
			return err
		}
		if u := e.MemoryUtilization; u != nil {
			if err := checkEngineParam(c, at, "memory_utilization", u.provenance, withinRange(*u)); err != nil {
				return err
			}
			if u.Value <= 0 || u.Max != nil && *u.Max > 1 || u.Value > 1 {
				return fmt.Errorf("%s: memory_utilization = %g: want a share of the device's memory in (0, 1]", at, u.Value)
			}
		}
		if r := e.Reserved; r != nil {
			if err := checkEngineParam(c, at, "reserved", r.provenance, withinRange(*r)); err != nil {
				return err
			}
			if r.Value < 0 {
				return fmt.Errorf("%s: reserved = %v: want a non-negative size", at, r.Value)
			}
		}
		if g := e.EagerLayer; g != nil {
			if err := checkEngineParam(c, at, "eager_layer", g.provenance, withinRange(*g)); err != nil {
				return err
			}
			if g.Value < 0 {
				return fmt.Errorf("%s: eager_layer = %v: want a non-negative time", at, g.Value)
			}
		}
		if f := e.FP8ContextAttention; f != nil {
			if err := checkEngineParam(c, at, "fp8_context_attention", f.provenance, withinRange(f.Param)); err != nil {
				return err
			}
			if f.Value < 1 {
				return fmt.Errorf("%s: fp8_context_attention = %g: want a rate over the 16-bit one, at least 1", at, f.Value)
			}
			if _, err := time.Parse("2006-01-02", f.Date); err != nil {
				return fmt.Errorf("%s: fp8_context_attention: date %q: want YYYY-MM-DD", at, f.Date)
			}
			if _, ok := versionParts(f.Release); !ok {
				return fmt.Errorf("%s: fp8_context_attention: release %q: want a version such as 1.0.0", at, f.Release)
			}
		}
	}
	return nil
}

// checkDatedLimits checks an engine's large-device, per-chip and
// earlier-era limits: sourced (an engine limit is a documented default), positive,
// on stacks the engine runs on, an era with a date and a release.
func (e InferenceEngine) checkDatedLimits(c *Catalog, at string, stacks map[string]bool) error {
	limit := func(where, name string, p Param[int]) error {
		if len(p.Sources) == 0 {
			return fmt.Errorf("%s: %s: %s: an engine limit wants sources (the engine's documented default)", at, where, name)
		}
		if err := c.checkSources(at+": "+where+": "+name, p.Sources); err != nil {
			return err
		}
		if p.Value < 0 {
			return fmt.Errorf("%s: %s: %s = %d: want 0 (no limit) or more", at, where, name, p.Value)
		}
		return nil
	}
	limits := func(where string, batch, tokens Param[int]) error {
		if err := limit(where, "max_batch", batch); err != nil {
			return err
		}
		return limit(where, "max_tokens", tokens)
	}
	optional := func(where, name string, p *Param[int]) error {
		if p == nil {
			return nil
		}
		return limit(where, name, *p)
	}
	if d := e.LargeDevice; d != nil {
		if !(d.MinMemoryGiB > 0) {
			return fmt.Errorf("%s: large_device: min_memory_gib = %g: want a positive size", at, d.MinMemoryGiB)
		}
		for _, st := range d.Stacks {
			if !stacks[st] || !slices.Contains(e.Stacks, st) {
				return fmt.Errorf("%s: large_device: stack %q: want one the engine runs on (%v)", at, st, e.Stacks)
			}
		}
		for _, id := range d.ExceptChips {
			if _, err := c.Chip(id); err != nil {
				return fmt.Errorf("%s: large_device: except_chips: %w", at, err)
			}
		}
		if err := limits("large_device", d.MaxBatch, d.MaxTokens); err != nil {
			return err
		}
	}
	if err := e.checkChipLimits(c, at, limit); err != nil {
		return err
	}
	if b := e.Before; b != nil {
		if _, err := time.Parse("2006-01-02", b.Date); err != nil {
			return fmt.Errorf("%s: before: date %q: want YYYY-MM-DD", at, b.Date)
		}
		if _, ok := versionParts(b.Release); !ok {
			return fmt.Errorf("%s: before: release %q: want a version such as 0.8.0", at, b.Release)
		}
		if b.Note == "" {
			return fmt.Errorf("%s: before: note: want what the earlier era was", at)
		}
		if b.MaxBatch == nil && b.MaxTokens == nil && b.DecodeKVPerQueryHead == nil && b.PrefillFirstTokens == nil {
			return fmt.Errorf("%s: before: want max_batch, max_tokens, decode_kv_per_query_head or prefill_first_tokens", at)
		}
		for _, l := range []struct {
			name string
			p    *Param[int]
		}{{"max_batch", b.MaxBatch}, {"max_tokens", b.MaxTokens}, {"prefill_first_tokens", b.PrefillFirstTokens}} {
			if err := optional("before", l.name, l.p); err != nil {
				return err
			}
		}
		if k := b.DecodeKVPerQueryHead; k != nil {
			if len(k.Sources) == 0 {
				return fmt.Errorf("%s: before: decode_kv_per_query_head: wants sources (what the engine's kernel did then)", at)
			}
			if err := c.checkSources(at+": before: decode_kv_per_query_head", k.Sources); err != nil {
				return err
			}
			if k.Value != 0 && k.Value != 1 {
				return fmt.Errorf("%s: before: decode_kv_per_query_head = %d: want 0 or 1", at, k.Value)
			}
		}
	}
	return nil
}

// checkChipLimits checks an engine's per-chip limits: chips in the
// catalog, each named once, each entry with a sourced limit (limit
// checks one).
func (e InferenceEngine) checkChipLimits(c *Catalog, at string, limit func(where, name string, p Param[int]) error) error {
	seen := map[string]bool{}
	for i, l := range e.ChipLimits {
		where := fmt.Sprintf("chip_limits[%d]", i)
		if len(l.Chips) == 0 {
			return fmt.Errorf("%s: %s: chips: want the chips the limits hold on", at, where)
		}
		for _, id := range l.Chips {
			if _, err := c.Chip(id); err != nil {
				return fmt.Errorf("%s: %s: chips: %w", at, where, err)
			}
			if seen[id] {
				return fmt.Errorf("%s: %s: chip %q is named twice", at, where, id)
			}
			seen[id] = true
		}
		if l.MaxBatch == nil && l.ChunkTokens == nil {
			return fmt.Errorf("%s: %s: want max_batch, chunk_tokens or both", at, where)
		}
		if l.MaxBatch != nil {
			if err := limit(where, "max_batch", *l.MaxBatch); err != nil {
				return err
			}
		}
		if l.ChunkTokens != nil {
			if err := limit(where, "chunk_tokens", *l.ChunkTokens); err != nil {
				return err
			}
		}
	}
	return nil
}

// check checks the backend's parameters: sourced, in range.
func (m *EngineMoE) check(c *Catalog, at string) error {
	at += ": moe"
	if m.Backend == "" {
		return fmt.Errorf("%s: backend: want the MoE backend's name", at)
	}
	if err := checkEngineParam(c, at, "expert_memory_eff", m.ExpertMemoryEff.provenance, withinRange(m.ExpertMemoryEff)); err != nil {
		return err
	}
	if err := checkEngineParam(c, at, "moe_layer_time", m.MoELayerTime.provenance, withinRange(m.MoELayerTime)); err != nil {
		return err
	}
	if v := m.ExpertMemoryEff.Value; !(v > 0 && v <= 1) {
		return fmt.Errorf("%s: expert_memory_eff = %g: want a fraction in (0, 1]", at, v)
	}
	if m.MoELayerTime.Value < 0 {
		return fmt.Errorf("%s: moe_layer_time = %v: want a non-negative time", at, m.MoELayerTime.Value)
	}
	if o := m.CommOverlap; o != nil {
		if err := checkEngineParam(c, at, "comm_overlap", o.provenance, withinRange(*o)); err != nil {
			return err
		}
		if v := o.Value; !(v >= 0 && v <= 1) {
			return fmt.Errorf("%s: comm_overlap = %g: want a fraction in [0, 1]", at, v)
		}
	}
	if y := m.MoESync; y != nil {
		if err := checkEngineParam(c, at, "moe_sync", y.provenance, withinRange(*y)); err != nil {
			return err
		}
		if y.Value < 0 {
			return fmt.Errorf("%s: moe_sync = %v: want a non-negative time", at, y.Value)
		}
	}
	if d := m.TPDispatch; d != nil {
		if err := checkEngineParam(c, at, "tp_dispatch", d.provenance, func() error { return nil }); err != nil {
			return err
		}
		if d.Value != 0 && d.Value != 1 {
			return fmt.Errorf("%s: tp_dispatch = %d: want 0 (experts on the TP-replicated tokens, no dispatch) or 1", at, d.Value)
		}
	}
	if b := m.EPLB; b != nil {
		if err := checkEngineParam(c, at, "eplb", b.provenance, func() error { return nil }); err != nil {
			return err
		}
		if b.Value != 0 && b.Value != 1 {
			return fmt.Errorf("%s: eplb = %d: want 0 (no balancer) or 1", at, b.Value)
		}
	}
	return nil
}

// withinRange is the check that p's value lies within its stated range.
func withinRange[T number](p Param[T]) func() error {
	return func() error { _, err := param(p); return err }
}

// checkEngineParam checks one of an engine's parameters (its own or its MoE
// section's, required or optional): sourced, in range.
func checkEngineParam(c *Catalog, at, name string, prov func() ([]string, bool), rng func() error) error {
	keys, ok := prov()
	if !ok {
		return fmt.Errorf("%s: %s: want sources, calibrated (on what) or assumed: true", at, name)
	}
	if err := c.checkSources(at+": "+name, keys); err != nil {
		return err
	}
	if err := rng(); err != nil {
		return fmt.Errorf("%s: %s: want min ≤ value ≤ max: %w", at, name, err)
	}
	return nil
}

// engineByID is the engine with catalog id id, if any.
func (s *InferenceStacks) engineByID(id string) (InferenceEngine, bool) {
	for _, e := range s.Engines {
		if e.ID == id {
			return e, true
		}
	}
	return InferenceEngine{}, false
}

// ScoredEngine is the engine a prediction on stack st with engine id
// engine (its profile's EngineID, "" for the stack's own limits) is
// scored as: the engine, else the stack's default engine, else
// OwnLimits.
func (c *Catalog) ScoredEngine(st, engine string) string {
	if engine != "" {
		return engine
	}
	if c.inference != nil {
		for _, s := range c.inference.Stacks {
			if s.ID == st && s.DefaultEngine != "" {
				return s.DefaultEngine
			}
		}
	}
	return OwnLimits
}

// OwnLimits is how the scorecard names predictions on a stack's own
// limits where no engine entry holds them (MindIE's on cann, the
// vllm-gaudi plugin's on synapse).
const OwnLimits = "stack"

// engine is the engine a framework name names on stack st, if any.
func (s *InferenceStacks) engine(fw, st string) (InferenceEngine, bool) {
	for _, e := range s.Engines {
		if (e.ID == fw || slices.Contains(e.Names, fw)) && slices.Contains(e.Stacks, st) {
			return e, true
		}
	}
	return InferenceEngine{}, false
}

// withLimits sets st's engine limits: the named engine's when it runs on
// st's stack, else the stack's own; each limit's source title (or the
// note of an assumed one) goes to LimitSources for refusals to cite.
//
// chip and tag (the release a run names, "" for none) pick an engine's
// limits where they depend on them: its earlier era's for a release
// before it (era says which), else its large-device limits on a device
// with the memory for them. A nil chip takes the engine's base limits.
func (c *Catalog) withLimits(data *InferenceStacks, st InferenceStack, fw string, chip *hardware.Chip, tag string) (_ InferenceStack, era string) {
	lim := st.Params.limits()
	if e, ok := data.engine(fw, st.ID); ok {
		lim = e.Limits
		if e.LargeDevice.applies(chip, st.ID) {
			lim.MaxBatch, lim.MaxTokens = e.LargeDevice.MaxBatch, e.LargeDevice.MaxTokens
		}
		eraBatch := false // an earlier era's batch replaces the device's and the chip's
		if b := e.Before; b.covers(tag) {
			if b.MaxBatch != nil {
				lim.MaxBatch, eraBatch = *b.MaxBatch, true
			}
			if b.MaxTokens != nil {
				lim.MaxTokens = *b.MaxTokens
			}
			if k := b.DecodeKVPerQueryHead; k != nil {
				st.DecodeKVPerQueryHead = k.Value == 1
			}
			if t := b.PrefillFirstTokens; t != nil {
				st.PrefillFirstTokens = t.Value
			}
			era = b.Note
		}
		if l, ok := e.onChip(chip); ok {
			if l.MaxBatch != nil && !eraBatch {
				lim.MaxBatch = *l.MaxBatch
			}
			if l.ChunkTokens != nil {
				lim.ChunkTokens = *l.ChunkTokens
			}
		}
		st.Engine, st.EngineID = e.Name, e.ID
		st.Params.BlockTokens, st.Params.MaxBatch, st.Params.MaxTokens, st.Params.ChunkTokens = lim.BlockTokens, lim.MaxBatch, lim.MaxTokens, lim.ChunkTokens
		st.Params.KVReserveFull = lim.KVReserveFull
		if e.MoE != nil {
			st.Params.ExpertMemoryEff, st.Params.MoELayerTime = e.MoE.ExpertMemoryEff, e.MoE.MoELayerTime
			if e.MoE.EPLB != nil {
				st.Params.EPLB = *e.MoE.EPLB
			}
			if e.MoE.CommOverlap != nil {
				st.Params.CommOverlap = *e.MoE.CommOverlap
			}
			if e.MoE.MoESync != nil {
				st.Params.MoESync = *e.MoE.MoESync
			}
			if e.MoE.TPDispatch != nil {
				st.NoTPDispatch = e.MoE.TPDispatch.Value == 0
			}
		}
		if e.EagerLayer != nil {
			st.EagerLayer = *e.EagerLayer
		}
		if u := e.MemoryUtilization; u != nil {
			st.Params.MemoryFraction, st.MemoryOfTotal = *u, true
		}
		if r := e.Reserved; r != nil {
			st.Params.Reserved = *r
		}
		if f := e.FP8ContextAttention; f.holds(tag) {
			st.FP8ContextAttention = f.Param
		}
	}
	st.LimitSources = map[string]string{}
	for _, l := range lim.named() {
		st.LimitSources[l.name] = c.provenanceText(l.p.Sources, l.p.Calibrated, l.p.Note)
	}
	// The KV pool's sizing, which a refusal by the KV cache cites.
	mf, rs := st.Params.MemoryFraction, st.Params.Reserved
	st.LimitSources["memory_fraction"] = c.provenanceText(mf.Sources, mf.Calibrated, mf.Note)
	st.LimitSources["reserved"] = c.provenanceText(rs.Sources, rs.Calibrated, rs.Note)
	return st, era
}
