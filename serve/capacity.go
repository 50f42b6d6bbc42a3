package serve

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// CapacityOptions bound a capacity search.
type CapacityOptions struct {
	SLO SLO
	// Requests simulated per probe, as stated; ProbeRequests is the
	// count each probe simulates.
	Requests int
	// Tolerance is the relative width at which bisection stops (default
	// 0.02: the answer is within 2 % of the true boundary for this seed).
	Tolerance float64
	// Stop, when set, is every probe's Options.Stop: its error ends the
	// search (Capacity and Cheapest return it).
	Stop func() error
}

// MinProbeRequests is the fewest requests a capacity probe simulates.
// A rate the deployment cannot sustain fails a probe by its latencies
// once the queue has built, or by the overload trend (trend: over the
// second half of the arrivals the queue grew by more than 5 % of them
// and by at least 50); n requests reach the trend's 50 at 5 % only when
// n/2 × 5 % ≥ 50, n ≥ 2,000. A shorter probe ends before its queue
// builds: Llama 3.1 8B on one H100 under a 2 s TTFT and 100 ms TPOT
// passed 119.9/s on 100 requests, 31.7 on 400, 23.1 on 1,000 and 22.87
// on 2,000 (3,000's too).
const MinProbeRequests = 2000

// ProbePerReplica is the fewest requests a capacity probe gives each
// replica (of its largest pool). The trend declares overload when the
// queue grew by more than 5 % of the second half's arrivals, so one
// replica's growth can count toward it at all only when its share k of
// the probe has k/2 × 5 % ≥ 1 request, k ≥ 40: the floor makes the trend's
// arithmetic possible per replica. It does not make a replica's queue
// build: that depends on how many sequences the replica runs at once,
// and a replica that absorbs its 40 in one step queues nothing at any
// rate; such a probe arrives before its first request completes, a
// burst, which Capacity reports as unbounded rather than as a rate. With
// fewer (2,048 replicas of a 2,000-request probe got about one request
// each) the search doubled until the arrivals bunched into nanoseconds
// and reported 1.483e11 requests/s.
const ProbePerReplica = 40

// MaxProbeRequests caps a probe's requests where ProbePerReplica would
// ask more (the time of a search grows with them); a stated count above
// it stands.
const MaxProbeRequests = 200_000

// ProbeRequests is the requests each capacity probe of d simulates (the
// one owner of the rule): Requests, raised to MinProbeRequests and to
// ProbePerReplica a replica of d's largest pool (that floor at most
// MaxProbeRequests); without Requests, 3,000 a replica of the first pool
// within the same floor and cap.
func (o CapacityOptions) ProbeRequests(d Deployment) int {
	reps := 0
	for _, p := range d.Pools {
		reps = max(reps, p.Replicas)
	}
	floor := min(max(MinProbeRequests, ProbePerReplica*reps), MaxProbeRequests)
	if o.Requests > 0 {
		return max(o.Requests, floor)
	}
	return min(max(3000, 3000*d.Pools[0].Replicas, floor), MaxProbeRequests)
}

func (o CapacityOptions) validate() error {
	if err := o.SLO.validate(); err != nil {
		return err
	}
	if o.SLO.TTFT == 0 && o.SLO.TPOT == 0 {
		return fieldErr("slo", "none", "a capacity search needs a TTFT or TPOT bound")
	}
	if o.Tolerance < 0 || o.Tolerance >= 1 {
		return fieldErr("tolerance", o.Tolerance, "want a fraction in (0, 1), e.g. 0.02")
	}
	return nil
}

