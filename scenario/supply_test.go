package scenario

import (
	"context"
	"math"
	"testing"
)

// TestSupplyClustersEqualPeak: with equal-peak sizing each system's
// cluster has its own chip count, and training clusters per year divide
// by it, not by the scenario's 16,384. Counts by hand (H100 peak
// 989.4 TFLOP/s, 910C 780, 910B 320, bf16):
//
//	910C, 8 per node:   16384 × 989.4 / 780 = 20 782.5 → /8 = 2 597.8 → 2 598 nodes = 20 784
//	CM384, 384 a node:  20 782.5 / 384 = 54.12 → 54 nodes = 20 736
//	910B, 8 per node:   16384 × 989.4 / 320 = 50 657.3 → /8 = 6 332.2 → 6 332 nodes = 50 656
func TestSupplyClustersEqualPeak(t *testing.T) {
	s := Default()
	s.Seed, s.Samples = 3, 20
	s.Training.Sizing = "equal-peak"
	s.Systems = []System{s.Systems[0], s.Systems[3], s.Systems[4], s.Systems[5]}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := s.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]SupplyCluster{
		"ascend-910b": {{System: "910B", Chips: 50656}},
		"ascend-910c": {{System: "910C", Chips: 20784}, {System: "CM384", Chips: 20736}},
	}
	for _, su := range r.Supply {
		w := want[su.Chip]
		if len(su.Clusters) != len(w) {
			t.Fatalf("%s: clusters %+v, want %+v", su.Chip, su.Clusters, w)
		}
		g := su.Stats[SupGood]
		for i, c := range su.Clusters {
			if c.System != w[i].System || c.Chips != w[i].Chips {
				t.Errorf("%s cluster %d = %s %d chips, want %s %d", su.Chip, i, c.System, c.Chips, w[i].System, w[i].Chips)
			}
			// e.g. 910C: 327,358 good / 20,784 = 15.75 a year, not / 16,384 = 19.98.
			n := float64(w[i].Chips)
			if math.Abs(c.PerYear.P50-g.P50/n) > 1e-9 || math.Abs(c.PerYear.Typ-g.Typ/n) > 1e-9 {
				t.Errorf("%s cluster %d per year = %+v, want good %+v / %d", su.Chip, i, c.PerYear, g, w[i].Chips)
			}
		}
		if got := su.Stats[SupClusters]; got != su.Clusters[0].PerYear {
			t.Errorf("%s %s = %+v, want the first cluster's %+v", su.Chip, SupClusters, got, su.Clusters[0].PerYear)
		}
	}
}
