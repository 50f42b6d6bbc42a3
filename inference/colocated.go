package inference

import "math"

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
// 8.45 ms a step, not 7.76 ms, as the request-by-request simulation of
// package serve does (TestColocatedCurveMatchesSimulation).
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

// colocatedStep is the mean steady colocated step of ld, whose prompt
// sums (preTokens, prePairs, preCtx, chunks) are the per-step averages of
// prompts of in tokens: the mean over the kinds of step that carry whole
// prompt pieces (colocated.go).
func (l *layout) colocatedStep(ld load, in float64, uniform bool) StepResult {
	if ld.preTokens <= 0 {
		return l.step(ld)
	}
	spec := 1 + float64(l.d.Speculative.Tokens)
	g := float64(l.adp)
	dec := ld.decSeqs * spec / g    // decode tokens per group
	u := l.chunk(in, dec)           // a piece
	k := math.Ceil(in / u)          // steps a prompt is in progress
	lambda := ld.preTokens / in * k // pieces in progress per step
	jmax := math.Inf(1)             // pieces a step's budget admits
	if mt := float64(l.d.Profile.MaxTokens); mt > 0 {
		jmax = math.Max(math.Floor((mt-dec)/u), 1) * g
	}
	type kind struct {
		w  float64
		ld load
		r  StepResult
	}
	step := func(j, w float64) kind {
		c := ld
		f := j / lambda
		c.preTokens, c.prePairs, c.preCtx, c.chunks = ld.preTokens*f, ld.prePairs*f, ld.preCtx*f, j
		c.adpPre = 0
		if !uniform && j > 0 {
			c.adpPre = math.Max(l.adpSkew(c, in), math.Ceil(j/g)*g/j)
		}
		return kind{w, c, l.step(c)}
	}
	// around adds the steps carrying the whole numbers of pieces (in
	// rounds of unit) around a mean of m, in shares w.
	var kinds []kind
	around := func(m, unit, w float64) {
		j0 := math.Floor(m/unit+1e-9) * unit
		th := math.Max((m-j0)/unit, 0)
		if th < 1e-9 {
			kinds = append(kinds, step(j0, w))
			return
		}
		kinds = append(kinds, step(j0, w*(1-th)), step(j0+unit, w*th))
	}
	if uniform {
		around(lambda, g, 1)
	} else {
		// Pieces over the budget wait for the next step: a step carries
		// at most jmax, and is busy in the share that keeps λ.
		p0, m := math.Exp(-lambda), jmax
		if m1 := lambda / (1 - p0); m1 < jmax {
			m = m1
		} else {
			p0 = math.Max(1-lambda/jmax, 0)
		}
		if p0 > 1e-9 {
			kinds = append(kinds, step(0, p0))
		}
		around(m, 1, 1-p0)
	}
	r := kinds[0].r
	w := kinds[0].w
	for _, c := range kinds[1:] {
		r = mixSteps(r, w/(w+c.w), c.r, c.w/(w+c.w))
		w += c.w
	}
	if r.ADPBalance > 0 || r.ADPWait > 0 {
		// Mean tokens over the busiest group's mean, over the kinds.
		d := ld.decSeqs * spec
		var busy float64
		for _, c := range kinds {
			busy += c.w * c.ld.preTokens * math.Max(c.ld.adpPre, 1)
		}
		r.ADPBalance = (d + ld.preTokens) / (d + busy)
	}
	return r
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
