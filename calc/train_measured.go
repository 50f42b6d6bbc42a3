package calc

import (
	"fmt"
	"io"
	"reflect"

	"chipgap/runs"
)

// RunMeasured is what a published run (train --file) measured of the
// metric train predicts, tokens/s per chip, beside the estimate: the
// error validate gives the run (runs.PredictionError) and whether the
// measurement lies inside the estimate's measured band.
type RunMeasured struct {
	TokensPerSecPerChip float64 `json:"tokens_per_s_per_chip"`
	// Error is predicted/measured − 1 (validate's); absent where the
	// request changes the run's plan, stack or MoE settings (Changed):
	// the estimate is then not of the run as measured.
	Error *float64 `json:"error,omitempty"`
	// InBand: the measurement lies inside the estimate's 80 % band
	// (absent without a band, or with no error).
	InBand  *bool `json:"in_band,omitempty"`
	Changed bool  `json:"changed,omitempty"`
}

// runMeasured records run's measurement in s where it is of the metric
// train predicts, and whether s, the run with a request's fields laid
// over it, estimates anything other than own, the run as stated: a flag
// that restates the run's own value (--tp 8 on a TP 8 run) changes
// nothing, so the error still stands.
func (s *TrainSetup) runMeasured(run runs.Run, own TrainSetup) {
	if run.Measured.Metric != runs.MetricTokensPerChip || run.Measured.Value <= 0 {
		return
	}
	s.measured = run.Measured.Value
	s.changed = !reflect.DeepEqual(s.Model, own.Model) || !reflect.DeepEqual(s.Job, own.Job) ||
		!reflect.DeepEqual(s.Space, own.Space) || !reflect.DeepEqual(s.Profile, own.Profile)
}

// measuredOf is the run's measurement beside estimate e (nil: the setup
// is no published run's, or its run measured another metric).
func (s TrainSetup) measuredOf(e TrainEstimate) *RunMeasured {
	if s.measured <= 0 {
		return nil
	}
	out := &RunMeasured{TokensPerSecPerChip: s.measured, Changed: s.changed}
	if s.changed || e.TokensPerSecPerChip <= 0 {
		return out
	}
	err := runs.PredictionError(e.TokensPerSecPerChip, s.measured)
	out.Error = &err
	if b := e.Band; b != nil {
		in := s.measured >= b.Low && s.measured <= b.High
		out.InBand = &in
	}
	return out
}

// writeText prints m's line: "Measured 1663.4 tokens/s per chip (the
// file's; predicted +1.2 %, inside the band)".
func (m *RunMeasured) writeText(w io.Writer) {
	if m == nil {
		return
	}
	fmt.Fprintf(w, "Measured %.1f tokens/s per chip (the file's", m.TokensPerSecPerChip)
	switch {
	case m.Error == nil:
		fmt.Fprint(w, ", at the run's own settings: this request changes them, so no error is given")
	case m.InBand == nil:
		fmt.Fprintf(w, "; predicted %+.1f %%", 100**m.Error)
	case *m.InBand:
		fmt.Fprintf(w, "; predicted %+.1f %%, inside the band", 100**m.Error)
	default:
		fmt.Fprintf(w, "; predicted %+.1f %%, outside the band", 100**m.Error)
	}
	fmt.Fprintln(w, ")")
}
