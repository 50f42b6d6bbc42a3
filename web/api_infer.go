package web

import (
	"context"
	"net/http"

	"chipgap/calc"
	"chipgap/inference"
	"chipgap/plot"
	"chipgap/units"
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

// curveResponse is POST /api/infer/curve's answer.
type curveResponse struct {
	calc.ServeHeader
	SLO    inference.SLO     `json:"slo"`
	Points []inference.Point `json:"points"`
	// Best is the highest-throughput point meeting the SLO; BestError
	// says why there is none.
	Best      *inference.Point `json:"best,omitempty"`
	BestError string           `json:"best_error,omitempty"`
	Charts    []chart          `json:"charts"`
}

func (s *Server) handleInferCurve(w http.ResponseWriter, r *http.Request) error {
	st, err := s.inferSetup(w, r)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (curveResponse, error) {
		c, err := calc.ServeCurve(st)
		return curveResponse{ServeHeader: st.Header(), SLO: c.SLO, Points: c.Curve, Best: c.Best, BestError: c.NoBest,
			Charts: curveCharts(c.Curve, c.SLO, st.Deployment.Cluster.Chip.Name)}, err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// curveCharts plots latency against throughput per chip, with the SLO
// as a limit line: TPOT (decode) and TTFT.
func curveCharts(pts []inference.Point, slo inference.SLO, name string) []chart {
	x := make([]float64, len(pts))
	tpot := make([]float64, len(pts))
	ttft := make([]float64, len(pts))
	for i, p := range pts {
		x[i] = p.OutputPerChip
		tpot[i] = float64(p.TPOT / (units.Seconds(1e-3)))
		ttft[i] = float64(p.TTFT / (units.Seconds(1e-3)))
	}
	return []chart{
		{Key: "tpot", SVG: string(plot.Lines("Time per output token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TPOT", X: x, Y: tpot}}, float64(slo.TPOT)*1e3))},
		{Key: "ttft", SVG: string(plot.Lines("Time to first token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TTFT", X: x, Y: ttft}}, float64(slo.TTFT)*1e3))},
	}
}

// inferEstimate is POST /api/infer/estimate's answer: one operating point
// with the deployment's memory use.
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
