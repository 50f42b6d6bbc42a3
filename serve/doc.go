// Package serve simulates LLM serving under traffic, request by request:
// a fleet of replicas behind a router, each running continuous batching
// over a paged KV cache, with step times from package inference. Where an
// analytical operating point (inference.Curve, Best) says what a chip
// does at a fixed batch, serve says what a deployment does under real
// arrivals: queues, bursts, long prompts, KV pressure, preemptions.
//
// # Model
//
// Workload: requests arrive by a Poisson, gamma (bursty: coefficient of
// variation CV of the gaps) or deterministic process at Rate per second,
// or from a trace (CSV or JSON Lines: arrival_s, prompt_tokens,
// output_tokens), optionally rescaled to Rate; or all at time 0 (Offline:
// an offline throughput benchmark, no rate). Prompt and output lengths
// are fixed, uniform, lognormal (with the given mean) or resampled from a
// trace. Prefilled workloads model a decode pool on its own.
//
// Engine (one replica = one instance of inference's deployment): at each
// step the running sequences are scheduled first (one token each, or
// 1 + drafts with speculative decoding; unfinished prompts continue their
// chunk), then waiting requests are admitted in queue order (FCFS or
// shortest prompt first; preempted ones first) while the step's token
// budget, the running-sequence limit and the free KV blocks allow
// (chunked prefill splits a prompt across steps). KV blocks of BlockTokens
// tokens are taken for a whole prompt when its request is admitted (so a
// chunked prompt is not preempted by the next one's chunks), then one by
// one as decoded tokens arrive; when a running sequence needs a block
// and none is free, the most recently admitted sequence is preempted: its
// blocks are freed and it is recomputed later (vLLM's recompute
// preemption). With ReserveOutput a request is admitted only when its
// whole prompt + output fits and never preempted (TensorRT-LLM's default,
// GUARANTEED_NO_EVICT). A prefill that completes samples the first token
// (TTFT); each decode step samples one token per sequence, or with
// speculative decoding 1 + the accepted drafts, each draft accepted with
// probability SpecAcceptance given the previous one was (drawn per
// sequence per step; its mean is (1 − α^(d+1))/(1 − α), Leviathan et al.
// 2023, arXiv 2211.17192). The step's wall time is StepModel.StepTime of
// its batch shape. A request whose context could never fit a replica's KV
// cache is rejected (counted, never simulated).
//
// Simplifications: a replica's KV blocks are one pool, though with DP
// attention (inference's attention groups) an engine pins each sequence to
// one group's share; so is its token budget (MaxBatchTokens, the engine's
// per-group max_num_tokens times the groups), so one group may take
// several long prompt chunks in a step where each rank of an engine takes
// its own budget's worth (the analytical colocated curve caps each group:
// with long prompts at large batches the simulator's attention-DP steps
// read slower than it, by half at 20000-token prompts and 256 sequences); no prefix caching; a disaggregated decode replica
// receives a KV cache without reserving its blocks first; the step time
// is the inference model's for the batch's sums, whatever their spread.
//
// Step time: InferenceStep calls inference's StepTime, the same code as
// the analytical estimates, memoised on the batch's sums (decode context
// rounded down to 10 significant bits; ≤ 0.1 % on step times); NewPool
// builds a pool from an inference.Deployment resolved once
// (inference.Resolve), which owns every figure the pool takes: KV blocks,
// instances and their chips, step times, the KV bytes a handoff moves.
// serve re-derives none of them.
//
// Deployment: one pool (aggregated) or two (disaggregated: prefill, then
// the KV cache crosses a link, then decode: each prefill replica's link
// sends one cache at a time, for bytes/Bandwidth, and a cache lands
// Latency after it was sent, so latency delays a transfer without holding
// the link; a cache the link is busy for waits in its queue; the prefill
// replica holds the cache's KV blocks until it has landed, so transfers
// in flight limit what the prefill pool admits); pools may use different
// chips.
// A router picks a replica per request: round robin, least outstanding
// (waiting and running requests, and on a prefill replica those whose KV
// cache waits for its link), or KV-aware (lowest KV use counting what its
// queue will need; ties by least outstanding's count). Disaggregated, a
// request is bound to a decode replica before its cache is sent, by the
// same rule counting the requests bound to each replica and not yet
// landed: at arrival with its prefill replica (Deployment.DecodeBinding
// BindAtArrival, the default: SGLang's PD router, sgl-router's
// select_pd_pair; vLLM's proxy) or when its prefill completes
// (BindAtPrefill: Dynamo's PrefillRouter); its cache crosses to that
// replica whatever the decode loads when it lands.
//
// Outputs: TTFT, TPOT ((last − first token)/(tokens − 1)) and end-to-end
// latency (per request E2E = TTFT + (tokens − 1) × TPOT), P50/P90/P99.
// Disaggregated, the client's stream comes from the decode side
// (SGLang's PD router returns the decode server's stream; Dynamo's
// PrefillRouter hands the prefilled request to a decode worker, which
// streams it;
// vLLM's proxy sends the prompt to prefill with max_tokens 1 and streams
// from decode), so TTFT ends when a decode replica, the KV cache landed,
// admits the request into a step: the prefill's first token travels with
// the cache and SGLang's decode scheduler streams it as it takes the
// request into its running batch, with no forward pass
// (disaggregation/decode.py, process_batch_result_prebuilt). TTFT holds
// the link's queue, the transfer and the wait for the decode replica's
// next step; TPOT is the decode steps alone. (vLLM's decode instance
// recomputes the last prompt token and samples the first token itself,
// one decode step later; not modelled.) A one-token output ends at the
// prefill. Percentiles by linear interpolation between order statistics
// (Hyndman–Fan type 7); throughput over the simulated time; goodput (the
// requests within the SLO, DistServe's definition, Zhong et al. 2024,
// arXiv 2401.09670) and whether the SLO percentile holds; cost (chips ×
// rental × time) and energy per million tokens: at the wall where the
// caller gives the chip's econ.Power (TDP × load × server multiplier × PUE
// while a replica steps, the server and facility overheads on an assumed
// 20 % of TDP while it idles; serve-estimate's and the report's basis),
// else the chip alone (TDP stepping, 20 % of it idle); the waiting queue, running
// sequences and KV use over time (at most 2 × Samples points, halved as
// needed). Capacity bisects for the highest rate meeting the SLO
// (CapacityOptions.ProbeRequests: probes of at least MinProbeRequests
// and ProbePerReplica a replica; unbounded where a probe that meets it
// is a burst, every request arriving before the first completes, its
// rate Result.BurstRate); Cheapest sizes candidate
// deployments for a target rate.
//
// Bounds: while requests still arrive (afterwards the queue only drains),
// a run stops as overloaded when the waiting queue (requests waiting for
// a replica of any pool or, disaggregated, for a prefill replica's KV
// link) passes MaxQueue, a request waits longer than MaxWait, or, over the second
// half of the arrivals, the queue grew by more than 5 % of them (and by at
// least 50), or, at the last arrival of a generated workload (Poisson,
// gamma, deterministic), the rate needs more than the KV links' time
// (Rate × the mean send time per arrived request, bytes/Bandwidth for a
// cache that crosses a link and nothing for a one-token output, over the
// prefill replicas above 1: a link queue that grows in steady state, which the trend's
// 5 % let pass and a TPOT-only SLO, the decode steps alone, does not
// see); requests are at most MaxRequests (latency records: 12 bytes
// each). Invariants (requests conserved, KV blocks allocated = freed +
// held, no negative queue, the decode replicas' bound requests and their
// blocks = those in transit + those bound still on the prefill replicas;
// docs/invariants.md) are checked at the end of every run.
//
// Time is integer nanoseconds on the sim kernel (sim.Engine, events in
// (time, priority, sequence) order: arrivals before step ends before
// samples at the same instant). Randomness: sim.NewStream streams
// "serve/arrivals", "serve/prompt", "serve/output", "serve/speculative"
// from Workload.Seed; same inputs, same result, byte for byte.
//
// Units: token counts are int, times time.Duration inside and
// milliseconds (latencies) or seconds in Result, money USD, energy kWh.
//
// # Reading guide
//
//   - replica.go: one engine, its step (plan, admit, reserve, preempt,
//     complete).
//   - simulate.go: Simulate, arrivals, routing, disaggregated handoff,
//     overload.
//   - result.go: Result, percentiles, cost, the invariant check.
//
// Then workload.go and trace.go (inputs), inference.go (step times and
// pools from package inference), capacity.go (searches).
package serve
