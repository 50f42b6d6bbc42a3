package serve_test

import (
	"testing"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/serve"
)

// deployment builds an inference deployment from the catalog: model on
// chips × chip, TP tp, the chip's default serving stack.
func deployment(t testing.TB, model, chip string, chips, tp int, prec hardware.Precision) inference.Deployment {
	t.Helper()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := cat.Model(model)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := cat.Cluster(chip, chips, catalog.ClusterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := cat.InferenceProfile("", cl.Chip)
	if err != nil {
		t.Fatal(err)
	}
	return inference.Deployment{Model: m, Cluster: cl, Parallel: inference.Parallel{TP: tp, PP: 1, EP: 1},
		Precision: prec, Profile: st.Profile()}
}

func pool(t testing.TB, d inference.Deployment) serve.Pool {
	t.Helper()
	p, err := serve.NewPool("main", d, serve.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fixedWorkload(rate float64, n, in, out int) serve.Workload {
	return serve.Workload{Process: serve.Poisson, Rate: rate, Requests: n, Seed: 1,
		Prompt: serve.Lengths{Dist: serve.Fixed, Mean: in}, Output: serve.Lengths{Dist: serve.Fixed, Mean: out}}
}

// benchSimulate runs n requests of the reference workload on
// Llama 3.1 70B over 8 H100 (TP8, FP8 weights so that 20 requests/s of
// 1000-token prompts is within capacity; in BF16 prefill alone saturates
// near 16/s and the run stops as overloaded) and reports simulated
// requests per wall second. The pool (and its step memo) is built once,
// outside the timing, as a rate sweep or capacity search reuses it.
func benchSimulate(b *testing.B, n int) {
	d := deployment(b, "llama3.1-70b", "h100-sxm", 8, 8, "fp8")
	p := pool(b, d)
	dep := serve.Deployment{Pools: []serve.Pool{p}, Router: serve.LeastOutstanding}
	b.ResetTimer()
	for b.Loop() {
		r, err := serve.Simulate(dep, fixedWorkload(20, n, 1000, 200), serve.Options{})
		if err != nil || r.RequestsCompleted != n {
			b.Fatal(err, r.Overload)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/blisRequestsPerSec, "x-blis")
}

// BenchmarkLlama70BH100 is the reference run with 10⁵ requests.
func BenchmarkLlama70BH100(b *testing.B) { benchSimulate(b, 100_000) }

// BenchmarkMillionRequests: one million requests of the same run.
func BenchmarkMillionRequests(b *testing.B) { benchSimulate(b, 1_000_000) }

// BenchmarkLlama70BH100Lognormal: the same deployment under bursty
// arrivals (gamma, CV 2) with lognormal lengths, where nearly every
// prefill shape is new to the step memo.
func BenchmarkLlama70BH100Lognormal(b *testing.B) {
	d := deployment(b, "llama3.1-70b", "h100-sxm", 8, 8, "fp8")
	p := pool(b, d)
	dep := serve.Deployment{Pools: []serve.Pool{p}, Router: serve.LeastOutstanding}
	const n = 100_000
	w := serve.Workload{Process: serve.Gamma, CV: 2, Rate: 15, Requests: n, Seed: 1,
		Prompt: serve.Lengths{Dist: serve.LogNormal, Mean: 1000, Sigma: 1, Max: 16000},
		Output: serve.Lengths{Dist: serve.LogNormal, Mean: 200, Sigma: 0.8, Max: 4000}}
	for b.Loop() {
		r, err := serve.Simulate(dep, w, serve.Options{})
		if err != nil || r.RequestsCompleted != n {
			b.Fatal(err, r.Overload)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/blisRequestsPerSec, "x-blis")
}

// blisRequestsPerSec is the baseline: BLIS (inference-sim), the Go peer,
// simulates about 350 requests per second of wall time on a 2-core machine
// like ours (../shared/docs/peers.md); the goal is 100,000.
const blisRequestsPerSec = 350
