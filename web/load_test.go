package web

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkEstimateLoad200 fires waves of 200 concurrent single-plan
// training estimates at a loopback httptest server (one wave per b.N)
// and reports the per-request latency percentiles and the peak heap:
// "ranges" is the page's request (the plan at typ and at both ends of
// the chip's ranges: three estimates), "plain" one estimate.
// Run: go test -run '^$' -bench EstimateLoad200 -benchtime 20x ./web
func BenchmarkEstimateLoad200(b *testing.B) {
	b.Run("ranges", func(b *testing.B) { loadEstimates(b, `"ranges":true`) })
	b.Run("plain", func(b *testing.B) { loadEstimates(b, `"ranges":false`) })
}

// loadEstimates is BenchmarkEstimateLoad200 for one request variant.
func loadEstimates(b *testing.B, extra string) {
	const conc = 200
	srv, _ := newTestServer(b, Limits{})
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	body := []byte(`{"chip":"h100-sxm","chips":1024,"model":"llama3.1-70b","tokens":1e12,"seq":4096,"global_batch":1024,"plan":{"tp":8,"pp":4,"zero":1,"sequence_parallel":true},` + extra + `}`)
	post := func() (time.Duration, error) {
		t0 := time.Now()
		resp, err := client.Post(srv.URL+"/api/train/estimate", "application/json", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, &Error{Status: resp.StatusCode, Msg: resp.Status}
		}
		return time.Since(t0), nil
	}
	if _, err := post(); err != nil { // warm the catalog and the connection
		b.Fatal(err)
	}
	peak, stop := sampleHeap()
	var lat []time.Duration
	var mu sync.Mutex
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for range conc {
			wg.Go(func() {
				d, err := post()
				if err != nil {
					b.Error(err)
					return
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	stop()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(0, "ns/op")
}

// sampleHeap records the largest HeapInuse seen every 2 ms until stop.
func sampleHeap() (*uint64, func()) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	return &peak, func() { close(done); wg.Wait() }
}

// BenchmarkBadBodies sends waves of 20 concurrent 10 MB bodies and 20
// malformed ones; every answer must be a 4xx and the heap stays bounded
// by the 1 MiB body limit.
func BenchmarkBadBodies(b *testing.B) {
	srv, _ := newTestServer(b, Limits{})
	big := bytes.Repeat([]byte("x"), 10<<20)
	bad := [][]byte{big, []byte(`{"chip": [`), []byte(`not json`), []byte(`{"chips": -1e999}`)}
	peak, stop := sampleHeap()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				resp, err := http.Post(srv.URL+"/api/train/estimate", "application/json", bytes.NewReader(bad[i%len(bad)]))
				if err != nil {
					return // the server may close the connection on a body over the limit
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 400 || resp.StatusCode >= 500 {
					b.Errorf("bad body %d: status %d, want 4xx", i%len(bad), resp.StatusCode)
				}
			})
		}
		wg.Wait()
	}
	stop()
	b.ReportMetric(float64(*peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkTrainEstimateHandler is one single-plan estimate through the
// handler without the network: the server-side CPU cost of a request.
func BenchmarkTrainEstimateHandler(b *testing.B) {
	s := &Server{}
	h := s.Handler()
	body := []byte(`{"chip":"h100-sxm","chips":1024,"model":"llama3.1-70b","tokens":1e12,"seq":4096,"global_batch":1024,"plan":{"tp":8,"pp":4,"zero":1,"sequence_parallel":true}}`)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, apiRequest("POST", "/api/train/estimate", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
}
