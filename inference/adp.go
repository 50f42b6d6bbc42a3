package inference

import (
	"math"
	"slices"
)

// Attention data parallelism under continuous batching.
//
// With attention DP, each attention group (a rank) batches its own
// requests, and every MoE layer waits for all groups: a step's attention
// side (projections, attention kernels, dense and shared MLPs) takes as
// long as the busiest group's. Decode load is even across groups (each
// holds the same number of sequences), but prompts are not: a request
// finishing on a group is replaced by a new prompt on that group, so in a
// given step some groups prefill one or more prompts while others only
// decode. TensorRT-LLM's ADP Balance post (tech blog 10) measures this:
// DeepSeek-V3 on 8 GB200, attention DP 8, an average balance ratio (mean
// over busiest group's tokens) of 54 % in the baseline scheduler; the
// routed experts see the sum of all groups' tokens and are not skewed by
// it.
//
// chipgap takes prompt arrivals per group as independent Poisson counts
// (each of the group's sequences finishes with probability
// tokens-per-step/output per step), each prompt processed in chunks of
// what the engine's per-pass budget leaves (a prompt of I tokens in chunks
// of u is in progress for I/u steps), and the busiest group's count as the
// expected maximum of the groups' counts, at most what the pass budget
// admits. The colocated curve applies it to each kind of step it averages
// (colocated.go): a step carrying j pieces, j/groups a group on average,
// whose busiest group also holds at least ⌈j/groups⌉ of them.

// poissonMaxMean is E[min(max of d Poisson(λ) draws, limit)]: the sum over
// k of P(max > k) = 1 − F(k)^d, for k below limit (limit ≤ 0: none). A
// fractional limit L takes the share L − ⌊L⌋ of the next term: a budget of
// 7.5 pieces fills what 7 whole ones leave with half of the eighth (a
// prompt is chunked), and the expectation moves continuously with the
// budget instead of stepping at each whole piece.
func poissonMaxMean(lambda float64, d int, limit float64) float64 {
	if lambda <= 0 || d < 1 {
		return 0
	}
	if d == 1 {
		return lambda // no cap is reached on the mean of one group
	}
	natural := int(lambda+10*math.Sqrt(lambda)) + 30
	top, frac := natural, 0.0
	if limit > 0 && limit < float64(natural) {
		top = int(limit)
		frac = limit - float64(top)
	}
	// Below λ − 10√λ the CDF is under 1e-20: each such k adds 1 to the
	// sum, so the loop starts there (about 20√λ + 30 terms at any λ).
	k0 := min(max(int(lambda-10*math.Sqrt(lambda)), 0), top)
	sum, f := float64(k0), 0.0
	// P(K = k0) in logs, so a large λ does not underflow; then
	// P(K = k) = P(K = k−1)·λ/k.
	lg, _ := math.Lgamma(float64(k0 + 1))
	pk := math.Exp(float64(k0)*math.Log(lambda) - lambda - lg)
	for k := k0; k <= top; k++ {
		if k > k0 {
			pk *= lambda / float64(k)
		}
		f += pk
		tail := 1 - powInt(math.Min(f, 1), d)
		if k == top {
			sum += frac * tail // the cap's fractional piece (0 uncapped)
			break
		}
		sum += tail
		if tail < 1e-12 {
			break
		}
	}
	return sum
}

// powInt is x^n for n ≥ 0 by repeated squaring (math.Pow's general path
// is several times slower, and poissonMaxMean calls it in its inner loop).
func powInt(x float64, n int) float64 {
	r := 1.0
	for ; n > 0; n >>= 1 {
		if n&1 == 1 {
			r *= x
		}
		x *= x
	}
	return r
}

// adpSkew is the busiest attention group's prompt load over the mean (≥ 1)
// in a steady colocated step of ld: 1 without attention DP or prompts.
func (l *layout) adpSkew(ld load, in float64) float64 {
	if l.adp <= 1 || ld.preTokens <= 0 || in <= 0 {
		return 1
	}
	adp := float64(l.adp)
	dec := ld.decSeqs * (1 + float64(l.d.Speculative.Tokens)) / adp
	u := l.chunk(in, dec)
	lambda := ld.preTokens / adp / u // chunks in progress per group
	limit := 0.0
	if mt := float64(l.d.Profile.MaxTokens); mt > 0 {
		// What the budget leaves beside the decode tokens, in pieces,
		// chunking included (as newColocated's jmax).
		limit = math.Max((mt-dec)/u, 1)
	}
	return math.Max(poissonMaxMean(lambda, l.adp, limit)/lambda, 1)
}

// chunk is the prompt tokens one request contributes to a step: the whole
// prompt of in tokens, or what the engine's per-pass budget (MaxTokens)
// leaves beside dec decode tokens per attention group, at most ChunkTokens
// and at least a KV block.
func (l *layout) chunk(in, dec float64) float64 {
	p := l.d.Profile
	c := in
	if mt := float64(p.MaxTokens); mt > 0 {
		c = math.Min(in, math.Max(mt-dec, float64(p.BlockTokens)))
	}
	if ct := float64(p.ChunkTokens); ct > 0 {
		c = math.Min(c, ct)
	}
	return math.Max(c, 1)
}

// groupSkew is the busiest attention group's prompt tokens over the mean
// for chunks that name their group (≥ 1; 1 without attention DP).
func (l *layout) groupSkew(chunks []Chunk) float64 {
	if l.adp <= 1 || len(chunks) == 0 {
		return 1
	}
	per := make([]float64, l.adp)
	var total float64
	for _, c := range chunks {
		g := c.Group % l.adp
		if g < 0 {
			g += l.adp
		}
		per[g] += float64(c.Tokens)
		total += float64(c.Tokens)
	}
	if total == 0 {
		return 1
	}
	return math.Max(slices.Max(per)*float64(l.adp)/total, 1)
}
