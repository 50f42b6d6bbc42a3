package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/inference"
	"chipgap/llm"
	"chipgap/units"
)

const serveEstimateUsage = `
Usage: chipgap serve-estimate [flags]
       chipgap serve-estimate --scenario FILE [--json]

Estimates what a serving deployment gives per chip: the throughput–latency
curve over batch sizes (TPOT, TTFT, output and input tokens/s per chip,
what bounds each step), the best operating point under a TPOT and/or TTFT
target with its range (p10–p90 of 200 seeded draws over the catalog's
min/typ/max chip figures and the serving stack's parameter ranges), memory
and KV-cache capacity, and cost and energy per million output tokens.

Modes: colocated (continuous batching with chunked prefill; default),
decode (a decode-only pool), prefill (a prefill-only pool), disagg
(prefill and decode pools on the same deployment, sized for the mix).

A scenario file (YAML) lists deployments with the flags' names:
  deployments:
    - {name: CM384, chip: ascend-910c, chips: 160, model: deepseek-v3,
       software: cloudmatrix-infer, ep: 320, precision: int8, mode: decode,
       input: 4096, output: 256, tpot: 50ms, spec_tokens: 1, spec_acceptance: 0.7}
    - {name: H800, chip: h800-sxm, chips: 144, model: deepseek-v3, ...}

Example (the CloudMatrix384 decode point):
  chipgap serve-estimate --chip ascend-910c --chips 160 --model deepseek-v3 \
    --software cloudmatrix-infer --ep 320 --precision int8 --mode decode \
    --input 4096 --output 256 --tpot 50ms --spec-tokens 1 --spec-acceptance 0.7
`

// serveSpec is one deployment to estimate: the flags, or one entry of a
// scenario file.
type serveSpec struct {
	Name           string        `yaml:"name" json:"name,omitempty"`
	Chip           string        `yaml:"chip" json:"chip"`
	Chips          int           `yaml:"chips" json:"chips"`
	ChipsPerNode   int           `yaml:"chips_per_node" json:"chips_per_node,omitempty"`
	DevicesPerChip int           `yaml:"devices_per_chip" json:"devices_per_chip,omitempty"`
	Software       string        `yaml:"software" json:"software,omitempty"`
	Model          string        `yaml:"model" json:"model"`
	TP             int           `yaml:"tp" json:"tp,omitempty"`
	PP             int           `yaml:"pp" json:"pp,omitempty"`
	EP             int           `yaml:"ep" json:"ep,omitempty"`
	DP             int           `yaml:"dp" json:"dp,omitempty"`
	AttentionDP    int           `yaml:"attention_dp" json:"attention_dp,omitempty"`
	Imbalance      float64       `yaml:"expert_imbalance" json:"expert_imbalance,omitempty"`
	Precision      string        `yaml:"precision" json:"precision,omitempty"`
	KVPrecision    string        `yaml:"kv_precision" json:"kv_precision,omitempty"`
	Mode           string        `yaml:"mode" json:"mode"`
	Input          int           `yaml:"input" json:"input"`
	Output         int           `yaml:"output" json:"output"`
	TPOT           units.Seconds `yaml:"tpot" json:"tpot,omitempty"`
	TTFT           units.Seconds `yaml:"ttft" json:"ttft,omitempty"`
	SpecTokens     int           `yaml:"spec_tokens" json:"spec_tokens,omitempty"`
	SpecAcceptance float64       `yaml:"spec_acceptance" json:"spec_acceptance,omitempty"`
	Batches        []int         `yaml:"batches" json:"batches,omitempty"`
	Region         string        `yaml:"region" json:"region,omitempty"`
}

// serveScenario is a scenario file.
type serveScenario struct {
	Deployments []serveSpec `yaml:"deployments"`
}

