package sweep

import (
	"fmt"
	"maps"
	"strings"

	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/scenario"
	"chipgap/uncertain"
	"chipgap/units"
)

// drawer draws named catalog ranges through an uncertain.Draw, keeping
// the first error.
type drawer struct {
	d   *uncertain.Draw
	err error
}

func pick[T ~float64](w *drawer, name string, v hardware.Value[T]) T {
	p, err := uncertain.FromRange(float64(v.Min), float64(v.Typ), float64(v.Max))
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("%s: %w", name, err)
		}
		return v.Typ
	}
	return T(w.d.Value(name, p))
}

// drawChip is ch with its peak at prec (every precision scaled alike),
// HBM bandwidth, TDP and price drawn from d, each fixed at the draw.
// Inputs are named by chip id, so two cells with the same chip and seed
// draw the same values: cells compare sample by sample.
func drawChip(ch *hardware.Chip, prec hardware.Precision, d *uncertain.Draw) (*hardware.Chip, error) {
	w := &drawer{d: d}
	c := *ch
	at := ch.ID + ": "
	if pk, ok := ch.PeakFor(prec); ok {
		f := float64(pick(w, at+strings.ToUpper(string(prec))+" peak", pk) / pk.Typ)
		c.Peak = maps.Clone(ch.Peak)
		for p, v := range ch.Peak {
			c.Peak[p] = hardware.Fixed(units.FLOPRate(float64(v.Typ) * f))
		}
	}
	c.HBM.Bandwidth = hardware.Fixed(pick(w, at+"HBM bandwidth", ch.HBM.Bandwidth))
	if ch.TDP.Known() {
		c.TDP = hardware.Fixed(pick(w, at+"TDP", ch.TDP))
	}
	if ch.Price.Known() {
		c.Price = hardware.Fixed(pick(w, at+"price", ch.Price))
	}
	return &c, w.err
}

// drawEfficiency is the stack's calibration multiplier, drawn as the gap
// report draws it (scenario.DefaultEfficiency, the same input name), so a
// cell's samples match the report's; 1 for a stack with no range.
func drawEfficiency(stack string, d *uncertain.Draw) (float64, error) {
	r, ok := scenario.DefaultEfficiency()[stack]
	if !ok {
		return 1, nil
	}
	w := &drawer{d: d}
	f := float64(pick(w, stack+": kernel efficiency (calibration)", r))
	return f, w.err
}

// drawJob is j with each failure mode's rate, detection and restart and
// the stack's porting and maturation drawn from d.
func drawJob(j goodput.Job, d *uncertain.Draw) goodput.Job {
	w := &drawer{d: d}
	modes := make([]goodput.Mode, len(j.Modes))
	for i, m := range j.Modes {
		at := "failures " + m.Component + ": "
		m.Rate = hardware.Fixed(pick(w, at+"rate", m.Rate))
		m.Detect = hardware.Fixed(pick(w, at+"detection", m.Detect))
		m.Restart = hardware.Fixed(pick(w, at+"restart", m.Restart))
		modes[i] = m
	}
	j.Modes = modes
	e := j.Engineering
	j.Engineering = goodput.Engineering{Port: hardware.Fixed(pick(w, "porting time", e.Port)),
		InitialSlowdown: hardware.Fixed(pick(w, "initial slowdown", e.InitialSlowdown)),
		Maturation:      hardware.Fixed(pick(w, "maturation time", e.Maturation))}
	if w.err != nil {
		return goodput.Job{Work: j.Work, Chips: j.Chips, ChipsPerNode: j.ChipsPerNode, Modes: j.Modes} // Closed names the bad input
	}
	return j
}

// samples runs the grid's Monte Carlo of one cell: g.Samples trials
// seeded by g.Seed. missing is the trials that gave no output at all.
func samples(g *Grid, trial uncertain.Trial) (map[string]uncertain.Summary, int, error) {
	got := 0
	res, err := uncertain.Run(g.Samples, g.Seed, func(d *uncertain.Draw) (map[string]float64, error) {
		out, err := trial(d)
		if err != nil || len(out) == 0 {
			return nil, nil // no value in this draw (no batch met the SLO, a plan that no longer fits)
		}
		got++
		return out, nil
	})
	return res, g.Samples - got, err
}

func quantiles(s uncertain.Summary) (p10, p50, p90 *float64) {
	if s.N == 0 {
		return nil, nil, nil
	}
	return f64(s.P10), f64(s.P50), f64(s.P90)
}
