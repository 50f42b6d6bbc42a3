package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/training"
	"chipgap/units"
)

const runUsage = `Usage: chipgap run --model ID --chip ID --chips N (--tokens T | --days D) [flags]

The whole training run, simulated over many seeds: failures per component
(rates per device-hour from catalog/data/reliability.yaml: NVIDIA derived
from the Llama 3 54-day record, other stacks scaled by documented
factors), detection, restarts, spare-node swaps, checkpoints (Daly's
interval unless --interval) and the stack's porting and maturation effort
(stacks-engineering.yaml). Prints wall-clock days P10/P50/P90 split into
productive compute, maturation slowdown, lost work, restarts,
checkpointing and porting, beside the closed-form (Young/Daly) estimate;
interruptions expected, by component; the best checkpoint interval.

Throughput comes from the training estimator's best plan (training.Search)
unless --mfu is given: then tokens/s = MFU × dense peak × chips ÷ 6·N.
If no plan fits, the stack's labelled mfu_fallback is used.

--tokens T runs to completion of T tokens; --days D simulates a D-day
window (as the Llama 3 record); with both, whichever ends first.
--vs CHIP[:N] runs the same model and token budget on a second cluster and
splits the difference into throughput, downtime and engineering.

Example: chipgap run --model llama3.1-405b --chip h100-sxm --chips 16384 --days 54 --json`

// runFlags are the parsed flags of chipgap run.
type runFlags struct {
	model, chip, stack, precision, ckpt, vs   string
	chips, seeds, seq, batch, spares, vsChips int
	tokens, days, mfu, vsMFU, bytesPerParam   float64
	seed                                      uint64
	interval                                  units.Seconds
	storageBW                                 units.ByteRate
	ranges, asJSON                            bool
}

func cmdRun(e *env, args []string) error {
	f, err := parseRunFlags(e, args)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	a, err := buildSide(cat, f, f.chip, f.chips, f.mfu)
	if err != nil {
		return err
	}
	out := runOutput{A: a, flag: f}
	if f.vs != "" {
		b, err := buildSide(cat, f, f.vs, f.vsChips, f.vsMFU)
		if err != nil {
			return err
		}
		out.B = &b
	}
	if err := out.simulate(f); err != nil {
		return err
	}
	if f.asJSON {
		return writeJSON(e.stdout, out.json())
	}
	return printRun(e.stdout, out)
}

func parseRunFlags(e *env, args []string) (runFlags, error) {
	var f runFlags
	fs := newFlags(e, "run", runUsage)
	fs.StringVar(&f.model, "model", "", "model preset id (chipgap models)")
	fs.StringVar(&f.chip, "chip", "", "chip id (chipgap chips)")
	fs.IntVar(&f.chips, "chips", 0, "chips in the job")
	fs.Float64Var(&f.tokens, "tokens", 0, "token budget of the run (e.g. 15.6e12)")
	fs.Float64Var(&f.days, "days", 0, "simulate a window of this many days")
	fs.IntVar(&f.seeds, "seeds", 100, "simulated runs")
	fs.Uint64Var(&f.seed, "seed", 1, "base random seed (same seed, same output)")
	fs.BoolVar(&f.ranges, "ranges", false, "also draw rates, times and engineering effort from their [min, typ, max] ranges, once per seed (default: typical values; seeds vary only the failures)")
	fs.Float64Var(&f.mfu, "mfu", 0, "assumed model FLOPs utilisation; skips the training estimator (6·N·D ÷ MFU·peak)")
	fs.StringVar(&f.stack, "stack", "", "software stack id (default: the chip's)")
	fs.StringVar(&f.precision, "precision", "bf16", "training precision")
	fs.IntVar(&f.seq, "seq", 8192, "sequence length (training estimator)")
	fs.IntVar(&f.batch, "batch", 2048, "global batch in sequences (training estimator)")
	fs.TextVar(&f.interval, "interval", units.Seconds(0), "checkpoint interval of productive compute (e.g. 30min; 0 = Daly's optimum)")
	fs.StringVar(&f.ckpt, "checkpoint", "", "async or blocking (default: the catalog's)")
	fs.TextVar(&f.storageBW, "storage-bw", units.ByteRate(0), "aggregate checkpoint write bandwidth (e.g. 2TB/s; 0 = catalog default)")
	fs.Float64Var(&f.bytesPerParam, "bytes-per-param", 0, "checkpoint bytes per parameter (0 = catalog default, 14)")
	fs.IntVar(&f.spares, "spares", -1, "spare servers (-1 = the catalog's fraction of the job's servers, at least the servers away for repair at the pessimistic failure rates)")
	fs.StringVar(&f.vs, "vs", "", "compare with CHIP[:N] (same model and tokens; N defaults to --chips)")
	fs.Float64Var(&f.vsMFU, "vs-mfu", 0, "assumed MFU for the --vs cluster (0 = training estimator)")
	fs.BoolVar(&f.asJSON, "json", false, "machine-readable output")
	if _, err := parseFlags(fs, args); err != nil {
		return f, err
	}
	if err := f.splitVS(); err != nil {
		return f, err
	}
	return f, f.validate()
}

