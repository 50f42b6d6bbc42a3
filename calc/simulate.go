package calc

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/report"
	"chipgap/serve"
	"chipgap/uncertain"
	"chipgap/units"
)

// SimulateRequest is the input of a serving simulation: `chipgap
// simulate` (its flags, or a scenario file's `simulate:`) and POST
// /api/serve/simulate. NewSimulateRequest gives its defaults.
type SimulateRequest struct {
	// ServeDeployment is the serving pool (the decode pool when
	// disaggregated).
	ServeDeployment
	// Prefill, when any of its fields is set (or Mode says
	// disaggregated), is a prefill pool; its unset fields are the pool
	// above's.
	Prefill     ServePool      `json:"prefill" flag:"prefill-"`
	Mode        string         `json:"mode" help:"aggregated, or disaggregated (prefill and decode pools; any --prefill-* flag implies it)"`
	LinkBW      units.ByteRate `json:"link_bandwidth" help:"prefill→decode KV link per replica, e.g. 50GB/s (0 = the replicas' scale-out NICs)"`
	LinkLatency units.Seconds  `json:"link_latency" unit:"required" help:"latency of a KV transfer, a duration with its unit, e.g. 20us (0 = the scale-out tier's)"`

	Router        string `json:"router" help:"round-robin, least-outstanding or kv-aware"`
	DecodeBinding string `json:"decode_binding" help:"disaggregated: when the router picks a request's decode replica: arrival (default; SGLang's PD router, vLLM's proxy: with the prefill replica) or prefilled (Dynamo's PrefillRouter: when the prefill returns, before the KV cache is sent)"`
	Scheduler     string `json:"scheduler" help:"fcfs or spf (shortest prompt first)"`
	Admission     string `json:"admission" help:"on-demand (vLLM: preempt when KV runs out), reserve (TensorRT-LLM: prompt+output reserved), auto (as the serving profile: reserve for TensorRT-LLM and the CUDA default, on-demand for vLLM and SGLang)"`
	NoChunking    bool   `json:"no_chunked_prefill" help:"prefill each prompt in one step"`

	Workload SimWorkload `json:"workload"`
	SLO      SimSLO      `json:"slo"`
	// RequestCap bounds workload.requests below serve.MaxRequests (a
	// server's max_serve_requests), so the refusal quotes the bound that
	// applies where it runs.
	RequestCap Cap `json:"-"`
}

// ServePool is the prefill pool's own chip, chips and layout (0 or "":
// the serving pool's).
type ServePool struct {
	Chip     string        `json:"chip" help:"chip of the prefill pool (default: --chip)"`
	Chips    int           `json:"chips,omitempty" zero:"default" help:"chips of the prefill pool (default: --chips)"`
	Parallel ServeParallel `json:"parallel"`
}

// SimWorkload is the traffic: arrivals and lengths.
type SimWorkload struct {
	Arrival string  `json:"arrival" help:"poisson, gamma (bursty, --cv), deterministic, or offline (every request queued at time 0, as offline throughput benchmarks run; the rate is not used)"`
	Rate    float64 `json:"rate" help:"requests per second (with --trace: rescale its times to this rate; 0 keeps them)"`
	// Rates, when given, sweeps the arrival rate: one simulation a rate,
	// the same seed for each.
	Rates    []float64 `json:"rates" help:"comma-separated request rates: a rate sweep, one simulation each"`
	CV       float64   `json:"cv" help:"coefficient of variation of gamma inter-arrival times"`
	Requests int       `json:"requests" help:"requests to simulate"`
	Seed     uint64    `json:"seed" help:"random seed (same seed, same output)"`
	// Trace is a CSV or JSONL file of requests (the CLI reads it; a
	// server reads no files).
	Trace  string     `json:"trace" help:"CSV or JSONL trace, at most 64 MiB: arrival_s, prompt_tokens, output_tokens per line"`
	Input  SimLengths `json:"input" flag:"input-"`
	Output SimLengths `json:"output" flag:"output-"`
}

// SimLengths is a token-length distribution.
type SimLengths struct {
	Dist   string  `json:"dist" help:"distribution of the lengths: fixed, uniform, lognormal, empirical (from --trace)"`
	Tokens int     `json:"tokens" help:"fixed: tokens per request; lognormal: their mean (uniform takes min and max instead)"`
	Min    int     `json:"min" help:"uniform: the smallest length; lognormal: clip below"`
	Max    int     `json:"max" help:"uniform: the largest length; lognormal: clip above (0 = none)"`
	Sigma  float64 `json:"sigma" help:"lognormal: standard deviation of log length"`
}