func cmdServeEstimate(e *env, args []string) error {
	fs := newFlags(e, "serve-estimate", serveEstimateUsage)
	var s serveSpec
	asJSON := fs.Bool("json", false, "print JSON")
	scenario := fs.String("scenario", "", "a YAML file of deployments, at most 4 MiB (instead of the deployment flags)")
	batches := fs.String("batches", "", "comma-separated batch sizes per instance for the curve (default: a doubling grid)")
	serveFlags(fs, &s)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: serve-estimate takes flags only", pos[0])
	}
	specs := []serveSpec{s}
	if *scenario != "" {
		if specs, err = loadServeScenario(*scenario, fs); err != nil {
			return err
		}
	} else if specs[0].Batches, err = parseBatches(*batches); err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	var out []serveResult
	for i, sp := range specs {
		r, err := estimateServe(cat, sp)
		if err != nil {
			if len(specs) > 1 {
				return fmt.Errorf("deployment %d (%s): %w", i+1, sp.label(), err)
			}
			return err
		}
		out = append(out, r)
	}
	if *asJSON {
		err = writeJSON(e.stdout, out)
	} else {
		for i, r := range out {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			printServe(e.stdout, r)
		}
		if len(out) > 1 {
			printServeComparison(e.stdout, out)
		}
	}
	if err != nil {
		return err
	}
	return noOperatingPoint(out)
}

// noOperatingPoint fails (exit 1) when a deployment has no batch that
// meets its SLO; its curve has been printed and the reason says why.
func noOperatingPoint(out []serveResult) error {
	var why []string
	for _, r := range out {
		if r.Best == nil {
			why = append(why, fmt.Sprintf("%s: %s", r.Spec.label(), r.NoBest))
		}
	}
	if len(why) == 0 {
		return nil
	}
	return errors.New(strings.Join(why, "; "))
}

// serveFlags binds the deployment flags to s.
func serveFlags(fs *flag.FlagSet, s *serveSpec) {
	fs.StringVar(&s.Chip, "chip", "", "chip id (see 'chipgap chips')")
	fs.IntVar(&s.Chips, "chips", 8, "chips (packages) in the deployment")
	fs.IntVar(&s.ChipsPerNode, "chips-per-node", 0, "scale-up domain size (0 = the chip's usual)")
	fs.IntVar(&s.DevicesPerChip, "devices-per-chip", 0, "devices the software sees per package (0 = the catalog's; 910C: 2)")
	fs.StringVar(&s.Software, "software", "", "framework or stack (tensorrt-llm, vllm, sglang, cloudmatrix-infer, mindie, ...; default: the chip's stack)")
	fs.StringVar(&s.Model, "model", "", "model preset id (see 'chipgap models')")
	fs.IntVar(&s.TP, "tp", 0, "tensor-parallel degree in devices (0 with --ep 0: one instance over all devices)")
	fs.IntVar(&s.PP, "pp", 1, "pipeline stages")
	fs.IntVar(&s.EP, "ep", 0, "expert-parallel degree in devices")
	fs.IntVar(&s.DP, "dp", 0, "instances (0 = as many as fit)")
	fs.IntVar(&s.AttentionDP, "attention-dp", 0, "attention data-parallel groups per instance (tp × attention-dp = devices of a stage; 0 = what tp and ep leave)")
	fs.Float64Var(&s.Imbalance, "expert-imbalance", 0, "hottest device's expert load over the mean, at least 1 (1 = a perfect balancer; 0 = the stack's, with its EPLB)")
	fs.StringVar(&s.Precision, "precision", "bf16", "weights and matmuls: bf16, fp16, fp8, int8, fp4")
	fs.StringVar(&s.KVPrecision, "kv-precision", "", "KV cache precision (default: as --precision)")
	fs.StringVar(&s.Mode, "mode", "colocated", "colocated, decode, prefill or disagg")
	fs.IntVar(&s.Input, "input", 1024, "prompt tokens per request")
	fs.IntVar(&s.Output, "output", 256, "generated tokens per request")
	fs.TextVar(&s.TPOT, "tpot", units.Seconds(0), "TPOT target, e.g. 50ms (0 = none)")
	fs.TextVar(&s.TTFT, "ttft", units.Seconds(0), "TTFT target, e.g. 2s (0 = none)")
	fs.IntVar(&s.SpecTokens, "spec-tokens", 0, "speculative / MTP draft tokens per step")
	fs.Float64Var(&s.SpecAcceptance, "spec-acceptance", 0.7, "acceptance rate of each draft token")
	fs.StringVar(&s.Region, "region", "", "econ region for owned cost (us, us-colo, china, eu; default: china for Ascend, else us)")
}

