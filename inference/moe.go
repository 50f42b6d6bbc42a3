package inference

import (
	"math"

	"chipgap/units"
)

// MoEStep is where a step's mixture-of-experts time goes on the busiest
// device, whole step. Its times are already inside StepResult's Compute,
// Memory, Comm and Overhead; they are shown apart so a user can see them.
type MoEStep struct {
	// Imbalance is the hottest device's expert load over the mean this
	// step: Balancer (the profile's residual with a balancer, the
	// deployment's override, or without a balancer the routing's skew)
	// times Spread (the sampling spread of this step's routing).
	// Routing says which: "eplb" (a balancer's residual, or a stated
	// factor), "none" (no balancer: the routing's skew of a fine-grained
	// model) or "coarse" (no balancer, but too few routed experts for the
	// measured skew: the profile's assumed factor).
	Imbalance float64 `json:"imbalance"`
	Balancer  float64 `json:"balancer"`
	Spread    float64 `json:"spread"`
	Routing   string  `json:"routing,omitempty"`
	// Experts is the routed-expert GEMM time; ImbalanceTime is how much of
	// Experts and of the EP all-to-all the imbalance adds over a perfect
	// balance.
	Experts       units.Seconds `json:"experts"`
	ImbalanceTime units.Seconds `json:"imbalance_time"`
	// ExpertMemoryEff is the HBM bandwidth fraction the expert GEMMs
	// stream weights at (the engine's MoE backend); Fixed is the MoE
	// module's fixed time per layer and pass, whole step (in Overhead).
	ExpertMemoryEff float64       `json:"expert_memory_eff"`
	Fixed           units.Seconds `json:"fixed"`
	// RowsPerExpert is the rows (token copies) the GEMM of an expert the
	// batch reaches gets on the hottest device, whose step the others
	// wait for; GroupedGEMMEff the efficiency the grouped GEMM reaches at
	// that height with tile padding.
	RowsPerExpert  float64 `json:"rows_per_expert"`
	GroupedGEMMEff float64 `json:"grouped_gemm_eff"`
	// ShortK is how much longer the expert GEMMs take for their tiles'
	// fixed work at their reduction lengths (Profile.MatmulK0; 1: none).
	ShortK float64 `json:"short_k"`
	// FP8BlockScale is the rate block-scaled FP8 GEMMs ran at over
	// per-tensor ones where the deployment's were (Profile.FP8BlockScale,
	// every GEMM of the model); 0 where they were not.
	FP8BlockScale float64 `json:"fp8_block_scale,omitempty"`
	// Dispatch and Combine are the EP all-to-all before overlap;
	// Hidden the part hidden behind compute; SMTax the compute time the
	// hidden part costs while normal-mode kernels hold compute units.
	Dispatch units.Seconds `json:"dispatch"`
	Combine  units.Seconds `json:"combine"`
	Hidden   units.Seconds `json:"hidden"`
	SMTax    units.Seconds `json:"sm_tax"`
	// Kernels is the EP kernel kind: "low-latency" (decode-only steps,
	// direct RDMA writes per expert copy), "normal" (steps with prompt
	// tokens; hierarchical NVLink–RDMA forwarding when EP spans nodes),
	// or "" without EP.
	Kernels string `json:"kernels,omitempty"`
	// Sync is the host synchronisation of normal-mode kernels (in
	// Overhead).
	Sync units.Seconds `json:"sync"`
}

// moeAcc is the MoE part of one stage's accumulation.
type moeAcc struct {
	on                                               bool
	routing                                          string
	bal, spread, rows, eff                           float64
	experts, imbTime, dispatch, combine, hidden, tax float64
	sync, bwEff, fixed, shortK, fp8Block             float64
	kernels                                          string
}

func (m moeAcc) result(scale float64) MoEStep {
	if !m.on {
		return MoEStep{}
	}
	s := func(x float64) units.Seconds { return units.Seconds(x * scale) }
	return MoEStep{Imbalance: m.bal * m.spread, Balancer: m.bal, Spread: m.spread, Routing: m.routing,
		Experts: s(m.experts), ExpertMemoryEff: m.bwEff, Fixed: s(m.fixed), ImbalanceTime: s(m.imbTime), RowsPerExpert: m.rows, GroupedGEMMEff: m.eff, ShortK: m.shortK, FP8BlockScale: m.fp8Block,
		Dispatch: s(m.dispatch), Combine: s(m.combine), Hidden: s(m.hidden), SMTax: s(m.tax),
		Kernels: m.kernels, Sync: s(m.sync)}
}

