package runs

import (
	"math"
	"os"
	"sort"
	"testing"

	"chipgap/catalog"
)

// inferenceErrors validates the inference runs of a published-runs file
// and returns the absolute errors (unpredicted runs count as 1 = 100 %).
func inferenceErrors(t *testing.T, path string) (map[string]float64, []float64) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	defer fh.Close()
	f, err := Load(fh)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]float64{}
	var abs []float64
	for _, r := range f.Runs {
		if r.Kind != KindInference {
			continue
		}
		res := validateRun(cat, r)
		e := 1.0
		if res.Error != nil {
			e = math.Abs(*res.Error)
		} else {
			t.Errorf("%s: not predicted: %s", r.ID, res.Reason)
		}
		t.Logf("%-58s measured %8.0f error %+6.1f%%  %s", r.ID, res.Measured, signed(res)*100, res.Plan)
		byID[r.ID] = e
		abs = append(abs, e)
	}
	sort.Float64s(abs)
	return byID, abs
}

func signed(r Result) float64 {
	if r.Error == nil {
		return math.NaN()
	}
	return *r.Error
}

func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// The accuracy goal: median |error| ≤ 12 %, none worse than 30 %,
// on the calibration file's inference runs and on held-out runs (other
// rows of the same sources, never used to set a profile value).
func TestInferenceAccuracy(t *testing.T) {
	for _, path := range []string{"/work/shared/data/published-runs.yaml", "../cmd/chipgap/testdata/inference-heldout.yaml"} {
		_, abs := inferenceErrors(t, path)
		if len(abs) == 0 {
			t.Fatalf("%s: no inference runs", path)
		}
		if m := median(abs); m > 0.12 {
			t.Errorf("%s: median |error| = %.1f %%, want ≤ 12 %%", path, m*100)
		}
		if w := abs[len(abs)-1]; w > 0.30 {
			t.Errorf("%s: worst |error| = %.1f %%, want ≤ 30 %%", path, w*100)
		}
	}
}
