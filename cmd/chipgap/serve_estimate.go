package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/fileio"
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

A scenario file (YAML) lists deployments with the flags' names (or the
API's field names, docs/api.md), over the flags' defaults:
  deployments:
    - {name: CM384, chip: ascend-910c, chips: 160, model: deepseek-v3,
       software: cloudmatrix-infer, ep: 320, precision: int8, mode: decode,
       input: 4096, output: 256, tpot: 50ms, spec_tokens: 1, spec_acceptance: 0.7}
    - {name: H800, chip: h800-sxm, chips: 144, model: deepseek-v3, ...}

The flags are the fields of POST /api/infer/curve (docs/api.md);
calc.ServeRequest defines them once. --json prints a JSON array, one view
per deployment (one without --scenario), each the API's answer less its
chip, model, profile and charts.

Example (the CloudMatrix384 decode point):
  chipgap serve-estimate --chip ascend-910c --chips 160 --model deepseek-v3 \
    --software cloudmatrix-infer --ep 320 --precision int8 --mode decode \
    --input 4096 --output 256 --tpot 50ms --spec-tokens 1 --spec-acceptance 0.7
`

func cmdServeEstimate(e *env, args []string) error {
	req := calc.NewServeRequest()
	fs := newFlags(e, "serve-estimate", serveEstimateUsage)
	b := bindRequest(fs, &req)
	asJSON := fs.Bool("json", false, "print JSON")
	scenario := fs.String("scenario", "", "a YAML file of deployments, at most 4 MiB (- reads standard input; instead of the deployment flags)")
	if err := cmp.Or(parseNoArgs(fs, args), b.StatedZero()); err != nil {
		return err
	}
	if err := specFlags(b, req.Speculative.Tokens); err != nil {
		return err
	}
	reqs := []calc.ServeRequest{req}
	if *scenario != "" {
		var err error
		if reqs, err = readScenario(e, fs, "deployments", calc.ServeScenario, "json"); err != nil {
			return err
		}
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	var out []calc.ServeEstimate
	for i, r := range reqs {
		s, err := r.Setup(cat)
		var est calc.ServeEstimate
		if err == nil {
			est, err = calc.Serve(s)
		}
		switch {
		case err != nil && *scenario != "":
			return fmt.Errorf("scenario %s: %sdeployment %d (%s): %w", *scenario, atLine(r.LineOf(err)), i+1, r.Label(), err)
		case err != nil:
			return b.Rename(err)
		}
		out = append(out, est)
	}
	if *asJSON {
		js := make([]calc.ServeView, len(out))
		for i, r := range out {
			js[i] = r.View()
		}
		err = writeJSON(e.stdout, js)
	} else {
		for i, r := range out {
			if i > 0 {
				fmt.Fprintln(e.stdout)
			}
			if err = r.WriteText(e.stdout); err != nil {
				return err
			}
		}
		if len(out) > 1 {
			err = calc.WriteServeComparison(e.stdout, out)
		}
	}
	if err != nil {
		return err
	}
	var why []string
	for _, r := range out {
		switch { // its curve has been printed; the reason says why
		case r.Best == nil:
			why = append(why, fmt.Sprintf("%s: %s", r.Request.Label(), r.NoBest))
		case r.DisaggError != "":
			why = append(why, fmt.Sprintf("%s: %s", r.Request.Label(), r.DisaggError))
		}
	}
	if len(why) > 0 {
		return errors.New(strings.Join(why, "; "))
	}
	return nil
}

// specFlags refuses --spec-acceptance without draft tokens, which would
// ignore it (serve-estimate and simulate).
func specFlags(b *calc.Flags, tokens int) error {
	if tokens == 0 && b.Set("speculative.acceptance") {
		return usagef("--spec-acceptance is the acceptance rate of draft tokens: it needs --spec-tokens N (N ≥ 1)")
	}
	return nil
}

// atLine is "line N: " for a request file's line N, "" for 0 (a field
// the file did not set).
func atLine(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", n)
}

// readScenario reads the request file --scenario names (readInput: - is
// standard input) with parse; only the flags named in keep may accompany
// it (the file holds the rest).
func readScenario[T any](e *env, fs *flag.FlagSet, what string, parse func(string, []byte) (T, error), keep ...string) (T, error) {
	var zero T
	path := fs.Lookup("scenario").Value.String()
	var mixed []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "scenario" && !slices.Contains(keep, f.Name) {
			mixed = append(mixed, "--"+f.Name)
		}
	})
	if len(mixed) > 0 {
		return zero, usagef("--scenario takes the %s from the file; drop %s", what, strings.Join(mixed, " "))
	}
	data, err := e.readInput("--scenario", path, fileio.MaxConfigBytes)
	if err != nil {
		return zero, err
	}
	v, err := parse(filepath.Base(path), data)
	if err != nil {
		return zero, fmt.Errorf("scenario %s: %w", path, err)
	}
	return v, nil
}
