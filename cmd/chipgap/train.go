package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/runs"
	"chipgap/training"
)

const trainUsage = `Usage: chipgap train --model ID --chip ID --chips N --global-batch B --seq S [plan flags] [--search] [--json]
       chipgap train --file RUNS.yaml [--run ID] [--search] [--json]

Predicts one training step from first principles: memory per device by
component, step time with its breakdown (compute, exposed communication by
kind, pipeline bubble, optimizer), tokens/s per chip, MFU and HFU, and for
--tokens the run's days and chip-hours in steady state (no failures).

With --search it tries every valid TP, PP, DP, CP, EP, virtual stages,
micro-batch, recompute, ZeRO stage and sequence parallelism the stack
offers (plan flags fix a dimension) and ranks the plans that fit.

--file reads a training run in the published-runs/v1 format (the first
training run, or --run ID); its stated parallel block fixes the plan.
The software-stack profile is the chip's default stack, or --stack (a
profile id such as cuda-megatron) or --software (a framework name such as
megatron-lm, nemo, llm-foundry, mindspeed).

Example: chipgap train --model mt-nlg-530b --chip a100-sxm4-80gb --chips 5128 --global-batch 2520 --seq 2048 --search --json`

// trainFlags are the parsed flags of chipgap train.
type trainFlags struct {
	model, chip, stack, software, precision, recompute, file, runID string
	stageLayers, recomputeLayers                                    []int
	chips, perNode, devPerChip, batch, seq, top                     int
	tp, pp, dp, cp, ep, etp, vpp, mb, zero                          int
	scaleOut, tokens, imbalance, capacity                           float64
	stackDate                                                       string
	sp, search, asJSON                                              bool
	set                                                             map[string]bool
}