// splitVS reads --vs CHIP[:N].
func (f *runFlags) splitVS() error {
	f.vsChips = f.chips
	id, n, ok := strings.Cut(f.vs, ":")
	if !ok {
		return nil
	}
	c, err := strconv.Atoi(n)
	if err != nil || c < 1 {
		return usagef("--vs %q: want CHIP or CHIP:N with N ≥ 1", f.vs)
	}
	f.vs, f.vsChips = id, c
	return nil
}

func (f runFlags) validate() error {
	bad := func(v any, name, want string) error { return usagef("--%s = %v: %s", name, v, want) }
	switch {
	case f.model == "":
		return bad(`""`, "model", "want a model preset id (chipgap models)")
	case f.chip == "":
		return bad(`""`, "chip", "want a chip id (chipgap chips)")
	case f.chips < 1:
		return bad(f.chips, "chips", "want ≥ 1")
	case !(f.tokens >= 0) || math.IsInf(f.tokens, 0):
		return bad(f.tokens, "tokens", "want ≥ 0")
	case !(f.days >= 0) || math.IsInf(f.days, 0):
		return bad(f.days, "days", "want ≥ 0")
	case f.tokens == 0 && f.days == 0:
		return usagef("give --tokens (run to completion) or --days (a window)")
	case f.seeds < 1 || f.seeds > 100000:
		return bad(f.seeds, "seeds", "want 1..100000")
	case f.mfu < 0 || f.mfu > 1 || math.IsNaN(f.mfu):
		return bad(f.mfu, "mfu", "want a fraction in (0, 1] (0 = the training estimator)")
	case f.vsMFU < 0 || f.vsMFU > 1 || math.IsNaN(f.vsMFU):
		return bad(f.vsMFU, "vs-mfu", "want a fraction in (0, 1] (0 = the training estimator)")
	case f.ckpt != "" && f.ckpt != "async" && f.ckpt != "blocking":
		return bad(f.ckpt, "checkpoint", "want async or blocking")
	case f.interval < 0:
		return bad(f.interval, "interval", "want ≥ 0 (0 = Daly's optimum)")
	case f.storageBW < 0:
		return bad(f.storageBW, "storage-bw", "want ≥ 0 (0 = catalog default)")
	case f.bytesPerParam < 0 || math.IsNaN(f.bytesPerParam):
		return bad(f.bytesPerParam, "bytes-per-param", "want ≥ 0 (0 = catalog default)")
	case f.spares < -1:
		return bad(f.spares, "spares", "want ≥ 0 (-1 = catalog fraction)")
	case f.vs != "" && f.tokens == 0:
		return usagef("--vs needs --tokens: the comparison is of one token budget")
	case f.seq < 1 || f.batch < 1:
		return usagef("--seq = %d, --batch = %d: want ≥ 1", f.seq, f.batch)
	}
	return nil
}

// side is one cluster of a run: its inputs, resolved, and the job.
type side struct {
	Model      llm.Model
	Chip       *hardware.Chip
	Cluster    hardware.Cluster
	Stack      string
	Throughput throughput
	Job        goodput.Job
	Counts     []float64 // the record's counts per mode (cuda), for the cause mix
	Result     goodput.Result
	Samples    []goodput.Estimate // the closed form over draws of the input ranges
	Sweep      []goodput.SweepPoint
}

// throughput is where the steady-state tokens/s came from.
type throughput struct {
	TokensPerSec float64 `json:"tokens_per_s"`
	PerChip      float64 `json:"tokens_per_s_per_chip"`
	MFU          float64 `json:"mfu"`
	Source       string  `json:"source"`
	Plan         string  `json:"plan,omitempty"`
}