// SimSLO is the latency bound the goodput counts against.
type SimSLO struct {
	TTFT       units.Seconds `json:"ttft" unit:"required" help:"TTFT bound of the SLO, a duration with its unit, e.g. 2s (0 = none)"`
	TPOT       units.Seconds `json:"tpot" unit:"required" help:"TPOT bound of the SLO, a duration with its unit, e.g. 50ms (0 = none)"`
	Percentile float64       `json:"percentile" flag:"slo-percentile" help:"percentile of TTFT and TPOT that must meet the bounds, a fraction in (0, 1]"`
}

// NewSimulateRequest is a request holding every default.
func NewSimulateRequest() SimulateRequest {
	return SimulateRequest{ServeDeployment: defaultServeDeployment(), Router: serve.LeastOutstanding, Scheduler: serve.FCFS, Admission: "auto",
		Workload: SimWorkload{Arrival: serve.Poisson, Rate: 10, CV: 2, Requests: 10000, Seed: 1,
			Input: SimLengths{Dist: serve.Fixed, Tokens: 1000, Sigma: 1}, Output: SimLengths{Dist: serve.Fixed, Tokens: 200, Sigma: 1}},
		SLO: SimSLO{Percentile: 0.99}}
}

// Disaggregated reports whether the request has a prefill pool.
func (r SimulateRequest) Disaggregated() bool {
	return strings.HasPrefix(r.Mode, "disagg") || r.Prefill != (ServePool{})
}

// Rates are the arrival rates simulated: the sweep's, else the rate; an
// offline batch, which uses no rate, is simulated once at rate 0.
func (r SimulateRequest) Rates() []float64 {
	switch {
	case len(r.Workload.Rates) > 0:
		return r.Workload.Rates
	case r.Workload.Arrival == serve.Offline:
		return []float64{0}
	}
	return []float64{r.Workload.Rate}
}

// check applies the request's own limits (those that need no catalog).
func (r SimulateRequest) check() error {
	w := r.Workload
	switch r.Mode {
	case "", "aggregated", "agg":
		if r.Mode != "" && r.Prefill != (ServePool{}) {
			return bad("mode", r.Mode, "want disaggregated with a prefill pool (or no prefill fields)")
		}
	case "disaggregated", "disagg":
	default:
		return bad("mode", r.Mode, "want aggregated or disaggregated")
	}
	switch r.Admission {
	case "auto", "on-demand", "reserve":
	default:
		return bad("admission", r.Admission, "want auto, on-demand or reserve")
	}
	if r.Prefill.Chips < 0 {
		return bad("prefill.chips", r.Prefill.Chips, "want a positive integer (leave it out for the serving pool's)")
	}
	if err := r.checkCounts(); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"link_bandwidth", float64(r.LinkBW)}, {"workload.cv", w.CV}, {"workload.input.sigma", w.Input.Sigma}, {"workload.output.sigma", w.Output.Sigma}} {
		if err := finite(f.name, f.v); err != nil {
			return err
		}
	}
	if p := r.SLO.Percentile; !(p > 0 && p <= 1) {
		// 0 is not "the default": the text would say P0 while package
		// serve judged at P99.
		return bad("slo.percentile", p, "want a fraction in (0, 1], e.g. 0.99 (the default)")
	}
	if b := r.LinkBW; b != 0 && b < serve.MinLinkBandwidth {
		return bad("link_bandwidth", b, "want 0 (the replicas' scale-out NICs) or at least %v", units.ByteRate(serve.MinLinkBandwidth))
	}
	offline := w.Arrival == serve.Offline
	if offline && len(w.Rates) > 0 {
		return bad("workload.rates", w.Rates, "an offline batch queues every request at time 0: no rate to sweep (leave rates out)")
	}
	if !(w.Rate > 0 || w.Rate == 0 && (w.Trace != "" || offline)) || math.IsInf(w.Rate, 0) {
		if len(w.Rates) == 0 {
			return bad("workload.rate", w.Rate, "want a positive request rate per second")
		}
	}
	for i, x := range w.Rates {
		if !(x > 0) || math.IsInf(x, 0) {
			return bad(fmt.Sprintf("workload.rates[%d]", i), x, "want a positive request rate per second")
		}
	}
	if err := checkSLO(secondsField{"slo.ttft", r.SLO.TTFT}, secondsField{"slo.tpot", r.SLO.TPOT}, secondsField{"link_latency", r.LinkLatency}); err != nil {
		return err
	}
	return checkTPOT("slo.tpot", r.SLO.TPOT)
}

