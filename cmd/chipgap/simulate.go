package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/serve"
	"chipgap/units"
)

const simulateUsage = `
Usage: chipgap simulate [flags]
       chipgap simulate --scenario FILE [--json]

Simulates a serving deployment under traffic, request by request: arrivals
(Poisson, bursty gamma, deterministic, or a CSV/JSONL trace), continuous
batching with a token budget and chunked prefill, a paged KV cache sized by
the memory model with preemption when it runs out, FCFS or shortest-prompt-
first scheduling, speculative decoding, replicas behind a router, and
aggregated or prefill/decode-disaggregated pools (the pools may use
different chips). Step times come from the inference model.

Prints TTFT, TPOT and end-to-end latency (P50/P90/P99), throughput, goodput
at the SLO, cost and energy per million tokens, and the queue and KV cache
over time. A rate the deployment cannot sustain is reported as overload:
the arrivals stop there and the requests already admitted (at most the
overload's queue bound) are served to the end, so the throughput shown is
the deployment's ceiling under saturation, not the arrival window's.
--capacity finds the highest rate that meets the SLO; --plan sizes the
cheapest of several deployments for --target-rate (each chip and TP
degree, aggregated and disaggregated; --plan-mixed adds prefill on one
chip and decode on another).

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
`

// simSpec is one simulation: the flags, or a scenario file (same names).
type simSpec struct {
	Model          string  `yaml:"model" json:"model"`
	Chip           string  `yaml:"chip" json:"chip"`
	Chips          int     `yaml:"chips" json:"chips"`
	ChipsPerNode   int     `yaml:"chips_per_node" json:"chips_per_node,omitempty"`
	DevicesPerChip int     `yaml:"devices_per_chip" json:"devices_per_chip,omitempty"`
	Software       string  `yaml:"software" json:"software,omitempty"`
	TP             int     `yaml:"tp" json:"tp,omitempty"`
	PP             int     `yaml:"pp" json:"pp,omitempty"`
	EP             int     `yaml:"ep" json:"ep,omitempty"`
	Precision      string  `yaml:"precision" json:"precision"`
	KVPrecision    string  `yaml:"kv_precision" json:"kv_precision,omitempty"`
	SpecTokens     int     `yaml:"spec_tokens" json:"spec_tokens,omitempty"`
	SpecAcceptance float64 `yaml:"spec_acceptance" json:"spec_acceptance,omitempty"`

	Mode         string         `yaml:"mode" json:"mode"`
	PrefillChip  string         `yaml:"prefill_chip" json:"prefill_chip,omitempty"`
	PrefillChips int            `yaml:"prefill_chips" json:"prefill_chips,omitempty"`
	PrefillTP    int            `yaml:"prefill_tp" json:"prefill_tp,omitempty"`
	PrefillEP    int            `yaml:"prefill_ep" json:"prefill_ep,omitempty"`
	LinkBW       units.ByteRate `yaml:"link_bandwidth" json:"link_bandwidth,omitempty"`
	LinkLatency  units.Seconds  `yaml:"link_latency" json:"link_latency,omitempty"`

	Router         string `yaml:"router" json:"router"`
	Scheduler      string `yaml:"scheduler" json:"scheduler"`
	Admission      string `yaml:"admission" json:"admission"`
	MaxBatchTokens int    `yaml:"max_batch_tokens" json:"max_batch_tokens,omitempty"`
	MaxSeqs        int    `yaml:"max_seqs" json:"max_seqs,omitempty"`
	NoChunking     bool   `yaml:"no_chunked_prefill" json:"no_chunked_prefill,omitempty"`

	Arrival  string     `yaml:"arrival" json:"arrival"`
	Rate     float64    `yaml:"rate" json:"rate"`
	Rates    []float64  `yaml:"rates" json:"rates,omitempty"`
	CV       float64    `yaml:"cv" json:"cv,omitempty"`
	Requests int        `yaml:"requests" json:"requests"`
	Seed     uint64     `yaml:"seed" json:"seed"`
	Trace    string     `yaml:"trace" json:"trace,omitempty"`
	Input    lengthSpec `yaml:"input" json:"input"`
	Output   lengthSpec `yaml:"output" json:"output"`

	TTFT       units.Seconds `yaml:"ttft" json:"ttft,omitempty"`
	TPOT       units.Seconds `yaml:"tpot" json:"tpot,omitempty"`
	Percentile float64       `yaml:"slo_percentile" json:"slo_percentile,omitempty"`
}

