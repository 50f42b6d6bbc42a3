package calc

import (
	"errors"
	"fmt"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/uncertain"
	"chipgap/units"
)

// ServeRequest is the input of a serving estimate: `chipgap
// serve-estimate` (its flags, or one deployment of a scenario file), POST
// /api/infer/curve (Serve) and /api/infer/estimate (ServePointOf).
// NewServeRequest gives its defaults.
type ServeRequest struct {
	// Name labels the deployment in a comparison.
	Name string `json:"name" help:"a label for the deployment (a scenario file names each)"`
	ServeDeployment
	Mode     string        `json:"mode" help:"colocated, decode, prefill or disagg"`
	Workload ServeWorkload `json:"workload"`
	SLO      ServeSLO      `json:"slo"`
	// Batches are the curve's batch sizes per instance (nil: a doubling
	// grid up to the largest batch that fits); Batch is the one batch
	// ServePoint evaluates (0: the best under the SLO).
	Batches []int `json:"batches" help:"comma-separated batch sizes per instance for the curve (default: a doubling grid)"`
	Batch   int   `json:"batch" flag:"-"`
	// Region is the econ region of the owned cost (default: china for an
	// Ascend chip, else us).
	Region string `json:"region" help:"econ region for owned cost (us, us-colo, china, eu; default: china for Ascend, else us)"`
}

// ServeWorkload is the request shape: prompt and generated tokens.
type ServeWorkload struct {
	Input  int `json:"input_tokens" flag:"input" help:"prompt tokens per request"`
	Output int `json:"output_tokens" flag:"output" help:"generated tokens per request"`
	// Uniform: every request has exactly these lengths and all are queued
	// at once (an offline benchmark), so attention groups prefill and
	// refill in lockstep and a colocated step waits for no busiest group.
	Uniform bool `json:"uniform" flag:"uniform-lengths" help:"every request has exactly these lengths, all queued at once (an offline benchmark): attention-DP groups refill in lockstep, no wait for a busiest group (the steady state; chipgap simulate --arrival offline runs the finite benchmark, waves included)"`
}

// ServeSLO is the latency target (0: none).
type ServeSLO struct {
	TPOT units.Seconds `json:"tpot" unit:"required" help:"TPOT target, a duration with its unit, e.g. 50ms (0 = none)"`
	TTFT units.Seconds `json:"ttft" unit:"required" help:"TTFT target, a duration with its unit, e.g. 2s (0 = none)"`
}

// NewServeRequest is a request holding every default: what an absent
// flag, API field or scenario key means.
func NewServeRequest() ServeRequest {
	return ServeRequest{ServeDeployment: defaultServeDeployment(), Mode: "colocated", Workload: ServeWorkload{Input: 1024, Output: 256}}
}

// Label names the deployment: its name, else chips × chip.
func (r ServeRequest) Label() string {
	if r.Name != "" {
		return r.Name
	}
	return fmt.Sprintf("%d × %s", r.Chips, r.Chip)
}

// disagg is the estimate's mode of prefill and decode pools on the same
// deployment, sized for the mix (the estimator's modes plus this).
const disagg inference.Mode = "disagg"

// ServeSetup is a serving request resolved against the catalog.
type ServeSetup struct {
	Request    ServeRequest
	Deployment inference.Deployment
	Mode       inference.Mode // colocated, decode, prefill or disagg
	StackNote  string
	// layout is the layout the estimate runs, every degree resolved
	// (inference.Resolved.Parallel): what an answer echoes.
	layout inference.Parallel
	cat    *catalog.Catalog
}

