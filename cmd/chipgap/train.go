package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
	"chipgap/input"
	"chipgap/runs"
	"chipgap/training"
)

const trainUsage = `Usage: chipgap train --model ID --chip ID --chips N [--global-batch B] [--seq S] [plan flags] [--search] [--json]
       chipgap train --file RUNS.yaml [--run ID] [--search] [--json]

Predicts one training step from first principles: memory per device by
component, step time with its breakdown (compute, exposed communication by
kind, pipeline bubble, and the once-a-step work as "optimizer": Adam's update,
an FP8 or FP4 job's weight casts, the stack's host time per step), tokens/s
per chip, MFU and HFU, and for
--tokens the run's days and chip-hours in steady state (no failures).
The header names the job: seq, global batch and precision, the first two
marked "(default)" where not given: 8192 tokens and 2048 sequences (Llama 3
405B's 16M-token batch, as chipgap run takes them).

A stated plan's unset dimensions take the defaults (dp what the devices
leave, other degrees 1, full recompute of as many layers as memory
requires, the stack's ZeRO stage up to 1), except sequence parallelism at
tp > 1, which is searched as --file searches a run's (the faster of off
and on; --sp or --sp=false states it); the "Unstated:" line says what each
took.

With --search it tries every valid TP, PP, DP, CP, EP, virtual stages,
micro-batch, recompute, ZeRO stage and sequence parallelism the stack
offers (plan flags fix a dimension) and ranks the plans that fit.
A plan that does not fit, or a search none of whose plans fits, is exit 1
with nothing on stdout, --json or not: the one-line error names the plan
(the closest, with the search's counts) and what overflows.

--file reads a training run in the published-runs/v1 format (the first
training run, or --run ID); its stated parallel block fixes the plan and,
as validate predicts the run, the dimensions it leaves unstated (recompute,
ZeRO stage, etp, ...) are searched: the fastest plan within the stated
ones and the stack's published practice, printed beside the run's own
measured tokens/s per chip and validate's error (predicted/measured − 1;
the estimate only: --file with --search ranks plans without it).
The run states its model,
system, sequence, batch and precision: --model, --chip, --chips, --seq,
--global-batch, --precision and the like are refused beside --file (as
flags or as --request fields), while the plan, stack and MoE flags apply
over the run's. An error names the input at fault: the flag, the
--request file's field, or the run's own (training.parallel.tp).
The software-stack profile is the chip's default stack, or --stack (a
profile id of the chip's stack, such as cuda-megatron) or --software (a
framework name a profile lists, such as megatron-lm, nemo, llm-foundry,
mindspeed; an unknown name is refused naming the closest), not both.

The job's flags are the fields of POST /api/train/estimate (docs/api.md),
with - for _ and the plan's under plan (--tp is plan.tp, --mb
plan.microbatch, --sp plan.sequence_parallel; --software is framework);
calc.TrainRequest defines them once. --search, --top, --file, --run,
--request and --json choose what the command does. A --request file
takes the API's fields but charts (the page's SVG charts: refused here);
its ranges: false leaves the estimate's ranges out of --json.

Example: chipgap train --model mt-nlg-530b --chip a100-sxm4-80gb --chips 5128 --global-batch 2520 --seq 2048 --search --json`

