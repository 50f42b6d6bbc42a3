package calc

import (
	"fmt"
	"strings"
	"testing"

	"chipgap/inference"
)

// TestServeLargestBatchSaysItsContext: the header's largest batch names
// the context each sequence was sized at (QA: "largest batch 75957 at
// 4096+256 tokens", though 75957 × 4352 exceeds the cache): a paged
// cache (vLLM) holds the mean 4096 + 256/2 + 1 draft = 4225 tokens a
// sequence, TensorRT-LLM reserves the whole 4096 + 256 + 1 = 4353, and
// the batch is the cache's tokens over that context.
func TestServeLargestBatchSaysItsContext(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		software, kind, text string
		ctx                  float64
	}{
		{"vllm", inference.KVGrown, "at a mean 4225 tokens of 4096+256, 1 draft token included (paged: the cache grows as tokens are generated)", 4225},
		{"tensorrt-llm", inference.KVReserved, "at the whole 4353 tokens of 4096+256, 1 draft token included (reserved when a request is admitted)", 4353},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Framework = "llama3.1-8b", "h100-sxm", 1, c.software
		r.Workload.Input, r.Workload.Output, r.Speculative.Tokens = 4096, 256, 1
		e := serveEstimate(t, cat, r)
		want := int(float64(e.KV.Tokens) / c.ctx)
		b := e.MaxBatchSizing
		if e.MaxBatch != want || b.Sequences != want || b.ContextTokens != c.ctx || b.KV != c.kind || b.Bound != inference.BoundKV || b.DraftTokens != 1 {
			t.Errorf("%s: max batch %d, sizing %+v; want %d sequences of %g tokens (%s) from %d KV tokens", c.software, e.MaxBatch, b, want, c.ctx, c.kind, e.KV.Tokens)
		}
		if float64(want)*c.ctx > float64(e.KV.Tokens) {
			t.Errorf("%s: %d × %g tokens overflow the %d-token cache", c.software, want, c.ctx, e.KV.Tokens)
		}
		var sb strings.Builder
		if err := e.WriteText(&sb); err != nil {
			t.Fatal(err)
		}
		if line := fmt.Sprintf("largest batch %d %s", want, c.text); !strings.Contains(sb.String(), line) {
			t.Errorf("%s: header lacks %q:\n%s", c.software, line, sb.String())
		}
	}
	// 100+100 tokens: vLLM's max_num_seqs binds below the 150-token mean's
	// batch, and the header says so with what the cache alone holds.
	r := NewServeRequest()
	r.Model, r.Chip, r.Chips, r.Framework = "llama3.1-8b", "h100-sxm", 1, "vllm"
	r.Workload.Input, r.Workload.Output = 100, 100
	e := serveEstimate(t, cat, r)
	b, kvHolds := e.MaxBatchSizing, int(float64(e.KV.Tokens)/150)
	if b.Bound != inference.BoundMaxBatch || b.KVSequences != kvHolds || b.Sequences >= kvHolds || e.MaxBatch != b.Sequences {
		t.Errorf("100+100: sizing %+v, want max_batch binding below the cache's %d", b, kvHolds)
	}
	var sb strings.Builder
	if err := e.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	if line := fmt.Sprintf("largest batch %d, the engine's max_batch limit; the KV cache holds %d at a mean 150 tokens of 100+100 (paged", e.MaxBatch, kvHolds); !strings.Contains(sb.String(), line) {
		t.Errorf("100+100: header lacks %q:\n%s", line, sb.String())
	}
}
