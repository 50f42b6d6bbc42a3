package calc

import (
	"fmt"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/training"
	"chipgap/units"
)

// ModelsRequest is `chipgap models [ID]`, GET /api/models and
// /api/models/{id}: every model preset, or one in full.
type ModelsRequest struct {
	// ID is one preset (a positional argument on the command line, the
	// path on the API); empty lists every preset.
	ID string `json:"id" flag:"-"`
	// Seq is the sequence length of the attention and training FLOPs and
	// the per-sequence KV cache.
	Seq int `json:"seq" help:"sequence length for the attention and training FLOPs and the per-sequence KV cache (at most 10⁷)"`
}

// NewModelsRequest is a ModelsRequest holding the defaults: the
// sequence of the training job train and run take by default
// (training.DefaultSeq), so the figures describe the job they run.
func NewModelsRequest() ModelsRequest { return ModelsRequest{Seq: training.DefaultSeq} }

// maxModelSeq bounds Seq: past it the figures describe no model.
const maxModelSeq = 10_000_000

// ModelsView is the answer to a ModelsRequest: List without an id,
// Detail with one.
type ModelsView struct {
	List   []llm.Model
	Detail *ModelDetail
}

// Models answers r from the catalog.
func Models(cat *catalog.Catalog, r ModelsRequest) (ModelsView, error) {
	if r.Seq <= 0 || r.Seq > maxModelSeq {
		return ModelsView{}, bad("seq", r.Seq, "want 1 to %d tokens (the longest context windows are about 10⁷)", maxModelSeq)
	}
	if r.ID == "" {
		return ModelsView{List: cat.Models()}, nil
	}
	m, err := cat.Model(r.ID)
	if err != nil {
		return ModelsView{}, lookup("id", err)
	}
	d := modelDetails(m, r.Seq)
	for _, k := range m.Sources {
		s, err := cat.Source(k)
		if err != nil {
			return ModelsView{}, err
		}
		d.Sources = append(d.Sources, *s)
	}
	return ModelsView{Detail: &d}, nil
}

// ModelView is a model preset with its parameter counts (the API's view
// of a model).
type ModelView struct {
	llm.Model
	TotalParams  int64 `json:"total_params"`
	ActiveParams int64 `json:"active_params"`
}

// ViewModel is m's ModelView.
func ViewModel(m llm.Model) ModelView {
	p := m.Params()
	return ModelView{Model: m, TotalParams: p.Total, ActiveParams: p.Active}
}

// ModelSummary is one row of the command line's model list.
type ModelSummary struct {
	ID              string      `json:"id"`
	Name            string      `json:"name"`
	Params          int64       `json:"params"`
	Active          int64       `json:"active_params"`
	Layers          int         `json:"layers"`
	Hidden          int         `json:"hidden"`
	Attention       string      `json:"attention"`
	FLOPsPerToken   units.FLOP  `json:"forward_matmul_flop_per_token"`
	KVBytesPerToken units.Bytes `json:"kv_bytes_per_token_bf16"`
}

// Summaries are the listed models' rows.
func (v ModelsView) Summaries() []ModelSummary {
	rows := make([]ModelSummary, len(v.List))
	for i, m := range v.List {
		p := m.Params()
		rows[i] = ModelSummary{
			ID: m.ID, Name: m.Name, Params: p.Total, Active: p.Active, Layers: m.Layers, Hidden: m.Hidden,
			Attention: attentionLabel(m), FLOPsPerToken: m.MatmulFLOPsPerToken(),
			KVBytesPerToken: m.KVBytesPerToken(hardware.BF16.Bytes()),
		}
	}
	return rows
}

func attentionLabel(m llm.Model) string {
	switch m.Attention {
	case llm.GQA:
		return fmt.Sprintf("gqa %d/%d", m.Heads, m.KVHeads)
	case llm.MLA:
		return fmt.Sprintf("mla %d", m.Heads)
	}
	return fmt.Sprintf("mha %d", m.Heads)
}

