package web

import (
	"net/http"

	"chipgap/calc"
)

// handleForm is GET /api/forms/{job}: the fields of the job's request
// struct (the body of its endpoints and the flags of its command), so the
// page builds its forms from the one definition.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) error {
	f, err := calc.Form(r.PathValue("job"))
	if err != nil {
		return &Error{Status: http.StatusNotFound, Field: "job", Msg: err.Error()}
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}
