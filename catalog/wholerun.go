package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
	"chipgap/units"
)

// JobOptions overrides the run defaults of reliability.yaml when building
// a whole-run job; a zero field keeps the default.
type JobOptions struct {
	// Work is the steady-state compute time of the run (tokens ÷ tokens/s);
	// 0 with Horizon > 0 simulates a window of a run already under way.
	Work units.Seconds
	// Horizon bounds the simulated wall-clock window (0 = until Work is done).
	Horizon       units.Seconds
	BytesPerParam float64        // checkpoint bytes per parameter
	StorageBW     units.ByteRate // checkpoint write bandwidth
	Async         *bool          // asynchronous checkpoints (nil = the default)
	Interval      units.Seconds  // checkpoint interval (0 = Daly's)
	// Spares is the spare-server pool; nil means SparesPolicy.
	Spares *int
	// Engineering replaces the stack's porting and maturation overhead;
	// nil keeps the stack's (stacks-engineering.yaml).
	Engineering *goodput.Engineering
}

// Job assembles the goodput input for training model m on cluster cl from
// the stack's failure modes, its engineering overhead and the run defaults
// — the one place chipgap run, validate (chip_hours), the gap report and
// the web API get it from, so they cannot drift apart.
func (c *Catalog) Job(m llm.Model, cl hardware.Cluster, o JobOptions) (goodput.Job, error) {
	rel, err := c.Reliability()
	if err != nil {
		return goodput.Job{}, err
	}
	prof, err := rel.Profile(cl.Stack)
	if err != nil {
		return goodput.Job{}, err
	}
	eng, err := c.stackEngineering(cl.Stack, o.Engineering)
	if err != nil {
		return goodput.Job{}, err
	}
	d := rel.Defaults
	ck := goodput.Checkpoint{Bytes: units.Bytes(float64(m.Params().Total) * orDefault(o.BytesPerParam, float64(d.BytesPerParam.Typ))),
		StorageBW: d.StorageBW.Typ, SnapshotBW: d.SnapshotBW.Typ, Overhead: d.Overhead.Typ,
		Async: d.Async, Interval: o.Interval}
	if o.Async != nil {
		ck.Async = *o.Async
	}
	if o.StorageBW > 0 {
		ck.StorageBW = o.StorageBW
	}
	j := goodput.Job{Work: o.Work, Horizon: o.Horizon, Chips: cl.Chips, ChipsPerNode: cl.ChipsPerNode,
		Modes: prof.Modes, Checkpoint: ck, Engineering: eng,
		Spares: goodput.Spares{Swap: d.Swap.Typ, Repair: d.Repair.Typ}}
	if o.Work == 0 {
		j.Engineering = goodput.Engineering{} // a window of a run under way: porting is behind it
	}
	if o.Spares != nil {
		j.Spares.Nodes = *o.Spares
	} else {
		j.Spares.Nodes = SparesPolicy(j, d)
	}
	return j, j.Validate()
}

func (c *Catalog) stackEngineering(stack string, override *goodput.Engineering) (goodput.Engineering, error) {
	if override != nil {
		return *override, nil
	}
	engs, err := c.Engineering()
	if err != nil {
		return goodput.Engineering{}, err
	}
	return engs[stack].Engineering, nil
}

// SparesPolicy is the spare-server pool an operator keeps: the larger of
// the default fraction of the job's servers (servers of ServerChips chips,
// not scale-up domains: a CloudMatrix 384 is 48 servers) and the servers
// away for repair on average (Little's law) at the pessimistic end of the
// failure rates. With fewer, swaps queue for repaired servers and a large
// job with high failure rates stalls.
func SparesPolicy(j goodput.Job, d RunDefaults) int {
	server := max(1, min(j.ChipsPerNode, int(d.ServerChips.Typ)))
	servers := (j.Chips + server - 1) / server
	spares := int(math.Ceil(float64(d.SpareFraction.Typ) * float64(servers)))
	j.Spares.Nodes = max(spares, 1)
	if e, err := goodput.ClosedAt(j, goodput.High); err == nil && !math.IsNaN(e.InRepair) {
		spares = max(spares, int(math.Ceil(e.InRepair)))
	}
	return spares
}

func orDefault(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}

// Throughput is a whole run's steady-state training rate and where it
// came from.
type Throughput struct {
	TokensPerSec float64 `json:"tokens_per_s"`
	PerChip      float64 `json:"tokens_per_s_per_chip"`
	MFU          float64 `json:"mfu"`
	Source       string  `json:"source"`
	Plan         string  `json:"plan,omitempty"`
	// Best is the estimator's best plan, the one Plan names (nil where
	// the rate is not the estimator's): what a caller re-estimates on
	// other inputs (run's input ranges) without searching again.
	Best *parallel.Plan `json:"-"`
	// Scored is how the training estimator scores on published runs of
	// the chip's vendor and this kind of model (ScoreFor): nil where the
	// rate is not the estimator's (an assumed or fallback MFU) or no
	// regime scores it.
	Scored *Score `json:"scored,omitempty"`
}