// spread is the sampling imbalance of one step's routing: T tokens each
// pick k experts spread over D devices, mean μ = T·k/D token copies per
// device; the expected most-loaded of D Poisson(μ) devices is about
// μ + √(2·μ·ln D) (the Gaussian maximum), so spread = 1 + √(2·ln D/μ),
// at most D (one device cannot carry more than the whole load). A
// balancer evens out the expected load (Balancer), not this per-step
// noise, which matters at decode batches (μ of a few hundred).
func spread(T, k, D, lnD float64) float64 {
	if D <= 1 || T <= 0 {
		return 1
	}
	mu := T * k / D
	return math.Min(1+math.Sqrt(2*lnD/mu), D)
}

// skew is the hottest device's expected routed load over the mean without
// a balancer, before the sampling spread: D devices holding g experts each,
// the experts' loads of coefficient of variation cv, a device's load has
// CV cv/√g (g independent experts summed) and the most loaded of D is about
// 1 + cv/√g·√(2·ln D) times the mean (the Gaussian maximum), at most D.
// TensorRT-LLM's tech blog 4 (DeepSeek-R1 on 32 GB200, EP 32, 8 experts
// per rank) measured both sides of it: a per-expert CV of 1.28 and a
// hottest rank 2.56× the mean, which this gives as 2.19 × the sampling
// spread of its 1,024 tokens per rank (1.08) = 2.37, 7 % under (the
// Gaussian maximum misses the hot experts' heavy tail; TestRoutingSkew).
func skew(cv, g, D float64) float64 {
	if D <= 1 || cv <= 0 || g <= 0 {
		return 1
	}
	return math.Min(1+cv/math.Sqrt(g)*math.Sqrt(2*math.Log(D)), D)
}

// groupedEff is the grouped expert GEMM's efficiency at m rows per
// expert it runs. With a tile of ExpertTileRows each expert's rows are
// padded to whole tiles: MatmulEff × m over the padded rows, half a tile
// wasted on average and at least one tile, m/max(m + tile/2, tile).
// Without one, the dense GEMM curve at m with half rows half. height:
// the weight precision has a GEMM-height curve of its own (FP4, whose
// block-scaled GEMMs the stack's fp4_matmul_half_rows gives half their
// rate at a few hundred rows); an expert's GEMM is a GEMM of m rows, so
// it gets no more than that curve gives a dense GEMM of m rows.
func (p *Profile) groupedEff(m, half float64, height bool) float64 {
	t := p.ExpertTileRows
	if t <= 0 || m <= 0 {
		return p.matmulEff(m, half)
	}
	e := p.MatmulEff * m / math.Max(m+t/2, t)
	if height {
		e = math.Min(e, p.matmulEff(m, half))
	}
	return e
}

// mlp adds the stage's dense, shared-expert and routed-expert MLPs and
// returns their time: ta tokens on the busiest attention group (dense and
// shared MLPs), T tokens in the stage (routed experts).
func (l *layout) mlp(a *acc, ta, T, frac float64) float64 {
	s, p := &l.sh, &l.d.Profile
	tp := float64(l.tp)
	t := l.lin(a, s.denseMLP/tp, ta, s.denseLayers*frac, s.kDense)
	if s.moeLayers == 0 {
		return t
	}
	moe := s.moeLayers * frac
	t += l.lin(a, s.shared/tp, ta, moe, s.kShared)
	n := math.Max(s.experts, float64(l.ep))
	copies := n / float64(l.ep)
	m := &a.moe
	m.on, m.bal, m.spread = true, p.ExpertImbalance, spread(T, s.active, float64(l.ep), l.lnEP)
	m.routing = BalancerEPLB
	if p.NoBalancer {
		m.routing = RoutingCoarse
		if s.experts >= float64(p.RoutingMinExperts) {
			m.routing, m.bal = BalancerNone, skew(p.RoutingCV, copies, float64(l.ep))
		}
	}
	if l.ep <= 1 {
		// Every device holds every expert and runs every token: no
		// device is hotter than another, whatever the routing.
		m.bal = 1
	}
	// The step waits on the hottest device: Imbalance × the mean
	// device's token copies, over the experts it holds that they reach
	// (a GEMM runs only for those; its weights are read once). Its rows
	// per expert set the grouped GEMM's efficiency and its touched
	// experts the bytes, so a decode batch whose imbalance falls as it
	// grows never shortens the step (TestMoEDecodeBatchMonotone).
	imb := m.bal * m.spread
	hitHot := touched(imb*T, s.active, n) // as the mean device's at imb × the tokens
	m.rows = imb * T * s.active / n / math.Max(hitHot, 1e-300)
	m.eff = p.groupedEff(m.rows, l.halfRows, l.fp4Height)
	flops := 2 * s.expert * T * s.active / float64(l.w) * moe
	expertBytes := s.expert / float64(l.etp) * l.wBytes * moe
	m.bwEff = p.expertMemoryEff()
	m.shortK = s.kExpert.mult(l.k0, float64(l.etp))
	m.fp8Block = l.fp8Block
	peak, bw := l.peak/m.shortK, l.bw*m.bwEff
	te := a.roof(flops*imb, peak*m.eff, copies*hitHot*expertBytes, bw)
	m.experts += te
	// What a perfect balance would take: the mean device's copies and
	// touched experts.
	hit := touched(T, s.active, n)
	even := T * s.active / n / math.Max(hit, 1e-300)
	m.imbTime += te - math.Max(flops/(peak*p.groupedEff(even, l.halfRows, l.fp4Height)), copies*hit*expertBytes/bw)
	fixed := float64(p.MoELayerTime) * moe
	m.fixed += fixed
	a.overhead += fixed
	return t + te
}