// Setup resolves r against the catalog.
func (r ServeRequest) Setup(cat *catalog.Catalog) (ServeSetup, error) {
	s := ServeSetup{Request: r, cat: cat}
	if err := nonNegative(intField{"batch", r.Batch}); err != nil {
		return s, bad("batch", r.Batch, "want a positive batch size, or 0 for the best under the SLO")
	}
	if err := checkSLO(secondsField{"slo.tpot", r.SLO.TPOT}, secondsField{"slo.ttft", r.SLO.TTFT}); err != nil {
		return s, err
	}
	if err := checkTPOT("slo.tpot", r.SLO.TPOT); err != nil {
		return s, err
	}
	s.Mode = inference.Mode(r.Mode)
	if s.Mode != disagg {
		m, err := inference.ParseMode(r.Mode)
		if err != nil {
			return s, bad("mode", r.Mode, "want colocated, decode, prefill or disagg")
		}
		s.Mode = m
	}
	if r.Region != "" {
		data, err := cat.Econ()
		if err != nil {
			return s, err
		}
		if _, err := data.Region(r.Region); err != nil { // a value, not a resource: without catalog.ErrNotFound
			return s, &input.Error{Field: "region", Want: err.Error()}
		}
	}
	var err error
	s.Deployment, s.StackNote, err = r.resolve(cat)
	s.layout = resolvedLayout(s.Deployment)
	return s, err
}

// resolvedLayout is d's layout as the estimator resolves it, or as given
// where it does not resolve (the estimate then says why).
func resolvedLayout(d inference.Deployment) inference.Parallel {
	rs, err := inference.Resolve(d)
	if err != nil {
		return d.Parallel
	}
	return rs.Parallel()
}

// curveMode is the mode the curve is drawn in: a disaggregated estimate's
// is its decode pool's.
func (s ServeSetup) curveMode() inference.Mode {
	if s.Mode == disagg {
		return inference.Decode
	}
	return s.Mode
}

func (s ServeSetup) workload() inference.Workload {
	return inference.Workload{Input: s.Request.Workload.Input, Output: s.Request.Workload.Output, Uniform: s.Request.Workload.Uniform}
}

func (s ServeSetup) slo() inference.SLO {
	return inference.SLO{TPOT: s.Request.SLO.TPOT, TTFT: s.Request.SLO.TTFT}
}

// ServeHeader names what a serving answer is about (the API's envelopes
// begin with it).
type ServeHeader struct {
	Chip  string `json:"chip"`
	Model string `json:"model"`
	// Parallel is the layout the estimate ran, every degree resolved
	// (dp: the instances).
	Parallel inference.Parallel `json:"parallel"`
	Profile  string             `json:"profile"`
	// Engine is the id of the serving engine whose limits apply, where
	// the framework names one on this stack (vllm-ascend for vllm on an
	// Ascend chip), as validate's results name it.
	Engine    string `json:"engine,omitempty"`
	StackNote string `json:"stack_note,omitempty"`
	// Scored is how the serving estimator scores on published runs of the
	// chip's vendor and this kind of model (catalog scorecard.yaml).
	Scored *catalog.Score `json:"scored,omitempty"`
}

// Header is the setup's header.
func (s ServeSetup) Header() ServeHeader {
	d := s.Deployment
	return ServeHeader{Chip: d.Cluster.ChipID, Model: d.Model.ID, Parallel: s.layout, Profile: d.Profile.ID, Engine: d.Profile.EngineID,
		StackNote: s.StackNote, Scored: s.scored()}
}

// scored is the scorecard regime of the deployment's chip vendor, kind
// of model and serving engine, or nil.
func (s ServeSetup) scored() *catalog.Score {
	d := s.Deployment
	if s.cat == nil || d.Cluster.Chip == nil {
		return nil
	}
	sc, ok := s.cat.ScoreFor(catalog.ScoreQuery{Kind: "inference", Vendor: d.Cluster.Chip.Vendor, Family: catalog.Family(d.Cluster.Chip), MoE: d.Model.MoE != nil, Chips: d.Cluster.Chips, Method: "curve", Stack: d.Profile.ID, Engine: d.Profile.EngineID})
	if !ok {
		return nil
	}
	return &sc
}

