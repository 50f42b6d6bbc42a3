package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
	"chipgap/input"
	"chipgap/report"
	"chipgap/serve"
)

const simulateUsage = `
Usage: chipgap simulate [flags]
       chipgap simulate --scenario FILE [--json]

Simulates a serving deployment under traffic, request by request: arrivals
(Poisson, bursty gamma, deterministic, offline — every request queued at
once, as throughput benchmarks run — or a CSV/JSONL trace), continuous
batching with a token budget and chunked prefill, a paged KV cache sized by
the memory model with preemption when it runs out, FCFS or shortest-prompt-
first scheduling, speculative decoding, replicas behind a router, and
aggregated or prefill/decode-disaggregated pools (the pools may use
different chips). Step times come from the inference model.

Prints TTFT (disaggregated: until the decode pool, the KV cache landed,
takes the request into its batch and streams the first token, as SGLang's
PD router serves the decode side's stream), TPOT and end-to-end latency
(P50/P90/P99), throughput, goodput at the SLO, cost per million tokens
with the chips rented (the catalog's rental rate) and owned
(serve-estimate's owned cost, in the chip's default region), energy per
million tokens (at the wall, as
serve-estimate: TDP × load × server multiplier × PUE while a replica steps,
the overheads on 20 % of TDP while it waits), and the queue and KV cache
over time. A rate the deployment cannot sustain is reported as overload:
the arrivals stop there and the requests already admitted (at most the
overload's queue bound) are served to the end, so the throughput shown is
the deployment's ceiling under saturation, not the arrival window's.
--capacity finds the highest rate that meets the SLO (each probe simulates
--requests if given, at least 2,000, else 3,000 requests per replica, at
least 3,000 and at most 200,000, not the 10,000 a single simulation
defaults to, and at least 40 per replica of the largest pool (to at most
200,000): a shorter probe can end before its queue builds; a --requests
so raised is noted; "unbounded", null in JSON, where every probe met the
SLO even with all its requests arriving before the first completes, the
header giving that burst's rate (JSON: result.burst_rate_per_s): more
--requests find the bound); --plan sizes the
cheapest of several deployments for --target-rate (each chip and TP
degree, in devices as --tp; aggregated and disaggregated; --plan-mixed
adds prefill on one chip and decode on another), ranked by the chips
rented, each priced owned too, so one deployment's flags (--chip, --chips,
--tp, --pp, --ep, --dp, --attention-dp, --mode, --prefill-*, --rate) are
refused beside it. A flag the run would ignore is refused too: --cv
without --arrival gamma, --rate beside --rates or an offline arrival, a
length's tokens, min, max or sigma its distribution does not take (fixed
takes tokens, uniform min and max, lognormal all four) or beside a
--trace it replays, --link-* without a prefill pool, --plan-tp or
--plan-mixed without --plan; a scenario file's field likewise where it
differs from the default.

--scenario - or --trace - reads that file from standard input, under
the same limits (4 MiB a scenario, 64 MiB a trace); so does a scenario's
trace: "-" (quoted: a bare - is a YAML list item). Standard input is read
once: one input at most may be -.

Examples:
  chipgap simulate --model llama3.1-70b --chip h100-sxm --chips 8 --tp 8 \
    --rate 20 --requests 100000 --input-tokens 1000 --output-tokens 200 --seed 1
  chipgap simulate --model llama3.1-70b --chip h100-sxm --chips 16 --tp 8 \
    --mode disaggregated --prefill-chips 8 --rates 5,10,20 --ttft 2s --tpot 50ms
  chipgap simulate --model llama3.1-8b --chip h100-sxm --chips 1 --tp 1 \
    --capacity --ttft 1s --tpot 40ms
  chipgap simulate --model llama3.1-70b --plan h100-sxm,h200-sxm,mi300x \
    --plan-tp 2,4,8 --plan-mixed --target-rate 50 --ttft 2s --tpot 50ms
  chipgap simulate --scenario examples/simulate-disagg.yaml

The flags are the fields of POST /api/serve/simulate (docs/api.md), with
- for _; calc.SimulateRequest defines them once. A scenario file holds
them under simulate: (the flags' names, or the API's field names).
`

