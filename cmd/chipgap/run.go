package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
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

const runUsage = `Usage: chipgap run --model ID --chip ID --chips N (--tokens T | --days D) [flags]
       chipgap run --scenario FILE [flags]

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

--scenario FILE takes the settings from a YAML file, one field per flag
(the flag's name with _ for -: model, chip, chips, chips_per_node, days,
global_batch, storage_bw, vs, vs_chips, ...), quantities as unit strings
("54d", "30min", "2TB/s"). It is decoded strictly: an unknown field, a
unit that does not parse or a value out of range is an error naming the
file, line and field, and nothing runs. Flags given beside --scenario
override the file's values. See examples/run-*.yaml.

Example: chipgap run --model llama3.1-405b --chip h100-sxm --chips 16384 --days 54 --json
         chipgap run --scenario examples/run-llama3-record.yaml --seeds 20`

// runFlags are the settings of chipgap run: the flags, or the fields of a
// --scenario file (each field is its flag's name with _ for -). Both go
// through the same validation (validate) and the same run.
type runFlags struct {
	Model         string         `yaml:"model"`
	Chip          string         `yaml:"chip"`
	Chips         int            `yaml:"chips"`
	ChipsPerNode  int            `yaml:"chips_per_node"`
	Stack         string         `yaml:"stack"`
	Precision     string         `yaml:"precision"`
	Tokens        float64        `yaml:"tokens"`
	Days          runDays        `yaml:"days"`
	Seq           int            `yaml:"seq"`
	Batch         int            `yaml:"global_batch"`
	MFU           float64        `yaml:"mfu"`
	Seeds         int            `yaml:"seeds"`
	Seed          uint64         `yaml:"seed"`
	Ranges        bool           `yaml:"ranges"`
	Ckpt          string         `yaml:"checkpoint"`
	Interval      units.Seconds  `yaml:"interval"`
	StorageBW     units.ByteRate `yaml:"storage_bw"`
	BytesPerParam float64        `yaml:"bytes_per_param"`
	Spares        int            `yaml:"spares"`
	VS            string         `yaml:"vs"`
	VSChips       int            `yaml:"vs_chips"`
	VSMFU         float64        `yaml:"vs_mfu"`
	asJSON        bool
}

func cmdRun(e *env, args []string) error {
	f, src, err := parseRunFlags(e, args)
	if err == nil {
		err = runWhole(e, f)
	}
	return src.explain(err)
}

