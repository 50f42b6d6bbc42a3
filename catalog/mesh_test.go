package catalog

import (
	"math"
	"testing"

	"chipgap/units"
)

// The eight-card servers whose scale-up network is a full mesh give a pair
// of cards only the links between them. Expected per-peer rates each way,
// worked from the vendors' own figures, not from the catalog:
//   - Gaudi 3: 3 of the 21 scale-up ports go to each peer, 3 × 200 Gb/s
//     = 75 GB/s (Intel Gaudi docs, Network Configuration: "all2all ...
//     75 GB/s unidirectional"); the whole node 21 × 25 = 525 GB/s.
//   - Gaudi 2: the same at 100 Gb/s, 37.5 GB/s; 262.5 GB/s in all.
//   - MI300X: one of 7 Infinity Fabric links, 128 GB/s bidirectional, 64
//     each way; 448 in all.
//   - Ascend 910B (Atlas 800T A2): one 56 GB/s HCCS link, 28 each way.
//
// A switched NVLink node gives a pair the GPU's whole 450 GB/s (H100).
func TestMeshServersGivePairsTheirLinks(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chip       string
		pair, node float64 // GB/s each way
	}{
		{"gaudi3", 75, 525},
		{"gaudi2", 37.5, 262.5},
		{"mi300x", 64, 448},
		{"ascend-910b", 28, 196},
		{"h100-sxm", 450, 450},
	} {
		cl, err := c.Cluster(tc.chip, 8, ClusterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		up := cl.ScaleUp
		up.Latency = 0
		s := units.Bytes(1e9)
		if got, want := float64(up.SendRecv(s)), 1/tc.pair; math.Abs(got/want-1) > 1e-9 {
			t.Errorf("%s: 1 GB to one peer takes %.4g s, want %.4g (%g GB/s)", tc.chip, got, want, tc.pair)
		}
		// A reduce-scatter over all 8 drives every link: 7/8 of the
		// buffer at the node's whole rate.
		if got, want := float64(up.ReduceScatter(s, 8)), 7.0/8/tc.node; math.Abs(got/want-1) > 1e-9 {
			t.Errorf("%s: reduce-scatter over 8 takes %.4g s, want %.4g (%g GB/s)", tc.chip, got, want, tc.node)
		}
	}
}
