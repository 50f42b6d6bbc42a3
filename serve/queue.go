package serve

import "time"

// seq is one request inside a replica: waiting, prefilling or decoding.
// Counts are int32 to keep the running set compact (a step walks it).
type seq struct {
	key      int64         // waiting-queue order (lower first)
	arrival  time.Duration // when the request reached the deployment
	first    time.Duration // when its first token was sampled; -1 before
	order    int32         // arrival number, for deterministic ties
	prompt   int32         // prompt tokens
	output   int32         // tokens to generate
	target   int32         // tokens that must be in the KV cache before the next token is sampled
	computed int32         // tokens in the KV cache
	gen      int32         // tokens generated so far
	blocks   int32         // KV blocks held
	sched    int32         // tokens scheduled in the current step
	preempts int32         // times preempted
	dec      int32         // disaggregated: the decode replica it is bound to; -1 before (bindDecode)
}

// prefilling reports whether the sequence still has prompt (or, after a
// preemption, recomputation) tokens to compute before it can decode.
func (s *seq) prefilling() bool { return s.computed < s.target }

// Scheduling policies for a replica's waiting queue.
const (
	FCFS = "fcfs" // first come, first served
	SPF  = "spf"  // shortest prompt first (ties: arrival order)
)

// queueKey orders the waiting queue: preempted sequences first (in arrival
// order, as vLLM re-queues them at the front), then by policy.
func queueKey(policy string, s *seq) int64 {
	k := int64(s.order)
	if policy == SPF {
		k += int64(s.prompt+s.gen) << 32
	}
	if s.preempts > 0 {
		k -= 1 << 62
	}
	return k
}

// waitQueue is a binary min-heap of sequences by key. It also keeps the
// KV blocks its sequences will need, for KV-aware routing.
type waitQueue struct {
	h      []seq
	blocks int
}

func (q *waitQueue) len() int { return len(q.h) }

func (q *waitQueue) peek() *seq { return &q.h[0] }

func (q *waitQueue) push(s seq, blocks int) {
	q.blocks += blocks
	q.h = append(q.h, s)
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q.h[p].key <= q.h[i].key {
			break
		}
		q.h[p], q.h[i] = q.h[i], q.h[p]
		i = p
	}
}

func (q *waitQueue) pop(blocks int) seq {
	q.blocks -= blocks
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && q.h[r].key < q.h[l].key {
			c = r
		}
		if q.h[i].key <= q.h[c].key {
			break
		}
		q.h[i], q.h[c] = q.h[c], q.h[i]
		i = c
	}
	return top
}

// oldest returns the earliest arrival among waiting sequences.
func (q *waitQueue) oldest() (time.Duration, bool) {
	if len(q.h) == 0 {
		return 0, false
	}
	t := q.h[0].arrival
	for i := range q.h {
		t = min(t, q.h[i].arrival)
	}
	return t, true
}