// Capacity is the highest request rate at which d meets the SLO on
// workload w (its Rate is ignored; its Seed and lengths are kept): rates
// double from one request per second per replica until one fails, then
// bisect (geometrically) to the tolerance. Every probe uses the same seed,
// so arrival times scale exactly with the rate. It returns the rate and
// the simulation at it; ErrNoCapacity when even a slow rate fails.
//
// The rate is +Inf (CapacityRate.Unbounded) when the doubling reaches a
// rate at which every request of a probe arrives at time 0, or before
// the first of them completes, and the probe still meets the SLO: the
// probe is then a burst, which measures no sustained rate, so its size,
// not d, ended the search (a few requests at once can meet an SLO that a
// sustained rate would not); the simulation is that burst, its
// Result.BurstRate the probe's rate. (Doubling on,
// it reported 2^60 requests/s, some 1e18; with a burst spread over a few
// nanoseconds, which the overload trend fails, 1.483e11.)
func Capacity(d Deployment, w Workload, o CapacityOptions) (float64, *Result, error) {
	if err := o.validate(); err != nil {
		return 0, nil, err
	}
	if w.Process == Trace || w.Process == Offline {
		return 0, nil, fieldErr("workload.process", w.Process, "a capacity search generates arrivals at a rate: want poisson, gamma or deterministic")
	}
	tol := cmp.Or(o.Tolerance, 0.02)
	w.Requests = o.ProbeRequests(d)
	probe := func(rate float64) (*Result, bool, error) {
		w.Rate = rate
		r, err := Simulate(d, w, Options{SLO: o.SLO, Stop: o.Stop})
		if err != nil {
			return nil, false, err
		}
		return r, r.Goodput.Meets, nil
	}
	lo, hi := 0.0, float64(d.Pools[0].Replicas)
	var best *Result
	for range 60 {
		r, ok, err := probe(hi)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			break
		}
		// r.burst first: atOnce regenerates the arrivals. It is not
		// redundant: requests that complete at their arrival (prefilled
		// one-token outputs) make no burst, since none arrived before the
		// first completion, even when all arrive at time 0.
		if w.Rate = hi; r.burst || atOnce(w) {
			r.BurstRate = hi
			return math.Inf(1), r, nil
		}
		lo, best, hi = hi, r, hi*2
	}
	for lo == 0 && hi > 1e-4 { // the first probe failed: search downwards
		hi /= 4
		r, ok, err := probe(hi)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			lo, best, hi = hi, r, hi*4
		}
	}
	if best == nil {
		return 0, nil, ErrNoCapacity
	}
	for hi/lo > 1+tol {
		mid := math.Sqrt(lo * hi)
		r, ok, err := probe(mid)
		if err != nil {
			return 0, nil, err
		}
		if ok {
			lo, best = mid, r
		} else {
			hi = mid
		}
	}
	return lo, best, nil
}

// atOnce reports whether every request of w arrives at time 0 (on the
// nanosecond clock).
func atOnce(w Workload) bool {
	src := newSource(w)
	for r, ok := src.pull(); ok; r, ok = src.pull() {
		if r.Arrival > 0 {
			return false
		}
	}
	return true
}

// CapacityRate is a capacity in requests per second; +Inf is unbounded
// (Capacity: every probe met the SLO, up to one whose requests all
// arrived at once), which JSON writes as null.
type CapacityRate float64

// Unbounded reports whether no probed rate bounded the capacity.
func (c CapacityRate) Unbounded() bool { return math.IsInf(float64(c), 1) }

// MarshalJSON writes an unbounded capacity as null (JSON has no
// infinity), a bounded one as its number.
func (c CapacityRate) MarshalJSON() ([]byte, error) {
	if c.Unbounded() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(c))
}

// Candidate is one way to serve a workload: a deployment unit (one
// replica, or a prefill:decode ratio of replicas) that a plan repeats.
type Candidate struct {
	Name string     `json:"name"`
	Unit Deployment `json:"unit"`
}

