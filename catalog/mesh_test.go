package catalog

import (
	"math"
	"strings"
	"testing"

	"chipgap/hardware"
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

// The TPU pods are tori (Google's Cloud TPU pages: v5e and v6e 2D tori
// of 256 chips with 4 ICI ports per chip, v5p a 3D torus in every slice of
// a 4×4×4 cube and up). Per chip each way: v5e 400 GB/s bidirectional
// over 4 ports, 50 GB/s a link; v6e 800 over 4, 100; v5p 1,200 over 6,
// 100. A TP group along one wrapped ring drives 2 links: v5e TP 16
// 100 GB/s, v6e TP 16 200, v5p TP 4 200; the whole pod or cube every link.
func TestTPUTorusGivesRingsTheirLinks(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chip        string
		chips, ring int
		ringRate    float64 // GB/s each way
		all         float64
	}{
		{"tpu-v5e", 256, 16, 100, 200},
		{"tpu-v6e", 256, 16, 200, 400},
		{"tpu-v5p", 64, 4, 200, 600},
	} {
		cl, err := c.Cluster(tc.chip, tc.chips, ClusterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(cl.ScaleUp.GroupRate(tc.ring)) / 1e9; math.Abs(got/tc.ringRate-1) > 1e-9 {
			t.Errorf("%s: a ring of %d reaches %g GB/s each way, want %g", tc.chip, tc.ring, got, tc.ringRate)
		}
		if got := float64(cl.ScaleUp.GroupRate(tc.chips)) / 1e9; math.Abs(got/tc.all-1) > 1e-9 {
			t.Errorf("%s: all %d chips reach %g GB/s each way, want %g", tc.chip, tc.chips, got, tc.all)
		}
	}
}

// A topology the collectives cannot price is refused at load, naming the
// network and what is allowed.
func TestTopologyCheckRefuses(t *testing.T) {
	up := func(topo string, dims []int, domain float64) *hardware.Network {
		n := &hardware.Network{ID: "x", Tier: "scale-up", Topology: topo, TorusDims: dims}
		n.DomainSize.Typ = units.Dimensionless(domain)
		return n
	}
	for _, n := range []*hardware.Network{
		up("", nil, 0), up(hardware.Switched, nil, 8), up(hardware.FullMesh, nil, 8),
		up(hardware.Torus, []int{16, 16}, 256), up(hardware.Torus, []int{4, 4, 4}, 8960),
	} {
		if err := checkTopology("networks.yaml: network x", n); err != nil {
			t.Errorf("%s %v: refused: %v", n.Topology, n.TorusDims, err)
		}
	}
	out := up(hardware.Torus, []int{4}, 64)
	out.Tier = "scale-out"
	for _, n := range []*hardware.Network{
		out, up(hardware.Torus, nil, 64), up(hardware.Torus, []int{2, 2, 2, 2}, 64),
		up(hardware.Torus, []int{1, 4}, 64), up(hardware.Torus, []int{16, 16}, 128),
		up(hardware.Switched, []int{4}, 64), up("ring", nil, 8), up(hardware.FullMesh, nil, 1),
	} {
		err := checkTopology("networks.yaml: network x", n)
		if err == nil || !strings.Contains(err.Error(), "network x") {
			t.Errorf("%s %v (tier %s, domain %v): err %v, want a refusal naming the network", n.Topology, n.TorusDims, n.Tier, n.DomainSize.Typ, err)
		}
	}
}
