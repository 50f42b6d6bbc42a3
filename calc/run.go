package calc

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/training"
	"chipgap/units"
)

// RunRequest is the input of a whole training run (Run): `chipgap run`'s
// flags and its --scenario file (the yaml names, which are the json
// names), and POST /api/run/simulate's body.
type RunRequest struct {
	Model        string `json:"model" yaml:"model" help:"model preset id (chipgap models)"`
	Chip         string `json:"chip" yaml:"chip" help:"chip id (chipgap chips)"`
	Chips        int    `json:"chips" yaml:"chips" help:"chips in the job"`
	ChipsPerNode int    `json:"chips_per_node" yaml:"chips_per_node" help:"scale-up domain of --chip's cluster, at most the chips and a divisor of them (0 = the largest divisor of the chips up to the chip's usual node: 12 H100s are 2 nodes of 6)"`
	Stack        string `json:"stack" yaml:"stack" help:"software stack id (default: the chip's)"`
	Precision    string `json:"precision" yaml:"precision" help:"training precision: bf16, fp16, fp8 or fp4 (default bf16)"`
	// Tokens runs to completion of this budget; Days simulates a window
	// of a run under way; with both, whichever ends first.
	Tokens      units.Count `json:"tokens" yaml:"tokens" help:"token budget of the run (e.g. 15.6e12 or 15.6T; at most ten years of failure-free compute)"`
	Days        Days        `json:"days" yaml:"days" help:"simulate a window of this many days, at most 3650 (a bare number is days; or a duration, e.g. 1296h)"`
	Seq         int         `json:"seq,omitempty" yaml:"seq" zero:"default" help:"sequence length (training estimator; default 8192, Llama 3 405B's)"`
	GlobalBatch int         `json:"global_batch,omitempty" yaml:"global_batch" zero:"default" help:"global batch in sequences (training estimator; default 2048: Llama 3 405B's 16M tokens at seq 8192)"`
	// MFU, when set, replaces the training estimator: 6·N·D at this MFU.
	MFU   float64 `json:"mfu" yaml:"mfu" help:"assumed model FLOPs utilisation; the rate is 6·N·D ÷ MFU·peak, not the training estimator's (a plan must still fit in memory)"`
	Seeds int     `json:"seeds,omitempty" yaml:"seeds" zero:"default" help:"simulated runs (default 100)"`
	Seed  uint64  `json:"seed,omitempty" yaml:"seed" zero:"default" help:"base random seed (default 1; same seed, same output)"`
	// Ranges draws the catalog's ranged inputs once per seed (default:
	// typical values, the seeds vary only the failures).
	Ranges        bool           `json:"ranges" yaml:"ranges" help:"also draw failure rates, detection and restart times and engineering effort from their [min, typ, max] ranges, once per seed (default: typical values; seeds vary only the failures); the throughput stays typical (the input ranges line draws it)"`
	Checkpoint    string         `json:"checkpoint" yaml:"checkpoint" help:"async or blocking (default: the catalog's)"`
	Interval      units.Seconds  `json:"interval" yaml:"interval" help:"checkpoint interval of productive compute, a duration with its unit (30min, 2h; a bare number is seconds, unlike days; 0 = Daly's optimum)"`
	StorageBW     units.ByteRate `json:"storage_bw" yaml:"storage_bw" help:"aggregate checkpoint write bandwidth (e.g. 2TB/s; 0 = catalog default)"`
	BytesPerParam float64        `json:"bytes_per_param" yaml:"bytes_per_param" help:"checkpoint bytes per parameter (0 = catalog default, 14)"`
	// Spares absent (or -1) is the catalog's policy (catalog.SparesPolicy).
	Spares *int `json:"spares" yaml:"spares" help:"spare servers (default or -1: the catalog's fraction of the job's servers, at least the servers away for repair at the pessimistic failure rates)"`
	// VS compares with a second cluster, CHIP or CHIP:N (N wins over
	// VSChips; with neither it has Chips chips), on the same model and
	// token budget.
	VS      string  `json:"vs" yaml:"vs" help:"compare with CHIP[:N] (same model and tokens; N defaults to --vs-chips, else --chips)"`
	VSChips int     `json:"vs_chips" yaml:"vs_chips" help:"chips of the --vs cluster (0 = --chips)"`
	VSMFU   float64 `json:"vs_mfu" yaml:"vs_mfu" help:"assumed MFU for the --vs cluster (0 = training estimator)"`
	// SeedCap bounds the seeds below input.MaxRunSeeds (a server's
	// max_samples).
	SeedCap Cap `json:"-" yaml:"-"`
}

