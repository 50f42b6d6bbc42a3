package web

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// A request whose plan search holds millions of plans (Qwen3-235B-A22B on
// 262,144 chips: about 9.5 M) stops at the request timeout: the search
// asks the request's context before each shape (training.SearchOptions.
// Stop). Before, POST /api/run/simulate ran its whole search (12.7 s
// here) whatever the timeout, and a synchronous report ran 59 s past a
// 15 s one, holding its slot; the report's admission estimate then stayed
// over the timeout and refused every later report. Now both answer 504
// soon after the timeout and the next small request is served.
func TestHugeSearchesStopAtTheTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("starts searches of millions of plans")
	}
	// The report's admission assumes 3 s a report before any has run
	// (initialReportEstimate), so its server's timeout leaves it room.
	srv, _ := newTestServer(t, Limits{Timeout: 500 * time.Millisecond})
	rep, _ := newTestServer(t, Limits{Timeout: 4 * time.Second})
	var scenario map[string]any
	if code := do(t, "GET", srv.URL+"/api/report/scenario", "", &scenario); code != http.StatusOK {
		t.Fatalf("GET /api/report/scenario: %d", code)
	}
	tr := scenario["training"].(map[string]any)
	tr["model"], tr["chips"], tr["global_batch"] = "qwen3-235b-a22b", 262144, 1048576
	sc, _ := json.Marshal(scenario)
	body, _ := json.Marshal(map[string]any{"scenario": string(sc), "samples": 1})
	for _, c := range []struct {
		base, path, body string
		limit            time.Duration
	}{
		{srv.URL, "/api/run/simulate", `{"chip":"h100-sxm","chips":262144,"model":"qwen3-235b-a22b","global_batch":16777216,"seeds":1,"days":1}`, 500 * time.Millisecond},
		{rep.URL, "/api/report", string(body), 4 * time.Second},
	} {
		start := time.Now()
		code := do(t, "POST", c.base+c.path, c.body, nil)
		if took := time.Since(start); code != http.StatusGatewayTimeout || took > c.limit+3*time.Second {
			t.Errorf("POST %s: %d after %v; want 504 within a few seconds of the %v timeout", c.path, code, took, c.limit)
		}
	}
	start := time.Now()
	if code := do(t, "POST", srv.URL+"/api/train/estimate", `{"chip":"h100-sxm","model":"llama3.1-8b","chips":8,"plan":{"tp":1,"pp":1},"ranges":false}`, nil); code != http.StatusOK {
		t.Errorf("a small estimate after them: %d after %v, want 200", code, time.Since(start))
	}
}
