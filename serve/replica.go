package serve

import (
	"math"
	"time"
)

// Event priorities at the same instant: requests arrive (and KV caches
// land) before a step ends or starts, so that the step sees them; the
// sampler looks last.
const (
	prioArrive int8 = 0
	prioStep   int8 = 1
	prioSample int8 = 2
)

// replica is one serving instance: a waiting queue, the running set and a
// paged KV cache, stepped by continuous batching.
type replica struct {
	run         *runState
	pool, idx   int
	cfg         EngineConfig
	step        StepModel
	prefillOnly bool // the prefill pool of a disaggregated deployment

	waiting waitQueue
	running []seq // in admission order: preemption takes from the back
	free    int   // free KV blocks

	busy     bool // a step is in flight or about to start
	inFlight bool // running[].sched describes the step in flight
	busyTime time.Duration
	chunks   []Chunk
	tick     func() // r.stepEnd, bound once

	outstanding int             // requests waiting or running here
	allocated   int64           // KV blocks ever allocated
	freed       int64           // KV blocks ever freed
	linkFree    time.Duration   // when the outbound KV link is next idle
	linkQueue   []time.Duration // arrivals of the KV caches waiting for that link, in order
	sending     int             // KV blocks of caches handed off and not yet landed (held until they land)
	bound       int             // a decode replica: requests bound to it whose KV cache has not landed (bindDecode)
	boundBlocks int             // the KV blocks those caches will need here
}

func newReplica(run *runState, pool, idx int, p Pool) *replica {
	r := &replica{run: run, pool: pool, idx: idx, cfg: p.Engine, step: p.Step, free: p.Engine.KVBlocks}
	r.prefillOnly = run.dep.Disaggregated() && pool == 0
	r.tick = r.stepEnd
	return r
}

// blocksFor is the number of KV blocks that hold a sequence of n tokens
// (of every layer's cache: under a sliding window its local layers hold
// at most the window).
func (r *replica) blocksFor(n int32) int {
	if r.cfg.Window > 0 {
		return int(math.Ceil(r.cfg.kvTokens(float64(n)) / float64(r.cfg.BlockTokens)))
	}
	b := int32(r.cfg.BlockTokens)
	return int((n + b - 1) / b)
}

// queuedBlocks is what a waiting sequence will need to run (for routing).
func (r *replica) queuedBlocks(s *seq) int { return r.blocksFor(max(s.target, s.computed+1)) }

// enqueue puts a sequence in the waiting queue and wakes the replica.
func (r *replica) enqueue(s seq) {
	s.key = queueKey(r.cfg.Scheduler, &s)
	r.waiting.push(s, r.queuedBlocks(&s))
	r.run.waiting++
	r.outstanding++
	r.wake()
}

// wake starts a step now if the replica is idle.
func (r *replica) wake() {
	if r.busy {
		return
	}
	r.busy = true
	r.run.eng.Schedule(r.run.eng.Now(), prioStep, r.tick)
}

// stepEnd finishes the step in flight, if any, and starts the next one.
func (r *replica) stepEnd() {
	now := r.run.eng.Now()
	if r.inFlight {
		r.inFlight = false
		r.complete(now)
	}
	b := r.plan()
	if b.Tokens() == 0 {
		r.busy = false
		return
	}
	dt := r.step.StepTime(b)
	if dt <= 0 {
		dt = 1
	}
	r.busyTime += dt
	r.inFlight = true
	r.run.eng.Schedule(now+dt, prioStep, r.tick)
}

// plan forms the next step: the running sequences first (decodes and
// unfinished prefills, preempting from the back when KV runs out), then
// admissions from the waiting queue while the token budget, the sequence
// limit and the KV cache allow. A prefill-first engine (PrefillFirst)
// instead admits first while a prompt waits and, where it admitted any,
// runs their prompts alone; a step of decodes then admits none (a
// prefilled request, handed over to a decode pool, is admitted as usual).
func (r *replica) plan() Batch {
	b := Batch{Chunks: r.chunks[:0]}
	budget := r.cfg.MaxBatchTokens
	promptFirst := r.cfg.PrefillFirst && r.promptWaits()
	if promptFirst {
		if r.admit(&b, budget); b.PrefillSeqs > 0 {
			r.chunks = b.Chunks
			return b
		}
	}
	for i := 0; i < len(r.running); i++ {
		s := &r.running[i]
		s.sched = 0
		n := r.want(s, budget)
		if n == 0 {
			continue
		}
		if !r.reserve(i, n) {
			break // it was the last and had to be preempted itself
		}
		s.sched = int32(n)
		budget -= n
		b.add(s)
	}
	if !promptFirst {
		r.admit(&b, budget)
	}
	r.chunks = b.Chunks
	return b
}