// ServeEstimate is one deployment's serving estimate.
type ServeEstimate struct {
	Request   ServeRequest `json:"-"`
	ModelName string       `json:"model_name"`
	Stack     string       `json:"stack"`
	Engine    string       `json:"engine,omitempty"` // the id of the serving engine whose limits apply, where the software names one
	StackNote string       `json:"stack_note,omitempty"`
	// FP8BlockScale is the rate block-scaled FP8 GEMMs run at over
	// per-tensor ones where the deployment's do (inference.FP8BlockRate).
	FP8BlockScale float64 `json:"fp8_block_scale,omitempty"`
	// FP8ContextAttention is the rate prompt attention runs at over the
	// 16-bit rate where the engine runs it in FP8 (inference.FP8ContextRate);
	// 0 where it runs in 16 bits.
	FP8ContextAttention float64 `json:"fp8_context_attention,omitempty"`
	// Parallel is the layout the estimate ran, every degree resolved
	// (ServeHeader.Parallel).
	Parallel inference.Parallel `json:"parallel"`
	Devices  int                `json:"devices"`
	Memory   inference.Memory   `json:"memory_per_device"`
	KV       inference.KV       `json:"kv_cache_per_instance"`
	MaxBatch int                `json:"max_batch_per_instance"`
	// MaxBatchSizing is what sized MaxBatch: the KV context per sequence
	// (the mean where the cache grows as tokens are generated, the whole
	// context where the engine reserves it) or the engine limit that binds.
	MaxBatchSizing inference.BatchSizing `json:"max_batch_sizing"`
	Curve          []inference.Point     `json:"points"`
	SLO            inference.SLO         `json:"slo"`
	// Best is the highest-throughput point meeting the SLO; BestLow and
	// BestHigh the 10th and 90th percentile of its throughput over the
	// inputs' ranges (chip figures and stack parameters, bestRange); a
	// draw on which no batch meets the SLO, or on which the weights do not
	// fit (the low end of a chip's capacity range, e.g. the 910B's 32 GiB
	// SKU), counts as 0; BestNoFit is how many of the draws (rangeTrials)
	// the weights did not fit. NoBest says why
	// there is no best point (the curve still stands).
	Best      *inference.Point `json:"best"`
	BestLow   *float64         `json:"best_low"`
	BestHigh  *float64         `json:"best_high"`
	BestNoFit int              `json:"best_no_fit,omitempty"`
	// BestRangeNote says where the best point's throughput, an estimate
	// at typical values, lies outside its own BestLow–BestHigh (the
	// draws' P10–P90, kept as they are) and why (uncertain.Beside.Note);
	// "" where it lies inside. It words BestApart, the one decision the
	// text words too.
	BestRangeNote string `json:"best_range_note,omitempty"`
	// BestApart is where the best point's throughput lies beside
	// BestLow–BestHigh (uncertain.Beside.Apart), decided once in Serve.
	BestApart uncertain.Apart   `json:"-"`
	NoBest    string            `json:"best_error,omitempty"`
	Disagg    *inference.Disagg `json:"disagg,omitempty"`
	// DisaggError says why the pools could not be sized together (a pool
	// misses its latency target); the curve stands without them.
	DisaggError string     `json:"disagg_error,omitempty"`
	Cost        *ServeCost `json:"cost,omitempty"`
	CostNote    string     `json:"cost_note,omitempty"`
	// Energy is the best point's energy per token at the wall: it needs
	// the chip's power alone (econ: TDP × load × the server multiplier ×
	// PUE), not a price, so a chip the catalog prices neither way has it
	// too (CostNote then says which cost is missing and why).
	Energy *ServeEnergy `json:"energy,omitempty"`
	// Scored is how the serving estimator scores on published runs of the
	// chip's vendor and this kind of model (catalog scorecard.yaml).
	Scored *catalog.Score `json:"scored,omitempty"`
	// MeasuredBand is the 80 % band of what a source of the scored regime
	// measures where the estimator predicted the best point's tokens/s per
	// chip (output tokens; input tokens in prefill mode).
	MeasuredBand *MeasuredBand `json:"measured_band,omitempty"`
	// MeasuredBandNote says why a deployment in another mode than
	// colocated has no MeasuredBand where its regime's runs would give
	// one (ServeSetup.band).
	MeasuredBandNote string `json:"measured_band_note,omitempty"`
}