// simRun holds the command's own flags besides the request.
type simRun struct {
	asJSON, capacity bool
	scenario         string
	plan, planTP     string
	planMixed        bool
	planTPGiven      bool
	target           float64
	progress         string
	chart            string
}

// check refuses flags that do not go together: one mode (a simulation,
// --rates, --capacity or --plan) at a time.
func (o simRun) check(rates bool) error {
	switch {
	case o.progress != "auto" && o.progress != "on" && o.progress != "off":
		return usagef("--progress %q: want auto, on or off", o.progress)
	case o.target != 0 && o.plan == "":
		return usagef("--target-rate needs --plan CHIPS (it is the rate the plan must serve)")
	case (o.planTPGiven || o.planMixed) && o.plan == "":
		return usagef("--plan-tp and --plan-mixed shape the candidates of --plan CHIPS: without --plan they do nothing; drop them or add --plan")
	case o.plan != "" && (o.capacity || rates):
		// --plan sizes a deployment for --target-rate; these ask of one.
		return usagef("--plan sizes the cheapest deployment for --target-rate; --capacity and --rates ask of the one deployment the flags give: use one of them")
	case o.capacity && rates:
		return usagef("--capacity searches the highest rate within the SLO; --rates simulates the rates given: use one of them")
	case o.chart != "" && (rates || o.capacity || o.plan != ""):
		// The charts are one simulation's time series; these run several.
		return usagef("--chart draws one simulation's queue and KV over time; --rates, --capacity and --plan run several: drop --chart or them")
	}
	return nil
}

func cmdSimulate(e *env, args []string) error {
	req := calc.NewSimulateRequest()
	fs := newFlags(e, "simulate", simulateUsage)
	b := bindRequest(fs, &req)
	var o simRun
	fs.BoolVar(&o.asJSON, "json", false, "print JSON")
	fs.StringVar(&o.scenario, "scenario", "", "a YAML scenario file, at most 4 MiB (- reads standard input), with the flags' names (see examples/simulate-*.yaml)")
	fs.BoolVar(&o.capacity, "capacity", false, "search the highest rate that meets the SLO (--ttft/--tpot)")
	fs.StringVar(&o.plan, "plan", "", "comma-separated chips: size the cheapest deployment for --target-rate")
	fs.StringVar(&o.planTP, "plan-tp", "1,2,4,8", "tensor-parallel degrees --plan tries, in devices as --tp (a replica's chips: tp over the devices a package holds, 2 on a 910C)")
	fs.BoolVar(&o.planMixed, "plan-mixed", false, "--plan also tries prefill on one chip and decode on another")
	fs.Float64Var(&o.target, "target-rate", 0, "requests per second --plan must serve within the SLO")
	fs.StringVar(&o.chart, "chart", "", "write the queue and KV time series as SVG charts PREFIX-queue.svg and PREFIX-kv.svg (each a regular file or a new name, not one of the inputs; links, devices and FIFOs are refused; one simulation: not with --rates, --capacity or --plan)")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), on, off")
	if err := cmp.Or(parseNoArgs(fs, args), b.StatedZero()); err != nil {
		return err
	}
	o.planTPGiven = flagGiven(fs, "plan-tp")
	rename, traceBy := b.Rename, "--trace"
	if o.scenario != "" {
		rates := req.Workload.Rates
		var err error
		if req, err = readScenario(e, fs, "simulation", calc.SimulateScenario,
			"json", "progress", "chart", "capacity", "plan", "plan-tp", "plan-mixed", "target-rate", "rates"); err != nil {
			return err
		}
		if rates != nil {
			// --rates replaces the file's rate as well as its rates.
			req.Workload.Rates, req.Workload.Rate = rates, 0
		}
		if t := req.Workload.Trace; t != "" && t != fileio.Stdin && !filepath.IsAbs(t) {
			req.Workload.Trace = filepath.Join(filepath.Dir(o.scenario), t)
		}
		rename = func(err error) error {
			return fmt.Errorf("scenario %s: %s%w", o.scenario, atLine(req.LineOf(err)), err)
		}
		traceBy = fmt.Sprintf("scenario %s: trace", o.scenario)
	}
	if err := o.check(len(req.Workload.Rates) > 0); err != nil {
		return err
	}
	if err := checkChart(o.chart, o.scenario, req.Workload.Trace); err != nil {
		return err
	}
	trace, err := readTrace(e, traceBy, req.Workload.Trace)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	c := simCmd{e: e, o: o, req: req, rename: rename}
	if err := ignoredFlags(b, req, o); err != nil {
		return err
	}
	if o.plan != "" {
		return c.plan(cat, trace)
	}
	st, err := req.Setup(cat, trace)
	if err != nil {
		return rename(err)
	}
	if o.capacity {
		return c.capacity(st)
	}
	bar, at := newProgress(e, "simulate", o.progress), -1.0
	sim, err := calc.Simulate(st, calc.SimulateOptions{Progress: func(rate float64, done, total int) bool {
		if rate != at {
			bar.clear()
			at = rate
		}
		bar.show(rateLabel(rate), done, total, "requests")
		return e.ctx.Err() == nil
	}, Stop: e.ctx.Err})
	bar.clear()
	if err != nil {
		return rename(err)
	}
	return c.write(sim)
}

