package uncertain

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Stream returns the random stream for one named subsystem or input,
// derived from seed: a PCG generator seeded with (seed, FNV-1a(name)).
// Streams with different names are independent, so adding an input to a
// model does not change the draws of the others.
func Stream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// Draw hands a trial its input values. In a Monte Carlo run each named
// input is sampled from its own stream; in a sensitivity sweep every input
// sits at its Typ except the one being swung.
type Draw struct {
	seed     uint64
	streams  map[string]*rand.Rand // nil: no sampling, use Typ
	override map[string]float64
	seen     map[string]Param
	order    []string
}

// Typical returns a Draw that gives every input its Typ: the point
// estimate of a model written as a Trial.
func Typical() *Draw { return &Draw{seen: map[string]Param{}} }

// Value returns this trial's value of the input called name, distributed
// as p. A trial must ask for each input by the same name with the same p.
func (d *Draw) Value(name string, p Param) float64 {
	if _, ok := d.seen[name]; !ok {
		d.seen[name] = p
		d.order = append(d.order, name)
	}
	if v, ok := d.override[name]; ok {
		return v
	}
	if d.streams == nil {
		return p.Typ()
	}
	r, ok := d.streams[name]
	if !ok {
		r = Stream(d.seed, name)
		d.streams[name] = r
	}
	return p.Sample(r)
}

// Trial computes named outputs from the inputs it draws.
type Trial func(d *Draw) (map[string]float64, error)

// Summary describes the distribution of one output over a run.
type Summary struct {
	P10  float64 `json:"p10"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
}

// ErrNoTrials is returned for a run of fewer than one trial.
var ErrNoTrials = errors.New("uncertain: number of trials must be at least 1")

// Run calls trial n times, each with fresh draws from per-input streams
// derived from seed, and summarises every output. The same seed gives
// the same result, bit for bit. A trial error stops the run.
func Run(n int, seed uint64, trial Trial) (map[string]Summary, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w (got %d)", ErrNoTrials, n)
	}
	d := &Draw{seed: seed, streams: map[string]*rand.Rand{}, seen: map[string]Param{}}
	samples := map[string][]float64{}
	for i := range n {
		out, err := trial(d)
		if err != nil {
			return nil, fmt.Errorf("trial %d: %w", i, err)
		}
		for k, v := range out {
			samples[k] = append(samples[k], v)
		}
	}
	res := make(map[string]Summary, len(samples))
	for k, xs := range samples {
		res[k] = Summarize(xs)
	}
	return res, nil
}

// Summarize returns the percentiles (linear interpolation between order
// statistics), mean and extremes of xs. It sorts a copy.
func Summarize(xs []float64) Summary {
	if len(xs) == 0 {
		return Summary{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return Summary{
		P10: Percentile(s, 0.10), P50: Percentile(s, 0.50), P90: Percentile(s, 0.90),
		Mean: sum / float64(len(s)), Min: s[0], Max: s[len(s)-1], N: len(s),
	}
}

// Percentile returns the q-quantile of sorted data, interpolating linearly
// between the order statistics at positions q·(n−1) (Hyndman–Fan type 7),
// in float64. It is chipgap's one quantile: the Monte Carlo summaries, the
// serving simulator's latency percentiles (float32 data) and chipgap run's
// ranges (+Inf draws: a neighbour at +Inf gives +Inf) all use it.
func Percentile[T ~float32 | ~float64](sorted []T, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	f := pos - float64(lo)
	a, b := float64(sorted[lo]), float64(sorted[hi])
	if f == 0 || a == b {
		return a // also keeps ±Inf data from turning into NaN
	}
	return a*(1-f) + b*f
}

// Swing is one bar of a tornado chart: how far an output moves when one
// input goes from its P10 to its P90 with every other input at Typ.
type Swing struct {
	Input   string  `json:"input"`
	LowIn   float64 `json:"low_in"`
	HighIn  float64 `json:"high_in"`
	LowOut  float64 `json:"low_out"`
	HighOut float64 `json:"high_out"`
	Swing   float64 `json:"swing"`
}

// Tornado ranks the inputs of trial by their effect on output: it
// evaluates trial with all inputs at Typ (returned as base), then once
// with each input at its P10 and once at its P90, the others at Typ.
// Swings are sorted largest first (ties by input name). Fixed inputs
// have zero swing and are left out.
func Tornado(trial Trial, output string) (base float64, swings []Swing, err error) {
	d := &Draw{seen: map[string]Param{}}
	out, err := trial(d)
	if err != nil {
		return 0, nil, err
	}
	base, ok := out[output]
	if !ok {
		return 0, nil, fmt.Errorf("uncertain: trial has no output %q", output)
	}
	for _, name := range d.order {
		p := d.seen[name]
		if p.Kind == KindFixed {
			continue
		}
		s := Swing{Input: name, LowIn: p.Quantile(0.1), HighIn: p.Quantile(0.9)}
		if s.LowOut, err = evalAt(trial, output, name, s.LowIn); err != nil {
			return 0, nil, err
		}
		if s.HighOut, err = evalAt(trial, output, name, s.HighIn); err != nil {
			return 0, nil, err
		}
		s.Swing = math.Abs(s.HighOut - s.LowOut)
		swings = append(swings, s)
	}
	sort.SliceStable(swings, func(i, j int) bool {
		if swings[i].Swing != swings[j].Swing {
			return swings[i].Swing > swings[j].Swing
		}
		return swings[i].Input < swings[j].Input
	})
	return base, swings, nil
}

func evalAt(trial Trial, output, name string, v float64) (float64, error) {
	d := &Draw{seen: map[string]Param{}, override: map[string]float64{name: v}}
	out, err := trial(d)
	if err != nil {
		return 0, fmt.Errorf("%s = %g: %w", name, v, err)
	}
	return out[output], nil
}