func buildSide(cat *catalog.Catalog, f runFlags, chipID string, chips int, mfu float64) (side, error) {
	m, err := cat.Model(f.model)
	if err != nil {
		return side{}, usagef("--model: %v", err)
	}
	ch, err := cat.Chip(chipID)
	if err != nil {
		return side{}, usagef("--chip: %v", err)
	}
	if f.stack != "" && !containsStr(catalog.Stacks, f.stack) {
		return side{}, usagef("--stack = %q: want one of %v", f.stack, catalog.Stacks)
	}
	cl, err := cat.Cluster(chipID, chips, catalog.ClusterOptions{Stack: f.stack})
	if err != nil {
		return side{}, usagef("--chips: %v", err)
	}
	s := side{Model: m, Chip: ch, Cluster: cl, Stack: cl.Stack}
	eng, err := cat.Engineering()
	if err != nil {
		return side{}, err
	}
	if s.Throughput, err = rate(cat, f, s, mfu, eng[s.Stack].MFUFallback); err != nil {
		return side{}, err
	}
	return s, s.job(cat, f, eng[s.Stack].Engineering)
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// rate finds the steady-state tokens/s: the training estimator's best
// plan, or 6·N·D at an MFU given by --mfu or, when no plan fits, the
// stack's labelled fallback.
func rate(cat *catalog.Catalog, f runFlags, s side, mfu float64, fallback hardware.Value[units.Dimensionless]) (throughput, error) {
	if mfu > 0 {
		return mfuRate(f, s, mfu, fmt.Sprintf("6·N·D at an assumed MFU of %.2f (--mfu)", mfu))
	}
	prof, why, err := cat.TrainingProfile(s.Stack, "")
	if err != nil {
		return throughput{}, err
	}
	job := training.Job{Seq: f.seq, GlobalBatch: f.batch, Precision: hardware.Precision(f.precision)}
	res, err := training.Search(s.Model, s.Cluster, prof, job, training.SearchOptions{Top: 1})
	if err == nil && len(res.Top) > 0 {
		r := res.Top[0]
		return throughput{TokensPerSec: r.TokensPerSec, PerChip: r.TokensPerSecPerChip, MFU: r.MFU,
			Source: "training estimator, best of " + strconv.Itoa(res.Evaluated) + " plans, " + why, Plan: r.PlanText}, nil
	}
	var fe *training.FieldError
	if errors.As(err, &fe) {
		return throughput{}, usagef("%v", err)
	}
	return mfuRate(f, s, float64(fallback.Typ), fmt.Sprintf("6·N·D at the %s fallback MFU %.2f (assumed; the training estimator found no plan: %v)", s.Stack, float64(fallback.Typ), err))
}

func mfuRate(f runFlags, s side, mfu float64, source string) (throughput, error) {
	p, err := hardware.ParsePrecision(f.precision)
	if err != nil {
		return throughput{}, usagef("--precision: %v", err)
	}
	peak, ok := s.Chip.PeakFor(p)
	if !ok {
		return throughput{}, usagef("--precision = %s: chip %s has no %s peak", p, s.Chip.ID, p)
	}
	n := float64(s.Model.Params().Active)
	tps := mfu * float64(peak.Typ) * float64(s.Cluster.Chips) / (6 * n)
	return throughput{TokensPerSec: tps, PerChip: tps / float64(s.Cluster.Chips), MFU: mfu, Source: source}, nil
}

// job assembles the goodput input from the catalog (catalog.Job: the
// same assembly as validate, the gap report and the web API) and the flags.
func (s *side) job(cat *catalog.Catalog, f runFlags, eng goodput.Engineering) error {
	rel, err := cat.Reliability()
	if err != nil {
		return err
	}
	prof, err := rel.Profile(s.Stack)
	if err != nil {
		return usagef("--stack: %v", err)
	}
	s.Counts = prof.Counts
	o := catalog.JobOptions{Horizon: units.Seconds(f.days) * units.Day, BytesPerParam: f.bytesPerParam,
		StorageBW: f.storageBW, Interval: f.interval, Engineering: &eng}
	if f.tokens > 0 {
		o.Work = units.Seconds(f.tokens / s.Throughput.TokensPerSec)
	}
	if f.ckpt != "" {
		async := f.ckpt == "async"
		o.Async = &async
	}
	if f.spares >= 0 {
		o.Spares = &f.spares
	}
	s.Job, err = cat.Job(s.Model, s.Cluster, o)
	if err != nil {
		return usagef("%v", err)
	}
	return nil
}