// checkCounts checks the counts the workload states, each against its
// own range (requests under RequestCap; each length's tokens, min and
// max), so a caller's bound on their product (a server's token budget),
// checked after, never blames one field for another's value.
func (r SimulateRequest) checkCounts() error {
	w := r.Workload
	if w.Trace == "" { // a trace's requests are its lines
		limit, why := r.RequestCap.bound(serve.MaxRequests)
		if w.Requests < 1 || w.Requests > limit {
			return bad("workload.requests", w.Requests, "want 1..%d%s", limit, why)
		}
	}
	if err := w.Input.lengths().CheckSizes("workload.prompt"); err != nil {
		return serveError(err)
	}
	return serveError(w.Output.lengths().CheckSizes("workload.output"))
}

// SimulateSetup is a simulation request resolved against the catalog:
// the deployment and the workload (at rate 1 until a rate is set).
type SimulateSetup struct {
	Request    SimulateRequest
	Deployment serve.Deployment
	Pools      []SimPool
	workload   serve.Workload
	// cat and chips (each pool's) price the chips owned (ownedCost).
	cat   *catalog.Catalog
	chips []*hardware.Chip
}

// SimPool describes one pool as built.
type SimPool struct {
	Name            string             `json:"name"`
	Chip            string             `json:"chip"`
	Replicas        int                `json:"replicas"`
	ChipsPerReplica float64            `json:"chips_per_replica"`
	Engine          serve.EngineConfig `json:"engine"`
	// Scored is how the serving estimator behind the pool's steps scores
	// on published runs of its chip's vendor and kind of model, offline
	// benchmarks first for an offline arrival (catalog scorecard.yaml).
	Scored *catalog.Score `json:"scored,omitempty"`
	// StackNote says how the software named mapped onto the pool's
	// serving profile (an unknown framework, a release and the engine's
	// era that applies), as serve-estimate's stack_note; "" when it
	// mapped directly.
	StackNote string `json:"stack_note,omitempty"`
}

// Setup resolves r against the catalog; trace holds the requests of
// r.Workload.Trace, which the caller reads (nil without a trace).
func (r SimulateRequest) Setup(cat *catalog.Catalog, trace []serve.Request) (SimulateSetup, error) {
	s := SimulateSetup{Request: r, cat: cat}
	if err := r.check(); err != nil {
		return s, err
	}
	if err := r.Unused(nil, nil, false); err != nil {
		return s, err
	}
	var err error
	var built []builtPool
	if s.Deployment, built, err = r.deployment(cat, r.ServeDeployment, r.prefillPool()); err != nil {
		return s, err
	}
	for i, p := range s.Deployment.Pools {
		chip := r.Chip
		if s.Deployment.Disaggregated() && i == 0 {
			chip = r.prefillPool().Chip
		}
		s.Pools = append(s.Pools, SimPool{Name: p.Name, Chip: chip, Replicas: p.Replicas, ChipsPerReplica: p.ChipsPerReplica, Engine: p.Engine,
			Scored: built[i].scored, StackNote: built[i].note})
		s.chips = append(s.chips, built[i].chip)
	}
	s.workload, err = r.workloadOf(trace)
	return s, err
}

// prefillPool is the prefill pool's deployment (its unset fields the
// serving pool's), or nil when aggregated.
func (r SimulateRequest) prefillPool() *ServeDeployment {
	if !r.Disaggregated() {
		return nil
	}
	d := r.ServeDeployment
	p, q := r.Prefill.Parallel, &d.Parallel
	d.Chip, d.Chips = cmp.Or(r.Prefill.Chip, d.Chip), cmp.Or(r.Prefill.Chips, d.Chips)
	q.TP, q.PP, q.EP, q.DP, q.AttentionDP = cmp.Or(p.TP, q.TP), cmp.Or(p.PP, q.PP), cmp.Or(p.EP, q.EP), cmp.Or(p.DP, q.DP), cmp.Or(p.AttentionDP, q.AttentionDP)
	return &d
}

// builtPool is what building a pool says besides the pool: its scorecard
// regime (nil where the catalog has none) and the software's note.
type builtPool struct {
	scored *catalog.Score
	note   string
	chip   *hardware.Chip
}

