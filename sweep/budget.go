package sweep

import (
	"math"
	"time"

	"chipgap/catalog"
)

// Cost is the measured time of one cell on one core of the machine the
// sweep was built on (2 shared cores, go1.26; docs/design/003-sweeps.md
// lists the measurements). A training cell is dominated by its plan
// search, which grows with the log of the cluster size, steeper for a
// mixture-of-experts model; a serving cell by its
// layout search. Each Monte Carlo draw re-evaluates the chosen plan or
// layout.
type Cost struct {
	// TrainPerLog2 is a dense model's plan search per doubling of the
	// cluster: 18 ms at 8 chips, 50 ms at 64, 130 ms at 1,024, 190 ms
	// at 16,384 (Llama 3.1 8B, 70B, 405B) → 13.5 ms × log2(chips).
	TrainPerLog2 time.Duration
	// MoEPerLog2 is a mixture-of-experts model's plan search per
	// doubling past 32 chips (DeepSeek-V3: 0.42 s at 64 chips, 2.2 s at
	// 1,024, 4.3 s at 16,384) → 0.48 s × (log2(chips) − 5), at least
	// MoEMin.
	MoEPerLog2, MoEMin time.Duration
	// Serve and ServeMoE are a serving cell's layout search (Llama 3.1
	// 70B on 8 chips 0.4 ms; DeepSeek-V3 on 64 chips 1.4 ms).
	Serve, ServeMoE time.Duration
	// TrainDraw and ServeDraw are one Monte Carlo draw (0.3 ms and
	// 0.05 ms).
	TrainDraw, ServeDraw time.Duration
}

// Measured is Cost as measured here (see Cost's fields).
func Measured() Cost {
	return Cost{TrainPerLog2: 13500 * time.Microsecond, MoEPerLog2: 480 * time.Millisecond, MoEMin: 50 * time.Millisecond, Serve: 400 * time.Microsecond, ServeMoE: 1500 * time.Microsecond,
		TrainDraw: 300 * time.Microsecond, ServeDraw: 50 * time.Microsecond}
}

// Cell is the estimated time of one cell on one core; moe says whether
// the cell's model is a mixture of experts.
func (k Cost) Cell(c Cell, samples int, moe bool) time.Duration {
	if c.Target == TargetTraining {
		l := math.Log2(float64(max(2, c.Size)))
		d := time.Duration(float64(k.TrainPerLog2) * l)
		if moe {
			d = max(k.MoEMin, time.Duration(float64(k.MoEPerLog2)*(l-5)))
		}
		return d + time.Duration(samples)*k.TrainDraw
	}
	d := k.Serve
	if moe {
		d = k.ServeMoE
	}
	return d + time.Duration(samples)*k.ServeDraw
}

// Estimate is how long cells of g take here on cores cores: the sum of
// Measured().Cell over the cells, divided among the cores the cells can
// use (one a cell), and at least the longest cell.
func (g *Grid) Estimate(cells []Cell, cores int) (time.Duration, error) {
	c, err := catalog.Load()
	if err != nil {
		return 0, err
	}
	moe := map[string]bool{}
	for _, id := range g.Models {
		if m, err := c.Model(id); err == nil {
			moe[id] = m.MoE != nil
		}
	}
	k := Measured()
	var sum, longest time.Duration
	for _, cell := range cells {
		d := k.Cell(cell, g.Samples, moe[cell.Model])
		sum, longest = sum+d, max(longest, d)
	}
	// A cell runs on one core: fewer cells than cores leave some idle,
	// and no split makes the longest cell shorter.
	return max(sum/time.Duration(max(1, min(cores, len(cells)))), longest), nil
}