// comm is the stage's communication time on one device: two TP
// all-reduces per layer (tp), and EP dispatch + combine per MoE layer (ep)
// on the hottest device, which receives Imbalance times the mean; hier:
// the batch has prompt tokens (normal, hierarchical EP kernels). An
// engine that runs the experts on the TP-replicated tokens (NoTPDispatch)
// needs no dispatch where attention is TP over the whole instance.
func (l *layout) comm(a *acc, ta, frac float64, hier bool) (tp, ep float64) {
	s := l.sh
	if l.tp > 1 {
		ar := l.cluster.AllReduce(units.Bytes(ta*s.hidden*l.actBytes), l.tpGroup)
		tp = 2 * float64(ar) * s.layers * frac
	}
	if l.ep > 1 && s.moeLayers > 0 && !(l.adp == 1 && l.d.Profile.NoTPDispatch) {
		m := &a.moe
		imb := m.bal * m.spread
		tokDev := ta / float64(l.tp)
		disp := tokDev * s.hidden * math.Min(l.wBytes, 2)
		comb := tokDev * s.hidden * l.actBytes
		n := s.moeLayers * frac
		d := l.epAllToAll(disp*imb, s.active, hier) * n
		c := l.epAllToAll(comb*imb, s.active, hier) * n
		m.dispatch, m.combine = d, c
		// The imbalance scales the bytes, not the latencies: its share of
		// a bandwidth-bound all-to-all is 1 − 1/imb (an upper bound).
		m.imbTime += (d + c) * (1 - 1/imb)
		m.kernels = "low-latency"
		if hier {
			m.kernels = "normal"
		}
		ep = d + c
	}
	return tp, ep
}

// epAllToAll is one EP dispatch or combine on a device: perCopy bytes for
// each of the k experts its tokens go to. Within one scale-up domain, or
// with direct sends (hier false: decode batches, DeepEP's low-latency
// kernels, one RDMA write per expert copy), it is the all-to-all of the k
// copies. A batch with prompt tokens (hier true) uses hierarchical kernels
// (DeepEP's normal mode, NVLink–RDMA forwarding): a token crosses
// scale-out once per distinct remote node holding one of its experts,
// (nodes−1)·(1 − (1 − 1/nodes)^k) of them for uniformly spread experts,
// fewer under the model's group-limited routing (llm.MoEConfig.ShardsHit),
// and fans out to the experts over scale-up.
func (l *layout) epAllToAll(perCopy, k float64, hier bool) float64 {
	return float64(l.cluster.ExpertAllToAll(units.Bytes(perCopy), k, l.epGroup, hier, l.m.MoE.ShardsHit))
}

// overlapEP hides CommOverlap of the EP all-to-all behind the stage's
// compute tComp; while normal-mode kernels run they hold CommSMShare of
// the compute units, so the compute they overlap takes s/(1−s) longer
// (the SM tax); normal-mode steps also pay MoESync per MoE layer. It
// returns the exposed EP time.
func (l *layout) overlapEP(a *acc, tComp, tEP, frac float64) float64 {
	p := &l.d.Profile
	hidden := p.CommOverlap * math.Min(tComp, tEP)
	m := &a.moe
	m.hidden = hidden
	if m.kernels == "normal" {
		s := p.CommSMShare
		m.tax = hidden * s / (1 - s)
		a.compute += m.tax
		m.sync = float64(p.MoESync) * l.sh.moeLayers * frac
		a.overhead += m.sync
	}
	return tEP - hidden
}
