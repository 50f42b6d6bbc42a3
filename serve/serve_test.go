package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"chipgap/input"
)

// fixedStep is a step model whose time is a constant plus a cost per token
// and per context token: simple enough to work results out by hand.
type fixedStep struct {
	base, perToken, perCtx time.Duration
}

func (f fixedStep) StepTime(b Batch) time.Duration {
	return f.base + f.perToken*time.Duration(b.Tokens()) + f.perCtx*time.Duration(b.DecodeContext+b.PrefillContext)/1000
}

func testPool(replicas, kvBlocks int) Pool {
	return Pool{
		Name: "test", Replicas: replicas, ChipsPerReplica: 8,
		Engine:     EngineConfig{MaxBatchTokens: 2048, MaxSeqs: 64, BlockTokens: 16, KVBlocks: kvBlocks, Scheduler: FCFS},
		Step:       fixedStep{base: 10 * time.Millisecond, perToken: 20 * time.Microsecond, perCtx: 2 * time.Microsecond},
		ChipRental: 2, ChipBusy: 700, ChipIdle: 100, KVBytesPerToken: 320e3,
	}
}

func testWorkload(rate float64, n int) Workload {
	return Workload{Process: Poisson, Rate: rate, Requests: n, Seed: 1,
		Prompt: Lengths{Dist: LogNormal, Mean: 800, Sigma: 0.8, Max: 8000},
		Output: Lengths{Dist: Uniform, Min: 20, Max: 300}}
}

// TestSingleRequestByHand: one request, prompt 100, output 10, on a step
// of exactly 10 ms. Step 1 prefills the 100 tokens and samples token 1
// (TTFT 10 ms); steps 2..10 decode tokens 2..10 (E2E 100 ms); TPOT is
// (100 − 10)/(10 − 1) = 10 ms. KV: 100 prompt tokens = 7 blocks of 16,
// growing to ceil(109/16) = 7 blocks: 7 allocated, 7 freed.
func TestSingleRequestByHand(t *testing.T) {
	p := testPool(1, 1000)
	p.Step = StepFunc(func(Batch) time.Duration { return 10 * time.Millisecond })
	d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
	w := Workload{Process: Deterministic, Rate: 1, Requests: 1, Prompt: Lengths{Dist: Fixed, Mean: 100}, Output: Lengths{Dist: Fixed, Mean: 10}}
	r, err := Simulate(d, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.TTFT.P50 != 10 || r.E2E.P50 != 100 || r.TPOT.P50 != 10 {
		t.Errorf("TTFT, E2E, TPOT = %v, %v, %v ms; want 10, 100, 10", r.TTFT.P50, r.E2E.P50, r.TPOT.P50)
	}
	if r.KV.BlocksAllocated != 7 || r.KV.BlocksFreed != 7 {
		t.Errorf("blocks allocated, freed = %d, %d; want 7, 7", r.KV.BlocksAllocated, r.KV.BlocksFreed)
	}
	// 8 chips at $2/h for 0.1 s = $4.44e-4; 10 output tokens → $44.4 per million.
	if got, want := r.Cost.USDPerMOutputTokens, 8*2*0.1/3600/10*1e6; math.Abs(got/want-1) > 1e-9 {
		t.Errorf("USD per M output tokens = %v, want %v", got, want)
	}
}

// TestInvariantsAcrossConfigs runs every scheduler, router and mode,
// with a KV cache small enough to force preemptions, and lets Simulate's
// own conservation check (requests, KV blocks, queues) run.
func TestInvariantsAcrossConfigs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tweak func(*Deployment)
	}{
		{"fcfs", func(*Deployment) {}},
		{"spf", func(d *Deployment) { d.Pools[0].Engine.Scheduler = SPF }},
		{"no-chunking", func(d *Deployment) { d.Pools[0].Engine.NoChunkedPrefill = true }},
		{"prefill-first", func(d *Deployment) { d.Pools[0].Engine.NoChunkedPrefill, d.Pools[0].Engine.PrefillFirst = true, true }},
		{"speculative", func(d *Deployment) { d.Pools[0].Engine.SpecTokens, d.Pools[0].Engine.SpecAcceptance = 3, 0.7 }},
		{"round-robin", func(d *Deployment) { d.Router = RoundRobin }},
		{"kv-aware", func(d *Deployment) { d.Router = KVAware }},
		{"disaggregated", func(d *Deployment) {
			d.Pools = append(d.Pools, testPool(2, 700))
			d.Link = Link{Bandwidth: 50e9, Latency: 5e-6}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Deployment{Pools: []Pool{testPool(3, 700)}, Router: LeastOutstanding}
			tc.tweak(&d)
			r, err := Simulate(d, testWorkload(6, 3000), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.RequestsCompleted+r.RequestsRejected != 3000 || r.Overload != nil {
				t.Fatalf("completed %d + rejected %d ≠ 3000 (overload %v)", r.RequestsCompleted, r.RequestsRejected, r.Overload)
			}
			if r.KV.BlocksAllocated != r.KV.BlocksFreed {
				t.Fatalf("KV blocks allocated %d ≠ freed %d", r.KV.BlocksAllocated, r.KV.BlocksFreed)
			}
			t.Logf("ttft p50 %.0f p99 %.0f ms, tpot p50 %.1f ms, preemptions %d, rejected %d",
				r.TTFT.P50, r.TTFT.P99, r.TPOT.P50, r.Preemptions, r.RequestsRejected)
		})
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(2, 500)}, Router: KVAware}
	d.Pools[0].Engine.SpecTokens, d.Pools[0].Engine.SpecAcceptance = 2, 0.6
	enc := func(seed uint64) []byte {
		w := testWorkload(5, 2000)
		w.Seed = seed
		r, err := Simulate(d, w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		return b
	}
	a, b, c := enc(7), enc(7), enc(8)
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different JSON")
	}
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave identical JSON")
	}
}

