package web

import (
	"strings"
	"testing"
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
		} `json:"result"`
		Charts []struct{ Key, SVG string } `json:"charts"`
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
	dis := `{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "parallel": {"tp": 1},
	  "prefill": {"chip": "mi300x", "chips": 1, "parallel": {"tp": 1}}, "workload": {"rate": 2, "requests": 300}}`
	got.Pools = nil
	if st := do(t, "POST", srv.URL+"/api/serve/simulate", dis, &got); st != 200 || len(got.Pools) != 2 || got.Pools[0].Name != "prefill" {
		t.Fatalf("disaggregated: status %d, pools %+v", st, got.Pools)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "router": "random", "workload": {"rate": 1}}`, "deployment.router"},
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"rate": -1}}`, "workload.rate"},
		{`{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 1, "workload": {"rate": 1, "requests": 5000000}}`, "workload.requests"},
	} {
		var e struct{ Field string }
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", tc.body, &e); st != 400 || e.Field != tc.field {
			t.Errorf("%s: status %d field %q, want 400 %q", tc.body, st, e.Field, tc.field)
		}
	}
}
