package calc

import (
	"fmt"
	"hash/fnv"

	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/scenario"
	"chipgap/training"
	"chipgap/uncertain"
	"chipgap/units"
)

// jobDrawn and ratesDrawn say what run's closed-form input ranges draw:
// the goodput job's own ranges (goodput.ClosedSamplesOf) and, where a
// token budget makes the rate count, the throughput's inputs
// (rateDraws), draw i of each together.
const (
	jobDrawn   = "the failure rates, detection and restart times, porting and maturation, each in [min, typ, max]"
	ratesDrawn = "the chip's peak, HBM and scale-up bandwidth and the stack's kernel efficiency (the plan re-estimated), "
)

// rateDraws is the steady-state tokens/s of each of n draws of d's
// throughput inputs, seeded by seed: the chip's peak (every precision
// alike), HBM bandwidth and scale-up bandwidth as serve's ranges draw
// them (drawChip; the HBM capacity stays typical, so the plan's fit does
// not change, as train's corners keep it), and the stack's kernel
// efficiency calibration as the gap report draws it
// (scenario.DefaultEfficiency), d's plan re-estimated on each draw. A
// rate that is no plan's (an assumed or fallback MFU: 6·N·D ÷ MFU·peak)
// follows the drawn peak alone. nil in a window (no token budget). The
// draws are seeded by seed and the chip's id: two clusters of one chip
// draw its figures alike, two chips independently.
func (s RunSetup) rateDraws(d RunSide, n int, seed uint64) ([]float64, error) {
	if d.Job.Work <= 0 {
		return nil, nil
	}
	rate, err := s.rateAt(d)
	if err != nil {
		return nil, err
	}
	prec := hardware.Precision(s.req.Precision)
	h := fnv.New64a()
	h.Write([]byte(d.Cluster.ChipID))
	out := make([]float64, 0, n)
	_, err = uncertain.Run(n, seed^h.Sum64(), func(dr *uncertain.Draw) (map[string]float64, error) {
		dep, err := drawChip(dr, inference.Deployment{Cluster: d.Cluster, Precision: prec})
		if err != nil {
			return nil, err
		}
		cl := dep.Cluster
		cl.Chip.HBM.Capacity = d.Cluster.Chip.HBM.Capacity // drawChip's copy
		eff, err := drawEfficiency(dr, cl.Stack)
		if err != nil {
			return nil, err
		}
		x, err := rate(cl, eff)
		out = append(out, x)
		return nil, err
	})
	return out, err
}

// rateAt is d's tokens/s on a drawn cluster at a drawn kernel
// efficiency multiplier: its best plan (catalog.Throughput.Best)
// re-estimated on the stack's profile scaled as the gap report scales it
// (training.Profile.ScaledEfficiency), or its MFU's rate times the drawn
// peak's share of the typical one.
func (s RunSetup) rateAt(d RunSide) (func(hardware.Cluster, float64) (float64, error), error) {
	t := d.Throughput
	prec := hardware.Precision(s.req.Precision)
	if t.Best == nil {
		return func(cl hardware.Cluster, _ float64) (float64, error) {
			typ, _ := d.Cluster.Chip.PeakFor(prec)
			got, _ := cl.Chip.PeakFor(prec)
			if typ.Typ <= 0 {
				return t.TokensPerSec, nil
			}
			return t.TokensPerSec * float64(got.Typ/typ.Typ), nil
		}, nil
	}
	prof, _, err := s.cat.TrainingProfile(d.Cluster.Stack, "")
	if err != nil {
		return nil, err
	}
	job := training.Job{Seq: s.req.Seq, GlobalBatch: s.req.GlobalBatch, Precision: prec}
	best := *t.Best
	return func(cl hardware.Cluster, eff float64) (float64, error) {
		r, err := training.Estimate(d.Model, best, cl, prof.ScaledEfficiency(eff), job)
		return r.TokensPerSec, err
	}, nil
}

// drawEfficiency is the stack's kernel-efficiency multiplier, drawn from
// the gap report's range under its name (1 for a stack with none).
func drawEfficiency(dr *uncertain.Draw, stack string) (float64, error) {
	r, ok := scenario.DefaultEfficiency()[stack]
	if !ok {
		return 1, nil
	}
	p, err := uncertain.FromRange(float64(r.Min), float64(r.Typ), float64(r.Max))
	if err != nil {
		return 1, fmt.Errorf("%s kernel efficiency: %w", stack, err)
	}
	return dr.Value(stack+": kernel efficiency (calibration)", p), nil
}

// worksOf is the failure-free compute of the token budget at each rate
// (the job's own Work where rates is nil: a window, or no draws).
func (d RunSide) worksOf(rates []float64, n int) []units.Seconds {
	w := make([]units.Seconds, n)
	for i := range w {
		w[i] = d.Job.Work
		if i < len(rates) && rates[i] > 0 {
			w[i] = units.Seconds(d.tokens / rates[i])
		}
	}
	return w
}