// loadServeScenario reads a scenario file; deployment flags may not be
// mixed with it.
func loadServeScenario(path string, fs *flag.FlagSet) ([]serveSpec, error) {
	var mixed []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "scenario" && f.Name != "json" {
			mixed = append(mixed, "--"+f.Name)
		}
	})
	if len(mixed) > 0 {
		return nil, usagef("--scenario takes the deployments from the file; drop %s", strings.Join(mixed, " "))
	}
	b, err := readInput(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	var sc serveScenario
	if err := catalog.Decode(filepath.Base(path), b, &sc); err != nil {
		return nil, scenarioError(path, err, reflect.TypeFor[serveScenario](), reflect.TypeFor[serveSpec]())
	}
	if len(sc.Deployments) == 0 {
		return nil, fmt.Errorf("scenario %s: deployments: want at least one deployment", path)
	}
	for i := range sc.Deployments {
		d := &sc.Deployments[i]
		d.Mode = cmp(d.Mode, "colocated")
		d.Precision = cmp(d.Precision, "bf16")
		if d.SpecTokens > 0 && d.SpecAcceptance == 0 {
			d.SpecAcceptance = 0.7
		}
	}
	return sc.Deployments, nil
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// parseBatches reads "1,8,64".
func parseBatches(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		b, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || b < 1 {
			return nil, usagef("--batches: %q is not a positive integer", f)
		}
		out = append(out, b)
	}
	return out, nil
}

func (s serveSpec) label() string {
	if s.Name != "" {
		return s.Name
	}
	return fmt.Sprintf("%d × %s", s.Chips, s.Chip)
}

// check validates the spec's own fields (the estimator checks the rest).
func (s serveSpec) check() error {
	switch {
	case s.Chip == "":
		return usagef("--chip: want a chip id (see 'chipgap chips')")
	case s.Model == "":
		return usagef("--model: want a model preset id (see 'chipgap models')")
	case s.Chips < 1:
		return usagef("--chips %d: want at least 1", s.Chips)
	case s.DevicesPerChip < 0 || s.ChipsPerNode < 0:
		return usagef("--devices-per-chip %d / --chips-per-node %d: want 0 (the catalog's) or more", s.DevicesPerChip, s.ChipsPerNode)
	case s.TPOT < 0 || s.TTFT < 0:
		return usagef("--tpot %v / --ttft %v: want a non-negative duration", s.TPOT, s.TTFT)
	case s.Imbalance != 0 && !(s.Imbalance >= 1):
		return usagef("--expert-imbalance %g: want a factor of at least 1 (the hottest device's expert load over the mean; 1 = perfectly balanced), or 0 for the stack's", s.Imbalance)
	case s.AttentionDP < 0:
		return usagef("--attention-dp %d: want 0 (what tp and ep leave) or more", s.AttentionDP)
	}
	if err := checkSeconds("tpot", s.TPOT, maxSLOSeconds); err != nil {
		return err
	}
	if err := checkSeconds("ttft", s.TTFT, maxSLOSeconds); err != nil {
		return err
	}
	return checkFinite(s)
}

// options turns the spec into catalog deployment options.
func (s serveSpec) options(m llm.Model) catalog.DeploymentOptions {
	return catalog.DeploymentOptions{
		Chip: s.Chip, Chips: s.Chips, ChipsPerNode: s.ChipsPerNode, DevicesPerChip: s.DevicesPerChip,
		Software: s.Software, Model: m, Parallel: inference.Parallel{TP: s.TP, PP: s.PP, EP: s.EP, DP: s.DP, AttentionDP: s.AttentionDP},
		Precision: s.Precision, KVPrecision: s.KVPrecision,
		Speculative:     inference.Speculative{Tokens: s.SpecTokens, Acceptance: s.SpecAcceptance},
		ExpertImbalance: s.Imbalance,
	}
}

// region picks the econ region: the spec's, else china for Ascend chips.
func (s serveSpec) region(vendor string) string {
	if s.Region != "" {
		return s.Region
	}
	if strings.Contains(strings.ToLower(vendor), "huawei") {
		return "china"
	}
	return "us"
}
