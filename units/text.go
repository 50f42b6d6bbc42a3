package units

import (
	"math"
	"strconv"
	"strings"
)

// Display ladders: the units String picks from, largest first.
var (
	byteLadder     = []suffix{{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"B", 1}}
	byteRateLadder = []suffix{{"TB/s", 1e12}, {"GB/s", 1e9}, {"MB/s", 1e6}, {"kB/s", 1e3}, {"B/s", 1}}
	flopLadder     = []suffix{{"EFLOP", 1e18}, {"PFLOP", 1e15}, {"TFLOP", 1e12}, {"GFLOP", 1e9}, {"MFLOP", 1e6}, {"FLOP", 1}}
	flopRateLadder = []suffix{{"EFLOP/s", 1e18}, {"PFLOP/s", 1e15}, {"TFLOP/s", 1e12}, {"GFLOP/s", 1e9}, {"FLOP/s", 1}}
	secondLadder   = []suffix{{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"ns", 1e-9}}
	wattLadder     = []suffix{{"GW", 1e9}, {"MW", 1e6}, {"kW", 1e3}, {"W", 1}}
	jouleLadder    = []suffix{{"GWh", 3.6e12}, {"MWh", 3.6e9}, {"kWh", 3.6e6}, {"kJ", 1e3}, {"J", 1}}
)

func (b Bytes) String() string    { return format(float64(b), byteLadder) }
func (r ByteRate) String() string { return format(float64(r), byteRateLadder) }
func (f FLOP) String() string     { return format(float64(f), flopLadder) }
func (r FLOPRate) String() string { return format(float64(r), flopRateLadder) }
func (s Seconds) String() string  { return format(float64(s), secondLadder) }
func (w Watts) String() string    { return format(float64(w), wattLadder) }
func (j Joules) String() string   { return format(float64(j), jouleLadder) }

// String prints money with a scale word: "$2.5", "$1.2M", "$3.4B".
func (u USD) String() string {
	v := float64(u)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	switch {
	case v >= 1e9:
		return sign + "$" + trim(v/1e9) + "B"
	case v >= 1e6:
		return sign + "$" + trim(v/1e6) + "M"
	case v >= 1e4:
		return sign + "$" + trim(v/1e3) + "k"
	}
	return sign + "$" + trim(v)
}

func (p USDPerHour) String() string { return USD(p).String() + "/h" }

// ParseBytes parses "80GiB", "141 GB" or a bare number of bytes.
func ParseBytes(s string) (Bytes, error) {
	v, err := parse("bytes", s, byteSuffixes)
	return Bytes(v), err
}

// ParseByteRate parses "3.35TB/s", "400Gbps" or a bare number of bytes per second.
func ParseByteRate(s string) (ByteRate, error) {
	v, err := parse("byte rate", s, byteRateSuffixes)
	return ByteRate(v), err
}

// ParseFLOP parses "14.75GFLOP" or a bare count.
func ParseFLOP(s string) (FLOP, error) {
	v, err := parse("FLOP count", s, flopSuffixes)
	return FLOP(v), err
}

// ParseFLOPRate parses "989TFLOPS", "989 TFLOP/s", "624TOPS" or a bare rate.
func ParseFLOPRate(s string) (FLOPRate, error) {
	v, err := parse("FLOP rate", s, flopRateSuffixes)
	return FLOPRate(v), err
}

// ParseSeconds parses "90d", "3h", "50ms" or a bare number of seconds.
func ParseSeconds(s string) (Seconds, error) {
	v, err := parse("duration", s, secondSuffixes)
	return Seconds(v), err
}

// UnitlessDuration reports whether s, written where a duration needs
// its unit, is a bare number other than 0 ("50", which reads like
// milliseconds): the one rule the command line's flags, the API's JSON
// strings and YAML's quoted values refuse by ("0" is no bound either
// way).
func UnitlessDuration(s string) bool {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil && x != 0
}

// ParseWatts parses "700W", "1.2kW" or a bare number of watts.
func ParseWatts(s string) (Watts, error) {
	v, err := parse("power", s, wattSuffixes)
	return Watts(v), err
}

// ParseJoules parses "5kWh", "3MJ" or a bare number of joules.
func ParseJoules(s string) (Joules, error) {
	v, err := parse("energy", s, jouleSuffixes)
	return Joules(v), err
}

