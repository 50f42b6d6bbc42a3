package web

import (
	"net/http"
	"testing"
	"time"
)

// qaServeBurst is QA's async serving simulation: a request on each of
// 10,000 replicas, all at once (rate 10⁹/s), 10,000 output tokens each,
// so none completes until the end of its 10⁸ steps (minutes); within
// every max_serve_* limit.
const qaServeBurst = `{"chip":"h100-sxm","model":"llama3.1-8b","chips":10000,"parallel":{"tp":1},"workload":{"requests":10000,"rate":1e9,"output":{"dist":"fixed","tokens":10000}}}`

// TestServeSimulationFreesItsSlot: a serving simulation whose requests
// all complete at the end stops at its deadline or its DELETE, and its
// computation slot is free within about a second. Before, the run
// checked its context only as requests completed (every 1 %): a 504
// left chipgap_computations_running at 1 for 12+ minutes, and a DELETE
// left the job cancelling ~36 s.
func TestServeSimulationFreesItsSlot(t *testing.T) {
	srv, _ := newTestServer(t, Limits{Timeout: 500 * time.Millisecond})
	start := time.Now()
	if code := do(t, "POST", srv.URL+"/api/serve/simulate", qaServeBurst, nil); code != http.StatusGatewayTimeout {
		t.Fatalf("POST /api/serve/simulate: %d after %v, want 504", code, time.Since(start))
	}
	freed := func(what string) {
		t.Helper()
		got := ""
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got = computationsRunning(t, srv.URL); got == "0" {
				return
			}
		}
		t.Errorf("%s: chipgap_computations_running %s 3 s on, want 0", what, got)
	}
	freed("after the 504")

	var j jobView
	if code := do(t, "POST", srv.URL+"/api/serve/simulate?async=1", qaServeBurst, &j); code != http.StatusAccepted {
		t.Fatalf("POST ?async=1: %d, want 202", code)
	}
	time.Sleep(300 * time.Millisecond)
	if code := do(t, "DELETE", srv.URL+"/api/jobs/"+j.ID, "", nil); code != http.StatusAccepted {
		t.Fatalf("DELETE /api/jobs/%s: %d, want 202", j.ID, code)
	}
	cancelled := time.Now()
	v := jobView{State: "cancelling"}
	for deadline := time.Now().Add(3 * time.Second); v.State != "cancelled" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		v = jobView{}
		do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &v)
	}
	if v.State != "cancelled" {
		t.Errorf("job %s 3 s after its DELETE, want cancelled", v.State)
	}
	t.Logf("cancelled %v after its DELETE", time.Since(cancelled))
	freed("after the DELETE")
}
