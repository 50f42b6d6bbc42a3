package calc

import (
	"errors"
	"fmt"
	"math"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/uncertain"
	"chipgap/units"
)

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
// (uncertain.FromRange), rangeTrials draws from rangeSeed. A draw on which
// f finds that the weights do not fit (inference.ErrDoesNotFit: a chip
// figure's low end, such as a capacity range that reaches a smaller SKU)
// counts as 0; noFit is how many draws did.
func bestRange(cat *catalog.Catalog, d inference.Deployment, f func(inference.Deployment) (float64, error)) (lo, hi *float64, noFit int, err error) {
	// The deployment's own stack: its engine's limits and MoE path
	// included, so the draws vary the parameters the point used.
	st, err := cat.InferenceStackOf(d.Profile, d.Cluster.Chip)
	if err != nil {
		return nil, nil, 0, err
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
		if errors.Is(err, inference.ErrDoesNotFit) {
			return map[string]float64{"rate": 0, "nofit": 1}, nil
		}
		return map[string]float64{"rate": v, "nofit": 0}, err
	})
	if err != nil {
		return nil, nil, 0, err
	}
	p10, p90 := res["rate"].P10, res["rate"].P90
	return &p10, &p90, int(math.Round(res["nofit"].Mean * rangeTrials)), nil
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