// lengthSpec is a token-length distribution as flags and files give it.
type lengthSpec struct {
	Dist  string  `yaml:"dist" json:"dist"`
	Mean  int     `yaml:"tokens" json:"tokens"`
	Min   int     `yaml:"min" json:"min,omitempty"`
	Max   int     `yaml:"max" json:"max,omitempty"`
	Sigma float64 `yaml:"sigma" json:"sigma,omitempty"`
}

// simFlags binds the flags to s; defaults are the documented ones.
func simFlags(fs *flag.FlagSet, s *simSpec) {
	fs.StringVar(&s.Model, "model", "", "model preset id (see 'chipgap models')")
	fs.StringVar(&s.Chip, "chip", "", "chip id of the serving (aggregated) or decode pool (see 'chipgap chips')")
	fs.IntVar(&s.Chips, "chips", 8, "chips of that pool; replicas = chips / (tp × pp) devices")
	fs.IntVar(&s.ChipsPerNode, "chips-per-node", 0, "scale-up domain size (0 = the chip's usual)")
	fs.IntVar(&s.DevicesPerChip, "devices-per-chip", 0, "devices the software sees per package (0 = the catalog's)")
	fs.StringVar(&s.Software, "software", "", "framework or stack (vllm, sglang, tensorrt-llm, ...; default: the chip's stack)")
	fs.IntVar(&s.TP, "tp", 0, "tensor-parallel degree per replica (0 with --ep 0: one replica over all devices)")
	fs.IntVar(&s.PP, "pp", 1, "pipeline stages per replica")
	fs.IntVar(&s.EP, "ep", 0, "expert-parallel degree per replica")
	fs.StringVar(&s.Precision, "precision", "bf16", "weights and matmuls: bf16, fp16, fp8, int8, fp4")
	fs.StringVar(&s.KVPrecision, "kv-precision", "", "KV cache precision (default: as --precision)")
	fs.IntVar(&s.SpecTokens, "spec-tokens", 0, "speculative / MTP draft tokens per decode step")
	fs.Float64Var(&s.SpecAcceptance, "spec-acceptance", 0.7, "acceptance rate of each draft token")
	fs.StringVar(&s.Mode, "mode", "aggregated", "aggregated, or disaggregated (prefill and decode pools)")
	fs.StringVar(&s.PrefillChip, "prefill-chip", "", "chip of the prefill pool (default: --chip)")
	fs.IntVar(&s.PrefillChips, "prefill-chips", 0, "chips of the prefill pool (default: --chips)")
	fs.IntVar(&s.PrefillTP, "prefill-tp", 0, "tensor-parallel degree of prefill replicas (default: --tp)")
	fs.IntVar(&s.PrefillEP, "prefill-ep", 0, "expert-parallel degree of prefill replicas (default: --ep)")
	fs.TextVar(&s.LinkBW, "link-bandwidth", units.ByteRate(0), "prefill→decode KV link per replica, e.g. 50GB/s (0 = the replicas' scale-out NICs)")
	fs.TextVar(&s.LinkLatency, "link-latency", units.Seconds(0), "latency of a KV transfer (0 = the scale-out tier's)")
	fs.StringVar(&s.Router, "router", serve.LeastOutstanding, "round-robin, least-outstanding or kv-aware")
	fs.StringVar(&s.Scheduler, "scheduler", serve.FCFS, "fcfs or spf (shortest prompt first)")
	fs.StringVar(&s.Admission, "admission", "auto", "on-demand (vLLM: preempt when KV runs out), reserve (TensorRT-LLM: prompt+output reserved), auto (by --software)")
	fs.IntVar(&s.MaxBatchTokens, "max-batch-tokens", 0, "token budget per step (0 = the stack's)")
	fs.IntVar(&s.MaxSeqs, "max-seqs", 0, "running sequences per replica (0 = the stack's, else the KV cache)")
	fs.BoolVar(&s.NoChunking, "no-chunked-prefill", false, "prefill each prompt in one step")
	fs.StringVar(&s.Arrival, "arrival", serve.Poisson, "poisson, gamma (bursty, --cv) or deterministic")
	fs.Float64Var(&s.Rate, "rate", 10, "requests per second (with --trace: rescale its times to this rate; 0 keeps them)")
	fs.Float64Var(&s.CV, "cv", 2, "coefficient of variation of gamma inter-arrival times")
	fs.IntVar(&s.Requests, "requests", 10000, "requests to simulate")
	fs.Uint64Var(&s.Seed, "seed", 1, "random seed (same seed, same output)")
	fs.StringVar(&s.Trace, "trace", "", "CSV or JSONL trace, at most 64 MiB: arrival_s, prompt_tokens, output_tokens per line")
	lengthFlags(fs, "input", &s.Input, 1000)
	lengthFlags(fs, "output", &s.Output, 200)
	fs.TextVar(&s.TTFT, "ttft", units.Seconds(0), "TTFT bound of the SLO, e.g. 2s (0 = none)")
	fs.TextVar(&s.TPOT, "tpot", units.Seconds(0), "TPOT bound of the SLO, e.g. 50ms (0 = none)")
	fs.Float64Var(&s.Percentile, "slo-percentile", 0.99, "percentile of TTFT and TPOT that must meet the bounds")
}

