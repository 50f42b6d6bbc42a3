package serve

import (
	"fmt"
	"math/bits"
	"time"

	"chipgap/econ"
	"chipgap/inference"
	"chipgap/llm"
	"chipgap/units"
)

// InferenceStep is the StepModel of package inference: inference.StepTime
// itself (the same code as the analytical estimates), memoised. The
// roofline depends on a batch only through sums (decode sequences and
// their total context; prefill tokens, causal pairs, keys read and
// chunks), so the memo key is those sums, with the decode context rounded
// down to 10 significant bits (at most 0.2 % less; the context is only the
// KV-read share of a step, so the step time moves less, ≤ 0.1 % in
// TestMemoMatchesDirect; down, so that a full KV cache still fits) and the
// rest exact. A miss calls
// StepTime on a canonical batch with exactly the key's sums, so a result
// never depends on which batch filled the entry: same inputs, same bytes.
type InferenceStep struct {
	r      *inference.Resolved
	groups int   // attention groups of an instance (each request runs on one)
	per    []int // keyOf's scratch: prompt tokens per group (nil with one group)
	memo   map[stepKey]time.Duration
	dec    []int
	pre    []inference.Chunk
	err    error
	Misses int // StepTime calls made (for benchmarks)
}

// maxMemo bounds the memo (about 100 bytes an entry); past it, misses are
// computed and not stored.
const maxMemo = 1 << 18

type stepKey struct {
	decSeqs, decCtx              int
	preTokens, prePairs2, preCtx int
	chunks                       int
	busiest                      int // prompt tokens of the busiest attention group (attention DP)
}

// NewInferenceStep resolves d and checks it by timing a one-token step.
func NewInferenceStep(d inference.Deployment) (*InferenceStep, error) {
	r, err := inference.Resolve(d)
	if err != nil {
		return nil, err
	}
	return newInferenceStep(r)
}

func newInferenceStep(r *inference.Resolved) (*InferenceStep, error) {
	if _, err := r.StepTime(inference.Batch{Decode: []int{1}}); err != nil {
		return nil, err
	}
	kv, err := r.KV()
	if err != nil {
		return nil, err
	}
	m := &InferenceStep{r: r, groups: max(kv.Groups, 1), memo: make(map[stepKey]time.Duration)}
	if m.groups > 1 {
		m.per = make([]int, m.groups)
	}
	return m, nil
}

// roundSig rounds x ≥ 0 down to 10 significant bits.
func roundSig(x int) int {
	const sig = 10
	n := bits.Len(uint(x))
	if n <= sig {
		return x
	}
	s := n - sig
	return (x >> s) << s
}

// keyOf sums b; with attention groups, it also keeps the busiest group's
// prompt tokens (each request runs on group Seq mod groups), which sets
// how long the other groups wait at every MoE layer.
// per is scratch of one counter per group (nil: no attention DP), left
// zeroed.
func keyOf(b Batch, per []int) stepKey {
	k := stepKey{decSeqs: b.DecodeSeqs, decCtx: max(roundSig(b.DecodeContext), b.DecodeSeqs), chunks: len(b.Chunks)}
	for _, c := range b.Chunks {
		k.preTokens += c.Tokens
		k.prePairs2 += c.Tokens * (2*c.Cached + c.Tokens + 1)
		k.preCtx += c.Cached + c.Tokens
		if per != nil {
			g := c.Seq % len(per)
			per[g] += c.Tokens
			k.busiest = max(k.busiest, per[g])
		}
	}
	if per != nil {
		for _, c := range b.Chunks {
			per[c.Seq%len(per)] = 0
		}
	}
	return k
}

// StepTime returns the step time of b, from the memo when it can.
func (m *InferenceStep) StepTime(b Batch) time.Duration {
	k := keyOf(b, m.per)
	if t, ok := m.memo[k]; ok {
		return t
	}
	t := m.direct(k, b.Chunks)
	if len(m.memo) < maxMemo {
		m.memo[k] = t
	}
	return t
}

// direct calls inference.StepTime on a batch with k's sums: the decode
// context spread evenly over the sequences, and the prefill chunks as
// given (they are summed exactly into k).
func (m *InferenceStep) direct(k stepKey, chunks []Chunk) time.Duration {
	m.Misses++
	m.dec = m.dec[:0]
	for i := range k.decSeqs {
		c := k.decCtx / k.decSeqs
		if i < k.decCtx%k.decSeqs {
			c++
		}
		m.dec = append(m.dec, c)
	}
	m.pre = m.pre[:0]
	for _, c := range chunks {
		m.pre = append(m.pre, inference.Chunk{Tokens: c.Tokens, Cached: c.Cached, Group: c.Seq % m.groups})
	}
	r, err := m.r.StepTime(inference.Batch{Prefill: m.pre, Decode: m.dec, Grouped: m.groups > 1})
	if err != nil {
		if m.err == nil {
			m.err = fmt.Errorf("step time of %d decoding (context %d) and %d prefill tokens: %w", k.decSeqs, k.decCtx, k.preTokens, err)
		}
		return time.Millisecond
	}
	return max(time.Duration(float64(r.Time)*1e9+0.5), 1)
}

