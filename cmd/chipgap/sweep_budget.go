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
// many shards would fit the budget, computed on the budget itself (a
// budget under a second was counted as a second: "over the time budget
// of 1ms; shard it into at least 3"), or that no sharding would, when
// even one cell a shard is over it.
func sweepBudget(cost calc.SweepCost, sh sweep.Shard, budget time.Duration, yes bool) error {
	if yes {
		return nil
	}
	if cost.Cells <= maxSweepCells && cost.Time <= budget {
		return nil
	}
	// Name only the limits the shard is over.
	var over []string
	if cost.Time > budget {
		over = append(over, fmt.Sprintf("the time budget of %s", budget))
	}
	if cost.Cells > maxSweepCells {
		over = append(over, fmt.Sprintf("the cell budget of %d", maxSweepCells))
	}
	head := fmt.Sprintf("%s (shard %s), about %s here on %s: over %s; pass --yes to run it anyway",
		countOf(cost.Cells, "cell"), sh, roundDuration(cost.Time), countOf(cost.Cores, "core"), strings.Join(over, " and "))
	shards := shardsFor(cost.Cells, cost.Time, budget, sh.Count)
	if shards == 0 || cost.Longest > budget {
		return usagef("%s, or raise --budget: even a shard of one cell would take about %s (its longest cell)", head, roundDuration(cost.Longest))
	}
	return usagef("%s, or shard it into at least %d (--shard i/n, a Kubernetes Indexed Job or a Slurm array)", head, shards)
}

// shardsFor is how many shards of the whole grid keep each within budget
// and the cell bound, when cells of one shard of count (≤ 1: the whole
// grid) take t; 0 when no sharding would, a shard of one cell being over.
func shardsFor(cells int, t, budget time.Duration, count int) int64 {
	n := max(ceilDiv(int64(t), int64(budget)), ceilDiv(int64(cells), maxSweepCells))
	if n > int64(max(cells, 1)) {
		return 0
	}
	return n * int64(max(1, count))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// roundDuration keeps two or three significant figures: 3h12m, 14m30s,
// 9.4s, 37ms (never "0s" for a time that is not zero).
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprint(d.Round(time.Minute))
	case d >= time.Minute:
		return fmt.Sprint(d.Round(time.Second))
	case d >= time.Second:
		return fmt.Sprint(d.Round(100 * time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprint(d.Round(time.Millisecond))
	}
	return fmt.Sprint(d.Round(time.Microsecond))
}