// bestRate is the best point's headline throughput per chip and its
// unit: output tokens, input tokens in prefill mode.
func (r ServeEstimate) bestRate() (float64, string) {
	if r.Request.Mode == "prefill" {
		return r.Best.InputPerChip, "input"
	}
	return r.Best.OutputPerChip, "output"
}

// ServeCost prices the best point's tokens (output tokens; input tokens
// in prefill mode): rented at the catalog's rate and owned (econ), each
// where the catalog has what it needs (a rental rate; a chip price), and
// at least one of them; each carries the energy per token.
type ServeCost struct {
	Region string          `json:"region"`
	Rental *inference.Cost `json:"rental,omitempty"`
	Owned  *inference.Cost `json:"owned,omitempty"`
}

// ServeEnergy is the energy per token (output tokens; input tokens in
// prefill mode) at Wall watts per chip: Wall ÷ tokens/s per chip.
type ServeEnergy struct {
	JoulesPerToken units.Joules `json:"joules_per_token"`
	Wall           units.Watts  `json:"wall_watts_per_chip"`
}

// serveEnergy is the energy per token at rate tokens/s per chip drawing
// wall watts (econ.PerMillionTokens, as a cost's energy is).
func serveEnergy(rate float64, wall units.Watts) (*ServeEnergy, error) {
	u, err := econ.PerMillionTokens(rate, 0, wall)
	if err != nil {
		return nil, err
	}
	return &ServeEnergy{JoulesPerToken: u.Energy / 1e6, Wall: wall}, nil
}

// energy is the cost whose energy per token and wall power the text
// prints: the owned one's, else the rented one's (the same power).
func (c ServeCost) energy() inference.Cost {
	if c.Owned != nil {
		return *c.Owned
	}
	return *c.Rental
}

// Serve estimates the deployment: memory and KV cache, the curve over
// batch sizes, the best point under the SLO with its range over the
// inputs' ranges and its cost and energy, and for disagg the pools' mix:
// `chipgap serve-estimate` and POST /api/infer/curve, the one estimate
// both give. Where the pools cannot be sized together (a pool misses its
// latency target) DisaggError says why, and the curve, the best point
// and its range stand without a cost; serve-estimate prints them and
// fails, as it does where no batch meets the SLO (NoBest).
func Serve(s ServeSetup) (ServeEstimate, error) {
	d, w, mode := s.Deployment, s.workload(), s.curveMode()
	r := s.base()
	if err := s.noBatch(); err != nil {
		return r, err
	}
	var err error
	if r.Memory, err = inference.MemoryUse(d); err != nil {
		return r, err
	}
	if r.KV, err = inference.KVCapacity(d); err != nil {
		return r, err
	}
	if r.MaxBatchSizing, err = inference.MaxBatchSizing(d, mode, w); err != nil {
		return r, renamed(err, estimatorFields)
	}
	r.MaxBatch = r.MaxBatchSizing.Sequences
	if err := s.curve(&r); err != nil {
		return r, err
	}
	if r.Best == nil {
		return r, nil
	}
	best := func(d inference.Deployment) (inference.Point, error) { return inference.Best(d, mode, w, r.SLO) }
	rg, err := s.pointRange(best, *r.Best, "best_low–best_high")
	if err != nil {
		return r, err
	}
	r.BestLow, r.BestHigh, r.BestNoFit, r.BestApart, r.BestRangeNote = rg.Low, rg.High, rg.NoFit, rg.apart, rg.Note
	r.Cost, r.Energy, r.CostNote = s.costs(s.rate(*r.Best), r.Disagg)
	return r, nil
}

// rate is a point's headline throughput per chip: output tokens, input
// tokens in prefill mode.
func (s ServeSetup) rate(p inference.Point) float64 {
	if s.curveMode() == inference.Prefill {
		return p.InputPerChip
	}
	return p.OutputPerChip
}

