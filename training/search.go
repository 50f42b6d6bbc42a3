package training

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/units"
)

// SearchOptions bound a plan search.
type SearchOptions struct {
	Space parallel.Space // fixed and free dimensions (zero value: all free)
	Top   int            // plans to keep (0: 10)
	// Workers is the number of goroutines (0: GOMAXPROCS).
	Workers int
	// Progress, if set, is called after each (TP, PP, DP, CP) shape with
	// the shapes done and the total; calls are serialised.
	Progress func(done, total int)
	// Stop, if set, is asked before each shape; a non-nil answer ends the
	// search at once, and Search returns it (a caller's deadline or
	// cancellation: the search holds millions of plans at the largest
	// scales).
	Stop func() error
}

// SearchResult is the best plans, fastest first, and why the others lost.
type SearchResult struct {
	Top []Result `json:"plans"`
	// Practice is the best plans within the stack's published practice
	// (Profile.InPractice), fastest first: what teams run. Empty when no
	// plan in practice fits; equal to the head of Top when practice
	// excludes nothing faster.
	Practice    []Result `json:"practice_plans,omitempty"`
	Evaluated   int      `json:"plans_evaluated"` // valid plans estimated
	Invalid     int      `json:"invalid"`         // combinations that break a rule
	OutOfMemory int      `json:"out_of_memory"`   // valid plans that do not fit
	Slower      int      `json:"slower"`          // fitting plans beaten by the top
	// Closest is the plan that misses the device's memory by the least,
	// where every valid plan is out of memory: which component overflows
	// and by how much (nil otherwise).
	Closest *NotFitError `json:"-"`
}

// Best is the plan to plan on: the fastest within published practice,
// else the fastest of all.
func (s SearchResult) Best() Result {
	if len(s.Practice) > 0 {
		return s.Practice[0]
	}
	return s.Top[0]
}

// ErrNoPlan is returned when no valid plan fits in memory.
var ErrNoPlan = errors.New("no valid plan fits in memory")

// SearchSpace is the problem and the space Search tries for job on c
// over the stated space s: the cluster's devices (its chips × the job's
// devices per chip) and s under the stack's restrictions
// (Profile.Restrict), a free TP bounded by one scale-up domain's
// devices. What counts a search's plans before it runs (a server's
// admission, a sweep's budget) counts them over it with
// parallel.Space.CountPlans, so that the count is of the plans the search
// tries.
func SearchSpace(m llm.Model, c hardware.Cluster, prof Profile, job Job, s parallel.Space) (parallel.Problem, parallel.Space) {
	d := job.devicesPerChip(c)
	return problemOf(m.WithDefaults(), c, d, job), searchSpace(prof, c, d, s)
}

// searchSpace is s as Search tries it on c at d devices a chip
// (SearchSpace).
func searchSpace(prof Profile, c hardware.Cluster, d int, s parallel.Space) parallel.Space {
	s = prof.Restrict(s)
	if s.MaxTP == 0 {
		s.MaxTP = c.ChipsPerNode * d
	}
	return s
}

// Search estimates every valid plan of the space on all cores and keeps
// the fastest. Plans are tied on step time by their string form, so the
// result does not depend on scheduling.
func Search(m llm.Model, c hardware.Cluster, prof Profile, job Job, o SearchOptions) (SearchResult, error) {
	p, err := newPrep(m, c, prof, job)
	if err != nil {
		return SearchResult{}, err
	}
	top := o.Top
	if top <= 0 {
		top = 10
	}
	prob := p.problem()
	o.Space = searchSpace(prof, c, p.devPerChip, o.Space)
	shapes, invalid := o.Space.Shapes(prob)
	if len(shapes) == 0 {
		return SearchResult{Invalid: invalid}, whyNoShape(prob, o.Space)
	}
	out, err := p.searchAll(prob, o, shapes, invalid, top)
	if Stopped(err) {
		return out, err
	}
	// No plan fits with fp32 parameters and moments: search again with
	// the memory savings the stack offers, adding one per pass and keeping
	// it for the later ones (16-bit parameters, HalfParams, then 16-bit
	// Adam moments, HalfMoments); a plan takes a saving only where it does
	// not fit without it (prep.fit).
	for _, save := range []struct {
		offered bool
		allow   *bool
	}{{p.prof.HalfParams.Value >= 0.5, &p.halfParams}, {p.prof.HalfMoments.Value >= 0.5, &p.halfMoments}} {
		if !errors.Is(err, ErrNoPlan) || !save.offered {
			continue
		}
		*save.allow = true
		o.Progress = nil
		first := out
		if out, err = p.searchAll(prob, o, shapes, invalid, top); Stopped(err) {
			return out, err
		}
		// Every pass's estimates count (the earlier ones all out of memory).
		out.Evaluated += first.Evaluated
		out.OutOfMemory += first.OutOfMemory
	}
	for _, rs := range [][]Result{out.Top, out.Practice} {
		for i := range rs {
			p.setLayout(&rs[i])
		}
	}
	if errors.Is(err, ErrNoPlan) && out.Evaluated == 0 && out.Invalid > 0 {
		if why := p.whyAllInvalid(prob, o.Space, shapes); why != nil {
			err = noValidPlan{why}
		}
	}
	if errors.Is(err, ErrNoPlan) && job.statesA2A() {
		err = fmt.Errorf("%w with the 1F1B all-to-all overlap (moe_a2a_overlap), which rules out full and MoE-block recompute, pipelines without interleaving and plans without expert parallelism", err)
	}
	return out, err
}

