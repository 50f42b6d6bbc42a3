package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/hardware"
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
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		if *asJSON {
			return writeJSON(e.stdout, map[string]any{"chips": cat.Chips()})
		}
		return chipsTable(e.stdout, cat.Chips())
	}
	ch, err := cat.Chip(pos[0])
	if err != nil {
		return err
	}
	srcs := chipSources(cat, ch)
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"chip": ch, "sources": srcs})
	}
	return chipDetail(e.stdout, ch, srcs)
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func chipsTable(w io.Writer, chips []*hardware.Chip) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tVENDOR\tYEAR\tPROCESS\tBF16 TFLOP/s\tHBM GB\tHBM TB/s\tTDP W\tSTACK")
	for _, c := range chips {
		bf, ok := c.PeakFor(hardware.BF16)
		bfs := "–"
		if ok {
			bfs = rangeStr(bf, 1e12)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Vendor, c.LaunchYear, shortProcess(c.Process),
			bfs, rangeStr(c.HBM.Capacity, 1e9), rangeStr(c.HBM.Bandwidth, 1e12), rangeStr(c.TDP, 1), c.Stack)
	}
	return tw.Flush()
}

// shortProcess keeps the node's first words: "TSMC 4N", "SMIC N+2".
func shortProcess(p hardware.Process) string {
	s := p.Node
	if i := strings.IndexAny(s, "(;,"); i > 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 18 {
		s = strings.TrimSpace(s[:18]) + "…"
	}
	return s
}

// num prints x with four significant digits and no exponent.
func num(x float64) string {
	if math.Abs(x) >= 1e4 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// rangeStr prints typ/scale, with " [min–max]" when sources disagree, or
// "–" for an unknown value.
func rangeStr[T ~float64](v hardware.Value[T], scale float64) string {
	if !v.Known() || v.Typ == 0 {
		return "–"
	}
	s := num(float64(v.Typ) / scale)
	if v.Spread() {
		s += " [" + num(float64(v.Min)/scale) + "–" + num(float64(v.Max)/scale) + "]"
	}
	return s
}

// provenance prints "sources: a, b" plus derived/assumed markers and note.
func provenance[T ~float64](v hardware.Value[T]) string {
	var parts []string
	if len(v.Sources) > 0 {
		parts = append(parts, "["+strings.Join(v.Sources, ", ")+"]")
	}
	if v.Derived {
		parts = append(parts, "derived")
	}
	if v.Assumed {
		parts = append(parts, "ASSUMED")
	}
	if v.Note != "" {
		parts = append(parts, "— "+v.Note)
	}
	return strings.Join(parts, " ")
}
