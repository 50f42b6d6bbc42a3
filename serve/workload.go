package serve

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"chipgap/input"
	"chipgap/sim"
)

// Request is one request of a workload: when it arrives and how many
// tokens it brings and asks for.
type Request struct {
	Arrival time.Duration `json:"arrival_ns"`
	Prompt  int           `json:"prompt_tokens"`
	Output  int           `json:"output_tokens"`
}

// Arrival processes.
const (
	Poisson       = "poisson"       // exponential inter-arrival times
	Gamma         = "gamma"         // gamma inter-arrival times with coefficient of variation CV (bursty when CV > 1)
	Deterministic = "deterministic" // constant spacing 1/Rate
	Trace         = "trace"         // arrival times from Workload.Trace
	// Offline queues every request at time 0: an offline benchmark
	// (trtllm-bench throughput, vLLM's benchmark_throughput), timed from
	// the first admission to the last token; Rate is not used.
	Offline = "offline"
)

// Length distributions.
const (
	Fixed     = "fixed"     // always Mean
	Uniform   = "uniform"   // integers in [Min, Max]
	LogNormal = "lognormal" // median Mean·exp(−Sigma²/2) so that the mean is Mean, clipped to [Min, Max]
	Empirical = "empirical" // resampled uniformly from Values
)

// Lengths is a distribution of token counts (prompt or output).
type Lengths struct {
	Dist   string  `json:"dist"`
	Mean   int     `json:"mean,omitempty"`
	Min    int     `json:"min,omitempty"`
	Max    int     `json:"max,omitempty"`
	Sigma  float64 `json:"sigma,omitempty"`
	Values []int   `json:"-"`
}

// Workload says which requests arrive: Requests of them, at Rate per
// second by the Process, with Prompt and Output lengths; or, with Process
// Trace, the requests of Trace (scaled in time to Rate when Rate > 0; all
// arriving at 0 is an offline batch).
type Workload struct {
	Process  string    `json:"process"`
	Rate     float64   `json:"rate_per_s"`
	CV       float64   `json:"cv,omitempty"`
	Requests int       `json:"requests"`
	Prompt   Lengths   `json:"prompt"`
	Output   Lengths   `json:"output"`
	Seed     uint64    `json:"seed"`
	Trace    []Request `json:"-"`
	// Prefilled requests arrive with their prompt's KV cache computed
	// elsewhere and their first token sampled (a decode pool on its own):
	// they go to the last pool; TTFT is their wait for a first decode step.
	Prefilled bool `json:"prefilled,omitempty"`
}

// MaxRequests bounds one simulation's requests. Memory: 12 bytes of
// latency records per request, plus 56 bytes per request waiting (an
// offline batch queues them all: under 700 MB at the bound).
const MaxRequests = 10_000_000

// MaxArrivalSpan bounds a generated workload's arrivals, in seconds of
// simulated time (requests ÷ rate, × CV² for gamma): far inside
// time.Duration's 292 years, so no draw overflows the clock.
const MaxArrivalSpan = 1e8

