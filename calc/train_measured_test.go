package calc

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"chipgap/runs"
)

// TestTrainFilePrintsMeasured: QA's case. train --file on the zoo's
// Qwen3-235B run prints the run's own 1663.4 tokens/s per chip and the
// error validate gives it (predicted/measured − 1, +1.2 %), inside the
// band; a request that changes the run's plan (mb 2) prints the
// measurement without an error, as the estimate is no longer the run's,
// and one that restates the run's own plan keeps the error.
func TestTrainFilePrintsMeasured(t *testing.T) {
	cat := testCatalog(t)
	f, err := runs.Parse(runsFile(t, "validation/calibration-mcore-moe-zoo.yaml").Data)
	if err != nil {
		t.Fatal(err)
	}
	var run runs.Run
	for _, r := range f.Runs {
		if r.ID == "zoo-qwen3-235b-256xh100-bf16-deepep-tp2-pp8-ep32" {
			run = r
		}
	}
	if run.Measured.Value != 1663.4 {
		t.Fatalf("the zoo's tp2-pp8-ep32 run measures %g, not the 1663.4 this test states", run.Measured.Value)
	}
	s, err := TrainRequest{}.SetupRun(cat, run)
	if err != nil {
		t.Fatal(err)
	}
	e, err := Train(s)
	if err != nil {
		t.Fatal(err)
	}
	e0 := e
	m := e.Measured
	if m == nil || m.Error == nil || math.Abs(*m.Error-(e.TokensPerSecPerChip/1663.4-1)) > 1e-12 || m.InBand == nil || !*m.InBand {
		t.Fatalf("measured %+v; want 1663.4 with error %.4f inside the band", m, e.TokensPerSecPerChip/1663.4-1)
	}
	var b bytes.Buffer
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := "Measured 1663.4 tokens/s per chip (the file's; predicted +1.2 %, inside the band)\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, b.String())
	}
	s, err = TrainRequest{Plan: PlanRequest{Microbatch: 2}}.SetupRun(cat, run)
	if err != nil {
		t.Fatal(err)
	}
	if e, err = Train(s); err != nil {
		t.Fatal(err)
	}
	if m := e.Measured; m == nil || m.Error != nil || m.InBand != nil || !m.Changed || m.TokensPerSecPerChip != 1663.4 {
		t.Errorf("mb 2 over the run: measured %+v; want 1663.4, changed, no error", m)
	}
	// Flags that restate the run's own plan (tp 2, pp 8, ep 32) change
	// nothing: the same estimate, so the same error.
	s, err = TrainRequest{Plan: PlanRequest{TP: 2, PP: 8, EP: 32}}.SetupRun(cat, run)
	if err != nil {
		t.Fatal(err)
	}
	restated, err := Train(s)
	if err != nil {
		t.Fatal(err)
	}
	if m := restated.Measured; m == nil || m.Changed || m.Error == nil || *m.Error != *e0.Measured.Error {
		t.Errorf("the run's own tp, pp and ep restated: measured %+v; want unchanged, error %+.4f", m, *e0.Measured.Error)
	}
}
