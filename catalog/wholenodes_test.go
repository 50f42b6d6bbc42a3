package catalog

import (
	"errors"
	"strings"
	"testing"

	"chipgap/input"
)

// TestClusterWholeNodes: with WholeNodes a given chips_per_node over the
// job's chips, or not dividing them, is refused naming chips_per_node
// and both numbers; the chip's usual node (0) is still capped at the job
// and may end part-filled; without WholeNodes (an inference replica) a
// node may exceed the chips.
func TestClusterWholeNodes(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chips, node int
		want        string // "" = accepted
	}{
		{64, 3, "want a divisor of the job's 64 chips: they fill whole nodes (21 nodes of 3 leave 1 over)"},
		{64, 128, "want at most the job's 64 chips"},
		{64, 16, ""},
		{64, 64, ""},
		{12, 0, ""}, // one and a half HGX servers
		{4, 0, ""},  // capped at the job
	} {
		cl, err := c.Cluster("h100-sxm", tc.chips, ClusterOptions{ChipsPerNode: tc.node, WholeNodes: true})
		var fe *input.Error
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%d chips, node %d: %v, want accepted", tc.chips, tc.node, err)
		case tc.want == "" && tc.node != 0 && cl.ChipsPerNode != tc.node:
			t.Errorf("%d chips, node %d: %d per node", tc.chips, tc.node, cl.ChipsPerNode)
		case tc.want != "" && (!errors.As(err, &fe) || fe.Field != "chips_per_node" || !strings.Contains(fe.Want, tc.want)):
			t.Errorf("%d chips, node %d: err %v, want chips_per_node refused with %q", tc.chips, tc.node, err, tc.want)
		}
	}
	if cl, err := c.Cluster("h100-sxm", 2, ClusterOptions{ChipsPerNode: 8}); err != nil || cl.ChipsPerNode != 2 {
		t.Errorf("a 2-chip replica on an 8-chip server: %d per node, %v; want 2, accepted", cl.ChipsPerNode, err)
	}
}
