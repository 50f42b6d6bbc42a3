package web

import (
	"context"
	"net/http"

	"chipgap/calc"
	"chipgap/inference"
)

// The bodies of POST /api/infer/curve and /api/infer/estimate are
// calc.ServeRequest; durations accept numbers (seconds) or strings with a
// unit ("50ms").

// inferSetup decodes a request and resolves it, within the server's
// limits.
func (s *Server) inferSetup(w http.ResponseWriter, r *http.Request) (calc.ServeSetup, error) {
	req := calc.NewServeRequest()
	if err := s.decode(w, r, &req); err != nil {
		return calc.ServeSetup{}, err
	}
	if err := capInt("chips", req.Chips, s.limits.MaxChips); err != nil {
		return calc.ServeSetup{}, err
	}
	if err := capInt("batches", len(req.Batches), s.limits.MaxCurvePoints); err != nil {
		return calc.ServeSetup{}, err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return calc.ServeSetup{}, err
	}
	return req.Setup(cat)
}

// curveResponse is POST /api/infer/curve's answer: calc.Serve's
// estimate, the one serve-estimate prints, under the API's names.
type curveResponse struct {
	calc.ServeHeader
	SLO    inference.SLO     `json:"slo"`
	Points []inference.Point `json:"points"`
	// Best is the highest-throughput point meeting the SLO; BestError
	// says why there is none.
	Best      *inference.Point `json:"best,omitempty"`
	BestError string           `json:"best_error,omitempty"`
	// BestLow and BestHigh are the P10 and P90 of the best point's
	// throughput over the inputs' ranges, BestNoFit the draws on which
	// the weights did not fit, BestRangeNote where the best point lies
	// outside them (calc.ServeEstimate's fields).
	BestLow       *float64 `json:"best_low,omitempty"`
	BestHigh      *float64 `json:"best_high,omitempty"`
	BestNoFit     int      `json:"best_no_fit,omitempty"`
	BestRangeNote string   `json:"best_range_note,omitempty"`
	// MeasuredBand is what the scored regime's runs measured where the
	// estimator predicted the best point's throughput (calc.MeasuredBand).
	MeasuredBand *calc.MeasuredBand `json:"measured_band,omitempty"`
	// MeasuredBandNote says why there is none in a mode other than
	// colocated (calc.ServeEstimate.MeasuredBandNote).
	MeasuredBandNote string `json:"measured_band_note,omitempty"`
	// Disagg is, in disaggregated mode, the two pools sized together:
	// Points and Best are the decode pool's, per decode chip; its
	// output_tokens_per_s_per_chip is per chip over both pools.
	Disagg      *inference.Disagg `json:"disagg,omitempty"`
	DisaggError string            `json:"disagg_error,omitempty"`
	// Cost, CostNote and Energy price the best point's tokens in the
	// request's region (calc.ServeEstimate's).
	Cost     *calc.ServeCost   `json:"cost,omitempty"`
	CostNote string            `json:"cost_note,omitempty"`
	Energy   *calc.ServeEnergy `json:"energy,omitempty"`
	Charts   []calc.Chart      `json:"charts"`
}

func (s *Server) handleInferCurve(w http.ResponseWriter, r *http.Request) error {
	st, err := s.inferSetup(w, r)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (curveResponse, error) {
		c, err := calc.Serve(st)
		return curveResponse{ServeHeader: st.Header(), SLO: c.SLO, Points: c.Curve, Best: c.Best, BestError: c.NoBest,
			BestLow: c.BestLow, BestHigh: c.BestHigh, BestNoFit: c.BestNoFit, BestRangeNote: c.BestRangeNote,
			MeasuredBand: c.MeasuredBand, MeasuredBandNote: c.MeasuredBandNote, Disagg: c.Disagg, DisaggError: c.DisaggError,
			Cost: c.Cost, CostNote: c.CostNote, Energy: c.Energy, Charts: calc.CurveCharts(c.Curve, c.SLO, st.Deployment.Cluster.Chip.Name)}, err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// inferEstimate is POST /api/infer/estimate's answer: one operating point
// with the deployment's memory use, its range and its cost.
type inferEstimate struct {
	calc.ServeHeader
	calc.ServePoint
}

func (s *Server) handleInferEstimate(w http.ResponseWriter, r *http.Request) error {
	st, err := s.inferSetup(w, r)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (inferEstimate, error) {
		p, err := calc.ServePointOf(st)
		return inferEstimate{st.Header(), p}, err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
