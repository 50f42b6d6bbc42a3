package web

import (
	"context"
	"net/http"

	"chipgap/calc"
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
// estimate as serve-estimate --json prints it (calc.ServeView), beside
// the ids the estimate resolved (calc.ServeHeader's) and the TPOT and
// TTFT charts.
type curveResponse struct {
	Chip    string `json:"chip"`
	Model   string `json:"model"`
	Profile string `json:"profile"`
	calc.ServeView
	Charts []calc.Chart `json:"charts"`
}

func (s *Server) handleInferCurve(w http.ResponseWriter, r *http.Request) error {
	st, err := s.inferSetup(w, r)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (curveResponse, error) {
		c, err := calc.Serve(st)
		h := st.Header()
		return curveResponse{Chip: h.Chip, Model: h.Model, Profile: h.Profile, ServeView: c.View(),
			Charts: calc.CurveCharts(c.Curve, c.SLO, st.Deployment.Cluster.Chip.Name)}, err
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
