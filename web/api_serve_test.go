package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"chipgap/calc"
)

// TestServeSimulate: the serving simulation answers with the result of
// package serve (every request completed, TTFT percentiles in order) and
// two SVG charts; a disaggregated request gets two pools and a link; bad
// fields are 400s naming them.
func TestServeSimulate(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got struct {
		Pools  []struct{ Name string } `json:"pools"`
		Result struct {
			Completed int `json:"requests_completed"`
			TTFT      struct {
				P50, P99 float64
			} `json:"ttft_ms"`
			Cost struct {
				PerHour float64 `json:"usd_per_hour"`
				PerMOut float64 `json:"usd_per_m_output_tokens"`
			} `json:"cost"`
		} `json:"result"`
		Charts []struct{ Key, SVG string } `json:"charts"`
		Owned  *struct {
			PerHour float64 `json:"usd_per_hour"`
			PerMOut float64 `json:"usd_per_m_output_tokens"`
		} `json:"owned_cost"`
	}
	body := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 2, "parallel": {"tp": 1},
	  "workload": {"rate": 5, "requests": 1000, "seed": 3, "input": {"dist": "lognormal", "tokens": 800, "sigma": 0.7}},
	  "slo": {"ttft": "1s", "tpot": "50ms"}}`
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", body, &got); st != 200 {
		t.Fatalf("status %d", st)
	}
	if got.Result.Completed != 1000 || !(got.Result.TTFT.P50 > 0 && got.Result.TTFT.P99 >= got.Result.TTFT.P50) {
		t.Fatalf("result %+v", got.Result)
	}
	if len(got.Charts) != 2 || !strings.HasPrefix(got.Charts[0].SVG, "<svg") {
		t.Fatalf("charts %d, want 2 SVGs", len(got.Charts))
	}
	// The API carries the owned cost as `chipgap simulate --json` does:
	// the same tokens priced at the owned chip-hour, so the two costs per
	// million output tokens stand as their hourly rates (result.cost is
	// the chips rented).
	rc := got.Result.Cost
	if got.Owned == nil || !(got.Owned.PerHour > 0) || math.Abs(got.Owned.PerMOut/rc.PerMOut-got.Owned.PerHour/rc.PerHour) > 1e-9 {
		t.Fatalf("owned cost %+v beside rented %+v: want the same tokens at the owned rate", got.Owned, rc)
	}
	// An offline run of the pool carries its offline regime's band.
	var off struct {
		Band *struct {
			Low, High float64
			Runs      int
		} `json:"measured_band"`
	}
	offline := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "parallel": {"tp": 1}, "workload": {"arrival": "offline", "requests": 300}}`
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", offline, &off); st != 200 || off.Band == nil || !(off.Band.Low < off.Band.High) || off.Band.Runs < 10 {
		t.Fatalf("offline: status %d, band %+v", st, off.Band)
	}
	dis := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "parallel": {"tp": 1},
	  "prefill": {"chip": "mi300x", "chips": 1, "parallel": {"tp": 1}}, "workload": {"rate": 2, "requests": 300}}`
	got.Pools = nil
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", dis, &got); st != 200 || len(got.Pools) != 2 || got.Pools[0].Name != "prefill" {
		t.Fatalf("disaggregated: status %d, pools %+v", st, got.Pools)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "router": "random", "workload": {"rate": 1}}`, "router"}, // the request's field, not package serve's name for it
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"rate": -1}}`, "workload.rate"},
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"rate": 1, "requests": 5000000}}`, "workload.requests"},
	} {
		var e struct{ Field string }
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", tc.body, &e); st != 400 || e.Field != tc.field {
			t.Errorf("%s: status %d field %q, want 400 %q", tc.body, st, e.Field, tc.field)
		}
	}
}

