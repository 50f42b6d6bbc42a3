package sweep

import "testing"

// A frontier cell whose typical value lies outside its own P10–P90 marks
// its range (the subtitle says why); one inside does not.
func TestFrontRowTypicalOutside(t *testing.T) {
	r := &Report{Rows: []Row{{Chip: "a", Chips: 8}, {Chip: "b", Chips: 8}}}
	fs := &FrontierSet{Rows: []int{0, 1}, Points: []Point{{X: 1, Y: 178}, {X: 2, Y: 250}},
		YRange: [][2]float64{{194, 301}, {194, 301}}, HasRange: true}
	for k, want := range []string{"194–301 (typical below)", "194–301"} {
		if row := r.frontRow(fs, k); row[len(row)-1] != want {
			t.Errorf("cell %d: range %q, want %q", k, row[len(row)-1], want)
		}
	}
}

// Two serving cells of one deployment under different latency targets
// are told apart by the table's SLO column (they were the same row but
// for their ranges); a training table has no such column.
func TestFrontRowNamesTheSLO(t *testing.T) {
	tpot50, tpot100, ttft := 0.05, 0.1, 2.0
	r := &Report{Rows: []Row{
		{Target: TargetServing, Chip: "h100-sxm", Chips: 64, SLOTPOT: &tpot50, SLOTTFT: &ttft},
		{Target: TargetServing, Chip: "h100-sxm", Chips: 64, SLOTPOT: &tpot100},
	}}
	fs := &FrontierSet{Target: TargetServing, Rows: []int{0, 1}, Points: []Point{{X: 46.3, Y: 0.882}, {X: 46.3, Y: 0.882}}}
	h := frontHeader(fs)
	if len(h) != 8 || h[5] != "SLO" {
		t.Fatalf("serving header %q: want the SLO sixth of 8", h)
	}
	for k, want := range []string{"TPOT≤50ms TTFT≤2s", "TPOT≤100ms"} {
		if row := r.frontRow(fs, k); len(row) != len(h) || row[5] != want {
			t.Errorf("cell %d: %q, want SLO %q in column 6 of %d", k, row, want, len(h))
		}
	}
	if h := frontHeader(&FrontierSet{Target: TargetTraining}); len(h) != 7 || h[5] == "SLO" {
		t.Errorf("training header %q: want no SLO column", h)
	}
}