// deployment builds the pools: one serving pool, or with a prefill pool
// prefill then decode, linked. What each pool's build says comes back in
// the pools' order.
func (r SimulateRequest) deployment(cat *catalog.Catalog, main ServeDeployment, prefill *ServeDeployment) (serve.Deployment, []builtPool, error) {
	var chips []string // the framework is checked across both pools' chips
	if prefill != nil {
		chips = []string{prefill.Chip, main.Chip}
	}
	p, b, err := r.pool(cat, "serve", main, chips)
	if err != nil {
		return serve.Deployment{}, nil, err
	}
	d := serve.Deployment{Pools: []serve.Pool{p}, Router: r.Router, DecodeBinding: r.DecodeBinding}
	if prefill == nil {
		return d, []builtPool{b}, nil
	}
	pre, pb, err := r.pool(cat, "prefill", *prefill, chips)
	if err != nil {
		return d, nil, prefixed("prefill.", err, "chip", "chips", "parallel")
	}
	p.Name = "decode"
	d.Pools = []serve.Pool{pre, p}
	d.Link, err = r.link(cat, []string{prefill.Chip, main.Chip}, d.Pools)
	return d, []builtPool{pb, b}, err
}

// pool builds one pool from the catalog and the inference model, with
// its scorecard regime and the software's note; chips are the whole
// deployment's, the framework's check taking them together.
func (r SimulateRequest) pool(cat *catalog.Catalog, name string, sd ServeDeployment, chips []string) (serve.Pool, builtPool, error) {
	dep, note, err := sd.resolve(cat, chips...)
	if err != nil {
		return serve.Pool{}, builtPool{}, err
	}
	method := "curve"
	if r.Workload.Arrival == serve.Offline {
		method = "offline"
	}
	var scored *catalog.Score
	if sc, ok := cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: dep.Cluster.Chip.Vendor, Family: catalog.Family(dep.Cluster.Chip), MoE: dep.Model.MoE != nil, Chips: dep.Cluster.Chips, Method: method, Stack: dep.Profile.ID, Engine: dep.Profile.EngineID}); ok {
		scored = &sc
	}
	// auto: as the deployment's serving profile admits (kv_reserve_full:
	// the engine's, else the stack's default engine's), as validate and
	// serve-estimate do.
	reserve := dep.Profile.KVReserveFull
	if r.Admission != "auto" {
		reserve = r.Admission == "reserve"
	}
	// Energy at the wall, on serve-estimate's basis (the chip's default
	// region's PUE); a chip without a TDP keeps the pool's own.
	var power *econ.Power
	if data, err := cat.Econ(); err == nil {
		if pw, err := data.WallPower(dep.Cluster.Chip, region("", dep.Cluster.Chip.Vendor), uncertain.Typical()); err == nil {
			power = &pw
		}
	}
	p, err := serve.NewPool(name, dep, serve.PoolOptions{MaxBatchTokens: r.MaxBatchTokens, MaxSeqs: r.MaxSeqs,
		Scheduler: r.Scheduler, NoChunkedPrefill: r.NoChunking, ReserveOutput: reserve, Power: power})
	return p, builtPool{scored: scored, note: note, chip: dep.Cluster.Chip}, serveError(err)
}

// link is the prefill→decode KV path: the request's, else the slower
// side's scale-out NICs over a replica's chips, at the scale-out latency.
func (r SimulateRequest) link(cat *catalog.Catalog, chips []string, pools []serve.Pool) (serve.Link, error) {
	l := serve.Link{Bandwidth: r.LinkBW, Latency: r.LinkLatency}
	var bw units.ByteRate
	var lat units.Seconds
	for i, p := range pools {
		cl, err := cat.Cluster(chips[i], max(int(p.ChipsPerReplica+0.5), 1), catalog.ClusterOptions{ChipsPerNode: r.ChipsPerNode})
		if err != nil {
			return l, err
		}
		if nic := units.ByteRate(float64(cl.ScaleOut.Bandwidth) * p.ChipsPerReplica); bw == 0 || nic < bw {
			bw = nic
		}
		lat = max(lat, cl.ScaleOut.Latency)
	}
	l.Bandwidth, l.Latency = cmp.Or(l.Bandwidth, bw), cmp.Or(l.Latency, lat)
	return l, nil
}

