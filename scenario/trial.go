package scenario

import (
	"fmt"
	"maps"
	"math"

	"chipgap/econ"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/training"
	"chipgap/units"
)

// eval computes one sample of a system's figures: chip, ownership,
// training run (the fixed plan re-estimated, then the goodput closed
// form) and serving (the fixed layout's best batch under the SLO).
func (w *world) eval(sy *system, dr *drawer, out map[string]float64) error {
	ch := sy.chip
	id := ch.ID
	prec := w.s.Training.Precision
	pk, _ := ch.PeakFor(prec)
	peak := draw(dr, chipInput(id, OutPeak, prec), "FLOP/s", pk)
	hbm := draw(dr, chipInput(id, OutHBM, prec), "B/s", ch.HBM.Bandwidth)
	tdp := draw(dr, chipInput(id, OutTDP, prec), "W", ch.TDP)
	eff := draw(dr, sy.cfg.Stack+": kernel efficiency (calibration)", "×", sy.eff)
	if pk.Typ > 0 {
		out[OutPeak], out[OutWPerPFLOPS] = peak, tdp/(peak/1e15)
	}
	out[OutHBM], out[OutTDP] = hbm, tdp
	own, err := w.ownership(sy, dr, tdp)
	if err != nil {
		return err
	}
	hour, err := econ.OwnedHour(own)
	if err != nil {
		return err
	}
	out[OutHourCost], out[OutWallPower] = float64(hour.Total()), float64(own.Power.Wall())
	if sy.plan != nil {
		if err := w.evalTraining(sy, dr, sample{peak: peak, hbm: hbm, eff: eff, tdp: tdp, own: own, hour: hour}, out); err != nil {
			return fmt.Errorf("%s training: %w", sy.cfg.Label, err)
		}
	}
	if sy.serve != nil {
		w.evalServing(sy, dr, sample{hbm: hbm, eff: eff, own: own, hour: hour}, out)
	}
	return dr.err
}

// sample carries one draw's shared values into the workload models.
type sample struct {
	peak, hbm, eff, tdp float64
	own                 econ.Ownership
	hour                econ.HourCost
}

func (w *world) ownership(sy *system, dr *drawer, tdp float64) (econ.Ownership, error) {
	e := w.s.Economics
	r := sy.cfg.Region
	p := econ.Power{TDP: units.Watts(tdp), Load: draw(dr, "load (fraction of TDP)", "", e.Load),
		ServerMultiplier: draw(dr, "server power multiplier", "×", e.ServerPower), PUE: draw(dr, r+": PUE", "", sy.region.PUE)}
	capex, err := econ.NewCapex(econ.CapexOptions{
		ChipPrice: units.USD(draw(dr, sy.chip.ID+": price", "USD", sy.chip.Price)), ServerMultiplier: draw(dr, "server cost multiplier", "×", e.ServerCost),
		NetworkShare: draw(dr, "network share of server cost", "", e.NetworkShare), FacilityPerWatt: units.USD(draw(dr, "facility cost per watt", "USD/W", e.FacilityPerWatt)),
		Wall: p.Wall(),
	})
	if err != nil {
		return econ.Ownership{}, err
	}
	o := econ.Ownership{Capex: capex, Life: units.Seconds(draw(dr, "depreciation life", "years", e.LifeYears)) * econ.Year, Power: p,
		USDPerKWh: draw(dr, r+": electricity price", "USD/kWh", sy.region.USDPerKWh), Utilisation: draw(dr, "utilisation", "", e.Utilisation)}
	return o, o.Validate()
}

// withPeak returns a copy of ch whose prec peak and HBM bandwidth are
// this sample's values.
func withPeak(ch *hardware.Chip, prec hardware.Precision, peak, hbm float64) *hardware.Chip {
	c := *ch
	c.Peak = maps.Clone(ch.Peak)
	if peak > 0 {
		c.Peak[prec] = hardware.Fixed(units.FLOPRate(peak))
	}
	c.HBM.Bandwidth = hardware.Fixed(units.ByteRate(hbm))
	return &c
}

func (w *world) evalTraining(sy *system, dr *drawer, s sample, out map[string]float64) error {
	cl := sy.cluster
	cl.Chip = withPeak(sy.chip, w.s.Training.Precision, s.peak, s.hbm)
	if su := sy.chip.ScaleUp.Bandwidth; su.Typ > 0 {
		cl.ScaleUp.Bandwidth *= units.ByteRate(draw(dr, sy.chip.ID+": scale-up bandwidth", "B/s", su) / float64(su.Typ))
	}
	r, err := training.Estimate(w.trainModel, sy.plan.Plan, cl, sy.tprof.ScaledEfficiency(s.eff), sy.job)
	if err != nil {
		return err
	}
	job := goodput.Job{Work: units.Seconds(float64(w.s.Training.Tokens) / r.TokensPerSec), Chips: cl.Chips, ChipsPerNode: cl.ChipsPerNode,
		Modes: w.drawModes(sy, dr), Checkpoint: sy.ckpt, Spares: sy.spares, Engineering: w.drawEngineering(sy, dr)}
	est, err := goodput.Closed(job)
	if err != nil {
		return err
	}
	day := float64(units.Day)
	out[OutMFU], out[OutTokensPerSec] = r.MFU, r.TokensPerSec
	if s.peak > 0 {
		out[OutWPerAchieved] = wPerAchieved(s.tdp, r.MFU, s.peak)
	}
	if est.NoProgress {
		// The expected wall time reaches the simulation's cap: the run
		// never finishes.
		inf := math.Inf(1)
		out[OutSteadyDays] = float64(job.Work) / day
		out[OutDowntimeDays], out[OutEngDays], out[OutWallDays], out[OutTotalDays] = inf, float64(est.Port)/day, inf, inf
		out[OutEffective], out[OutRunCost], out[OutRunEnergy] = 0, inf, inf
		return nil
	}
	out[OutSteadyDays] = float64(est.Productive) / day
	out[OutDowntimeDays] = float64(est.Lost+est.Restart+est.Checkpointing) / day
	out[OutEngDays] = float64(est.Port+est.Slowdown) / day
	out[OutWallDays] = float64(est.Wall) / day
	out[OutTotalDays] = float64(est.Port+est.Wall) / day
	out[OutEffective] = est.Effective
	use, err := econ.Run(econ.Work{ChipTime: est.Wall * units.Seconds(cl.Chips), PerHour: s.hour.Total(), Wall: s.own.Power.Wall()})
	if err != nil {
		return err
	}
	out[OutRunCost], out[OutRunEnergy] = float64(use.Cost), float64(use.Energy)
	return nil
}

