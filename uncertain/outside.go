package uncertain

import (
	"fmt"
	"math"
)

// An estimate at typical values (every input at its triangle's mode) and
// the P10–P90 of the same figure over draws of the inputs need not
// overlap: where a typical value sits near one end of its range (a
// triangle of mode 0.2 over [0.18, 0.5]), most draws fall on the other
// side of it, and so can most of the figure's. chipgap keeps both, the
// estimate at typical values as its central figure and the draws' P10–P90
// as they are, and says so where the one lies outside the other: Outside
// decides it, once, where the figure and its band are computed
// (Beside.Apart); the result carries that Apart, and every place that
// prints it words it from there (Apart.Note, Legend): a result's JSON note
// and its text line alike.

// NearEnd is why an estimate at typical values lies outside the P10–P90
// of draws of its inputs' ranges.
const NearEnd = "some typical values sit near an end of their ranges"

// TypicalEstimate is what lies outside a band, in Note's words, where an
// estimate at typical values does.
const TypicalEstimate = "the estimate at typical values"

// Below and Above are Outside's answers.
const (
	Below = "below"
	Above = "above"
)

// Outside is where typ lies beside the band [lo, hi] of the same figure:
// Below, Above, or "" inside it (within a relative 1e-9, for rounding).
// A band may have an infinite end (draws of a run that never finishes);
// a typ that is not finite, or a NaN anywhere, lies nowhere: "".
func Outside(typ, lo, hi float64) string {
	if !finite(typ) || math.IsNaN(lo) || math.IsNaN(hi) {
		return ""
	}
	lo, hi = min(lo, hi), max(lo, hi)
	tol := 1e-9 * math.Abs(typ)
	switch {
	case typ < lo-tol:
		return Below
	case typ > hi+tol:
		return Above
	}
	return ""
}

// Beside is an estimate at typical values, Typ, beside the band [Lo, Hi]
// of the same figure.
type Beside struct{ Typ, Lo, Hi float64 }

// Apart is where an estimate at typical values lies beside the band of
// the same figure, Side (Outside's Below or Above; "" inside it), and
// why; the zero Apart lies inside. A result carries it so that its text
// and its JSON word the one decision.
type Apart struct{ Side, Why string }

// Apart decides where b.Typ lies beside its band, with why it may lie
// outside (Why is kept only where it does).
func (b Beside) Apart(why string) Apart {
	side := Outside(b.Typ, b.Lo, b.Hi)
	if side == "" {
		return Apart{}
	}
	return Apart{Side: side, Why: why}
}

// Note says in words that what (the estimate at typical values, the
// closed form at typical values) lies outside band (its name: "it" right
// after the band is printed, a field's name in JSON), and why: "the
// estimate at typical values lies below it: some typical values sit near
// an end of their ranges"; "" where it lies inside.
func (a Apart) Note(what, band string) string {
	if a.Side == "" {
		return ""
	}
	return fmt.Sprintf("%s lies %s %s: %s", what, a.Side, band, a.Why)
}

// Legend is the line under a table whose rows are marked "(typical
// below)" or "(typical above)" where an Apart lies outside: "typical
// below/above: what lies outside band: why".
func Legend(what, band, why string) string {
	return fmt.Sprintf("typical below/above: %s lies outside %s: %s", what, band, why)
}

// Note is b.Apart(why).Note(what, band): where a result carries no Apart.
func (b Beside) Note(what, band, why string) string { return b.Apart(why).Note(what, band) }
