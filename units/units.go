package units

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Bytes is an amount of data, in bytes.
type Bytes float64

// ByteRate is a data rate, in bytes per second.
type ByteRate float64

// FLOP is a count of floating-point (or integer) operations.
type FLOP float64

// FLOPRate is a compute rate, in operations per second.
type FLOPRate float64

// Seconds is a duration, in seconds. Simulations use integer time.Duration;
// estimators use Seconds.
type Seconds float64

// Watts is a power, in watts.
type Watts float64

// Joules is an energy, in joules.
type Joules float64

// USD is an amount of money, in US dollars.
type USD float64

// USDPerHour is a rental or running cost, in US dollars per hour.
type USDPerHour float64

// Decimal and binary multiples.
const (
	KB  Bytes = 1e3
	MB  Bytes = 1e6
	GB  Bytes = 1e9
	TB  Bytes = 1e12
	KiB Bytes = 1 << 10
	MiB Bytes = 1 << 20
	GiB Bytes = 1 << 30
	TiB Bytes = 1 << 40

	GBps ByteRate = 1e9
	TBps ByteRate = 1e12

	GFLOP FLOP = 1e9
	TFLOP FLOP = 1e12
	PFLOP FLOP = 1e15

	TFLOPS FLOPRate = 1e12
	PFLOPS FLOPRate = 1e15

	Minute Seconds = 60
	Hour   Seconds = 3600
	Day    Seconds = 86400

	KW Watts = 1e3
	MW Watts = 1e6

	KWh Joules = 3.6e6
	MWh Joules = 3.6e9
)

// Time returns how long moving b bytes takes at rate r.
func (r ByteRate) Time(b Bytes) Seconds {
	return Seconds(float64(b) / float64(r))
}

// Time returns how long executing f operations takes at rate r.
func (r FLOPRate) Time(f FLOP) Seconds {
	return Seconds(float64(f) / float64(r))
}

// Energy returns the energy drawn at power w over duration s.
func (w Watts) Energy(s Seconds) Joules {
	return Joules(float64(w) * float64(s))
}

// Cost returns what running at price p for duration s costs.
func (p USDPerHour) Cost(s Seconds) USD {
	return USD(float64(p) * float64(s) / float64(Hour))
}

// Hours returns s in hours.
func (s Seconds) Hours() float64 { return float64(s) / float64(Hour) }

// Days returns s in days.
func (s Seconds) Days() float64 { return float64(s) / float64(Day) }

// KWh returns j in kilowatt-hours.
func (j Joules) KWh() float64 { return float64(j) / float64(KWh) }

// A suffix maps a unit spelling to its multiplier in the base unit.
type suffix struct {
	name string
	mult float64
}

