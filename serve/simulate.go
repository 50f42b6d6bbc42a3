package serve

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"chipgap/sim"
	"chipgap/units"
)

// Options bound and observe one simulation.
type Options struct {
	SLO SLO
	// MaxQueue is the number of waiting requests (whole deployment: for
	// a replica of any pool, or for a prefill replica's KV link) past
	// which the run stops as overloaded; default 20 × the running-sequence
	// limit of the deployment, between 2000 and 1 000 000. Requests that
	// all arrive at time 0 are an offline batch, never overload.
	MaxQueue int
	// MaxWait is the longest a request may wait before the run stops as
	// overloaded, checked while requests still arrive (once they stop the
	// queue only drains); default 10 minutes.
	MaxWait time.Duration
	// Samples is the number of points of the queue and KV time series
	// (default 200; the interval doubles if the run outlasts it).
	Samples int
	// Progress, when set, is called as requests complete (about every
	// 1 %); returning false cancels the run (Simulate returns ErrCancelled).
	Progress func(completed, total int) bool
	// Stop, when set, is asked before the run and every pollEvents events
	// however the requests complete (all of them may finish together at
	// the end); its error ends the run, and Simulate returns it. Asking
	// changes nothing else: a run Stop does not end is the same.
	Stop func() error
	// Drain, after an overload, stops the arrivals and serves the requests
	// already admitted (at most MaxQueue waiting, the overload bound)
	// instead of stopping at once, so the throughput is the deployment's
	// ceiling under saturation, not the arrival window's. Capacity
	// searches leave it off: they only need the verdict.
	Drain bool
}

// midpoint is the state at the middle arrival, for trend.
type midpoint struct {
	at               time.Duration
	waiting, arrived int
}

// ErrCancelled is returned when Options.Progress stops a run.
var ErrCancelled = errors.New("serve: simulation cancelled")

// runState is one simulation in progress.
type runState struct {
	eng  *sim.Engine
	dep  Deployment
	opt  Options
	reps [][]*replica
	rr   []int
	src  *source
	next Request
	spec *rand.Rand
	// prefilled: requests arrive decode-ready (Workload.Prefilled)
	prefilled bool

	total, arrived, rejected, completed int
	waiting, inTransit, preemptions     int
	linkQueued                          int           // KV caches waiting for their link (in inTransit too)
	transitBound                        int           // the decode KV blocks bound to the caches in transit (replica.boundBlocks)
	linkOffered                         units.Seconds // link time the arrived requests' KV caches need (linkLoad)
	linkRequests                        int           // the arrived requests that will cross the link
	order                               int32
	rec                                 recorder
	series                              series
	overload                            *Overload
	cancelled, stalled                  bool
	stopped                             error // Options.Stop's, ending the run
	mid                                 midpoint
	progressEvery, reported             int
	lastArrival, firstDone              time.Duration // the last request's arrival, the first completion's time
	arriveFn                            func()
}

