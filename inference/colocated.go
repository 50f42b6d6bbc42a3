package inference

import (
	"math"

	"chipgap/units"
)

// A steady colocated step.
//
// Under continuous batching with chunked prefill, B sequences decode and,
// as they finish (B·tps/out a step), their replacements' prompts are
// prefilled in the same steps. On average a step carries n = B·tps/out
// prompts' worth of prompt tokens, but an engine does not spread a prompt
// over every step: it runs each prompt in pieces of what its per-pass
// budget leaves beside the decode tokens (chunk), k = ⌈in/chunk⌉ steps a
// prompt, so λ = n·k pieces are in progress in an average step, and a
// step carries a whole number of them. A step's time is not linear in its
// prompt tokens: a decode-only step reads the weights and the KV cache
// while the compute units wait, a step with a piece computes it beside the
// same reads (and launches its layers eagerly where the engine captures
// only decode-only steps). So the mean step is the mean over the kinds of
// step, not the step of the mean load, which hid every prompt under the
// decode steps' reads and over-predicted the curve where λ is small:
// Llama 3.1 8B in FP8 on one H100 at 1024/1024 and 64 sequences reads
// 8.45 ms a step, not 7.76 ms; the request-by-request simulation of
// package serve, the same step model, reads 8.63 ms
// (TestColocatedCurveMatchesSimulation).
//
// How many pieces a step carries: requests finish at random (lengths
// vary, arrivals are not timed to completions), so the pieces starting in
// a step are a Poisson count, as adp.go takes the prompts landing on each
// attention group: no piece with probability e^−λ, else on average
// λ/(1 − e^−λ), spread over the two whole numbers around that mean in the
// shares that keep it (the step's time is close to linear in whole pieces
// once it carries one). A uniform workload (Workload.Uniform: lengths
// fixed, all queued at once) refills in lockstep: its steps carry the
// whole numbers around λ itself, and under attention DP a whole round of
// groups at a time. Under attention DP each kind of step waits for its
// busiest group (adp.go), which with j pieces holds at least ⌈j/adp⌉.
//
// The TTFT: a prompt arriving at a random time first waits for the step
// in flight, on average its residual E[T²]/(2·E[T]) over the kinds of
// step, then runs its k pieces, one a step, each step also carrying the
// other prompts' pieces (their Poisson count, at most what the budget
// leaves). The prompt alone beside the decode batch, the TTFT before, came
// out shorter than the step it runs in at large batches
// (TestColocatedTTFTMatchesSimulation).

// colocated is a steady colocated batch: its mean load ld (the prompt
// sums preTokens, prePairs, preCtx and chunks are per-step averages of
// prompts of in tokens), what colocated.go derives from it, and the steps
// timed so far by their number of prompt pieces (at most six a point:
// the mean step's three kinds and the TTFT's, which share some).
type colocated struct {
	l       *layout
	ld, per load    // the mean load; one average prompt piece's sums
	in, g   float64 // prompt tokens; attention groups
	k       float64 // steps a prompt is in progress
	lambda  float64 // pieces in progress per step
	jmax    float64 // pieces a step's budget admits
	uniform bool
	timed   [6]struct {
		ld load
		r  StepResult
	}
	n int
}

// share is a kind of step: its share of the steps and which timed step.
type share struct {
	w float64
	i int
}

func (l *layout) newColocated(ld load, in float64, uniform bool) (c colocated) {
	c = colocated{l: l, ld: ld, in: in, g: float64(l.adp), uniform: uniform}
	dec := ld.decSeqs * (1 + float64(l.d.Speculative.Tokens)) / c.g // decode tokens per group
	u := l.chunk(in, dec)                                           // a piece
	c.k = math.Ceil(in / u)
	c.lambda = ld.preTokens / in * c.k
	c.jmax = math.Inf(1)
	if mt := float64(l.d.Profile.MaxTokens); mt > 0 {
		// Chunking fills what a whole piece leaves with part of the next.
		c.jmax = math.Max((mt-dec)/u, 1) * c.g
	}
	c.per = ld
	c.per.preTokens, c.per.prePairs, c.per.preCtx = ld.preTokens/c.lambda, ld.prePairs/c.lambda, ld.preCtx/c.lambda
	return c
}

