package sweep

import (
	"fmt"
	"math"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/training"
	"chipgap/uncertain"
	"chipgap/units"
)

// trainCell is what a training cell's Monte Carlo holds fixed.
type trainCell struct {
	m    llm.Model
	ch   *hardware.Chip
	cl   hardware.Cluster
	prof training.Profile
	job  training.Job
	plan training.Result
	gj   *goodput.Job // nil without a whole run
}

// training searches every plan (training.Search), keeps the best within
// published practice (SearchResult.Best), and with WholeRun adds
// failures, checkpoints and porting (catalog.Job, goodput.Closed).
func (e *evaluator) training(c Cell, ch *hardware.Chip, r *Row) error {
	t := e.g.Training
	r.Tokens, r.Seq, r.GlobalBatch, r.WholeRun = f64(float64(t.Tokens)), i64(t.Seq), i64(t.GlobalBatch), &t.WholeRun
	tc, err := e.trainSetup(c, ch, r)
	if err != nil {
		return err
	}
	out, err := e.trainEval(tc, uncertain.Typical())
	setTrain(r, out)
	if err != nil {
		return err
	}
	if e.g.Samples > 0 {
		return e.trainSamples(tc, r)
	}
	return nil
}

func (e *evaluator) trainSetup(c Cell, ch *hardware.Chip, r *Row) (*trainCell, error) {
	if _, ok := ch.PeakFor(c.Precision); !ok {
		return nil, fmt.Errorf("%s has no %s peak", c.Chip, c.Precision)
	}
	m, err := e.c.Model(c.Model)
	if err != nil {
		return nil, err
	}
	cl, err := e.trainCluster(c, ch)
	if err != nil {
		return nil, err
	}
	r.ChipsPerNode = int64(cl.ChipsPerNode)
	prof, why, err := e.profile(ch.Stack, c.Stack, c.StackDate)
	r.StackUsed = why
	if err != nil {
		return nil, err
	}
	t := e.g.Training
	job := training.Job{Seq: t.Seq, GlobalBatch: t.GlobalBatch, Precision: c.Precision, Tokens: float64(t.Tokens)}
	sr, err := training.Search(m, cl, prof, job, training.SearchOptions{Top: 1, Workers: 1, Stop: e.stop})
	if err != nil {
		return nil, fmt.Errorf("no training plan: %w", err)
	}
	tc := &trainCell{m: m, ch: ch, cl: cl, prof: prof, job: job, plan: sr.Best()}
	r.Plan = tc.plan.PlanText
	// As chipgap run and train refuse it: 1e18 tokens was 72 million days.
	if err := input.TokenBudget("training.tokens", t.Tokens, float64(t.Tokens), tc.plan.TokensPerSec, fmt.Sprintf("%d × %s", cl.Chips, cl.ChipID)); err != nil {
		return nil, err
	}
	if t.WholeRun {
		gj, err := e.c.Job(m, cl, catalog.JobOptions{Work: units.Seconds(float64(t.Tokens) / tc.plan.TokensPerSec)})
		if err != nil {
			return nil, err
		}
		tc.gj = &gj
	}
	return tc, nil
}

// Names of a training evaluation's outputs.
const (
	oStep, oMFU, oTPS, oSteady = "step_time_s", "mfu", "tokens_per_s", "steady_days"
	oWall, oTotal, oCost, oJ   = "wall_days", "total_days", "run_cost_usd", "run_energy_j"
	oHour, oWallW              = "usd_per_chip_hour", "wall_w_per_chip"
)

// trainEval estimates the fixed plan with the chip, economics and
// failure figures drawn from d (uncertain.Typical(): typical values).
func (e *evaluator) trainEval(tc *trainCell, d *uncertain.Draw) (map[string]float64, error) {
	out := map[string]float64{}
	ch, err := drawChip(tc.ch, tc.job.Precision, d)
	if err != nil {
		return out, err
	}
	cl := tc.cl
	cl.Chip = ch
	if su := tc.ch.ScaleUp.Bandwidth; su.Typ > 0 {
		// The scale-up link rate drawn from the chip's range, under the
		// gap report's name for it (scenario's evalTraining), so the two
		// draw the same rate in a sample.
		w := &drawer{d: d}
		cl.ScaleUp.Bandwidth *= units.ByteRate(float64(pick(w, tc.ch.ID+": scale-up bandwidth", su)) / float64(su.Typ))
		if w.err != nil {
			return out, w.err
		}
	}
	eff, err := drawEfficiency(cl.Stack, d)
	if err != nil {
		return out, err
	}
	prof := tc.prof // the kernel efficiencies scaled as the gap report scales them
	prof.MatmulMax.Value = min(0.98, prof.MatmulMax.Value*eff)
	prof.FP8Max.Value = min(0.98, prof.FP8Max.Value*eff)
	prof.MemoryEff.Value = min(1, prof.MemoryEff.Value*eff)
	res, err := training.Estimate(tc.m, tc.plan.Plan, cl, prof, tc.job)
	if err != nil {
		return out, err
	}
	out[oStep], out[oMFU], out[oTPS] = float64(res.StepTime), res.MFU, res.TokensPerSec
	work := units.Seconds(tc.job.Tokens / res.TokensPerSec)
	out[oSteady] = float64(work) / day
	own, hour, herr := e.hour(ch, d)
	if herr == nil {
		out[oHour], out[oWallW] = float64(hour.Total()), float64(own.Power.Wall())
	}
	wall, total := work, work
	if tc.gj != nil {
		gj := drawJob(*tc.gj, d)
		gj.Work = work
		est, err := goodput.Closed(gj)
		if err != nil {
			return out, err
		}
		wall, total = est.Wall, est.Port+est.Wall
		if est.NoProgress {
			wall, total = units.Seconds(math.Inf(1)), units.Seconds(math.Inf(1))
		}
		out[oWall] = float64(wall) / day
	}
	out[oTotal] = float64(total) / day
	if herr != nil {
		return out, herr
	}
	if math.IsInf(float64(wall), 1) {
		out[oCost], out[oJ] = math.Inf(1), math.Inf(1)
		return out, nil
	}
	use, err := econ.Run(econ.Work{ChipTime: wall * units.Seconds(cl.Chips), PerHour: hour.Total(), Wall: own.Power.Wall()})
	if err != nil {
		return out, err
	}
	out[oCost], out[oJ] = float64(use.Cost), float64(use.Energy)
	return out, nil
}

func setTrain(r *Row, out map[string]float64) {
	for k, p := range map[string]**float64{oStep: &r.StepTimeS, oMFU: &r.MFU, oTPS: &r.TokensPerS, oSteady: &r.SteadyDays,
		oWall: &r.WallDays, oTotal: &r.TotalDays, oCost: &r.RunCostUSD, oJ: &r.RunEnergyJ, oHour: &r.USDPerChipHour, oWallW: &r.WallWPerChip} {
		if v, ok := out[k]; ok {
			*p = f64(v)
		}
	}
}

func (e *evaluator) trainSamples(tc *trainCell, r *Row) error {
	xs, missing, err := samples(e.g, func(d *uncertain.Draw) (map[string]float64, error) { return e.trainEval(tc, d) })
	if err != nil {
		return err
	}
	r.Missing = i64(missing)
	r.TotalDaysP10, r.TotalDaysP50, r.TotalDaysP90 = quantiles(xs[oTotal])
	r.RunCostP10, r.RunCostP50, r.RunCostP90 = quantiles(xs[oCost])
	r.MFUP10, r.MFUP50, r.MFUP90 = quantiles(xs[oMFU])
	return nil
}
