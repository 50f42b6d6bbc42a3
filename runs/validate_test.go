package runs

import (
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
)

func ptr(x float64) *float64 { return &x }

func TestSummarize(t *testing.T) {
	rs := []Result{{ID: "a", Error: ptr(0.10)}, {ID: "b", Error: ptr(-0.30)}, {ID: "c", Error: ptr(0.02)}, {ID: "d", Reason: "no chip"}}
	s := Summarize(rs)
	// |errors| 0.10, 0.30, 0.02: mean 0.14, median 0.10, worst b.
	if s.Runs != 4 || s.Predicted != 3 || math.Abs(s.MeanAbsError-0.14) > 1e-12 || s.MedianAbsError != 0.10 || s.Worst != "b" {
		t.Errorf("Summarize = %+v", s)
	}
	s = Summarize(rs[:2]) // even count: median of 0.10 and 0.30
	if math.Abs(s.MedianAbsError-0.20) > 1e-12 {
		t.Errorf("median of two = %g, want 0.20", s.MedianAbsError)
	}
}

// A run on a chip the catalog lacks gets a reason; the others are still
// predicted.
func TestValidateKeepsGoing(t *testing.T) {
	good := strings.Replace(oneRun, "sequence_parallel: true", "sequence_parallel: false", 1)
	bad := strings.Replace(good, "chip: a100-sxm4-80gb", "chip: z9000", 1)
	bad = strings.Replace(bad, "id: t1", "id: t2", 1)
	src := good + strings.SplitN(bad, "runs:\n", 2)[1]
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	rep := Validate(cat, f)
	if rep.Results[0].Predicted == nil {
		t.Errorf("t1 not predicted: %s", rep.Results[0].Reason)
	}
	if rep.Results[1].Predicted != nil || !strings.Contains(rep.Results[1].Reason, "z9000") {
		t.Errorf("t2 = %+v; want no prediction and a reason naming the chip", rep.Results[1])
	}
	if rep.Summary.Runs != 2 || rep.Summary.Predicted != 1 {
		t.Errorf("summary = %+v", rep.Summary)
	}
}