// PointRange is the 10th and 90th percentile of an operating point's
// throughput per chip (rate) over the inputs' ranges (chip figures and
// stack parameters, bestRange), the same question asked of each draw; a
// draw on which no batch meets the SLO, or on which the weights do not
// fit, counts as 0, NoFit of them the latter. Note says where the point's
// own rate, at typical values, lies outside Low–High and why.
type PointRange struct {
	Low   *float64 `json:"low"`
	High  *float64 `json:"high"`
	NoFit int      `json:"no_fit,omitempty"`
	Note  string   `json:"range_note,omitempty"`
	apart uncertain.Apart
}

// pointRange is the range of p's rate over the inputs' ranges, at asks
// each draw for the point (inference.ErrNoOperatingPoint: none, 0); the
// note names the range by label.
func (s ServeSetup) pointRange(at func(inference.Deployment) (inference.Point, error), p inference.Point, label string) (PointRange, error) {
	var g PointRange
	var err error
	if g.Low, g.High, g.NoFit, err = bestRange(s.cat, s.Deployment, func(d inference.Deployment) (float64, error) {
		q, err := at(d)
		if errors.Is(err, inference.ErrNoOperatingPoint) {
			return 0, nil // no batch meets the SLO on this draw
		}
		return s.rate(q), err
	}); err != nil {
		return g, err
	}
	g.apart = (uncertain.Beside{Typ: s.rate(p), Lo: *g.Low, Hi: *g.High}).Apart(uncertain.NearEnd)
	g.Note = g.apart.Note(typicalEstimate, label)
	return g, nil
}

// costs prices tokens at rate per chip (serveCosts), a disaggregated
// deployment's at its rate over both pools (dis); pools that could not
// be sized together (DisaggError says why) have no cost, nor has a
// stated batch in disaggregated mode: the pools are sized at their best,
// and their rate is not the batch's.
func (s ServeSetup) costs(rate float64, dis *inference.Disagg) (*ServeCost, *ServeEnergy, string) {
	switch {
	case s.Mode == disagg && s.Request.Batch > 0:
		return nil, nil, fmt.Sprintf("no cost or energy: the pools are sized at their best under the SLO, not at batch %d: leave batch out for the pools' price", s.Request.Batch)
	case dis != nil:
		rate = dis.OutputPerChip
	case s.Mode == disagg:
		return nil, nil, "no cost or energy: the pools cannot be sized together"
	}
	d := s.Deployment
	return serveCosts(s.cat, d, region(s.Request.Region, d.Cluster.Chip.Vendor), rate)
}

// typicalEstimate is what lies outside a band in uncertain.Apart.Note's
// words where an estimate at typical values does.
const typicalEstimate = uncertain.TypicalEstimate

// noBatch refuses the one batch of POST /api/infer/estimate (batch) where
// a curve is drawn over batches, which would ignore it.
func (s ServeSetup) noBatch() error {
	if b := s.Request.Batch; b != 0 {
		return bad("batch", b, "is the one batch POST /api/infer/estimate evaluates; the curve is drawn over batches (a list; serve-estimate --batches): leave it out")
	}
	return nil
}

func (s ServeSetup) base() ServeEstimate {
	d := s.Deployment
	return ServeEstimate{Request: s.Request, ModelName: d.Model.Name, Stack: d.Profile.ID, Engine: d.Profile.EngineID, StackNote: s.StackNote, FP8BlockScale: inference.FP8BlockRate(d), FP8ContextAttention: inference.FP8ContextRate(d), Parallel: s.layout,
		Devices: s.Request.Chips * max(d.Cluster.Chip.DevicesPerChip, 1), SLO: s.slo(), Scored: s.scored()}
}

