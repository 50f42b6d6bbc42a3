package main

import (
	"flag"
	"strings"

	"chipgap/calc"
	"chipgap/catalog"
)

const modelsUsage = `
Usage: chipgap models [--json] [--seq N] [ID]

Without ID: one line per model preset (parameters, active parameters per
token, shape, forward matmul FLOPs per token, KV cache per token at bf16).
With ID: every field of the preset and every derived figure (parameter
breakdown, FLOPs per token for a sequence of --seq tokens, weight and
KV-cache bytes per precision) and its sources.
`

// cmdModels is "chipgap models".
func cmdModels(e *env, args []string) error {
	req := calc.NewModelsRequest()
	fs := newFlags(e, "models", modelsUsage)
	asJSON := fs.Bool("json", false, "print JSON")
	b := bindRequest(fs, &req)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("want at most one model id, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	if len(pos) == 1 && strings.TrimSpace(pos[0]) == "" {
		return usagef("model id %q: want a model preset id ('chipgap models' lists them), or none for the list", pos[0])
	}
	req.ID = strings.Join(pos, "")
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "seq" })
	if set && req.ID == "" {
		// The list's figures do not depend on it (matmul FLOPs and KV per token).
		return usagef("--seq applies to one preset's figures: chipgap models ID --seq N")
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	v, err := calc.Models(cat, req)
	switch {
	case err != nil:
		return b.Rename(calc.Unlabelled(err))
	case !*asJSON:
		return v.WriteText(e.stdout)
	case v.Detail != nil:
		return writeJSON(e.stdout, v.Detail)
	}
	return writeJSON(e.stdout, v.Summaries())
}
