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
	// its throughput on the catalog's min and max chip figures (null when
	// no batch meets the SLO there).
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
	for _, v := range []struct {
		dst **float64
		end int
	}{{&r.BestLow, -1}, {&r.BestHigh, 1}} {
		if q, err := inference.Best(chipBound(d, v.end), mode, w, r.SLO); err == nil {
			x := rate(q)
			*v.dst = &x
		}
	}
	rt := rate(p)
	if r.Disagg != nil {
		rt = r.Disagg.OutputPerChip
	}
	r.Cost, r.CostNote = serveCosts(cat, d.Cluster.Chip, r.Spec.region(d.Cluster.Chip.Vendor), rt)
	return nil
}

// chipBound is d on the catalog's lower (end < 0) or upper (end > 0)
// chip figures: peaks, HBM bandwidth and capacity, scale-up bandwidth.
func chipBound(d inference.Deployment, end int) inference.Deployment {
	c := *d.Cluster.Chip
	pick := func(v hardware.Value[units.FLOPRate]) hardware.Value[units.FLOPRate] {
		if end < 0 && v.Min > 0 {
			v.Typ = v.Min
		} else if end > 0 && v.Max > 0 {
			v.Typ = v.Max
		}
		return v
	}
	c.Peak = map[hardware.Precision]hardware.Value[units.FLOPRate]{}
	for p, v := range d.Cluster.Chip.Peak {
		c.Peak[p] = pick(v)
	}
	c.HBM.Bandwidth.Typ = bound(c.HBM.Bandwidth, end)
	c.HBM.Capacity.Typ = bound(c.HBM.Capacity, end)
	if up := c.ScaleUp.Bandwidth; up.Typ > 0 {
		d.Cluster.ScaleUp.Bandwidth *= units.ByteRate(float64(bound(up, end)) / float64(up.Typ))
	}
	d.Cluster.Chip = &c
	return d
}

func bound[T ~float64](v hardware.Value[T], end int) T {
	switch {
	case end < 0 && v.Min > 0:
		return v.Min
	case end > 0 && v.Max > 0:
		return v.Max
	}
	return v.Typ
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
