package serve

import (
	"math"
	"strings"
	"testing"
	"time"
)

func constStep(d time.Duration) StepModel { return StepFunc(func(Batch) time.Duration { return d }) }

func onePool(kvBlocks int, step StepModel) Pool {
	p := testPool(1, kvBlocks)
	p.Step = step
	return p
}

func fixed(rate float64, n, in, out int) Workload {
	return Workload{Process: Deterministic, Rate: rate, Requests: n,
		Prompt: Lengths{Dist: Fixed, Mean: in}, Output: Lengths{Dist: Fixed, Mean: out}}
}

// TestDisaggregatedHandoffByHand: prompt 100 tokens, 1 MB of KV per
// token, a 1 GB/s link with 1 ms latency: the transfer takes 1 ms +
// 100 MB / 1 GB/s = 101 ms. Steps take 10 ms. Prefill ends at 10 ms;
// the KV lands at 111 ms and the decode replica admits the request then,
// streaming its first token (TTFT 111 ms); decode steps end at 121, 131,
// 141 ms for tokens 2..4, so E2E = 141 ms and TPOT = (141 − 111)/3 =
// 10 ms, the decode step. TTFT had ended at the prefill (10 ms), leaving
// the transfer in TPOT ((141 − 10)/3 ms).
func TestDisaggregatedHandoffByHand(t *testing.T) {
	pre, dec := onePool(100, constStep(10*time.Millisecond)), onePool(100, constStep(10*time.Millisecond))
	pre.KVBytesPerToken = 1e6
	d := Deployment{Pools: []Pool{pre, dec}, Router: RoundRobin, Link: Link{Bandwidth: 1e9, Latency: 1e-3}}
	r, err := Simulate(d, fixed(1, 1, 100, 4), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TTFT.P50 != 111 || r.E2E.P50 != 141 || math.Abs(r.TPOT.P50-10) > 1e-4 {
		t.Fatalf("TTFT %v, E2E %v, TPOT %v ms; want 111, 141, 10", r.TTFT.P50, r.E2E.P50, r.TPOT.P50)
	}
}

// TestPreemptionByHand: 4 blocks of 16 tokens hold 64 tokens; two
// requests of 16 + 40 tokens need 56 each, 112 together, so one must be
// preempted and recomputed; both still complete and every block comes
// back.
func TestPreemptionByHand(t *testing.T) {
	p := onePool(4, constStep(time.Millisecond))
	d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
	r, err := Simulate(d, fixed(1e6, 2, 16, 40), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestsCompleted != 2 || r.Preemptions < 1 || r.KV.BlocksAllocated != r.KV.BlocksFreed {
		t.Fatalf("completed %d, preemptions %d, blocks %d/%d; want 2, ≥ 1, equal",
			r.RequestsCompleted, r.Preemptions, r.KV.BlocksAllocated, r.KV.BlocksFreed)
	}
	p.Engine.ReserveOutput = true
	d.Pools[0] = p
	if r, err = Simulate(d, fixed(1e6, 2, 16, 40), Options{}); err != nil || r.Preemptions != 0 || r.RequestsCompleted != 2 {
		t.Fatalf("reserved admission: %v, %+v; want no preemption, both complete", err, r)
	}
}

// TestLongPromptsAdmittedWhole: prompts of 4,096 tokens (256 blocks of
// 16, two 2,048-token chunks) with 64 generated each (260 blocks at the
// end) on 1,500 blocks: five fit whole (1,300 blocks) and leave 200. A
// sixth admitted on its first chunk's 128 blocks could not take its
// second chunk once the five had grown, was preempted, re-admitted and
// recomputed over and over; admitted only when its whole prompt fits (as
// vLLM V0 allocates a prompt, SGLang reserves it, and vLLM V1 resumes a
// preempted one from its cached blocks), it waits for a finished request:
// no preemption, every request done, the decode growth (5 × 4 blocks)
// always within the 200 spare.
func TestLongPromptsAdmittedWhole(t *testing.T) {
	d := Deployment{Pools: []Pool{onePool(1500, constStep(time.Millisecond))}, Router: RoundRobin}
	r, err := Simulate(d, Workload{Process: Offline, Requests: 20, Prompt: Lengths{Dist: Fixed, Mean: 4096}, Output: Lengths{Dist: Fixed, Mean: 64}}, Options{})
	if err != nil || r.RequestsCompleted != 20 || r.Preemptions != 0 || r.KV.BlocksAllocated != r.KV.BlocksFreed {
		t.Fatalf("err %v, completed %d, preemptions %d, blocks %d/%d; want 20 done, no preemption, all blocks back",
			err, r.RequestsCompleted, r.Preemptions, r.KV.BlocksAllocated, r.KV.BlocksFreed)
	}
}

// TestRejectsWhatCannotFit: a request of 100 + 50 tokens needs 10 blocks
// of 16; a replica with 8 rejects it rather than waiting forever.
func TestRejectsWhatCannotFit(t *testing.T) {
	d := Deployment{Pools: []Pool{onePool(8, constStep(time.Millisecond))}, Router: RoundRobin}
	r, err := Simulate(d, fixed(1, 3, 100, 50), Options{})
	if err != nil || r.RequestsRejected != 3 || r.RequestsCompleted != 0 {
		t.Fatalf("err %v, rejected %d, completed %d; want 3 rejected", err, r.RequestsRejected, r.RequestsCompleted)
	}
}

// TestSpeculativeTokensPerStep: with 3 drafts accepted with probability
// 0.6 each, a step emits (1 − 0.6⁴)/(1 − 0.6) = 2.176 tokens on average
// (Leviathan et al. 2023); 20 000 tokens at 1 ms a step take about
// 20 000 / 2.176 steps. The standard error over ~9 200 steps is < 0.6 %.
func TestSpeculativeTokensPerStep(t *testing.T) {
	p := onePool(10_000, constStep(time.Millisecond))
	p.Engine.SpecTokens, p.Engine.SpecAcceptance = 3, 0.6
	d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
	r, err := Simulate(d, fixed(1, 1, 10, 20_001), Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps := (r.E2E.P50 - r.TTFT.P50) // ms = steps
	got := 20_000 / steps
	if want := (1 - math.Pow(0.6, 4)) / 0.4; math.Abs(got/want-1) > 0.02 {
		t.Fatalf("tokens per step %.4f, want %.4f ± 2 %%", got, want)
	}
}

// TestQueueOrder: FCFS pops by arrival, SPF by prompt (ties by arrival),
// and a preempted sequence goes first under either.
func TestQueueOrder(t *testing.T) {
	seqs := []seq{{order: 0, prompt: 900}, {order: 1, prompt: 10}, {order: 2, prompt: 500}, {order: 3, prompt: 10}, {order: 4, prompt: 700, preempts: 1, gen: 5}}
	for _, tc := range []struct {
		policy string
		want   []int32
	}{{FCFS, []int32{4, 0, 1, 2, 3}}, {SPF, []int32{4, 1, 3, 2, 0}}} {
		var q waitQueue
		for _, s := range seqs {
			s.key = queueKey(tc.policy, &s)
			q.push(s, 1)
		}
		for i, w := range tc.want {
			if got := q.pop(1); got.order != w {
				t.Fatalf("%s: pop %d = request %d, want %d", tc.policy, i, got.order, w)
			}
		}
		if q.blocks != 0 {
			t.Fatalf("%s: queued blocks %d after popping all, want 0", tc.policy, q.blocks)
		}
	}
}

// TestRouters: round robin deals 8 requests 2 to each of 4 replicas; least
// outstanding and KV-aware send each new request to an empty replica
// while one is left.
func TestRouters(t *testing.T) {
	for _, router := range []string{RoundRobin, LeastOutstanding, KVAware} {
		d := Deployment{Pools: []Pool{testPool(4, 100)}, Router: router}
		s := newRun(d, fixed(1, 8, 10, 10), Options{})
		for i := range 8 {
			q := seq{order: int32(i), prompt: 10, output: 10, target: 10, first: -1}
			s.route(0, &q).enqueue(q)
		}
		for _, r := range s.reps[0] {
			if r.outstanding != 2 {
				t.Fatalf("%s: replica %d holds %d requests, want 2", router, r.idx, r.outstanding)
			}
		}
	}
}

// A decode pool whose engine schedules prompts first takes its prefilled
// requests as any engine does: the handoff above gives the same figures
// (QA review: the prefill-first admission counted an arriving request's
// decode twice in its first step), and no decode step holds more
// sequences than requests.
func TestPrefillFirstDecodePoolByHand(t *testing.T) {
	pre, dec := onePool(100, constStep(10*time.Millisecond)), onePool(100, nil)
	pre.KVBytesPerToken = 1e6
	most := 0
	dec.Step = StepFunc(func(b Batch) time.Duration { most = max(most, b.DecodeSeqs); return 10 * time.Millisecond })
	dec.Engine.PrefillFirst, dec.Engine.NoChunkedPrefill = true, true
	d := Deployment{Pools: []Pool{pre, dec}, Router: RoundRobin, Link: Link{Bandwidth: 1e9, Latency: 1e-3}}
	r, err := Simulate(d, fixed(1, 1, 100, 4), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TTFT.P50 != 111 || r.E2E.P50 != 141 || most != 1 {
		t.Fatalf("TTFT %v, E2E %v ms, at most %d decoding; want 111, 141, 1", r.TTFT.P50, r.E2E.P50, most)
	}
}

// TestLinkLatencyPipelines: two prompts of 100 tokens prefilled in one
// 10 ms step, 1 MB of KV per token over a 1 GB/s link with 1 s latency.
// The link sends one cache at a time for 100 ms; latency delays each
// cache without holding the link: the first is sent 10–110 ms and lands
// at 1110 ms, the second is sent 110–210 ms and lands at 1210 ms (had
// the latency held the link, 2210 ms). The decode replica takes each
// as it lands (TTFT 1110 and 1210 ms), and three 10 ms decode steps
// follow: E2E 1140 and 1240 ms.
func TestLinkLatencyPipelines(t *testing.T) {
	pre, dec := onePool(100, constStep(10*time.Millisecond)), onePool(100, constStep(10*time.Millisecond))
	pre.KVBytesPerToken = 1e6
	d := Deployment{Pools: []Pool{pre, dec}, Router: RoundRobin, Link: Link{Bandwidth: 1e9, Latency: 1}}
	w := Workload{Process: Offline, Requests: 2, Prompt: Lengths{Dist: Fixed, Mean: 100}, Output: Lengths{Dist: Fixed, Mean: 4}}
	r, err := Simulate(d, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.E2E.Max != 1240 || r.E2E.Mean != 1190 || r.TTFT.Max != 1210 || r.TTFT.Mean != 1160 {
		t.Fatalf("E2E max %v, mean %v, TTFT max %v, mean %v ms; want 1240, 1190, 1210, 1160", r.E2E.Max, r.E2E.Mean, r.TTFT.Max, r.TTFT.Mean)
	}
}

// TestLinkBacklogIsOverload: one prefill replica whose link takes
// 100 ms a cache (100 tokens × 1 MB at 1 GB/s) sends at most 10 caches
// a second; prefill (10 ms steps) and decode keep up with 20 requests a
// second, the link does not: over the second half of 1000 deterministic
// arrivals (500 in 25 s) it sends 250, so its queue grows by about 250,
// past 5 % of 500, and the run is an overload. At 5 a second it keeps up.
// A queue bound and a wait bound count the caches waiting for the link
// too.
func TestLinkBacklogIsOverload(t *testing.T) {
	pre, dec := onePool(1000, constStep(10*time.Millisecond)), onePool(1000, constStep(10*time.Millisecond))
	pre.KVBytesPerToken = 1e6
	d := Deployment{Pools: []Pool{pre, dec}, Router: RoundRobin, Link: Link{Bandwidth: 1e9}}
	r, err := Simulate(d, fixed(20, 1000, 100, 4), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overload == nil || !strings.Contains(r.Overload.Reason, "KV link") || r.Overload.Waiting < 200 {
		t.Fatalf("overload %+v at 20/s over a 10/s link; want one naming the KV link, ≥ 200 waiting", r.Overload)
	}
	if r.Goodput.Meets {
		t.Fatal("an overloaded run meets the SLO")
	}
	if r, err = Simulate(d, fixed(5, 1000, 100, 4), Options{}); err != nil || r.Overload != nil {
		t.Fatalf("5/s over a 10/s link: %v, overload %+v; want none", err, r.Overload)
	}
	// At 20/s the link's queue passes 50 after about 5 s (it grows by
	// 10 a second), long before the arrivals end at 50 s.
	if r, err = Simulate(d, fixed(20, 1000, 100, 4), Options{MaxQueue: 50}); err != nil || r.Overload == nil || r.Overload.At > 6 {
		t.Fatalf("queue bound 50: %v, overload %+v; want one within 6 s", err, r.Overload)
	}
	// The cache at the link queue's head has waited half the time since
	// the first arrival: past a 2 s bound after about 4 s.
	if r, err = Simulate(d, fixed(20, 1000, 100, 4), Options{MaxWait: 2 * time.Second}); err != nil || r.Overload == nil || r.Overload.At > 6 {
		t.Fatalf("wait bound 2 s: %v, overload %+v; want one within 6 s", err, r.Overload)
	}
}
