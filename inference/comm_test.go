package inference

import (
	"math"
	"testing"
)

// EP dispatch across nodes: direct sends (decode) carry every expert copy
// over scale-out; hierarchical kernels (batches with prompt tokens, DeepEP
// normal mode) carry each token once per distinct remote node. Worked by
// hand for 1 MB per copy, k = 8, EP32 over 4 nodes of 8 (testCluster:
// 50 GB/s + 5 µs scale-out, 400 GB/s + 2 µs scale-up, CollectiveEff 1):
//
//	direct:       remote 8 MB·24/32 = 6 MB / 50 GB/s + 5 µs       = 125 µs
//	              (local 8 MB·7/32 / 400 GB/s + 2 µs = 6.4 µs, hidden)
//	hierarchical: distinct remote nodes 3·(1 − 0.75⁸) = 2.69966
//	              2.69966 MB / 50 GB/s + 5 µs                       = 58.99 µs
//	              (fan-out 8 MB·31/32 / 400 GB/s + 2 µs = 21.4 µs, hidden)
//
// Inside one node (EP8) both are the same scale-up all-to-all.
func TestEPAllToAllHierarchical(t *testing.T) {
	d := Deployment{Model: deepseek(), Cluster: testCluster(32), Parallel: Parallel{EP: 32}, Profile: ideal()}
	l, err := resolve(d)
	if err != nil {
		t.Fatal(err)
	}
	const mb = 1e6
	if got, want := l.epAllToAll(mb, 8, false), 125e-6; !near(got, want, 1e-9) {
		t.Errorf("direct EP32 dispatch = %.4g s, want %.4g", got, want)
	}
	want := (3*(1-math.Pow(0.75, 8)))*mb/50e9 + 5e-6
	if got := l.epAllToAll(mb, 8, true); !near(got, want, 1e-9) || !near(want, 58.99e-6, 1e-3) {
		t.Errorf("hierarchical EP32 dispatch = %.4g s, want %.4g (58.99 µs)", got, want)
	}
	d.Cluster, d.Parallel = testCluster(8), Parallel{EP: 8}
	if l, err = resolve(d); err != nil {
		t.Fatal(err)
	}
	if a, b := l.epAllToAll(mb, 8, false), l.epAllToAll(mb, 8, true); a != b {
		t.Errorf("EP8 in one node: direct %.4g s ≠ hierarchical %.4g s", a, b)
	}
}