// PlanRow is a candidate's answer: how many units serve the target rate
// within the SLO, their chips and price, and the simulation there.
type PlanRow struct {
	Name string `json:"name"`
	// UnitCapacity is Capacity's rate for one unit: null in JSON where
	// unbounded (every capacity probe met the SLO even with all its
	// requests at once; the units are then sized by simulating the target
	// rate alone), 0 where the search failed (Err says why).
	UnitCapacity CapacityRate `json:"unit_capacity_per_s"`
	Units        int          `json:"units"`
	Chips        float64      `json:"chips"`
	USDPerHour   float64      `json:"usd_per_hour"`
	Meets        bool         `json:"meets_slo"`
	// Unpriced: a chip has no rental price, so USDPerHour is not a cost.
	Unpriced bool    `json:"unpriced,omitempty"`
	Result   *Result `json:"result,omitempty"`
	Err      string  `json:"error,omitempty"`
}

// scaled repeats every pool of d k times.
func scaled(d Deployment, k int) Deployment {
	d.Pools = slices.Clone(d.Pools)
	for i := range d.Pools {
		d.Pools[i].Replicas *= k
	}
	return d
}

// Cheapest sizes every candidate for target requests per second: the
// unit's capacity (Capacity), then ⌈target / capacity⌉ units, checked by
// simulation at the target and grown one unit at a time (at most 3 more)
// until they meet the SLO. Rows come cheapest first; then those without a
// rental price; candidates that cannot meet the SLO last, with why.
func Cheapest(cands []Candidate, w Workload, target float64, o CapacityOptions) ([]PlanRow, error) {
	if !(target > 0) || math.IsInf(target, 0) {
		return nil, fieldErr("target_rate", target, "want a positive request rate per second")
	}
	if len(cands) == 0 {
		return nil, fieldErr("candidates", 0, "want at least one deployment to size")
	}
	rows := make([]PlanRow, 0, len(cands))
	for _, c := range cands {
		rows = append(rows, size(c, w, target, o))
		if o.Stop != nil {
			if err := o.Stop(); err != nil {
				return nil, err // the row's error is Stop's, not the candidate's
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b PlanRow) int {
		rank := func(r PlanRow) int {
			switch {
			case !r.Meets:
				return 2
			case r.Unpriced:
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a.USDPerHour, b.USDPerHour))
	})
	return rows, nil
}

// maxPlanUnits bounds the units Cheapest simulates for one deployment: the
// time of a sizing run grows with the replicas and the requests (358 units
// at 8,000 requests/s take ~7 s), and 10^6 requests/s would need ~45,000.
const maxPlanUnits = 512

func size(c Candidate, w Workload, target float64, o CapacityOptions) PlanRow {
	row := PlanRow{Name: c.Name}
	capacity, _, err := Capacity(c.Unit, w, o)
	if err != nil {
		row.Err = err.Error()
		return row
	}
	row.UnitCapacity = CapacityRate(capacity)
	units := max(int(math.Ceil(target/capacity)), 1) // unbounded: 1 unit, then grown
	if units > maxPlanUnits {
		row.Err = fmt.Sprintf("needs about %d units of %.4g requests/s each, more than the %d a plan simulates", units, capacity, maxPlanUnits)
		return row
	}
	for k := units; k <= units+3; k++ {
		d := scaled(c.Unit, k)
		w.Rate = target
		w.Requests = min(max(o.ProbeRequests(d), int(target*60)), MaxProbeRequests)
		r, err := Simulate(d, w, Options{SLO: o.SLO, Stop: o.Stop})
		if err != nil {
			row.Err = err.Error()
			return row
		}
		row.Units, row.Chips, row.USDPerHour, row.Result = k, d.Chips(), r.Cost.USDPerHour, r
		row.Unpriced = slices.ContainsFunc(d.Pools, func(p Pool) bool { return p.ChipRental <= 0 })
		if row.Meets = r.Goodput.Meets; row.Meets {
			return row
		}
	}
	row.Err = fmt.Sprintf("%d units still miss the SLO at %.4g requests/s", row.Units, target)
	return row
}