// maxRunDays bounds a window and a run's failure-free compute (ten
// years; input.MaxRunDays, which sweep applies too).
const maxRunDays = input.MaxRunDays

// daysRule is the one rule of a window's days, whichever check refuses
// them: a number whose duration overflows (setDays), or one that is not
// finite, negative or too long (normalize).
func daysRule() string {
	return fmt.Sprintf("want 0 to %d days (ten years)", maxRunDays)
}

// Days is a duration whose bare number means days (--days 54, "days": 54,
// days: 54); with a unit it is any duration ("54d", "1296h").
type Days units.Seconds

func (d *Days) UnmarshalText(b []byte) error {
	if v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64); err == nil {
		return d.setDays(v, string(b))
	}
	s, err := units.ParseSeconds(string(b))
	*d = Days(s)
	return err // a *units.ParseError, so that a file's decoder names the line and field
}

// setDays sets d to v days, sent as text; a number of days whose
// duration overflows (1e308) is a *units.ParseError quoting text, as the
// range check (normalize) could only quote +Inf.
func (d *Days) setDays(v float64, text string) error {
	s := units.Seconds(v) * units.Day
	if !math.IsNaN(v) && math.IsInf(float64(s), 0) {
		return &units.ParseError{Kind: "number of days", Input: text, Rule: daysRule()}
	}
	*d = Days(s)
	return nil
}

// UnmarshalJSON takes a number of days or a duration string. A number
// out of range is an *input.Error naming days and quoting what was sent
// (a string's error is found by its text, calc.DecodeJSON).
func (d *Days) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		u, err := strconv.Unquote(s)
		if err != nil {
			return fmt.Errorf("want a number of days or a duration string")
		}
		return d.UnmarshalText([]byte(u))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%s: want a number of days or a duration string", s)
	}
	if pe, ok := d.setDays(v, s).(*units.ParseError); ok {
		return bad("days", s, "%s", pe.Rule)
	}
	return nil
}

func (d Days) MarshalText() ([]byte, error) { return units.Seconds(d).MarshalText() }

func (d Days) String() string { return units.Seconds(d).String() }

