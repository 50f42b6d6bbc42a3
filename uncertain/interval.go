package uncertain

import (
	"math"
)

// PoissonInterval is the exact (Garwood 1936) two-sided interval of
// central probability conf for the mean of a Poisson count n: the
// lower end is the (1−conf)/2 quantile of Gamma(n, 1) (0 for n = 0), the
// upper the (1+conf)/2 quantile of Gamma(n+1, 1), i.e. χ² quantiles
// halved. 7 events at 80 %: [3.895, 11.77] (the normal approximation
// 7 ∓ 1.2816·√7 gives [3.61, 10.39]).
func PoissonInterval(n, conf float64) (lo, hi float64) {
	tail := (1 - conf) / 2
	if n > 0 {
		lo = gammaQuantile(n, tail)
	}
	return lo, gammaQuantile(n+1, 1-tail)
}

// gammaQuantile is the q quantile of Gamma(shape a, scale 1), by
// bisection on the regularized incomplete gamma P(a, x).
func gammaQuantile(a, q float64) float64 {
	lo, hi := 0.0, a+10*math.Sqrt(a)+20
	for gammaP(a, hi) < q {
		hi *= 2
	}
	for range 200 {
		mid := (lo + hi) / 2
		if gammaP(a, mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// gammaP is the regularized lower incomplete gamma P(a, x): its series
// below x = a + 1, else 1 − the continued fraction of Q (Numerical
// Recipes, 3rd ed., §6.2, gser and gcf).
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	lg, _ := math.Lgamma(a)
	pre := math.Exp(a*math.Log(x) - x - lg)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1.0; n < 10000; n++ {
			term *= x / (a + n)
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return sum * pre
	}
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for i := 1.0; i < 10000; i++ {
		an := -i * (i - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-16 {
			break
		}
	}
	return 1 - pre*h
}

// TriangularFromP10P90 is the triangular distribution with mode c whose
// P10 is p10 and P90 is p90 (p10 < c < p90): the bounds (min, max) to
// give FromRange so that its draws' P10–P90 is [p10, p90]. With w = b − a
// and the mode at the fraction p = (c − a)/w (0.1 < p < 0.9),
// c − P10 = w·g(p) and P90 − c = w·g(1 − p), g(x) = x − √(0.1·x), so
// g(1 − p)/g(p) = (p90 − c)/(c − p10) fixes p (bisection: the ratio falls
// as p rises) and then w. A min that would fall below floor (a rate
// below 0) is floor, and the max is then chosen for the P90 alone.
func TriangularFromP10P90(p10, c, p90, floor float64) (lo, hi float64) {
	g := func(x float64) float64 { return x - math.Sqrt(0.1*x) }
	if c > p10 && p90 > c {
		want, a, b := (p90-c)/(c-p10), 0.1, 0.9
		for range 200 {
			p := (a + b) / 2
			if g(1-p)/g(p) > want {
				a = p
			} else {
				b = p
			}
		}
		p := (a + b) / 2
		w := (c - p10) / g(p)
		if lo = c - p*w; lo >= floor {
			return lo, lo + w
		}
	}
	// The min at floor: Q(0.9) = hi − √(0.1·(hi − floor)·(hi − c)) rises
	// with hi; bisect it to p90.
	lo, a, b := floor, max(c, p90), max(c, p90)
	q90 := func(hi float64) float64 { return hi - math.Sqrt(0.1*(hi-lo)*(hi-c)) }
	for q90(b) < p90 {
		b = b*2 + 1
	}
	for range 200 {
		m := (a + b) / 2
		if q90(m) < p90 {
			a = m
		} else {
			b = m
		}
	}
	return lo, (a + b) / 2
}
