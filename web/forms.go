package web

import (
	"net/http"

	"chipgap/calc"
)

// handleTrainForm is GET /api/forms/train: the fields of calc.TrainRequest
// (the body of /api/train/estimate and /search, and the flags of chipgap
// train), so the page builds its training form from the one definition.
func (s *Server) handleTrainForm(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, struct {
		Request string       `json:"request"`
		Fields  []calc.Field `json:"fields"`
	}{"calc.TrainRequest", calc.DescribeTrain()})
	return nil
}