// check applies the request's own limits and fills its defaults.
func (r *RunRequest) normalize() error {
	days := units.Seconds(r.Days)
	if err := requireSystem(r.Model, r.Chip, r.Chips); err != nil {
		return err
	}
	switch {
	case r.Chips > input.MaxSimulatedChips:
		return bad("chips", r.Chips, "want 1 to %d (the failures simulated grow with the cluster)", input.MaxSimulatedChips)
	case r.VSChips > input.MaxSimulatedChips:
		return bad("vs_chips", r.VSChips, "want 1 to %d", input.MaxSimulatedChips)
	case r.StorageBW != 0 && r.StorageBW < 1e6:
		return bad("storage_bw", r.StorageBW, "want 0 (the catalog's default) or at least 1MB/s")
	case r.ChipsPerNode < 0:
		return bad("chips_per_node", r.ChipsPerNode, "want ≥ 1 (0 = the largest divisor of the chips up to the chip's usual node)")
	case !(r.Tokens >= 0) || math.IsInf(float64(r.Tokens), 0):
		return bad("tokens", r.Tokens, "want ≥ 0")
	case !(days >= 0 && days.Days() <= maxRunDays): // NaN too
		return bad("days", r.Days, "%s", daysRule())
	case r.Tokens == 0 && days == 0:
		return &input.Error{Field: "tokens", Want: "give tokens (run to completion) or days (a window), or both"}
	case !(r.MFU >= 0 && r.MFU <= 1):
		return bad("mfu", r.MFU, "want a fraction in (0, 1] (0 = the training estimator)")
	case !(r.VSMFU >= 0 && r.VSMFU <= 1):
		return bad("vs_mfu", r.VSMFU, "want a fraction in (0, 1] (0 = the training estimator)")
	case r.Checkpoint != "" && r.Checkpoint != "async" && r.Checkpoint != "blocking":
		return bad("checkpoint", r.Checkpoint, "want async or blocking")
	case math.IsNaN(float64(r.Interval)) || math.IsInf(float64(r.Interval), 0):
		return bad("interval", r.Interval, "want a finite duration")
	case r.Interval < 0:
		return bad("interval", r.Interval, "want ≥ 0 (0 = Daly's optimum)")
	case r.Interval.Days() > maxRunDays:
		return bad("interval", r.Interval, "want at most %d days (ten years)", maxRunDays)
	case math.IsNaN(float64(r.StorageBW)) || math.IsInf(float64(r.StorageBW), 0):
		return bad("storage_bw", r.StorageBW, "want a finite bandwidth")
	case r.StorageBW < 0:
		return bad("storage_bw", r.StorageBW, "want ≥ 0 (0 = catalog default)")
	case r.Spares != nil && *r.Spares < -1:
		return bad("spares", *r.Spares, "want ≥ 0 (-1 or absent = the catalog's fraction)")
	case r.VSChips < 0:
		return bad("vs_chips", r.VSChips, "want ≥ 1 (0 = chips)")
	case r.Seq < 0 || r.Seq > input.MaxSeq:
		return bad("seq", r.Seq, "want 1 to %d tokens (absent: %d)", input.MaxSeq, training.DefaultSeq)
	case r.GlobalBatch < 0 || r.GlobalBatch > input.MaxGlobalBatch:
		return bad("global_batch", r.GlobalBatch, "want 1 to %d sequences (absent: %d)", input.MaxGlobalBatch, training.DefaultGlobalBatch)
	case r.Stack != "" && !slices.Contains(catalog.Stacks(), r.Stack):
		return bad("stack", strconv.Quote(r.Stack), "want one of %s", strings.Join(catalog.Stacks(), ", "))
	}
	if err := finite("bytes_per_param", r.BytesPerParam); err != nil || r.BytesPerParam > 64 {
		return bad("bytes_per_param", r.BytesPerParam, "want 0 (the catalog's 14) to 64 checkpoint bytes per parameter")
	}
	if _, err := hardware.ParsePrecisionOf(cmp.Or(r.Precision, "bf16"), training.Precisions()...); err != nil {
		return bad("precision", r.Precision, "%v", err)
	}
	if err := r.vs(); err != nil {
		return err
	}
	if r.Spares != nil && *r.Spares == -1 {
		r.Spares = nil
	}
	r.VSChips = cmp.Or(r.VSChips, r.Chips)
	r.Precision = cmp.Or(r.Precision, "bf16")
	r.Seq, r.GlobalBatch = cmp.Or(r.Seq, training.DefaultSeq), cmp.Or(r.GlobalBatch, training.DefaultGlobalBatch)
	if limit, note := r.SeedCap.bound(input.MaxRunSeeds); r.Seeds == 0 && defaultSeeds > limit {
		return &input.Error{Field: "seeds", Want: fmt.Sprintf("absent, the default %d is over 1 to %d%s: state the seeds", defaultSeeds, limit, note)}
	} else if r.Seeds < 0 || r.Seeds > limit {
		return bad("seeds", r.Seeds, "want 1 to %d%s (absent: %d)", limit, note, defaultSeeds)
	}
	r.Seeds, r.Seed = cmp.Or(r.Seeds, defaultSeeds), cmp.Or(r.Seed, 1)
	return nil
}

// defaultSeeds is a whole-run simulation's runs when the request names none.
const defaultSeeds = 100

