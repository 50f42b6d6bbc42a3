package runs

import (
	"strings"

	"chipgap/catalog"
)

// Selects says whether scorecard regime s takes run r, as validate
// predicted it (res): the regime's kind, the chip's vendor (the first word
// of res.Family) and, where the regime names one, its family, dense or
// MoE, at least its chips, the precision it names, for a serving regime the
// prediction method and engine it names; throughput runs only (a whole run's chip-hours are the
// goodput model's, not the step estimator's). TestScorecard recomputes
// every regime with it.
func Selects(s catalog.Score, r Run, res Result) bool {
	vendor, _, _ := strings.Cut(res.Family, " ")
	method := map[string]string{"offline": MethodOffline, "curve": MethodCurve}[s.Select.Method]
	return res.Kind == s.Select.Kind && vendor == s.Select.Vendor && (r.Model.MoE != nil) == (s.Select.Models == "moe") &&
		(s.Select.Family == "" || res.Family == s.Select.Family) &&
		r.System.Chips >= s.Select.MinChips && (method == "" || res.Method == method) && res.Metric != MetricChipHours &&
		(s.Select.Engine == "" || res.Engine == s.Select.Engine) && (s.Select.Precision == "" || s.Select.Precision == r.precision())
}

// precision is the run's training or inference precision.
func (r Run) precision() string {
	if r.Training != nil {
		return r.Training.Precision
	}
	if r.Inference != nil {
		return r.Inference.Precision
	}
	return ""
}