// Suffix tables, longest spellings first so that "GiB" wins over "B".
var (
	byteSuffixes = []suffix{
		{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
		{"PB", 1e15}, {"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"KB", 1e3}, {"B", 1},
	}
	byteRateSuffixes = []suffix{
		{"TiB/s", 1 << 40}, {"GiB/s", 1 << 30}, {"MiB/s", 1 << 20},
		{"TB/s", 1e12}, {"GB/s", 1e9}, {"MB/s", 1e6}, {"kB/s", 1e3}, {"B/s", 1},
		{"Tbit/s", 1e12 / 8}, {"Gbit/s", 1e9 / 8}, {"Mbit/s", 1e6 / 8},
		{"Tbps", 1e12 / 8}, {"Gbps", 1e9 / 8}, {"Mbps", 1e6 / 8},
	}
	flopSuffixes = []suffix{
		{"EFLOP", 1e18}, {"PFLOP", 1e15}, {"TFLOP", 1e12}, {"GFLOP", 1e9}, {"MFLOP", 1e6}, {"FLOP", 1},
	}
	flopRateSuffixes = []suffix{
		{"EFLOP/s", 1e18}, {"PFLOP/s", 1e15}, {"TFLOP/s", 1e12}, {"GFLOP/s", 1e9},
		{"EFLOPS", 1e18}, {"PFLOPS", 1e15}, {"TFLOPS", 1e12}, {"GFLOPS", 1e9}, {"FLOPS", 1}, {"FLOP/s", 1},
		{"POPS", 1e15}, {"TOPS", 1e12}, {"GOPS", 1e9},
	}
	secondSuffixes = []suffix{
		{"ms", 1e-3}, {"us", 1e-6}, {"µs", 1e-6}, {"ns", 1e-9},
		{"days", 86400}, {"day", 86400}, {"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1},
	}
	wattSuffixes = []suffix{
		{"GW", 1e9}, {"MW", 1e6}, {"kW", 1e3}, {"KW", 1e3}, {"W", 1},
	}
	// countSuffixes scale a plain count: "15T" tokens, "300B", "2.5M"
	// (B and G both 10⁹, as token budgets and parameter counts are
	// written).
	countSuffixes = []suffix{
		{"T", 1e12}, {"G", 1e9}, {"B", 1e9}, {"M", 1e6}, {"k", 1e3}, {"K", 1e3},
	}
	jouleSuffixes = []suffix{
		{"GWh", 3.6e12}, {"MWh", 3.6e9}, {"kWh", 3.6e6}, {"Wh", 3600},
		{"GJ", 1e9}, {"MJ", 1e6}, {"kJ", 1e3}, {"J", 1},
	}
)

// ParseError reports a quantity that could not be parsed.
type ParseError struct {
	Kind  string // "bytes", "byte rate", ...
	Input string
	Want  string // the spellings allowed
	// Rule, when set, is what is wanted instead of one of Want's units
	// ("want a unit (50ms) or a JSON number of seconds").
	Rule string
}

func (e *ParseError) Error() string {
	if e.Rule != "" {
		return fmt.Sprintf("invalid %s %q: %s", e.Kind, e.Input, e.Rule)
	}
	return fmt.Sprintf("invalid %s %q: want a number with one of the units %s", e.Kind, e.Input, e.Want)
}

// parse reads "80GiB", "3.35 TB/s" or a bare number (the base unit).
func parse(kind, s string, table []suffix) (float64, error) {
	in := strings.TrimSpace(s)
	mult := 1.0
	num := in
	for _, sf := range table {
		if strings.HasSuffix(in, sf.name) {
			num = strings.TrimSpace(strings.TrimSuffix(in, sf.name))
			mult = sf.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if (err == nil || errors.Is(err, strconv.ErrRange)) && (math.IsInf(v, 0) || math.IsInf(v*mult, 0)) {
		// A number, too large for one: say so, not "want a number".
		return 0, &ParseError{Kind: kind, Input: s, Want: spellings(table), Rule: "the number overflows: want a finite one"}
	}
	if err != nil || math.IsNaN(v) {
		return 0, &ParseError{Kind: kind, Input: s, Want: spellings(table)}
	}
	return v * mult, nil
}

func spellings(table []suffix) string {
	names := make([]string, len(table))
	for i, sf := range table {
		names[i] = sf.name
	}
	return strings.Join(names, ", ")
}

// format prints v scaled to the largest unit of ladder that keeps it ≥ 1.
// ladder is ordered from the largest unit to the base unit.
func format(v float64, ladder []suffix) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', 4, 64) + " " + ladder[len(ladder)-1].name
	}
	for _, sf := range ladder {
		if math.Abs(v) >= sf.mult*0.9995 {
			return trim(v/sf.mult) + " " + sf.name
		}
	}
	last := ladder[len(ladder)-1]
	return trim(v/last.mult) + " " + last.name
}

// trim prints 4 significant digits without trailing zeros; from 10⁴ to
// 10¹⁵ every integer digit (12,345 d, not 1.234e+04 d), and beyond in
// exponent form, so an absurd input (1e300 s) is not echoed as 300 digits.
func trim(x float64) string {
	if a := math.Abs(x); a >= 1e4 && a < 1e15 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// Dimensionless is a plain number that still travels as a sourced value
// (a count, a ratio, an area in mm², a fraction).
type Dimensionless float64