// Validate checks the workload and names the field at fault.
func (w Workload) Validate() error {
	switch w.Process {
	case Offline:
		if err := w.validateCount(w.Requests); err != nil {
			return err
		}
		if err := w.Prompt.validate("workload.prompt"); err != nil {
			return err
		}
		return w.Output.validate("workload.output")
	case Poisson, Deterministic:
	case Gamma:
		if !(w.CV >= 1e-3) || w.CV > 100 {
			return fieldErr("workload.cv", w.CV, "want a coefficient of variation in [0.001, 100] for gamma arrivals")
		}
	case Trace:
		if len(w.Trace) == 0 {
			return fieldErr("workload.trace", 0, "want at least one request in the trace")
		}
		if w.Rate < 0 || math.IsNaN(w.Rate) || math.IsInf(w.Rate, 0) {
			return fieldErr("workload.rate", w.Rate, "want ≥ 0 requests per second (0 keeps the trace's own times)")
		}
		return w.validateCount(len(w.Trace))
	default:
		return fieldErr("workload.process", w.Process, "want poisson, gamma, deterministic, offline or trace")
	}
	if !(w.Rate > 0) || math.IsInf(w.Rate, 0) {
		return fieldErr("workload.rate", w.Rate, "want a positive request rate per second")
	}
	if err := w.validateCount(w.Requests); err != nil {
		return err
	}
	// The arrivals must fit the simulation's clock (time.Duration, about
	// 292 years): requests/rate, stretched by CV² for gamma (its gaps'
	// scale), at most MaxArrivalSpan.
	spread := 1.0
	if w.Process == Gamma {
		spread = max(1, w.CV*w.CV)
	}
	if span := float64(w.Requests) / w.Rate * spread; span > MaxArrivalSpan {
		return fieldErr("workload.rate", w.Rate, fmt.Sprintf("want at least %.3g requests per second: %d requests must arrive within %.0e s (about 3 years) of simulated time",
			float64(w.Requests)*spread/MaxArrivalSpan, w.Requests, MaxArrivalSpan))
	}
	if err := w.Prompt.validate("workload.prompt"); err != nil {
		return err
	}
	return w.Output.validate("workload.output")
}

func (w Workload) validateCount(n int) error {
	if n < 1 || n > MaxRequests {
		return fieldErr("workload.requests", n, fmt.Sprintf("want 1..%d", MaxRequests))
	}
	return nil
}

// CheckSizes checks the token counts the lengths state (mean, min,
// max) against their own bound, input.MaxRequestTokens: what a caller
// checks before any product of them (a server's token budget).
func (l Lengths) CheckSizes(field string) error {
	for _, f := range []struct {
		name string
		v    int
	}{{"mean", l.Mean}, {"min", l.Min}, {"max", l.Max}} {
		if f.v > input.MaxRequestTokens {
			return fieldErr(field+"."+f.name, f.v, fmt.Sprintf("want at most %d tokens", input.MaxRequestTokens))
		}
	}
	return nil
}

func (l Lengths) validate(field string) error {
	if err := l.CheckSizes(field); err != nil {
		return err
	}
	switch l.Dist {
	case Fixed:
		if l.Mean < 1 {
			return fieldErr(field+".mean", l.Mean, "want a positive token count")
		}
	case Uniform:
		for _, f := range []struct {
			name string
			v    int
		}{{"min", l.Min}, {"max", l.Max}} {
			if f.v == 0 {
				return &input.Error{Field: field + "." + f.name, Want: "missing: uniform lengths need min and max stated, 1 ≤ min ≤ max"}
			}
		}
		if l.Min < 1 || l.Max < l.Min {
			return fieldErr(field+".min", l.Min, fmt.Sprintf("want 1 ≤ min ≤ max (max = %d)", l.Max))
		}
	case LogNormal:
		if l.Mean < 1 || !(l.Sigma > 0) || l.Sigma > 5 {
			return fieldErr(field+".sigma", l.Sigma, "want mean ≥ 1 and sigma in (0, 5]")
		}
		if l.Min < 0 || (l.Max > 0 && l.Max < max(l.Min, 1)) {
			return fieldErr(field+".max", l.Max, "want 0 (no clip) or max ≥ min ≥ 0")
		}
	case Empirical:
		if len(l.Values) == 0 || slices.Min(l.Values) < 1 {
			return fieldErr(field+".values", len(l.Values), "want a non-empty list of positive token counts")
		}
	default:
		return fieldErr(field+".dist", l.Dist, "want fixed, uniform, lognormal or empirical")
	}
	return nil
}

