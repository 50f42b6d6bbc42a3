package hardware

import (
	"math"
	"testing"

	"chipgap/units"
)

// On a 4×4×4 torus (six links per chip, 100 GB/s each way each, 600 in
// all: a TPU v5p cube) a group drives the links of the rings it spans,
// counted by hand: a pair or part of a ring is a line, one link; a whole
// ring of 4 both its links; 8 ranks a whole ring and part of the next,
// 3; a 4×4 plane 4; the cube and anything larger all 6. On a 16×16 torus
// (four links, 50 GB/s each: a v5e pod) a ring of 16 drives 2 of 4.
func TestTorusGroupsDriveTheRingsTheySpan(t *testing.T) {
	cube := Tier{Bandwidth: 600 * units.GBps, Torus: [3]int{4, 4, 4}}
	for _, tc := range []struct {
		n     int
		links float64
	}{{2, 1}, {3, 1}, {4, 2}, {8, 3}, {16, 4}, {32, 5}, {64, 6}, {512, 6}} {
		if got, want := float64(cube.GroupRate(tc.n)), tc.links*100e9; math.Abs(got/want-1) > 1e-12 {
			t.Errorf("4x4x4 torus, group of %d: %g GB/s each way, want %g (%g links)", tc.n, got/1e9, want/1e9, tc.links)
		}
	}
	s := units.Bytes(1e9)
	if got, want := float64(cube.ReduceScatter(s, 4)), 0.75*1e9/200e9; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("reduce-scatter over a ring of 4 = %g s, want %g", got, want)
	}
	if got, want := float64(cube.SendRecv(s)), 1e9/100e9; math.Abs(got/want-1) > 1e-12 {
		t.Errorf("send to a neighbour = %g s, want %g", got, want)
	}
	pod := Tier{Bandwidth: 200 * units.GBps, Torus: [3]int{16, 16}}
	for _, tc := range []struct {
		n     int
		links float64
	}{{8, 1}, {16, 2}, {32, 3}, {256, 4}} {
		if got, want := float64(pod.GroupRate(tc.n)), tc.links*50e9; math.Abs(got/want-1) > 1e-12 {
			t.Errorf("16x16 torus, group of %d: %g GB/s each way, want %g", tc.n, got/1e9, want/1e9)
		}
	}
}
