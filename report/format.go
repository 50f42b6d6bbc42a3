package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"chipgap/scenario"
	"chipgap/uncertain"
)

// fmtFn formats one number for display (already in display units).
type fmtFn func(float64) string

// fixed formats with d decimals, thousands separated.
func fixed(d int) fmtFn {
	return func(v float64) string {
		if s, ok := special(v); ok {
			return s
		}
		out := fmt.Sprintf("%.*f", d, v)
		if strings.Trim(out, "-0.") == "" {
			out = strings.TrimPrefix(out, "-") // no "-0"
		}
		return group(out)
	}
}

// sig formats with about three significant figures.
func sig(v float64) string {
	if s, ok := special(v); ok {
		return s
	}
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return group(fmt.Sprintf("%.0f", v))
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

// money formats US dollars with a scale word.
func money(v float64) string {
	if s, ok := special(v); ok {
		return s
	}
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return fmt.Sprintf("$%.2fB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("$%.1fM", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("$%.1fk", v/1e3)
	default:
		return fmt.Sprintf("$%.2f", v)
	}
}

// count formats large counts with k/M.
func count(v float64) string {
	if s, ok := special(v); ok {
		return s
	}
	switch a := math.Abs(v); {
	case a >= 1e12:
		return fmt.Sprintf("%.3gT", v/1e12)
	case a >= 1e9:
		return fmt.Sprintf("%.3gB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func pct(v float64) string {
	if s, ok := special(v); ok {
		return s
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// times formats a ratio; a ratio over a run that never finishes is
// unbounded ("∞×": "never" would not read as a multiple).
func times(v float64) string {
	if math.IsInf(v, 1) {
		return "∞×"
	}
	if s, ok := special(v); ok {
		return s
	}
	return fmt.Sprintf("%.2f×", v)
}

func special(v float64) (string, bool) {
	switch {
	case math.IsInf(v, 1):
		return "never", true
	case math.IsInf(v, -1):
		return "-∞", true
	case math.IsNaN(v):
		return "n/a", true
	}
	return "", false
}

// group puts thousands separators into the integer part of a number.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// rng formats a Stat as "P50 [P10–P90]" after scaling by f, marked
// where the estimate at typical values lies outside the P10–P90
// (typMark, counted in b.marks): "72 [68–78] (typical below: 65)".
func (b *builder) rng(s scenario.Stat, scale float64, f fmtFn) string {
	return band(s, scale, f) + b.typMark(s, scale, f)
}

// band formats a Stat as "P50 [P10–P90]" after scaling by f, unmarked.
func band(s scenario.Stat, scale float64, f fmtFn) string {
	s = s.Scale(scale)
	lo, hi := f(s.P10), f(s.P90)
	if lo == hi {
		return f(s.P50)
	}
	return fmt.Sprintf("%s [%s–%s]", f(s.P50), lo, hi)
}

// typMark is " (typical below: 65)" (or above) where the estimate at
// typical values lies outside the samples' P10–P90 (scenario.Stat.Apart,
// the decision the JSON's "typ_outside" words) and prints apart from
// that end at f's precision, else "". It counts each
// mark in b.marks: a part of the report whose cells carry one takes
// typLegend, which says what it means (Build, add).
func (b *builder) typMark(s scenario.Stat, scale float64, f fmtFn) string {
	a := s.Apart()
	if a.Side == "" {
		return ""
	}
	// Marked only where the typical value prints apart from the end it
	// lies beyond: "$0.61 [0.48–0.80] (typical below: 0.48)" told nothing.
	end := s.P10
	if a.Side == "above" {
		end = s.P90
	}
	if f(s.Typ*scale) == f(end*scale) {
		return ""
	}
	b.marks++
	return fmt.Sprintf(" (typical %s: %s)", a.Side, f(s.Typ*scale))
}

// typLegend is the line under a table, a section's text or the headline
// whose figures carry typMark's marks, in uncertain.Legend's words, as
// calc's serve and fab tables word theirs.
var typLegend = uncertain.Legend(uncertain.TypicalEstimate+", the figure after the colon,", "its P10–P90", uncertain.NearEnd) + "."

// catalogRange formats a catalog input as compare-chips does: its
// typical value [min–max] after scaling by f, the typical value alone
// where the range is one value.
func catalogRange(in scenario.Input, scale float64, f fmtFn) string {
	lo, typ, hi := f(in.Min*scale), f(in.Typ*scale), f(in.Max*scale)
	if lo == hi {
		return typ
	}
	return fmt.Sprintf("%s [%s–%s]", typ, lo, hi)
}

// stat formats a figure from a stats map, or "–" when absent.
func (b *builder) stat(m map[string]scenario.Stat, key string, scale float64, f fmtFn) string {
	s, ok := m[key]
	if !ok {
		return "–"
	}
	return b.rng(s, scale, f)
}

// takes is "LABEL VERB N [P10–P90] days" ("H100 takes 76 [71–82] days";
// an empty verb for the second of a pair: "CM384 260 [208–370] days"),
// marked after "days" where its typical value lies outside the band
// (typMark), or, where the median run never finishes (failures outpace
// checkpoints in over half the samples), "LABEL never finishes (in more
// than half the samples)".
func (b *builder) takes(label, verb string, m map[string]scenario.Stat, key string) string {
	s, ok := m[key]
	if ok && math.IsInf(s.P50, 1) {
		return label + " never finishes (in more than half the samples)"
	}
	days, mark := "–", ""
	if ok {
		days, mark = band(s, 1, fixed(0)), b.typMark(s, 1, fixed(0))
	}
	return strings.Join(slices.DeleteFunc([]string{label, verb, days, "days" + mark}, func(w string) bool { return w == "" }), " ")
}

// Display scales.
const (
	perDay    = 1.0
	perPFLOPS = 1e-15
	perTBps   = 1e-12
	perGWh    = 1 / 3.6e12
	perMonth  = 12 / 365.25
)
