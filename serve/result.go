package serve

import (
	"fmt"
	"slices"
	"time"

	"chipgap/uncertain"
	"chipgap/units"
)

// Result is what a simulation measured. Latencies are in milliseconds,
// times in seconds, rates per second of simulated time.
type Result struct {
	Requests           int        `json:"requests"`
	RequestsCompleted  int        `json:"requests_completed"`
	RequestsRejected   int        `json:"requests_rejected"`
	RequestsUnfinished int        `json:"requests_unfinished"`
	Preemptions        int        `json:"preemptions"`
	Overload           *Overload  `json:"overload"`
	SimulatedSeconds   float64    `json:"simulated_s"`
	TTFT               Latency    `json:"ttft_ms"`
	TPOT               Latency    `json:"tpot_ms"`
	E2E                Latency    `json:"e2e_ms"`
	Throughput         Throughput `json:"throughput"`
	Goodput            Goodput    `json:"goodput"`
	// burst: every request arrived before the first one completed
	// (Capacity: such a probe measures no sustained rate).
	burst bool
	// BurstRate is, on an unbounded capacity's probe (Capacity), the
	// rate it ran at: a burst, every request arrived before the first
	// completed; 0 (left out of JSON) otherwise.
	BurstRate float64  `json:"burst_rate_per_s,omitempty"`
	Cost      Cost     `json:"cost"`
	KV        KVStats  `json:"kv"`
	Series    []Sample `json:"series"`
}

// Overload says why and when a run stopped early: the deployment could
// not keep up with the arrivals, so its queue would grow without bound.
type Overload struct {
	At     float64 `json:"at_s"`
	Reason string  `json:"reason"`
	// Waiting is the requests queued at the stop: for a replica of any
	// pool, or (disaggregated) for a prefill replica's KV link.
	Waiting int `json:"waiting"`
	// ServedRate is the requests completed per second over the run: with
	// Drained, through the drain of the admitted requests after the
	// arrivals stopped — the deployment's ceiling under saturation;
	// without, before the stop.
	ServedRate float64 `json:"served_rate_per_s"`
	// NotArrived is the requests that never arrived (the arrivals stop at
	// the overload); Drained says the admitted ones were then served.
	NotArrived int  `json:"not_arrived"`
	Drained    bool `json:"drained"`
}

// Latency summarises one latency over the completed requests.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Mean float64 `json:"mean"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
}

// Throughput is per second of simulated time, from the first arrival to
// the last completion.
type Throughput struct {
	RequestsPerS            float64 `json:"requests_per_s"`
	OutputTokensPerS        float64 `json:"output_tokens_per_s"`
	InputTokensPerS         float64 `json:"input_tokens_per_s"`
	OutputTokensPerSPerChip float64 `json:"output_tokens_per_s_per_chip"`
}

// Goodput counts the requests that met the SLO (DistServe's definition,
// Zhong et al. 2024): Attained is their share of completed requests;
// Meets says whether the SLO percentile of TTFT and TPOT is within bounds
// and the run was not overloaded.
type Goodput struct {
	TTFT         units.Millis `json:"slo_ttft_ms"`
	TPOT         units.Millis `json:"slo_tpot_ms"`
	Percentile   float64      `json:"slo_percentile"`
	Attained     float64      `json:"attained"`
	RequestsPerS float64      `json:"requests_per_s"`
	Meets        bool         `json:"meets_slo"`
}

// Cost is rental and energy over the simulated time.
type Cost struct {
	Chips               float64             `json:"chips"`
	USDPerHour          float64             `json:"usd_per_hour"`
	USD                 float64             `json:"usd"`
	Energy              units.KilowattHours `json:"energy_kwh"`
	USDPerMOutputTokens float64             `json:"usd_per_m_output_tokens"`
	USDPerMTokens       float64             `json:"usd_per_m_tokens"`
	KWhPerMOutputTokens float64             `json:"kwh_per_m_output_tokens"`
}

// KVStats is the paged KV cache's bookkeeping, and its use per pool
// (0–1) over the samples of the time series.
type KVStats struct {
	BlocksAllocated int64     `json:"blocks_allocated"`
	BlocksFreed     int64     `json:"blocks_freed"`
	PeakUtil        []float64 `json:"peak_util"`
	MeanUtil        []float64 `json:"mean_util"`
}

// Sample is the deployment's state at one instant: requests waiting,
// running and in KV transfer, and the KV cache use of each pool (0–1).
type Sample struct {
	T         float64   `json:"t_s"`
	Waiting   int       `json:"waiting"`
	Running   int       `json:"running"`
	InTransit int       `json:"in_transit"`
	KV        []float64 `json:"kv_util"`
}

