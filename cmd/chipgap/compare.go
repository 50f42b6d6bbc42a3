package main

import (
	"chipgap/calc"
	"chipgap/catalog"
)

const compareUsage = `Usage: chipgap compare-chips [--json] [CHIP-ID...]

Side by side: dense peak per precision, HBM capacity and bandwidth, ridge
point (BF16 FLOP per HBM byte), and BF16 TFLOP/s per watt, per $1,000 of
chip price and per mm² of compute die. Each cell is typ [min–max] where
sources disagree; ratios propagate ranges (min = min/max, max = max/min).
With no ids: h100-sxm h20 b200 ascend-910b ascend-910c. "chipgap chips"
lists every id.`

func cmdCompareChips(e *env, args []string) error {
	fs := newFlags(e, "compare-chips", compareUsage)
	asJSON := fs.Bool("json", false, "machine-readable output (quantities in base SI units)")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	c, err := calc.Compare(cat, calc.CompareRequest{Chips: ids})
	if err != nil {
		return calc.Unlabelled(err)
	}
	if *asJSON {
		return writeJSON(e.stdout, map[string]any{"chips": c.Columns()})
	}
	return c.WriteText(e.stdout)
}
