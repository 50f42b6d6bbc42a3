package calc

import (
	"fmt"
	"io"

	"chipgap/parallel"
)

// NodeSpan is a plan whose tensor-parallel group, or with context
// parallelism its tp·cp ranks, cross the scale-up domain (node): those
// collectives run over the scale-out network.
type NodeSpan struct {
	// Group is "tp" or "tp·cp"; Size its ranks; Nodes the nodes it
	// spans, of PerNode devices each.
	Group   string `json:"group"`
	Size    int    `json:"size"`
	Nodes   int    `json:"nodes"`
	PerNode int    `json:"devices_per_node"`
}

// nodeSpan is the node span of plan pl on the setup's devices, placed as
// the estimator places its communicators (hardware.Cluster.Group on the
// cluster as its devices see it: tp innermost, cp next); nil where tp and
// cp stay inside a node.
func (s TrainSetup) nodeSpan(pl parallel.Plan) *NodeSpan {
	net := s.Cluster.PerDevice(s.Devices() / s.Cluster.Chips)
	if g := net.Group(pl.TP, 1); g.Spans() {
		return &NodeSpan{Group: "tp", Size: pl.TP, Nodes: (g.N + g.PerNode - 1) / g.PerNode, PerNode: net.ChipsPerNode}
	}
	if g := net.Group(pl.CP, pl.TP); pl.CP > 1 && g.Spans() {
		return &NodeSpan{Group: "tp·cp", Size: pl.TP * pl.CP, Nodes: (g.N + g.PerNode - 1) / g.PerNode, PerNode: net.ChipsPerNode}
	}
	return nil
}

// writeText prints the span's line, and how the estimate prices it.
func (n *NodeSpan) writeText(w io.Writer) {
	if n == nil {
		return
	}
	fmt.Fprintf(w, "%s %d spans %d nodes of %d: ", n.Group, n.Size, n.Nodes, n.PerNode)
	if n.Group == "tp" {
		fmt.Fprintln(w, "its collectives cross the scale-out network (priced hierarchically: a reduce-scatter inside each node, the node's shard over scale-out, an all-gather back; a search keeps tp inside a node)")
		return
	}
	fmt.Fprintln(w, "the context-parallel ring's K/V exchange crosses the scale-out network (priced at scale-out send/recv, hidden behind attention where it can be)")
}