func runWhole(e *env, f runFlags) error {
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	a, err := buildSide(cat, f, false)
	if err != nil {
		return err
	}
	out := runOutput{A: a, flag: f}
	if f.VS != "" {
		b, err := buildSide(cat, f, true)
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

// parseRunFlags reads the flags and, with --scenario, the file: defaults,
// then the file's fields, then the flags given, each over the last.
func parseRunFlags(e *env, args []string) (runFlags, *runSource, error) {
	var f runFlags
	var path string
	pos, err := parseFlags(runFlagSet(e, &f, &path), args)
	if err != nil {
		return f, nil, err
	}
	if len(pos) > 0 {
		return f, nil, usagef("unexpected argument %q: run takes flags only (a file goes with --scenario)", pos[0])
	}
	var src *runSource
	if path != "" {
		f = runFlags{}
		var again string
		fs := runFlagSet(e, &f, &again) // the defaults
		if src, err = loadRunScenario(path, &f); err != nil {
			return f, nil, err
		}
		if _, err := parseFlags(fs, args); err != nil {
			return f, src, err
		}
		fs.Visit(func(fl *flag.Flag) { src.flags[canonicalFlag(fl.Name)] = true })
	}
	if err := f.splitVS(); err != nil {
		return f, src, err
	}
	return f, src, f.validate()
}

// runFlagSet defines the flags on f, setting f to their defaults.
func runFlagSet(e *env, f *runFlags, scenario *string) *flag.FlagSet {
	fs := newFlags(e, "run", runUsage)
	fs.StringVar(scenario, "scenario", "", "a YAML file (at most 4 MiB) with the settings below as fields (- → _; examples/run-*.yaml); flags given with it override the file")
	fs.StringVar(&f.Model, "model", "", "model preset id (chipgap models)")
	fs.StringVar(&f.Chip, "chip", "", "chip id (chipgap chips)")
	fs.IntVar(&f.Chips, "chips", 0, "chips in the job")
	fs.IntVar(&f.ChipsPerNode, "chips-per-node", 0, "scale-up domain of --chip's cluster (0 = the chip's usual node)")
	fs.Float64Var(&f.Tokens, "tokens", 0, "token budget of the run (e.g. 15.6e12; at most ten years of failure-free compute)")
	fs.TextVar(&f.Days, "days", runDays(0), "simulate a window of this many days, at most 3650 (a bare number is days; or a duration, e.g. 1296h)")
	fs.IntVar(&f.Seeds, "seeds", 100, "simulated runs")
	fs.Uint64Var(&f.Seed, "seed", 1, "base random seed (same seed, same output)")
	fs.BoolVar(&f.Ranges, "ranges", false, "also draw rates, times and engineering effort from their [min, typ, max] ranges, once per seed (default: typical values; seeds vary only the failures)")
	fs.Float64Var(&f.MFU, "mfu", 0, "assumed model FLOPs utilisation; skips the training estimator (6·N·D ÷ MFU·peak)")
	fs.StringVar(&f.Stack, "stack", "", "software stack id (default: the chip's)")
	fs.StringVar(&f.Precision, "precision", "bf16", "training precision")
	fs.IntVar(&f.Seq, "seq", 8192, "sequence length (training estimator)")
	fs.IntVar(&f.Batch, "global-batch", 2048, "global batch in sequences (training estimator)")
	fs.IntVar(&f.Batch, "batch", 2048, "same as --global-batch")
	fs.TextVar(&f.Interval, "interval", units.Seconds(0), "checkpoint interval of productive compute (e.g. 30min; 0 = Daly's optimum)")
	fs.StringVar(&f.Ckpt, "checkpoint", "", "async or blocking (default: the catalog's)")
	fs.TextVar(&f.StorageBW, "storage-bw", units.ByteRate(0), "aggregate checkpoint write bandwidth (e.g. 2TB/s; 0 = catalog default)")
	fs.Float64Var(&f.BytesPerParam, "bytes-per-param", 0, "checkpoint bytes per parameter (0 = catalog default, 14)")
	fs.IntVar(&f.Spares, "spares", -1, "spare servers (-1 = the catalog's fraction of the job's servers, at least the servers away for repair at the pessimistic failure rates)")
	fs.StringVar(&f.VS, "vs", "", "compare with CHIP[:N] (same model and tokens; N defaults to --vs-chips, else --chips)")
	fs.IntVar(&f.VSChips, "vs-chips", 0, "chips of the --vs cluster (0 = --chips)")
	fs.Float64Var(&f.VSMFU, "vs-mfu", 0, "assumed MFU for the --vs cluster (0 = training estimator)")
	fs.BoolVar(&f.asJSON, "json", false, "machine-readable output")
	return fs
}

// splitVS reads --vs CHIP[:N]; N wins over --vs-chips, and with
// neither the --vs cluster has --chips chips.
func (f *runFlags) splitVS() error {
	if id, n, ok := strings.Cut(f.VS, ":"); ok {
		c, err := strconv.Atoi(n)
		if err != nil || c < 1 {
			return flagError("vs", strconv.Quote(f.VS), "want CHIP or CHIP:N with N ≥ 1")
		}
		f.VS, f.VSChips = id, c
	}
	if f.VSChips == 0 {
		f.VSChips = f.Chips
	}
	return nil
}

func (f runFlags) validate() error {
	bad := func(name string, v any, want string) error { return flagError(name, fmt.Sprint(v), want) }
	switch {
	case f.Model == "":
		return bad("model", `""`, "want a model preset id (chipgap models)")
	case f.Chip == "":
		return bad("chip", `""`, "want a chip id (chipgap chips)")
	case f.Chips < 1:
		return bad("chips", f.Chips, "want ≥ 1")
	case f.ChipsPerNode < 0:
		return bad("chips-per-node", f.ChipsPerNode, "want ≥ 1 (0 = the chip's usual node)")
	case !(f.Tokens >= 0) || math.IsInf(f.Tokens, 0):
		return bad("tokens", f.Tokens, "want ≥ 0")
	case !(f.Days >= 0) || math.IsInf(float64(f.Days), 0):
		return bad("days", f.Days, "want ≥ 0")
	case units.Seconds(f.Days).Days() > maxRunDays:
		return bad("days", f.Days, fmt.Sprintf("want at most %d (ten years)", maxRunDays))
	case f.Tokens == 0 && f.Days == 0:
		return flagError("tokens", "", "give --tokens (run to completion) or --days (a window), or both")
	case f.Seeds < 1 || f.Seeds > 100000:
		return bad("seeds", f.Seeds, "want 1..100000")
	case f.MFU < 0 || f.MFU > 1 || math.IsNaN(f.MFU):
		return bad("mfu", f.MFU, "want a fraction in (0, 1] (0 = the training estimator)")
	case f.VSMFU < 0 || f.VSMFU > 1 || math.IsNaN(f.VSMFU):
		return bad("vs-mfu", f.VSMFU, "want a fraction in (0, 1] (0 = the training estimator)")
	case f.Ckpt != "" && f.Ckpt != "async" && f.Ckpt != "blocking":
		return bad("checkpoint", f.Ckpt, "want async or blocking")
	case !(f.Interval >= 0):
		return bad("interval", f.Interval, "want ≥ 0 (0 = Daly's optimum)")
	case units.Seconds(f.Interval).Days() > maxRunDays:
		return bad("interval", f.Interval, fmt.Sprintf("want at most %d days (ten years)", maxRunDays))
	case !finite(float64(f.StorageBW)):
		return bad("storage-bw", f.StorageBW, "want a finite bandwidth")
	case f.StorageBW < 0:
		return bad("storage-bw", f.StorageBW, "want ≥ 0 (0 = catalog default)")
	case f.BytesPerParam < 0 || math.IsNaN(f.BytesPerParam):
		return bad("bytes-per-param", f.BytesPerParam, "want ≥ 0 (0 = catalog default)")
	case f.Spares < -1:
		return bad("spares", f.Spares, "want ≥ 0 (-1 = catalog fraction)")
	case f.VSChips < 0:
		return bad("vs-chips", f.VSChips, "want ≥ 1 (0 = --chips)")
	case f.VS != "" && f.Tokens == 0:
		return flagError("vs", "", "needs --tokens: the comparison is of one token budget")
	case f.Seq < 1:
		return bad("seq", f.Seq, "want ≥ 1")
	case f.Batch < 1:
		return bad("global-batch", f.Batch, "want ≥ 1")
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
type throughput catalog.Throughput

// buildSide resolves one cluster: --chip's (vs false) or --vs's.
func buildSide(cat *catalog.Catalog, f runFlags, vs bool) (side, error) {
	chipFlag, chipID, chips, mfu, perNode := "chip", f.Chip, f.Chips, f.MFU, f.ChipsPerNode
	if vs {
		chipFlag, chipID, chips, mfu, perNode = "vs", f.VS, f.VSChips, f.VSMFU, 0
	}
	m, err := cat.Model(f.Model)
	if err != nil {
		return side{}, flagError("model", "", err.Error())
	}
	ch, err := cat.Chip(chipID)
	if err != nil {
		return side{}, flagError(chipFlag, "", err.Error())
	}
	if f.Stack != "" && !containsStr(catalog.Stacks(), f.Stack) {
		return side{}, flagError("stack", strconv.Quote(f.Stack), fmt.Sprintf("want one of %v", catalog.Stacks()))
	}
	cl, err := cat.Cluster(chipID, chips, catalog.ClusterOptions{Stack: f.Stack, ChipsPerNode: perNode})
	if err != nil {
		return side{}, flagError("chips", "", err.Error())
	}
	s := side{Model: m, Chip: ch, Cluster: cl, Stack: cl.Stack}
	eng, err := cat.Engineering()
	if err != nil {
		return side{}, err
	}
	if s.Throughput, err = rate(cat, f, s, mfu); err != nil {
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

// rate finds the steady-state tokens/s (catalog.RunThroughput, the one
// owner): 6·N·D at --mfu, else the training estimator's best plan, else
// the stack's labelled fallback MFU.
func rate(cat *catalog.Catalog, f runFlags, s side, mfu float64) (throughput, error) {
	p, err := hardware.ParsePrecision(f.Precision)
	if err != nil {
		return throughput{}, flagError("precision", "", err.Error())
	}
	t, err := cat.RunThroughput(catalog.ThroughputRequest{Model: s.Model, Cluster: s.Cluster, MFU: mfu, MFUFrom: "--mfu",
		Job: training.Job{Seq: f.Seq, GlobalBatch: f.Batch, Precision: p}})
	var ie *input.Error
	switch {
	case errors.As(err, &ie) && ie.Field == "precision":
		return throughput{}, flagError("precision", fmt.Sprint(ie.Value), ie.Want)
	case err != nil && training.JobError(err) != nil:
		return throughput{}, usagef("%v", err)
	case err != nil:
		return throughput{}, err
	}
	return throughput(t), nil
}

// maxRunDays bounds a window and a run's failure-free compute: beyond ten
// years the simulation takes tens of seconds and nears its clock's cap.
const maxRunDays = 3650

// job assembles the goodput input from the catalog (catalog.Job: the
// same assembly as validate, the gap report and the web API) and the flags.
func (s *side) job(cat *catalog.Catalog, f runFlags, eng goodput.Engineering) error {
	rel, err := cat.Reliability()
	if err != nil {
		return err
	}
	prof, err := rel.Profile(s.Stack)
	if err != nil {
		return flagError("stack", "", err.Error())
	}
	s.Counts = prof.Counts
	o := catalog.JobOptions{Horizon: units.Seconds(f.Days), BytesPerParam: f.BytesPerParam,
		StorageBW: f.StorageBW, Interval: f.Interval, Engineering: &eng}
	if f.Tokens > 0 {
		o.Work = units.Seconds(f.Tokens / s.Throughput.TokensPerSec)
		if o.Work.Days() > maxRunDays {
			return flagError("tokens", fmt.Sprint(f.Tokens), fmt.Sprintf("at %.4g tokens/s on %d × %s that is %.3g days of failure-free compute; want at most %d (ten years)",
				s.Throughput.TokensPerSec, s.Cluster.Chips, s.Chip.ID, o.Work.Days(), maxRunDays))
		}
	}
	if f.Ckpt != "" {
		async := f.Ckpt == "async"
		o.Async = &async
	}
	if f.Spares >= 0 {
		o.Spares = &f.Spares
	}
	s.Job, err = cat.Job(s.Model, s.Cluster, o)
	if err != nil {
		return jobError(err, f)
	}
	return nil
}

// jobError names the setting behind a goodput field error when one was
// given (--interval, --storage-bw), else the goodput field.
func jobError(err error, f runFlags) error {
	var ge *input.Error
	if errors.As(err, &ge) {
		switch {
		case ge.Field == "checkpoint.interval" && f.Interval != 0:
			return flagError("interval", fmt.Sprint(ge.Value), ge.Want)
		case ge.Field == "checkpoint.storage_bw" && f.StorageBW != 0:
			return flagError("storage-bw", fmt.Sprint(ge.Value), ge.Want)
		}
	}
	return usagef("%v", err)
}
