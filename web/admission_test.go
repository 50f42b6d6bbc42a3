package web

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"chipgap/workq"
)

// TestReportAdmission: 10 concurrent clients post synchronous reports.
// Every answer is a 200 or a 429 with Retry-After given at once; none is
// a 504 (before: 195 of 200 were 504s after 15 s), and every 200 comes
// within the timeout, waiting included. The timeout is scaled down (20 s)
// and the reports small (20 samples, about 1.4 s alone on two cores) so
// that the test takes seconds; the admission rule is the same. The
// server decides a refusal in microseconds (chipgap_report_admission_
// seconds); what a client sees also holds the scheduling delay of a
// machine whose cores the running report fills, hence the loose bound.
func TestReportAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("runs reports for several seconds")
	}
	// 20 s rather than the default: CI runs this beside every other
	// package's tests on two cores, where one 20-sample report can take
	// seconds; the point is that no request ends in 504 and refusals
	// come at once (the 50 ms p99 is measured on an idle machine
	// by the load test, CHIPGAP_LOAD=1).
	srv, _ := newTestServer(t, Limits{Timeout: 20 * time.Second, MaxReports: 1})
	const clients, each = 10, 2
	type answer struct {
		status int
		took   time.Duration
		retry  string
	}
	var mu sync.Mutex
	var answers []answer
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				start := time.Now()
				resp, err := http.Post(srv.URL+"/api/report", "application/json", strings.NewReader(`{"samples": 20}`))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				answers = append(answers, answer{resp.StatusCode, time.Since(start), resp.Header.Get("Retry-After")})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var ok, busy int
	var okTimes, busyTimes []time.Duration
	for _, a := range answers {
		switch a.status {
		case http.StatusOK:
			ok++
			okTimes = append(okTimes, a.took)
		case http.StatusTooManyRequests:
			busy++
			busyTimes = append(busyTimes, a.took)
			if n, err := strconv.Atoi(a.retry); err != nil || n < 1 {
				t.Errorf("429 with Retry-After %q, want whole seconds ≥ 1", a.retry)
			}
		default:
			t.Errorf("status %d after %v, want 200 or 429", a.status, a.took)
		}
	}
	slices.Sort(okTimes)
	slices.Sort(busyTimes)
	t.Logf("%d requests from %d clients: %d × 200 (slowest %v), %d × 429 (slowest %v)", len(answers), clients, ok, last(okTimes), busy, last(busyTimes))
	if ok == 0 {
		t.Error("no report succeeded")
	}
	if d := last(okTimes); d > 20*time.Second {
		t.Errorf("a 200 took %v, over the 20 s timeout", d)
	}
	if d := last(busyTimes); d > 3*time.Second {
		t.Errorf("a 429 took %v, want an answer at once", d)
	}
	var body bytes.Buffer
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(&body, resp.Body)
	resp.Body.Close()
	for _, l := range strings.Split(body.String(), "\n") {
		if strings.HasPrefix(l, "chipgap_report_") && !strings.Contains(l, "_bucket") {
			t.Log(l)
		}
	}
	for _, want := range []string{"chipgap_report_rejected_total " + strconv.Itoa(busy), "chipgap_report_run_seconds_count " + strconv.Itoa(ok),
		"chipgap_report_queue_depth 0", `chipgap_http_requests_total{code="200",route="POST /api/report"} ` + strconv.Itoa(ok)} {
		if !strings.Contains(body.String(), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func last(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[len(ds)-1]
}

// TestRefusal: the queue's refusal (workq.Admission, its rule tested
// there) is a 429 with Retry-After in whole seconds that points at
// ?async=1. One slot, 10 s timeout, 2 s reports: four are admitted, the
// fifth has 4 ahead and fits after one more finishes; a 9 s report does
// not fit the 8 s budget even alone.
func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		est   time.Duration
		admit int
		retry string
		msg   string
	}{
		{2 * time.Second, 4, "2", "4 reports ahead (about 2.0 s each) would not leave this one time to finish within 10 s: retry after 2 s, or use POST /api/report?async=1 and poll the job (docs/api.md)"},
		{9 * time.Second, 0, "9", "a report takes about 9.0 s here, more than this server's 10 s request timeout allows: use POST /api/report?async=1 and poll the job (docs/api.md)"},
	} {
		a := workq.NewAdmission(workq.AdmissionConfig{Slots: 1, Timeout: 10 * time.Second, Estimate: c.est})
		for range c.admit {
			if _, err := a.Admit(); err != nil {
				t.Fatal(err)
			}
		}
		_, err := a.Admit()
		w := httptest.NewRecorder()
		var e *Error
		if !errors.As(refuse(w, err), &e) || e.Status != http.StatusTooManyRequests || e.Msg != c.msg || w.Header().Get("Retry-After") != c.retry {
			t.Errorf("%v reports, %d admitted: %v, Retry-After %q; want 429 %q, %s", c.est, c.admit, e, w.Header().Get("Retry-After"), c.msg, c.retry)
		}
	}
	for d, want := range map[time.Duration]int{0: 1, -time.Second: 1, time.Millisecond: 1, 1500 * time.Millisecond: 2, 3 * time.Second: 3} {
		if got := retrySeconds(d); got != want {
			t.Errorf("retrySeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

// TestReportLoad200 is the measurement at the default limits
// (15 s timeout, the built-in 1,000-sample scenario): 10 clients post
// 200 reports back to back. Run it with CHIPGAP_LOAD=1 (about a minute
// of two busy cores); docs/api.md has the figures.
func TestReportLoad200(t *testing.T) {
	if os.Getenv("CHIPGAP_LOAD") == "" {
		t.Skip("set CHIPGAP_LOAD=1 to run the 200-request load test")
	}
	srv, _ := newTestServer(t, Limits{})
	const clients, total = 10, 200
	var mu sync.Mutex
	codes := map[int]int{}
	var ok, busy []time.Duration
	next := make(chan struct{}, total)
	for range total {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range next {
				t0 := time.Now()
				resp, err := http.Post(srv.URL+"/api/report", "application/json", strings.NewReader(`{}`))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				d := time.Since(t0)
				mu.Lock()
				codes[resp.StatusCode]++
				if resp.StatusCode == http.StatusOK {
					ok = append(ok, d)
				} else {
					busy = append(busy, d)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(ok)
	slices.Sort(busy)
	t.Logf("%d requests, %d clients, %v: status %v; 200 p50 %v max %v; 429 p50 %v p99 %v max %v", total, clients, time.Since(start).Round(time.Millisecond),
		codes, pct(ok, 0.5), last(ok), pct(busy, 0.5), pct(busy, 0.99), last(busy))
	if codes[http.StatusOK]+codes[http.StatusTooManyRequests] != total {
		t.Errorf("statuses %v, want only 200 and 429", codes)
	}
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(p*float64(len(ds))))]
}

// TestBadReportBodiesWithdraw: a synchronous report is admitted before
// its body is read; a body that turns out bad takes its admission back,
// so bad requests cannot fill the queue and turn good ones away.
func TestBadReportBodiesWithdraw(t *testing.T) {
	s := &Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for _, body := range []string{`{"samples":-1}`, `{"scenario":"format: nope"}`, `[1,2]`, `{"samples":1000000000}`, `not json`} {
		for range 10 {
			resp, err := http.Post(srv.URL+"/api/report", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("POST /api/report %s = %d, want 400", body, resp.StatusCode)
			}
		}
	}
	waiting, running := s.admission.Load()
	if waiting != 0 || running != 0 {
		t.Errorf("after 50 bad reports: %d waiting, %d running, want 0 and 0", waiting, running)
	}
}

// TestStalledReportBodiesNotAdmitted: a synchronous report is admitted
// only once its body has arrived, so clients that send headers and stall
// hold no place in the report queue: meanwhile the queue is empty and a
// report is judged on its own (here a bad one: the 400, not a 429). Before:
// ten such bodies were admitted (or refused) before being read, and
// every report got a 429 "retry after 2 s" for 30 s.
func TestStalledReportBodiesNotAdmitted(t *testing.T) {
	srv, _ := newTestServer(t, Limits{BodyTimeout: 500 * time.Millisecond, Timeout: 10 * time.Second})
	var stalled []net.Conn
	for range 12 {
		stalled = append(stalled, stalledPost(t, srv.URL, "/api/report"))
	}
	time.Sleep(50 * time.Millisecond)
	var e Error
	if st := do(t, "POST", srv.URL+"/api/report", `{"samples":-1}`, &e); st != http.StatusBadRequest || e.Field != "samples" {
		t.Errorf("a bad report beside 12 stalled ones: %d %+v, want 400 naming samples", st, e)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"chipgap_report_queue_depth 0", "chipgap_report_rejected_total 0"} {
		if !strings.Contains(string(b), want+"\n") {
			t.Errorf("with 12 report bodies stalled, /metrics lacks %q", want)
		}
	}
	for i, c := range stalled {
		if st, e, err := answerOf(t, c, 3*time.Second); st != http.StatusRequestTimeout || e.Field != "body" {
			t.Errorf("stalled report %d: %d %+v (%v), want 408 naming body", i, st, e, err)
		}
	}
}