// workloadOf is the workload at rate 1: generated, a trace replayed, or
// generated arrivals with lengths drawn from the trace (empirical).
func (r SimulateRequest) workloadOf(trace []serve.Request) (serve.Workload, error) {
	wl := r.Workload
	w := serve.Workload{Process: wl.Arrival, Rate: 1, CV: wl.CV, Requests: wl.Requests, Seed: wl.Seed, Prompt: wl.Input.lengths(), Output: wl.Output.lengths()}
	empirical := w.Prompt.Dist == serve.Empirical || w.Output.Dist == serve.Empirical
	switch {
	case wl.Trace == "" && empirical:
		return w, bad("workload.input.dist", serve.Empirical, "want a trace to draw lengths from (empirical)")
	case wl.Trace == "":
		return w, nil
	case !empirical:
		w.Process, w.Trace = serve.Trace, trace
		return w, nil
	}
	for _, q := range trace { // lengths resampled from the trace, arrivals generated
		w.Prompt.Values = append(w.Prompt.Values, q.Prompt)
		w.Output.Values = append(w.Output.Values, q.Output)
	}
	return w, nil
}

func (l SimLengths) lengths() serve.Lengths {
	return serve.Lengths{Dist: l.Dist, Mean: l.Tokens, Min: l.Min, Max: l.Max, Sigma: l.Sigma}
}

// SLO is the request's SLO for package serve.
func (r SimulateRequest) slo() serve.SLO {
	return serve.SLO{TTFT: duration(r.SLO.TTFT), TPOT: duration(r.SLO.TPOT), Percentile: r.SLO.Percentile}
}

// duration converts a checked latency bound.
func duration(s units.Seconds) time.Duration { return time.Duration(float64(s) * 1e9) }

// Replicas counts the replicas of every pool (a server bounds requests ×
// replicas: the router looks at each for every request).
func (s SimulateSetup) Replicas() int {
	n := 0
	for _, p := range s.Deployment.Pools {
		n += p.Replicas
	}
	return n
}

// Simulation is a simulation's answer: the pools as built and each rate's
// result (one rate, or a sweep's).
type Simulation struct {
	Request SimulateRequest
	Pools   []SimPool
	Link    serve.Link
	Points  []SimPoint
}

// SimPoint is one rate's result.
type SimPoint struct {
	Rate float64 `json:"rate_per_s"`
	*serve.Result
	// MeasuredBand is, for an offline run of one pool (every request
	// queued at once, as the published maximum-throughput benchmarks the
	// pool's regime scores run), the 80 % band of what a source of them
	// measures where the estimator predicted its output tokens/s per chip.
	MeasuredBand *MeasuredBand `json:"measured_band,omitempty"`
	// Owned is the run on owned chips (Result's cost is them rented), nil
	// where a chip has no owned price: OwnedNote says why.
	Owned     *OwnedCost `json:"owned_cost,omitempty"`
	OwnedNote string     `json:"owned_cost_note,omitempty"`
}

// offlineBand is the band of an offline run of one pool (SimPoint).
func (s SimulateSetup) offlineBand(r *serve.Result) *MeasuredBand {
	if s.workload.Process != serve.Offline || len(s.Pools) != 1 || r.RequestsCompleted == 0 {
		return nil
	}
	return measuredBand(s.Pools[0].Scored, r.Throughput.OutputTokensPerSPerChip)
}

// SimulateOptions steer a simulation; the zero value is the default.
type SimulateOptions struct {
	// Progress is called as requests complete at rate; returning false
	// cancels the run (serve.ErrCancelled).
	Progress func(rate float64, done, total int) bool
	// Stop, when set, is each run's serve.Options.Stop, asked as events
	// fire whether or not requests complete: its error ends the
	// simulation, and Simulate returns it.
	Stop func() error
}

// Simulate runs the setup at each of its rates, request by request.
func Simulate(s SimulateSetup, o SimulateOptions) (Simulation, error) {
	out := Simulation{Request: s.Request, Pools: s.Pools, Link: s.Deployment.Link}
	for _, rate := range s.Request.Rates() {
		w := s.workload
		w.Rate = rate
		var progress func(done, total int) bool
		if o.Progress != nil {
			progress = func(done, total int) bool { return o.Progress(rate, done, total) }
		}
		r, err := serve.Simulate(s.Deployment, w, serve.Options{SLO: s.Request.slo(), Progress: progress, Stop: o.Stop, Drain: true})
		if err != nil {
			return out, serveError(err)
		}
		pt := SimPoint{Rate: rate, Result: r, MeasuredBand: s.offlineBand(r)}
		pt.Owned, pt.OwnedNote = s.owned(r)
		out.Points = append(out.Points, pt)
	}
	return out, nil
}

