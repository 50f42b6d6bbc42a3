package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/units"
)

const compareUsage = `Usage: chipgap compare-chips [--json] [CHIP-ID...]

Side by side: dense peak per precision, HBM capacity and bandwidth, ridge
point (BF16 FLOP per HBM byte), and BF16 TFLOP/s per watt, per $1,000 of
chip price and per mm² of compute die. Each cell is typ [min–max] where
sources disagree; ratios propagate ranges (min = min/max, max = max/min).
With no ids: h100-sxm h20 b200 ascend-910b ascend-910c. "chipgap chips"
lists every id.`

var defaultCompare = []string{"h100-sxm", "h20", "b200", "ascend-910b", "ascend-910c"}

// chipComparison is one chip's column in compare-chips --json.
type chipComparison struct {
	ID        string                                                `json:"id"`
	Name      string                                                `json:"name"`
	Peak      map[hardware.Precision]hardware.Value[units.FLOPRate] `json:"peak"`
	HBM       hardware.Value[units.Bytes]                           `json:"hbm_capacity"`
	HBMBW     hardware.Value[units.ByteRate]                        `json:"hbm_bandwidth"`
	TDP       hardware.Value[units.Watts]                           `json:"tdp"`
	Price     hardware.Value[units.USD]                             `json:"price"`
	DieAreaMM hardware.Value[units.Dimensionless]                   `json:"compute_die_area_mm2"`
	Metrics   catalog.Metrics                                       `json:"metrics"`
}

func cmdCompareChips(e *env, args []string) error {
	fs := newFlags(e, "compare-chips", compareUsage)
	asJSON := fs.Bool("json", false, "machine-readable output (quantities in base SI units)")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		ids = defaultCompare
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	var cols []chipComparison
	for _, id := range ids {
		ch, err := cat.Chip(id)
		if err != nil {
			return err
		}
		cols = append(cols, chipComparison{ID: ch.ID, Name: ch.Name, Peak: ch.Peak, HBM: ch.HBM.Capacity,
			HBMBW: ch.HBM.Bandwidth, TDP: ch.TDP, Price: ch.Price, DieAreaMM: ch.DieArea.Scale(float64(ch.Dies)),
			Metrics: catalog.ChipMetrics(ch)})
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"chips": cols})
	}
	return compareTable(e.stdout, cols)
}

// compareRow is one printed row: a label and a cell per chip.
type compareRow struct {
	label string
	cell  func(c chipComparison) string
}

func compareRows() []compareRow {
	var rows []compareRow
	for _, p := range hardware.Precisions() {
		unit := "TFLOP/s"
		if p == hardware.INT8 {
			unit = "TOPS"
		}
		rows = append(rows, compareRow{strings.ToUpper(string(p)) + " dense " + unit, func(c chipComparison) string {
			return rangeStr(c.Peak[p], 1e12)
		}})
	}
	return append(rows,
		compareRow{"HBM GB", func(c chipComparison) string { return rangeStr(c.HBM, 1e9) }},
		compareRow{"HBM TB/s", func(c chipComparison) string { return rangeStr(c.HBMBW, 1e12) }},
		compareRow{"TDP W", func(c chipComparison) string { return rangeStr(c.TDP, 1) }},
		compareRow{"price k$", func(c chipComparison) string { return rangeStr(c.Price, 1e3) }},
		compareRow{"ridge BF16 FLOP/B", func(c chipComparison) string { return rangeStr(c.Metrics.RidgeFLOPPerByte, 1) }},
		compareRow{"BF16 TFLOP/s per W", func(c chipComparison) string { return rangeStr(c.Metrics.TFLOPSPerWatt, 1) }},
		compareRow{"BF16 TFLOP/s per k$", func(c chipComparison) string { return rangeStr(c.Metrics.TFLOPSPerKUSD, 1) }},
		compareRow{"BF16 TFLOP/s per mm²", func(c chipComparison) string { return rangeStr(c.Metrics.TFLOPSPerMM2, 1) }},
	)
}

func compareTable(w io.Writer, cols []chipComparison) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{""}
	for _, c := range cols {
		head = append(head, c.ID)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range compareRows() {
		cells := []string{r.label}
		blank := true
		for _, c := range cols {
			s := r.cell(c)
			blank = blank && s == "–"
			cells = append(cells, s)
		}
		if !blank {
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\ntyp [min–max] across sources; – = not supported or not published. Per-mm² uses all compute dies.\nSources and notes: chipgap chips ID.")
	return err
}
