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

// BenchmarkLlama70BH100 is the reference run: Llama 3.1 70B on 8
// H100 (TP8), 20 requests/s, prompts 1000, outputs 200. It reports
// simulated requests per wall second.
func BenchmarkLlama70BH100(b *testing.B) {
	d := deployment(b, "llama3.1-70b", "h100-sxm", 8, 8, "fp8")
	const n = 100_000
	for b.Loop() {
		p := pool(b, d)
		r, err := serve.Simulate(serve.Deployment{Pools: []serve.Pool{p}, Router: serve.LeastOutstanding}, fixedWorkload(20, n, 1000, 200), serve.Options{})
		if err != nil || r.RequestsCompleted != n {
			b.Fatal(err, r.Overload)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