// Capacity is the highest rate that meets the SLO, with the simulation
// there.
type Capacity struct {
	Request  SimulateRequest
	Pools    []SimPool
	Link     serve.Link
	Capacity float64
	Result   *serve.Result
	// Owned and OwnedNote are Result's run on owned chips (SimPoint's).
	Owned     *OwnedCost
	OwnedNote string
}

// probeRequests is the requests a capacity probe simulates: the
// request's unless it is the default (then package serve picks).
func (r SimulateRequest) probeRequests() int {
	if r.Workload.Requests == NewSimulateRequest().Workload.Requests {
		return 0
	}
	return r.Workload.Requests
}

// FindCapacity bisects the rate that meets the SLO (generated arrivals
// only); stop, when set, is every probe's serve.Options.Stop.
func FindCapacity(s SimulateSetup, stop func() error) (Capacity, error) {
	r := s.Request
	if s.workload.Process == serve.Trace {
		return Capacity{}, bad("workload.trace", r.Workload.Trace, "a capacity search generates arrivals: draw lengths from the trace with input.dist empirical")
	}
	if r.SLO.TTFT == 0 && r.SLO.TPOT == 0 {
		return Capacity{}, missing("slo", "a TTFT and/or TPOT bound to search the capacity under")
	}
	if rateStated(r.Workload) {
		return Capacity{}, bad("workload.rate", r.Workload.Rate, "a capacity search finds the rate itself: leave the rate out")
	}
	rate, res, err := serve.Capacity(s.Deployment, s.workload, serve.CapacityOptions{SLO: r.slo(), Requests: r.probeRequests(), Stop: stop})
	c := Capacity{Request: r, Pools: s.Pools, Link: s.Deployment.Link, Capacity: rate, Result: res}
	if err == nil {
		c.Owned, c.OwnedNote = s.owned(res)
	}
	return c, serveError(err)
}

// PlanOptions is what a deployment plan tries and must serve.
type PlanOptions struct {
	Chips  []string // chips to try
	TP     []int    // tensor-parallel degrees (devices a replica, as --tp) to try
	Mixed  bool     // also prefill on one chip and decode on another
	Target float64  // requests per second to serve within the SLO
	Trace  []serve.Request
	Stop   func() error // every probe's serve.Options.Stop: its error ends the plan
}

// Plan is the cheapest-deployment table.
type Plan struct {
	Request SimulateRequest
	Target  float64
	Rows    []PlanRow
	Skipped []string
}

// ErrNoPlanMeets is a plan none of whose deployments meets the SLO.
var ErrNoPlanMeets = errors.New("no deployment meets the SLO")

// PlanDeployments sizes the cheapest deployment of r's model and traffic
// for o.Target: for each chip and TP degree (in devices, as --tp: a
// replica of a 910C, two devices a package, at tp 2 is one chip) one
// aggregated replica and disaggregated 1:1, 2:1 and 1:2 prefill:decode
// replicas (with o.Mixed, prefill on one chip and decode on another, 1:1
// and 2:1). A plan with no deployment meeting the SLO returns its rows
// with ErrNoPlanMeets; rows are ranked by the chips rented, each priced
// owned too.
func PlanDeployments(cat *catalog.Catalog, r SimulateRequest, o PlanOptions) (Plan, error) {
	out := Plan{Request: r, Target: o.Target}
	switch {
	case !(o.Target > 0) || math.IsInf(o.Target, 0):
		return out, bad("target_rate", o.Target, "want the requests per second to serve, a positive number")
	case r.SLO.TTFT == 0 && r.SLO.TPOT == 0:
		return out, missing("slo", "a TTFT and/or TPOT bound to plan for")
	}
	if err := o.check(cat); err != nil {
		return out, err
	}
	if err := r.planAlone(); err != nil {
		return out, err
	}
	if rateStated(r.Workload) {
		return out, bad("workload.rate", r.Workload.Rate, "a plan serves target_rate: leave the rate out")
	}
	r.Prefill, r.Mode = ServePool{}, ""
	if err := r.check(); err != nil {
		return out, err
	}
	if err := r.Unused(nil, nil, true); err != nil {
		return out, err
	}
	w, err := r.workloadOf(o.Trace)
	if err != nil {
		return out, err
	}
	pl := planner{cat: cat, r: r, priced: map[string][]pricedPool{}}
	for _, chip := range o.Chips {
		for _, tp := range o.TP {
			name := fmt.Sprintf("%s tp%d", chip, tp)
			if pl.unit(name, name+" aggregated", [2]string{"", chip}, tp) {
				pl.unit(name+" disaggregated", name+" disaggregated", [2]string{chip, chip}, tp, [2]int{1, 1}, [2]int{2, 1}, [2]int{1, 2})
			}
			for _, dec := range o.Chips {
				if o.Mixed && dec != chip {
					name := fmt.Sprintf("prefill %s, decode %s, tp%d", chip, dec, tp)
					pl.unit(name, name, [2]string{chip, dec}, tp, [2]int{1, 1}, [2]int{2, 1})
				}
			}
		}
	}
	out.Skipped = pl.skipped
	cands := pl.cands
	if len(cands) == 0 {
		return out, fmt.Errorf("no candidate deployment fits: %s", strings.Join(out.Skipped, "; "))
	}
	rows, err := serve.Cheapest(cands, w, o.Target, serve.CapacityOptions{SLO: r.slo(), Requests: r.probeRequests(), Stop: o.Stop})
	if err != nil {
		return out, serveError(err)
	}
	out.Rows = planRows(cat, rows, pl.priced)
	if !slices.ContainsFunc(rows, func(r serve.PlanRow) bool { return r.Meets }) {
		return out, fmt.Errorf("%w at %.6g requests/s (see the table)", ErrNoPlanMeets, o.Target)
	}
	return out, nil
}

