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
	// Torus is, on a torus tier, the wrapped ring lengths a group fills
	// in order (Network.TorusDims), zeros after the last (all zero: not a
	// torus; an array keeps Tier comparable). Each chip has two links per
	// dimension, whose sum Bandwidth is.
	Torus [3]int `json:"torus,omitzero"`
}

// GroupRate is the bandwidth each way one rank of a group of n reaches on
// this tier: on a full mesh its n − 1 direct links, on a torus the links
// of the dimensions it spans (torusLinks), else the whole rate.
func (t Tier) GroupRate(n int) units.ByteRate { return units.ByteRate(t.bw(n)) }

// bw is the per-rank bandwidth each way a group of n ranks reaches.
func (t Tier) bw(n int) float64 {
	if t.MeshLinks > 0 && n-1 < t.MeshLinks {
		return float64(t.Bandwidth) * float64(max(n-1, 1)) / float64(t.MeshLinks)
	}
	if t.Torus[0] > 0 {
		used, all := torusLinks(n, t.Torus)
		return float64(t.Bandwidth) * float64(used) / float64(all)
	}
	return float64(t.Bandwidth)
}

// torusLinks is how many of a chip's torus links a group of n ranks
// drives, and how many the chip has (two per ring; dims ends at its first
// zero). The group fills the rings in order: a whole (wrapped) ring drives
// both its links, two rings running opposite ways; a part of a ring is a
// line, on which a ring collective sends over each link both ways and so
// reaches one link's rate; a group larger than the rings hold drives
// every link. A point-to-point transfer (n = 2 on a ring longer than 2)
// is one link. Collectives over several rings are taken to run them
// concurrently (each ring's phase on its own share of the buffer), as TPU
// ICI collectives do.
func torusLinks(n int, dims [3]int) (used, all int) {
	for _, d := range dims {
		if d > 0 {
			all += 2
		}
	}
	rem := n
	for _, d := range dims {
		switch {
		case rem <= 1:
			return max(used, 1), all
		case d == 0:
			return all, all // larger than the rings hold
		case rem < d:
			return used + 1, all
		}
		used += 2
		rem = (rem + d - 1) / d
	}
	if rem > 1 {
		return all, all
	}
	return used, all
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

// PerDevice is c as its devices see it, where a package holds d of them
// (the Ascend 910C's two dies): collectives run between devices, the
// package's links are shared by its devices (each drives 1/d of its
// scale-up and scale-out rate), and a node holds d × its chips. d ≤ 1
// gives c back. Training and serving both place their groups on it.
func (c Cluster) PerDevice(d int) Cluster {
	if d <= 1 {
		return c
	}
	c.ScaleUp = c.ScaleUp.Derate(1 / float64(d))
	c.ScaleOut = c.ScaleOut.Derate(1 / float64(d))
	c.ChipsPerNode *= d
	c.Chips *= d
	return c
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