// ParseCount parses a count with an SI scale: "15T", "15.6e12",
// "300B" (10⁹, as "300G"), "2.5M", "10k".
func ParseCount(s string) (float64, error) {
	return parse("count", s, countSuffixes)
}

// Count is a dimensionless number people write with an SI scale, a
// token budget above all: "15T", "300B" (ParseCount). JSON carries it as
// a plain number and takes either on input, as the unit types do.
type Count float64

func (c *Count) UnmarshalText(t []byte) error {
	v, err := ParseCount(string(t))
	*c = Count(v)
	return err
}

// ParseUSD parses "$30000", "$30k", "$2.5M", "30000" or "30000 USD".
func ParseUSD(s string) (USD, error) {
	in := strings.TrimSpace(s)
	in = strings.TrimSpace(strings.TrimSuffix(in, "USD"))
	sign := 1.0
	if strings.HasPrefix(in, "-$") {
		sign, in = -1, in[1:]
	}
	in = strings.TrimPrefix(in, "$")
	mult := 1.0
	switch {
	case strings.HasSuffix(in, "k"), strings.HasSuffix(in, "K"):
		mult, in = 1e3, in[:len(in)-1]
	case strings.HasSuffix(in, "M"):
		mult, in = 1e6, in[:len(in)-1]
	case strings.HasSuffix(in, "B"):
		mult, in = 1e9, in[:len(in)-1]
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(in), 64)
	if err != nil || v != v || v > 1e300 || v < -1e300 {
		return 0, &ParseError{Kind: "amount of money", Input: s, Want: "$N, $Nk, $NM, $NB or N USD"}
	}
	if math.IsInf(v*mult, 0) {
		return 0, &ParseError{Kind: "amount of money", Input: s, Want: "$N, $Nk, $NM, $NB or N USD"}
	}
	return USD(sign * v * mult), nil
}

// ParseUSDPerHour parses "$2.5/h", "2.5/h", "$2.5/hr" or a bare number of dollars per hour.
func ParseUSDPerHour(s string) (USDPerHour, error) {
	in := strings.TrimSpace(s)
	for _, sf := range []string{"/hour", "/hr", "/h"} {
		in = strings.TrimSuffix(in, sf)
	}
	v, err := ParseUSD(in)
	if err != nil {
		return 0, &ParseError{Kind: "hourly price", Input: s, Want: "$N/h"}
	}
	return USDPerHour(v), nil
}

// Text marshalling: each type reads and writes its own spelling, so YAML,
// JSON and flag.TextVar share one parser.

func (b Bytes) MarshalText() ([]byte, error)    { return []byte(b.String()), nil }
func (r ByteRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
func (f FLOP) MarshalText() ([]byte, error)     { return []byte(f.String()), nil }
func (r FLOPRate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }
func (s Seconds) MarshalText() ([]byte, error)  { return []byte(s.String()), nil }
func (w Watts) MarshalText() ([]byte, error)    { return []byte(w.String()), nil }
func (j Joules) MarshalText() ([]byte, error)   { return []byte(j.String()), nil }
func (u USD) MarshalText() ([]byte, error)      { return []byte(u.String()), nil }
func (p USDPerHour) MarshalText() ([]byte, error) {
	return []byte(p.String()), nil
}

func (b *Bytes) UnmarshalText(t []byte) (err error)    { *b, err = ParseBytes(string(t)); return }
func (r *ByteRate) UnmarshalText(t []byte) (err error) { *r, err = ParseByteRate(string(t)); return }
func (f *FLOP) UnmarshalText(t []byte) (err error)     { *f, err = ParseFLOP(string(t)); return }
func (r *FLOPRate) UnmarshalText(t []byte) (err error) { *r, err = ParseFLOPRate(string(t)); return }
func (s *Seconds) UnmarshalText(t []byte) (err error)  { *s, err = ParseSeconds(string(t)); return }
func (w *Watts) UnmarshalText(t []byte) (err error)    { *w, err = ParseWatts(string(t)); return }
func (j *Joules) UnmarshalText(t []byte) (err error)   { *j, err = ParseJoules(string(t)); return }
func (u *USD) UnmarshalText(t []byte) (err error)      { *u, err = ParseUSD(string(t)); return }
func (p *USDPerHour) UnmarshalText(t []byte) (err error) {
	*p, err = ParseUSDPerHour(string(t))
	return
}
