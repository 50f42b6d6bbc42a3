package serve

import (
	"testing"
	"time"

	"chipgap/sim"
	"chipgap/units"
)

// TestRandomConfigsKeepInvariants simulates random small deployments —
// tiny KV caches, odd block sizes, tight budgets, speculation, reserved
// admission, disaggregation — and lets Simulate's conservation check run
// on each; every run must end without error, and every request that was
// not rejected must complete (none of these runs is overloaded: arrivals
// are slow or few).
func TestRandomConfigsKeepInvariants(t *testing.T) {
	r := sim.NewStream(11, "random-configs")
	for i := range 200 {
		pool := func() Pool {
			p := testPool(1+r.IntN(3), 4+r.IntN(400))
			e := &p.Engine
			e.BlockTokens = 1 + r.IntN(32)
			e.MaxSeqs = 1 + r.IntN(64)
			e.SpecTokens = r.IntN(3)
			e.SpecAcceptance = r.Float64()
			e.MaxBatchTokens = 1 + e.SpecTokens + r.IntN(3000)
			e.Scheduler = []string{FCFS, SPF}[r.IntN(2)]
			e.NoChunkedPrefill = r.IntN(4) == 0
			e.ReserveOutput = r.IntN(3) == 0
			p.Step = fixedStep{base: time.Duration(1+r.IntN(20)) * time.Millisecond, perToken: time.Duration(r.IntN(50)) * time.Microsecond}
			return p
		}
		d := Deployment{Pools: []Pool{pool()}, Router: []string{RoundRobin, LeastOutstanding, KVAware}[r.IntN(3)]}
		if r.IntN(3) == 0 {
			d.Pools = append(d.Pools, pool())
			d.Link = Link{Bandwidth: units.ByteRate(1e9 + r.Float64()*1e11), Latency: units.Seconds(r.Float64() * 1e-3)}
		}
		w := Workload{Process: []string{Poisson, Gamma, Deterministic}[r.IntN(3)], CV: 0.5 + 3*r.Float64(),
			Rate: 0.05 + r.Float64(), Requests: 1 + r.IntN(300), Seed: uint64(i),
			Prompt: Lengths{Dist: LogNormal, Mean: 1 + r.IntN(1500), Sigma: 0.2 + r.Float64(), Max: 5000},
			Output: Lengths{Dist: Uniform, Min: 1, Max: 1 + r.IntN(400)}, Prefilled: r.IntN(8) == 0}
		res, err := Simulate(d, w, Options{})
		if err != nil {
			t.Fatalf("config %d: %v\n%+v\n%+v", i, err, d, w)
		}
		if res.Overload == nil && res.RequestsCompleted+res.RequestsRejected != w.Requests {
			t.Fatalf("config %d: %d completed + %d rejected of %d", i, res.RequestsCompleted, res.RequestsRejected, w.Requests)
		}
	}
}
