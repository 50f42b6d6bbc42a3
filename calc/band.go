package calc

import (
	"fmt"

	"chipgap/catalog"
)

// MeasuredBand is what the published runs of an estimate's scorecard
// regime measured where the estimator predicted the estimate's
// throughput: the regime's P10 and P90 errors turned around the
// prediction (catalog.Score.Band). It is the spread measurement has shown
// around predictions of this kind, beside the catalog-range spread the
// estimate's own range gives.
type MeasuredBand struct {
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Runs   int     `json:"runs"`
	Regime string  `json:"regime"`
}

// measuredBand is s's band around pred; nil without a regime or with
// fewer than catalog.MinBandRuns runs in it.
func measuredBand(s *catalog.Score, pred float64) *MeasuredBand {
	if s == nil {
		return nil
	}
	lo, hi, ok := s.Band(pred)
	if !ok {
		return nil
	}
	return &MeasuredBand{Low: lo, High: hi, Runs: s.Runs, Regime: s.ID}
}

// text is the band as the commands print it, in unit ("tokens/s per
// chip"): "Measured where the estimator predicted this, P10–P90 over the
// 66 runs scored above: 6212–9918 tokens/s per chip".
func (b *MeasuredBand) text(unit string) string {
	return fmt.Sprintf("Measured where the estimator predicted this, P10–P90 over the %d runs scored above: %.4g–%.4g %s", b.Runs, b.Low, b.High, unit)
}
