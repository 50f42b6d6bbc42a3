package units

import (
	"math"
	"testing"
)

// The parsers never panic, and whatever they accept prints and re-parses to
// the same value within print precision.
func FuzzParseBytes(f *testing.F) {
	for _, s := range []string{"80GiB", "141 GB", "1e3", "-1B", "", "GiB", "0x10GB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseBytes(s)
		if err != nil {
			return
		}
		back, err := ParseBytes(v.String())
		if err != nil {
			t.Fatalf("String() of %q = %q does not parse: %v", s, v.String(), err)
		}
		if d := math.Abs(float64(back - v)); d > 1e-3*math.Abs(float64(v))+1e-9 {
			t.Fatalf("round trip %q: %v -> %q -> %v", s, v, v.String(), back)
		}
	})
}

func FuzzParseRates(f *testing.F) {
	for _, s := range []string{"3.35TB/s", "400Gbps", "989TFLOPS", "624 TOPS", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseByteRate(s); err == nil {
			if _, err := ParseByteRate(v.String()); err != nil {
				t.Fatalf("ByteRate %q -> %q does not re-parse", s, v.String())
			}
		}
		if v, err := ParseFLOPRate(s); err == nil {
			if _, err := ParseFLOPRate(v.String()); err != nil {
				t.Fatalf("FLOPRate %q -> %q does not re-parse", s, v.String())
			}
		}
	})
}

func FuzzParseMisc(f *testing.F) {
	for _, s := range []string{"700W", "$2.5/h", "$30k", "50ms", "5kWh", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := ParseWatts(s); err == nil {
			if _, err := ParseWatts(v.String()); err != nil {
				t.Fatalf("Watts %q -> %q", s, v.String())
			}
		}
		if v, err := ParseSeconds(s); err == nil {
			if _, err := ParseSeconds(v.String()); err != nil {
				t.Fatalf("Seconds %q -> %q", s, v.String())
			}
		}
		if v, err := ParseUSD(s); err == nil {
			if _, err := ParseUSD(v.String()); err != nil {
				t.Fatalf("USD %q -> %q", s, v.String())
			}
		}
		if v, err := ParseJoules(s); err == nil {
			if _, err := ParseJoules(v.String()); err != nil {
				t.Fatalf("Joules %q -> %q", s, v.String())
			}
		}
		if v, err := ParseCount(s); err == nil && !(v == v) {
			t.Fatalf("Count %q -> NaN", s)
		}
		ParseUSDPerHour(s)
		ParseFLOP(s)
	})
}