func cmdTrain(e *env, args []string) error {
	var req calc.TrainRequest
	fs := newFlags(e, "train", trainUsage)
	b := bindRequest(fs, &req)
	rv := requestFlag(e, fs, &req, "file")
	search := fs.Bool("search", false, "search every valid plan and rank the best")
	file := fs.String("file", "", "a published-runs/v1 file (docs/published-runs.md; at most 4 MiB; - reads standard input) holding the training run")
	runID := fs.String("run", "", "the run id to take from --file")
	asJSON := fs.Bool("json", false, "machine-readable output")
	if err := cmp.Or(parseNoArgs(fs, args), b.StatedZero()); err != nil {
		return err
	}
	if err := cmp.Or(rv.readError(), fileFlags(fs, rv, *file, *runID), topFlag(b, rv, *search), apiOnly(rv)); err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	in := trainInputs{b: b, rv: rv, file: *file}
	var s calc.TrainSetup
	if *file != "" {
		s, in.run, err = trainRunSetup(e, cat, req, *file, *runID)
	} else {
		s, err = req.Setup(cat)
	}
	if err != nil {
		return in.blame(err)
	}
	if *search {
		return trainSearch(e, s, req.Top, *asJSON, in)
	}
	r, err := calc.Train(s)
	if nf := (*training.NotFitError)(nil); errors.As(err, &nf) {
		// Nothing on stdout, --json or not: the refusal names the plan,
		// the stage, the components and what the savings came to.
		return err
	}
	if err != nil {
		return in.blame(err)
	}
	if *asJSON {
		return writeJSON(e.stdout, struct {
			calc.TrainView
			Fits     bool `json:"fits"`
			Searched int  `json:"searched_plans,omitempty"`
		}{r.View(false), true, r.Searched})
	}
	return r.WriteText(e.stdout)
}

// trainSearch is train --search.
func trainSearch(e *env, s calc.TrainSetup, top int, asJSON bool, in trainInputs) error {
	start, bar := time.Now(), newProgress(e, "train --search", "auto")
	sr, err := calc.Search(s, calc.SearchOptions{Top: top, Progress: bar.fn("", "plan shapes")})
	bar.clear()
	elapsed := time.Since(start).Seconds()
	if err != nil && !errors.Is(err, training.ErrNoPlan) {
		return in.blame(err)
	}
	if errors.Is(err, training.ErrNoPlan) {
		// Nothing on stdout, --json or not (as train without --search and
		// run): the refusal names the closest plan, and the counts.
		return fmt.Errorf("%w (searched %d plans: %d out of memory; %d combinations invalid)", err, sr.Evaluated, sr.OutOfMemory, sr.Invalid)
	}
	if asJSON {
		// No wall-clock time in the JSON: the same request gives the
		// same bytes (the text output prints the search's speed).
		return writeJSON(e.stdout, struct {
			calc.TrainHeader
			training.SearchResult
			MeasuredBand *calc.MeasuredBand `json:"measured_band,omitempty"`
		}{sr.Header, sr.SearchResult, sr.Band()})
	}
	return sr.WriteText(e.stdout, elapsed)
}

// topFlag refuses --top (or a request file's top) without --search: only
// a search ranks plans.
func topFlag(b *calc.Flags, rv *requestValue, search bool) error {
	switch {
	case search:
		return nil
	case b.Set("top"):
		return usagef("--top ranks the plans of a search: it needs --search (without it train evaluates one plan)")
	case rv.sets("top"):
		return usagef("%s: field top ranks the plans of a search: it needs --search (without it train evaluates one plan)", rv.path)
	}
	return nil
}

// apiOnly refuses a request file's charts, an API field (the page's SVG
// charts) that the command line, which draws none, would ignore.
func apiOnly(rv *requestValue) error {
	if rv.sets("charts") {
		return usagef("%s: field charts asks the API for the page's SVG charts: the command line draws none; leave it out", rv.path)
	}
	return nil
}

// runFixed are the flags describing the job that a published run states
// for itself: beside --file they would be ignored, so they are refused.
var runFixed = []string{"model", "chip", "chips", "chips-per-node", "scale-out-gbps", "devices-per-chip", "global-batch", "seq", "precision", "tokens"}

// fileFlags refuses --run without --file, and beside --file a field the
// run states itself, given as a flag or in the --request file (its plan,
// stack and MoE fields still apply).
func fileFlags(fs *flag.FlagSet, rv *requestValue, file, runID string) error {
	if file == "" {
		if runID != "" {
			return usagef("--run %q needs --file: the published-runs file holding that run", runID)
		}
		return nil
	}
	var err error
	fs.Visit(func(f *flag.Flag) {
		if err == nil && slices.Contains(runFixed, f.Name) {
			err = usagef("--%s beside --file: the run states its own model, system, sequence, batch and precision; drop --%s (the plan, stack and MoE flags apply)", f.Name, f.Name)
		}
	})
	var fields []string
	for _, name := range runFixed {
		if field := strings.ReplaceAll(name, "-", "_"); rv.sets(field) {
			fields = append(fields, field)
		}
	}
	if err == nil && len(fields) > 0 {
		err = usagef("%s: %s beside --file: the run states its own model, system, sequence, batch and precision; drop them from the request file (its plan, stack and MoE fields apply)", rv.path, strings.Join(fields, ", "))
	}
	return err
}

