package catalog

import (
	"errors"
	"strings"
	"testing"

	"chipgap/input"
)

// TestClusterWholeNodes: with WholeNodes a given chips_per_node over the
// job's chips, or not dividing them, is refused naming chips_per_node
// and both numbers; the chip's usual node (0) becomes the largest
// divisor of the chips not above it, a node stating it would accept (12
// H100s were one and a half HGX servers of 8, while --chips-per-node 8
// was refused); without WholeNodes (an inference replica) a node may
// exceed the chips.
func TestClusterWholeNodes(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chips, node int
		want        string // "" = accepted
		per         int    // chips per node when accepted
	}{
		{64, 3, "want a divisor of the job's 64 chips: they fill whole nodes (21 nodes of 3, 1 left over; leave it out for nodes of 8", 0},
		{12, 8, "want a divisor of the job's 12 chips: they fill whole nodes (1 node of 8, 4 left over; leave it out for nodes of 6", 0},
		{64, 128, "want at most the job's 64 chips", 0},
		{64, 16, "", 16},
		{64, 64, "", 64},
		{12, 0, "", 6},   // divisors of 12 up to the HGX's 8: 1, 2, 3, 4, 6
		{4, 0, "", 4},    // capped at the job
		{1000, 0, "", 8}, // 125 servers of 8
		{100, 0, "", 5},  // 100 = 2² × 5²: 5 is the largest divisor up to 8
		{13, 0, "", 1},   // a prime: nodes of 1
	} {
		cl, err := c.Cluster("h100-sxm", tc.chips, ClusterOptions{ChipsPerNode: tc.node, WholeNodes: true})
		var fe *input.Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%d chips, node %d: %v, want accepted", tc.chips, tc.node, err)
		case tc.want == "" && (cl.ChipsPerNode != tc.per || cl.ScaleUp.Size != tc.per || tc.node == 0 && cl.SystemNode != 8):
			t.Errorf("%d chips, node %d: %d per node (scale-up %d, system node %d), want %d (the system's node 8 when not stated)",
				tc.chips, tc.node, cl.ChipsPerNode, cl.ScaleUp.Size, cl.SystemNode, tc.per)
		case tc.want != "" && (!errors.As(err, &fe) || fe.Field != "chips_per_node" || !strings.Contains(fe.Want, tc.want)):
			t.Errorf("%d chips, node %d: err %v, want chips_per_node refused with %q", tc.chips, tc.node, err, tc.want)
		}
	}
	if cl, err := c.Cluster("h100-sxm", 2, ClusterOptions{ChipsPerNode: 8}); err != nil || cl.ChipsPerNode != 2 {
		t.Errorf("a 2-chip replica on an 8-chip server: %d per node, %v; want 2, accepted", cl.ChipsPerNode, err)
	}
}
