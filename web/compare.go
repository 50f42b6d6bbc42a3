package web

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
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
	if err := decodeQuery(r, &req); err != nil {
		return err
	}
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
// absent parameter leaves its field as it is. As strictly as a JSON body
// decodes: a parameter the request has no field for (but "_", a
// cache-buster), one given twice, an empty entry in a list or an empty
// list (chips=, which compared the default chips) is a 400 naming it.
func decodeQuery(r *http.Request, req any) error {
	q := r.URL.Query()
	v := reflect.ValueOf(req).Elem()
	known := map[string]bool{}
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		known[name] = true
		if len(q[name]) > 1 {
			return badField(name, "given %d times: want it once (a list is comma-separated)", len(q[name]))
		}
		s := q.Get(name)
		if _, list := v.Field(i).Interface().([]string); s == "" && list && q.Has(name) {
			return badField(name, "empty: want comma-separated ids (leave %s out for the default)", name)
		}
		if s == "" {
			continue
		}
		switch f := v.Field(i).Addr().Interface().(type) {
		case *string:
			*f = s
		case *[]string:
			*f = strings.Split(s, ",")
			if slices.Contains(*f, "") {
				return badField(name, "%q has an empty entry: want comma-separated ids", s)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		if !known[k] && k != "_" { // "_": a client's cache-buster (jQuery's cache: false)
			return badField(k, "unknown query parameter %q: want %s", k, strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		}
	}
	return nil
}
