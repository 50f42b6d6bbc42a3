package llm

import (
	"slices"
	"testing"
)

// A MoE layer's MoE block is its router, routed experts and shared
// experts (SwiGLU: gate_up and down each); attention projections and a
// dense layer's MLP are not in it.
func TestInMoEBlock(t *testing.T) {
	m := Model{Name: "moe", Layers: 2, Hidden: 64, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 100, Act: SwiGLU, Attention: MHA,
		MoE: &MoEConfig{Experts: 4, Active: 2, Shared: 1, ExpertFFN: 32, DenseLayers: 1}}.WithDefaults()
	var in, out []string
	for _, l := range m.LayerGEMMs(1) {
		for _, g := range l.GEMMs {
			if g.InMoEBlock() {
				in = append(in, g.Name)
			} else {
				out = append(out, g.Name)
			}
		}
	}
	slices.Sort(in)
	want := []string{"experts_down", "experts_gate_up", "router", "shared_down", "shared_gate_up"}
	if !slices.Equal(in, want) {
		t.Errorf("MoE block GEMMs %v, want %v", in, want)
	}
	for _, n := range out {
		if n == "router" || n == "experts_down" {
			t.Errorf("%s outside the MoE block", n)
		}
	}
	if len(out) == 0 {
		t.Error("no GEMM outside the MoE block: the attention and dense MLP should be")
	}
}

// KindGEMMs is one layer of each kind LayerGEMMs builds (the first dense
// layer, the first MoE layer, the head), with their indices, for a dense
// model, a MoE model with dense layers first and one without.
func TestKindGEMMs(t *testing.T) {
	moe := Model{Name: "moe", Layers: 3, Hidden: 64, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 100, Act: SwiGLU, Attention: MHA,
		MoE: &MoEConfig{Experts: 4, Active: 2, Shared: 1, ExpertFFN: 32, DenseLayers: 1}}.WithDefaults()
	allMoE := moe
	allMoE.MoE = &MoEConfig{Experts: 4, Active: 2, ExpertFFN: 32}
	dense := Model{Name: "dense", Layers: 2, Hidden: 64, Heads: 4, KVHeads: 2, FFN: 256, Vocab: 100, Act: GeLU, Attention: GQA}.WithDefaults()
	for name, c := range map[string]struct {
		m    Model
		want []int // LayerGEMMs indices KindGEMMs must return, in order
	}{"moe": {moe, []int{0, 1, 3}}, "all-moe": {allMoE, []int{0, 3}}, "dense": {dense, []int{0, 2}}} {
		all, kinds := c.m.LayerGEMMs(5), c.m.KindGEMMs(5)
		if len(kinds) != len(c.want) {
			t.Errorf("%s: %d layers, want %d", name, len(kinds), len(c.want))
			continue
		}
		for i, k := range kinds {
			w := all[c.want[i]]
			if k.Index != w.Index || k.Kind != w.Kind || !slices.Equal(k.GEMMs, w.GEMMs) {
				t.Errorf("%s: layer %d = %+v, want LayerGEMMs' %+v", name, i, k, w)
			}
		}
	}
	if moe.GEMMKey() == allMoE.GEMMKey() || moe.GEMMKey() != moe.WithDefaults().GEMMKey() {
		t.Error("GEMMKey must tell models with other GEMMs apart and match equal ones")
	}
}

// Tensor parallelism splits the attention output's and the down
// projections' K (row split) and leaves MLA's low-rank down projections
// and the router whole; every other weight GEMM is column-split.
func TestGEMMSplits(t *testing.T) {
	m := Model{Name: "mla-moe", Layers: 2, Hidden: 64, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 100, Act: SwiGLU, Attention: MLA,
		MLA: &MLAConfig{QLoraRank: 32, KVLoraRank: 16, QKNopeHeadDim: 16, QKRopeHeadDim: 8, VHeadDim: 16},
		MoE: &MoEConfig{Experts: 4, Active: 2, Shared: 1, ExpertFFN: 32, DenseLayers: 1}}.WithDefaults()
	var row, rep []string
	for _, l := range m.KindGEMMs(1) {
		for _, g := range l.GEMMs {
			if g.RowSplit() {
				row = append(row, g.Name)
			}
			if g.Replicated() {
				rep = append(rep, g.Name)
			}
		}
	}
	slices.Sort(row)
	slices.Sort(rep)
	if want := []string{"attn_out", "attn_out", "experts_down", "mlp_down", "shared_down"}; !slices.Equal(row, want) {
		t.Errorf("row-split GEMMs %v, want %v", row, want)
	}
	if want := []string{"kv_a", "kv_a", "q_a", "q_a", "router"}; !slices.Equal(rep, want) {
		t.Errorf("replicated GEMMs %v, want %v", rep, want)
	}
}