// ModelDetail is one preset's every derived figure.
type ModelDetail struct {
	Model   llm.Model              `json:"model"`
	Params  llm.Params             `json:"params"`
	NonEmb  int64                  `json:"non_embedding_params"`
	Seq     int                    `json:"seq"`
	FLOPs   ModelFLOPs             `json:"flop_per_token"`
	Weights map[string]units.Bytes `json:"weight_bytes"`
	KVLayer map[string]units.Bytes `json:"kv_bytes_per_token_per_layer"`
	KV      map[string]units.Bytes `json:"kv_bytes_per_token"`
	KVSeq   map[string]units.Bytes `json:"kv_bytes_per_sequence"`
	Sources []hardware.Source      `json:"sources"`
}

// ModelFLOPs are per-token FLOPs for a sequence of Seq tokens.
type ModelFLOPs struct {
	Matmul          units.FLOP `json:"forward_matmul"`
	Head            units.FLOP `json:"forward_head"`
	AttentionCausal units.FLOP `json:"forward_attention_causal"`
	AttentionFull   units.FLOP `json:"forward_attention_full"`
	TrainCausal     units.FLOP `json:"training_causal"`
	TrainRecompute  units.FLOP `json:"training_causal_full_recompute"`
	Megatron        units.FLOP `json:"megatron_eq3_full_recompute"`
	MTP             units.FLOP `json:"forward_mtp,omitempty"`
}

// modelPrecisions are the weight and KV-cache widths a detail lists.
var modelPrecisions = []hardware.Precision{hardware.BF16, hardware.FP8, hardware.INT8, hardware.FP4}

func modelDetails(m llm.Model, seq int) ModelDetail {
	p := m.Params()
	d := ModelDetail{
		Model: m, Params: p, NonEmb: p.NonEmbedding(), Seq: seq,
		Weights: map[string]units.Bytes{}, KVLayer: map[string]units.Bytes{},
		KV: map[string]units.Bytes{}, KVSeq: map[string]units.Bytes{},
	}
	d.FLOPs = ModelFLOPs{
		Matmul:          m.MatmulFLOPsPerToken(),
		Head:            m.HeadFLOPsPerToken(),
		AttentionCausal: m.SequenceAttentionFLOPsPerToken(seq, true),
		AttentionFull:   m.SequenceAttentionFLOPsPerToken(seq, false),
		TrainCausal:     m.TrainingFLOPsPerToken(seq, true, false),
		TrainRecompute:  m.TrainingFLOPsPerToken(seq, true, true),
		Megatron:        m.MegatronFLOPs(1, seq, true) / units.FLOP(seq),
		MTP:             m.MTPFLOPsPerToken(),
	}
	for _, pr := range modelPrecisions {
		b := pr.Bytes()
		d.Weights[string(pr)] = m.WeightBytes(b)
		d.KVLayer[string(pr)] = m.KVBytesPerTokenPerLayer(b)
		d.KV[string(pr)] = m.KVBytesPerToken(b)
		// A sliding window caps its local layers' cache at the window.
		d.KVSeq[string(pr)] = units.Bytes(float64(m.KVBytesPerToken(b)) * m.Windowing().EffectiveContext(float64(seq)))
	}
	return d
}

// Window is a sliding window a request lays over its model (a preset's
// own, or one a run file cannot state): `--window` and `--global-every`
// on train, serve-estimate and simulate.
type Window struct {
	Window      int `json:"window" help:"sliding-window attention: the keys a local layer's query reads (0: the model's own; presets such as mistral-7b-v0.1 and gpt-oss-120b state theirs)"`
	GlobalEvery int `json:"global_every" help:"with a window: every n-th layer attends to the whole context (2: alternating, as Gemma 2 and gpt-oss; 0: the model's own, or every layer local)"`
}

// apply lays w over m: a window > 0 replaces m's, a global_every > 0
// replaces its pattern; zeros keep m's own.
func (w Window) apply(m llm.Model) (llm.Model, error) {
	switch {
	case w.Window < 0:
		return m, bad("window", w.Window, "want the keys a local layer reads, or 0 for the model's own window")
	case w.GlobalEvery < 0 || w.GlobalEvery == 1:
		return m, bad("global_every", w.GlobalEvery, "want 2 or more (every n-th layer global), or 0 for the model's own pattern")
	}
	if w.Window > 0 {
		m.Window = w.Window
	}
	if w.GlobalEvery > 0 {
		if m.Window == 0 {
			return m, bad("global_every", w.GlobalEvery, "needs a window: state window too (the model has none)")
		}
		m.GlobalEvery = w.GlobalEvery
	}
	return m, nil
}
