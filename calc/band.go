package calc

import (
	"fmt"

	"chipgap/catalog"
)

// MeasuredBand is the 80 % band of what a source measures where the
// estimator predicted an estimate's throughput: the P10 and P90 errors of
// the estimate's scorecard regime, widened for the spread between sources
// (catalog.BandWiden) and turned around the prediction
// (catalog.Score.Band). It is the spread measurement has shown around
// predictions of this kind, beside the catalog-range spread the
// estimate's own range gives.
type MeasuredBand struct {
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Runs   int     `json:"runs"`
	Regime string  `json:"regime"`
	// Widen is how far the regime's P10–P90 errors were widened about
	// its median (catalog.BandWiden).
	Widen float64 `json:"widen"`
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
	return &MeasuredBand{Low: lo, High: hi, Runs: s.Runs, Regime: s.ID, Widen: catalog.BandWiden}
}

// text is the band as the commands print it, in unit ("tokens/s per
// chip"): "Measured where the estimator predicted this (80 % band: the
// P10–P90 of the 66 runs scored above, widened 1.3× for the spread
// between sources): 6212–9918 tokens/s per chip".
func (b *MeasuredBand) text(unit string) string {
	return fmt.Sprintf("Measured where the estimator predicted this (80 %% band: the P10–P90 of the %d runs scored above, widened %.2g× for the spread between sources): %.4g–%.4g %s",
		b.Runs, b.Widen, b.Low, b.High, unit)
}