// RunSetup is a whole-run request checked and resolved against the
// catalog: the model and each cluster (the second for a comparison).
type RunSetup struct {
	cat   *catalog.Catalog
	req   RunRequest // normalized
	Sides []RunSide  // --chip's cluster, then --vs's
}

// vs checks and splits the comparison (CHIP:N); vs_chips and vs_mfu
// describe its cluster, so without vs they would be ignored: refused.
func (r *RunRequest) vs() error {
	switch {
	case r.VS == "" && r.VSChips != 0:
		return bad("vs_chips", r.VSChips, "sizes the comparison cluster: it needs vs CHIP")
	case r.VS == "" && r.VSMFU != 0:
		return bad("vs_mfu", r.VSMFU, "is the comparison cluster's MFU: it needs vs CHIP")
	}
	if id, n, ok := strings.Cut(r.VS, ":"); ok {
		c, err := strconv.Atoi(n)
		if err != nil || c < 1 {
			return bad("vs", strconv.Quote(r.VS), "want CHIP or CHIP:N with N ≥ 1")
		}
		if r.VSChips != 0 && r.VSChips != c {
			// Two sizes for one cluster: neither silently wins.
			return bad("vs_chips", r.VSChips, "sizes the comparison cluster, which vs %s sizes at %d chips: give one of them", strconv.Quote(r.VS), c)
		}
		r.VS, r.VSChips = id, c
	}
	if r.VS != "" && r.Tokens == 0 {
		return &input.Error{Field: "vs", Want: "needs tokens: the comparison is of one token budget"}
	}
	return nil
}

// Seeds is the number of simulated runs per cluster.
func (s RunSetup) Seeds() int { return s.req.Seeds }

// Setup checks r and resolves its model and clusters (cheap: the
// training estimator and the simulation run in Run).
func (r RunRequest) Setup(cat *catalog.Catalog) (RunSetup, error) {
	job := r.jobText() // before normalize fills the defaults
	if err := r.normalize(); err != nil {
		return RunSetup{}, err
	}
	m, err := cat.Model(r.Model)
	if err != nil {
		return RunSetup{}, lookup("model", err)
	}
	s := RunSetup{cat: cat, req: r}
	a, err := r.side(cat, m, sideSpec{"chip", r.Chip, r.Chips, r.ChipsPerNode, r.MFU})
	if err != nil {
		return s, err
	}
	s.Sides = append(s.Sides, a)
	if r.VS != "" {
		b, err := r.side(cat, m, sideSpec{"vs", r.VS, r.VSChips, 0, r.VSMFU})
		if err != nil {
			return s, err
		}
		s.Sides = append(s.Sides, b)
	}
	for i := range s.Sides {
		s.Sides[i].job = job(r)
	}
	return s, nil
}

// jobText returns the words for the training job of r once normalized:
// its sequence length, global batch and precision, each marked where it
// is the default (r as given, before normalize).
func (r RunRequest) jobText() func(RunRequest) string {
	seq, batch, prec := r.Seq != 0, r.GlobalBatch != 0, r.Precision != ""
	return func(n RunRequest) string {
		return fmt.Sprintf("seq %d%s, global batch %d%s, %s%s", n.Seq, defaultMark(seq), n.GlobalBatch, defaultMark(batch), n.Precision, defaultMark(prec))
	}
}

// defaultMark marks a job's figure the request did not give: chipgap
// run's and train's text say which of seq and global batch are the
// defaults (training.DefaultSeq, DefaultGlobalBatch).
func defaultMark(given bool) string {
	if given {
		return ""
	}
	return " (default)"
}

// sideSpec is one cluster as the request states it; field names its
// chip in errors.
type sideSpec struct {
	field, chip    string
	chips, perNode int
	mfu            float64
}

