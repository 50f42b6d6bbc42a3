package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHTTPEdges: every answer is JSON with a 4xx for a client's mistake,
// never a 5xx or a Go type name. Before: GET /%ff was a plain-text 500, a
// null body ran the full report, top -1 was a 200, a wrong method on a
// POST route was a 404, a POST /api was a bodiless 307 to /api/, and
// errors named web.reportRequest or scenario.Scenario.
func TestHTTPEdges(t *testing.T) {
	h := (&Server{AllowHosts: []string{"chipgap.lan"}}).Handler()
	const search = `{"chip":"h100-sxm","chips":16,"model":"llama3.1-8b","seq":4096,"global_batch":64,"top":-1}`
	for _, c := range []struct {
		method, path, ctype, host, body string
		status                          int
		field, allow                    string
	}{
		{"GET", "/%ff", "", "", "", 404, "path", ""},
		{"GET", "/nosuch.html", "", "", "", 404, "path", ""},
		{"GET", "/api/report", "", "", "", 405, "method", "POST"},
		{"PUT", "/api/chips", "", "", "", 405, "method", "GET, HEAD"},
		// Before: 307 to /api/ with an empty body.
		{"POST", "/api", "application/json", "", "{}", 405, "method", "GET, HEAD"},
		{"PUT", "/api", "", "", "", 405, "method", "GET, HEAD"},
		{"DELETE", "/api", "", "", "", 405, "method", "GET, HEAD"},
		{"PATCH", "/api", "", "", "", 405, "method", "GET, HEAD"},
		{"OPTIONS", "/api", "", "", "", 405, "method", "GET, HEAD"},
		{"DELETE", "/api/chips/h100-sxm", "", "", "", 405, "method", "GET, HEAD"},
		{"GET", "/api/nosuch", "", "", "", 404, "path", ""},
		{"POST", "/api/report", "application/json", "", "null", 400, "body", ""},
		{"POST", "/api/report", "application/json", "", "", 400, "body", ""},
		{"POST", "/api/report", "application/json", "", "  [1]", 400, "body", ""},
		{"POST", "/api/report", "application/json", "", `{"scenario": "[1, 2]"}`, 400, "scenario", ""},
		{"POST", "/api/report", "application/json", "", `{"samples": "x"}`, 400, "samples", ""},
		{"POST", "/api/train/search", "application/json", "", search, 400, "top", ""},
		{"POST", "/api/report", "text/plain", "", "{}", 415, "Content-Type", ""},
		{"POST", "/api/report", "application/x-www-form-urlencoded", "", "a=b", 415, "Content-Type", ""},
		{"POST", "/api/report", "", "", "{}", 415, "Content-Type", ""},
		{"GET", "/api/chips", "", "evil.example:8080", "", 403, "host", ""},
		{"GET", "/", "", "rebind.attacker.test", "", 403, "host", ""},
	} {
		r := httptest.NewRequest(c.method, "http://127.0.0.1:8080"+c.path, strings.NewReader(c.body))
		if c.path == "/%ff" {
			r = httptest.NewRequest(c.method, "http://127.0.0.1:8080/", nil)
			r.URL.Path, r.URL.RawPath, r.RequestURI = "/\xff", "/%ff", "/%ff"
		}
		if c.ctype != "" {
			r.Header.Set("Content-Type", c.ctype)
		}
		if c.host != "" {
			r.Host = c.host
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var e Error
		name := c.method + " " + c.path + " " + c.body
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %q is not a JSON error: %v", name, rec.Code, rec.Body.String(), err)
			continue
		}
		if rec.Code != c.status || e.Field != c.field || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s: %d field %q Allow %q (%s); want %d field %q Allow %q", name, rec.Code, e.Field, rec.Header().Get("Allow"), e.Msg, c.status, c.field, c.allow)
		}
		if goTypeName.MatchString(rec.Body.String()) || strings.Contains(rec.Body.String(), "main.") {
			t.Errorf("%s: names a Go type: %s", name, rec.Body.String())
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if rec.Header().Get(k) != v {
				t.Errorf("%s: %s %q, want %q", name, k, rec.Header().Get(k), v)
			}
		}
	}
}

