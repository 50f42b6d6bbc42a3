package goodput

import "math"

// ramp is the throughput multiplier while kernels mature: 1 − slow at
// the start of the run, rising linearly to 1 over span seconds of wall
// time. Work is measured in seconds of steady-state compute.
type ramp struct {
	slow float64 // initial slowdown, in [0, 1)
	span float64 // seconds
}

// cum is the work done by computing from time 0 to t without pause:
// ∫₀ᵗ (1 − slow·(1 − u/span)) du.
func (r ramp) cum(t float64) float64 {
	if r.slow == 0 || r.span <= 0 {
		return t
	}
	if t >= r.span {
		return t - r.slow*r.span/2
	}
	return t - r.slow*(t-t*t/(2*r.span))
}

// inv is the time at which cum reaches w: the positive root of
// (slow/2span)·t² + (1 − slow)·t − w = 0, in the cancellation-free form
// 2w / ((1 − slow) + √((1 − slow)² + 2·slow·w/span)).
func (r ramp) inv(w float64) float64 {
	if r.slow == 0 || r.span <= 0 {
		return w
	}
	if w >= r.span*(1-r.slow/2) {
		return w + r.slow*r.span/2
	}
	a := 1 - r.slow
	return 2 * w / (a + math.Sqrt(a*a+2*r.slow*w/r.span))
}