func lengthFlags(fs *flag.FlagSet, name string, l *lengthSpec, def int) {
	fs.IntVar(&l.Mean, name+"-tokens", def, name+" tokens per request (the mean for uniform/lognormal)")
	fs.StringVar(&l.Dist, name+"-dist", serve.Fixed, "distribution of "+name+" lengths: fixed, uniform, lognormal, empirical (from --trace)")
	fs.IntVar(&l.Min, name+"-min", 0, "uniform: smallest "+name+" length; lognormal: clip below")
	fs.IntVar(&l.Max, name+"-max", 0, "uniform: largest "+name+" length; lognormal: clip above (0 = none)")
	fs.Float64Var(&l.Sigma, name+"-sigma", 1, "lognormal: standard deviation of log length")
}

// simRun holds the command's own flags besides the spec.
type simRun struct {
	asJSON, capacity bool
	scenario         string
	rates            string
	plan, planTP     string
	planMixed        bool
	target           float64
	progress         string
	chart            string
}

func cmdSimulate(e *env, args []string) error {
	fs := newFlags(e, "simulate", simulateUsage)
	var s simSpec
	var o simRun
	simFlags(fs, &s)
	fs.BoolVar(&o.asJSON, "json", false, "print JSON")
	fs.StringVar(&o.scenario, "scenario", "", "a YAML scenario file, at most 4 MiB, with the flags' names (see examples/simulate-*.yaml)")
	fs.StringVar(&o.rates, "rates", "", "comma-separated request rates: a rate sweep, one simulation each")
	fs.BoolVar(&o.capacity, "capacity", false, "search the highest rate that meets the SLO (--ttft/--tpot)")
	fs.StringVar(&o.plan, "plan", "", "comma-separated chips: size the cheapest deployment for --target-rate")
	fs.StringVar(&o.planTP, "plan-tp", "1,2,4,8", "tensor-parallel degrees (chips per replica) --plan tries")
	fs.BoolVar(&o.planMixed, "plan-mixed", false, "--plan also tries prefill on one chip and decode on another")
	fs.Float64Var(&o.target, "target-rate", 0, "requests per second --plan must serve within the SLO")
	fs.StringVar(&o.chart, "chart", "", "write the queue and KV time series as SVG charts PREFIX-queue.svg and PREFIX-kv.svg (each a regular file or a new name; links, devices and FIFOs are refused)")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (on a terminal), on, off")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: simulate takes flags only", pos[0])
	}
	if o.scenario != "" {
		if s, err = loadSimScenario(o.scenario, fs); err != nil {
			return err
		}
	}
	if o.rates != "" {
		if s.Rates, err = parseRates(o.rates); err != nil {
			return err
		}
	}
	if err := checkSimCounts(s, o); err != nil {
		return err
	}
	if err := checkChart(o.chart); err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	switch {
	case o.plan != "":
		return runPlan(e, cat, s, o)
	case o.capacity:
		return runCapacity(e, cat, s, o)
	}
	return runSimulations(e, cat, s, o)
}