// Expected returns the mean token count of the distribution.
func (l Lengths) Expected() float64 {
	switch l.Dist {
	case Uniform:
		return float64(l.Min+l.Max) / 2
	case Empirical:
		s := 0
		for _, v := range l.Values {
			s += v
		}
		return float64(s) / float64(len(l.Values))
	}
	return float64(l.Mean)
}

// draw samples one token count.
func (l Lengths) draw(r *rand.Rand) int {
	switch l.Dist {
	case Uniform:
		return l.Min + r.IntN(l.Max-l.Min+1)
	case LogNormal:
		mu := math.Log(float64(l.Mean)) - l.Sigma*l.Sigma/2
		x := math.Round(math.Exp(mu + l.Sigma*r.NormFloat64()))
		n := int(min(x, input.MaxRequestTokens)) // a heavy tail stays in the token range
		n = max(n, l.Min, 1)
		if l.Max > 0 {
			n = min(n, l.Max)
		}
		return n
	case Empirical:
		return l.Values[r.IntN(len(l.Values))]
	}
	return l.Mean
}

// source yields a workload's requests in arrival order, one at a time, so
// that memory does not grow with the request count.
type source struct {
	w        Workload
	arrivals *rand.Rand
	prompts  *rand.Rand
	outputs  *rand.Rand
	shape    float64 // gamma shape k = 1/CV²
	scale    float64 // trace time scale
	next     int
	t        float64 // seconds, accumulated in float and rounded once per request
}

func newSource(w Workload) *source {
	s := &source{
		w:        w,
		arrivals: sim.NewStream(w.Seed, "serve/arrivals"),
		prompts:  sim.NewStream(w.Seed, "serve/prompt"),
		outputs:  sim.NewStream(w.Seed, "serve/output"),
		scale:    1,
	}
	if w.Process == Gamma {
		s.shape = 1 / (w.CV * w.CV)
	}
	if w.Process == Trace && w.Rate > 0 {
		s.scale = traceScale(w.Trace, w.Rate)
	}
	return s
}

// total is the number of requests the source yields.
func (s *source) total() int {
	if s.w.Process == Trace {
		return len(s.w.Trace)
	}
	return s.w.Requests
}

// pull returns the next request, and false when none are left.
func (s *source) pull() (Request, bool) {
	if s.next >= s.total() {
		return Request{}, false
	}
	s.next++
	if s.w.Process == Trace {
		r := s.w.Trace[s.next-1]
		r.Arrival = time.Duration(math.Round(float64(r.Arrival) * s.scale))
		return r, true
	}
	if s.next > 1 {
		s.t += s.gap()
	}
	return Request{
		Arrival: time.Duration(math.Round(s.t * 1e9)),
		Prompt:  s.w.Prompt.draw(s.prompts),
		Output:  s.w.Output.draw(s.outputs),
	}, true
}

// gap draws the next inter-arrival time in seconds.
func (s *source) gap() float64 {
	switch s.w.Process {
	case Offline:
		return 0
	case Poisson:
		return s.arrivals.ExpFloat64() / s.w.Rate
	case Gamma:
		return gammaDraw(s.arrivals, s.shape) / (s.shape * s.w.Rate)
	}
	return 1 / s.w.Rate
}

// traceScale is the factor that stretches a trace's times so that its
// mean rate, (n−1)/span, becomes rate.
func traceScale(tr []Request, rate float64) float64 {
	span := tr[len(tr)-1].Arrival - tr[0].Arrival
	if len(tr) < 2 || span <= 0 {
		return 1
	}
	own := float64(len(tr)-1) / span.Seconds()
	return own / rate
}

// gammaDraw samples Gamma(k, 1) by Marsaglia and Tsang (2000), "A simple
// method for generating gamma variables", ACM TOMS 26(3); for k < 1 it
// uses the boost Gamma(k) = Gamma(k+1)·U^(1/k).
func gammaDraw(r *rand.Rand, k float64) float64 {
	if k < 1 {
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return gammaDraw(r, k+1) * math.Pow(u, 1/k)
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