// promptWaits reports whether the waiting queue's head needs its prompt
// prefilled (a disaggregated decode pool's requests arrive prefilled: a
// prefill-first engine admits them beside its decodes, as any engine).
func (r *replica) promptWaits() bool {
	return r.waiting.len() > 0 && r.waiting.peek().prefilling()
}

// want is the tokens a sequence would compute this step within budget
// (0: none).
func (r *replica) want(s *seq, budget int) int {
	if !s.prefilling() {
		if q := 1 + r.cfg.SpecTokens; q <= budget {
			return q
		}
		return 0
	}
	n := int(s.target - s.computed)
	if n <= budget {
		return n
	}
	if !r.cfg.NoChunkedPrefill {
		return max(budget, 0)
	}
	if budget == r.cfg.MaxBatchTokens {
		return n // a prompt longer than the budget runs alone
	}
	return 0
}

// reserve gives running[i] the blocks for n more tokens, preempting the
// most recently admitted sequences while the cache is short. It reports
// false when running[i] itself was preempted.
func (r *replica) reserve(i, n int) bool {
	s := &r.running[i]
	need := max(r.blocksFor(s.computed+int32(n))-int(s.blocks), 0)
	for need > r.free {
		last := len(r.running) - 1
		r.preempt(last)
		if last == i {
			return false
		}
	}
	r.take(s, need)
	return true
}

func (r *replica) take(s *seq, blocks int) {
	s.blocks += int32(blocks)
	r.free -= blocks
	r.allocated += int64(blocks)
}

func (r *replica) release(s *seq, blocks int) {
	s.blocks -= int32(blocks)
	r.free += blocks
	r.freed += int64(blocks)
}

// preempt frees running[i]'s KV cache (recompute preemption, vLLM's
// default) and sends it back to the front of the waiting queue.
func (r *replica) preempt(i int) {
	s := r.running[i]
	r.release(&s, int(s.blocks))
	s.computed, s.target, s.sched = 0, s.prompt+s.gen, 0
	s.preempts++
	r.run.preemptions++
	r.running = append(r.running[:i], r.running[i+1:]...)
	r.outstanding--
	r.enqueue(s)
}

// admit moves waiting sequences into the step, head of the queue first;
// the head that does not fit blocks the rest (as in vLLM). A sequence is
// admitted with the blocks for its whole prompt (all it must compute
// before it decodes), not only its first chunk: vLLM V0's block manager
// allocates the prompt when it admits a request (can_allocate), SGLang's
// prefill adder admits one only while the pool holds its prompt and a
// share of its output (schedule_policy.py, add_one_req), and vLLM V1, which takes a chunk's blocks at a time, resumes a request it
// had to preempt from its cached prompt blocks; taking the first chunk's
// alone let later prompts' chunks preempt it over and over, recomputing
// each time (a 28K-token prompt on a 40 GB A100 ran at a tenth of its
// measured rate).
func (r *replica) admit(b *Batch, budget int) {
	for r.waiting.len() > 0 && budget > 0 && len(r.running) < r.cfg.MaxSeqs {
		h := r.waiting.peek()
		n := r.want(h, budget)
		if n == 0 {
			return
		}
		need := max(r.blocksFor(max(h.computed+int32(n), h.target))-int(h.blocks), 0)
		if r.cfg.ReserveOutput {
			need = r.blocksFor(h.prompt+h.output+int32(r.cfg.SpecTokens)) - int(h.blocks)
		}
		if need > r.free {
			return
		}
		s := r.waiting.pop(r.queuedBlocks(h))
		r.run.waiting--
		if s.first < 0 && s.gen > 0 {
			// A prefilled request (handed over by a prefill replica, or
			// Workload.Prefilled) joins the decode batch: its first token
			// reaches the client now, at the start of its first decode
			// step (handoff).
			s.first = r.run.eng.Now()
		}
		r.take(&s, need)
		s.sched = int32(n)
		budget -= n
		r.running = append(r.running, s)
		b.add(&s)
	}
}

