package main

import (
	"flag"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
)

const runUsage = `Usage: chipgap run --model ID --chip ID --chips N (--tokens T | --days D) [flags]
       chipgap run --scenario FILE [flags]

The whole training run, simulated over many seeds: failures per component
(rates per chip-hour from catalog/data/reliability.yaml: NVIDIA derived
from the Llama 3 54-day record, other stacks scaled by documented
factors), detection, restarts, spare-node swaps, checkpoints (Daly's
interval unless --interval) and the stack's porting and maturation effort
(stacks-engineering.yaml). Prints wall-clock days P10/P50/P90 split into
productive compute, maturation slowdown, lost work, restarts,
checkpointing and porting, beside the closed-form (Young/Daly) estimate;
interruptions expected, by component; the best checkpoint interval. The
header names each cluster's node (chips per node: its scale-up domain, 384
for a 910C, a CloudMatrix 384 supernode) and the training job (seq,
global batch, precision; "(default)" where not given: 8192, 2048, bf16).

Throughput comes from the training estimator's best plan (training.Search)
unless --mfu is given: then tokens/s = MFU × dense peak × chips ÷ 6·N.
If plans are estimated and none fits in memory, there is no run: exit 1,
naming the closest plan's shortfall, with --mfu too (it sets the rate,
not the memory: the plans are still checked for a fit). Only where every plan of the space
breaks a rule of the stack or the layout (none is estimated) is the
stack's labelled mfu_fallback used.

--tokens T runs to completion of T tokens; --days D simulates a D-day
window (as the Llama 3 record); with both, whichever ends first.
Units: a bare --days is days (--days 54), a bare --interval is seconds
(--interval 5 is 5 s): give a duration its unit (--interval 30min,
--days 1296h) where it could be misread.
--vs CHIP[:N] runs the same model and token budget on a second cluster and
splits the difference into throughput, downtime and engineering.

A run to completion that the closed form finds never finishes (its
expected wall time past 50 × the failure-free time, where the simulation
stops a run: interruptions too frequent for the job to recover and
checkpoint between them) is refused at once, naming --chips: fewer chips, a more reliable stack, faster
checkpoints, or a --days window, which simulates. A run whose simulated
events may exceed 1e8 (seeds, the interval check's included, × the most
one seed can fire: two per interruption, chips × the failure rates (the
highest with --ranges) × the hours simulated, and two or three per
checkpoint cycle, those hours ÷ the interval), the API's max_sim_events, is refused naming
--interval when a short one drives it, else --seeds, unless --yes is
given; on a terminal a progress line counts the simulated runs (--quiet
hides it).

--scenario FILE takes the settings from a YAML file, one field per flag
(the flag's name with _ for -: model, chip, chips, chips_per_node, days,
global_batch, storage_bw, vs, vs_chips, ...), quantities as unit strings
("54d", "30min", "2TB/s"). It is decoded strictly: an unknown field, a
unit that does not parse or a value out of range is an error naming the
file, line and field, and nothing runs. Flags given beside --scenario
override the file's values. See examples/run-*.yaml.

The flags and the file's fields are the fields of POST /api/run/simulate
(docs/api.md); calc.RunRequest defines them once.

Example: chipgap run --model llama3.1-405b --chip h100-sxm --chips 16384 --days 54 --json
         chipgap run --scenario examples/run-llama3-record.yaml --seeds 20`

func cmdRun(e *env, args []string) error {
	var req calc.RunRequest
	fs := newFlags(e, "run", runUsage)
	b := bindRequest(fs, &req)
	scenario := fs.String("scenario", "", "a YAML file (at most 4 MiB; - reads standard input) with the settings below as fields (- → _; examples/run-*.yaml); flags given with it override the file")
	fs.IntVar(&req.GlobalBatch, "batch", 0, "same as --global-batch (give one of them)")
	asJSON := fs.Bool("json", false, "machine-readable output")
	yes := fs.Bool("yes", false, "simulate even beyond the default bound on simulated events (seeds × the interruptions and checkpoint cycles a seed can fire ≤ 1e8, the API's max_sim_events)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: run takes flags only (a file goes with --scenario)", pos[0])
	}
	if flagGiven(fs, "batch") && b.Set("global_batch") {
		return usagef("--batch and --global-batch name one setting (the global batch in sequences): give one of them")
	}
	var file *calc.RunFile
	if *scenario != "" {
		// The file over the defaults, then the flags given over the file.
		bs, err := e.readInput("--scenario", *scenario, fileio.MaxConfigBytes)
		if err != nil {
			return err // unreadable: a failure (exit 1), as report and train exit
		}
		req = calc.RunRequest{}
		if file, err = calc.DecodeRunFile(*scenario, bs, &req); err != nil {
			return err
		}
		if _, err := parseFlags(fs, args); err != nil {
			return err
		}
	}
	if flagGiven(fs, "batch") && req.GlobalBatch == 0 {
		return calc.ZeroStated("--batch")
	}
	if err := b.StatedZero(); err != nil {
		return err
	}
	given := func(field string) bool { return b.Set(field) || field == "global_batch" && flagGiven(fs, "batch") }
	explain := func(err error) error { return b.Rename(file.Explain(err, given)) }
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	s, err := req.Setup(cat)
	if err != nil {
		return explain(err)
	}
	bar := newProgress(e, "run", quietMode(*quiet))
	o := calc.RunOptions{MFUFrom: "--mfu", Checks: true, MaxEvents: calc.MaxRunEvents, Lift: "or pass --yes to run it anyway",
		Simulated: bar.fn("simulating ", "runs")}
	if *yes {
		o.MaxEvents = 0
	}
	res, err := calc.Run(s, o)
	bar.clear()
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		return writeJSON(e.stdout, res)
	}
	return res.WriteText(e.stdout)
}

// flagGiven reports whether the flag name was given.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
