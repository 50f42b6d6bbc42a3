package serve_test

import (
	"fmt"
	"time"

	"chipgap/serve"
)

// A replica whose every step takes 20 ms serves Poisson arrivals; the
// result gives latency percentiles, throughput and whether the SLO holds.
func Example() {
	pool := serve.Pool{
		Name: "demo", Replicas: 2, ChipsPerReplica: 8,
		Engine: serve.EngineConfig{MaxBatchTokens: 4096, MaxSeqs: 64, BlockTokens: 16, KVBlocks: 20000, Scheduler: serve.FCFS},
		Step:   serve.StepFunc(func(serve.Batch) time.Duration { return 20 * time.Millisecond }),
	}
	d := serve.Deployment{Pools: []serve.Pool{pool}, Router: serve.LeastOutstanding}
	w := serve.Workload{Process: serve.Poisson, Rate: 10, Requests: 5000, Seed: 1,
		Prompt: serve.Lengths{Dist: serve.Fixed, Mean: 500}, Output: serve.Lengths{Dist: serve.Fixed, Mean: 100}}
	r, err := serve.Simulate(d, w, serve.Options{SLO: serve.SLO{TTFT: time.Second, TPOT: 25 * time.Millisecond}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("completed %d, TPOT p50 %.0f ms, meets SLO %v\n", r.RequestsCompleted, r.TPOT.P50, r.Goodput.Meets)
	// Output: completed 5000, TPOT p50 20 ms, meets SLO true
}