// curve fills the curve and the best point; no batch meeting the SLO is
// NoBest, not an error.
func (s ServeSetup) curve(r *ServeEstimate) error {
	d, w, mode := s.Deployment, s.workload(), s.curveMode()
	var err error
	if r.Curve, err = inference.Curve(d, mode, w, r.SLO, s.Request.Batches); err != nil {
		return renamed(err, map[string]string{"input_tokens": "workload.input_tokens", "output_tokens": "workload.output_tokens", "batch": "batches"})
	}
	p, err := inference.Best(d, mode, w, r.SLO)
	switch {
	case errors.Is(err, inference.ErrNoOperatingPoint):
		r.NoBest = err.Error()
	case err != nil:
		return renamed(err, estimatorFields)
	default:
		r.Best = &p
		rate, _ := r.bestRate()
		r.MeasuredBand, r.MeasuredBandNote = s.band(r.Scored, rate)
	}
	if s.Mode == disagg {
		// The pools sized together: the curve's points are the decode
		// pool's, per decode chip; this is per chip over both.
		dis, err := s.pools()
		if errors.Is(err, inference.ErrNoOperatingPoint) {
			r.DisaggError = err.Error()
			return nil
		}
		if err != nil {
			return renamed(err, estimatorFields)
		}
		r.Disagg = &dis
	}
	return nil
}

// band is the measured band around the best point's rate in colocated
// mode. A regime's runs are colocated deployments (every regime with
// catalog.MinBandRuns runs or more scores offline benchmarks, each chip
// serving prompts and outputs alike): their errors say nothing of a
// prefill or decode pool's tokens/s per chip, nor of a disaggregated
// deployment's per decode chip or over both pools. In those modes it is
// nil, with a note saying why, where the regime would have given one.
func (s ServeSetup) band(sc *catalog.Score, rate float64) (*MeasuredBand, string) {
	b := measuredBand(sc, rate)
	if b == nil || s.Mode == inference.Colocated {
		return b, ""
	}
	runs := "are colocated offline benchmarks, and none measures"
	if sc.Select.Method != "offline" {
		runs = "are not told apart by mode, so none is known to measure"
	}
	what := map[inference.Mode]string{
		inference.Prefill: "a prefill pool's input tokens/s per chip",
		inference.Decode:  "a decode pool's output tokens/s per chip",
		disagg:            "a disaggregated deployment's output tokens/s, per decode chip or per chip over both pools",
	}[s.Mode]
	return nil, fmt.Sprintf("No measured band: the %d runs scored above %s %s", sc.Runs, runs, what)
}

// pools sizes the disaggregated pools together under the SLO.
func (s ServeSetup) pools() (inference.Disagg, error) {
	return inference.Disaggregate(s.Deployment, s.Deployment, s.workload(), s.slo())
}

// ServePoint is one operating point with the deployment's memory use,
// its throughput's range over the inputs' ranges (the point asked again
// of each draw: the best under the SLO, or the stated batch) and its cost
// and energy, as Serve gives the best point's (none for a stated batch
// in disaggregated mode: costs).
type ServePoint struct {
	Point inference.Point `json:"point"`
	PointRange
	Memory inference.Memory `json:"memory"`
	KV     inference.KV     `json:"kv"`
	// Disagg is, in disaggregated mode, the two pools sized together
	// (Point is the decode pool's, per decode chip), or DisaggError why
	// they cannot be.
	Disagg      *inference.Disagg `json:"disagg,omitempty"`
	DisaggError string            `json:"disagg_error,omitempty"`
	Cost        *ServeCost        `json:"cost,omitempty"`
	CostNote    string            `json:"cost_note,omitempty"`
	Energy      *ServeEnergy      `json:"energy,omitempty"`
}

