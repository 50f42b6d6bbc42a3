package main

import (
	"errors"
	"fmt"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/uncertain"
	"chipgap/units"
)

// serveResult is one deployment's estimate.
type serveResult struct {
	Spec      serveSpec          `json:"spec"`
	ModelName string             `json:"model_name"`
	Stack     string             `json:"stack"`
	StackNote string             `json:"stack_note,omitempty"`
	Parallel  inference.Parallel `json:"parallel"`
	Devices   int                `json:"devices"`
	Memory    inference.Memory   `json:"memory_per_device"`
	KV        inference.KV       `json:"kv_cache_per_instance"`
	MaxBatch  int                `json:"max_batch_per_instance"`
	Curve     []inference.Point  `json:"curve"`
	SLO       inference.SLO      `json:"slo"`
	// Best is the highest-throughput point meeting the SLO; Low and High
	// the 10th and 90th percentile of its throughput over the inputs'
	// ranges (chip figures and stack parameters, bestRange); a draw on
	// which no batch meets the SLO counts as 0.
	Best     *inference.Point  `json:"best"`
	BestLow  *float64          `json:"best_low"`
	BestHigh *float64          `json:"best_high"`
	NoBest   string            `json:"no_best,omitempty"`
	Disagg   *inference.Disagg `json:"disagg,omitempty"`
	Cost     *serveCost        `json:"cost,omitempty"`
	CostNote string            `json:"cost_note,omitempty"`
}

// serveCost prices the best point's tokens (output tokens; input tokens
// in prefill mode): rented at the catalog's rate and owned (econ).
type serveCost struct {
	Region string          `json:"region"`
	Rental *inference.Cost `json:"rental,omitempty"`
	Owned  inference.Cost  `json:"owned"`
}

func estimateServe(cat *catalog.Catalog, s serveSpec) (serveResult, error) {
	if err := s.check(); err != nil {
		return serveResult{}, err
	}
	if s.Region != "" {
		data, err := cat.Econ()
		if err != nil {
			return serveResult{}, err
		}
		if _, err := data.Region(s.Region); err != nil {
			return serveResult{}, usagef("--region: %v", err)
		}
	}
	mode, err := serveMode(s.Mode)
	if err != nil {
		return serveResult{}, err
	}
	m, err := cat.Model(s.Model)
	if err != nil {
		return serveResult{}, err
	}
	d, note, err := cat.Deployment(s.options(m))
	if err != nil {
		return serveResult{}, err
	}
	r := serveResult{Spec: s, ModelName: m.Name, Stack: d.Profile.ID, StackNote: note, Parallel: d.Parallel,
		Devices: s.Chips * max(d.Cluster.Chip.DevicesPerChip, 1), SLO: inference.SLO{TPOT: s.TPOT, TTFT: s.TTFT}}
	w := inference.Workload{Input: s.Input, Output: s.Output}
	curveMode := mode
	if mode == "disagg" {
		curveMode = inference.Decode
	}
	if r.Memory, err = inference.MemoryUse(d); err != nil {
		return r, err
	}
	if r.KV, err = inference.KVCapacity(d); err != nil {
		return r, err
	}
	if r.MaxBatch, err = inference.MaxBatch(d, curveMode, w); err != nil {
		return r, err
	}
	if r.Curve, err = inference.Curve(d, curveMode, w, r.SLO, s.Batches); err != nil {
		return r, err
	}
	if mode == "disagg" {
		dis, err := inference.Disaggregate(d, d, w, r.SLO)
		if err != nil {
			return r, err
		}
		r.Disagg = &dis
	}
	return r, r.best(cat, d, curveMode, w)
}

// serveMode accepts the estimator's modes plus disagg.
func serveMode(s string) (inference.Mode, error) {
	if s == "disagg" {
		return "disagg", nil
	}
	m, err := inference.ParseMode(s)
	if err != nil {
		return "", usagef("--mode %q: want colocated, decode, prefill or disagg", s)
	}
	return m, nil
}

// best fills the best point, its range and its cost. No batch meeting the
// SLO is reported (NoBest), not an error: the curve still prints.
func (r *serveResult) best(cat *catalog.Catalog, d inference.Deployment, mode inference.Mode, w inference.Workload) error {
	p, err := inference.Best(d, mode, w, r.SLO)
	if errors.Is(err, inference.ErrNoOperatingPoint) {
		r.NoBest = err.Error()
		return nil
	}
	if err != nil {
		return err
	}
	r.Best = &p
	rate := func(p inference.Point) float64 {
		if mode == inference.Prefill {
			return p.InputPerChip
		}
		return p.OutputPerChip
	}
	if r.BestLow, r.BestHigh, err = bestRange(cat, d, func(d inference.Deployment) (float64, error) {
		q, err := inference.Best(d, mode, w, r.SLO)
		if errors.Is(err, inference.ErrNoOperatingPoint) {
			return 0, nil // no batch meets the SLO on this draw
		}
		return rate(q), err
	}); err != nil {
		return err
	}
	rt := rate(p)
	if r.Disagg != nil {
		rt = r.Disagg.OutputPerChip
	}
	r.Cost, r.CostNote = serveCosts(cat, d.Cluster.Chip, r.Spec.region(d.Cluster.Chip.Vendor), rt)
	return nil
}

