package calc

import (
	"maps"

	"chipgap/hardware"
	"chipgap/training"
	"chipgap/uncertain"
	"chipgap/units"
)

// RentalCost is a run's rental cost: chip-hours × the chip's market rate,
// with the rate's catalog range. Steady state only (failures, restarts
// and idle spares are the whole-run simulation's business).
type RentalCost struct {
	Min     units.USD `json:"min"`
	Typ     units.USD `json:"typ"`
	Max     units.USD `json:"max"`
	Basis   string    `json:"basis"`
	Sources []string  `json:"sources,omitempty"`
}

func rentalCost(c *hardware.Chip, chipTime units.Hours) *RentalCost {
	r := c.Rental
	if r.Typ <= 0 {
		return nil
	}
	h := chipTime.Seconds()
	return &RentalCost{Min: r.Min.Cost(h), Typ: r.Typ.Cost(h), Max: r.Max.Cost(h), Sources: r.Sources,
		Basis: "chip-hours × rental $/chip-hour (catalog range); steady state, failures excluded"}
}

// TrainRanges is the spread of an estimate when the chip's catalog values
// (dense peak, HBM bandwidth, scale-up and scale-out bandwidth) move
// together to the low ends of their ranges (Low) and to the high ends
// (High). It propagates the hardware's published disagreement only: the
// software profile's parameters are single calibrated values.
type TrainRanges struct {
	Basis string       `json:"basis"`
	Low   *RangeCorner `json:"low,omitempty"`
	High  *RangeCorner `json:"high,omitempty"`
	// Notes says, by figure (step_time, tokens_per_s, mfu, days), where
	// the estimate at typical values lies outside the span of the two
	// corners, and why (uncertain.Beside.Note): MFU is a share of the
	// peak, which the corners move too, so the 910B's typical MFU can lie
	// above both. Absent where every figure lies inside.
	Notes map[string]string `json:"notes,omitempty"`
}

// RangeCorner is the estimate at one corner.
type RangeCorner struct {
	StepTime     units.Seconds `json:"step_time"`
	TokensPerSec float64       `json:"tokens_per_s"`
	MFU          float64       `json:"mfu"`
	Time         units.Days    `json:"days,omitempty"`
}

// rangesOf evaluates res's plan at the low and high corners of the chip's
// ranges. A corner the chip has no range for equals the estimate.
func (st TrainSetup) rangesOf(res training.Result) *TrainRanges {
	out := &TrainRanges{Basis: "chip peak, HBM and link bandwidth at the low / high ends of their catalog ranges"}
	for i, pick := range []func(lo, typ, hi float64) float64{
		func(lo, _, _ float64) float64 { return lo },
		func(_, _, hi float64) float64 { return hi },
	} {
		cl := corner(st.Cluster, pick)
		r, err := training.Estimate(st.Model, res.Plan, cl, st.Profile, st.Job)
		if err != nil {
			continue // e.g. the low-capacity corner no longer fits
		}
		c := &RangeCorner{StepTime: r.StepTime, TokensPerSec: r.TokensPerSec, MFU: r.MFU, Time: r.BudgetTime}
		if i == 0 {
			out.Low = c
		} else {
			out.High = c
		}
	}
	if out.Low != nil && out.High != nil {
		out.Notes = cornerNotes(res, out.Low, out.High)
	}
	return out
}

// cornerNotes is TrainRanges.Notes: each figure whose estimate at
// typical values, res, lies outside the span of the corners lo and hi.
func cornerNotes(res training.Result, lo, hi *RangeCorner) map[string]string {
	moved := "the corners move every rate at once, and this figure does not follow them all the same way"
	notes := map[string]string{}
	for _, f := range []struct {
		key           string
		typ, low, hgh float64
		why           string
	}{
		{"step_time", float64(res.StepTime), float64(lo.StepTime), float64(hi.StepTime), moved},
		{"tokens_per_s", res.TokensPerSec, lo.TokensPerSec, hi.TokensPerSec, moved},
		{"mfu", res.MFU, lo.MFU, hi.MFU, "MFU is a share of the peak, which the corners move with the other rates"},
		{"days", float64(res.BudgetTime), float64(lo.Time), float64(hi.Time), moved},
	} {
		if f.key == "days" && res.BudgetTime <= 0 {
			continue
		}
		if n := (uncertain.Beside{Typ: f.typ, Lo: f.low, Hi: f.hgh}).Note(typicalEstimate, "the span of the low and high corners", f.why); n != "" {
			notes[f.key] = n
		}
	}
	if len(notes) == 0 {
		return nil
	}
	return notes
}

// corner is cl with its chip's rates moved to one end of their ranges.
// Memory capacity stays typ so that a plan's fit does not change.
func corner(cl hardware.Cluster, pick func(lo, typ, hi float64) float64) hardware.Cluster {
	ch := *cl.Chip
	ch.Peak = maps.Clone(ch.Peak)
	at := func(v hardware.Value[units.FLOPRate]) hardware.Value[units.FLOPRate] {
		x := units.FLOPRate(pick(float64(v.Min), float64(v.Typ), float64(v.Max)))
		return hardware.Fixed(x)
	}
	for q, v := range ch.Peak {
		if v.Typ > 0 && v.Min > 0 {
			ch.Peak[q] = at(v)
		}
	}
	ratio := func(lo, typ, hi float64) float64 {
		if typ <= 0 || lo <= 0 {
			return 1
		}
		return pick(lo, typ, hi) / typ
	}
	bw := ch.HBM.Bandwidth
	ch.HBM.Bandwidth = hardware.Fixed(units.ByteRate(float64(bw.Typ) * ratio(float64(bw.Min), float64(bw.Typ), float64(bw.Max))))
	up, out := ch.ScaleUp.Bandwidth, ch.ScaleOut.Bandwidth
	cl.ScaleUp.Bandwidth *= units.ByteRate(ratio(float64(up.Min), float64(up.Typ), float64(up.Max)))
	cl.ScaleOut.Bandwidth *= units.ByteRate(ratio(float64(out.Min), float64(out.Typ), float64(out.Max)))
	cl.Chip = &ch
	return cl
}
