package hardware

import (
	"math"

	"chipgap/units"
)

// Collective cost models (Thakur, Rabenseifner and Gropp 2005; NCCL's
// "bus bandwidth" convention). S is the full buffer each rank holds (for
// all-gather: the gathered result), n the ranks, B the per-rank bandwidth
// each way on the tier, α the per-step latency:
//
//	ring all-reduce:     2(n−1)/n · S/B + 2(n−1)·α
//	tree all-reduce:     2·S/B + 2·⌈log2 n⌉·α     (NCCL's choice for small S)
//	reduce-scatter:      (n−1)/n · S/B + (n−1)·α   (all-gather the same)
//	all-to-all:          (n−1)/n · S/B + α          (sends issued concurrently)
//	point-to-point:      S/B + α
//
// On a full-mesh tier B is the sum of the n − 1 direct links the group
// drives (Tier.MeshLinks), one link for point-to-point; on a torus the
// links of the dimensions the group spans (torusLinks).
//
// Bandwidths are link rates; callers apply the fraction a software stack
// really reaches with Derate.

// Derate returns the tier with its bandwidth multiplied by f (0 < f ≤ 1),
// for the fraction of the link rate a collective library achieves.
func (t Tier) Derate(f float64) Tier {
	t.Bandwidth = units.ByteRate(float64(t.Bandwidth) * f)
	return t
}

// AllReduce is the time for n ranks on this tier to all-reduce s bytes:
// the faster of ring and tree.
func (t Tier) AllReduce(s units.Bytes, n int) units.Seconds {
	if n <= 1 || s <= 0 {
		return 0
	}
	fn := float64(n)
	ring := 2*(fn-1)/fn*float64(s)/t.bw(n) + 2*(fn-1)*float64(t.Latency)
	tree := 2*float64(s)/t.bw(n) + 2*math.Ceil(math.Log2(fn))*float64(t.Latency)
	return units.Seconds(math.Min(ring, tree))
}

// ReduceScatter is the ring reduce-scatter of an s-byte buffer over n ranks;
// each rank ends with s/n bytes.
func (t Tier) ReduceScatter(s units.Bytes, n int) units.Seconds {
	if n <= 1 || s <= 0 {
		return 0
	}
	fn := float64(n)
	return units.Seconds((fn-1)/fn*float64(s)/t.bw(n) + (fn-1)*float64(t.Latency))
}

// AllGather is the ring all-gather whose result is s bytes on every rank.
func (t Tier) AllGather(s units.Bytes, n int) units.Seconds { return t.ReduceScatter(s, n) }

// AllToAll is the time for each of n ranks to exchange its s-byte buffer,
// keeping 1/n of it locally.
func (t Tier) AllToAll(s units.Bytes, n int) units.Seconds {
	if n <= 1 || s <= 0 {
		return 0
	}
	fn := float64(n)
	return units.Seconds((fn-1)/fn*float64(s)/t.bw(n) + float64(t.Latency))
}

// SendRecv is the time to move s bytes between two ranks.
func (t Tier) SendRecv(s units.Bytes) units.Seconds {
	if s <= 0 {
		return 0
	}
	return units.Seconds(float64(s)/t.bw(2) + float64(t.Latency))
}

// Group is a communicator placed on a cluster: N ranks of which PerNode
// share a node (scale-up domain). PerNode = N means the group stays inside
// one node; PerNode = 1 means every rank is on a different node.
type Group struct {
	N       int
	PerNode int
}

// Group places a communicator of size ranks whose members are stride ranks
// apart in the global rank order (ranks fill nodes in order). Tensor
// parallelism, innermost, has stride 1; data parallelism has stride
// tp·cp (·pp when pipeline stages are outer); and so on.
func (c Cluster) Group(size, stride int) Group {
	if size <= 1 {
		return Group{N: 1, PerNode: 1}
	}
	stride = max(stride, 1)
	per := 1
	if stride < c.ChipsPerNode {
		per = min(size, c.ChipsPerNode/stride)
	}
	return Group{N: size, PerNode: max(per, 1)}
}

// Spans reports whether the group crosses nodes.
func (g Group) Spans() bool { return g.N > g.PerNode }