// checkSimCounts refuses the counts and choices the deployment builder
// would otherwise replace by a default (file and flags alike).
func checkSimCounts(s simSpec, o simRun) error {
	switch {
	case s.TP < 0 || s.PrefillTP < 0 || s.EP < 0 || s.PrefillEP < 0:
		return usagef("--tp %d / --prefill-tp %d / --ep %d / --prefill-ep %d: want 0 (automatic) or more", s.TP, s.PrefillTP, s.EP, s.PrefillEP)
	case s.PP < 1:
		return usagef("--pp %d: want at least 1 pipeline stage", s.PP)
	case s.DevicesPerChip < 0:
		return usagef("--devices-per-chip %d: want 0 (the catalog's) or more", s.DevicesPerChip)
	case o.progress != "auto" && o.progress != "on" && o.progress != "off":
		return usagef("--progress %q: want auto, on or off", o.progress)
	case o.target != 0 && o.plan == "":
		return usagef("--target-rate needs --plan CHIPS (it is the rate the plan must serve)")
	}
	for _, d := range []struct {
		name string
		v    units.Seconds
	}{{"ttft", s.TTFT}, {"tpot", s.TPOT}, {"link-latency", s.LinkLatency}} {
		if err := checkSeconds(d.name, d.v, maxSLOSeconds); err != nil {
			return err
		}
	}
	return checkFinite(s)
}

// loadSimScenario reads a scenario file; only --json and --progress may
// accompany it.
func loadSimScenario(path string, fs *flag.FlagSet) (simSpec, error) {
	var mixed []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "scenario", "json", "progress", "chart", "capacity", "plan", "plan-tp", "plan-mixed", "target-rate", "rates":
		default:
			mixed = append(mixed, "--"+f.Name)
		}
	})
	if len(mixed) > 0 {
		return simSpec{}, usagef("--scenario takes the simulation from the file; drop %s", strings.Join(mixed, " "))
	}
	b, err := readInput(path, maxConfigBytes)
	if err != nil {
		return simSpec{}, fmt.Errorf("scenario: %w", err)
	}
	// Defaults are the flags' defaults; the file overrides what it names.
	var wrap struct {
		Simulate simSpec `yaml:"simulate"`
	}
	def := flag.NewFlagSet("defaults", flag.ContinueOnError)
	simFlags(def, &wrap.Simulate)
	if err := catalog.Decode(filepath.Base(path), b, &wrap); err != nil {
		return simSpec{}, scenarioError(path, err, reflect.TypeOf(wrap), reflect.TypeFor[simSpec](), reflect.TypeFor[lengthSpec]())
	}
	if wrap.Simulate.Trace != "" && !filepath.IsAbs(wrap.Simulate.Trace) {
		wrap.Simulate.Trace = filepath.Join(filepath.Dir(path), wrap.Simulate.Trace)
	}
	return wrap.Simulate, nil
}

func parseRates(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(r > 0) {
			return nil, usagef("--rates: %q is not a positive rate", f)
		}
		out = append(out, r)
	}
	return out, nil
}

// build turns the spec into the deployment to simulate.
func (s simSpec) build(cat *catalog.Catalog) (serve.Deployment, error) {
	if s.Model == "" {
		return serve.Deployment{}, usagef("--model: want a model preset id (see 'chipgap models')")
	}
	if s.Chip == "" {
		return serve.Deployment{}, usagef("--chip: want a chip id (see 'chipgap chips')")
	}
	main, err := s.pool(cat, poolShape{"serve", s.Chip, s.Chips, s.TP, s.EP})
	if err != nil {
		return serve.Deployment{}, err
	}
	d := serve.Deployment{Pools: []serve.Pool{main}, Router: s.Router}
	switch s.Mode {
	case "aggregated", "agg":
		return d, nil
	case "disaggregated", "disagg":
	default:
		return d, usagef("--mode %q: want aggregated or disaggregated", s.Mode)
	}
	chip := cmp(s.PrefillChip, s.Chip)
	pre, err := s.pool(cat, poolShape{"prefill", chip, simOrInt(s.PrefillChips, s.Chips), simOrInt(s.PrefillTP, s.TP), simOrInt(s.PrefillEP, s.EP)})
	if err != nil {
		return d, fmt.Errorf("prefill pool: %w", err)
	}
	main.Name = "decode"
	d.Pools = []serve.Pool{pre, main}
	d.Link, err = s.link(cat, pre, main)
	return d, err
}

func simOrInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// poolShape is what differs between the pools of one simulation.
type poolShape struct {
	name, chip    string
	chips, tp, ep int
}