// side resolves one cluster.
func (r RunRequest) side(cat *catalog.Catalog, m llm.Model, sp sideSpec) (RunSide, error) {
	if _, err := cat.Chip(sp.chip); err != nil {
		return RunSide{}, lookup(sp.field, err)
	}
	cl, err := cat.Cluster(sp.chip, sp.chips, catalog.ClusterOptions{Stack: r.Stack, ChipsPerNode: sp.perNode, WholeNodes: true})
	if err != nil {
		return RunSide{}, clusterError(err, sp.chips)
	}
	if r.Spares != nil && *r.Spares > cl.Nodes() {
		// Each spare is simulated as a server of its own: more spares
		// than the job has servers is no policy anyone runs, and an
		// unbounded count is unbounded work.
		return RunSide{}, bad("spares", *r.Spares, "want at most the %d servers of %d × %s (-1 or absent = the catalog's fraction)", cl.Nodes(), cl.Chips, cl.ChipID)
	}
	rel, err := cat.Reliability()
	if err != nil {
		return RunSide{}, err
	}
	prof, err := rel.Profile(cl.Stack)
	if err != nil {
		return RunSide{}, lookup("stack", err)
	}
	return RunSide{Model: m, Cluster: cl, Counts: prof.Counts, mfu: sp.mfu, tokens: float64(r.Tokens), window: r.Days,
		seq: r.Seq, globalBatch: r.GlobalBatch}, nil
}

// RunSide is one cluster of a whole run: what it is, its steady-state
// rate, the goodput job assembled from the catalog, and what the
// simulation found.
type RunSide struct {
	Model      llm.Model
	Cluster    hardware.Cluster
	Throughput catalog.Throughput
	Job        goodput.Job
	Counts     []float64 // the record's interruptions per mode (cuda), for the cause mix
	Result     goodput.Result
	Samples    []goodput.Estimate   // with Checks: the closed form over draws of the input ranges
	Rates      []float64            // with Checks and a token budget: the tokens/s of each of Samples' draws
	Sweep      []goodput.SweepPoint // with Checks: ½×, 1× and 2× the Daly interval, simulated
	mfu        float64              // the assumed MFU (0: the training estimator)
	tokens     float64
	window     Days
	job        string // the training job's seq, global batch and precision, in words
	// seq, globalBatch: the training job's (the request's, or the
	// defaults).
	seq, globalBatch int
}

// RunOptions steer Run; the zero value simulates only.
type RunOptions struct {
	// MFUFrom names where an assumed MFU came from in the throughput's
	// source ("--mfu", "request").
	MFUFrom string
	// Checks adds the closed form over draws of the input ranges and the
	// simulated check of the checkpoint interval (chipgap run).
	Checks bool
	// Progress reports the training estimator's plan shapes.
	Progress func(done, total int)
	// Stop, when set, may end the plan search and the simulation (a
	// server's deadline or a cancelled job): goodput.Options.Stop asks it
	// every few thousand simulated events.
	Stop func() error
	// Admit, when set, vets each cluster's assembled job before it is
	// simulated (a server's deadline and progress).
	Admit func(RunSide) error
	// MaxEvents, when > 0, bounds the simulated work (MaxRunEvents: the
	// seeds run × goodput.EventBound of each cluster's job, the interval
	// check's included); Lift, when
	// set, is appended to the refusal (how the caller lifts it).
	MaxEvents float64
	Lift      string
	// Simulated reports the seeds simulated, done of total (the
	// interval check's included).
	Simulated func(done, total int)
}

// rangeSamples is how many draws of the input ranges the closed form
// is evaluated on (about a millisecond per thousand).
const rangeSamples = 2000

// sweepSeeds bounds the seeds of the interval check (three extra runs).
const sweepSeeds = 30

// sweepFactors are the interval check's multiples of the Daly interval.
var sweepFactors = []float64{0.5, 1, 2}

