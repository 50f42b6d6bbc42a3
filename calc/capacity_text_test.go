package calc

import (
	"math"
	"strings"
	"testing"

	"chipgap/serve"
)

// TestCapacityTextBurstAndRaise: an unbounded capacity's header names
// the burst probe's rate (serve.Result.BurstRate), not "every request at
// time 0" (the probe ran at a finite rate whose requests all arrived
// before the first completed); and the note on a raised probe gives the
// probe's own requests, from the result, in both branches: --requests
// 1000 on a probe of 2,560 (40 a replica of 64) says 2560, where it said
// MinProbeRequests' 2000; --requests 2000 raised to 2560 says so (it
// said nothing); a stated count the probe kept says nothing.
func TestCapacityTextBurstAndRaise(t *testing.T) {
	req := NewSimulateRequest()
	req.SLO.TTFT = 1
	for _, tc := range []struct {
		capacity      float64
		stated, probe int
		burst         float64
		want, not     []string
	}{
		{math.Inf(1), 1000, 2560, 102400, []string{"at 102400/s, a burst (every request arrived before the first completed), 2560 requests",
			"Capacity: unbounded", "(--requests 1000 raised to 2560 a probe:"}, []string{"time 0"}},
		{708.5, 2000, 2560, 0, []string{"at 708.5/s, 2560 requests", "(--requests 2000 raised to 2560 a probe:"}, []string{"burst"}},
		{708.5, 3000, 3000, 0, []string{"at 708.5/s, 3000 requests"}, []string{"raised"}},
	} {
		r := req
		r.Workload.Requests = tc.stated
		c := Capacity{Request: r, Capacity: tc.capacity, Result: &serve.Result{Requests: tc.probe, BurstRate: tc.burst}}
		var b strings.Builder
		if err := c.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, s := range tc.want {
			if !strings.Contains(b.String(), s) {
				t.Errorf("capacity %v, --requests %d: no %q in %.900s", tc.capacity, tc.stated, s, b.String())
			}
		}
		for _, s := range tc.not {
			if strings.Contains(b.String(), s) {
				t.Errorf("capacity %v, --requests %d: %q in %.900s", tc.capacity, tc.stated, s, b.String())
			}
		}
	}
}
