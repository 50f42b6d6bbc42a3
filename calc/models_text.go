package calc

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/llm"
)

// WriteText prints the preset list, one line a preset, or one preset's
// detail.
func (v ModelsView) WriteText(w io.Writer) error {
	if v.Detail != nil {
		return v.Detail.WriteText(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tparams\tactive\tlayers\thidden\tattention\tfwd FLOP/token\tKV/token bf16\t")
	for _, r := range v.Summaries() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t\n", r.ID, paramCount(r.Params), paramCount(r.Active),
			r.Layers, r.Hidden, r.Attention, r.FLOPsPerToken, r.KVBytesPerToken)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nfwd FLOP/token: weight GEMMs only (2 × active matmul parameters, logits once); 'chipgap models ID' adds attention.")
	return err
}

// paramCount prints a parameter count: 405.9B, 12.88B, 1.2M.
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
	s := fmt.Sprintf("%.4g", x)
	if !strings.Contains(s, ".") {
		return s // a whole number keeps its zeros: 530, not 53
	}
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// WriteText prints the preset's architecture, parameters, FLOPs per
// token, memory and sources.
func (d ModelDetail) WriteText(w io.Writer) error {
	m, p := d.Model, d.Params
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k string, v any) { fmt.Fprintf(tw, "  %s\t%v\n", k, v) }
	fmt.Fprintf(tw, "%s — %s\n\nArchitecture\n", m.ID, m.Name)
	line("layers", m.Layers)
	line("hidden", m.Hidden)
	line("attention", attentionLabel(m))
	if m.Attention == llm.MLA {
		c := m.MLA
		line("mla", fmt.Sprintf("q_lora_rank %d, kv_lora_rank %d, qk_nope %d, qk_rope %d, v_head %d",
			c.QLoraRank, c.KVLoraRank, c.QKNopeHeadDim, c.QKRopeHeadDim, c.VHeadDim))
	} else {
		line("heads / kv_heads / head_dim", fmt.Sprintf("%d / %d / %d", m.Heads, m.KVHeads, m.HeadDim))
	}
	if m.Window > 0 {
		line("sliding window", fmt.Sprintf("%d keys on %d of %d layers (%d global)", m.Window, m.Layers-m.GlobalLayers(), m.Layers, m.GlobalLayers()))
	}
	line("ffn", fmt.Sprintf("%d (%s)", m.FFN, m.Act))
	if e := m.MoE; e != nil {
		line("moe", fmt.Sprintf("%d routed experts of %d, %d active, %d shared, first %d layers dense",
			e.Experts, e.ExpertFFN, e.Active, e.Shared, e.DenseLayers))
		if e.Groups > 0 {
			line("router groups", fmt.Sprintf("%d of %d experts, a token's experts from %d of them", e.Groups, e.Experts/e.Groups, e.GroupTopK))
		}
	}
	line("vocab", fmt.Sprintf("%d (embeddings tied: %v)", m.Vocab, m.TiedEmbeddings))
	line("norm / linear biases", fmt.Sprintf("%s / %v", m.Norm, m.Bias != nil && *m.Bias))
	if m.PosEmbeddings > 0 {
		line("learned positions", m.PosEmbeddings)
	}
	if m.QKNorm {
		line("qk_norm", true)
	}
	fmt.Fprintf(tw, "\nParameters\n")
	line("total", fmt.Sprintf("%s (%d)", paramCount(p.Total), p.Total))
	if m.PublishedParams > 0 {
		line("published", fmt.Sprintf("%s (computed %+.2f %%)", paramCount(int64(m.PublishedParams)), 100*(float64(p.Total)/m.PublishedParams-1)))
	}
	line("active per token", fmt.Sprintf("%s (%d)", paramCount(p.Active), p.Active))
	if m.PublishedActive > 0 {
		line("published active", paramCount(int64(m.PublishedActive)))
	}
	line("non-embedding", paramCount(d.NonEmb))
	for _, kv := range [][2]any{{"embedding", p.Embedding}, {"head", p.Head}, {"attention", p.Attention},
		{"dense MLP", p.DenseMLP}, {"routed experts", p.Experts}, {"shared experts", p.SharedExperts},
		{"router", p.Router}, {"norms", p.Norms}, {"MTP (not in total)", p.MTP}} {
		if n := kv[1].(int64); n > 0 {
			line("  "+kv[0].(string), paramCount(n))
		}
	}
	d.writeFLOPs(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	if d.Model.Note != "" {
		fmt.Fprintf(w, "\nNote: %s\n", d.Model.Note)
	}
	fmt.Fprintf(w, "\nSources\n")
	for _, s := range d.Sources {
		fmt.Fprintf(w, "  [%s] %s", s.Key, s.Title)
		if s.URL != "" {
			fmt.Fprintf(w, " <%s>", s.URL)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// writeFLOPs prints the FLOPs per token and the memory sections.
func (d ModelDetail) writeFLOPs(tw *tabwriter.Writer) {
	line := func(k string, v any) { fmt.Fprintf(tw, "  %s\t%v\n", k, v) }
	f := d.FLOPs
	fmt.Fprintf(tw, "\nFLOPs per token (sequence %d)\n", d.Seq)
	line("forward weight GEMMs", fmt.Sprintf("%v (logits %v)", f.Matmul, f.Head))
	line("forward attention", fmt.Sprintf("%v causal, %v full", f.AttentionCausal, f.AttentionFull))
	line("training (3× forward, causal)", f.TrainCausal)
	line("training, full recompute", f.TrainRecompute)
	if d.Model.Attention == llm.MHA && d.Model.Act == llm.GeLU && d.Model.MoE == nil {
		line("Megatron eq. 3 (full recompute)", f.Megatron)
	}
	if f.MTP > 0 {
		line("MTP modules, forward", f.MTP)
	}
	fmt.Fprintf(tw, "\nMemory\n")
	var wts, kvl, kv, kvs []string
	for _, pr := range modelPrecisions {
		k := string(pr)
		wts = append(wts, fmt.Sprintf("%s %v", k, d.Weights[k]))
		kvl = append(kvl, fmt.Sprintf("%s %v", k, d.KVLayer[k]))
		kv = append(kv, fmt.Sprintf("%s %v", k, d.KV[k]))
		kvs = append(kvs, fmt.Sprintf("%s %v", k, d.KVSeq[k]))
	}
	line("weights", strings.Join(wts, ", "))
	line("KV cache per token per layer", strings.Join(kvl, ", "))
	line("KV cache per token", strings.Join(kv, ", "))
	perSeq := strings.Join(kvs, ", ")
	if d.Model.Window > 0 && d.Seq > d.Model.Window {
		perSeq += " (local layers hold only the window)"
	}
	line(fmt.Sprintf("KV cache per %d-token sequence", d.Seq), perSeq)
}
