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
