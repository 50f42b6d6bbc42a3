package units

import (
	"encoding/json"
	"flag"
	"math"
	"testing"
)

func close(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestParse(t *testing.T) {
	cases := []struct {
		in    string
		parse func(string) (float64, error)
		want  float64
	}{
		{"80GiB", func(s string) (float64, error) { v, err := ParseBytes(s); return float64(v), err }, 80 * 1073741824},
		{"141 GB", func(s string) (float64, error) { v, err := ParseBytes(s); return float64(v), err }, 141e9},
		{"85899345920", func(s string) (float64, error) { v, err := ParseBytes(s); return float64(v), err }, 85899345920},
		{"3.35TB/s", func(s string) (float64, error) { v, err := ParseByteRate(s); return float64(v), err }, 3.35e12},
		{"400Gbps", func(s string) (float64, error) { v, err := ParseByteRate(s); return float64(v), err }, 50e9},
		{"989TFLOPS", func(s string) (float64, error) { v, err := ParseFLOPRate(s); return float64(v), err }, 989e12},
		{"989.4 TFLOP/s", func(s string) (float64, error) { v, err := ParseFLOPRate(s); return float64(v), err }, 989.4e12},
		{"624TOPS", func(s string) (float64, error) { v, err := ParseFLOPRate(s); return float64(v), err }, 624e12},
		{"14.75GFLOP", func(s string) (float64, error) { v, err := ParseFLOP(s); return float64(v), err }, 14.75e9},
		{"700W", func(s string) (float64, error) { v, err := ParseWatts(s); return float64(v), err }, 700},
		{"1.2kW", func(s string) (float64, error) { v, err := ParseWatts(s); return float64(v), err }, 1200},
		{"5kWh", func(s string) (float64, error) { v, err := ParseJoules(s); return float64(v), err }, 1.8e7},
		{"50ms", func(s string) (float64, error) { v, err := ParseSeconds(s); return float64(v), err }, 0.05},
		{"90d", func(s string) (float64, error) { v, err := ParseSeconds(s); return float64(v), err }, 90 * 86400},
		{"$30k", func(s string) (float64, error) { v, err := ParseUSD(s); return float64(v), err }, 30000},
		{"$2.5M", func(s string) (float64, error) { v, err := ParseUSD(s); return float64(v), err }, 2.5e6},
		{"$2.5/h", func(s string) (float64, error) { v, err := ParseUSDPerHour(s); return float64(v), err }, 2.5},
		{"15T", ParseCount, 15e12},
		{"15.6e12", ParseCount, 15.6e12},
		{"300B", ParseCount, 300e9},
		{"300 G", ParseCount, 300e9},
		{"2.5M", ParseCount, 2.5e6},
		{"10k", ParseCount, 1e4},
	}
	for _, tc := range cases {
		got, err := tc.parse(tc.in)
		if err != nil || !close(got, tc.want) {
			t.Errorf("parse(%q) = %g, %v; want %g", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrorsNameTheInput(t *testing.T) {
	for _, in := range []string{"", "GB", "80 parsecs", "NaN", "1e999GB"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("ParseBytes(%q) succeeded, want an error", in)
		}
	}
	for _, in := range []string{"", "T", "15 tokens", "15t", "1e308T"} {
		if _, err := ParseCount(in); err == nil {
			t.Errorf("ParseCount(%q) succeeded, want an error", in)
		}
	}
	_, err := ParseWatts("7 horses")
	if err == nil || err.Error() != `invalid power "7 horses": want a number with one of the units GW, MW, kW, KW, W` {
		t.Errorf("ParseWatts error = %v", err)
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		got  string
		want string
	}{
		{(80 * GB).String(), "80 GB"},
		{(3.35 * TBps).String(), "3.35 TB/s"},
		{FLOPRate(989.4e12).String(), "989.4 TFLOP/s"},
		{Watts(700).String(), "700 W"},
		{Seconds(0.05).String(), "50 ms"},
		{(2 * Day).String(), "2 d"},
		{USD(2.7e6).String(), "$2.7M"},
		{USDPerHour(2.35).String(), "$2.35/h"},
		{Joules(3.6e9).String(), "1 MWh"},
		// Every integer digit up to 10¹⁵ of the largest unit, then an
		// exponent: 1e300 s was echoed in an error as 300 digits.
		{(12345 * Day).String(), "12345 d"},
		{Seconds(1e300).String(), "1.157e+295 d"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("String() = %q, want %q", tc.got, tc.want)
		}
	}
	if v, err := ParseSeconds(Seconds(1e300).String()); err != nil || math.Abs(float64(v)/1e300-1) > 1e-3 {
		t.Errorf("1e300 s prints as %q, which parses to %v, %v", Seconds(1e300).String(), v, err)
	}
}

func TestJSONNumbersInAndUnitsIn(t *testing.T) {
	type spec struct {
		HBM    Bytes    `json:"hbm"`
		BW     ByteRate `json:"bw"`
		Tokens Count    `json:"tokens"`
	}
	var s spec
	if err := json.Unmarshal([]byte(`{"hbm":"80GB","bw":3.35e12,"tokens":"15T"}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.HBM != 80*GB || s.BW != 3.35*TBps || s.Tokens != 15e12 {
		t.Fatalf("decoded %+v", s)
	}
	out, _ := json.Marshal(s)
	if string(out) != `{"hbm":80000000000,"bw":3350000000000,"tokens":15000000000000}` {
		t.Errorf("Marshal = %s", out)
	}
}

func TestFlagTextVar(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var p Watts
	fs.TextVar(&p, "power", Watts(0), "power")
	if err := fs.Parse([]string{"-power", "1.5kW"}); err != nil || p != 1500 {
		t.Fatalf("flag power = %v, %v", p, err)
	}
}

func TestHelpers(t *testing.T) {
	// 1 TB at 2 TB/s is 0.5 s; 1 PFLOP at 1 PFLOP/s is 1 s; 700 W for 1 h is 0.7 kWh;
	// $2.5/h for 3 h is $7.5.
	if got := (2 * TBps).Time(TB); got != 0.5 {
		t.Errorf("ByteRate.Time = %v", got)
	}
	if got := PFLOPS.Time(PFLOP); got != 1 {
		t.Errorf("FLOPRate.Time = %v", got)
	}
	if got := Watts(700).Energy(Hour).KWh(); !close(got, 0.7) {
		t.Errorf("Energy = %v kWh", got)
	}
	if got := USDPerHour(2.5).Cost(3 * Hour); !close(float64(got), 7.5) {
		t.Errorf("Cost = %v", got)
	}
}
