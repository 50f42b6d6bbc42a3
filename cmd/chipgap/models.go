package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/units"
)

const modelsUsage = `
Usage: chipgap models [--json] [--seq N] [ID]

Without ID: one line per model preset (parameters, active parameters per
token, shape, forward matmul FLOPs per token, KV cache per token at bf16).
With ID: every field of the preset and every derived figure (parameter
breakdown, FLOPs per token for a sequence of --seq tokens, weight and
KV-cache bytes per precision) and its sources.
`

// modelSummary is one row of "chipgap models".
type modelSummary struct {
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

// modelDetail is "chipgap models ID".
type modelDetail struct {
	Model   llm.Model              `json:"model"`
	Params  llm.Params             `json:"params"`
	NonEmb  int64                  `json:"non_embedding_params"`
	Seq     int                    `json:"seq"`
	FLOPs   modelFLOPs             `json:"flop_per_token"`
	Weights map[string]units.Bytes `json:"weight_bytes"`
	KVLayer map[string]units.Bytes `json:"kv_bytes_per_token_per_layer"`
	KV      map[string]units.Bytes `json:"kv_bytes_per_token"`
	KVSeq   map[string]units.Bytes `json:"kv_bytes_per_sequence"`
	Sources []hardware.Source      `json:"sources"`
}

// maxModelSeq bounds --seq: past it the figures describe no model.
const maxModelSeq = 10_000_000

// modelFLOPs are per-token FLOPs for a sequence of Seq tokens.
type modelFLOPs struct {
	Matmul          units.FLOP `json:"forward_matmul"`
	Head            units.FLOP `json:"forward_head"`
	AttentionCausal units.FLOP `json:"forward_attention_causal"`
	AttentionFull   units.FLOP `json:"forward_attention_full"`
	TrainCausal     units.FLOP `json:"training_causal"`
	TrainRecompute  units.FLOP `json:"training_causal_full_recompute"`
	Megatron        units.FLOP `json:"megatron_eq3_full_recompute"`
	MTP             units.FLOP `json:"forward_mtp,omitempty"`
}

var modelPrecisions = []hardware.Precision{hardware.BF16, hardware.FP8, hardware.INT8, hardware.FP4}

// cmdModels is "chipgap models".
func cmdModels(e *env, args []string) error {
	fs := newFlags(e, "models", modelsUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	seq := fs.Int("seq", 4096, "sequence length for the attention and training FLOPs and the per-sequence KV cache (at most 10⁷)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("want at most one model id, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	if *seq <= 0 || *seq > maxModelSeq {
		return usagef("--seq %d: want 1 to %d tokens (the longest context windows are about 10⁷)", *seq, maxModelSeq)
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return printModelList(e.stdout, cat.Models(), *asJSON)
	}
	m, err := cat.Model(pos[0])
	if err != nil {
		return err
	}
	d := modelDetails(m, *seq)
	for _, k := range m.Sources {
		s, err := cat.Source(k)
		if err != nil {
			return err
		}
		d.Sources = append(d.Sources, *s)
	}
	if *asJSON {
		return modelsJSON(e.stdout, d)
	}
	return printModelDetail(e.stdout, d)
}

func modelsJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func summarize(m llm.Model) modelSummary {
	p := m.Params()
	return modelSummary{
		ID: m.ID, Name: m.Name, Params: p.Total, Active: p.Active, Layers: m.Layers, Hidden: m.Hidden,
		Attention: attentionLabel(m), FLOPsPerToken: m.MatmulFLOPsPerToken(),
		KVBytesPerToken: m.KVBytesPerToken(hardware.BF16.Bytes()),
	}
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

func printModelList(w io.Writer, ms []llm.Model, asJSON bool) error {
	rows := make([]modelSummary, len(ms))
	for i, m := range ms {
		rows[i] = summarize(m)
	}
	if asJSON {
		return modelsJSON(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tparams\tactive\tlayers\thidden\tattention\tfwd FLOP/token\tKV/token bf16\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t\n", r.ID, paramCount(r.Params), paramCount(r.Active),
			r.Layers, r.Hidden, r.Attention, r.FLOPsPerToken, r.KVBytesPerToken)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nfwd FLOP/token: weight GEMMs only (2 × active matmul parameters, logits once); 'chipgap models ID' adds attention.")
	return err
}

// count prints a parameter count: 405.9B, 12.88B, 1.2M.
func paramCount(n int64) string {
	v := float64(n)
	switch {
	case v >= 1e9:
		return paramTrim(v/1e9) + "B"
	case v >= 1e6:
		return paramTrim(v/1e6) + "M"
	case v >= 1e3:
		return paramTrim(v/1e3) + "k"
	}
	return fmt.Sprint(n)
}

func paramTrim(x float64) string {
	if x >= 1000 {
		return fmt.Sprintf("%.0f", x)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4g", x), "0"), ".")
}

func modelDetails(m llm.Model, seq int) modelDetail {
	p := m.Params()
	d := modelDetail{
		Model: m, Params: p, NonEmb: p.NonEmbedding(), Seq: seq,
		Weights: map[string]units.Bytes{}, KVLayer: map[string]units.Bytes{},
		KV: map[string]units.Bytes{}, KVSeq: map[string]units.Bytes{},
	}
	d.FLOPs = modelFLOPs{
		Matmul:          m.MatmulFLOPsPerToken(),
		Head:            m.HeadFLOPsPerToken(),
		AttentionCausal: m.AttentionFLOPsPerToken(llm.AttentionContext(seq, true)),
		AttentionFull:   m.AttentionFLOPsPerToken(llm.AttentionContext(seq, false)),
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
		d.KVSeq[string(pr)] = m.KVBytesPerToken(b) * units.Bytes(seq)
	}
	return d
}
