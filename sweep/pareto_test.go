package sweep

import (
	"math"
	"slices"
	"testing"
)

// A hand-worked set of (days, $M) points, both minimised:
//
//	0 (10, 9)  fastest                          → on the frontier
//	1 (12, 5)  slower, much cheaper              → on
//	2 (12, 6)  as slow as 1 and dearer           → dominated by 1
//	3 (20, 5)  as cheap as 1, slower             → dominated by 1
//	4 (25, 2)  slowest so far, cheapest          → on
//	5 (30, 2)  as cheap as 4, slower             → dominated by 4
//	6 (11, 9)  as dear as 0, slower              → dominated by 0
//	7 (12, 5)  the same point as 1               → kept with it
//	8 (+Inf, 1) never finishes                   → excluded
//	9 (NaN, 0)                                   → excluded
//
// Frontier, best X first: 0, 1, 7, 4.
func TestFrontierHandWorked(t *testing.T) {
	pts := []Point{{10, 9}, {12, 5}, {12, 6}, {20, 5}, {25, 2}, {30, 2}, {11, 9}, {12, 5}, {math.Inf(1), 1}, {math.NaN(), 0}}
	if got, want := Frontier(pts, Goal{}), []int{0, 1, 7, 4}; !slices.Equal(got, want) {
		t.Errorf("Frontier(min, min) = %v, want %v", got, want)
	}
	// Maximising Y instead (tokens/s per kW vs TPOT): the fastest point
	// with the most per kW. (10, 9) beats (11, 9) and everything with
	// less Y; nothing faster than 10 exists, so it alone is optimal.
	if got, want := Frontier(pts, Goal{MaxY: true}), []int{0}; !slices.Equal(got, want) {
		t.Errorf("Frontier(min, max) = %v, want %v", got, want)
	}
	// Maximising both, walking down from the largest finite X: 30 (Y 2)
	// is on; 25 (Y 2) is not; 20 (Y 5) beats every larger X's Y: on;
	// 12 (Y 6) on (12, 5 twice: off); 11 (Y 9) on; 10 (Y 9) ties 11's Y
	// with less X: off. Best X first: 5, 3, 2, 6.
	if got, want := Frontier(pts, Goal{MaxX: true, MaxY: true}), []int{5, 3, 2, 6}; !slices.Equal(got, want) {
		t.Errorf("Frontier(max, max) = %v, want %v", got, want)
	}
}

// Every point off the frontier is dominated by one on it, and no point
// on it is dominated by any point.
func TestFrontierInvariant(t *testing.T) {
	var pts []Point
	for i := range 200 {
		pts = append(pts, Point{float64((i * 37) % 101), float64((i * 53) % 89)})
	}
	front := Frontier(pts, Goal{})
	dominates := func(a, b Point) bool { return a.X <= b.X && a.Y <= b.Y && (a.X < b.X || a.Y < b.Y) }
	on := map[int]bool{}
	for _, i := range front {
		on[i] = true
		for _, p := range pts {
			if dominates(p, pts[i]) {
				t.Fatalf("frontier point %v is dominated by %v", pts[i], p)
			}
		}
	}
	for i, p := range pts {
		if on[i] {
			continue
		}
		if !slices.ContainsFunc(front, func(j int) bool { return dominates(pts[j], p) || pts[j] == p }) {
			t.Fatalf("point %v is off the frontier but nothing on it dominates it", p)
		}
	}
	if len(Frontier(nil, Goal{})) != 0 {
		t.Error("Frontier(nil) is not empty")
	}
}