// Err is the first error a step-time call returned, if any (Simulate
// fails with it).
func (m *InferenceStep) Err() error { return m.err }

// PoolOptions are the engine settings of a pool built from an inference
// deployment; zero values take the defaults noted.
type PoolOptions struct {
	MaxBatchTokens   int    // default: the profile's MaxTokens × attention groups, else 8192
	MaxSeqs          int    // default: the profile's MaxBatch × attention groups, else no limit but the KV cache
	Scheduler        string // default fcfs
	NoChunkedPrefill bool
	ReserveOutput    bool // see EngineConfig.ReserveOutput (a profile's KVReserveFull)
	// IdleFraction is a waiting chip's power as a fraction of its TDP;
	// default 0.2 (an assumption: no vendor publishes idle power).
	IdleFraction float64
	// Power is the chip's power at the wall (econ.Power: TDP × load ×
	// server multiplier × PUE while it steps, the server and facility
	// overheads on IdleFraction × TDP while it waits), the basis of
	// serve-estimate's and the report's energy; nil: the chip alone, TDP
	// while it steps.
	Power *econ.Power
}

// NewPool builds the pool of d's instances. Package inference, on d
// resolved once, owns every figure: replicas = the instances the cluster
// holds (Parallel.DP, else as many as fit) and the chips of each, the KV
// blocks, the step times and the KV bytes a handoff moves; rental and TDP
// come from the chip.
func NewPool(name string, d inference.Deployment, o PoolOptions) (Pool, error) {
	r, err := inference.Resolve(d)
	if err != nil {
		return Pool{}, err
	}
	kv, err := r.KV()
	if err != nil {
		return Pool{}, err
	}
	step, err := newInferenceStep(r)
	if err != nil {
		return Pool{}, err
	}
	reps, chips := r.Instances(), r.ChipsPerInstance()
	e := EngineConfig{
		MaxBatchTokens: o.MaxBatchTokens, MaxSeqs: o.MaxSeqs, BlockTokens: kv.BlockTokens, KVBlocks: kv.Blocks,
		Scheduler: o.Scheduler, NoChunkedPrefill: o.NoChunkedPrefill, ReserveOutput: o.ReserveOutput,
		SpecTokens: d.Speculative.Tokens, SpecAcceptance: d.Speculative.Acceptance,
		Window: d.Model.Window, GlobalShare: d.Model.GlobalShare(),
	}
	if e.MaxBatchTokens == 0 {
		e.MaxBatchTokens = 8192
		if mt := d.Profile.MaxTokens; mt > 0 {
			e.MaxBatchTokens = mt * kv.Groups
		}
	}
	// An engine that schedules whole prompts first does so for models
	// without MLA (Profile.PrefillFirstTokens), with its own budget.
	if t := d.Profile.PrefillFirstTokens; t > 0 && d.Model.Attention != llm.MLA {
		e.PrefillFirst, e.NoChunkedPrefill = true, true
		if o.MaxBatchTokens == 0 {
			e.MaxBatchTokens = t * kv.Groups
		}
	}
	if e.MaxSeqs == 0 {
		e.MaxSeqs = kv.Blocks // no engine limit: the KV cache bounds the batch
		if mb := d.Profile.MaxBatch; mb > 0 {
			e.MaxSeqs = mb * kv.Groups
		}
	}
	if e.Scheduler == "" {
		e.Scheduler = FCFS
	}
	if e.SpecTokens == 0 {
		e.SpecAcceptance = 0
	}
	idle := o.IdleFraction
	if idle == 0 {
		idle = 0.2
	}
	c := d.Cluster.Chip
	busy, waiting := c.TDP.Typ, units.Watts(idle*float64(c.TDP.Typ))
	if pw := o.Power; pw != nil {
		busy, waiting = pw.Wall(), pw.Idle(idle)
	}
	return Pool{
		Name: name, Replicas: reps, ChipsPerReplica: chips, Engine: e, Step: step,
		ChipRental: c.Rental.Typ, ChipBusy: busy, ChipIdle: waiting,
		KVBytesPerToken: r.HandoffBytesPerToken(),
	}, nil
}
