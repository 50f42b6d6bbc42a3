package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
	"chipgap/runs"
	"chipgap/training"
	"chipgap/units"
)

const trainUsage = `Usage: chipgap train --model ID --chip ID --chips N [--global-batch B] [--seq S] [plan flags] [--search] [--json]
       chipgap train --file RUNS.yaml [--run ID] [--search] [--json]

Predicts one training step from first principles: memory per device by
component, step time with its breakdown (compute, exposed communication by
kind, pipeline bubble, and the once-a-step work as "optimizer": Adam's update,
an FP8 or FP4 job's weight casts, the stack's host time per step), tokens/s
per chip, MFU and HFU, and for
--tokens the run's days and chip-hours in steady state (no failures).

With --search it tries every valid TP, PP, DP, CP, EP, virtual stages,
micro-batch, recompute, ZeRO stage and sequence parallelism the stack
offers (plan flags fix a dimension) and ranks the plans that fit.

--file reads a training run in the published-runs/v1 format (the first
training run, or --run ID); its stated parallel block fixes the plan and,
as validate predicts the run, the dimensions it leaves unstated (recompute,
ZeRO stage, etp, ...) are searched: the fastest plan within the stated
ones and the stack's published practice. The run states its model,
system, sequence, batch and precision: --model, --chip, --chips, --seq,
--global-batch, --precision and the like are refused beside --file, while
the plan, stack and MoE flags apply over the run's.
The software-stack profile is the chip's default stack, or --stack (a
profile id such as cuda-megatron) or --software (a framework name such as
megatron-lm, nemo, llm-foundry, mindspeed).

The job's flags are the fields of POST /api/train/estimate (docs/api.md),
with - for _ and the plan's under plan (--tp is plan.tp, --mb
plan.microbatch, --sp plan.sequence_parallel; --software is framework);
calc.TrainRequest defines them once. --search, --top, --file, --run,
--request and --json choose what the command does.

Example: chipgap train --model mt-nlg-530b --chip a100-sxm4-80gb --chips 5128 --global-batch 2520 --seq 2048 --search --json`

func cmdTrain(e *env, args []string) error {
	var req calc.TrainRequest
	fs := newFlags(e, "train", trainUsage)
	b := bindRequest(fs, &req)
	readErr := requestFlag(fs, &req)
	search := fs.Bool("search", false, "search every valid plan and rank the best")
	file := fs.String("file", "", "a published-runs/v1 file (docs/published-runs.md; at most 4 MiB) holding the training run")
	runID := fs.String("run", "", "the run id to take from --file")
	asJSON := fs.Bool("json", false, "machine-readable output")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := cmp.Or(readErr(), fileFlags(fs, *file, *runID)); err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	var s calc.TrainSetup
	if *file != "" {
		s, err = trainRunSetup(cat, req, *file, *runID)
	} else {
		s, err = req.Setup(cat)
	}
	if err != nil {
		return b.Rename(err)
	}
	if *search {
		start, bar := time.Now(), newProgress(e, "train --search", "auto")
		sr, err := calc.Search(s, calc.SearchOptions{Top: req.Top, Progress: bar.fn("", "plan shapes")})
		bar.clear()
		elapsed := time.Since(start).Seconds()
		if err != nil && !errors.Is(err, training.ErrNoPlan) {
			return b.Rename(err)
		}
		if *asJSON {
			// No wall-clock time in the JSON: the same request gives the
			// same bytes (the text output prints the search's speed).
			if jerr := writeJSON(e.stdout, struct {
				calc.TrainHeader
				training.SearchResult
				MeasuredBand *calc.MeasuredBand `json:"measured_band,omitempty"`
			}{sr.Header, sr.SearchResult, sr.Band()}); jerr != nil {
				return jerr
			}
			return err
		}
		if werr := sr.WriteText(e.stdout, elapsed); werr != nil {
			return werr
		}
		return err
	}
	r, err := calc.Train(s)
	if nf := (*training.NotFitError)(nil); errors.As(err, &nf) {
		if *asJSON {
			_ = writeJSON(e.stdout, struct {
				calc.TrainHeader
				Fits      bool            `json:"fits"`
				Plan      string          `json:"plan"`
				Memory    training.Memory `json:"memory"`
				Shortfall units.Bytes     `json:"shortfall"`
			}{r.Header, false, nf.Plan.String(), nf.Memory, nf.Shortfall})
		}
		return err
	}
	if err != nil {
		return b.Rename(err)
	}
	if *asJSON {
		return writeJSON(e.stdout, struct {
			calc.TrainHeader
			Fits     bool `json:"fits"`
			Searched int  `json:"searched_plans,omitempty"`
			training.Result
			MeasuredBand *calc.MeasuredBand `json:"measured_band,omitempty"`
		}{r.Header, true, r.Searched, r.Result, r.Band})
	}
	return r.WriteText(e.stdout)
}

// runFixed are the flags describing the job that a published run states
// for itself: beside --file they would be ignored, so they are refused.
var runFixed = []string{"model", "chip", "chips", "chips-per-node", "scale-out-gbps", "devices-per-chip", "global-batch", "seq", "precision", "tokens"}

// fileFlags refuses --run without --file, and beside --file a flag the
// run states itself (its plan, stack and MoE flags still apply).
func fileFlags(fs *flag.FlagSet, file, runID string) error {
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
	return err
}

// trainRunSetup reads the training run of a published-runs file and lays
// req over it.
func trainRunSetup(cat *catalog.Catalog, req calc.TrainRequest, file, id string) (calc.TrainSetup, error) {
	b, err := fileio.ReadFile(file, fileio.MaxConfigBytes)
	if err != nil {
		return calc.TrainSetup{}, err
	}
	f, err := runs.Parse(b)
	if err != nil {
		return calc.TrainSetup{}, fmt.Errorf("%s: %w", file, err)
	}
	for _, r := range f.Runs {
		if r.Kind == runs.KindTraining && (id == "" || r.ID == id) {
			s, err := req.SetupRun(cat, r)
			if err != nil {
				return s, fmt.Errorf("run %s: %w", r.ID, err)
			}
			return s, nil
		}
	}
	if id != "" {
		return calc.TrainSetup{}, usagef("--run = %q: no training run with that id in %s", id, file)
	}
	return calc.TrainSetup{}, fmt.Errorf("%s: no training run", file)
}
