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