// TestOverloadStops: 8-chip replicas whose steps take ≥ 10 ms serve at
// most a few requests per second of 800-token prompts; 1000 per second
// must be reported as overload, quickly, not simulated to the end.
func TestOverloadStops(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(1, 2000)}, Router: RoundRobin}
	r, err := Simulate(d, testWorkload(1000, 1_000_000), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overload == nil {
		t.Fatal("no overload reported at 1000 requests/s")
	}
	if r.RequestsUnfinished == 0 || r.Overload.ServedRate >= 1000 {
		t.Fatalf("overload %+v with %d unfinished", r.Overload, r.RequestsUnfinished)
	}
	if r.Goodput.Meets {
		t.Fatal("an overloaded run meets the SLO")
	}
}

func TestBadInputNamesField(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(1, 100)}, Router: "random"}
	_, err := Simulate(d, testWorkload(1, 10), Options{})
	var fe *input.Error
	if !errors.As(err, &fe) || fe.Field != "deployment.router" {
		t.Fatalf("err = %v, want a FieldError on deployment.router", err)
	}
	// A KV handoff over a 1 B/s link outlasted the clock (a panic in the
	// event queue before the bound).
	dis := Deployment{Pools: []Pool{testPool(1, 100), testPool(1, 100)}, Router: RoundRobin, Link: Link{Bandwidth: 1}}
	if _, err := Simulate(dis, testWorkload(1, 10), Options{}); !errors.As(err, &fe) || fe.Field != "deployment.link.bandwidth" {
		t.Fatalf("err = %v, want a FieldError on deployment.link.bandwidth", err)
	}
	w := testWorkload(-1, 10)
	d.Router = RoundRobin
	if _, err := Simulate(d, w, Options{}); !errors.As(err, &fe) || fe.Field != "workload.rate" {
		t.Fatalf("err = %v, want a FieldError on workload.rate", err)
	}
}

// TestProgressAndCancel: progress is reported in rising steps up to the
// total, and returning false stops the run with ErrCancelled.
func TestProgressAndCancel(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(2, 500)}, Router: RoundRobin}
	var seen []int
	_, err := Simulate(d, testWorkload(4, 1000), Options{Progress: func(done, total int) bool {
		seen = append(seen, done)
		return true
	}})
	if err != nil || len(seen) < 50 || seen[len(seen)-1] != 1000 {
		t.Fatalf("err %v, %d progress calls ending at %v; want ≥ 50 ending at 1000", err, len(seen), seen[len(seen)-1:])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("progress went %d then %d", seen[i-1], seen[i])
		}
	}
	_, err = Simulate(d, testWorkload(4, 1000), Options{Progress: func(done, total int) bool { return done < 300 }})
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("err = %v, want ErrCancelled", err)
	}
}