// ServePointOf evaluates the request's batch (0: the best under the SLO,
// inference.ErrNoOperatingPoint when no batch meets it): POST
// /api/infer/estimate. At batch 0 its point, range and cost are Serve's
// best point's.
func ServePointOf(s ServeSetup) (ServePoint, error) {
	d, w, mode := s.Deployment, s.workload(), s.curveMode()
	var out ServePoint
	if bs := s.Request.Batches; len(bs) > 0 {
		return out, bad("batches", bs, "are the batch sizes of the curve (POST /api/infer/curve); an estimate evaluates one batch: give batch (0 or absent: the best under the SLO)")
	}
	at := func(d inference.Deployment) (inference.Point, error) { return inference.Best(d, mode, w, s.slo()) }
	if b := s.Request.Batch; b > 0 {
		at = func(d inference.Deployment) (inference.Point, error) {
			pts, err := inference.Curve(d, mode, w, s.slo(), []int{b})
			if err != nil {
				return inference.Point{}, err
			}
			return pts[0], nil
		}
	}
	var err error
	if out.Point, err = at(d); err != nil {
		return out, renamed(err, estimatorFields)
	}
	if out.Memory, err = inference.MemoryUse(d); err != nil {
		return out, err
	}
	if s.Mode == disagg {
		dis, err := s.pools()
		switch {
		case errors.Is(err, inference.ErrNoOperatingPoint):
			out.DisaggError = err.Error()
		case err != nil:
			return out, renamed(err, estimatorFields)
		default:
			out.Disagg = &dis
		}
	}
	if out.KV, err = inference.KVCapacity(d); err != nil {
		return out, err
	}
	if out.PointRange, err = s.pointRange(at, out.Point, "low–high"); err != nil {
		return out, err
	}
	out.Cost, out.Energy, out.CostNote = s.costs(s.rate(out.Point), out.Disagg)
	return out, nil
}

// serveCosts prices tokens at rate per chip: the catalog's rental rate and
// an owned chip-hour in region (econ), with power at the wall. The energy
// and the rented cost need the chip's TDP (and a rental rate); only the
// owned cost needs its price too: a chip without one (the H800) is priced
// rented, with a note why it has no owned cost. A cost that cannot be had
// at all is a note, not an error, naming each missing cost and why; the
// energy per token stands without either (the B300, Gaudi 2, MI350X).
func serveCosts(cat *catalog.Catalog, d inference.Deployment, region string, rate float64) (*ServeCost, *ServeEnergy, string) {
	ch := d.Cluster.Chip
	data, err := cat.Econ()
	if err != nil {
		return nil, nil, err.Error()
	}
	pw, err := data.WallPower(ch, region, uncertain.Typical())
	if err != nil {
		return nil, nil, fmt.Sprintf("no cost or energy: %v", err)
	}
	wall := pw.Wall()
	e, err := serveEnergy(rate, wall)
	if err != nil {
		return nil, nil, fmt.Sprintf("no cost or energy: %v", err)
	}
	c := &ServeCost{Region: region}
	if ch.Rental.Known() {
		if rc, err := inference.TokenCost(rate, ch.Rental.Typ, wall); err == nil {
			c.Rental = &rc
		}
	}
	owned, err := ownedTokenCost(data, ch, region, rate)
	switch {
	case err == nil:
		c.Owned = &owned
		return c, e, ""
	case c.Rental == nil:
		return nil, e, fmt.Sprintf("no cost: no owned cost (%v) and no rented cost (the chip has no rental rate in chips.yaml)", err)
	}
	return c, e, fmt.Sprintf("no owned cost: %v", err)
}

// ownedTokenCost prices tokens at rate per chip on an owned chip-hour in
// region (ownedChipHour).
func ownedTokenCost(data *catalog.EconData, ch *hardware.Chip, region string, rate float64) (inference.Cost, error) {
	h, wall, err := ownedChipHour(data, ch, region)
	if err != nil {
		return inference.Cost{}, err
	}
	return inference.TokenCost(rate, h, wall)
}

// ownedChipHour is an owned chip-hour in region (econ: the chip's price
// and TDP) and the chip's power at the wall: the one owned price of a
// chip, serve-estimate's and simulate's.
func ownedChipHour(data *catalog.EconData, ch *hardware.Chip, region string) (units.USDPerHour, units.Watts, error) {
	o, err := data.Ownership(ch, region, uncertain.Typical())
	if err != nil {
		return 0, 0, err
	}
	h, err := econ.OwnedHour(o)
	if err != nil {
		return 0, 0, err
	}
	return h.Total(), o.Power.Wall(), nil
}