// ThroughputRequest is what RunThroughput needs: the model on the
// cluster, the training job, and an MFU (0: search the plans) with the
// words saying where it came from ("--mfu", "request").
type ThroughputRequest struct {
	Model    llm.Model
	Cluster  hardware.Cluster
	Job      training.Job
	MFU      float64
	MFUFrom  string
	Progress func(done, total int)
	// Stop, if set, may end the plan search (training.SearchOptions.Stop);
	// its error is returned.
	Stop func() error
}

// RunThroughput is the steady-state tokens/s of a whole run — the one
// place chipgap run and the web API get it from: 6·N·D at the given MFU,
// else the training estimator's best plan within the stack's published
// practice, else, where the search estimated no plan at all (every plan
// of the space breaks a rule of the stack or the parallel layout), 6·N·D
// at the stack's labelled fallback MFU. Plans estimated that all run out
// of memory are no run, at an MFU too (it sets the rate, not the
// memory): an error wrapping training.ErrNoPlan that names the closest
// plan's shortfall. Bad input is an *input.Error (the job's fields, or
// "precision"); at an MFU the search's refusal of the job otherwise
// leaves the MFU to stand.
func (c *Catalog) RunThroughput(r ThroughputRequest) (Throughput, error) {
	prof, why, err := c.TrainingProfile(r.Cluster.Stack, "")
	if err != nil {
		return Throughput{}, err
	}
	res, err := training.Search(r.Model, r.Cluster, prof, r.Job, training.SearchOptions{Top: 1, Progress: r.Progress, Stop: r.Stop})
	if training.Stopped(err) {
		return Throughput{}, err
	}
	if r.MFU > 0 {
		// The search asks only whether any estimated plan fits: the rate
		// stays the assumed MFU's.
		if noneFits(res, err) {
			return Throughput{}, noFit(r, err, fmt.Sprintf(" (an assumed mfu, %g, sets the rate, not the memory)", r.MFU))
		}
		return sixND(r, r.MFU, fmt.Sprintf("6·N·D at an assumed MFU of %.2f (%s)", r.MFU, r.MFUFrom))
	}
	if err == nil && len(res.Top) > 0 {
		return c.estimated(r, res, why), nil
	}
	if fe := training.JobError(err); fe != nil {
		return Throughput{}, fe
	}
	if noneFits(res, err) {
		return Throughput{}, noFit(r, err, "")
	}
	eng, eerr := c.Engineering()
	if eerr != nil {
		return Throughput{}, eerr
	}
	f := float64(eng[r.Cluster.Stack].MFUFallback.Typ)
	return sixND(r, f, fmt.Sprintf("6·N·D at the %s fallback MFU %.2f (assumed; the training estimator found no plan: %v)", r.Cluster.Stack, f, err))
}

// estimated is the rate of the search's best plan, scored where a regime
// scores it (ScoreFor); why says which practice the profile is.
func (c *Catalog) estimated(r ThroughputRequest, res training.SearchResult, why string) Throughput {
	b := res.Best()
	best := b.Plan
	t := Throughput{TokensPerSec: b.TokensPerSec, PerChip: b.TokensPerSecPerChip, MFU: b.MFU,
		Source: "training estimator, best of " + strconv.Itoa(res.Evaluated) + " plans, " + why, Plan: b.PlanText, Best: &best}
	if sc, ok := c.ScoreFor(ScoreQuery{Kind: "training", Vendor: r.Cluster.Chip.Vendor, Family: Family(r.Cluster.Chip), Precision: string(r.Job.Precision), MoE: r.Model.MoE != nil, Chips: r.Cluster.Chips}); ok {
		t.Scored = &sc
	}
	return t
}

// noneFits is whether the search estimated plans and none fits in
// memory: no MFU makes the model fit, so there is no run to simulate.
func noneFits(res training.SearchResult, err error) bool {
	return errors.Is(err, training.ErrNoPlan) && res.Evaluated > 0
}

// noFit is noneFits' refusal, naming the model, the cluster and the
// search's shortfall (err), with tail after the advice.
func noFit(r ThroughputRequest, err error, tail string) error {
	return fmt.Errorf("%s on %d × %s: %w; want more chips (or chips with more memory), or a shorter seq or global_batch%s",
		cmp.Or(r.Model.ID, r.Model.Name), r.Cluster.Chips, r.Cluster.ChipID, err, tail)
}

// sixND is the tokens/s at MFU mfu: mfu × peak × chips ÷ (6 × active
// parameters) (Kaplan et al. 2020's 6·N FLOPs per token).
func sixND(r ThroughputRequest, mfu float64, source string) (Throughput, error) {
	peak, ok := r.Cluster.Chip.PeakFor(r.Job.Precision)
	if !ok {
		return Throughput{}, &input.Error{Field: "precision", Value: string(r.Job.Precision), Want: fmt.Sprintf("chip %s has no %s peak", r.Cluster.ChipID, r.Job.Precision)}
	}
	n := float64(r.Model.Params().Active)
	chips := float64(r.Cluster.Chips)
	tps := mfu * float64(peak.Typ) * chips / (6 * n)
	return Throughput{TokensPerSec: tps, PerChip: tps / chips, MFU: mfu, Source: source}, nil
}
