package training

import (
	"math"
	"strings"

	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// Estimate predicts one training step of model m run with plan pl on
// cluster c under software-stack profile prof. A plan that does not fit
// returns a *NotFitError (errors.Is(err, ErrDoesNotFit)); bad input a
// *input.Error or *input.Error naming the field.
func Estimate(m llm.Model, pl parallel.Plan, c hardware.Cluster, prof Profile, job Job) (Result, error) {
	p, err := newPrep(m, c, prof, job)
	if err != nil {
		return Result{}, err
	}
	if err := pl.Validate(p.problem()); err != nil {
		return Result{}, err
	}
	p.halfParams = prof.HalfParams.Value >= 0.5
	p.halfMoments = prof.HalfMoments.Value >= 0.5
	if err := p.supports(p.asRun(pl)); err != nil {
		return Result{}, err
	}
	return p.evaluate(pl)
}

// asRun is pl as it runs where that matters to the 1F1B all-to-all
// overlap: a partial recompute that recomputes no layer (an unstated
// recompute, or full where everything fits) is none, as evaluateFit
// reports it, so the overlap's ban on full recompute does not refuse it.
func (p *prep) asRun(pl parallel.Plan) parallel.Plan {
	if !p.job.statesA2A() || pl.Recompute != parallel.RecomputeFull || pl.RecomputeLayers != nil {
		return pl
	}
	if fit, mem := p.fit(pl); mem.Total <= mem.Capacity && p.partialRecompute(fit) == 0 {
		pl.Recompute = parallel.RecomputeNone
	}
	return pl
}

func (p *prep) problem() parallel.Problem { return problemOf(p.m, p.c, p.devPerChip, p.job) }

// problemOf is job's parallel problem on c at d devices a chip: m's
// plans over the cluster's devices.
func problemOf(m llm.Model, c hardware.Cluster, d int, job Job) parallel.Problem {
	return parallel.Problem{Model: m, Devices: c.Chips * d, GlobalBatch: job.GlobalBatch, Seq: job.Seq}
}

// stage is the slowest pipeline stage's work for one micro-batch.
type stage struct {
	fwd, bwd, recompute float64 // compute
	tp, ep, cp          float64 // exposed communication, all passes
	other               float64 // fixed per-layer overheads
	accum               float64 // unfused weight-gradient accumulation (GradAccumBytes)
	host                float64 // exposed host (CPU) time of MoE layers
	hostBwd             float64 // the part of host exposed in the backward pass
	expert              float64 // the part of fwd+bwd+recompute in routed-expert GEMMs
}

// stageTime is the slowest pipeline stage's work per micro-batch: the
// layers of the fullest stage (⌈L/PP⌉, stageLayers, mixed in the model's
// proportions of dense and MoE layers) plus the head (and MTP) on the
// last stage; a fraction frac of the layers is recomputed under full
// recompute. A split the plan leaves to the framework is splitStages'.
func (p *prep) stageTime(pl parallel.Plan, t, frac float64) stage {
	var head stage
	hf, hb := p.headTime(pl, t)
	head.fwd, head.bwd = hf, hb
	head.accum = p.accumTime(pl, float64(p.m.Vocab)/float64(pl.TP)*float64(p.m.Hidden), 0)
	if pl.PP == 1 && p.head > 0 {
		// Untied: the input embedding's gradient is a second V·h
		// accumulation on the one stage (with PP > 1 it is on the first
		// stage, never the slowest for it: a layer's worth or less).
		head.accum += p.accumTime(pl, p.embed/float64(pl.TP), 0)
	}
	plain := head
	p.addMTP(&head, pl, t, hf, hb)
	if pl.StageLayers != nil || pl.RecomputeLayers != nil {
		return p.statedStages(pl, t, frac, head)
	}
	one := p.layerMix(pl, t, frac)
	s := one.times(stageLayers(p.m.Layers, pl)).plus(head)
	L := p.m.Layers
	if pl.VPP > 1 && pl.PP*pl.VPP > L {
		// More virtual stages than layers: the embedding and the loss take
		// a virtual stage each (parallel.Plan.Validate), one layer in every
		// other, so the last device runs VPP − 1 layers and the head, the
		// middle ones VPP layers (the head cannot shed part of a layer),
		// ⌈L/PP⌉ (stageLayers) as the split gives them: VPP − 1 at PP 2,
		// where both devices lose a chunk.
		s = one.times(stageLayers(L, pl))
		if last := one.times(float64(pl.VPP - 1)).plus(head); last.total() > s.total() {
			s = last
		}
		return s
	}
	if pl.PP == 1 {
		return s
	}
	return p.splitStages(pl, one, head, head.total()-plain.total(), s)
}

// splitStages is the slowest stage of a plan that leaves its layer split
// to the framework (VPP 1, PP > 1): the last stage runs n layers beside
// the head and MTP modules (head), the others share the rest, at most
// ⌈(L−n)/(PP−1)⌉ each, and the split is the n that makes the slowest
// stage fastest among those the stack runs. The default split gives the
// last stage ⌈L/PP⌉ layers, or with uneven stages (UnevenStages) the
// remainder L − (PP−1)·⌈L/PP⌉ where that is not negative. From there the
// split moves layers off the last stage, one at a time, as many as the
// MTP modules' extra work is worth in whole layers (extra / one layer,
// rounded down): a team that trains MTP modules places them in the split
// (Megatron-Core's pipeline layouts give an MTP module a layer slot,
// Megatron-Bridge's DeepSeek-V3 layouts give MTP and the loss a stage of
// their own). The moved layers only fill spare slots: no stage goes past
// ⌈L/PP⌉, the size the memory check and the data-parallel traffic take. The head alone moves no
// layer: minimising over the last stage's layers for the head put
// cuda-mcore's calibration rows at rms log error 0.1123 against 0.1089
// and moved 40 hold-outs, 23 of them further off (7 Dec 2026): teams run
// the default split for the head unless they say otherwise
// (stage_layers).
func (p *prep) splitStages(pl parallel.Plan, one, head stage, extra float64, even stage) stage {
	L, PP := p.m.Layers, pl.PP
	base := (L + PP - 1) / PP
	rest := L - (PP-1)*base
	uneven := p.prof.UnevenStages.Value >= 0.5
	shed := 0
	if lt := one.total(); pl.VPP == 1 && lt > 0 && extra > 0 {
		shed = int(extra / lt)
	}
	if shed == 0 && (!uneven || rest < 0) {
		return even // the default split: the head beside a full stage
	}
	n := base
	if uneven && rest >= 0 {
		n = rest
	}
	s := even
	for k := n; k >= 0 && k >= n-shed; k-- {
		mid := (L - k + PP - 2) / (PP - 1)
		if mid > base {
			// No stage past ⌈L/PP⌉: the memory check and the data-parallel
			// traffic size a stage at that (stageLayers), so a fuller
			// middle stage would be timed but not fitted.
			break
		}
		m := one.times(float64(mid))
		if last := one.times(float64(k)).plus(head); last.total() > m.total() {
			m = last
		}
		if m.total() < s.total() {
			s = m
		}
	}
	return s
}

// statedStages is the slowest stage of a plan that states its layers or
// recompute per stage: stage i runs its n_i layers, r_i of them
// recomputed, and the last stage the head.
func (p *prep) statedStages(pl parallel.Plan, t, frac float64, head stage) stage {
	plain, rec := p.layerMix(pl, t, 0), p.layerMix(pl, t, 1)
	var slow stage
	for i, n := range pl.Stages(p.m.Layers) {
		r := frac * float64(n)
		if pl.RecomputeLayers != nil {
			r = float64(pl.RecomputeLayers[i])
		}
		s := plain.times(float64(n) - r).plus(rec.times(r))
		if i == pl.PP-1 {
			s = s.plus(head)
		}
		if s.total() > slow.total() {
			slow = s
		}
	}
	return slow
}

// recomputeWork is what recomputing one layer of kind k under the plan's
// policy runs again: its compute (rc, of which rx in routed-expert GEMMs)
// and the extra passes of its communication: all of it (comm 1, full
// recompute) or the EP dispatch and combine alone (ep 1, the MoE block).
func (p *prep) recomputeWork(k *layerKind, q pass, pl parallel.Plan) (rc, rx, comm, ep float64) {
	switch pl.Recompute {
	case parallel.RecomputeMoE:
		// The MoE block again: its GEMMs and memory traffic, and its
		// dispatch and combine; the attention's work is kept.
		return q.moe, q.expert, 0, 1
	case parallel.RecomputeFull:
		return q.compute(), q.expert, 1, 0
	case parallel.RecomputeSelective:
		if p.prof.SelectiveOpSAC.Value >= 0.5 {
			// Op-level checkpointing: every second linear module, the
			// routed experts and the element-wise work again; the
			// attention kernel's output is kept.
			return k.sacShare*(q.gemm-q.expert) + q.expert + q.mem, q.expert, 0, 0
		}
		if p.prof.SelectiveDots.Value >= 0.5 {
			// The weight GEMMs' outputs kept: the element-wise work and
			// the attention core again.
			return q.attn + q.scores + q.mem, 0, 0, 0
		}
		// The core attention again: its FLOPs and, unfused, the score
		// tensors' traffic (Korthikanti et al. 2022 §5).
		return q.attn + q.scores, 0, 0, 0
	}
	return 0, 0, 0, 0
}

// layerMix is one layer's work per micro-batch, mixed in the model's
// proportions of layer kinds; a fraction frac of the layers is recomputed
// under the plan's recompute policy. MoE host time is exposed layer by
// layer (the dispatcher syncs), or, padded to capacity, only where the
// mix's host work exceeds its GPU work.
func (p *prep) layerMix(pl parallel.Plan, t, frac float64) stage {
	var s stage
	L := float64(p.m.Layers)
	passes := 3.0                // forward, backward (2×) in comm terms: fwd, bwd
	var host, hostB, gpu float64 // padded MoE: the mix's host work (hostB of it in the backward) and GPU work per micro-batch
	rerun := 0.0                 // the share of layers whose forward runs again (full recompute)
	if pl.Recompute == parallel.RecomputeFull {
		rerun = frac
	}
	moeHost, _ := p.moeHostFor(pl)
	for i := range p.kinds {
		k := &p.kinds[i]
		n := float64(k.count) / L
		q := p.layerForward(k, pl, t)
		s.fwd += n * q.compute()
		s.bwd += n * p.backward(q)
		s.expert += n * 3 * q.expert
		rc, rx, again, epAgain := p.recomputeWork(k, q, pl)
		s.recompute += frac * n * rc
		s.expert += frac * n * rx
		comm := 2 + frac*again // forward + backward, and the recomputed forward
		epComm := comm + frac*epAgain
		// The layer's GPU work per forward and backward pass.
		gf := q.compute() + q.tp + q.ep
		gb := p.backward(q) + q.tp + q.ep
		// A recomputed MoE block re-issues its modules (routing and its
		// sync included) just before the layer's backward, against its own
		// GPU work again.
		var hm, gm float64
		if pl.Recompute == parallel.RecomputeMoE && k.expert > 0 {
			hm, gm = moeHost*k.moeModuleShare(), q.moe+q.ep
		}
		if h := moeHost; h > 0 && p.padded {
			// Static token counts: no sync, the host runs ahead of the
			// GPU across layers; the mix exposes only what its host work
			// exceeds its GPU work by (below).
			gpu += n * (gf + gb + rerun*gf + frac*gm)
			if k.expert > 0 {
				host += n * (3*h + rerun*h + frac*hm)
				hostB += n * (2*h + rerun*h + frac*hm)
			}
		} else if h := moeHost; h > 0 && k.expert > 0 {
			// The host issues the forward in h and the backward in 2h;
			// each pass exposes what its GPU work does not cover. A fully
			// recomputed layer re-issues its forward (routing and its sync
			// included) just before its backward: that pass takes 3h
			// against the GPU work of both.
			fwd, bwd := math.Max(0, h-gf), math.Max(0, 2*h-gb)
			switch {
			case pl.Recompute == parallel.RecomputeFull && frac > 0:
				bwd += frac * (math.Max(0, 3*h-gf-gb) - bwd)
			case hm > 0 && frac > 0:
				bwd += frac * (math.Max(0, 2*h+hm-gb-gm) - bwd)
			}
			s.host += n * (fwd + bwd)
			s.hostBwd += n * bwd
		}
		s.tp += n * comm * q.tp
		s.ep += n * epComm * q.ep
		s.cp += n * 2 * q.cp
		s.other += n * passes * p.prof.LayerOverhead.Value
		s.accum += n * p.accumTime(pl, k.params/float64(pl.TP), k.expert/float64(pl.ExpertTP()*pl.EP))
	}
	if x := math.Max(0, host-gpu); x > 0 {
		s.host += x
		s.hostBwd += x * hostB / host // the backward's share of the host work
	}
	return s
}

func (s stage) total() float64 {
	return s.fwd + s.bwd + s.recompute + s.tp + s.ep + s.cp + s.other + s.host + s.accum
}

func (s stage) times(n float64) stage {
	return stage{s.fwd * n, s.bwd * n, s.recompute * n, s.tp * n, s.ep * n, s.cp * n, s.other * n, s.accum * n, s.host * n, s.hostBwd * n, s.expert * n}
}

func (s stage) plus(o stage) stage {
	return stage{s.fwd + o.fwd, s.bwd + o.bwd, s.recompute + o.recompute, s.tp + o.tp, s.ep + o.ep, s.cp + o.cp, s.other + o.other, s.accum + o.accum, s.host + o.host, s.hostBwd + o.hostBwd, s.expert + o.expert}
}

// addMTP puts DeepSeek-V3's multi-token-prediction modules on the last
// stage (arXiv 2412.19437 §2.2): per module a 2h→h projection, one more
// layer of the model's last kind and a second pass through the shared
// head. The fullest stage is taken to be the last one when MTP is on.
func (p *prep) addMTP(s *stage, pl parallel.Plan, t, hf, hb float64) {
	n := float64(p.m.MTPModules)
	if n == 0 || len(p.kinds) == 0 {
		return
	}
	h := float64(p.m.Hidden)
	q := p.layerForward(&p.kinds[len(p.kinds)-1], pl, t)
	proj := p.gemmTime(2*t*2*h*h/float64(pl.TP), p.act*(2*t*h+2*h*h/float64(pl.TP)+t*h))
	s.fwd += n * (q.compute() + proj + hf)
	s.bwd += n * (p.backward(q) + 2*proj + hb)
	s.tp += n * 2 * q.tp
	s.ep += n * 2 * q.ep
	s.cp += n * 2 * q.cp
}

// backward is one layer's backward pass: twice its forward compute, plus
// fused attention's recompute, less what a dense MoE dispatch's backward
// does not run (pass.bwdLess).
func (p *prep) backward(q pass) float64 {
	return 2*q.compute() + p.flashRecompute(q) - q.bwdLess
}

// flashRecompute is the extra backward work of fused attention: it keeps
// no score matrix, so its backward recomputes QKᵀ and runs five
// products where the forward ran two, 2.5 × the forward's FLOPs (Dao et
// al. 2022 §3.1, Dao 2023 §3.2) against 2 × for everything else; it
// recomputes the softmax's exponentials once, where twice the forward
// would count them twice.
func (p *prep) flashRecompute(q pass) float64 {
	if !p.flash {
		return 0
	}
	return 0.5*(q.attn-q.attnExp) - q.attnExp
}

// headTime is the logit GEMM and cross-entropy on the last stage.
func (p *prep) headTime(pl parallel.Plan, t float64) (fwd, bwd float64) {
	v := float64(p.m.Vocab) / float64(pl.TP)
	h := float64(p.m.Hidden)
	f := 2 * t * v * h
	g := p.gemm16Time(f, p.act*(t*h+h*v+t*v))
	ce := 3 * 4 * t * v / (p.hbm * p.prof.MemoryEff.Value)
	return g + ce, 2*g + ce
}

// accumTime is one micro-batch's weight-gradient accumulation of a
// device's dense and expert weights outside their weight-gradient GEMMs
// (Profile.GradAccumBytes; 0 where the GEMM accumulates into the fp32
// gradient itself): streaming passes over the gradient buffers, at the
// HBM bandwidth. With sharded gradients (ZeRO 2 and 3) each micro-batch's
// 16-bit gradients are copied into the reduce-scatter buffers (DeepSpeed's
// contiguous buckets, Megatron-FSDP's: 2 + 2 bytes per local weight) and
// the pass adds the device's reduced shard only, sharded as the
// optimizer's (shardOf).
func (p *prep) accumTime(pl parallel.Plan, dense, expert float64) float64 {
	b := p.prof.GradAccumBytes.Value
	if b <= 0 {
		return 0
	}
	if pl.ZeRO < 2 {
		return b * (dense + expert) / p.hbm
	}
	copied := 2 * 2 * (dense + expert)
	dense, expert = shardOf(pl, dense, expert)
	return (copied + b*(dense+expert)) / p.hbm
}

// evaluate is Estimate without the checks, for the search.
func (p *prep) evaluate(pl parallel.Plan) (Result, error) {
	fit, mem := p.fit(pl)
	if mem.Total > mem.Capacity {
		return Result{}, p.notFit(pl, fit, mem)
	}
	pl = fit
	r := p.evaluateFit(pl, mem, p.partialRecompute(pl))
	r.PlanText = r.Plan.String()
	p.setLayout(&r)
	return r, nil
}

// setLayout sets r's pipeline layout where its plan needs one stated.
func (p *prep) setLayout(r *Result) {
	r.VirtualStageLayers = r.Plan.VirtualLayers(p.m.Layers)
	r.PipelineLayout = r.Plan.Layout(p.m.Layers, p.m.MTPModules)
}

// notFit is the error for stated plan pl, which does not fit even as fit,
// with the memory savings prep.fit tried, needing mem: it describes pl as
// stated and, where fit took savings, says what they came to.
func (p *prep) notFit(pl, fit parallel.Plan, mem Memory) *NotFitError {
	var savings []string
	if fit.HalfParams && !pl.HalfParams {
		savings = append(savings, "16-bit parameters")
	}
	if fit.HalfMoments && !pl.HalfMoments {
		savings = append(savings, "16-bit moments")
	}
	if len(savings) == 0 {
		return &NotFitError{Plan: fit, Memory: mem, Shortfall: mem.Total - mem.Capacity}
	}
	stated := p.memory(pl)
	return &NotFitError{Plan: pl, Memory: stated, Shortfall: stated.Total - stated.Capacity,
		Saved: &SavedFit{Plan: fit, PlanText: fit.String(), Savings: strings.Join(savings, " and "), Memory: mem, Shortfall: mem.Total - mem.Capacity}}
}

// evaluateFit is evaluate for a plan that fits, given its memory at full
// recompute and the fraction of layers partial recompute needs.
func (p *prep) evaluateFit(pl parallel.Plan, mem Memory, frac float64) Result {
	if frac < 1 && pl.Recompute == parallel.RecomputeFull {
		mem = p.memoryAt(pl, frac)
		if frac == 0 && pl.RecomputeLayers == nil {
			// Partial recompute of no layer is no recompute: the plan
			// says so, and what rules out full recompute (the 1F1B
			// all-to-all overlap) does not apply.
			pl.Recompute = parallel.RecomputeNone
		}
	}
	if (pl.Recompute == parallel.RecomputeSelective || pl.Recompute == parallel.RecomputeMoE) && pl.RecomputeLayers == nil {
		frac = 1 // every layer recomputes its attention core or its MoE block
	}
	gb := p.job.GlobalBatch
	mbs := float64(pl.MicroBatches(gb))
	t := float64(pl.Microbatch) * float64(p.job.Seq) / float64(pl.CP)
	s := p.stageTime(pl, t, frac)
	p2p := p.p2pTime(pl, t)
	perMB := s.total() + p2p
	var b Breakdown
	b.Compute = sec(mbs * (s.fwd + s.bwd + s.recompute - s.expert))
	b.Experts = sec(mbs * s.expert)
	b.MoEHost = sec(mbs * s.host)
	b.TP, b.EP, b.CP = sec(mbs*s.tp), sec(mbs*s.ep), sec(mbs*s.cp)
	b.PP = sec(mbs * p2p)
	b.Other = sec(mbs * s.other)
	b.GradAccum = sec(mbs * s.accum)
	b.Bubble = sec(p.bubbleStages(pl) * perMB)
	b.DP = sec(p.dpTime(pl, s, mbs))
	b.Optimizer = sec(p.optimizerTime(pl))
	r := p.result(pl, b, mem, s)
	switch pl.Recompute {
	case parallel.RecomputeSelective:
		r.SelectivePolicy = p.selectivePolicy()
	case parallel.RecomputeMoE:
		r.SelectivePolicy = "each MoE layer's MoE block: router, dispatch, routed and shared experts, combine (the block input kept)"
	}
	if pl.Recompute == parallel.RecomputeFull || pl.RecomputeLayers != nil {
		r.StageLayers = int(stageLayers(p.m.Layers, pl))
		r.RecomputedLayers = int(math.Round(frac * float64(r.StageLayers)))
		if pl.RecomputeLayers != nil {
			r.StageLayers, r.RecomputedLayers = 0, 0
			for i, n := range pl.Stages(p.m.Layers) {
				r.StageLayers += n
				r.RecomputedLayers += pl.RecomputeLayers[i]
			}
			frac = float64(r.RecomputedLayers) / float64(r.StageLayers)
		}
		// Only the recomputed layers run twice: from the HFU of no
		// recompute (the attention the kernel runs, which MFU's causal
		// count is not without flash kernels) to the whole recompute's.
		hfu0 := r.TokensPerSec * p.execFLOPs / (float64(p.devices()) * p.peak)
		r.HFU = hfu0 + frac*(r.HFU-hfu0)
	}
	return r
}

// p2pTime is the exposed pipeline send/receive per micro-batch: the
// activations (split over TP by Megatron's scatter/gather) forward and
// their gradients backward, once per virtual stage. PPOverlap of it hides
// behind compute only under a schedule that overlaps its transfers: the
// interleaved one (VPP > 1) or DualPipe. Plain 1F1B charges them in full:
// Megatron-LM turns overlap_p2p_comm off without interleaving ("non-
// interleaved schedule does not support overlapping p2p communication",
// megatron/training/arguments.py).
func (p *prep) p2pTime(pl parallel.Plan, t float64) float64 {
	if pl.PP == 1 {
		return 0
	}
	g := p.net.Group(pl.PP, pl.TP*pl.CP*pl.DP)
	b := t * float64(p.m.Hidden) * p.act / float64(pl.TP)
	hidden := 0.0
	if pl.VPP > 1 || p.prof.DualPipe.Value >= 0.5 {
		hidden = p.prof.PPOverlap.Value
	}
	return 2 * float64(pl.VPP) * float64(p.net.SendRecv(bytesOf(b), g)) * (1 - hidden)
}

func (p *prep) result(pl parallel.Plan, b Breakdown, mem Memory, s stage) Result {
	step := b.Total()
	tokens := float64(p.job.GlobalBatch) * float64(p.job.Seq)
	chips := float64(p.c.Chips)
	r := Result{Plan: pl, Stack: p.prof.ID, StepTime: step, Breakdown: b, Memory: mem} // PlanText: set by evaluate or when a search keeps it
	r.MicroBatches = pl.MicroBatches(p.job.GlobalBatch)
	r.IdleSequences = pl.LocalBatch(p.job.GlobalBatch)*pl.DP - p.job.GlobalBatch
	r.FP8WeightGather = pl.ZeRO >= 1 && pl.DP*pl.CP > 1 && p.gatherBytes() < p.act
	r.FP8Recipe = p.job.FP8Recipe
	if p.job.Precision == hardware.FP4 {
		r.FP4Ceiling = p.matMax
	}
	if p.m.MoE != nil {
		r.ExpertLoad = p.loadOn(pl)
		if pl.EP > 1 && r.ExpertLoad == p.expertLoad {
			r.ExpertLoadNote = p.loadNote
		}
		host, graphed := p.moeHostFor(pl)
		r.MoEHostPerLayer = units.Seconds(host).InMillis()
		r.MoEHostPath = MoEPathUncaptured
		switch {
		case p.moeFull:
			r.MoEHostPath = MoEPathFullIteration
		case p.moeLayer && graphed:
			r.MoEHostPath = MoEPathLayerGraphs
		case graphed:
			r.MoEHostPath = MoEPathGraphCaptured
		}
		if imb := max(p.job.ExpertImbalance, p.prof.ExpertImbalance.Value, 1); p.expertLoad < imb {
			r.HottestDropped = 1 - p.expertLoad/imb
		}
		r.PaddedToCapacity = p.padded
		r.CapacityFactor = p.capFactor
		r.DenseDispatch = p.dense
		r.MoEDispatch = DispatchFlat
		switch {
		case p.allGather():
			r.MoEDispatch = DispatchAllGather
		case p.hierarchical():
			r.MoEDispatch = DispatchHierarchical
		}
		r.MoERouting = p.m.MoE.Routing
		r.MoEA2AOverlap = p.a2aOverlap(pl)
		r.MoEA2APractice = r.MoEA2AOverlap && p.job.A2AOverlap == nil
	}
	r.TokensPerSec = tokens / float64(step)
	r.TokensPerSecPerChip = r.TokensPerSec / chips
	devs := float64(p.devices())
	r.MFU = r.TokensPerSec * p.modelFLOPs / (devs * p.peak)
	hw := p.execFLOPs
	switch pl.Recompute {
	case parallel.RecomputeFull:
		hw = p.fullFLOPs
	case parallel.RecomputeSelective:
		if p.prof.SelectiveOpSAC.Value >= 0.5 {
			hw += p.sacFLOPs
		} else {
			hw += p.attnFLOPs
		}
	case parallel.RecomputeMoE:
		hw += p.moeFLOPs
	}
	r.HFU = r.TokensPerSec * hw / (devs * p.peak)
	if p.job.Tokens > 0 {
		secs := p.job.Tokens / r.TokensPerSec
		r.BudgetTime = units.Seconds(secs).InDays()
		r.ChipTime = units.Seconds(secs * chips).InHours()
	}
	return r
}

// stageLayers is the layers on the fullest stage as the split gives them
// (parallel.Plan.FullestStage): the largest stated stage_layers, else
// ⌈L/PP⌉, whatever VPP is. The one count for a full stage's compute, its
// memory, its gradient and weight traffic, its optimizer step and its
// weight casts. Until 7 Dec 2026 it was VPP·⌈L/(PP·VPP)⌉, a stage of VPP
// chunks each as large as the largest: 38 layers for 80 at PP 4 × VPP 19,
// whose stages hold 20, so the data-parallel sync and the optimizer were
// charged for layers that do not exist (TestVPPRemainderAddsNoLayers).
func stageLayers(layers int, pl parallel.Plan) float64 {
	return float64(pl.FullestStage(layers))
}

// bubbleStages is the pipeline bubble in micro-batch times: 1F1B's
// (PP−1)/VPP (Narayanan et al. 2021 §2.2), or DualPipe's (DeepSeek-V3
// report Table 2) (PP/2 − 1)·(F&B + B − 3W) with the overlapped chunk pair
// F&B = F + B, B = 2F and the weight-gradient part W = B/2, which is
// (PP/2 − 1)·2F = (PP/2 − 1)·⅔·(F + B).
func (p *prep) bubbleStages(pl parallel.Plan) float64 {
	if p.prof.DualPipe.Value >= 0.5 && pl.PP > 1 {
		return max(float64(pl.PP)/2-1, 0) * 2 / 3
	}
	return float64(pl.PP-1) / float64(pl.VPP)
}

// selectivePolicy names what the stack's selective recompute runs again.
func (p *prep) selectivePolicy() string {
	switch {
	case p.prof.SelectiveOpSAC.Value >= 0.5:
		if p.m.MoE != nil {
			return "every second linear module, the routed experts and the element-wise ops (torchtitan's op-level checkpointing)"
		}
		return "every second linear module and the element-wise ops (torchtitan's op-level checkpointing)"
	case p.prof.SelectiveDots.Value >= 0.5:
		return "the attention core and the element-wise ops, every weight GEMM's output kept (MaxText's minimal remat policy)"
	case p.prof.SelectiveMLPAct.Value >= 0.5:
		return "the attention core and the MLP activation"
	}
	return "the attention core"
}
