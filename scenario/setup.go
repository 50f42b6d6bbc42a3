package scenario

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/llm"
	"chipgap/training"
	"chipgap/units"
)

// world is the scenario resolved against the catalog once, before any
// sampling: models, failure data and each system's searched plans.
type world struct {
	c     *catalog.Catalog
	s     *Scenario
	limit limiter // bounds the goroutines computing at once (RunWith)
	// stop ends the plan searches when the run's context ends (a
	// server's deadline or a cancelled job): training.SearchOptions.Stop.
	stop       func() error
	trainModel llm.Model
	serveModel llm.Model
	rel        *catalog.Reliability
	// basePeak is the baseline cluster's peak FLOP/s that equal-peak
	// sizing matches (0: equal chip counts); set by systems.
	basePeak float64
}

// system is one compared system with everything searched at typical
// values and held fixed while the Monte Carlo re-evaluates it.
type system struct {
	cfg    System
	chip   *hardware.Chip // catalog chip with the scenario's overrides
	chips  int
	region Region
	eff    Range
	eng    Engineering

	// Training: the cluster, profile and best plan at typical values.
	cluster  hardware.Cluster
	tprof    training.Profile
	tstack   string
	job      training.Job
	plan     *training.Result
	trainErr string
	cross    *CrossCheck // the run on the stack's calibrated profile, where tprof is assumed
	modes    []goodput.Mode
	ckpt     goodput.Checkpoint
	spares   goodput.Spares

	// Serving: the best layout at typical values (nil when none).
	serve  *inference.Deployment
	sdata  catalog.InferenceStack
	sstack string
	ssetup ServeSetup
}

func newWorld(s *Scenario) (*world, error) {
	c, err := catalog.Load()
	if err != nil {
		return nil, err
	}
	w := &world{c: c, s: s}
	if w.trainModel, err = c.Model(s.Training.Model); err != nil {
		return nil, err
	}
	if w.serveModel, err = c.Model(s.Inference.Model); err != nil {
		return nil, err
	}
	if w.rel, err = c.Reliability(); err != nil {
		return nil, err
	}
	return w, nil
}

// chipFor returns the catalog chip with the scenario's overrides: a
// peak override sets the training precision's peak and scales every
// other precision by the same factor.
func (w *world) chipFor(id string) (*hardware.Chip, error) {
	base, err := w.c.Chip(id)
	if err != nil {
		return nil, err
	}
	ch := *base
	o, ok := w.s.Chips[id]
	if !ok {
		return &ch, nil
	}
	ch.Peak = map[hardware.Precision]hardware.Value[units.FLOPRate]{}
	prec := w.s.Training.Precision
	old := base.Peak[prec]
	for p, v := range base.Peak {
		if given(o.Peak) && old.Typ > 0 {
			v = o.Peak.Scale(float64(v.Typ / old.Typ))
			v.Sources, v.Note, v.Assumed = o.Peak.Sources, "scenario override (scaled from "+string(prec)+")", o.Peak.Assumed
		}
		ch.Peak[p] = v
	}
	if given(o.Peak) {
		ch.Peak[prec] = o.Peak
	}
	if given(o.HBMBandwidth) {
		ch.HBM.Bandwidth = o.HBMBandwidth
	}
	if given(o.TDP) {
		ch.TDP = o.TDP
	}
	if given(o.Price) {
		ch.Price = o.Price
	}
	return &ch, nil
}

// chipCount sizes a system's training cluster in whole nodes of node
// (as chipgap train and run refuse a stated node that does not divide
// the job's chips): the scenario's count, or with equal-peak sizing the
// baseline's peak FLOP/s, rounded to the nearest whole number of nodes,
// or, below one node, the count itself in one partial node (cluster: a
// scale-up domain of those chips), never rounded up to a whole node.
// Equal chips of 16,384 are 43 CloudMatrix 384 supernodes (16,512
// chips) and 2,048 HGX servers of 8; equal chips of 64 are 64 CloudMatrix
// chips in one domain, not a whole supernode of 384.
func (w *world) chipCount(ch *hardware.Chip, node int, basePeak float64) int {
	node = max(node, 1)
	want := float64(w.s.Training.Chips)
	if w.s.Training.Sizing == "equal-peak" && basePeak > 0 {
		if pk, ok := ch.PeakFor(w.s.Training.Precision); ok && pk.Typ > 0 {
			want = basePeak / float64(pk.Typ)
		}
	}
	if want < float64(node) {
		return max(1, int(math.Round(want)))
	}
	return int(math.Round(want/float64(node))) * node
}