// An offline batch runs in waves, worked by hand: 8 requests (prompt
// 100, output 10) all queued at time 0 on an instance holding 4, every
// step 10 ms. Step 1 prefills the first four prompts and samples their
// first tokens, steps 2–10 decode the rest; they finish at 100 ms, the
// second four are admitted in step 11 (TTFT 110 ms) and finish at 200 ms.
// 80 output tokens in 0.2 s = 400 tokens/s; mean TTFT (4·10 + 4·110)/8.
func TestOfflineBatchRunsInWaves(t *testing.T) {
	p := testPool(1, 1000)
	p.Engine.MaxSeqs, p.Engine.MaxBatchTokens, p.Engine.ReserveOutput = 4, 1000, true
	p.Step = StepFunc(func(Batch) time.Duration { return 10 * time.Millisecond })
	d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
	w := Workload{Process: Offline, Requests: 8, Prompt: Lengths{Dist: Fixed, Mean: 100}, Output: Lengths{Dist: Fixed, Mean: 10}}
	r, err := Simulate(d, w, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Overload != nil || r.RequestsCompleted != 8 {
		t.Fatalf("overload %v, completed %d; want none, 8", r.Overload, r.RequestsCompleted)
	}
	if got := r.Throughput.OutputTokensPerS; math.Abs(got-400) > 1e-6 {
		t.Errorf("output tokens/s = %g, want 80 / 0.2 s = 400", got)
	}
	if r.TTFT.Mean != 60 || r.E2E.Max != 200 {
		t.Errorf("TTFT mean %g ms, E2E max %g ms; want 60, 200", r.TTFT.Mean, r.E2E.Max)
	}
	// An offline batch needs no rate; it needs requests.
	w.Requests = 0
	var fe *input.Error
	if _, err := Simulate(d, w, Options{}); !errors.As(err, &fe) || fe.Field != "workload.requests" {
		t.Errorf("offline with 0 requests: %v, want an error naming workload.requests", err)
	}
}

// TestPrefillFirstByHand: two requests queued at once, prompt 100,
// output 3, a budget of 150 tokens a step (one prompt), a 10 ms step,
// prompts unchunked. Mixing (vLLM): step 1 prefills A (B's 100 tokens
// miss the 50 left); step 2 decodes A beside B's prompt; steps 3 and 4
// decode: A ends at 30 ms, B at 40 (E2E mean 35, TPOT mean 10). Prefill
// first (vLLM-Ascend's AscendScheduler): step 2 prefills B alone while A
// waits, steps 3 and 4 decode both: A and B end at 40 ms (E2E mean 40);
// A's TPOT is (40 − 10)/2 = 15 ms, B's (40 − 20)/2 = 10 (mean 12.5).
func TestPrefillFirstByHand(t *testing.T) {
	for _, tc := range []struct {
		first          bool
		e2e, tpot, max float64
	}{{false, 35, 10, 40}, {true, 40, 12.5, 40}} {
		p := testPool(1, 1000)
		p.Engine.MaxBatchTokens, p.Engine.NoChunkedPrefill, p.Engine.PrefillFirst = 150, true, tc.first
		p.Step = StepFunc(func(Batch) time.Duration { return 10 * time.Millisecond })
		d := Deployment{Pools: []Pool{p}, Router: RoundRobin}
		w := Workload{Process: Offline, Requests: 2, Prompt: Lengths{Dist: Fixed, Mean: 100}, Output: Lengths{Dist: Fixed, Mean: 3}}
		r, err := Simulate(d, w, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.E2E.Mean != tc.e2e || r.TPOT.Mean != tc.tpot || r.E2E.Max != tc.max {
			t.Errorf("prefill first %v: E2E mean %v, TPOT mean %v, E2E max %v ms; want %v, %v, %v", tc.first, r.E2E.Mean, r.TPOT.Mean, r.E2E.Max, tc.e2e, tc.tpot, tc.max)
		}
	}
}

// TestDrainedOverloadCounts: an overload a sample declares (a request
// waited past MaxWait) stops the arrivals, the one already scheduled
// included: the requests that never arrived are those left unfinished
// once the admitted ones drain (they were off by one: that scheduled
// arrival still came in after the stop).
func TestDrainedOverloadCounts(t *testing.T) {
	d := Deployment{Pools: []Pool{testPool(1, 2000)}, Router: RoundRobin}
	r, err := Simulate(d, testWorkload(100, 20000), Options{Drain: true, MaxWait: time.Second, MaxQueue: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	o := r.Overload
	if o == nil || !o.Drained || !strings.Contains(o.Reason, "waited") {
		t.Fatalf("overload %+v; want a drained one by waiting time", o)
	}
	if o.NotArrived != r.RequestsUnfinished || r.RequestsCompleted+r.RequestsRejected+o.NotArrived != r.Requests {
		t.Fatalf("%d never arrived, %d unfinished, %d completed + %d rejected of %d; want never arrived = unfinished = the rest",
			o.NotArrived, r.RequestsUnfinished, r.RequestsCompleted, r.RequestsRejected, r.Requests)
	}
}