// AllReduce is the hierarchical all-reduce of s bytes over group g:
// intra-node reduce-scatter, inter-node all-reduce of the s/k shard over
// the N/k nodes (each of the k ranks drives its own NIC), intra-node
// all-gather. Inside one node it is the scale-up all-reduce.
func (c Cluster) AllReduce(s units.Bytes, g Group) units.Seconds {
	if g.N <= 1 {
		return 0
	}
	if !g.Spans() {
		return c.ScaleUp.AllReduce(s, g.N)
	}
	k := g.PerNode
	nodes := (g.N + k - 1) / k
	shard := s / units.Bytes(k)
	return c.ScaleUp.ReduceScatter(s, k) + c.ScaleOut.AllReduce(shard, nodes) + c.ScaleUp.AllGather(s, k)
}

// ReduceScatter is the hierarchical reduce-scatter of s bytes over g.
func (c Cluster) ReduceScatter(s units.Bytes, g Group) units.Seconds {
	if g.N <= 1 {
		return 0
	}
	if !g.Spans() {
		return c.ScaleUp.ReduceScatter(s, g.N)
	}
	k := g.PerNode
	nodes := (g.N + k - 1) / k
	return c.ScaleUp.ReduceScatter(s, k) + c.ScaleOut.ReduceScatter(s/units.Bytes(k), nodes)
}

// AllGather is the hierarchical all-gather whose result is s bytes.
func (c Cluster) AllGather(s units.Bytes, g Group) units.Seconds { return c.ReduceScatter(s, g) }

// AllToAll exchanges an s-byte buffer per rank over g: the share bound for
// other nodes crosses the scale-out tier, the rest stays on scale-up; the
// two proceed concurrently, so the slower one sets the time.
func (c Cluster) AllToAll(s units.Bytes, g Group) units.Seconds {
	if g.N <= 1 {
		return 0
	}
	if !g.Spans() {
		return c.ScaleUp.AllToAll(s, g.N)
	}
	fn := float64(g.N)
	remote := units.Bytes(float64(s) * (fn - float64(g.PerNode)) / fn)
	local := units.Bytes(float64(s) * float64(g.PerNode-1) / fn)
	tOut := units.Seconds(float64(remote)/float64(c.ScaleOut.Bandwidth) + float64(c.ScaleOut.Latency))
	tUp := units.Seconds(0)
	if local > 0 {
		tUp = units.Seconds(float64(local)/c.ScaleUp.bw(g.PerNode) + float64(c.ScaleUp.Latency))
	}
	return max(tOut, tUp)
}

// ExpertAllToAll is a MoE dispatch (or combine) of k copies of perCopy
// bytes per rank over the expert-parallel group g. Flat (NCCL's
// all-to-all), every copy is sent on its own: AllToAll of k·perCopy.
// Hierarchical (DeepEP's normal kernels, HybridEP; DeepSeek-V3 report
// §3.2.2), a group spanning nodes sends each token once per distinct
// remote node over scale-out and fans the copies out over scale-up, the
// two concurrently; never slower than flat. Of N nodes a token reaches
// hit(N), the model's routing (llm.MoEConfig.ShardsHit, which owns the
// law: N·(1 − (1 − 1/N)^k) for uniform routing), the remote ones
// hit(N)·(N−1)/N. Inside one node both are the scale-up all-to-all.
func (c Cluster) ExpertAllToAll(perCopy units.Bytes, k float64, g Group, hierarchical bool, hit func(nodes float64) float64) units.Seconds {
	all := c.AllToAll(units.Bytes(float64(perCopy)*k), g)
	if !hierarchical || !g.Spans() {
		return all
	}
	nodes := float64(g.N) / float64(g.PerNode)
	remote := hit(nodes) * (nodes - 1) / nodes
	tOut := float64(perCopy)*remote/float64(c.ScaleOut.Bandwidth) + float64(c.ScaleOut.Latency)
	n := float64(g.N)
	tUp := float64(perCopy)*k*(n-1)/n/float64(c.ScaleUp.Bandwidth) + float64(c.ScaleUp.Latency)
	return min(all, units.Seconds(math.Max(tOut, tUp)))
}

// SendRecv moves s bytes between neighbouring ranks of g (pipeline stages):
// over scale-up when they share a node, else over scale-out.
func (c Cluster) SendRecv(s units.Bytes, g Group) units.Seconds {
	if g.Spans() || g.PerNode == 1 {
		return c.ScaleOut.SendRecv(s)
	}
	return c.ScaleUp.SendRecv(s)
}