// drawModes draws each failure mode's rate, detection and restart; the
// rates times the scenario's failure-rate scale of the stack, if any.
func (w *world) drawModes(sy *system, dr *drawer) []goodput.Mode {
	modes := make([]goodput.Mode, len(sy.modes))
	scale := 1.0
	if r, ok := w.rateScale(sy); ok {
		scale = draw(dr, sy.cfg.Stack+": failure-rate scale (scenario)", "×", r)
	}
	for i, m := range sy.modes {
		at := sy.cfg.Stack + " " + m.Component + " failures: "
		m.Rate = hardware.Fixed(units.Dimensionless(scale * draw(dr, at+"rate", "/chip-h", m.Rate)))
		m.Detect = hardware.Fixed(units.Seconds(draw(dr, at+"detection", "s", m.Detect)))
		m.Restart = hardware.Fixed(units.Seconds(draw(dr, at+"restart", "s", m.Restart)))
		modes[i] = m
	}
	return modes
}

// rateScale is the scenario's failure-rate scale of the system's stack
// (FailureRateScale); false where it sets none (a scale of 1).
func (w *world) rateScale(sy *system) (Range, bool) {
	r, ok := w.s.FailureRateScale[sy.cfg.Stack]
	return r, ok
}

// typicalModes are the system's failure modes as the Monte Carlo's
// typical pass runs them (drawModes at typical values): every rate times
// the typical failure-rate scale, whose evidence class, where weaker than
// a rate's, becomes the scaled rate's.
func (w *world) typicalModes(sy *system) []goodput.Mode {
	r, ok := w.rateScale(sy)
	if !ok {
		return sy.modes
	}
	basis := basisOr(r.Basis, r.Assumed)
	modes := make([]goodput.Mode, len(sy.modes))
	for i, m := range sy.modes {
		m.Rate = hardware.Fixed(m.Rate.Typ * r.Typ)
		m.Rate.Basis = weakerBasis(sy.modes[i].Rate.Basis, basis)
		modes[i] = m
	}
	return modes
}

func (w *world) drawEngineering(sy *system, dr *drawer) goodput.Engineering {
	st := sy.cfg.Stack
	e := sy.eng
	return goodput.Engineering{
		Port:            hardware.Fixed(units.Seconds(draw(dr, st+": porting time", "s", e.Port))),
		InitialSlowdown: hardware.Fixed(units.Dimensionless(draw(dr, st+": initial slowdown", "", e.InitialSlowdown))),
		Maturation:      hardware.Fixed(units.Seconds(draw(dr, st+": maturation time", "s", e.Maturation))),
	}
}

// evalServing re-evaluates the fixed serving layout; a sample in which
// no batch meets the SLO leaves the serving figures out (counted by the
// caller through the missing key).
func (w *world) evalServing(sy *system, dr *drawer, s sample, out map[string]float64) {
	d := *sy.serve
	prec := d.Precision
	pk, _ := sy.chip.PeakFor(prec)
	peak := draw(dr, chipInput(sy.chip.ID, OutPeak, prec), "FLOP/s", pk)
	d.Cluster.Chip = withPeak(sy.chip, prec, peak, s.hbm)
	d.Profile.MatmulEff = min(1, d.Profile.MatmulEff*s.eff)
	d.Profile.MemoryEff = min(1, d.Profile.MemoryEff*s.eff)
	in := w.s.Inference
	sv, err := inference.BestServing(d, inference.Workload{Input: in.Input, Output: in.Output},
		inference.SLO{TPOT: in.TPOT, TTFT: in.TTFT})
	if err != nil || sv.OutputPerChip <= 0 {
		return
	}
	p := sv.Point
	p.OutputPerChip = sv.OutputPerChip
	wall := s.own.Power.Wall()
	use, err := econ.PerMillionTokens(p.OutputPerChip, s.hour.Total(), wall)
	if err != nil {
		return
	}
	out[OutServeTPS] = p.OutputPerChip
	out[OutServeTPSPerKW] = p.OutputPerChip / float64(wall) * 1000
	out[OutUSDPerMtok] = float64(use.Cost)
	out[OutJPerToken] = float64(use.Energy) / 1e6
	out[OutTPOT] = float64(p.TPOT)
}

// wPerAchieved is TDP watts per PFLOP/s achieved in training: tdp ÷
// (MFU × peak), peak in FLOP/s (OutWPerAchieved).
func wPerAchieved(tdp, mfu, peak float64) float64 { return tdp / (mfu * peak / 1e15) }
