package units

import (
	"encoding/json"
	"testing"
)

func TestReportingUnits(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"1.5 days in s", float64(Days(1.5).Seconds()), 129600},
		{"2 h in s", float64(Hours(2).Seconds()), 7200},
		{"250 ms in s", float64(Millis(250).Seconds()), 0.25},
		{"1 kWh in J", float64(KilowattHours(1).Joules()), 3.6e6},
		{"400 Gbit/s in B/s", float64(GigabitsPerSec(400).ByteRate()), 50e9},
		{"86400 s in days", float64(Seconds(86400).InDays()), 1},
		{"5400 s in h", float64(Seconds(5400).InHours()), 1.5},
		{"0.035 s in ms", float64(Seconds(0.035).InMillis()), 35},
		{"7.2e6 J in kWh", float64(Joules(7.2e6).InKWh()), 2},
		{"25e9 B/s in Gbit/s", float64(ByteRate(25e9).InGbps()), 200},
	} {
		if d := c.got - c.want; d > 1e-9*c.want || d < -1e-9*c.want {
			t.Errorf("%s = %g, want %g", c.name, c.got, c.want)
		}
	}
	b, err := json.Marshal(struct {
		Wall Days   `json:"wall_days"`
		TTFT Millis `json:"ttft_ms"`
	}{54.5, 120})
	if err != nil || string(b) != `{"wall_days":54.5,"ttft_ms":120}` {
		t.Errorf("JSON %s, %v: want the plain numbers", b, err)
	}
}
