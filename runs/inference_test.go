package runs

import (
	"math"
	"os"
	"sort"
	"testing"

	"chipgap/catalog"
	"chipgap/llm"
)

// inferenceErrors validates the inference runs of a published-runs file
// and returns the absolute errors (unpredicted runs count as 1 = 100 %).
func inferenceErrors(t *testing.T, path string) (map[string]float64, []float64) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("%s: %v (the file is part of the repository; a missing file is a failure, not a skip)", path, err)
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
// on the calibration file's inference runs (the repository's copy,
// testdata/published-runs.yaml, of shared/data/published-runs.yaml) and on
// held-out runs (other rows of the same sources, never used to set a
// profile value). Every run must be predicted: an unpredicted run fails.
func TestInferenceAccuracy(t *testing.T) {
	for _, f := range []struct {
		path  string
		runs  int
		worst float64
	}{{"testdata/published-runs.yaml", 6, 0.30}, {"../cmd/chipgap/testdata/inference-heldout.yaml", 17, 0.30},
		// The independent hold-out file (validation/README.md): the same
		// median goal; its two documented residuals (DeepSeek's production
		// decode +37 %, SGLang prefill +34 %) exceed 30 %, so the worst
		// bound here only guards against regressions.
		{"../validation/holdout-runs.yaml", 8, 0.40}} {
		path := f.path
		_, abs := inferenceErrors(t, path)
		if len(abs) != f.runs {
			t.Fatalf("%s: %d inference runs, want %d", path, len(abs), f.runs)
		}
		if m := median(abs); m > 0.12 {
			t.Errorf("%s: median |error| = %.1f %%, want ≤ 12 %%", path, m*100)
		}
		if w := abs[len(abs)-1]; w > f.worst {
			t.Errorf("%s: worst |error| = %.1f %%, want ≤ %.0f %%", path, w*100, f.worst*100)
		}
	}
}

// The format's rule (shared/spec/published-runs.md): devices_per_chip
// defaults to 1 when a run omits it, even for a chip the catalog runs as
// two devices (the 910C); a stated value is used as given.
func TestInferenceDevicesPerChipDefault(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	chip, err := cat.Chip("ascend-910c")
	if err != nil {
		t.Fatal(err)
	}
	if chip.DevicesPerChip != 2 {
		t.Fatalf("catalog 910C devices_per_chip = %d, want 2 (the test checks the run overrides it)", chip.DevicesPerChip)
	}
	for _, c := range []struct{ stated, want int }{{0, 1}, {1, 1}, {2, 2}} {
		r := Run{ID: "x", Kind: KindInference,
			System:    System{Chip: "ascend-910c", Chips: 16, DevicesPerChip: c.stated},
			Model:     llm.Model{Name: "dense 8B", Layers: 32, Hidden: 4096, Heads: 32, KVHeads: 8, FFN: 14336, Act: llm.SwiGLU, Vocab: 128256, Attention: llm.GQA},
			Inference: &Inference{Phase: "decode", Precision: "int8", InputTokens: 1024, OutputTokens: 256}}
		d, _, err := cat.Deployment(inferenceOptions(r))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Cluster.Chip.DevicesPerChip; got != c.want {
			t.Errorf("stated devices_per_chip %d: deployment runs %d devices per chip, want %d", c.stated, got, c.want)
		}
		// One instance over every device: TP = chips × devices per chip.
		if got := d.Parallel.TP; got != 16*c.want {
			t.Errorf("stated devices_per_chip %d: TP %d, want %d", c.stated, got, 16*c.want)
		}
	}
}
