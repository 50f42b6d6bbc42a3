package main

import (
	"encoding/json"
	"io"
	"strings"

	"chipgap/calc"
	"chipgap/catalog"
)

const chipsUsage = `Usage: chipgap chips [--json] [CHIP-ID]

With no id, a table of every chip in the catalog: vendor, launch year,
process, dense BF16 peak, HBM capacity and bandwidth, TDP, default stack.
With an id, every field of that chip with its range [min–max] and source
keys, then the titles of the sources cited.`

func cmdChips(e *env, args []string) error {
	fs := newFlags(e, "chips", chipsUsage)
	asJSON := fs.Bool("json", false, "machine-readable output (quantities in base SI units)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("want at most one chip id, got %d (%s)", len(pos), strings.Join(pos, " "))
	}
	if len(pos) == 1 && strings.TrimSpace(pos[0]) == "" {
		return usagef("chip id %q: want a chip id ('chipgap chips' lists them), or none for the table", pos[0])
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	v, err := calc.Chips(cat, calc.ChipsRequest{ID: strings.Join(pos, "")})
	switch {
	case err != nil:
		return calc.Unlabelled(err)
	case !*asJSON:
		return v.WriteText(e.stdout)
	case v.Detail != nil:
		return writeJSON(e.stdout, map[string]any{"chip": v.Detail.Chip, "sources": v.Detail.SourceList()})
	}
	return writeJSON(e.stdout, map[string]any{"chips": v.List})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