// pool builds one pool from the catalog and the inference model.
func (s simSpec) pool(cat *catalog.Catalog, ps poolShape) (serve.Pool, error) {
	m, err := cat.Model(s.Model)
	if err != nil {
		return serve.Pool{}, err
	}
	d, _, err := cat.Deployment(catalog.DeploymentOptions{
		Chip: ps.chip, Chips: ps.chips, ChipsPerNode: s.ChipsPerNode, DevicesPerChip: s.DevicesPerChip,
		Software: s.Software, Model: m, Parallel: inference.Parallel{TP: ps.tp, PP: s.PP, EP: ps.ep},
		Precision: s.Precision, KVPrecision: s.KVPrecision,
		Speculative: inference.Speculative{Tokens: s.SpecTokens, Acceptance: s.SpecAcceptance},
	})
	if err != nil {
		return serve.Pool{}, err
	}
	reserve := serve.ReservesOutput(s.Software)
	switch s.Admission {
	case "auto":
	case "reserve":
		reserve = true
	case "on-demand":
		reserve = false
	default:
		return serve.Pool{}, usagef("--admission %q: want auto, on-demand or reserve", s.Admission)
	}
	return serve.NewPool(ps.name, d, serve.PoolOptions{MaxBatchTokens: s.MaxBatchTokens, MaxSeqs: s.MaxSeqs,
		Scheduler: s.Scheduler, NoChunkedPrefill: s.NoChunking, ReserveOutput: reserve})
}

// link is the prefill→decode KV path: the flag, else the slower side's
// scale-out NICs over a replica's chips, at the scale-out latency.
func (s simSpec) link(cat *catalog.Catalog, pre, dec serve.Pool) (serve.Link, error) {
	l := serve.Link{Bandwidth: s.LinkBW, Latency: s.LinkLatency}
	if l.Bandwidth > 0 && l.Latency > 0 {
		return l, nil
	}
	var bw units.ByteRate
	var lat units.Seconds
	for i, p := range []serve.Pool{pre, dec} {
		id := cmp(s.PrefillChip, s.Chip)
		if i == 1 {
			id = s.Chip
		}
		cl, err := cat.Cluster(id, max(int(p.ChipsPerReplica+0.5), 1), catalog.ClusterOptions{ChipsPerNode: s.ChipsPerNode})
		if err != nil {
			return l, err
		}
		nic := units.ByteRate(float64(cl.ScaleOut.Bandwidth) * p.ChipsPerReplica)
		if bw == 0 || nic < bw {
			bw = nic
		}
		lat = max(lat, cl.ScaleOut.Latency)
	}
	l.Bandwidth = simOrRate(l.Bandwidth, bw)
	if l.Latency == 0 {
		l.Latency = lat
	}
	return l, nil
}

func simOrRate(v, def units.ByteRate) units.ByteRate {
	if v == 0 {
		return def
	}
	return v
}

// workload turns the spec into the workload at rate.
func (s simSpec) workload(rate float64) (serve.Workload, error) {
	w := serve.Workload{Process: s.Arrival, Rate: rate, CV: s.CV, Requests: s.Requests, Seed: s.Seed,
		Prompt: s.Input.lengths(), Output: s.Output.lengths()}
	if s.Trace == "" {
		if w.Prompt.Dist == serve.Empirical || w.Output.Dist == serve.Empirical {
			return w, usagef("--input-dist/--output-dist empirical: want a --trace to draw lengths from")
		}
		return w, nil
	}
	fh, err := os.Open(s.Trace)
	if err != nil {
		return w, fmt.Errorf("trace: %w", pathError(s.Trace, err))
	}
	defer fh.Close()
	tr, err := serve.ParseTrace(limitReader(fh, s.Trace, maxTraceBytes))
	var tl *errTooLarge
	if errors.As(err, &tl) {
		return w, fmt.Errorf("trace: %w", tl)
	}
	if err != nil {
		return w, fmt.Errorf("%s: %w", s.Trace, err)
	}
	empirical := w.Prompt.Dist == serve.Empirical || w.Output.Dist == serve.Empirical
	if !empirical {
		w.Process, w.Trace = serve.Trace, tr
		return w, nil
	}
	// Lengths resampled from the trace, arrivals generated.
	for _, r := range tr {
		w.Prompt.Values = append(w.Prompt.Values, r.Prompt)
		w.Output.Values = append(w.Output.Values, r.Output)
	}
	return w, nil
}

func (l lengthSpec) lengths() serve.Lengths {
	return serve.Lengths{Dist: l.Dist, Mean: l.Mean, Min: l.Min, Max: l.Max, Sigma: l.Sigma}
}

func (s simSpec) slo() serve.SLO {
	return serve.SLO{TTFT: simDur(s.TTFT), TPOT: simDur(s.TPOT), Percentile: s.Percentile}
}

func simDur(x units.Seconds) time.Duration { return time.Duration(float64(x) * 1e9) }
