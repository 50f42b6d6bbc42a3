package inference

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/llm"
)

// An engine whose decode kernel loads K and V per query head
// (Profile.DecodeKVPerQueryHead; TensorRT-LLM before XQA) reads a GQA
// model's KV cache once for each query head sharing a KV head. By hand,
// for dense() (32 query heads over 8 KV heads, 131,072 bytes of KV per
// token over its 32 layers in 16 bits) and a decode step over contexts of
// 8,192 and 2,048 tokens (10,240 tokens of cache):
//   - TP 1: each device holds 32 query and 8 KV heads, 4 loads, so 3
//     extra reads of 10,240 × 131,072 = 1,342,177,280 bytes:
//     4,026,531,840 bytes more;
//   - TP 2: half the cache per device (671,088,640 bytes) and still 4
//     query heads per KV head: 2,013,265,920 more;
//   - TP 16: the 8 KV heads replicated, one per device (16,384 bytes a
//     token, 167,772,160 bytes), serving 2 query heads: 167,772,160 more.
//
// The FLOPs do not change, and a model whose heads are its KV heads (MHA)
// reads the same bytes either way.
func TestDecodeKVPerQueryHead(t *testing.T) {
	b := Batch{Decode: []int{8192, 2048}}
	for _, c := range []struct {
		tp    int
		extra float64
	}{{1, 4026531840}, {2, 2013265920}, {16, 167772160}} {
		a, p := bothKernels(t, Deployment{Model: dense(), Cluster: testCluster(c.tp), Parallel: Parallel{TP: c.tp}, Precision: hardware.BF16, Profile: ideal()}, b)
		if d := float64(p.Bytes - a.Bytes); math.Abs(d-c.extra) > 1 {
			t.Errorf("TP %d: extra KV bytes = %.0f, want %.0f", c.tp, d, c.extra)
		}
		if p.FLOPs != a.FLOPs {
			t.Errorf("TP %d: FLOPs %v, want %v unchanged", c.tp, p.FLOPs, a.FLOPs)
		}
		if !(p.Time > a.Time) {
			t.Errorf("TP %d: per-query-head step %v not slower than %v", c.tp, p.Time, a.Time)
		}
	}
	mha := dense()
	mha.KVHeads, mha.Attention = mha.Heads, llm.MHA
	a, p := bothKernels(t, Deployment{Model: mha, Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}, b)
	if a.Bytes != p.Bytes {
		t.Errorf("MHA: %v bytes with per-query-head loads, want the same %v", p.Bytes, a.Bytes)
	}
}

// Prompt tokens are untouched: the context-phase kernel (fused multi-head
// attention) takes GQA as it is, so a prefill-only step, here a second
// chunk of 2,048 tokens over 2,048 cached ones, moves the same bytes
// either way.
func TestDecodeKVPerQueryHeadSparesPrefill(t *testing.T) {
	a, p := bothKernels(t, Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()},
		Batch{Prefill: []Chunk{{Tokens: 2048, Cached: 2048}}})
	if a.Bytes != p.Bytes || a.Time != p.Time {
		t.Errorf("prefill step: %v bytes in %v with per-query-head loads, want %v in %v", p.Bytes, p.Time, a.Bytes, a.Time)
	}
}

// bothKernels is batch b's step on d with a decode kernel that shares a
// KV head's loads (a) and one that loads per query head (p).
func bothKernels(t *testing.T, d Deployment, b Batch) (a, p StepResult) {
	t.Helper()
	a, err := StepTime(d, b)
	if err != nil {
		t.Fatal(err)
	}
	d.Profile.DecodeKVPerQueryHead = true
	if p, err = StepTime(d, b); err != nil {
		t.Fatal(err)
	}
	return a, p
}
