package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/units"
)

// ClusterOptions override catalog defaults when building a cluster.
type ClusterOptions struct {
	// ChipsPerNode is the scale-up domain size; 0 = the chip's usual node.
	ChipsPerNode int
	// ScaleOut is the scale-out bandwidth per chip, Gbit/s each way;
	// 0 = the chip's NIC from the catalog.
	ScaleOut units.GigabitsPerSec
	// Stack is the software-stack id; "" = the chip's default.
	Stack string
	// WholeNodes: the chips are one training job's, in whole nodes of
	// the ChipsPerNode given, which must then be at most chips and
	// divide them (a node larger than the job would only be capped to
	// it; 64 chips in nodes of 3 is no cluster). The chip's usual node
	// (ChipsPerNode 0) becomes the largest divisor of the chips not
	// above it, so the default is a node size that stating it would
	// accept: 12 H100s are two nodes of 6, not one and a half HGX
	// servers of 8 (a prime count above the node is nodes of 1).
	// Without it a node may exceed the chips: an inference replica of 2
	// chips on an 8-chip server.
	WholeNodes bool
}

// Cluster builds the estimator's view of chips copies of chip chipID (see
// doc.go for what each tier number means).
func (c *Catalog) Cluster(chipID string, chips int, o ClusterOptions) (hardware.Cluster, error) {
	ch, err := c.Chip(chipID)
	if err != nil {
		return hardware.Cluster{}, err
	}
	if chips < 1 {
		return hardware.Cluster{}, input.Bad("chips", chips, "want at least 1")
	}
	cpn := ch.ChipsPerNode
	if o.ChipsPerNode != 0 {
		cpn = o.ChipsPerNode
	}
	if dom := int(ch.ScaleUp.DomainSize.Max); cpn < 1 || (dom > 0 && cpn > dom) {
		return hardware.Cluster{}, input.Bad("chips_per_node", cpn, fmt.Sprintf("want 1 to %d (the %s scale-up domain)", dom, ch.ID))
	}
	if err := o.wholeNodes(chips, ch.ChipsPerNode); err != nil {
		return hardware.Cluster{}, err
	}
	if o.ScaleOut < 0 {
		return hardware.Cluster{}, input.Bad("scale_out_gbps", o.ScaleOut, "want ≥ 0 (0 = the catalog's NIC)")
	}
	stack := ch.Stack
	if o.Stack != "" {
		stack = o.Stack
	}
	if !slices.Contains(Stacks(), stack) {
		return hardware.Cluster{}, input.Bad("stack", strconv.Quote(stack), "want one of "+strings.Join(Stacks(), ", "))
	}
	up, err := c.Network(ch.ScaleUp.Network)
	if err != nil {
		return hardware.Cluster{}, err
	}
	out, err := c.Network(ch.ScaleOut.Network)
	if err != nil {
		return hardware.Cluster{}, err
	}
	node := cpn
	cpn = min(cpn, chips) // a job smaller than a node spans only its own chips
	if o.WholeNodes && o.ChipsPerNode == 0 {
		cpn = TrainingNode(chips, cpn)
	}
	nic := ch.ScaleOut.Bandwidth.Typ
	if o.ScaleOut > 0 {
		nic = o.ScaleOut.ByteRate()
	}
	cl := hardware.Cluster{
		Chip: ch, ChipID: ch.ID, Chips: chips, ChipsPerNode: cpn, SystemNode: node, Stack: stack,
		ScaleUp:  hardware.Tier{Bandwidth: ch.ScaleUp.Bandwidth.Typ / 2, Latency: up.Latency.Typ, Size: cpn},
		ScaleOut: hardware.Tier{Bandwidth: nic, Latency: out.Latency.Typ, Size: 0},
	}
	switch up.Topology {
	case hardware.FullMesh:
		cl.ScaleUp.MeshLinks = int(up.DomainSize.Typ) - 1
	case hardware.Torus:
		copy(cl.ScaleUp.Torus[:], up.TorusDims) // check: at most 3
	}
	return cl, cl.Validate()
}

// wholeNodes is WholeNodes' check of a given ChipsPerNode against chips
// (node: the chip's usual node, whose largest divisor of the chips is
// the default).
func (o ClusterOptions) wholeNodes(chips, node int) error {
	switch n := o.ChipsPerNode; {
	case !o.WholeNodes || n == 0:
		return nil
	case n > chips:
		return input.Bad("chips_per_node", n, fmt.Sprintf("want at most the job's %d chips (a node larger than the job would be capped to it; leave it out for nodes of %d, the largest divisor of the chips up to the chip's usual node)",
			chips, TrainingNode(chips, node)))
	case chips%n != 0:
		return input.Bad("chips_per_node", n, fmt.Sprintf("want a divisor of the job's %d chips: they fill whole nodes (%s of %d, %d left over; leave it out for nodes of %d, the largest divisor up to the chip's usual node)",
			chips, nodesOf(chips/n), n, chips%n, TrainingNode(chips, node)))
	}
	return nil
}

// CheckWholeNodes is WholeNodes' check of a stated node against a
// training job's chips on a chip whose usual node is usual: nil where
// the node divides the chips, else the error chipgap train and run give
// (a sweep's training cells check a what-if's node with it, cell by cell).
func CheckWholeNodes(chips, node, usual int) error {
	return ClusterOptions{ChipsPerNode: node, WholeNodes: true}.wholeNodes(chips, usual)
}

// nodesOf is "1 node" or "n nodes".
func nodesOf(n int) string {
	if n == 1 {
		return "1 node"
	}
	return fmt.Sprintf("%d nodes", n)
}

// TrainingNode is the node a training job of chips takes when none is
// stated, on a chip whose usual node is node: the largest divisor of the
// chips not above the node (or the chips), so the job fills whole nodes
// (ClusterOptions.WholeNodes; the sweep's training cells likewise).
func TrainingNode(chips, node int) int {
	return largestDivisor(chips, min(node, chips))
}

// largestDivisor is the largest divisor of n not above most (1 ≤ most).
func largestDivisor(n, most int) int {
	for d := most; d > 1; d-- {
		if n%d == 0 {
			return d
		}
	}
	return 1
}
