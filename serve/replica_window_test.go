package serve

import "testing"

// Half the layers under a 128-key window (gpt-oss's layout), 32-token
// blocks: a 1,000-token sequence holds 0.5·1000 + 0.5·128 = 564 tokens
// of every layer's cache, ⌈564/32⌉ = 18 blocks (32 without the window);
// a 100-token one is inside the window: ⌈100/32⌉ = 4.
func TestBlocksForWindow(t *testing.T) {
	r := &replica{cfg: EngineConfig{BlockTokens: 32, Window: 128, GlobalShare: 0.5}}
	if got := r.blocksFor(1000); got != 18 {
		t.Errorf("blocksFor(1000) = %d, want 18", got)
	}
	if got := r.blocksFor(100); got != 4 {
		t.Errorf("blocksFor(100) = %d, want 4", got)
	}
	r.cfg.Window, r.cfg.GlobalShare = 0, 0
	if got := r.blocksFor(1000); got != 32 {
		t.Errorf("blocksFor(1000) without a window = %d, want 32", got)
	}
	bad := EngineConfig{BlockTokens: 32, KVBlocks: 10, MaxSeqs: 4, MaxBatchTokens: 64, Scheduler: FCFS, Window: 128, GlobalShare: 1.5}
	if err := bad.validate("engine"); err == nil {
		t.Error("global_share 1.5 accepted")
	}
}