// TestHostAllowed: loopback names and IP literals pass; other names only
// with AllowHosts or the name the server was bound to.
func TestHostAllowed(t *testing.T) {
	s := &Server{Addr: "box.lan:8080", AllowHosts: []string{"Chipgap.Example"}}
	for host, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true, "app.localhost": true,
		"192.168.1.5:8080": true, "": true, "box.lan:8080": true, "chipgap.example": true,
		"evil.example": false, "127.0.0.1.nip.io:8080": false, "localhost.evil.example": false,
	} {
		if got := s.hostAllowed(host); got != want {
			t.Errorf("hostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
	if !(&Server{AllowHosts: []string{"*"}}).hostAllowed("anything.example") {
		t.Error(`AllowHosts "*" refused a host`)
	}
}

// TestPageSendsJSON: the embedded page's fetches declare a JSON body, so
// the Content-Type rule does not break it.
func TestPageSendsJSON(t *testing.T) {
	b, err := staticFS.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "fetch("); n != 1 || !strings.Contains(string(b), `headers: {"Content-Type": "application/json"}`) {
		t.Errorf("app.js: %d fetch calls; want the one helper that sends Content-Type: application/json", n)
	}
	_ = http.MethodPost
}

// A client's message keeps the request paths that share a package's
// name (a scenario's training.chips, inference.tpot; a plan's
// parallel.tp) and loses the Go type names.
func TestScrubTypesKeepsRequestPaths(t *testing.T) {
	for in, want := range map[string]string{
		"scenario:3: field training.chips: -1: want an integer in [8, 1048576]": "scenario:3: field training.chips: -1: want an integer in [8, 1048576]",
		"field inference.tpot: want a latency":                                  "field inference.tpot: want a latency",
		"grid:8: field training.global_batch: 0: want 1 to 16777216":            "grid:8: field training.global_batch: 0: want 1 to 16777216",
		"parallel.tp = 3: must divide":                                          "parallel.tp = 3: must divide",
		"cannot unmarshal string into web.reportRequest":                        "cannot unmarshal string into the expected value",
		"into calc.TrainRequest and []training.Profile":                         "into the expected value and the expected value",
		"of type *inference.Deployment":                                         "of type the expected value",
	} {
		if got := scrubTypes(in); got != want {
			t.Errorf("scrubTypes(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStrictQuery: an endpoint refuses a query parameter it does not
// take, naming it; async is exactly one 1 or 0, and only where there is
// a job mode. Before: ?async=true ran synchronously, ?async=1&async=0
// and ?async=0&async=1 differed, and /api/train/estimate?async=1 or
// ?bogus=1 were ignored.
func TestStrictQuery(t *testing.T) {
	h := (&Server{}).Handler()
	const est = `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","ranges":false}`
	const search = `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","seq":4096,"global_batch":8,"plan":{"tp":8,"pp":1,"microbatch":1,"vpp":1,"cp":1}}`
	for _, c := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "/api/train/search?async=true", search, 400, "async"},
		{"POST", "/api/train/search?async=", search, 400, "async"},
		{"POST", "/api/train/search?async=1&async=0", search, 400, "async"},
		{"POST", "/api/train/search?async=0&async=1", search, 400, "async"},
		{"POST", "/api/train/search?async=1&bogus=1", search, 400, "bogus"},
		{"POST", "/api/train/estimate?async=1", est, 400, "async"},
		{"POST", "/api/train/estimate?async=0", est, 400, "async"},
		{"POST", "/api/train/estimate?bogus=1", est, 400, "bogus"},
		{"POST", "/api/train/estimate?_=1", est, 400, "_"},
		{"POST", "/api/infer/curve?async=1", `{}`, 400, "async"},
		{"POST", "/api/report?samples=5", `{}`, 400, "samples"},
		{"GET", "/api/chips?bogus=1", "", 400, "bogus"},
		{"GET", "/api/jobs/0123456789abcdef?async=1", "", 400, "async"},
		{"DELETE", "/api/jobs/0123456789abcdef?x=1", "", 400, "x"},
		{"GET", "/api/compare?chips=h100-sxm&bogus=1", "", 400, "bogus"},
		// What is taken passes.
		{"POST", "/api/train/estimate", est, 200, ""},
		{"POST", "/api/train/search?async=0", search, 200, ""},
		{"POST", "/api/train/search?async=1", search, 202, ""},
		{"GET", "/api/chips?_=123", "", 200, ""},
		{"GET", "/api/compare?chips=h100-sxm&_=123", "", 200, ""},
	} {
		r := apiRequest(c.method, c.path, strings.NewReader(c.body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var e Error
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != c.status || c.field != "" && (e.Field != c.field || !strings.Contains(e.Msg, c.field)) {
			t.Errorf("%s %s = %d field %q %q, want %d naming %q", c.method, c.path, rec.Code, e.Field, e.Msg, c.status, c.field)
		}
	}
}

// TestRefusedHostLogClipped: the log line for a refused Host clips it as
// the answer does (QA: a 60,000-byte Host was one 60 KB log line a
// request).
func TestRefusedHostLogClipped(t *testing.T) {
	var log strings.Builder
	s := &Server{Logger: slog.New(slog.NewTextHandler(&log, nil))}
	r := httptest.NewRequest("GET", "/api/chips", nil)
	r.Host = strings.Repeat("a", 60000) + ".example"
	w := httptest.NewRecorder()
	s.guard(http.NotFoundHandler()).ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || log.Len() > 1000 || !strings.Contains(log.String(), "refused Host") {
		t.Errorf("a 60 KB Host: status %d, log of %d bytes; want 403 and a clipped log line", w.Code, log.Len())
	}
}