// TestServeSweep: workload.rates simulates each rate with the same seed
// (a point equals the single-rate answer at that rate), shows the highest
// rate that keeps up with its charts and adds the latency-against-rate
// chart; the caps on rates and simulated tokens are 400s naming the field.
func TestServeSweep(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	type answer struct {
		Rate   float64 `json:"rate"`
		Result struct {
			TTFT     struct{ P50 float64 } `json:"ttft_ms"`
			Overload *struct{}             `json:"overload"`
			Series   []struct{}            `json:"series"`
		} `json:"result"`
		Charts []struct{ Key string } `json:"charts"`
		Sweep  []struct {
			Rate   float64
			Result struct {
				TTFT     struct{ P50 float64 } `json:"ttft_ms"`
				Overload *struct{}             `json:"overload"`
				Series   []struct{}            `json:"series"`
			}
		} `json:"sweep"`
	}
	// Two H100s serving the 70B model keep up with 0.5 requests/s of
	// 2000-token prompts and 500-token outputs, not with 50 (the CLI says
	// the same: chipgap simulate --rates 0.5,50).
	const pool = `"model": "llama3.1-70b", "chip": "h100-sxm", "chips": 2, "parallel": {"tp": 2}`
	const lens = `"requests": 300, "seed": 4, "input": {"tokens": 2000}, "output": {"tokens": 500}`
	var sw, one answer
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", `{`+pool+`, "workload": {"rates": [50, 0.5], `+lens+`}}`, &sw); st != 200 {
		t.Fatalf("sweep: status %d", st)
	}
	if len(sw.Sweep) != 2 || sw.Sweep[0].Rate != 50 || sw.Sweep[0].Result.Overload == nil || sw.Sweep[1].Result.Overload != nil {
		t.Fatalf("sweep points %+v: want 50 overloaded, 0.5 not", sw.Sweep)
	}
	if sw.Rate != 0.5 || sw.Result.Overload != nil || len(sw.Result.Series) == 0 || len(sw.Sweep[0].Result.Series) != 0 {
		t.Errorf("sweep shows rate %g (series %d, the other point's %d): want 0.5 with its series, the others without",
			sw.Rate, len(sw.Result.Series), len(sw.Sweep[0].Result.Series))
	}
	if len(sw.Charts) != 3 || sw.Charts[2].Key != "sweep" {
		t.Errorf("sweep charts %+v, want queue, kv, sweep", sw.Charts)
	}
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", `{`+pool+`, "workload": {"rate": 0.5, `+lens+`}}`, &one); st != 200 {
		t.Fatalf("single rate: status %d", st)
	}
	if one.Result.TTFT.P50 != sw.Result.TTFT.P50 || one.Sweep != nil || len(one.Charts) != 2 {
		t.Errorf("single rate 0.5: TTFT P50 %g, sweep's %g (want equal: same seed); sweep %v, %d charts", one.Result.TTFT.P50, sw.Result.TTFT.P50, one.Sweep, len(one.Charts))
	}
	for _, tc := range []struct{ workload, field string }{
		{`"rates": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]`, "workload.rates"},
		// rate with rates is no longer refused: rates sweep, as on the CLI
		// (rate has a default, 10/s, on both roads).
		{`"rates": [1, -2]`, "workload.rates[1]"},
		{`"rate": 0`, "workload.rate"},
		// 1,000,000 × 2 rates × 600 tokens = 1.2e9 output tokens > 1e9.
		{`"rates": [1, 2], "requests": 1000000, "output": {"tokens": 600}`, "workload.requests"},
		{`"rate": 1, "requests": 10000, "output": {"dist": "uniform", "min": 100000, "max": 300000}`, "workload.requests"},
		// 100,000 one-chip replicas × 200,000 requests = 2e10 routing steps > 1e10.
		{`"rate": 1, "requests": 200000, "output": {"tokens": 10}`, "chips"},
	} {
		var e struct{ Field string }
		chips := 1
		if tc.field == "chips" {
			chips = 100_000
		}
		body := fmt.Sprintf(`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": %d, "parallel": {"tp": 1}, "workload": {%s}}`, chips, tc.workload)
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", body, &e); st != 400 || e.Field != tc.field {
			t.Errorf("%s: status %d field %q, want 400 %q", tc.workload, st, e.Field, tc.field)
		}
	}
}

// TestServeLimitsConfigurable: the serving simulation's caps are Limits
// fields, reported by GET /api/limits (defaults as docs/api.md gives them)
// and enforced at the configured values.
func TestServeLimitsConfigurable(t *testing.T) {
	def, _ := newTestServer(t, Limits{})
	var lim map[string]float64
	do(t, "GET", def.URL+"/api/limits", "", &lim)
	for k, want := range map[string]float64{"max_serve_requests": 1e6, "max_serve_rates": 12, "max_serve_output_tokens": 1e9,
		"max_serve_routing": 1e10, "max_serve_chips": 100000} {
		if lim[k] != want {
			t.Errorf("GET /api/limits %s = %g, want the default %g", k, lim[k], want)
		}
	}
	srv, _ := newTestServer(t, Limits{MaxServeRequests: 50, MaxServeRates: 2, MaxServeTokens: 1e4, MaxServeRouting: 100, MaxServeChips: 16})
	base := `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"output":{"tokens":100}}}`
	cases := []struct{ name, from, to, field string }{
		{"requests", `"requests":10`, `"requests":51`, "workload.requests"},
		{"rates", `"rate":1,`, `"rates":[1,2,3],`, "workload.rates"},
		{"tokens", `"tokens":100`, `"tokens":1001`, "workload.requests"},
		{"routing", `"chips":8,`, `"chips":16,"parallel":{"tp":1},`, "chips"},
		{"chips", `"chips":8,`, `"chips":24,`, "chips"},
	}
	for _, tc := range cases {
		var e Error
		body := strings.Replace(base, tc.from, tc.to, 1)
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", body, &e); st != 400 || e.Field != tc.field {
			t.Errorf("%s over its configured cap: %s = %d %+v, want 400 naming %s", tc.name, body, st, e, tc.field)
		}
	}
	var ok calc.SimulateView
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", base, &ok); st != 200 {
		t.Errorf("a request inside every configured cap = %d, want 200", st)
	}
}

