package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"
)

// NewStream returns an independent random stream for one subsystem of a
// run: a PCG generator seeded by the run seed and the FNV-1a hash of name.
// The same (seed, name) always gives the same sequence.
func NewStream(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// Exp draws an exponentially distributed duration with the given mean,
// rounded to the nearest nanosecond. A mean ≤ 0 returns 0. Draws longer
// than the representable range saturate at math.MaxInt64.
func Exp(r *rand.Rand, mean time.Duration) time.Duration {
	if mean <= 0 {
		return 0
	}
	return durationOf(r.ExpFloat64() * float64(mean))
}

// LogNormal draws a lognormally distributed duration with the given
// median and shape sigma (the standard deviation of its logarithm).
func LogNormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	if median <= 0 {
		return 0
	}
	return durationOf(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

func durationOf(ns float64) time.Duration {
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(ns))
}
