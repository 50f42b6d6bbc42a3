package catalog

import (
	"slices"

	"chipgap/hardware"
	"chipgap/units"
)

// Ratio divides two sourced values and propagates the range: the low end
// is a.Min/b.Max, the high end a.Max/b.Min. The result is derived and
// cites both inputs' sources. It is unknown (zero) when either input is.
func Ratio[A, B ~float64](a hardware.Value[A], b hardware.Value[B]) hardware.Value[units.Dimensionless] {
	if a.Typ <= 0 || b.Typ <= 0 || b.Min <= 0 {
		return hardware.Value[units.Dimensionless]{}
	}
	v := hardware.Value[units.Dimensionless]{
		Min:     units.Dimensionless(float64(a.Min) / float64(b.Max)),
		Typ:     units.Dimensionless(float64(a.Typ) / float64(b.Typ)),
		Max:     units.Dimensionless(float64(a.Max) / float64(b.Min)),
		Derived: true,
		Sources: slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(a.Sources), b.Sources...)))),
	}
	return v
}

// Metrics are a chip's headline efficiency ratios, each with its range.
type Metrics struct {
	// RidgeFLOPPerByte is the BF16 peak over HBM bandwidth: the arithmetic
	// intensity (FLOP per HBM byte) above which a kernel is compute-bound.
	RidgeFLOPPerByte hardware.Value[units.Dimensionless] `json:"ridge_flop_per_byte"`
	// TFLOPSPerWatt is the BF16 peak in TFLOP/s over TDP.
	TFLOPSPerWatt hardware.Value[units.Dimensionless] `json:"bf16_tflops_per_watt"`
	// TFLOPSPerKUSD is the BF16 peak in TFLOP/s per $1,000 of chip price.
	TFLOPSPerKUSD hardware.Value[units.Dimensionless] `json:"bf16_tflops_per_kusd"`
	// TFLOPSPerMM2 is the BF16 peak in TFLOP/s per mm² of compute die
	// (all dies of the package).
	TFLOPSPerMM2 hardware.Value[units.Dimensionless] `json:"bf16_tflops_per_mm2"`
}

// ChipMetrics computes a chip's Metrics from its BF16 peak (FP16 when the
// chip lists no BF16 figure).
func ChipMetrics(c *hardware.Chip) Metrics {
	peak, ok := c.PeakFor(hardware.BF16)
	if !ok {
		peak, _ = c.PeakFor(hardware.FP16)
	}
	return metricsOf(c, peak)
}

// ChipMetricsAt is Metrics from the chip's dense peak at precision p (at
// BF16, ChipMetrics); ok is false when the chip lists no peak at p.
func ChipMetricsAt(c *hardware.Chip, p hardware.Precision) (m Metrics, ok bool) {
	if p == hardware.BF16 {
		return ChipMetrics(c), true
	}
	peak, ok := c.PeakFor(p)
	if !ok {
		return Metrics{}, false
	}
	return metricsOf(c, peak), true
}

func metricsOf(c *hardware.Chip, peak hardware.Value[units.FLOPRate]) Metrics {
	tf := peak.Scale(1 / float64(units.TFLOPS))
	area := c.DieArea.Scale(float64(c.Dies))
	return Metrics{
		RidgeFLOPPerByte: Ratio(peak, c.HBM.Bandwidth),
		TFLOPSPerWatt:    Ratio(tf, c.TDP),
		TFLOPSPerKUSD:    Ratio(tf, c.Price.Scale(1e-3)),
		TFLOPSPerMM2:     Ratio(tf, area),
	}
}