// rangeTrials and rangeSeed fix the Monte Carlo behind a best point's
// range: the same inputs give the same range, bit for bit.
const (
	rangeTrials = 200
	rangeSeed   = 20250601
)

// bestRange is the 10th and 90th percentile of f over the inputs' ranges:
// the chip's min/typ/max figures (peaks, one factor for all precisions;
// HBM bandwidth and capacity; scale-up bandwidth) and the serving stack's
// parameter ranges (catalog.InferenceStack.Sample), each triangular
// (uncertain.FromRange), rangeTrials draws from rangeSeed.
func bestRange(cat *catalog.Catalog, d inference.Deployment, f func(inference.Deployment) (float64, error)) (lo, hi *float64, err error) {
	st, err := stackOf(cat, d)
	if err != nil {
		return nil, nil, err
	}
	res, err := uncertain.Run(rangeTrials, rangeSeed, func(dr *uncertain.Draw) (map[string]float64, error) {
		dd, err := drawChip(dr, d)
		if err != nil {
			return nil, err
		}
		if dd.Profile, err = st.Sample(dr); err != nil {
			return nil, err
		}
		v, err := f(dd)
		return map[string]float64{"rate": v}, err
	})
	if err != nil {
		return nil, nil, err
	}
	p10, p90 := res["rate"].P10, res["rate"].P90
	return &p10, &p90, nil
}

// stackOf is the catalog stack behind d's profile.
func stackOf(cat *catalog.Catalog, d inference.Deployment) (catalog.InferenceStack, error) {
	data, err := cat.InferenceStacksData()
	if err != nil {
		return catalog.InferenceStack{}, err
	}
	for _, st := range data.Stacks {
		if st.ID == d.Profile.ID {
			return st, nil
		}
	}
	return catalog.InferenceStack{}, fmt.Errorf("catalog: no inference stack %q", d.Profile.ID)
}

// drawChip is d on one draw of the chip's figures.
func drawChip(dr *uncertain.Draw, d inference.Deployment) (inference.Deployment, error) {
	c := *d.Cluster.Chip
	prec := d.Precision
	if prec == "" {
		prec = hardware.BF16
	}
	peak, err := factor(dr, "chip.peak", c.Peak[prec])
	if err != nil {
		return d, err
	}
	c.Peak = map[hardware.Precision]hardware.Value[units.FLOPRate]{}
	for p, v := range d.Cluster.Chip.Peak {
		v.Typ = units.FLOPRate(float64(v.Typ) * peak)
		c.Peak[p] = v
	}
	bw, err := factor(dr, "chip.hbm_bandwidth", c.HBM.Bandwidth)
	if err != nil {
		return d, err
	}
	capa, err := factor(dr, "chip.hbm_capacity", c.HBM.Capacity)
	if err != nil {
		return d, err
	}
	up, err := factor(dr, "chip.scale_up", c.ScaleUp.Bandwidth)
	if err != nil {
		return d, err
	}
	c.HBM.Bandwidth.Typ = units.ByteRate(float64(c.HBM.Bandwidth.Typ) * bw)
	c.HBM.Capacity.Typ = units.Bytes(float64(c.HBM.Capacity.Typ) * capa)
	d.Cluster.ScaleUp.Bandwidth = units.ByteRate(float64(d.Cluster.ScaleUp.Bandwidth) * up)
	d.Cluster.Chip = &c
	return d, nil
}

// factor draws v relative to its typical value (1 without a range; a
// missing end is the typical value).
func factor[T ~float64](dr *uncertain.Draw, name string, v hardware.Value[T]) (float64, error) {
	typ := float64(v.Typ)
	if typ <= 0 {
		return 1, nil
	}
	lo, hi := float64(v.Min), float64(v.Max)
	if lo <= 0 {
		lo = typ
	}
	if hi <= 0 {
		hi = typ
	}
	p, err := uncertain.FromRange(lo/typ, 1, hi/typ)
	if err != nil {
		return 1, fmt.Errorf("catalog: %s of %v: %w", name, v, err)
	}
	return dr.Value(name, p), nil
}

// serveCosts prices tokens at rate per chip: the catalog's rental rate and
// an owned chip-hour in region (econ), with power at the wall.
func serveCosts(cat *catalog.Catalog, ch *hardware.Chip, region string, rate float64) (*serveCost, string) {
	data, err := cat.Econ()
	if err != nil {
		return nil, err.Error()
	}
	o, err := data.Ownership(ch, region, uncertain.Typical())
	if err != nil {
		return nil, fmt.Sprintf("no cost: %v", err)
	}
	h, err := econ.OwnedHour(o)
	if err != nil {
		return nil, fmt.Sprintf("no cost: %v", err)
	}
	wall := o.Power.Wall()
	owned, err := inference.TokenCost(rate, h.Total(), wall)
	if err != nil {
		return nil, fmt.Sprintf("no cost: %v", err)
	}
	c := &serveCost{Region: region, Owned: owned}
	if ch.Rental.Known() {
		if rc, err := inference.TokenCost(rate, ch.Rental.Typ, wall); err == nil {
			c.Rental = &rc
		}
	}
	return c, ""
}