func (w *world) newSystem(cfg System, basePeak float64) (*system, error) {
	ch, err := w.chipFor(cfg.Chip)
	if err != nil {
		return nil, err
	}
	node := cfg.ChipsPerNode
	if node == 0 {
		node = ch.ChipsPerNode
	}
	sy := &system{cfg: cfg, chip: ch, region: w.s.Economics.Regions[cfg.Region], eff: w.s.Efficiency[cfg.Stack], eng: w.s.Engineering[cfg.Stack]}
	sy.chips = w.chipCount(ch, node, basePeak)
	if err := w.setupTraining(sy); err != nil {
		sy.trainErr = err.Error()
	}
	w.setupServing(sy)
	return sy, nil
}

// cluster is chips of the system's chip in its nodes; whole: the chips
// are its training job's, which fill whole nodes (catalog.ClusterOptions
// WholeNodes, as chipgap train and run build theirs; chipCount rounds to
// them), where a serving instance may be smaller than a node.
func (w *world) cluster(sy *system, chips int, whole bool) (hardware.Cluster, error) {
	node := sy.cfg.ChipsPerNode
	if whole && node > chips {
		node = chips // a job below one node: one partial node (chipCount)
	}
	cl, err := w.c.Cluster(sy.cfg.Chip, chips, catalog.ClusterOptions{ChipsPerNode: node, Stack: sy.cfg.Stack, WholeNodes: whole})
	if err != nil {
		return cl, err
	}
	cl.Chip = sy.chip
	return cl, nil
}

func (w *world) setupTraining(sy *system) error {
	t := w.s.Training
	sy.job = training.Job{Seq: t.Seq, GlobalBatch: t.GlobalBatch, Precision: t.Precision, Tokens: float64(t.Tokens)}
	if _, ok := sy.chip.PeakFor(t.Precision); !ok {
		return fmt.Errorf("%s has no %s peak", sy.chip.ID, t.Precision)
	}
	cl, err := w.cluster(sy, sy.chips, true)
	if err != nil {
		return err
	}
	sy.cluster = cl
	prof, why, err := w.c.TrainingProfile(sy.cfg.Stack, sy.cfg.TrainingFramework)
	if err != nil {
		return err
	}
	if prof, err = prof.At(w.s.StackDate); err != nil {
		return err
	}
	if prof.State != "" {
		why += ", as of " + prof.State
	}
	sy.tprof, sy.tstack = prof, why
	sr, err := training.Search(w.trainModel, cl, prof, sy.job, training.SearchOptions{Top: 1, Workers: 1, Stop: w.stop})
	if err != nil {
		return fmt.Errorf("no training plan: %w", err)
	}
	best := sr.Best() // within published practice: what a team would run
	sy.plan = &best
	sy.cross = w.crossCheck(sy)
	return w.setupGoodput(sy)
}

// crossCheck runs the system's training search again on its hardware
// stack's calibrated profile (catalog.CalibratedTrainingProfile) where
// the system names no framework and its default profile's GEMM efficiency
// is not fitted to any run (Ascend's cann-mindspeed): the same job and
// cluster at typical values, so the report can set a figure resting on
// assumed efficiencies beside what the one profile grounded in published
// runs gives. Nil where there is nothing to check against.
func (w *world) crossCheck(sy *system) *CrossCheck {
	if sy.cfg.TrainingFramework != "" || sy.tprof.MatmulMax.Basis == training.Calibrated {
		return nil
	}
	alt, why, ok := w.c.CalibratedTrainingProfile(sy.cluster.Stack, sy.tprof.ID)
	if !ok {
		return nil
	}
	alt, err := alt.At(w.s.StackDate)
	if err == nil && alt.State != "" {
		why += ", as of " + alt.State
	}
	cc := &CrossCheck{Profile: alt.ID, HardwareStack: sy.cluster.Stack, Stack: why, Evidence: stackEvidence(alt)}
	if err != nil {
		cc.Error = err.Error()
		return cc
	}
	sr, err := training.Search(w.trainModel, sy.cluster, alt, sy.job, training.SearchOptions{Top: 1, Workers: 1, Stop: w.stop})
	if err != nil {
		cc.Error = "no training plan: " + err.Error()
		return cc
	}
	best := sr.Best()
	cc.Plan, cc.TokensPerSec, cc.MFU = best.PlanText, best.TokensPerSec, best.MFU
	if pk, ok := sy.chip.PeakFor(w.s.Training.Precision); ok && pk.Typ > 0 && best.MFU > 0 {
		cc.WPerAchieved = wPerAchieved(float64(sy.chip.TDP.Typ), best.MFU, float64(pk.Typ))
	}
	return cc
}