func parseTrainFlags(e *env, args []string) (*trainFlags, error) {
	f := &trainFlags{}
	fs := newFlags(e, "train", trainUsage)
	fs.StringVar(&f.model, "model", "", "model preset id (chipgap models)")
	fs.StringVar(&f.chip, "chip", "", "chip id (chipgap chips)")
	fs.IntVar(&f.chips, "chips", 0, "chips in the job")
	fs.IntVar(&f.perNode, "chips-per-node", 0, "scale-up domain size (0: the chip's usual node)")
	fs.Float64Var(&f.scaleOut, "scale-out-gbps", 0, "scale-out bandwidth per chip, Gbit/s each way (0: the catalog's NIC)")
	fs.IntVar(&f.devPerChip, "devices-per-chip", 0, "devices the software sees per chip (0: the chip's own)")
	fs.StringVar(&f.stack, "stack", "", "training stack profile id (e.g. cuda-megatron, cuda-mcore, cann-mindspeed)")
	fs.StringVar(&f.software, "software", "", "framework name mapped to a stack profile (megatron-lm, nemo, llm-foundry, mindspeed, ...)")
	fs.IntVar(&f.batch, "global-batch", 0, "sequences per optimizer step")
	fs.IntVar(&f.seq, "seq", 0, "sequence length in tokens")
	fs.StringVar(&f.precision, "precision", "bf16", "bf16, fp16 or fp8")
	fs.Float64Var(&f.tokens, "tokens", 0, "token budget of the whole run (adds days and chip-hours)")
	fs.Float64Var(&f.imbalance, "expert-imbalance", 0, "MoE: the hottest expert rank's routed tokens over the mean, at least 1 (0: the stack's)")
	fs.Float64Var(&f.capacity, "capacity-factor", 0, "MoE: cap each expert's tokens at this multiple of the mean, dropping the rest (default: dropless)")
	fs.StringVar(&f.stackDate, "stack-date", "", "the training stack as it stood on this date, YYYY-MM-DD (default: its current state)")
	fs.IntVar(&f.tp, "tp", 0, "tensor-parallel degree")
	fs.IntVar(&f.pp, "pp", 0, "pipeline-parallel degree")
	fs.IntVar(&f.dp, "dp", 0, "data-parallel degree (default: what the others leave)")
	fs.IntVar(&f.cp, "cp", 0, "context-parallel degree")
	fs.IntVar(&f.ep, "ep", 0, "expert-parallel degree (MoE)")
	fs.IntVar(&f.etp, "etp", 0, "expert tensor-parallel degree (MoE; 0: tp, or free with --search); with it ep may span tp·cp·dp")
	fs.Func("stage-layers", "transformer layers per pipeline stage, comma-separated (e.g. 7,8,8,7; sum = layers)", intList(&f.stageLayers, "stage-layers"))
	fs.Func("recompute-layers", "layers recomputed per pipeline stage, comma-separated (with --recompute selective or full)", intList(&f.recomputeLayers, "recompute-layers"))
	fs.IntVar(&f.vpp, "vpp", 0, "virtual pipeline stages per device (interleaved 1F1B)")
	fs.IntVar(&f.mb, "mb", 0, "micro-batch size in sequences")
	fs.StringVar(&f.recompute, "recompute", "", "none, selective or full")
	fs.IntVar(&f.zero, "zero", -1, "ZeRO stage 0-3 (3 = FSDP)")
	fs.BoolVar(&f.sp, "sp", false, "sequence parallelism")
	fs.BoolVar(&f.search, "search", false, "search every valid plan and rank the best")
	fs.IntVar(&f.top, "top", 10, "plans to show with --search")
	fs.StringVar(&f.file, "file", "", "a published-runs/v1 file (docs/published-runs.md; at most 4 MiB) holding the training run")
	fs.StringVar(&f.runID, "run", "", "the run id to take from --file")
	fs.BoolVar(&f.asJSON, "json", false, "machine-readable output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usagef("unexpected argument %q", pos[0])
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return f, f.check()
}

// check rejects bad values with a one-line error naming the flag.
func (f *trainFlags) check() error {
	for _, c := range []struct {
		name string
		v    int
	}{{"chips", f.chips}, {"global-batch", f.batch}, {"seq", f.seq}, {"tp", f.tp}, {"pp", f.pp}, {"dp", f.dp},
		{"cp", f.cp}, {"ep", f.ep}, {"etp", f.etp}, {"vpp", f.vpp}, {"mb", f.mb}, {"chips-per-node", f.perNode}, {"devices-per-chip", f.devPerChip}} {
		if c.v < 0 {
			return usagef("--%s = %d: want a positive integer", c.name, c.v)
		}
	}
	switch {
	case f.top < 1:
		return usagef("--top = %d: want a positive integer", f.top)
	case f.zero < -1 || f.zero > 3:
		return usagef("--zero = %d: want 0, 1, 2 or 3", f.zero)
	case f.tokens < 0:
		return usagef("--tokens = %g: want a positive number", f.tokens)
	case f.scaleOut < 0:
		return usagef("--scale-out-gbps = %g: want a positive number", f.scaleOut)
	case f.set["expert-imbalance"] && !(f.imbalance >= 1 && f.imbalance <= 64):
		return usagef("--expert-imbalance = %g: want 1 to 64 (the hottest expert rank's tokens over the mean; 1 = balanced)", f.imbalance)
	case f.set["capacity-factor"] && !(f.capacity > 0 && f.capacity <= 64):
		return usagef("--capacity-factor = %g: want a positive multiple of the mean tokens per expert, up to 64", f.capacity)
	}
	if err := checkStackDate(f.stackDate); err != nil {
		return err
	}
	if f.recompute != "" {
		if _, err := parallel.ParseRecompute(f.recompute); err != nil {
			return usagef("--%v", err)
		}
	}
	if _, err := hardware.ParsePrecision(f.precision); err != nil {
		return usagef("--precision: %v", err)
	}
	if f.file == "" {
		for _, req := range []string{"model", "chip", "chips", "global-batch", "seq"} {
			if !f.set[req] {
				return usagef("--%s is required (or --file)", req)
			}
		}
	}
	return nil
}

// trainSetup is the resolved input of one train invocation.
type trainSetup struct {
	Model     llm.Model
	ModelID   string
	Cluster   hardware.Cluster
	Profile   training.Profile
	StackNote string
	Job       training.Job
	Space     parallel.Space
}

func cmdTrain(e *env, args []string) error {
	f, err := parseTrainFlags(e, args)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	s, err := f.setup(cat)
	if err != nil {
		return err
	}
	if f.search {
		return trainSearch(e, f, s)
	}
	return trainOne(e, f, s)
}

func (f *trainFlags) setup(cat *catalog.Catalog) (trainSetup, error) {
	var s trainSetup
	if f.file != "" {
		return f.setupFromFile(cat)
	}
	m, err := cat.Model(f.model)
	if err != nil {
		return s, usagef("--model: %v", err)
	}
	c, err := cat.Cluster(f.chip, f.chips, catalog.ClusterOptions{ChipsPerNode: f.perNode, ScaleOutGbps: f.scaleOut})
	if err != nil {
		return s, usagef("--chip: %v", err)
	}
	s.Model, s.ModelID, s.Cluster = m, f.model, c
	s.Job = training.Job{Seq: f.seq, GlobalBatch: f.batch, Precision: hardware.Precision(f.precision), DevicesPerChip: f.devPerChip, Tokens: f.tokens}
	return s, f.finish(cat, &s)
}

func (f *trainFlags) setupFromFile(cat *catalog.Catalog) (trainSetup, error) {
	var s trainSetup
	b, err := readInput(f.file, maxConfigBytes)
	if err != nil {
		return s, err
	}
	file, err := runs.Parse(b)
	if err != nil {
		return s, fmt.Errorf("%s: %w", f.file, err)
	}
	for _, r := range file.Runs {
		if r.Kind != runs.KindTraining || (f.runID != "" && r.ID != f.runID) {
			continue
		}
		rs, err := runs.SetupTraining(cat, r)
		if err != nil {
			return s, fmt.Errorf("run %s: %w", r.ID, err)
		}
		s = trainSetup{Model: r.Model, ModelID: r.ID, Cluster: rs.Cluster, Profile: rs.Profile, StackNote: rs.StackNote, Job: rs.Job, Space: rs.Space}
		if r.System.Software != "" && f.software == "" {
			f.software = r.System.Software
		}
		return s, f.finish(cat, &s)
	}
	if f.runID != "" {
		return s, usagef("--run = %q: no training run with that id in %s", f.runID, f.file)
	}
	return s, fmt.Errorf("%s: no training run", f.file)
}

// finish picks the stack profile and overlays the plan flags.
func (f *trainFlags) finish(cat *catalog.Catalog, s *trainSetup) error {
	var err error
	switch {
	case f.stack != "":
		s.Profile, err = cat.TrainingProfileByID(f.stack)
		s.StackNote = "stack " + f.stack + " (--stack)"
		if err != nil {
			return usagef("--stack: %v", err)
		}
	case s.Profile.ID == "" || f.software != "":
		s.Profile, s.StackNote, err = cat.TrainingProfile(s.Cluster.Stack, f.software)
		if err != nil {
			return err
		}
	}
	sp := &s.Space
	for _, o := range []struct {
		name string
		dst  *int
		v    int
	}{{"tp", &sp.TP, f.tp}, {"pp", &sp.PP, f.pp}, {"dp", &sp.DP, f.dp}, {"cp", &sp.CP, f.cp}, {"ep", &sp.EP, f.ep}, {"etp", &sp.ETP, f.etp}, {"vpp", &sp.VPP, f.vpp}, {"mb", &sp.Microbatch, f.mb}} {
		if f.set[o.name] {
			*o.dst = o.v
		}
	}
	if f.recompute != "" {
		sp.Recompute = []parallel.Recompute{parallel.Recompute(f.recompute)}
	}
	if f.set["stage-layers"] {
		sp.StageLayers = f.stageLayers
	}
	if f.set["recompute-layers"] {
		sp.RecomputeLayers = f.recomputeLayers
	}
	if f.zero >= 0 {
		sp.ZeRO = []int{f.zero}
	}
	if f.set["sp"] {
		sp.SP = []bool{f.sp}
	}
	if s.Profile, err = s.Profile.At(f.stackDate); err != nil {
		return usagef("--stack-date: %v", err)
	}
	if s.Profile.State != "" {
		s.StackNote += ", as of " + s.Profile.State
	}
	if f.set["expert-imbalance"] {
		s.Job.ExpertImbalance = f.imbalance
	}
	if f.set["capacity-factor"] {
		s.Job.CapacityFactor = f.capacity
	}
	return nil
}

// plan turns the fixed dimensions into one plan; parallel.Plan.WithDefaults
// fills the rest, and an unset --zero is the stack's highest ZeRO stage up
// to 1.
func (s trainSetup) plan() parallel.Plan {
	sp := s.Space
	p := parallel.Plan{TP: sp.TP, PP: sp.PP, CP: sp.CP, EP: sp.EP, ETP: sp.ETP, VPP: sp.VPP, Microbatch: sp.Microbatch, DP: sp.DP,
		StageLayers: sp.StageLayers, RecomputeLayers: sp.RecomputeLayers}
	if len(sp.Recompute) > 0 {
		p.Recompute = sp.Recompute[0]
	}
	p.ZeRO = min(1, int(s.Profile.MaxZeRO.Value))
	if len(sp.ZeRO) > 0 {
		p.ZeRO = sp.ZeRO[0]
	}
	p.SequenceParallel = len(sp.SP) > 0 && sp.SP[0]
	return p.WithDefaults(s.Cluster.Chips * max(s.Job.DevicesPerChip, max(s.Cluster.Chip.DevicesPerChip, 1)))
}

// intList parses a comma-separated list of non-negative integers into dst.
func intList(dst *[]int, name string) func(string) error {
	return func(v string) error {
		var out []int
		for _, f := range strings.Split(v, ",") {
			var n int
			if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != strings.TrimSpace(f) {
				return fmt.Errorf("%q: want comma-separated non-negative integers, one per pipeline stage", v)
			}
			out = append(out, n)
		}
		*dst = out
		return nil
	}
}

// fieldErr rewrites estimator field errors as one line naming the flag.
func fieldErr(err error) error {
	var fe *input.Error
	switch {
	case !errors.As(err, &fe):
		return err
	case fe.Prefix == "model.": // the model's own fields, not a flag
		return fmt.Errorf("%s", fe)
	}
	return usagef("--%s = %v: %s", flagName(fe.Field), fe.Value, fe.Want)
}

func flagName(field string) string {
	switch field {
	case "microbatch":
		return "mb"
	case "sequence_parallel":
		return "sp"
	}
	return strings.ReplaceAll(field, "_", "-")
}

// progressBar draws search progress on stderr when it is a terminal and
// the search has run for more than a second.
func progressBar(e *env) func(done, total int) {
	fh, ok := e.stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := fh.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	start := time.Now()
	return func(done, total int) {
		if time.Since(start) < time.Second {
			return
		}
		const width = 40
		n := width * done / max(total, 1)
		fmt.Fprintf(fh, "\rsearching [%s%s] %d/%d shapes", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
		if done == total {
			fmt.Fprintln(fh)
		}
	}
}
