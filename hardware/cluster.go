package hardware

import (
	"fmt"

	"chipgap/units"
)

// Tier is one level of a cluster's network as an estimator sees it: the
// bandwidth each chip can drive on it, each way, the per-step latency, and
// how many chips it joins (0 = the whole cluster).
type Tier struct {
	Bandwidth units.ByteRate `json:"bandwidth"`
	Latency   units.Seconds  `json:"latency"`
	Size      int            `json:"size"`
	// MeshLinks is, on a full-mesh tier, the direct links per chip whose
	// sum Bandwidth is (0: switched). A collective over n ranks of the
	// mesh drives min(n − 1, MeshLinks) of them (HCCL's mesh algorithms
	// send to every peer at once), a point-to-point transfer one.
	MeshLinks int `json:"mesh_links,omitempty"`
}

// GroupRate is the bandwidth each way one rank of a group of n reaches on
// this tier: on a full mesh its n − 1 direct links, else the whole rate.
func (t Tier) GroupRate(n int) units.ByteRate { return units.ByteRate(t.bw(n)) }

// bw is the per-rank bandwidth each way a group of n ranks reaches.
func (t Tier) bw(n int) float64 {
	if t.MeshLinks > 0 && n-1 < t.MeshLinks {
		return float64(t.Bandwidth) * float64(max(n-1, 1)) / float64(t.MeshLinks)
	}
	return float64(t.Bandwidth)
}

// Cluster is the hardware a workload runs on: Chips copies of Chip, in
// nodes of ChipsPerNode joined by ScaleUp, nodes joined by ScaleOut.
// Estimators take a fully populated Cluster; catalog/scenario build it.
type Cluster struct {
	Chip         *Chip  `json:"-"`
	ChipID       string `json:"chip"`
	Chips        int    `json:"chips"`
	ChipsPerNode int    `json:"chips_per_node"`
	// SystemNode is the node of the system the job runs on (its
	// scale-up domain) before a job smaller than a node is cut to its own
	// chips: 72 for an 8-GPU job on a GB200 NVL72 rack, where
	// ChipsPerNode is 8. 0 means ChipsPerNode.
	SystemNode int  `json:"system_node,omitempty"`
	ScaleUp    Tier `json:"scale_up"`
	ScaleOut   Tier `json:"scale_out"`
	// Stack is the software-stack id in use (defaults to the chip's).
	Stack string `json:"stack"`
}

// Validate checks that the cluster is usable.
func (c Cluster) Validate() error {
	switch {
	case c.Chip == nil:
		return fmt.Errorf("cluster: no chip")
	case c.Chips < 1:
		return fmt.Errorf("cluster: chips = %d: want at least 1", c.Chips)
	case c.ChipsPerNode < 1:
		return fmt.Errorf("cluster: chips_per_node = %d: want at least 1", c.ChipsPerNode)
	case c.ScaleUp.Bandwidth <= 0 && c.ChipsPerNode > 1:
		return fmt.Errorf("cluster: chip %s has no scale-up bandwidth", c.Chip.ID)
	}
	return nil
}

// Nodes is the number of nodes (rounded up).
func (c Cluster) Nodes() int { return (c.Chips + c.ChipsPerNode - 1) / c.ChipsPerNode }