// rateLabel heads the progress bar: the rate simulated, none at rate 0
// (an offline batch, or a trace at its own times).
func rateLabel(rate float64) string {
	if rate == 0 {
		return ""
	}
	return fmt.Sprintf("rate %g/s ", rate)
}

// simCmd is one simulate invocation past its flags.
type simCmd struct {
	e      *env
	o      simRun
	req    calc.SimulateRequest
	rename func(error) error // names a bad field as the input did
}

// write prints a simulation (and its charts).
func (c simCmd) write(sim calc.Simulation) error {
	sweep := len(c.req.Workload.Rates) > 0
	if !sweep {
		if err := writeCharts(c.o.chart, sim.Points[0].Result, sim.Pools); err != nil {
			return err
		}
	}
	switch {
	case !c.o.asJSON:
		return sim.WriteText(c.e.stdout)
	case sweep:
		return writeJSON(c.e.stdout, struct {
			Scenario calc.SimulateSpec `json:"scenario"`
			Pools    []calc.SimPool    `json:"pools"`
			Link     serve.Link        `json:"link"`
			Sweep    []calc.SimPoint   `json:"sweep"`
		}{c.req.Spec(), sim.Pools, sim.Link, sim.Points})
	}
	return writeJSON(c.e.stdout, struct {
		Scenario calc.SimulateSpec `json:"scenario"`
		Pools    []calc.SimPool    `json:"pools"`
		Link     serve.Link        `json:"link"`
		calc.SimPoint
	}{c.req.Spec(), sim.Pools, sim.Link, sim.Points[0]})
}

// capacity is --capacity.
func (c simCmd) capacity(st calc.SimulateSetup) error {
	cp, err := calc.FindCapacity(st, c.e.ctx.Err)
	if err != nil {
		return c.rename(err)
	}
	if c.o.asJSON {
		return writeJSON(c.e.stdout, struct {
			Scenario  calc.SimulateSpec  `json:"scenario"`
			Pools     []calc.SimPool     `json:"pools"`
			Capacity  serve.CapacityRate `json:"capacity_per_s"` // null: unbounded
			Result    *serve.Result      `json:"result"`
			Owned     *calc.OwnedCost    `json:"owned_cost,omitempty"`
			OwnedNote string             `json:"owned_cost_note,omitempty"`
		}{c.req.Spec(), cp.Pools, serve.CapacityRate(cp.Capacity), cp.Result, cp.Owned, cp.OwnedNote})
	}
	return cp.WriteText(c.e.stdout)
}

