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