// searchAll estimates every plan of the shapes on o.Workers goroutines.
func (p *prep) searchAll(prob parallel.Problem, o SearchOptions, shapes []parallel.Shape, invalid, top int) (SearchResult, error) {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([]SearchResult, workers)
	var (
		mu   sync.Mutex
		next int
		done int
		wg   sync.WaitGroup
	)
	take := func() int {
		mu.Lock()
		defer mu.Unlock()
		i := next
		next++
		return i
	}
	report := func() {
		mu.Lock()
		defer mu.Unlock()
		done++
		if o.Progress != nil {
			o.Progress(done, len(shapes))
		}
	}
	var stop error
	halt := func() bool {
		if o.Stop == nil {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if stop == nil {
			stop = o.Stop()
		}
		return stop != nil
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := take(); i < len(shapes) && !halt(); i = take() {
				p.searchShape(prob, o.Space, shapes[i], top, &parts[w])
				report()
			}
		}()
	}
	wg.Wait()
	if stop != nil {
		return SearchResult{}, searchStopped{stop}
	}
	return merge(parts, invalid, top)
}

// searchStopped is a search ended by SearchOptions.Stop: its error, as
// the caller gave it (errors.As and errors.Is see through).
type searchStopped struct{ err error }

func (s searchStopped) Error() string { return s.err.Error() }
func (s searchStopped) Unwrap() error { return s.err }

// Stopped says err is a search ended by its SearchOptions.Stop.
func Stopped(err error) bool {
	var s searchStopped
	return errors.As(err, &s)
}

// searchShape estimates every plan of one shape into part.
func (p *prep) searchShape(prob parallel.Problem, sp parallel.Space, sh parallel.Shape, top int, part *SearchResult) {
	noneToo := slices.Contains(sp.Recompute, parallel.RecomputeNone)
	part.Invalid += sp.Each(prob, sh, func(pl parallel.Plan) bool {
		if !p.allows(pl) {
			part.Invalid++
			return true
		}
		part.Evaluated++
		pl, mem := p.fit(pl)
		if short := mem.Total - units.Bytes(p.capacity); short > 0 {
			part.OutOfMemory++
			if part.Closest == nil || short < part.Closest.Shortfall {
				part.Closest = &NotFitError{Plan: pl, Memory: mem, Shortfall: short}
			}
			return true
		}
		frac := p.partialRecompute(pl)
		if noneToo && pl.Recompute == parallel.RecomputeFull && frac == 0 {
			return true // recomputes no layer: the same plan as recompute=none (counted as slower)
		}
		r := p.evaluateFit(pl, mem, frac)
		part.Top = insert(part.Top, r, top)
		if p.prof.InPractice(pl, p.practiceCase()) {
			part.Practice = insert(part.Practice, r, top)
		}
		return true
	})
}

// better orders results by step time; of two plans equally fast, the one
// splitting the model over fewer ranks (tp·cp·pp) comes first, as a team
// would choose it (eight-way context parallelism of a 4K sequence ties
// with data parallelism where the ring hides behind attention), then the
// plan's text, so the order is total.
func better(a, b Result) bool {
	if a.StepTime != b.StepTime {
		return a.StepTime < b.StepTime
	}
	if ma, mb := modelRanks(a.Plan), modelRanks(b.Plan); ma != mb {
		return ma < mb
	}
	return planText(a) < planText(b)
}