// recorder keeps per-request latencies (float32 milliseconds: 12 bytes a
// request) and token counts.
type recorder struct {
	ttft, tpot, e2e []float32
	good            int
	outputTokens    int64
	inputTokens     int64
	end             time.Duration
}

func (r *recorder) init(n int) {
	r.ttft, r.tpot, r.e2e = make([]float32, 0, n), make([]float32, 0, n), make([]float32, 0, n)
}

func ms(d time.Duration) float32 { return float32(float64(d) / 1e6) }

// add records request q, done at now.
func (r *recorder) add(q *seq, now time.Duration, slo SLO) {
	ttft := q.first - q.arrival
	r.ttft = append(r.ttft, ms(ttft))
	r.e2e = append(r.e2e, ms(now-q.arrival))
	var tpot time.Duration
	if q.gen > 1 {
		tpot = (now - q.first) / time.Duration(q.gen-1)
		r.tpot = append(r.tpot, ms(tpot))
	}
	if slo.met(ttft, tpot) {
		r.good++
	}
	r.inputTokens += int64(q.prompt)
	r.end = now
}

// summarise sorts xs in place and returns its percentiles
// (uncertain.Percentile).
func summarise(xs []float32) Latency {
	n := len(xs)
	if n == 0 {
		return Latency{}
	}
	slices.Sort(xs)
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	q := func(p float64) float64 { return uncertain.Percentile(xs, p) }
	return Latency{P50: q(0.5), P90: q(0.9), P99: q(0.99), Mean: sum / float64(n), Max: float64(xs[n-1]), N: n}
}

// percentileOf is the p-quantile of a Latency already summarised, for
// the SLO check (P50, P90 or P99; other p interpolate between them).
func (l Latency) percentileOf(p float64) float64 {
	switch {
	case p <= 0.5:
		return l.P50
	case p <= 0.9:
		return l.P50 + (p-0.5)/0.4*(l.P90-l.P50)
	case p <= 0.99:
		return l.P90 + (p-0.9)/0.09*(l.P99-l.P90)
	}
	return l.P99 + (p-0.99)/0.01*(l.Max-l.P99)
}

// result assembles the Result once the run has ended.
func (s *runState) result(w Workload) *Result {
	end := s.rec.end
	if s.overload != nil && !s.overload.Drained {
		end = s.eng.Now()
	}
	secs := end.Seconds()
	res := &Result{
		Requests: s.total, RequestsCompleted: s.completed, RequestsRejected: s.rejected,
		RequestsUnfinished: s.total - s.completed - s.rejected, Preemptions: s.preemptions,
		Overload: s.overload, SimulatedSeconds: secs, Series: s.series.pts,
	}
	res.burst = s.completed > 0 && s.arrived == s.total && s.lastArrival < s.firstDone
	res.TTFT, res.TPOT, res.E2E = summarise(s.rec.ttft), summarise(s.rec.tpot), summarise(s.rec.e2e)
	if res.Overload != nil && secs > 0 {
		res.Overload.ServedRate = float64(s.completed) / secs
	}
	per := func(x float64) float64 {
		if secs <= 0 {
			return 0
		}
		return x / secs
	}
	chips := s.dep.Chips()
	res.Throughput = Throughput{
		RequestsPerS: per(float64(s.completed)), OutputTokensPerS: per(float64(s.rec.outputTokens)),
		InputTokensPerS: per(float64(s.rec.inputTokens)), OutputTokensPerSPerChip: per(float64(s.rec.outputTokens)) / chips,
	}
	res.Goodput = s.goodput(res, per)
	res.Cost = s.cost(end)
	res.KV = s.kvStats()
	return res
}

func (s *runState) goodput(res *Result, per func(float64) float64) Goodput {
	slo := s.opt.SLO
	g := Goodput{TTFT: units.Millis(float64(slo.TTFT) / 1e6), TPOT: units.Millis(float64(slo.TPOT) / 1e6), Percentile: slo.percentile(),
		RequestsPerS: per(float64(s.rec.good))}
	if s.completed > 0 {
		g.Attained = float64(s.rec.good) / float64(s.completed)
	}
	p := slo.percentile()
	g.Meets = res.Overload == nil && s.completed > 0 &&
		(slo.TTFT == 0 || res.TTFT.percentileOf(p) <= float64(g.TTFT)) &&
		(slo.TPOT == 0 || res.TPOT.N == 0 || res.TPOT.percentileOf(p) <= float64(g.TPOT))
	return g
}

