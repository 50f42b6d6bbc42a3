package training

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/parallel"
)

// A fused attention kernel skips the keys outside a sliding window as it
// skips the causal half: with every layer under a 1,024-key window, a
// query of an 8,192-token sequence averages 1024 − 1024·1023/16384 =
// 960.0625 keys against 4096.5 without it, and the layer's attention
// time falls in that ratio. The eager core attention computes the whole
// score matrix and masks it: the window saves it nothing.
func TestWindowedAttentionTime(t *testing.T) {
	prof := ideal()
	prof.FlashAttention = p(1)
	job := Job{Seq: 8192, GlobalBatch: 8, Precision: hardware.BF16}
	pl := parallel.Plan{TP: 1, PP: 1, DP: 1, CP: 1, EP: 1, VPP: 1, Microbatch: 1, ZeRO: 1}
	attn := func(window int, prof Profile) float64 {
		m := gpt13
		m.Window = window
		pr, err := newPrep(m, testCluster(1), prof, job)
		if err != nil {
			t.Fatal(err)
		}
		return pr.layerForward(&pr.kinds[0], pl, 8192).attn
	}
	if got, want := attn(1024, prof)/attn(0, prof), 960.0625/4096.5; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("windowed / full attention time = %.6f, want %.6f", got, want)
	}
	eager := ideal()
	if a, b := attn(1024, eager), attn(0, eager); a != b {
		t.Errorf("eager attention: %g with the window, %g without; want the same", a, b)
	}
}