// check refuses a plan's lists before anything is built: an empty
// entry, a chip or a degree listed twice (a duplicate row), a chip the
// catalog lacks (bad input, not a skipped candidate), a degree below 1.
func (o PlanOptions) check(cat *catalog.Catalog) error {
	list := strings.Join(o.Chips, ",")
	if len(o.Chips) == 0 {
		return missing("plan", "comma-separated chip ids to plan on")
	}
	for i, c := range o.Chips {
		switch {
		case c == "":
			return bad("plan", list, "entry %d is empty: want comma-separated chip ids", i+1)
		case slices.Index(o.Chips, c) < i:
			return bad("plan", list, "%s is listed twice: want each chip once", c)
		}
		if _, err := cat.Chip(c); err != nil {
			return &input.Error{Field: "plan", Value: c, Want: err.Error(), Err: err}
		}
	}
	for i, tp := range o.TP {
		switch {
		case tp < 1:
			return bad("plan_tp", tp, "want a positive tensor-parallel degree")
		case slices.Index(o.TP, tp) < i:
			return bad("plan_tp", tp, "listed twice: want each degree once")
		}
	}
	return nil
}

// planAlone refuses, beside a plan, what states one deployment: the plan
// picks the chip, the chips and the tensor parallelism of each candidate
// and tries aggregated and disaggregated pools itself, so a stated chip,
// layout, prefill pool or mode would be ignored (or, for a layout, make
// every candidate fail). The defaults (8 chips, pp 1) pass.
func (r SimulateRequest) planAlone() error {
	p, def := r.Parallel, NewSimulateRequest()
	for _, f := range []struct {
		name  string
		value any
		set   bool
	}{{"chip", r.Chip, r.Chip != ""}, {"chips", r.Chips, r.Chips != def.Chips}, {"parallel.tp", p.TP, p.TP != 0},
		{"parallel.pp", p.PP, p.PP > 1}, {"parallel.ep", p.EP, p.EP != 0}, {"parallel.dp", p.DP, p.DP != 0},
		{"parallel.attention_dp", p.AttentionDP, p.AttentionDP != 0}, {"mode", r.Mode, r.Mode != ""},
		{"prefill", nil, r.Prefill != (ServePool{})}} {
		if f.set {
			return bad(f.name, f.value, "states one deployment, which a plan sizes itself (each chip of the plan, replicas of plan_tp devices, aggregated and disaggregated): leave it out")
		}
	}
	return nil
}

// serveFields maps package serve's field names to the request's (serve
// names its Go structs: workload.prompt, .mean, process).
var serveFields = []struct{ from, to string }{
	{"deployment.router", "router"},
	{"deployment.decode_binding", "decode_binding"},
	{"workload.process", "workload.arrival"},
	{"workload.trace", "workload.arrival"},
	{"workload.prompt", "workload.input"},
}

