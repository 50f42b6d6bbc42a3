package hardware

import (
	"math"
	"testing"

	"chipgap/units"
)

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b) }

// H100 NVLink: 450 GB/s each way, 3 µs per step (illustrative).
var nvl = Tier{Bandwidth: 450 * units.GBps, Latency: 3e-6, Size: 8}

func TestRingAllReduceByHand(t *testing.T) {
	// 1 GB over 8 ranks: ring = 2·7/8·1e9/450e9 + 14·3e-6 = 3.8889e-3 + 4.2e-5 = 3.9309e-3 s.
	// tree = 2·1e9/450e9 + 2·3·3e-6 = 4.4444e-3 + 1.8e-5 (slower), so ring wins.
	got := float64(nvl.AllReduce(units.GB, 8))
	if want := 3.9309e-3; !near(got, want, 1e-3) {
		t.Errorf("AllReduce(1GB, 8) = %g s, want %g", got, want)
	}
}

func TestTreeWinsForSmallMessages(t *testing.T) {
	// 1 kB over 1024 ranks on a 5 µs tier: ring latency 2·1023·5e-6 = 10.23 ms;
	// tree 2·1e3/50e9 + 2·10·5e-6 = 4e-8 + 1e-4 ≈ 1.0004e-4 s.
	ib := Tier{Bandwidth: 50 * units.GBps, Latency: 5e-6}
	got := float64(ib.AllReduce(units.KB, 1024))
	if want := 1.0004e-4; !near(got, want, 1e-3) {
		t.Errorf("AllReduce(1kB, 1024) = %g, want %g", got, want)
	}
}

func TestGroupPlacement(t *testing.T) {
	c := Cluster{Chips: 64, ChipsPerNode: 8}
	cases := []struct {
		size, stride int
		want         Group
	}{
		{8, 1, Group{8, 8}},   // TP 8 inside a node
		{4, 1, Group{4, 4}},   // TP 4
		{8, 8, Group{8, 1}},   // DP over nodes with TP 8
		{16, 2, Group{16, 4}}, // DP 16 with TP 2: 4 per node, 4 nodes
		{1, 1, Group{1, 1}},
	}
	for _, tc := range cases {
		if got := c.Group(tc.size, tc.stride); got != tc.want {
			t.Errorf("Group(%d, %d) = %+v, want %+v", tc.size, tc.stride, got, tc.want)
		}
	}
}

func TestHierarchicalAllReduce(t *testing.T) {
	// 16 ranks, 4 per node, S = 400 MB. Scale-up 450 GB/s / 3 µs, scale-out 50 GB/s / 5 µs.
	// RS intra: 3/4·0.4e9/450e9 + 3·3e-6 = 6.6667e-4 + 9e-6 = 6.7567e-4
	// AR inter of 100 MB over 4 nodes: ring 2·3/4·1e8/50e9 + 6·5e-6 = 3e-3 + 3e-5 = 3.03e-3
	//   (tree 2·1e8/50e9 + 2·2·5e-6 = 4.02e-3, slower)
	// AG intra = RS intra = 6.7567e-4. Total 4.3813e-3 s.
	c := Cluster{Chips: 16, ChipsPerNode: 4, ScaleUp: nvl, ScaleOut: Tier{Bandwidth: 50 * units.GBps, Latency: 5e-6}}
	got := float64(c.AllReduce(400*units.MB, Group{16, 4}))
	if want := 4.3813e-3; !near(got, want, 1e-3) {
		t.Errorf("hierarchical AllReduce = %g, want %g", got, want)
	}
}

func TestAllToAllSplitsTiers(t *testing.T) {
	// 16 ranks, 8 per node, 160 MB each: remote 8/16 = 80 MB over 50 GB/s = 1.6e-3 + 5e-6;
	// local 7/16 = 70 MB over 450 GB/s = 1.556e-4 + 3e-6. Max = 1.605e-3 s.
	c := Cluster{Chips: 16, ChipsPerNode: 8, ScaleUp: nvl, ScaleOut: Tier{Bandwidth: 50 * units.GBps, Latency: 5e-6}}
	got := float64(c.AllToAll(160*units.MB, Group{16, 8}))
	if want := 1.605e-3; !near(got, want, 1e-3) {
		t.Errorf("AllToAll = %g, want %g", got, want)
	}
}

// An expert dispatch of k = 8 copies of 1 MB over EP32 on 4 nodes of 8
// (50 GB/s + 5 µs scale-out, 400 GB/s + 2 µs scale-up), worked by hand:
//
//	flat:         remote 8 MB·24/32 = 6 MB / 50 GB/s + 5 µs = 125 µs
//	              (local 8 MB·7/32 / 400 GB/s + 2 µs = 6.4 µs, concurrent)
//	hierarchical: distinct remote nodes 3·(1 − 0.75⁸) = 2.69966:
//	              2.69966 MB / 50 GB/s + 5 µs = 58.99 µs
//	              (fan-out 8 MB·31/32 / 400 GB/s + 2 µs = 21.4 µs, concurrent)
//
// Inside one node (EP8) the two are the same scale-up all-to-all.
func TestExpertAllToAll(t *testing.T) {
	// Uniform routing of 8 copies, the law llm.MoEConfig.ShardsHit gives
	// a model without router groups (worked above: 4 nodes reach 2.69966
	// remote ones plus, with probability 1 − 0.75⁸, the sender's own).
	uniform8 := func(n float64) float64 { return n * (1 - math.Pow(1-1/n, 8)) }
	c := Cluster{Chips: 32, ChipsPerNode: 8,
		ScaleUp:  Tier{Bandwidth: 400 * units.GBps, Latency: 2e-6, Size: 8},
		ScaleOut: Tier{Bandwidth: 50 * units.GBps, Latency: 5e-6}}
	g := c.Group(32, 1)
	if got := float64(c.ExpertAllToAll(units.MB, 8, g, false, uniform8)); !near(got, 125e-6, 1e-9) {
		t.Errorf("flat EP32 dispatch = %.4g s, want 125 µs", got)
	}
	want := 3*(1-math.Pow(0.75, 8))*1e6/50e9 + 5e-6
	if got := float64(c.ExpertAllToAll(units.MB, 8, g, true, uniform8)); !near(got, want, 1e-9) || !near(want, 58.99e-6, 1e-3) {
		t.Errorf("hierarchical EP32 dispatch = %.4g s, want %.4g (58.99 µs)", got, want)
	}
	in := c.Group(8, 1)
	if a, b := c.ExpertAllToAll(units.MB, 8, in, false, uniform8), c.ExpertAllToAll(units.MB, 8, in, true, uniform8); a != b {
		t.Errorf("EP8 in one node: flat %g ≠ hierarchical %g", a, b)
	}
	// A routing that reaches 2 of the 4 nodes: 2·3/4 = 1.5 remote,
	// 1.5 MB / 50 GB/s + 5 µs = 35 µs (the fan-out, 21.4 µs, is slower
	// than nothing but faster than that).
	half := func(nodes float64) float64 { return nodes / 2 }
	if got := float64(c.ExpertAllToAll(units.MB, 8, g, true, half)); !near(got, 35e-6, 1e-9) {
		t.Errorf("hierarchical EP32 dispatch reaching half the nodes = %.4g s, want 35 µs", got)
	}
}
