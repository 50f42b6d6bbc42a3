package web

import (
	"math"
	"net/http"
	"reflect"
	"strings"

	"chipgap/calc"
	"chipgap/plot"
)

// maxCompareChips bounds one comparison.
const maxCompareChips = 16

// chart is a server-drawn SVG (package plot, the same code the CLI's
// reports use).
type chart struct {
	Key string `json:"key"`
	SVG string `json:"svg"`
}

// comparison is the GET /api/compare response: calc.Comparison with
// its headline rows drawn.
type comparison struct {
	calc.Comparison
	Charts []chart `json:"charts"`
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
	writeJSON(w, http.StatusOK, comparison{c, compareCharts(c)})
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

// compareCharts draws the headline rows as bars with range whiskers.
func compareCharts(c calc.Comparison) []chart {
	var out []chart
	for _, rw := range c.Rows {
		switch rw.Key {
		case "peak", "hbm_bandwidth", "hbm_capacity", "tflops_per_watt", "decode_ceiling":
		default:
			continue
		}
		var bars []plot.Bar
		for i, cl := range rw.Cells {
			if !cl.Known {
				continue
			}
			bars = append(bars, plot.Bar{Label: c.Chips[i].Name, Value: cl.Typ / rw.Scale,
				Lo: cl.Min / rw.Scale, Hi: cl.Max / rw.Scale, Group: vendorGroup(c.Chips[i].Vendor)})
		}
		if len(bars) > 0 && !math.IsNaN(bars[0].Value) {
			out = append(out, chart{Key: rw.Key, SVG: string(plot.Bars(rw.Label, rw.Unit, bars))})
		}
	}
	return out
}

// vendorGroup colours bars by vendor, in a fixed order.
func vendorGroup(vendor string) int {
	for i, v := range []string{"nvidia", "amd", "google", "intel", "huawei"} {
		if strings.Contains(strings.ToLower(vendor), v) {
			return i
		}
	}
	return 5
}
