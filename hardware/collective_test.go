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
