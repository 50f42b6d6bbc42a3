package main

import (
	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
)

const validateUsage = `Usage: chipgap validate FILE [FILE...] [--free] [--stack-date YYYY-MM-DD] [--json | --markdown]

Reads FILE (at most 4 MiB each; - reads standard input) in the published-runs/v1 format
(docs/published-runs.md in the chipgap repository),
predicts every run from first principles (training: the fastest plan within
what the run states; inference: the serving estimator) and prints id,
metric, measured, predicted and error (predicted / measured − 1), then the
count, the mean and median absolute error and the worst run. A run that
cannot be predicted gets a reason and does not stop the others; a malformed
file stops with an error naming the run id and the field. A run that states
fields chipgap reads beyond the format (a sliding window, the MoE router's
groups or gate, a MoE recipe's dispatch, all-to-all overlap, token drop or CUDA graphs,
FP4 training, an FP8 scaling recipe)
says so after its stack ("; states model.window"; --json: beyond_format).

--free also predicts every training throughput run at the searched best
plan (every parallel degree, recompute and ZeRO stage free; the system,
model, sequence, batch and precision kept; the features the stated plan
shows its framework had, such as sequence parallelism, allowed) and prints its signed error
beside the stated plan's: the search's optimism over what teams ran. The
summary adds the median and largest optimism and, where another run in
the files given measured more per chip on the same chip, model, sequence
and precision (at any scale, batch, plan or release; a run with MTP modules
beside one without, by the training FLOPs each token took), the optimism
over that best measurement (--json: free_best_measured, free_best_at and
free_over_best per run): a search far over one team's figure but near
another's on the same chips is that team's plan or release falling
short, not the search promising what nobody reaches.

--stack-date takes each training stack as it stood on that date (the
dated versions in catalog/data/stacks-training.yaml, e.g. MindFormers
tags); without it a run that names its release (software: "nemo 24.12") takes
that release's version, or for a calendar release no version has, the state at
its date (a release given as a date, "megatron-core 2025-05-24", the state that
day), and any other run each stack's current state.

Several files are reported one after another (--json merges them).
--markdown prints the Markdown page docs/validation.md is generated as:
  chipgap validate --free runs/testdata/published-runs.yaml runs/testdata/published-runs-ascend.yaml \
    validation/calibration-extra.yaml validation/calibration-mcore-scaling.yaml validation/calibration-llmfoundry.yaml validation/calibration-mindformers.yaml validation/calibration-maxtext.yaml validation/calibration-ascend.yaml validation/calibration-gaudi.yaml validation/calibration-nemo-longseq.yaml validation/calibration-nemo-h100.yaml validation/calibration-mcore-moe-zoo.yaml validation/calibration-mcore-moe-recipes.yaml validation/calibration-mcore-strong.yaml validation/calibration-mlperf-v41.yaml validation/calibration-mlperf-v50.yaml validation/calibration-mlperf-v51.yaml validation/calibration-mlperf-v51-405b.yaml validation/calibration-mlperf-v51-amd.yaml validation/calibration-mlperf-v60.yaml validation/calibration-mlperf-v60-fp4.yaml \
    validation/calibration-trtllm-blackwell.yaml validation/calibration-trtllm-2023.yaml validation/calibration-oci-mi300x.yaml \
    validation/holdout-runs.yaml validation/holdout-mindformers.yaml validation/holdout-mbridge-moe.yaml validation/holdout-mbridge-moe-2509.yaml validation/holdout-modellink-moe.yaml validation/holdout-modellink-dense.yaml validation/holdout-nemo-mixtral.yaml validation/holdout-mbridge-dense.yaml validation/holdout-nemo-dense.yaml validation/holdout-dgxc.yaml validation/holdout-mbridge-2026.yaml validation/holdout-automodel.yaml validation/holdout-mlperf-v60-fp4.yaml validation/holdout-mlperf-v60-gptoss.yaml validation/holdout-trtllm-moe.yaml validation/holdout-trtllm-dsr1.yaml validation/holdout-trtllm-moe-12.yaml validation/holdout-trtllm-dense-12.yaml \
    validation/holdout-trtllm-hopper.yaml validation/holdout-gpustack-ascend.yaml validation/holdout-amd-vllm.yaml validation/holdout-intel-gaudi.yaml \
    validation/holdout-trtllm-h200-launch.yaml validation/holdout-accelmark.yaml validation/holdout-gpustack-cuda.yaml --markdown > docs/validation.md
(the runs/testdata files are copies of ../shared/data, the calibration sets;
validation/calibration-*.yaml are chipgap's own calibration runs; the
validation/holdout-*.yaml files are never calibrated on).

The flags are the fields of calc.ValidateRequest, with - for _.`

func cmdValidate(e *env, args []string) error {
	var req calc.ValidateRequest
	fs := newFlags(e, "validate", validateUsage)
	b := bindRequest(fs, &req)
	asJSON := fs.Bool("json", false, "one JSON object: results and summary")
	md := fs.Bool("markdown", false, "the Markdown page (docs/validation.md)")
	quiet := fs.Bool("quiet", false, "no progress line on stderr (drawn only on a terminal, for a validation over half a second)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("want at least one FILE")
	}
	if *asJSON && *md {
		return usagef("--json and --markdown are two output formats: want one")
	}
	for _, name := range pos {
		data, err := e.readInput("", name, fileio.MaxConfigBytes)
		if err != nil {
			return err
		}
		req.Files = append(req.Files, calc.RunsFile{Name: name, Data: data})
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	bar := newProgress(e, "validate", quietMode(*quiet))
	req.Progress = bar.fn("", "runs")
	v, err := calc.Validate(cat, req)
	bar.clear()
	switch {
	case err != nil:
		return b.Rename(err)
	case *asJSON:
		return writeJSON(e.stdout, v.Merged())
	case *md:
		return v.WriteMarkdown(e.stdout)
	}
	return v.WriteText(e.stdout)
}