// add counts a scheduled sequence into the batch.
func (b *Batch) add(s *seq) {
	n := int(s.sched)
	if s.prefilling() {
		b.PrefillTokens += n
		b.PrefillSeqs++
		b.PrefillContext += int(s.computed)
		b.Chunks = append(b.Chunks, Chunk{Tokens: n, Cached: int(s.computed), Seq: int(s.order)})
		return
	}
	b.DecodeSeqs++
	b.DecodeTokens += n
	b.DecodeContext += int(s.computed)
}

// complete applies the step that just ended: prefill chunks advance,
// finished prefills and decodes sample tokens, done requests leave.
func (r *replica) complete(now time.Duration) {
	j := 0
	for i := range r.running {
		s := &r.running[i]
		if s.sched != 0 && !r.advance(s, now) {
			continue // left the replica
		}
		if j != i {
			r.running[j] = *s
		}
		j++
	}
	r.running = r.running[:j]
}

// advance applies the step to one scheduled sequence and reports whether
// it stays on this replica.
func (r *replica) advance(s *seq, now time.Duration) bool {
	if s.computed >= s.target && r.cfg.SpecTokens == 0 {
		// The common case, kept inline: a plain decode step.
		s.computed++
		s.gen++
		s.sched = 0
		r.run.rec.outputTokens++
		if s.gen < s.output {
			return true // (a prefill-only replica holds no decoding sequence)
		}
		r.leave(s)
		r.run.finish(s, now)
		return false
	}
	if s.prefilling() {
		s.computed += s.sched
		s.sched = 0
		if s.prefilling() {
			return true
		}
		r.run.emit(s, 1, now)
	} else {
		a := min(r.run.accepted(r.cfg), s.output-s.gen)
		s.computed += a
		s.sched = 0
		r.run.emit(s, a, now)
		if extra := int(s.blocks) - r.blocksFor(s.computed); extra > 0 && !r.cfg.ReserveOutput {
			r.release(s, extra) // rejected draft tokens' slots
		}
	}
	switch {
	case r.prefillOnly && r.run.crossesLink(s):
		// The request leaves, but its KV cache stays until the transfer
		// has landed (handoff frees it): the link reads it from here.
		r.outstanding--
		r.run.handoff(r, *s, now)
		return false
	case s.gen >= s.output:
		// (on a prefill-only replica, a one-token output: crossesLink)
		r.leave(s)
		r.run.finish(s, now)
		return false
	}
	return true
}

// landed frees the blocks of a KV cache whose transfer has finished and
// wakes the replica, which may now admit what waited for them.
func (r *replica) landed(blocks int) {
	r.sending -= blocks
	r.free += blocks
	r.freed += int64(blocks)
	if r.waiting.len() > 0 {
		r.wake()
	}
}

// load is what least-outstanding routing balances: the requests waiting
// or running here, (a prefill replica) those whose KV cache waits for
// its outbound link, which a request routed here queues behind once
// prefilled, and (a decode replica) those bound to it whose KV cache has
// not landed yet (bindDecode).
func (r *replica) load() int { return r.outstanding + len(r.linkQueue) + r.bound }

// leave frees a departing sequence's KV cache.
func (r *replica) leave(s *seq) {
	r.release(s, int(s.blocks))
	r.outstanding--
}

// oldest returns the earliest arrival among the requests waiting here:
// in the queue, or for the outbound KV link.
func (r *replica) oldest() (time.Duration, bool) {
	t, ok := r.waiting.oldest()
	for _, a := range r.linkQueue {
		if !ok || a < t {
			t, ok = a, true
		}
	}
	return t, ok
}

// boundHere counts the requests here (waiting or running) already bound
// to a replica of the decode pool (bindDecode; on a prefill replica),
// and the KV blocks they will need there (replica.boundBlocks).
func (r *replica) boundHere(decode []*replica) (n, blocks int) {
	if !r.prefillOnly {
		return 0, 0 // its requests have landed
	}
	count := func(q *seq) {
		if q.dec >= 0 {
			n++
			blocks += decode[q.dec].blocksFor(q.prompt + 1)
		}
	}
	for i := range r.waiting.h {
		count(&r.waiting.h[i])
	}
	for i := range r.running {
		count(&r.running[i])
	}
	return n, blocks
}

// heldBlocks sums the KV blocks the running sequences hold and those of
// the caches being sent from here.
func (r *replica) heldBlocks() int {
	n := r.sending
	for i := range r.running {
		n += int(r.running[i].blocks)
	}
	return n
}
