package sweep

import (
	"cmp"
	"math"
	"slices"
)

// Point is one cell on the two axes of a frontier.
type Point struct{ X, Y float64 }

// Goal says which way each axis is better: X and Y are minimised unless
// MaxX or MaxY says that more is better (tokens/s per kW, say).
type Goal struct{ MaxX, MaxY bool }

// Frontier returns the indices of the Pareto-optimal points of pts: no
// other point is at least as good on both axes and better on one.
// Points with a NaN or infinite coordinate (a run that never finishes)
// are never on it; identical optimal points are all kept. Indices come
// in order of X from best to worst (ties: best Y first, then index).
func Frontier(pts []Point, g Goal) []int {
	type cand struct {
		x, y float64 // both oriented so that less is better
		i    int
	}
	var cs []cand
	for i, p := range pts {
		if !finite(p.X) || !finite(p.Y) {
			continue
		}
		c := cand{p.X, p.Y, i}
		if g.MaxX {
			c.x = -c.x
		}
		if g.MaxY {
			c.y = -c.y
		}
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y), cmp.Compare(a.i, b.i))
	})
	var out []int
	bestX, bestY := math.Inf(1), math.Inf(1)
	for _, c := range cs {
		// Sorted by x: c is dominated unless its y beats every earlier
		// point's, or it repeats the point that set the best y.
		if c.y < bestY || (c.y == bestY && c.x == bestX) {
			out = append(out, c.i)
			bestX, bestY = c.x, c.y
		}
	}
	return out
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
