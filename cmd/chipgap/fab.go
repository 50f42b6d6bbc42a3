package main

import (
	"chipgap/calc"
	"chipgap/catalog"
)

const fabUsage = `Usage: chipgap fab [--chip ID] [overrides] [--json]

Dies per wafer, die yield, good dies per wafer, cost per good die and per
good package (dies + HBM + packaging + test), and a year's supply of good
accelerators limited by the tightest of wafers, HBM stacks and packaging,
with the constraint that binds. Each figure is the typical value, then the
P10–P90 range over a seeded Monte Carlo of the sourced ranges in
catalog/data/fab.yaml, then the inputs that move it most (P10 → P90).
Overrides replace a range with a fixed value.`

func cmdFab(e *env, args []string) error {
	req := calc.NewFabRequest()
	fs := newFlags(e, "fab", fabUsage)
	b := bindRequest(fs, &req)
	rv := requestFlag(e, fs, &req)
	asJSON := fs.Bool("json", false, "machine-readable output (money in USD, rates in FLOP/s)")
	pos, err := parseFlags(fs, args)
	if err == nil {
		err = rv.readError()
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: use --chip ID", pos[0])
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	r, err := calc.Fab(cat, req)
	if err != nil {
		return blame(b, rv, err, nil)
	}
	if *asJSON {
		return writeJSON(e.stdout, r)
	}
	return r.WriteText(e.stdout)
}