// trainRunSetup reads the training run of a published-runs file and lays
// req over it.
func trainRunSetup(e *env, cat *catalog.Catalog, req calc.TrainRequest, file, id string) (calc.TrainSetup, *runs.Run, error) {
	b, err := e.readInput("--file", file, fileio.MaxConfigBytes)
	if err != nil {
		return calc.TrainSetup{}, nil, err
	}
	f, err := runs.Parse(b)
	if err != nil {
		return calc.TrainSetup{}, nil, fmt.Errorf("%s: %w", file, err)
	}
	for _, r := range f.Runs {
		if r.Kind == runs.KindTraining && (id == "" || r.ID == id) {
			s, err := req.SetupRun(cat, r)
			if _, ok := err.(*input.Error); err != nil && !ok {
				err = fmt.Errorf("%s: run %s: %w", file, r.ID, err) // the run's system or stack
			}
			return s, &r, err
		}
	}
	if id != "" {
		for _, r := range f.Runs {
			if r.ID == id {
				// The id is there, of another kind (QA: an inference run's
				// id was "no training run with that id").
				return calc.TrainSetup{}, nil, usagef("--run = %q: is a run of kind %s in %s, not a training run: chipgap validate %s predicts it beside the file's other runs, and chipgap serve-estimate --chip %s --chips %d estimates a deployment like it",
					id, r.Kind, file, file, r.System.Chip, r.System.Chips)
			}
		}
		return calc.TrainSetup{}, nil, usagef("--run = %q: no training run with that id in %s", id, file)
	}
	return calc.TrainSetup{}, nil, fmt.Errorf("%s: no training run", file)
}

// trainInputs are where train's inputs came from: flags, a --request
// file, a published run of --file.
type trainInputs struct {
	b    *calc.Flags
	rv   *requestValue
	file string
	run  *runs.Run
}

// blame names the input at fault in err (blame): the flag, the request
// file's field, or the published run's own field (QA: a run's tp: 3 was
// "--tp = 3").
func (in trainInputs) blame(err error) error {
	return blame(in.b, in.rv, err, func(fe *input.Error) error {
		if in.run == nil {
			return nil
		}
		c := *fe
		c.Prefix = fmt.Sprintf("%s: run %s: ", in.file, in.run.ID)
		if f := runPlanField(*in.run, fe.Field); f != "" {
			c.Field = f
		}
		return &c
	})
}

// runPlanField is a published run's own field for a plan field (or the
// token budget) it states ("plan.tp" → "training.parallel.tp"), "" where
// it states none.
func runPlanField(r runs.Run, field string) string {
	t := r.Training
	if t == nil {
		return ""
	}
	p := t.Parallel
	stated := map[string]bool{"tp": p.TP != 0, "pp": p.PP != 0, "dp": p.DP != 0, "cp": p.CP != 0, "ep": p.EP != 0, "etp": p.ETP != 0,
		"vpp": p.VPP != 0, "microbatch": p.Microbatch != 0, "zero": p.Zero != nil, "sequence_parallel": p.SequenceParallel != nil}
	name, ok := strings.CutPrefix(field, "plan.")
	switch {
	case field == "tokens" && t.Tokens != 0:
		return "training.tokens"
	case !ok:
		return ""
	case stated[name]:
		return "training.parallel." + name
	case name == "recompute" && t.Recompute != "", name == "stage_layers" && t.StageLayers != nil, name == "recompute_layers" && t.RecomputeLayers != nil:
		return "training." + name
	}
	return ""
}
