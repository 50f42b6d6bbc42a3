package web

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"chipgap/calc"
)

// FuzzAPIBodies posts arbitrary bodies to the JSON endpoints: whatever
// arrives, the answer is a 2xx or a 4xx, never a 5xx or a crash.
// go test -fuzz FuzzAPIBodies -fuzztime 30s ./web
func FuzzAPIBodies(f *testing.F) {
	seeds := []string{
		`{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","plan":{"tp":2,"zero":1,"sequence_parallel":true}}`,
		`{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"slo":{"tpot":"50ms"}}`,
		`{"chip":"ascend-910c","chips":-1}`, `{"chips":1e309}`, `{"plan":{"tp":0,"pp":-3}}`, `[]`, `null`, `"x"`, `{`, ``,
		`{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":1e9,"output_tokens":1},"batches":[0,-1]}`,
		`{"chip":"h100-sxm","chips":3,"model":"deepseek-v3","precision":"fp4","plan":{"tp":3,"ep":7,"vpp":5}}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	// A short timeout turns an input that makes the engine grind into a
	// 504, which fails the target: a request must not be a DoS.
	h := (&Server{Limits: Limits{Timeout: 3 * time.Second}}).Handler()
	paths := []string{"/api/train/estimate", "/api/infer/curve", "/api/infer/estimate"}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, apiRequest("POST", path, bytes.NewReader(body)))
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q = %d %s", path, body, rec.Code, rec.Body.String())
		}
	})
}

// FuzzDecodeRequests decodes arbitrary bodies into every request type of
// the JSON API through Server.decode (what each POST handler calls
// first): the body is accepted or refused with a 4xx naming a field, and
// no message names a Go type. Cheap (no computation), so it covers every
// request type where FuzzAPIBodies runs only the quick endpoints.
// go test -run '^$' -fuzz FuzzDecodeRequests -fuzztime 60s ./web
func FuzzDecodeRequests(f *testing.F) {
	for i, s := range []string{
		`{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","plan":{"tp":2,"zero":1,"sequence_parallel":true},"top":-1}`,
		`{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"slo":{"tpot":"50ms"}}`,
		`{"scenario":"format: chipgap-scenario/v1\nsamples: 10\n","samples":5}`,
		`{"model":"llama3.1-70b","chip":"h100-sxm","chips":8,"workload":{"rate":"NaN"}}`,
		`{"tpot":"1e308TB"}`, `{"chips":1e309}`, `[]`, `null`, `"x"`, `{`, ``, `  {} {}`, `{"a":1}`, "\xff",
	} {
		f.Add(uint8(i), []byte(s))
	}
	s := &Server{}
	s.init()
	news := []func() any{
		func() any { return new(trainRequest) }, func() any { return new(calc.ServeRequest) },
		func() any { return new(calc.SimulateRequest) }, func() any { return new(calc.RunRequest) },
		func() any { return new(calc.ReportRequest) },
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		dst := news[int(which)%len(news)]()
		rec := httptest.NewRecorder()
		err := s.decode(rec, apiRequest("POST", "/api/x", bytes.NewReader(body)), dst)
		if err == nil {
			return
		}
		e := s.classify(apiRequest("POST", "/api/x", nil), err)
		if e.Status < 400 || e.Status >= 500 || e.Field == "" {
			t.Fatalf("%T %q: status %d field %q: %s", dst, body, e.Status, e.Field, e.Msg)
		}
		if goTypeName.MatchString(e.Msg) || strings.Contains(e.Msg, "Go struct") || strings.Contains(e.Msg, "Go value") {
			t.Fatalf("%T %q: message names a Go type: %s", dst, body, e.Msg)
		}
	})
}
