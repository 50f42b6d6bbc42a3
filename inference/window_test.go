package inference

import (
	"math"
	"testing"

	"chipgap/hardware"
	"chipgap/llm"
)

// A decode step over contexts of 8,192 and 2,048 tokens, every layer
// under a 4,096-key window (Mistral 7B v0.1's layout): the long sequence
// reads 4,096 tokens of KV cache, not 8,192. By hand, with dense()'s
// 131,072 bytes of KV per token (8 KV heads × 128 × 2 × 2 B × 32 layers)
// and 4·32·128 = 16,384 FLOPs per (query, key) pair and layer: 4,096
// fewer keys read, 536,870,912 fewer bytes and 4096·16384·32 =
// 2,147,483,648 fewer FLOPs than without the window.
func TestWindowDecodeReadsTheWindow(t *testing.T) {
	full := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	win := full
	win.Model.Window = 4096
	b := Batch{Decode: []int{8192, 2048}}
	a, err := StepTime(full, b)
	if err != nil {
		t.Fatal(err)
	}
	w, err := StepTime(win, b)
	if err != nil {
		t.Fatal(err)
	}
	if d := float64(a.Bytes - w.Bytes); math.Abs(d-536870912) > 1 {
		t.Errorf("KV bytes saved = %.0f, want 536,870,912", d)
	}
	if d := float64(a.FLOPs - w.FLOPs); math.Abs(d-2147483648) > 1 {
		t.Errorf("attention FLOPs saved = %.0f, want 2,147,483,648", d)
	}
	if !(w.Time < a.Time) {
		t.Errorf("windowed step %v not faster than %v", w.Time, a.Time)
	}
}

// Every local layer holds at most the window, so the KV cache that
// limits the batch counts llm.Windowing.EffectiveContext per sequence:
// half the layers global under a 4,096-key window, a sequence of
// 16,384 + 16,384 tokens reserved whole holds 0.5·32768 + 0.5·4096 =
// 18,432 tokens of every layer's cache, and the instance holds
// KV tokens / 18,432 of them.
func TestWindowKVCapacity(t *testing.T) {
	d := Deployment{Model: dense(), Cluster: testCluster(1), Precision: hardware.BF16, Profile: ideal()}
	d.Profile.KVReserveFull = true
	d.Model.Window, d.Model.GlobalEvery = 4096, 2
	l, err := resolve(d)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := l.kv()
	if err != nil {
		t.Fatal(err)
	}
	b := l.maxBatch(Decode, Workload{Input: 16384, Output: 16384}, kv).Sequences
	if want := int(float64(kv.Tokens) / 18432); b != want {
		t.Errorf("max batch = %d, want %d (%d tokens / 18,432)", b, want, kv.Tokens)
	}
	if got := (llm.Windowing{Window: 4096, Global: 0.5}).EffectiveContext(32768); got != 18432 {
		t.Errorf("EffectiveContext = %v, want 18432", got)
	}
}