// cost prices the chips for the simulated time and the energy they draw:
// busy power while a replica steps, idle power otherwise.
func (s *runState) cost(end time.Duration) Cost {
	c := Cost{Chips: s.dep.Chips()}
	var joules float64
	for i, p := range s.dep.Pools {
		c.USDPerHour += p.Chips() * float64(p.ChipRental)
		for _, r := range s.reps[i] {
			busy := min(r.busyTime, end).Seconds()
			idle := end.Seconds() - busy
			joules += p.ChipsPerReplica * (busy*float64(p.ChipBusy) + idle*float64(p.ChipIdle))
		}
	}
	c.USD = c.USDPerHour * end.Hours()
	c.Energy = units.Joules(joules).InKWh()
	if out := float64(s.rec.outputTokens); out > 0 {
		c.USDPerMOutputTokens = c.USD / out * 1e6
		c.KWhPerMOutputTokens = float64(c.Energy) / out * 1e6
	}
	if all := float64(s.rec.outputTokens + s.rec.inputTokens); all > 0 {
		c.USDPerMTokens = c.USD / all * 1e6
	}
	return c
}

func (s *runState) kvStats() KVStats {
	var k KVStats
	for _, reps := range s.reps {
		for _, r := range reps {
			k.BlocksAllocated += r.allocated
			k.BlocksFreed += r.freed
		}
	}
	k.PeakUtil, k.MeanUtil = make([]float64, len(s.reps)), make([]float64, len(s.reps))
	for _, p := range s.series.pts {
		for i, u := range p.KV {
			k.PeakUtil[i] = max(k.PeakUtil[i], u)
			k.MeanUtil[i] += u / float64(len(s.series.pts))
		}
	}
	return k
}

// check verifies the invariants at the end of a run: those that hold
// after every event (conserved), and a run that ended normally has every
// request arrived and none inside, a drained one none inside.
func (s *runState) check() error {
	inside, err := s.conserved()
	switch {
	case err != nil:
		return err
	case s.overload == nil && (s.arrived != s.total || inside != 0):
		return fmt.Errorf("%w: run ended with %d of %d arrived and %d inside", ErrInvariant, s.arrived, s.total, inside)
	case s.overload != nil && s.overload.Drained && inside != 0:
		return fmt.Errorf("%w: drained run ended with %d requests inside", ErrInvariant, inside)
	}
	return nil
}

// conserved verifies the invariants that hold between any two events,
// and returns the requests inside: every request arrived is completed,
// rejected or still inside; every KV block allocated is freed or held by
// a running sequence or a cache being sent; no queue is negative; the
// decode replicas count as bound (replica.bound, and their KV blocks,
// replica.boundBlocks) the caches in transit and the requests still on
// prefill replicas that are bound (bindDecode).
func (s *runState) conserved() (int, error) {
	inside := s.inTransit
	waiting, linkQueued := 0, 0
	bound, boundLeft := 0, s.inTransit // boundLeft: caches in transit, and requests bound on the prefill side
	blocks, blocksLeft := 0, s.transitBound
	decode := s.reps[len(s.reps)-1]
	for _, reps := range s.reps {
		for _, r := range reps {
			n, b := r.boundHere(decode)
			bound, boundLeft, blocks, blocksLeft = bound+r.bound, boundLeft+n, blocks+r.boundBlocks, blocksLeft+b
			linkQueued += len(r.linkQueue)
			held := r.heldBlocks()
			if r.free < 0 || r.free+held != r.cfg.KVBlocks || r.allocated-r.freed != int64(held) {
				return 0, fmt.Errorf("%w: pool %d replica %d: free %d + held %d ≠ %d blocks, or allocated %d − freed %d ≠ held",
					ErrInvariant, r.pool, r.idx, r.free, held, r.cfg.KVBlocks, r.allocated, r.freed)
			}
			if r.outstanding != r.waiting.len()+len(r.running) {
				return 0, fmt.Errorf("%w: replica %d counts %d outstanding, holds %d", ErrInvariant, r.idx, r.outstanding, r.waiting.len()+len(r.running))
			}
			inside += r.outstanding
			waiting += r.waiting.len()
		}
	}
	switch {
	case waiting != s.waiting || s.waiting < 0 || s.inTransit < 0:
		return 0, fmt.Errorf("%w: waiting counter %d, queues hold %d, in transit %d", ErrInvariant, s.waiting, waiting, s.inTransit)
	case bound != boundLeft || blocks != blocksLeft:
		return 0, fmt.Errorf("%w: decode replicas count %d requests bound and not landed (%d KV blocks), %d are (%d blocks)", ErrInvariant, bound, blocks, boundLeft, blocksLeft)
	case linkQueued != s.linkQueued || s.linkQueued > s.inTransit:
		return 0, fmt.Errorf("%w: %d KV caches counted waiting for a link, the links' queues hold %d, %d in transit", ErrInvariant, s.linkQueued, linkQueued, s.inTransit)
	case s.arrived != s.completed+s.rejected+inside:
		return 0, fmt.Errorf("%w: %d arrived ≠ %d completed + %d rejected + %d inside", ErrInvariant, s.arrived, s.completed, s.rejected, inside)
	}
	return inside, nil
}