// step is the step carrying j average pieces beside the decode batch,
// each group waiting for its busiest (unless uniform), timed once.
func (c *colocated) step(j float64) int {
	for i := range c.n {
		if c.timed[i].ld.chunks == j {
			return i
		}
	}
	ld := c.ld
	ld.preTokens, ld.prePairs, ld.preCtx, ld.chunks = c.per.preTokens*j, c.per.prePairs*j, c.per.preCtx*j, j
	ld.adpPre = 0
	if !c.uniform && j > 0 {
		ld.adpPre = math.Max(c.l.adpSkew(ld, c.in), math.Ceil(j/c.g)*c.g/j)
	}
	i := min(c.n, len(c.timed)-1) // six at most (the mean step's three kinds, the TTFT's three); never past the array
	c.timed[i].ld, c.timed[i].r = ld, c.l.step(ld)
	c.n = i + 1
	return i
}

// kinds are the kinds of step (colocated.go), at most three; with mine,
// the steps that carry a piece of one given prompt (its TTFT): that piece,
// and the Poisson count of the other prompts' pieces (a uniform
// workload's round of groups).
func (c *colocated) kinds(mine bool) (ks [3]share, n int) {
	add := func(j, w float64) {
		ks[n] = share{w, c.step(j)}
		n++
	}
	// around adds the steps carrying the whole numbers of pieces (in
	// rounds of unit) around a mean of m, plus base, in shares w.
	around := func(m, unit, base, w float64) {
		j0 := math.Floor(m/unit+1e-9) * unit
		th := math.Max((m-j0)/unit, 0)
		if th < 1e-9 {
			add(base+j0, w)
			return
		}
		add(base+j0, w*(1-th))
		add(base+j0+unit, w*th)
	}
	switch {
	case c.uniform && mine:
		// A prompt's piece comes in a round of groups.
		around(math.Max(c.lambda, c.g), c.g, 0, 1)
	case c.uniform:
		around(c.lambda, c.g, 0, 1)
	default:
		// Pieces over the budget wait for the next step: a step carries
		// at most jmax (with mine, jmax − 1 others), and is busy in the
		// share that keeps λ; where even full steps cannot keep λ (the
		// batch outruns the budget), the mean step still carries λ.
		base := 0.0
		if mine {
			base = 1
		}
		room := c.jmax - base
		p0 := math.Exp(-c.lambda)
		m := c.lambda / (1 - p0)
		if m > room {
			m, p0 = math.Max(room, 0), 0
			switch {
			case c.lambda < room:
				p0 = 1 - c.lambda/room
			case !mine:
				m = c.lambda
			}
		}
		if p0 > 1e-9 && (base > 0 || p0 < 1) {
			add(base, p0)
		}
		if p0 < 1 {
			around(m, 1, base, 1-p0)
		}
	}
	return ks, n
}

// mean is the mean steady colocated step: the mean over its kinds, and
// the mean residual of a step in flight, E[T²]/(2·E[T]), which a prompt
// arriving at a random time waits for.
func (c *colocated) mean() (StepResult, units.Seconds) {
	ks, n := c.kinds(false)
	first := c.timed[ks[0].i].r
	r, w := first, ks[0].w
	sq := w * float64(first.Time) * float64(first.Time)
	for _, s := range ks[1:n] {
		t := c.timed[s.i].r
		r = mixSteps(r, w/(w+s.w), t, s.w/(w+s.w))
		w += s.w
		sq += s.w * float64(t.Time) * float64(t.Time)
	}
	if r.ADPBalance > 0 || r.ADPWait > 0 {
		// Mean tokens over the busiest group's mean, over the kinds.
		d := c.ld.decSeqs * (1 + float64(c.l.d.Speculative.Tokens))
		var busy float64
		for _, s := range ks[:n] {
			ld := c.timed[s.i].ld
			busy += s.w * ld.preTokens * math.Max(ld.adpPre, 1)
		}
		r.ADPBalance = (d + c.ld.preTokens) / (d + busy)
	}
	return r, units.Seconds(sq / w / (2 * float64(r.Time)))
}