// serveError renames the field of package serve's *input.Error (which
// serve returns unwrapped; an error serve wraps, such as an estimator's,
// keeps its field) to the request's.
func serveError(err error) error {
	fe, ok := err.(*input.Error)
	if !ok {
		return err
	}
	f := *fe
	for _, m := range serveFields {
		if f.Field == m.from || strings.HasPrefix(f.Field, m.from+".") {
			f.Field = m.to + strings.TrimPrefix(f.Field, m.from)
			break
		}
	}
	if strings.HasPrefix(f.Field, "workload.") && strings.HasSuffix(f.Field, ".mean") {
		f.Field = strings.TrimSuffix(f.Field, ".mean") + ".tokens"
	}
	if strings.HasSuffix(f.Field, ".engine.scheduler") {
		f.Field = "scheduler"
	}
	if fe.Field == "workload.trace" {
		f.Value, f.Want = serve.Trace, "want poisson, gamma, deterministic or offline (a trace replays from a file: chipgap simulate --trace)"
	}
	return &f
}

// SimulateView is POST /api/serve/simulate's answer: the pools as built, the result at Rate
// and its two charts (queue, KV use); for a sweep, every rate's result
// (without its time series) and a chart of latency against rate.
type SimulateView struct {
	Pools  []SimPool     `json:"pools"`
	Link   serve.Link    `json:"link"`
	Rate   float64       `json:"rate"`
	Result *serve.Result `json:"result"`
	// MeasuredBand: the one rate's (SimPoint.MeasuredBand), offline runs
	// of one pool only.
	MeasuredBand *MeasuredBand       `json:"measured_band,omitempty"`
	Charts       []Chart             `json:"charts"`
	Sweep        []SimulateViewPoint `json:"sweep,omitempty"`
	// Owned and OwnedNote: the picked rate's (SimPoint.Owned): Result's
	// cost is the chips rented.
	Owned     *OwnedCost `json:"owned_cost,omitempty"`
	OwnedNote string     `json:"owned_cost_note,omitempty"`
}

// SimulateViewPoint is one rate of a sweep.
type SimulateViewPoint struct {
	Rate      float64       `json:"rate"`
	Result    *serve.Result `json:"result"`
	Owned     *OwnedCost    `json:"owned_cost,omitempty"`
	OwnedNote string        `json:"owned_cost_note,omitempty"`
}

// View is the simulation as the API returns it: for a sweep (sweep true)
// every rate, the best one's result and charts.
func (s Simulation) View(sweep bool) SimulateView {
	v := SimulateView{Pools: s.Pools, Link: s.Link}
	var names []string
	for _, p := range s.Pools {
		names = append(names, p.Name)
	}
	for _, pt := range s.Points {
		v.Sweep = append(v.Sweep, SimulateViewPoint{Rate: pt.Rate, Result: pt.Result, Owned: pt.Owned, OwnedNote: pt.OwnedNote})
	}
	v.pick(names, sweep)
	if !sweep && len(s.Points) == 1 {
		v.MeasuredBand = s.Points[0].MeasuredBand
	}
	return v
}

// pick sets the response's result: the one rate simulated, or for a
// sweep the highest rate not overloaded (else the lowest), whose charts
// it draws; a sweep keeps its points without their time series, and adds
// a chart of latency against rate (when any rate keeps up).
func (r *SimulateView) pick(pools []string, sweep bool) {
	best := 0
	for i, pt := range r.Sweep {
		if pt.Result.Overload == nil && pt.Rate >= r.Sweep[best].Rate || r.Sweep[best].Result.Overload != nil && pt.Rate < r.Sweep[best].Rate {
			best = i
		}
	}
	r.Rate, r.Result = r.Sweep[best].Rate, r.Sweep[best].Result
	r.Owned, r.OwnedNote = r.Sweep[best].Owned, r.Sweep[best].OwnedNote
	q, kv := report.ServeCharts(r.Result, pools)
	r.Charts = []Chart{{Key: "queue", SVG: string(q)}, {Key: "kv", SVG: string(kv)}}
	if !sweep {
		r.Sweep = nil
		return
	}
	pts := make([]SimPoint, len(r.Sweep))
	for i, p := range r.Sweep {
		pts[i] = SimPoint{Rate: p.Rate, Result: p.Result}
	}
	if c := SweepChart(pts); c != nil {
		r.Charts = append(r.Charts, Chart{Key: "sweep", SVG: string(c)})
	}
	for i, pt := range r.Sweep {
		if i != best {
			res := *pt.Result
			res.Series = nil
			r.Sweep[i].Result = &res
		}
	}
}