// Run is the whole training run on each cluster of s: the steady-state
// rate (catalog.RunThroughput: 6·N·D at an assumed MFU, else the
// training estimator's best plan, else, where no plan of the space is
// valid, the stack's fallback MFU; none fitting in memory is an error
// wrapping training.ErrNoPlan), the
// goodput job (catalog.Job: failure modes, checkpoints, spares, porting
// and maturation), simulated over the seeds (goodput.Simulate).
func Run(s RunSetup, o RunOptions) (RunResult, error) {
	r := s.req
	sides := slices.Clone(s.Sides)
	for i := range sides {
		if err := s.assemble(&sides[i], o); err != nil {
			return RunResult{}, err
		}
	}
	if err := s.admit(sides, o); err != nil {
		return RunResult{}, err
	}
	tick := s.ticker(len(sides), o)
	for i := range sides {
		d := &sides[i]
		if o.Admit != nil {
			if err := o.Admit(*d); err != nil {
				return RunResult{}, err
			}
		}
		var err error
		if d.Result, err = goodput.Simulate(d.Job, goodput.Options{Seeds: r.Seeds, Seed: r.Seed, Ranges: r.Ranges, Progress: tick, Stop: o.Stop}); err != nil {
			return RunResult{}, err
		}
		if !o.Checks {
			continue
		}
		if d.Rates, err = s.rateDraws(*d, rangeSamples, r.Seed); err != nil {
			return RunResult{}, err
		}
		if d.Samples, err = goodput.ClosedSamplesOf(d.Job, d.worksOf(d.Rates, rangeSamples), r.Seed); err != nil {
			return RunResult{}, err
		}
		if d.Sweep, err = goodput.Sweep(d.Job, sweepFactors, goodput.Options{Seeds: min(r.Seeds, sweepSeeds), Seed: r.Seed, Progress: tick, Stop: o.Stop}); err != nil {
			return RunResult{}, err
		}
	}
	out := RunResult{A: sides[0]}
	if len(sides) > 1 {
		out.B = &sides[1]
	}
	return out, nil
}

// assemble finds one cluster's rate and builds its goodput job.
func (s RunSetup) assemble(d *RunSide, o RunOptions) error {
	r := s.req
	t, err := s.cat.RunThroughput(catalog.ThroughputRequest{Model: d.Model, Cluster: d.Cluster, MFU: d.mfu, MFUFrom: o.MFUFrom,
		Job: training.Job{Seq: r.Seq, GlobalBatch: r.GlobalBatch, Precision: hardware.Precision(r.Precision)}, Progress: o.Progress, Stop: o.Stop})
	if err != nil {
		return err // an *input.Error names the job's field (seq, global_batch, precision)
	}
	d.Throughput = t
	jo := catalog.JobOptions{Horizon: units.Seconds(r.Days), BytesPerParam: r.BytesPerParam, StorageBW: r.StorageBW, Interval: r.Interval, Spares: r.Spares}
	if r.Tokens > 0 {
		// One step before the job is built (tooShort holds the budget to
		// the checkpoint interval after): a budget too small to have
		// compute (1e-320 tokens) read as no work there.
		if err := stepFloor(r.GlobalBatch, r.Seq, d.Cluster, t.TokensPerSec).tokens(r.Tokens, float64(r.Tokens)); err != nil {
			return err
		}
		jo.Work = units.Seconds(float64(r.Tokens) / t.TokensPerSec)
		if err := input.TokenBudget("tokens", r.Tokens, float64(r.Tokens), t.TokensPerSec, clusterText(d.Cluster)); err != nil {
			return err
		}
	}
	if r.Checkpoint != "" {
		async := r.Checkpoint == "async"
		jo.Async = &async
	}
	if d.Job, err = s.cat.Job(d.Model, d.Cluster, jo); err != nil {
		return r.jobError(err)
	}
	return r.tooShort(*d)
}

// jobError names the request's field behind a goodput field error when
// the request set it (interval, storage_bw), else keeps goodput's field.
func (r RunRequest) jobError(err error) error {
	var ge *input.Error
	if errors.As(err, &ge) {
		switch {
		case ge.Field == "checkpoint.interval" && r.Interval != 0:
			return bad("interval", ge.Value, "%s", ge.Want)
		case ge.Field == "checkpoint.storage_bw" && r.StorageBW != 0:
			return bad("storage_bw", ge.Value, "%s", ge.Want)
		}
	}
	return err
}

// RunResult is a whole run (A) or a comparison (A against B).
type RunResult struct {
	A RunSide
	B *RunSide
}