// ttft is a prompt's time to its first token: the residual of the step
// in flight when it arrives, then its k pieces, one a step, each step
// also carrying the other prompts' pieces.
func (c *colocated) ttft(residual units.Seconds) units.Seconds {
	ks, n := c.kinds(true)
	var t, w float64
	for _, s := range ks[:n] {
		t += s.w * float64(c.timed[s.i].r.Time)
		w += s.w
	}
	return residual + units.Seconds(c.k*t/w)
}

// mixSteps is the mean of steps a and b run in shares wa and wb (summing
// to 1): times, work, host time and the rows an expert's GEMM gets
// averaged; what describes one step (the MoE layer's imbalance,
// efficiencies and kernels, the passes) taken from the one that takes
// more of the time; bound from the mean parts, host where
// a host-bound step's overhead is the largest part.
func mixSteps(a StepResult, wa float64, b StepResult, wb float64) StepResult {
	r := a
	if wb*float64(b.Time) > wa*float64(a.Time) {
		r = b
	}
	r.Time, r.Compute, r.Memory = mean(wa, a.Time, wb, b.Time), mean(wa, a.Compute, wb, b.Compute), mean(wa, a.Memory, wb, b.Memory)
	r.Comm, r.Overhead = mean(wa, a.Comm, wb, b.Comm), mean(wa, a.Overhead, wb, b.Overhead)
	r.Host, r.Eager, r.Draft = mean(wa, a.Host, wb, b.Host), mean(wa, a.Eager, wb, b.Eager), mean(wa, a.Draft, wb, b.Draft)
	r.ADPWait = mean(wa, a.ADPWait, wb, b.ADPWait)
	r.FLOPs, r.Bytes = mean(wa, a.FLOPs, wb, b.FLOPs), mean(wa, a.Bytes, wb, b.Bytes)
	r.OutputTokens = mean(wa, a.OutputTokens, wb, b.OutputTokens)
	r.PrefillTokens = int(math.Round(mean(wa, float64(a.PrefillTokens), wb, float64(b.PrefillTokens))))
	m, ma, mb := &r.MoE, a.MoE, b.MoE
	m.Experts, m.ImbalanceTime, m.Fixed = mean(wa, ma.Experts, wb, mb.Experts), mean(wa, ma.ImbalanceTime, wb, mb.ImbalanceTime), mean(wa, ma.Fixed, wb, mb.Fixed)
	m.Dispatch, m.Combine, m.Hidden = mean(wa, ma.Dispatch, wb, mb.Dispatch), mean(wa, ma.Combine, wb, mb.Combine), mean(wa, ma.Hidden, wb, mb.Hidden)
	m.SMTax, m.Sync = mean(wa, ma.SMTax, wb, mb.SMTax), mean(wa, ma.Sync, wb, mb.Sync)
	if ma.RowsPerExpert > 0 && mb.RowsPerExpert > 0 {
		m.RowsPerExpert = mean(wa, ma.RowsPerExpert, wb, mb.RowsPerExpert)
	}
	host := a.Bound == "host" || b.Bound == "host"
	r.Bound = bound(r)
	if host && r.Bound == "overhead" {
		r.Bound = "host"
	}
	return r
}

// mean is wa·x + wb·y.
func mean[T ~float64](wa float64, x T, wb float64, y T) T {
	return T(wa*float64(x) + wb*float64(y))
}