// readTrace reads a request trace (nil without one), - from standard
// input (readInput), what naming it in an error (--trace, or the
// scenario file's field): a file that cannot be read is exit 1, one that
// reads to no request or a malformed line 2.
func readTrace(e *env, what, path string) ([]serve.Request, error) {
	if path == "" {
		return nil, nil
	}
	fh, err := e.openInput(what, path, fileio.MaxTraceBytes)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	tr, err := serve.ParseTrace(fh)
	var tl *fileio.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, inputError(what, tl)
	case errors.Is(err, serve.ErrEmptyTrace):
		// Read to the end, no request in it: bad input (exit 2), as an
		// empty scenario or runs file is.
		return nil, usagef("%s: no requests (empty, or a header only): want one request per line, CSV or JSON Lines", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tr, nil
}

// plan is --plan.
func (c simCmd) plan(cat *catalog.Catalog, trace []serve.Request) error {
	e, o, req := c.e, c.o, c.req
	po := calc.PlanOptions{Mixed: o.planMixed, Target: o.target, Trace: trace, Stop: e.ctx.Err}
	for _, c := range strings.Split(o.plan, ",") {
		po.Chips = append(po.Chips, strings.TrimSpace(c))
	}
	for _, f := range strings.Split(o.planTP, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return usagef("--plan-tp: %q is not a positive integer", f)
		}
		po.TP = append(po.TP, v)
	}
	switch {
	case o.target < 0 || math.IsInf(o.target, 0):
		return usagef("--target-rate = %g: want the requests per second to serve, a positive number", o.target)
	case !(o.target > 0):
		return usagef("--plan: want --target-rate, the requests per second to serve")
	case req.SLO.TTFT == 0 && req.SLO.TPOT == 0:
		return usagef("--plan: want an SLO, --ttft and/or --tpot")
	}
	p, err := calc.PlanDeployments(cat, req, po)
	if err != nil && !errors.Is(err, calc.ErrNoPlanMeets) {
		return c.rename(planFlagError(err))
	}
	if o.asJSON {
		for i := range p.Rows {
			if p.Rows[i].Result != nil {
				p.Rows[i].Result.Series = nil
			}
		}
		if jerr := writeJSON(e.stdout, struct {
			Scenario calc.SimulateSpec `json:"scenario"`
			Target   float64           `json:"target_rate_per_s"`
			Rows     []calc.PlanRow    `json:"plans"`
			Skipped  []string          `json:"skipped,omitempty"`
		}{req.Spec(), o.target, p.Rows, p.Skipped}); jerr != nil {
			return jerr
		}
	} else if werr := p.WriteText(e.stdout); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("--plan: %w", err)
	}
	return nil
}

// planFlagError names the plan's own fields (calc.PlanOptions: plan,
// plan_tp, target_rate) by their flags; any other error is returned as
// it is.
func planFlagError(err error) error {
	fe, ok := err.(*input.Error)
	if !ok || fe.Field != "plan" && fe.Field != "plan_tp" && fe.Field != "target_rate" {
		return err
	}
	c := *fe
	c.Prefix, c.Field = "--", strings.ReplaceAll(fe.Field, "_", "-")
	return &c
}

// planOnly are the request fields a --plan replaces with its own
// candidates (chip, chips, tp, the pools) or its --target-rate (rate).
var planOnly = []string{"chip", "chips", "parallel.tp", "parallel.pp", "parallel.ep", "parallel.dp", "parallel.attention_dp", "mode",
	"prefill.chip", "prefill.chips", "prefill.parallel.tp", "prefill.parallel.pp", "prefill.parallel.ep", "prefill.parallel.dp",
	"prefill.parallel.attention_dp", "workload.rate"}