// setupGoodput takes the whole-run job from catalog.Job (the one
// assembly chipgap run, validate and the web API share): failure modes,
// checkpoints and spare servers; each sample then replaces its work,
// drawn failure modes and drawn engineering.
func (w *world) setupGoodput(sy *system) error {
	eng := goodput.Engineering{Port: sy.eng.Port, InitialSlowdown: sy.eng.InitialSlowdown, Maturation: sy.eng.Maturation}
	work := units.Seconds(float64(w.s.Training.Tokens) / sy.plan.TokensPerSec)
	j, err := w.c.Job(w.trainModel, sy.cluster, catalog.JobOptions{Work: work, Engineering: &eng})
	if err != nil {
		return err
	}
	sy.modes, sy.ckpt, sy.spares = j.Modes, j.Checkpoint, j.Spares
	return nil
}

// servePrecision picks the serving precision: the scenario's, or FP8,
// else INT8, else BF16 (the first the chip has).
func (w *world) servePrecision(ch *hardware.Chip) (hardware.Precision, bool) {
	if p := w.s.Inference.Precision; p != "auto" {
		_, ok := ch.PeakFor(hardware.Precision(p))
		return hardware.Precision(p), ok
	}
	for _, p := range []hardware.Precision{hardware.FP8, hardware.INT8, hardware.BF16} {
		if _, ok := ch.PeakFor(p); ok {
			return p, true
		}
	}
	return "", false
}

// setupServing searches instance sizes (powers of two up to the limit,
// and the whole scale-up domain) and tensor-parallel degrees with
// experts spread over the instance, for the most output tokens/s per
// chip that meet the SLO.
func (w *world) setupServing(sy *system) {
	prec, ok := w.servePrecision(sy.chip)
	if !ok {
		sy.ssetup.Error = fmt.Sprintf("%s supports none of the serving precisions", sy.chip.ID)
		return
	}
	st, note, err := w.c.InferenceProfile(sy.cfg.InferenceFramework, sy.chip)
	if err != nil {
		sy.ssetup.Error = err.Error()
		return
	}
	sy.sdata = st
	sy.sstack = st.ID + " (" + strings.TrimSpace(note) + ")"
	if note == "" {
		sy.sstack = st.ID
	}
	in := w.s.Inference
	wl := inference.Workload{Input: in.Input, Output: in.Output}
	slo := inference.SLO{TPOT: in.TPOT, TTFT: in.TTFT}
	var best *inference.Deployment
	var bestP inference.Serving
	lastErr := errors.New("no layout tried")
	for _, n := range w.instanceSizes(sy) {
		cl, err := w.cluster(sy, n, false)
		if err != nil {
			lastErr = err
			continue
		}
		dev := n * max(1, sy.chip.DevicesPerChip)
		for _, tp := range []int{1, 2, 4, 8} {
			if tp > dev || dev%tp != 0 {
				continue
			}
			for _, ep := range []int{dev, 1} {
				d := inference.Deployment{Model: w.serveModel, Cluster: cl, Parallel: inference.Parallel{TP: tp, PP: 1, EP: ep, DP: 1},
					Precision: prec, Profile: st.Profile()}
				p, err := inference.BestServing(d, wl, slo)
				if err != nil {
					lastErr = err
					continue
				}
				if best == nil || p.OutputPerChip > bestP.OutputPerChip*(1+1e-9) {
					dd := d
					best, bestP = &dd, p
				}
			}
		}
	}
	if best == nil {
		sy.ssetup.Error = lastErr.Error()
		return
	}
	sy.serve = best
	sy.ssetup = ServeSetup{Precision: string(prec), Chips: best.Cluster.Chips, TP: best.Parallel.TP, EP: best.Parallel.EP,
		Batch: bestP.Point.Batch, Bound: bestP.Point.Step.Bound, Mode: bestP.Mode()}
	if d := bestP.Disagg; d != nil {
		sy.ssetup.PrefillPerDecode = d.PrefillPerDecodeChip
	}
}

func (w *world) instanceSizes(sy *system) []int {
	limit := w.s.Inference.MaxInstanceChips
	var out []int
	for n := 1; n <= limit; n *= 2 {
		out = append(out, n)
	}
	node := sy.cfg.ChipsPerNode
	if node == 0 {
		node = sy.chip.ChipsPerNode
	}
	if node <= limit && node&(node-1) != 0 {
		out = append(out, node)
	}
	return out
}