// Simulate runs workload w on deployment d and returns the latencies,
// throughput, goodput, cost, energy and time series. A rate d cannot
// sustain stops early with Result.Overload set. Same inputs, same result.
func Simulate(d Deployment, w Workload, opt Options) (*Result, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := opt.SLO.validate(); err != nil {
		return nil, err
	}
	s := newRun(d, w, opt)
	if err := s.watch(); err != nil {
		return nil, err
	}
	if r, ok := s.src.pull(); ok {
		s.next = r
		s.eng.Schedule(r.Arrival, prioArrive, s.arriveFn)
	}
	s.eng.Schedule(0, prioSample, s.sample)
	s.eng.Run()
	if s.stopped != nil {
		return nil, s.stopped
	}
	if s.cancelled {
		return nil, ErrCancelled
	}
	for i, p := range d.Pools {
		if e, ok := p.Step.(interface{ Err() error }); ok && e.Err() != nil {
			return nil, fmt.Errorf("deployment.pools[%d]: %w", i, e.Err())
		}
	}
	if s.stalled {
		return nil, fmt.Errorf("%w: no event pending with %d of %d requests unfinished", ErrInvariant, s.total-s.completed-s.rejected, s.total)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.result(w), nil
}

func newRun(d Deployment, w Workload, opt Options) *runState {
	s := &runState{eng: sim.New(), dep: d, opt: opt, src: newSource(w), prefilled: w.Prefilled}
	s.spec = sim.NewStream(w.Seed, "serve/speculative")
	s.total = s.src.total()
	s.progressEvery = max(1, s.total/100)
	s.reported = -1
	maxSeqs := 0
	s.reps = make([][]*replica, len(d.Pools))
	for i, p := range d.Pools {
		for j := range p.Replicas {
			s.reps[i] = append(s.reps[i], newReplica(s, i, j, p))
		}
		maxSeqs += p.Replicas * p.Engine.MaxSeqs
	}
	s.rr = make([]int, len(d.Pools))
	if s.opt.MaxQueue <= 0 {
		s.opt.MaxQueue = min(max(2000, 20*maxSeqs), 1_000_000)
	}
	if s.opt.MaxWait <= 0 {
		s.opt.MaxWait = 10 * time.Minute
	}
	if s.opt.Samples <= 0 {
		s.opt.Samples = 200
	}
	s.opt.Samples = min(s.opt.Samples, 10_000)
	s.series.interval = max(time.Millisecond, expectedSpan(w)/time.Duration(s.opt.Samples))
	s.series.limit = 2 * s.opt.Samples
	s.rec.init(min(s.total, 1<<20))
	s.arriveFn = s.arrive
	return s
}

// expectedSpan is how long the arrivals last: none for an offline
// batch, whose Rate is not used (the series starts at its shortest
// interval and doubles it as the run goes on).
func expectedSpan(w Workload) time.Duration {
	switch w.Process {
	case Trace:
		return time.Duration(float64(w.Trace[len(w.Trace)-1].Arrival) * newSource(w).scale)
	case Offline:
		return 0
	}
	return time.Duration(float64(w.Requests) / w.Rate * 1e9)
}

// arrive admits the request in s.next and schedules the following one.
// After an overload the arrivals have stopped: the one already scheduled
// when a sample declared it does not arrive (Overload.NotArrived counts
// it).
func (s *runState) arrive() {
	if s.overload != nil {
		return
	}
	req := s.next
	s.arrived++
	s.lastArrival = req.Arrival
	q := seq{arrival: req.Arrival, first: -1, order: s.order, prompt: int32(req.Prompt),
		output: int32(req.Output), target: int32(req.Prompt), dec: -1}
	s.order++
	pool := 0
	if s.prefilled {
		q.computed, q.gen = q.prompt, 1 // first: when its first decode step starts
		pool = len(s.reps) - 1
	}
	switch {
	case !s.fits(&q):
		s.rejected++
	case q.gen >= q.output:
		s.finish(&q, req.Arrival)
	default:
		s.offerLink(&q)
		if s.dep.DecodeBinding != BindAtPrefill {
			s.bindDecode(&q)
		}
		s.route(pool, &q).enqueue(q)
		if n := s.queued(); n > s.opt.MaxQueue && req.Arrival > 0 {
			s.overloaded(fmt.Sprintf("%s waiting, more than the %d allowed", s.queueText(n), s.opt.MaxQueue))
			return
		}
	}
	s.trend(req.Arrival)
	if r, ok := s.src.pull(); ok && s.overload == nil {
		s.next = r
		s.eng.Schedule(r.Arrival, prioArrive, s.arriveFn)
	}
	s.progress()
}

// trend detects a queue that grows with the arrivals: at the last arrival,
// if the waiting queue (queued: the KV link's included) has grown since the middle one by more than 5 % of
// the requests that arrived in between, and by at least 50 (at least 100
// arrivals, over a positive span: an offline batch is not overload),
// arrivals outpace service and the run stops as overloaded.
func (s *runState) trend(at time.Duration) {
	switch s.arrived {
	case s.total / 2:
		s.mid = midpoint{at: at, waiting: s.queued(), arrived: s.arrived}
	case s.total:
		n := s.arrived - s.mid.arrived
		grew := s.queued() - s.mid.waiting
		if n >= 100 && at > s.mid.at && 20*grew > n && grew >= 50 {
			s.overloaded(fmt.Sprintf("the waiting queue grew by %d requests, to %s, while %d arrived (second half of the arrivals): arrivals outpace service", grew, s.queueText(s.queued()), n))
		}
		s.linkBound()
	}
}

// crossesLink reports whether q's KV cache will cross a prefill→decode
// link: a disaggregated request that arrives to be prefilled and decodes
// after its prefill (more than one output token). A one-token output ends
// at its prefill, whose sampled token is its only one (replica.advance
// finishes it there); a prefilled workload's requests start on the decode
// replicas. The one rule for the link's load (offerLink), the decode
// binding (bindDecode) and the handoff itself (replica.advance).
func (s *runState) crossesLink(q *seq) bool {
	return s.dep.Disaggregated() && !s.prefilled && q.output > 1
}

// offerLink counts the link time q's KV cache will need, if it is to
// cross a prefill→decode link (crossesLink).
func (s *runState) offerLink(q *seq) {
	if !s.crossesLink(q) {
		return
	}
	s.linkOffered += s.sendTime(q.prompt)
	s.linkRequests++
}

// linkLoad is the share of the prefill→decode links' time that the
// workload's rate needs in steady state: Rate × the mean send time per
// arrived request (bytes / Bandwidth for a KV cache that crosses a link,
// crossesLink; nothing for one that does not) over the prefill replicas,
// each with its own link. 0 where no rate applies (a trace or an offline
// batch) or no cache crosses a link.
func (s *runState) linkLoad() float64 {
	w := s.src.w
	if s.linkRequests == 0 || (w.Process != Poisson && w.Process != Gamma && w.Process != Deterministic) {
		return 0
	}
	return w.Rate * s.linkMean() / float64(s.dep.Pools[0].Replicas)
}

// linkMean is the link time the arrived requests' KV caches need, per
// arrived request (linkLoad).
func (s *runState) linkMean() float64 {
	return float64(s.linkOffered) / float64(s.arrived)
}

// linkBound, at the last arrival, declares an overload where the rate
// needs more of the KV links' time than they have (linkLoad above 1):
// their queues grow without bound in steady state, however short the run
// or small its latencies. The queue trend alone let a rate 5 % over the
// links' ceiling pass (it allows a 5 % growth); TTFT, which ends when the
// decode replica takes the request in (handoff), sees the link's queue,
// but TPOT, the decode steps alone, does not: a TPOT-only capacity search
// passed 2.6 % over two 1 GB/s links' ceiling without this bound.
func (s *runState) linkBound() {
	if l := s.linkLoad(); l > 1 {
		links := fmt.Sprintf("%d links", s.dep.Pools[0].Replicas)
		if s.dep.Pools[0].Replicas == 1 {
			links = "its one link"
		}
		s.overloaded(fmt.Sprintf("the KV caches need %.1f %% of the prefill→decode KV links' time (%.4g requests/s × %.4g s of sending per request, over %s): the links cannot carry the rate in steady state",
			100*l, s.src.w.Rate, s.linkMean(), links))
	}
}

// fits reports whether a request's whole context can ever be held by a
// replica of every pool it visits; one that cannot is rejected.
func (s *runState) fits(q *seq) bool {
	for _, p := range s.dep.Pools {
		e := p.Engine
		need := int(q.prompt) + int(q.output) + e.SpecTokens
		if (need+e.BlockTokens-1)/e.BlockTokens > e.KVBlocks {
			return false
		}
	}
	return true
}

// route picks the replica of pool p that takes q: in turn (round robin),
// the least load (replica.load: waiting, running and, on a prefill
// replica, waiting for its KV link; on a decode replica, bound to it and
// not yet landed), or the lowest KV use counting what its queue will
// need (a prefill replica's blocks include the caches it still sends, a
// decode replica's those bound to it), ties by load.
func (s *runState) route(p int, q *seq) *replica {
	reps := s.reps[p]
	switch s.dep.Router {
	case RoundRobin:
		r := reps[s.rr[p]]
		s.rr[p] = (s.rr[p] + 1) % len(reps)
		return r
	case KVAware:
		best, load := reps[0], math.Inf(1)
		for _, r := range reps {
			used := r.cfg.KVBlocks - r.free + r.waiting.blocks + r.boundBlocks
			l := float64(used)/float64(r.cfg.KVBlocks) + 1e-9*float64(r.load())
			if l < load {
				best, load = r, l
			}
		}
		return best
	}
	best := reps[0]
	for _, r := range reps[1:] {
		if r.load() < best.load() {
			best = r
		}
	}
	return best
}

// bindDecode binds a disaggregated request that will decode (more than
// one output token: a one-token output ends at the prefill) to the
// decode replica the router picks now, by its cost rule over the decode
// replicas' state, counting the requests already bound to each and not
// yet landed (so requests arriving together spread): at its arrival
// (BindAtArrival, as SGLang's PD router and vLLM's proxy) or when its
// prefill completes (BindAtPrefill, Dynamo's PrefillRouter). Its KV
// cache then crosses to that replica, whatever the decode loads when it
// lands: picking the replica at landing balanced the decode pool with
// what no router knew when it chose.
func (s *runState) bindDecode(q *seq) {
	if !s.crossesLink(q) || q.dec >= 0 {
		return
	}
	r := s.route(1, q)
	q.dec = int32(r.idx)
	r.bound++
	r.boundBlocks += r.blocksFor(q.prompt + 1)
}

// handoff sends a prefilled sequence's KV cache from prefill replica r
// to the decode replica bound to it (bindDecode) over r's link. The link
// sends one cache at a time, each for bytes/Bandwidth; a cache lands
// Latency after its last byte left, so latency delays each transfer
// without holding the link (transfers pipeline). A cache the link is still busy for queues for
// it, and counts toward overload as a waiting request does (queued).
// The prefill replica holds the cache's KV blocks until it has landed
// (the decode side has it: vLLM's NIXL connector, for one, frees the
// prefill's blocks when the decode side reports its read done), so
// transfers in flight hold back the prefill pool's admissions.
//
// The first token the prefill sampled travels with the cache and reaches
// the client only when a decode replica admits the request (replica.admit
// sets first again): SGLang's PD router returns the decode server's
// stream, and its decode scheduler streams the transferred token
// (process_prebuilt_extend, process_batch_result_prebuilt, with no
// forward pass) when it takes the landed request into its running batch
// (python/sglang/srt/disaggregation/decode.py,
// get_next_disagg_decode_batch_to_run). So TTFT holds the link's queue,
// the transfer and the wait for a decode replica's next step.
func (s *runState) handoff(r *replica, q seq, now time.Duration) {
	s.bindDecode(&q)
	q.first = -1 // not yet streamed: the decode replica streams it (admit)
	send := s.sendTime(q.computed)
	start := max(now, r.linkFree)
	r.linkFree = start + time.Duration(math.Round(float64(send)*1e9))
	done := start + time.Duration(math.Round(float64(s.dep.Link.Latency+send)*1e9))
	if start > now {
		r.linkQueue = append(r.linkQueue, q.arrival)
		s.linkQueued++
		s.eng.Schedule(start, prioArrive, r.linkStart)
	}
	blocks := int(q.blocks) // held here until the cache lands
	r.sending += blocks
	q.blocks = 0
	d := s.reps[1][q.dec]
	need := d.blocksFor(q.prompt + 1) // bound there (bindDecode)
	s.inTransit++
	s.transitBound += need
	s.eng.Schedule(done, prioArrive, func() {
		s.inTransit--
		s.transitBound -= need
		r.landed(blocks)
		d.bound--
		d.boundBlocks -= need
		d.enqueue(q)
	})
}

// sendTime is how long a prefill replica's link sends the KV cache of a
// sequence of n tokens: its bytes over the link's bandwidth.
func (s *runState) sendTime(n int32) units.Seconds {
	p := s.dep.Pools[0]
	bytes := p.Engine.kvTokens(float64(n)) * float64(p.KVBytesPerToken)
	return s.dep.Link.Bandwidth.Time(units.Bytes(bytes))
}

// linkStart: the head of r's link queue starts sending.
func (r *replica) linkStart() {
	r.linkQueue = r.linkQueue[1:]
	r.run.linkQueued--
}

// queued is the requests waiting: for a replica (of any pool), or for a
// prefill replica's KV link.
func (s *runState) queued() int { return s.waiting + s.linkQueued }

// queueText words the queue for an overload's reason.
func (s *runState) queueText(n int) string {
	if s.linkQueued == 0 {
		return fmt.Sprintf("%d requests", n)
	}
	return fmt.Sprintf("%d requests (%d of them waiting for the prefill→decode KV link)", n, s.linkQueued)
}

// emit records n tokens sampled for q at now.
func (s *runState) emit(q *seq, n int32, now time.Duration) {
	if q.first < 0 {
		q.first = now
	}
	q.gen += n
	s.rec.outputTokens += int64(n)
}

// accepted draws the tokens one decode step emits for one sequence: 1,
// plus each draft in turn while it is accepted.
func (s *runState) accepted(e EngineConfig) int32 {
	n := int32(1)
	for range e.SpecTokens {
		if s.spec.Float64() >= e.SpecAcceptance {
			break
		}
		n++
	}
	return n
}

// finish records a completed request.
func (s *runState) finish(q *seq, now time.Duration) {
	if s.completed == 0 {
		s.firstDone = now
	}
	s.completed++
	s.rec.add(q, now, s.opt.SLO)
	s.progress()
}

func (s *runState) progress() {
	if s.opt.Progress == nil || s.cancelled {
		return
	}
	done := s.completed + s.rejected
	if done == s.reported || (done%s.progressEvery != 0 && done != s.total) {
		return
	}
	s.reported = done
	if !s.opt.Progress(done, s.total) {
		s.cancelled = true
		s.eng.Stop()
	}
}

// pollEvents is how many events a run fires between two calls of
// Options.Stop. An event is a replica's step, a fraction of a µs to a
// few µs, or an arrival, which the router weighs against every replica:
// at 100,000 replicas (the QA's burst) about 1 ms on a loaded machine,
// so 256 events between two calls let a stopped run go on 0.2–0.5 s
// where 16 stop it within about 10 ms. A call, a context's Err (an
// atomic load), costs nothing measurable against 16 events.
const pollEvents = 1 << 4

// watch asks Options.Stop before the run and, as events fire, every
// pollEvents of them: its error stops the engine (s.stopped).
func (s *runState) watch() error {
	stop := s.opt.Stop
	if stop == nil {
		return nil
	}
	if err := stop(); err != nil {
		return err
	}
	n := 0
	s.eng.Observe(func(sim.Event) {
		if n++; n%pollEvents == 0 && s.stopped == nil {
			if s.stopped = stop(); s.stopped != nil {
				s.eng.Stop()
			}
		}
	})
	return nil
}

// overloaded marks the run overloaded: the queue grows without bound.
// Without Drain it stops the run; with it the arrivals stop (the arrival
// chain checks s.overload) and the admitted requests — at most MaxQueue
// waiting, the bound that declared the overload — are served.
func (s *runState) overloaded(why string) {
	if s.overload != nil {
		return
	}
	s.overload = &Overload{At: s.eng.Now().Seconds(), Reason: why, Waiting: s.queued(), NotArrived: s.total - s.arrived}
	if !s.opt.Drain {
		s.eng.Stop()
		return
	}
	s.overload.Drained = true
}

// done reports whether every request has arrived and left.
func (s *runState) done() bool { return s.completed+s.rejected == s.total }

// drained reports whether a drained overload has served every admitted
// request.
func (s *runState) drained() bool {
	return s.overload != nil && s.overload.Drained && s.completed+s.rejected == s.arrived
}