// ignoredFlags refuses a flag the simulation given would ignore:
// --spec-acceptance without draft tokens, one deployment's layout beside
// --plan, --rate beside --capacity, and the request's own
// (calc.SimulateRequest.Unused: --rate beside --rates or an offline
// arrival, --cv without gamma arrivals, a length's tokens, bound or
// sigma its distribution does not take, a KV link without a prefill pool), each
// named by its flag.
func ignoredFlags(b *calc.Flags, req calc.SimulateRequest, o simRun) error {
	if err := specFlags(b, req.Speculative.Tokens); err != nil {
		return err
	}
	for _, path := range planOnly {
		if o.plan != "" && b.Set(path) {
			return usagef("--%s beside --plan: the plan picks each candidate's chip, chips (--plan-tp) and pools itself and serves --target-rate; drop --%s", b.Name(path), b.Name(path))
		}
	}
	if b.Set("workload.rate") && o.capacity {
		return usagef("--%s: --capacity searches the rate itself; drop --%s", b.Name("workload.rate"), b.Name("workload.rate"))
	}
	flagOf := func(path string) string {
		if path == "prefill" {
			return "--prefill-*"
		}
		return "--" + b.Name(path)
	}
	return b.Rename(req.Unused(b.Set, flagOf, o.plan != ""))
}

// writeCharts writes the time-series charts when --chart names a prefix,
// through writeOutputs: both files or neither, never half-written.
func writeCharts(prefix string, r *serve.Result, pools []calc.SimPool) error {
	if prefix == "" {
		return nil
	}
	var names []string
	for _, p := range pools {
		names = append(names, p.Name)
	}
	q, kv := report.ServeCharts(r, names)
	outs := chartOutputs(prefix)
	outs[0].Render = func(w io.Writer) error { _, err := w.Write(q); return err }
	outs[1].Render = func(w io.Writer) error { _, err := w.Write(kv); return err }
	return fileOnly(fileio.WriteOutputs(io.Discard, outs))
}

// chartOutputs are the two files --chart PREFIX names.
func chartOutputs(prefix string) []fileio.Output {
	return []fileio.Output{{Flag: "--chart", Path: prefix + "-queue.svg"}, {Flag: "--chart", Path: prefix + "-kv.svg"}}
}

// checkChart refuses, before any simulation, a --chart prefix whose
// files chipgap must not write, or one naming an input (the scenario
// file, the trace) that writing a chart would replace.
func checkChart(prefix string, inputs ...string) error {
	if prefix == "" {
		return nil
	}
	if prefix == fileio.Stdout {
		return usagef("--chart -: writes two files, PREFIX-queue.svg and PREFIX-kv.svg; want a path prefix, not stdout")
	}
	if base := filepath.Base(prefix); strings.HasSuffix(prefix, "/") || strings.HasSuffix(prefix, string(filepath.Separator)) || base == "." || base == ".." {
		// A directory alone would write "-queue.svg" and "-kv.svg" in it.
		return usagef("--chart %s: want a path prefix with a file name part, e.g. %s (it writes PREFIX-queue.svg and PREFIX-kv.svg)",
			prefix, filepath.Join(prefix, "chart"))
	}
	for _, o := range chartOutputs(prefix) {
		if err := fileio.CheckOutput(o.Flag, o.Path); err != nil {
			return fileOnly(err)
		}
	}
	return fileOnly(fileio.CheckNotInputs(chartOutputs(prefix), inputs...))
}

// fileOnly words a refused output file for a flag that has no
// standard-output form (--chart, sweep's --out and --csv; fileio's
// message offers "- for standard output").
func fileOnly(err error) error {
	var oe *fileio.OutputError
	if !errors.As(err, &oe) {
		return err
	}
	return usagef("%s", strings.Replace(oe.Error(), " (- for standard output)", "", 1))
}
