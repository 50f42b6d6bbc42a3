package main

import (
	"fmt"
	"strings"
	"time"

	"chipgap/calc"
	"chipgap/sweep"
)

// Default sweep budget: what one machine is asked to run without --yes.
const (
	defaultSweepBudget = 10 * time.Minute
	maxSweepCells      = 1_000_000 // rows are held in memory until written
)

// sweepBudget refuses, with a usage error, a shard whose cells exceed
// the cell budget or whose estimated time here (sweep.Grid.Estimate)
// exceeds budget, unless yes: it says how long it would take and how
// many shards would fit the budget.
func sweepBudget(g *sweep.Grid, sh sweep.Shard, workers int, budget time.Duration, yes bool) error {
	if yes {
		return nil
	}
	cost, err := calc.EstimateSweep(g, sh.Of(g.Cells()), workers)
	if err != nil {
		return err
	}
	if cost.Cells <= maxSweepCells && cost.Time <= budget {
		return nil
	}
	shards := max(ceilDiv(int64(cost.Time), int64(max(budget, time.Second))), ceilDiv(int64(cost.Cells), maxSweepCells))
	// Name only the limits the shard is over.
	var over []string
	if cost.Time > budget {
		over = append(over, fmt.Sprintf("the time budget of %s", budget))
	}
	if cost.Cells > maxSweepCells {
		over = append(over, fmt.Sprintf("the cell budget of %d", maxSweepCells))
	}
	return usagef("%d cells (shard %s), about %s here on %d cores: over %s; pass --yes to run it anyway, or shard it into at least %d (--shard i/n, a Kubernetes Indexed Job or a Slurm array)",
		cost.Cells, sh, roundDuration(cost.Time), cost.Cores, strings.Join(over, " and "), shards*int64(max(1, sh.Count)))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// roundDuration keeps two or three significant figures: 3h12m, 14m30s, 9.4s.
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprint(d.Round(time.Minute))
	case d >= time.Minute:
		return fmt.Sprint(d.Round(time.Second))
	}
	return fmt.Sprint(d.Round(100 * time.Millisecond))
}
