package web

import (
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
// Every answer is a 200 or a 429 with Retry-After; none is a 504 (before
// admission control: 195 of 200 were 504s after 15 s). The test asserts
// what admission guarantees, none of it a wall-clock bound that a shared
// machine's load stretches:
//   - at most MaxReports (1) reports run at once: the queue's own count,
//     polled, never exceeds it, and the server-side run times add up to
//     no more than the test's wall time (runs that overlapped would add
//     up to more: 10 at once on two cores, about 10 times more);
//   - a refusal is decided at once: every admission decision (metric
//     chipgap_report_admission_seconds, timed on the server) within its
//     0.26 s bucket, where it takes microseconds;
//   - the metrics agree with what the clients saw.
//
// Before, it asserted that every 200 came within the 20 s timeout, wait
// included; but the wait is the runs ahead, which admission can only
// estimate (a moving average, workq.Admission, whose rule workq's tests
// check), and on two cores shared with other packages' tests the 200s
// took 22–46 s with nothing wrong. The reports are small (20 samples,
// about 1.4 s alone on two cores) so that the test takes seconds.
func TestReportAdmission(t *testing.T) {
	if testing.Short() {
		t.Skip("runs reports for several seconds")
	}
	const slots = 1
	s := &Server{Limits: Limits{Timeout: 20 * time.Second, MaxReports: slots}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	start := time.Now()
	stop := pollRunning(s)
	answers := postReports(t, srv.URL, 10, 2)
	elapsed := time.Since(start)
	peak := stop()
	ok, busy := checkAnswers(t, answers)
	if ok == 0 {
		t.Error("no report succeeded")
	}
	if peak > slots {
		t.Errorf("%d reports ran at once, want at most %d (MaxReports)", peak, slots)
	}
	metrics := getMetrics(t, srv.URL)
	if ran := metricValue(t, metrics, "chipgap_report_run_seconds_sum"); ran > elapsed.Seconds()*slots {
		t.Errorf("reports ran %.1f s in all within %.1f s of wall time: more than %d ran at once", ran, elapsed.Seconds(), slots)
	}
	decided := metricValue(t, metrics, "chipgap_report_admission_seconds_count")
	if fast := metricValue(t, metrics, `chipgap_report_admission_seconds_bucket{le="0.262144"}`); fast != decided || decided != float64(len(answers)) {
		t.Errorf("%g of %g admission decisions within 0.26 s, %d answers: want every one decided at once", fast, decided, len(answers))
	}
	for _, want := range []string{"chipgap_report_rejected_total " + strconv.Itoa(busy), "chipgap_report_run_seconds_count " + strconv.Itoa(ok),
		"chipgap_report_queue_depth 0", "chipgap_report_running 0", `chipgap_http_requests_total{code="200",route="POST /api/report"} ` + strconv.Itoa(ok)} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// reportAnswer is one synchronous report's status, wall time and
// Retry-After as its client saw them.
type reportAnswer struct {
	status int
	took   time.Duration
	retry  string
}

// postReports has clients post each small reports back to back.
func postReports(t *testing.T, url string, clients, each int) []reportAnswer {
	var mu sync.Mutex
	var answers []reportAnswer
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for range each {
				start := time.Now()
				resp, err := http.Post(url+"/api/report", "application/json", strings.NewReader(`{"samples": 20}`))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				answers = append(answers, reportAnswer{resp.StatusCode, time.Since(start), resp.Header.Get("Retry-After")})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return answers
}

// checkAnswers counts the 200s and 429s, refusing any other status and a
// 429 without a Retry-After of whole seconds.
func checkAnswers(t *testing.T, answers []reportAnswer) (ok, busy int) {
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
	t.Logf("%d requests: %d × 200 (slowest %v), %d × 429 (slowest %v)", len(answers), ok, last(okTimes), busy, last(busyTimes))
	return ok, busy
}

// pollRunning samples how many reports s runs at once until stop, which
// returns the most seen.
func pollRunning(s *Server) (stop func() int) {
	done, out := make(chan struct{}), make(chan int)
	go func() {
		most := 0
		for {
			_, running := s.admission.Load()
			most = max(most, running)
			select {
			case <-done:
				out <- most
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() int { close(done); return <-out }
}

// getMetrics is GET /metrics's text.
func getMetrics(t *testing.T, url string) string {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// metricValue is the value of the sample named name (with its labels).
func metricValue(t *testing.T, metrics, name string) float64 {
	for _, l := range strings.Split(metrics, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("/metrics: %s %q: %v", name, v, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return 0
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
