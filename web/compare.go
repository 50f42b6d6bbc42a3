package web

import (
	"net/http"
	"reflect"
	"strings"

	"chipgap/calc"
)

// maxCompareChips bounds one comparison.
const maxCompareChips = 16

// comparison is the GET /api/compare response: calc.Comparison with
// its headline rows drawn.
type comparison struct {
	calc.Comparison
	Charts []calc.Chart `json:"charts"`
}

// handleCompare is GET /api/compare?chips=a,b&model=m&precision=bf16.
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) error {
	var req calc.CompareRequest
	decodeQuery(r, &req)
	if err := capInt("chips", len(req.Chips), maxCompareChips); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	c, err := calc.Compare(cat, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, comparison{c, c.Charts()})
	return nil
}

// decodeQuery sets the string and []string (comma-separated) fields of
// the struct *req from the URL query, each by its JSON name; an empty or
// absent parameter leaves its field as it is.
func decodeQuery(r *http.Request, req any) {
	q := r.URL.Query()
	v := reflect.ValueOf(req).Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		s := q.Get(name)
		if s == "" {
			continue
		}
		switch f := v.Field(i).Addr().Interface().(type) {
		case *string:
			*f = s
		case *[]string:
			*f = strings.Split(s, ",")
		}
	}
}
