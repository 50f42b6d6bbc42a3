package runs

import (
	"errors"

	"chipgap/catalog"
)

// predictInference predicts an inference run's measured metric.
//
// Owner: the inference helper (issue 4) replaces this body with the
// inference estimator. Until then every inference run is reported as
// "not yet modelled" and counts as unpredicted in validate's summary.
func predictInference(cat *catalog.Catalog, r Run) (Prediction, error) {
	_ = cat
	_ = r
	return Prediction{}, errors.New("inference runs: not yet modelled")
}
