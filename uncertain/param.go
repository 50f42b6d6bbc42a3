package uncertain

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Kind is the shape of a Param's distribution.
type Kind int

// The distributions a Param can take.
const (
	KindFixed Kind = iota + 1
	KindUniform
	KindTriangular
	KindNormal
	KindLogNormal
)

func (k Kind) String() string {
	switch k {
	case KindFixed:
		return "fixed"
	case KindUniform:
		return "uniform"
	case KindTriangular:
		return "triangular"
	case KindNormal:
		return "normal"
	case KindLogNormal:
		return "lognormal"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Param is an uncertain input: a distribution to sample from.
//
// Fields by kind: fixed uses A; uniform A..B; triangular A (min), C (mode),
// B (max); normal A (mean), B (standard deviation); lognormal A (mean of
// the log), B (standard deviation of the log). Build Params with the
// constructors, which validate; the zero Param is invalid.
type Param struct {
	Kind Kind    `json:"kind"`
	A    float64 `json:"a"`
	B    float64 `json:"b,omitempty"`
	C    float64 `json:"c,omitempty"`
}

// ParamError reports a distribution that cannot be built.
type ParamError struct {
	Kind   Kind
	Values []float64
	Allow  string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("invalid %v parameters %v: want %s", e.Kind, e.Values, e.Allow)
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// Fixed is a constant: every draw returns x.
func Fixed(x float64) Param { return Param{Kind: KindFixed, A: x} }

// Uniform is flat on [a, b].
func Uniform(a, b float64) (Param, error) {
	if !finite(a, b) || a > b {
		return Param{}, &ParamError{KindUniform, []float64{a, b}, "finite a <= b"}
	}
	return Param{Kind: KindUniform, A: a, B: b}, nil
}

// Triangular rises linearly from min to mode and falls to max.
func Triangular(min, mode, max float64) (Param, error) {
	if !finite(min, mode, max) || min > mode || mode > max || min == max {
		return Param{}, &ParamError{KindTriangular, []float64{min, mode, max}, "finite min <= mode <= max with min < max"}
	}
	return Param{Kind: KindTriangular, A: min, B: max, C: mode}, nil
}

// Normal has the given mean and standard deviation sd >= 0.
func Normal(mean, sd float64) (Param, error) {
	if !finite(mean, sd) || sd < 0 {
		return Param{}, &ParamError{KindNormal, []float64{mean, sd}, "finite mean and sd >= 0"}
	}
	return Param{Kind: KindNormal, A: mean, B: sd}, nil
}

// LogNormal is exp(N(mu, sigma²)): its median is exp(mu).
func LogNormal(mu, sigma float64) (Param, error) {
	if !finite(mu, sigma) || sigma < 0 {
		return Param{}, &ParamError{KindLogNormal, []float64{mu, sigma}, "finite mu and sigma >= 0"}
	}
	return Param{Kind: KindLogNormal, A: mu, B: sigma}, nil
}

// FromRange turns a catalog min/typ/max into a Param: triangular with its
// mode at typ, or fixed when min = typ = max. A zero min and max with a
// non-zero typ (a catalog value with no range) is also fixed.
func FromRange(min, typ, max float64) (Param, error) {
	if min == 0 && max == 0 {
		min, max = typ, typ
	}
	if !finite(min, typ, max) || min > typ || typ > max {
		return Param{}, &ParamError{KindTriangular, []float64{min, typ, max}, "finite min <= typ <= max"}
	}
	if min == max {
		return Fixed(typ), nil
	}
	return Triangular(min, typ, max)
}

// Sample draws one value using r.
func (p Param) Sample(r *rand.Rand) float64 {
	switch p.Kind {
	case KindUniform:
		return p.A + (p.B-p.A)*r.Float64()
	case KindTriangular:
		return p.Quantile(r.Float64())
	case KindNormal:
		return p.A + p.B*r.NormFloat64()
	case KindLogNormal:
		return math.Exp(p.A + p.B*r.NormFloat64())
	}
	return p.A
}

// Quantile returns the value below which a fraction q in [0, 1] of draws
// fall (the inverse CDF).
func (p Param) Quantile(q float64) float64 {
	q = math.Min(1, math.Max(0, q))
	switch p.Kind {
	case KindUniform:
		return p.A + q*(p.B-p.A)
	case KindTriangular:
		a, b, c := p.A, p.B, p.C
		if q < (c-a)/(b-a) {
			return a + math.Sqrt(q*(b-a)*(c-a))
		}
		return b - math.Sqrt((1-q)*(b-a)*(b-c))
	case KindNormal:
		return p.A + p.B*math.Sqrt2*math.Erfinv(2*q-1)
	case KindLogNormal:
		return math.Exp(p.A + p.B*math.Sqrt2*math.Erfinv(2*q-1))
	}
	return p.A
}

// Typ is the value a point estimate uses: the fixed value, the mode of a
// triangular, the mean of a uniform or normal, the median of a lognormal.
func (p Param) Typ() float64 {
	switch p.Kind {
	case KindUniform:
		return (p.A + p.B) / 2
	case KindTriangular:
		return p.C
	case KindLogNormal:
		return math.Exp(p.A)
	}
	return p.A
}

// Mean is the distribution's expected value.
func (p Param) Mean() float64 {
	switch p.Kind {
	case KindUniform:
		return (p.A + p.B) / 2
	case KindTriangular:
		return (p.A + p.B + p.C) / 3
	case KindLogNormal:
		return math.Exp(p.A + p.B*p.B/2)
	}
	return p.A
}

// Variance is the distribution's variance.
func (p Param) Variance() float64 {
	a, b, c := p.A, p.B, p.C
	switch p.Kind {
	case KindUniform:
		return (b - a) * (b - a) / 12
	case KindTriangular:
		return (a*a + b*b + c*c - a*b - a*c - b*c) / 18
	case KindNormal:
		return b * b
	case KindLogNormal:
		return (math.Exp(b*b) - 1) * math.Exp(2*a+b*b)
	}
	return 0
}
