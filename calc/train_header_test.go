package calc

import (
	"bytes"
	"strings"
	"testing"
)

// TestTrainHeaderDevicesPerChip: QA's case. On 64 Ascend 910C (two dies
// each) the plan tp 8 pp 4 spans 128 devices (dp 4 = 128 / 32) and the
// header says so; --devices-per-chip 1 makes the chips the devices (dp 2
// = 64 / 32: was refused, the setup counting 128 devices where the
// estimator counted 64) and the line says the count is stated.
func TestTrainHeaderDevicesPerChip(t *testing.T) {
	cat := testCatalog(t)
	sp := true
	for _, c := range []struct {
		perChip, dp int
		line        string
	}{
		{0, 4, "64 chips = 128 devices (2 dies each): plan degrees and memory are per device; tokens/s per chip\n"},
		{1, 2, ""},
		{4, 8, "64 chips = 256 devices (4 devices each, as stated): plan degrees and memory are per device; tokens/s per chip\n"},
	} {
		req := TrainRequest{Model: "llama3.1-70b", Chip: "ascend-910c", Chips: 64, DevicesPerChip: c.perChip,
			Plan: PlanRequest{TP: 8, PP: 4, Microbatch: 1, SequenceParallel: &sp}}
		s, err := req.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Train(s)
		if err != nil {
			t.Fatalf("devices per chip %d: %v", c.perChip, err)
		}
		var b bytes.Buffer
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if e.Plan.DP != c.dp || (c.line != "" && !strings.Contains(b.String(), c.line)) || (c.line == "" && strings.Contains(b.String(), " devices (")) {
			t.Errorf("devices per chip %d: dp %d, want %d; text:\n%s", c.perChip, e.Plan.DP, c.dp, b.String())
		}
	}
}