// TestServeOffline: arrival offline queues every request at time 0 (an
// offline throughput benchmark): no rate is needed, all requests complete
// without an overload, and a rate sweep is a 400 naming workload.rates.
func TestServeOffline(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got struct {
		Result struct {
			RequestsCompleted int       `json:"requests_completed"`
			Overload          *struct{} `json:"overload"`
			Throughput        struct {
				PerChip float64 `json:"output_tokens_per_s_per_chip"`
			} `json:"throughput"`
		} `json:"result"`
	}
	body := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "parallel": {"tp": 1},
	  "workload": {"arrival": "offline", "rate": 0, "requests": 300, "input": {"dist": "fixed", "tokens": 1000}, "output": {"dist": "fixed", "tokens": 200}}}`
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", body, &got); st != 200 {
		t.Fatalf("offline: status %d", st)
	}
	if r := got.Result; r.RequestsCompleted != 300 || r.Overload != nil || !(r.Throughput.PerChip > 0) {
		t.Errorf("offline: %d completed, overload %v, %g tokens/s per chip; want 300, none, > 0", r.RequestsCompleted, r.Overload, r.Throughput.PerChip)
	}
	var e struct{ Field string }
	sweep := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"arrival": "offline", "rates": [1, 2]}}`
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", sweep, &e); st != 400 || e.Field != "workload.rates" {
		t.Errorf("offline with rates: status %d field %q, want 400 workload.rates", st, e.Field)
	}
}

// TestServeSimulateUnusedFields: a field the simulation would ignore is
// a 400 naming it, as the CLI refuses its flag: cv under Poisson
// arrivals, a rate beside a sweep, a lognormal's sigma on a fixed length.
func TestServeSimulateUnusedFields(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	base := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"requests": 20, %s}}`
	for _, c := range []struct{ workload, field string }{
		{`"cv": 3`, "workload.cv"},
		{`"rate": 4, "rates": [1, 2]`, "workload.rate"},
		{`"input": {"dist": "fixed", "sigma": 0.3}`, "workload.input.sigma"},
	} {
		var e Error
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", fmt.Sprintf(base, c.workload), &e); st != 400 || e.Field != c.field {
			t.Errorf("%s: status %d %+v, want 400 naming %s", c.workload, st, e, c.field)
		}
	}
}

// TestServeSweepProgress: a sweep job's progress counts every rate's
// requests, repeated rates included, and never goes backwards. Before:
// the rate was told apart by its value, so rates [5, 5, 5] ended done at
// 3000 of 9000 requests, the count falling back as each run began.
func TestServeSweepProgress(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	body := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "parallel": {"tp": 1},
	  "workload": {"rates": [5, 5, 5], "requests": 3000, "input": {"tokens": 200}, "output": {"tokens": 20}}}`
	var j jobView
	if st := do(t, "POST", srv.URL+"/api/serve/simulate?async=1", body, &j); st != http.StatusAccepted {
		t.Fatalf("POST /api/serve/simulate?async=1 = %d, want 202", st)
	}
	var seen []int64
	v := j
	for deadline := time.Now().Add(60 * time.Second); v.State == "running" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		v = jobView{}
		do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &v)
		seen = append(seen, v.Progress.Done)
	}
	if v.State != "done" || v.Progress.Done != 9000 || v.Progress.Total != 9000 {
		t.Errorf("job %s with progress %+v, want done with 9000 of 9000 requests", v.State, v.Progress)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] < seen[i-1] {
			t.Errorf("progress went back from %d to %d (polls: %v)", seen[i-1], seen[i], seen)
			break
		}
	}
}
