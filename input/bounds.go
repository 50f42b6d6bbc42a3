package input

import "fmt"

// Bounds every entry point holds a workload's sizes to (the CLI, the API,
// scenario and sweep files alike): far beyond any published job, and far
// enough inside the integer range that the estimators' products (tokens
// per step, divisor searches, int32 token counts in the serving
// simulation) cannot overflow.
const (
	// MaxSeq is the most tokens in one training sequence.
	MaxSeq = 1 << 22
	// MaxGlobalBatch is the most sequences in one optimizer step.
	MaxGlobalBatch = 1 << 24
	// MaxRequestTokens is the most tokens of one request's prompt or
	// output (a serving trace's limit too).
	MaxRequestTokens = 1 << 24
	// MaxChips is the most chips in one cluster a file states (a server
	// sets its own, lower limit).
	MaxChips = 1 << 24
	// MaxSimulatedChips is the most chips in a cluster whose whole run
	// is simulated failure by failure (`chipgap run`, the gap report's
	// scenario): the failures grow with the chips, and 10⁷ ran past a
	// minute.
	MaxSimulatedChips = 1 << 20
	// MaxChipsPerNode is the largest scale-up domain.
	MaxChipsPerNode = 1 << 16
	// MaxDevicesPerChip is the most devices software sees per package
	// (two dies on the Ascend 910C; a few more for chips to come).
	MaxDevicesPerChip = 16
	// MaxRunDays bounds a training run's failure-free compute and a
	// simulated window (ten years): beyond it the whole-run simulation
	// takes tens of seconds and nears its clock's cap, and no one plans
	// such a run. `chipgap run`, `train` and `sweep` refuse a token
	// budget that needs more at the cluster's rate.
	MaxRunDays = 3650
	// MaxRunSeeds is the most simulated runs of one whole-run
	// simulation (a server sets its own, lower limit: calc.Cap).
	MaxRunSeeds = 100000
)

// TokenBudget refuses a token budget whose failure-free compute at rate
// tokens/s on chips × chip is more than MaxRunDays, naming field and the
// budget as given (value: the request's own type, e.g. units.Count): the
// one rule `chipgap run`, `train` and a sweep's training cells hold a
// budget to.
func TokenBudget(field string, value any, tokens, rate float64, cluster string) error {
	days := tokens / rate / 86400
	if days <= MaxRunDays {
		return nil
	}
	return Bad(field, value, fmt.Sprintf("at %.4g tokens/s on %s that is %.3g days of failure-free compute; want at most %d (ten years)",
		rate, cluster, days, MaxRunDays))
}
