package main

import (
	"errors"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/input"
)

const compareUsage = `Usage: chipgap compare-chips [--precision P] [--model ID] [--json] [CHIP-ID...]

Side by side: dense peak per precision, HBM capacity and bandwidth, ridge
point (FLOP per HBM byte), and TFLOP/s per watt, per $1,000 of chip price
and per mm² of compute die at --precision (default bf16); with --model,
the chips to hold its weights and the batch-1 decode ceiling per chip. Each cell is typ [min–max] where
sources disagree; ratios propagate ranges (min = min/max, max = max/min).
--json writes the comparison GET /api/compare answers (precision, model,
chips, rows), without its charts. The two carry different rows: the table
has every precision's dense peak and the exponential (SFU) rate, --json the
--precision peak alone plus scale-up bandwidth and domain, scale-out
bandwidth and rental. With no ids: h100-sxm h20 b200 ascend-910b ascend-910c. "chipgap chips"
lists every id.`

func cmdCompareChips(e *env, args []string) error {
	fs := newFlags(e, "compare-chips", compareUsage)
	var req calc.CompareRequest
	b := bindRequest(fs, &req)
	asJSON := fs.Bool("json", false, "machine-readable output (quantities in base SI units)")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	req.Chips = ids
	c, err := calc.Compare(cat, req)
	var ie *input.Error
	if errors.As(err, &ie) && ie.Field == "chips" {
		return calc.Unlabelled(err) // a positional id: the catalog's own message
	} else if err != nil {
		return b.Rename(err)
	}
	if *asJSON {
		return writeJSON(e.stdout, c) // the view GET /api/compare answers, less its charts
	}
	return c.WriteText(e.stdout)
}
