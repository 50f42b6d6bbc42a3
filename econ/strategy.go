package econ

import (
	"math"

	"chipgap/input"
	"chipgap/units"
)

// Strategy: a lab that trains a frontier model again and again.
//
// A lab's cycle is one run's wall-clock time plus the time between runs
// (evaluation, data, design of the next model). Two labs race: the
// leader with cycle L, the follower with cycle F ≥ L. Counting finished
// generations continuously, at calendar time t the leader has finished
// t/L and the follower t/F; the follower reached its count t/F at time
// t, the leader at (t/F)·L, so the follower is behind by
//
//	lag(t) = t − (t/F)·L = t·(1 − L/F),
//
// a gap that grows linearly with the horizon: a constant ratio of
// iteration rates turns into an ever wider lag in calendar time. The
// premium paid for independence is the product of the time and money
// ratios of one run, (T_f·C_f)/(T_l·C_l): 1 means no premium; 2 means
// the follower pays twice the time × money for the same run.

// Race is a leader and a follower retraining on their own cycles.
type Race struct {
	Leader   units.Seconds `json:"leader_cycle"`
	Follower units.Seconds `json:"follower_cycle"`
}

// Cycle is one run plus the time between runs.
func Cycle(run, between units.Seconds) (units.Seconds, error) {
	if !(run > 0) || between < 0 || math.IsInf(float64(run+between), 0) {
		return 0, &input.Error{Prefix: "econ: ", Field: "cycle", Value: float64(run + between), Want: "want run > 0, between ≥ 0, both finite"}
	}
	return run + between, nil
}

// IterationsPerYear is how many cycles fit in an accounting year.
func IterationsPerYear(cycle units.Seconds) float64 {
	return float64(Year / cycle)
}

// Validate checks both cycles are positive and finite.
func (r Race) Validate() error {
	for _, c := range []struct {
		name string
		v    units.Seconds
	}{{"leader_cycle", r.Leader}, {"follower_cycle", r.Follower}} {
		if !(c.v > 0) || math.IsInf(float64(c.v), 0) {
			return &input.Error{Prefix: "econ: ", Field: c.name, Value: float64(c.v), Want: "want a positive, finite duration"}
		}
	}
	return nil
}

// RelativeRate is the leader's iterations per follower iteration, F/L.
func (r Race) RelativeRate() float64 { return float64(r.Follower / r.Leader) }

// Lag is how far behind in calendar time the follower is at time t:
// t·(1 − L/F) (negative when the "follower" is in fact faster).
func (r Race) Lag(t units.Seconds) units.Seconds {
	return t * (1 - r.Leader/r.Follower)
}

// IterationGap is how many more generations the leader has finished by
// time t: t/L − t/F.
func (r Race) IterationGap(t units.Seconds) float64 {
	return float64(t/r.Leader - t/r.Follower)
}

// Premium is the price of independence for one run: the follower's
// time × money over the leader's, (T_f·C_f)/(T_l·C_l).
func Premium(leaderTime units.Seconds, leaderCost units.USD, followerTime units.Seconds, followerCost units.USD) (float64, error) {
	if !(leaderTime > 0) || !(leaderCost > 0) {
		return 0, &input.Error{Prefix: "econ: ", Field: "leader", Value: float64(leaderTime) * float64(leaderCost), Want: "want positive time and cost"}
	}
	if !(followerTime > 0) || !(followerCost > 0) {
		return 0, &input.Error{Prefix: "econ: ", Field: "follower", Value: float64(followerTime) * float64(followerCost), Want: "want positive time and cost"}
	}
	return float64(followerTime) * float64(followerCost) / (float64(leaderTime) * float64(leaderCost)), nil
}