// modelRanks is the number of ranks one model replica is split over
// (expert parallelism folds into them).
func modelRanks(pl parallel.Plan) int { return pl.TP * pl.CP * pl.PP }

func planText(r Result) string {
	if r.PlanText == "" {
		return r.Plan.String()
	}
	return r.PlanText
}

// insert keeps s sorted and at most n long; a result it keeps gets its
// PlanText (formatted only then: most plans of a search are not kept).
func insert(s []Result, r Result, n int) []Result {
	if len(s) == n && n > 0 && r.StepTime > s[n-1].StepTime {
		return s
	}
	i := sort.Search(len(s), func(i int) bool { return better(r, s[i]) })
	if i >= n {
		return s
	}
	r.PlanText = planText(r)
	if len(s) < n {
		s = append(s, Result{})
	}
	copy(s[i+1:], s[i:])
	s[i] = r
	return s
}

func merge(parts []SearchResult, invalid, top int) (SearchResult, error) {
	out := SearchResult{Invalid: invalid}
	fits := 0
	for _, pt := range parts {
		out.Evaluated += pt.Evaluated
		out.Invalid += pt.Invalid
		out.OutOfMemory += pt.OutOfMemory
		fits += pt.Evaluated - pt.OutOfMemory
		for _, r := range pt.Top {
			out.Top = insert(out.Top, r, top)
		}
		for _, r := range pt.Practice {
			out.Practice = insert(out.Practice, r, top)
		}
	}
	out.Slower = fits - len(out.Top)
	if len(out.Top) == 0 {
		for _, pt := range parts {
			if c := pt.Closest; c != nil && (out.Closest == nil || c.Shortfall < out.Closest.Shortfall) {
				out.Closest = c
			}
		}
		if out.Closest != nil {
			return out, fmt.Errorf("%w; the closest, %s", ErrNoPlan, strings.TrimPrefix(out.Closest.Error(), "plan "))
		}
		return out, ErrNoPlan
	}
	return out, nil
}

// noValidPlan is ErrNoPlan where every plan of the space breaks a rule
// (none was estimated): it says which rule the first one breaks.
type noValidPlan struct{ why error }

func (e noValidPlan) Error() string {
	return "no plan within what is stated is valid: " + e.why.Error()
}

func (e noValidPlan) Unwrap() []error { return []error{ErrNoPlan, e.why} }

// whyAllInvalid is the rule the first plan of the shapes breaks: a
// plan's own (parallel.Plan.Validate), else the stack's framework limits
// or the all-to-all overlap the job states (Search counts both as
// invalid); nil where it finds none.
func (p *prep) whyAllInvalid(prob parallel.Problem, sp parallel.Space, shapes []parallel.Shape) error {
	for _, sh := range shapes {
		if err := sp.FirstInvalid(prob, sh); err != nil {
			return err
		}
		var why error
		sp.Each(prob, sh, func(pl parallel.Plan) bool {
			why = p.prof.Supports(pl)
			if why == nil && p.job.statesA2A() {
				why = p.a2aAllowed(pl)
			}
			return why == nil
		})
		if why != nil {
			return why
		}
	}
	return nil
}

// whyNoShape explains an empty space by validating the plan its fixed
// dimensions describe (free ones at 1, DP what the devices leave).
func whyNoShape(prob parallel.Problem, sp parallel.Space) error {
	pl := parallel.Plan{TP: max(sp.TP, 1), PP: max(sp.PP, 1), CP: max(sp.CP, 1), EP: 1, VPP: 1, Microbatch: 1, Recompute: parallel.RecomputeFull}
	pl.DP = sp.DP
	if pl.DP == 0 {
		pl.DP = max(prob.Devices/(pl.TP*pl.PP*pl.CP), 1)
	}
	if err := pl.Validate(prob); err != nil {
		return err
	}
	return ErrNoPlan
}

// practiceCase is what published practice judges this job's plans
// against.
func (p *prep) practiceCase() PracticeCase {
	return NewPracticeCase(p.m, p.job.Seq, p.c.ChipsPerNode*p.devPerChip)
}
