package serve

import (
	"testing"
	"time"

	"chipgap/units"
)

// disaggByHand is a prefill pool of preReplicas × preBlocks blocks and
// a decode pool of one replica, every step 10 ms; 100-token prompts of
// 1 MB of KV a token cross a 1 GB/s link in 100 ms, plus latency.
func disaggByHand(preReplicas, preBlocks int, latency float64, router string) Deployment {
	pre, dec := testPool(preReplicas, preBlocks), onePool(100, constStep(10*time.Millisecond))
	pre.Step, pre.KVBytesPerToken = constStep(10*time.Millisecond), 1e6
	return Deployment{Pools: []Pool{pre, dec}, Router: router, Link: Link{Bandwidth: 1e9, Latency: units.Seconds(latency)}}
}

// TestPrefillHoldsKVUntilLanded: one prefill replica of 7 blocks of 16
// tokens holds one 100-token prompt + 2 output tokens (7 blocks); A and
// B arrive at 0. A prefills 0–10 ms (TTFT 10) and is sent 10–110 ms,
// landing at 111 (1 ms latency). Its blocks are read by the link until
// then, so B is admitted only at 111: it prefills 111–121 (TTFT 121),
// is sent 121–221 and lands at 222. The decode replica steps A 111–121
// (E2E 121) and B 222–232 (E2E 232). Freeing A's blocks when its
// transfer started (the old behaviour) prefilled B 10–20 (TTFT 20), sent
// it 110–210, and ended it at 221.
func TestPrefillHoldsKVUntilLanded(t *testing.T) {
	d := disaggByHand(1, 7, 1e-3, RoundRobin)
	w := Workload{Process: Trace, Trace: []Request{{0, 100, 2}, {0, 100, 2}}}
	r, err := Simulate(d, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TTFT.Max != 121 || r.TTFT.P50 != 65.5 || r.E2E.Max != 232 || r.KV.BlocksAllocated != 28 || r.KV.BlocksFreed != 28 {
		t.Fatalf("TTFT max %v P50 %v, E2E max %v ms, blocks %d/%d; want 121, 65.5 (of 10 and 121), 232, 28/28 (7 a request on each pool)",
			r.TTFT.Max, r.TTFT.P50, r.E2E.Max, r.KV.BlocksAllocated, r.KV.BlocksFreed)
	}
}

// TestRouterCountsLinkQueue: two prefill replicas; A, B, C arrive at 0
// and go to P0, P1, P0 (ties to the first). Both prefill 0–10 ms. P0's
// link sends A 10–110 and queues C (110–210); P1's sends B 10–110. D
// arrives at 20 ms: both replicas are empty, but P0's link has C
// waiting, so D goes to P1: prefill 20–30, sent 110–210 (behind B),
// decode 210–220, E2E 200. A and B decode 110–120 and C 210–220, so the
// longest E2E is C's 220 ms. A router blind to the link sent D to P0,
// whose link is free only at 210: sent 210–310, decoded 310–320, E2E
// 300 ms. Round robin sends D to P1 in turn.
func TestRouterCountsLinkQueue(t *testing.T) {
	w := Workload{Process: Trace, Trace: []Request{{0, 100, 2}, {0, 100, 2}, {0, 100, 2}, {20 * time.Millisecond, 100, 2}}}
	for _, router := range []string{LeastOutstanding, KVAware, RoundRobin} {
		r, err := Simulate(disaggByHand(2, 100, 0, router), w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.E2E.Max != 220 || r.E2E.P50 != 160 || r.TTFT.Max != 10 {
			t.Errorf("%s: E2E max %v P50 %v, TTFT max %v ms; want 220, 160 (of 120, 120, 200, 220), 10", router, r.E2E.Max, r.E2E.P50, r.TTFT.Max)
		}
	}
}
