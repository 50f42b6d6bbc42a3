package web

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// qaLongRun is QA's whole run with a 1 ms checkpoint interval: 70B on
// 4,096 H100s, 10¹² tokens, at least 2.6e8 checkpoint cycles a seed,
// minutes of simulation (the MFU skips the plan search).
const qaLongRun = `{"chip":"h100-sxm","chips":4096,"model":"llama3.1-70b","mfu":0.4,"seeds":5,"tokens":1e12,"interval":"0.001s","checkpoint":"blocking"}`

// computationsRunning reads chipgap_computations_running off /metrics.
func computationsRunning(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "chipgap_computations_running "); ok {
			return strings.TrimSpace(v)
		}
	}
	return "absent"
}

// TestRunSimulationFreesItsSlot: a whole run admitted past the event
// bound (max_sim_events lifted here) stops simulating at its deadline
// or its DELETE, and its computation slot is free within about a
// second. Before, the simulation never looked at its context: a 504
// left chipgap_computations_running at 1 for 8+ minutes, and a DELETE
// left the job cancelling past job_timeout_s.
func TestRunSimulationFreesItsSlot(t *testing.T) {
	srv, _ := newTestServer(t, Limits{Timeout: 500 * time.Millisecond, MaxSimEvents: 1e300})
	start := time.Now()
	if code := do(t, "POST", srv.URL+"/api/run/simulate", qaLongRun, nil); code != http.StatusGatewayTimeout {
		t.Fatalf("POST /api/run/simulate: %d after %v, want 504", code, time.Since(start))
	}
	freed := func(what string) {
		t.Helper()
		got := ""
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got = computationsRunning(t, srv.URL); got == "0" {
				return
			}
		}
		t.Errorf("%s: chipgap_computations_running %s 2 s on, want 0", what, got)
	}
	freed("after the 504")

	var j jobView
	if code := do(t, "POST", srv.URL+"/api/run/simulate?async=1", qaLongRun, &j); code != http.StatusAccepted {
		t.Fatalf("POST ?async=1: %d, want 202", code)
	}
	time.Sleep(300 * time.Millisecond)
	if code := do(t, "DELETE", srv.URL+"/api/jobs/"+j.ID, "", nil); code != http.StatusAccepted {
		t.Fatalf("DELETE /api/jobs/%s: %d, want 202", j.ID, code)
	}
	v := jobView{State: "cancelling"}
	for deadline := time.Now().Add(2 * time.Second); v.State != "cancelled" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		v = jobView{}
		do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &v)
	}
	if v.State != "cancelled" {
		t.Errorf("job %s 2 s after its DELETE, want cancelled", v.State)
	}
	freed("after the DELETE")
}

// TestRunAnswerNamesTheJob: POST /api/run/simulate's answer says what
// it is a run of as chipgap run --json does (calc.RunIdentity, one
// owner): the cluster's scale-up domain and the training job's seq and
// global batch, the request's where it states them, else the
// documented defaults (seq 8192, global batch 2048: docs/api.md) and
// the chip's usual node (8 H100s).
func TestRunAnswerNamesTheJob(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for _, c := range []struct {
		body             string
		node, seq, batch float64
	}{
		{`{"chip":"h100-sxm","chips":64,"chips_per_node":4,"model":"llama3.1-8b","mfu":0.4,"tokens":1e10,"seeds":3,"seq":4096,"global_batch":512}`, 4, 4096, 512},
		{`{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","mfu":0.4,"tokens":1e10,"seeds":3}`, 8, 8192, 2048},
	} {
		var got map[string]any
		if code := do(t, "POST", srv.URL+"/api/run/simulate", c.body, &got); code != http.StatusOK {
			t.Fatalf("POST %s: %d", c.body, code)
		}
		if got["chips_per_node"] != c.node || got["seq"] != c.seq || got["global_batch"] != c.batch {
			t.Errorf("POST %s: chips_per_node %v, seq %v, global_batch %v; want %v, %v, %v",
				c.body, got["chips_per_node"], got["seq"], got["global_batch"], c.node, c.seq, c.batch)
		}
	}
}
