package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/inference"
)

// newTestServer serves a fresh Server over loopback; logs go to buf.
func newTestServer(t testing.TB, l Limits) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	s := &Server{Limits: l, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, nil))}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, &buf
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// do sends a request and decodes the JSON answer into dst (if not nil),
// returning the status.
func do(t testing.TB, method, url, body string, dst any) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); strings.Contains(url, "/api/") && !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, url, ct)
	}
	if dst != nil {
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			t.Fatalf("%s %s: decode: %v", method, url, err)
		}
	}
	return resp.StatusCode
}

func TestChipsListsEveryCatalogChip(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got struct{ Chips []calc.ChipSummary }
	if st := do(t, "GET", srv.URL+"/api/chips", "", &got); st != http.StatusOK {
		t.Fatalf("GET /api/chips = %d, want 200", st)
	}
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := cat.ChipIDs()
	if len(got.Chips) != len(want) {
		t.Fatalf("GET /api/chips lists %d chips, catalog has %d", len(got.Chips), len(want))
	}
	for i, c := range got.Chips {
		if c.ID != want[i] {
			t.Errorf("chip %d = %q, want %q", i, c.ID, want[i])
		}
	}
}

func TestChipDetailResolvesSources(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got calc.ChipDetail
	if st := do(t, "GET", srv.URL+"/api/chips/h100-sxm", "", &got); st != http.StatusOK {
		t.Fatalf("GET /api/chips/h100-sxm = %d", st)
	}
	// Every key the BF16 peak cites resolves to a titled source.
	keys := got.Chip.Peak["bf16"].Sources
	if len(keys) == 0 {
		t.Fatal("h100-sxm bf16 peak cites no source")
	}
	for _, k := range keys {
		if got.Sources[k].Title == "" {
			t.Errorf("source %q of h100-sxm bf16 peak is not resolved", k)
		}
	}
}

// TestErrorsNameTheField: each bad request gets a 4xx JSON body naming
// the field at fault.
func TestErrorsNameTheField(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	est := `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","plan":{"tp":8}}`
	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"unknown chip id", "GET", "/api/chips/h101", "", 404, "id"},
		{"unknown model in compare", "GET", "/api/compare?chips=h100-sxm&model=llama9", "", 404, "model"},
		{"bad precision", "GET", "/api/compare?chips=h100-sxm&precision=fp7", "", 400, "precision"},
		// chips= compared the default five; a repeated chip, itself twice.
		{"empty chips", "GET", "/api/compare?chips=", "", 400, "chips"},
		{"repeated chip", "GET", "/api/compare?chips=h100-sxm,b200,h100-sxm", "", 400, "chips[2]"},
		{"malformed JSON", "POST", "/api/train/estimate", `{"chip":`, 400, "body"},
		{"empty body", "POST", "/api/train/estimate", ``, 400, "body"},
		{"trailing data", "POST", "/api/train/estimate", est + `{}`, 400, "body"},
		{"unknown field", "POST", "/api/train/estimate", `{"chipz":"h100-sxm"}`, 400, "chipz"},
		{"wrong type", "POST", "/api/train/estimate", `{"chips":"many"}`, 400, "chips"},
		// A null is not "absent": before, chips null was refused as
		// "chips = 0" and plan null answered 200.
		{"null chips", "POST", "/api/train/estimate", strings.Replace(est, `"chips":64`, `"chips":null`, 1), 400, "chips"},
		{"null plan", "POST", "/api/train/estimate", strings.Replace(est, `{"tp":8}`, `null`, 1), 400, "plan"},
		{"null SLO bound", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","slo":{"tpot":null}}`, 400, "slo.tpot"},
		{"missing model", "POST", "/api/train/estimate", `{"chip":"h100-sxm","chips":8}`, 400, "model"},
		{"plan tp not dividing heads", "POST", "/api/train/estimate", strings.Replace(est, `"tp":8`, `"tp":3`, 1), 400, "plan.tp"},
		{"scale-out below 1 Gbit/s", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"scale_out_gbps":1e-300,"plan"`, 1), 400, "scale_out_gbps"},
		{"zero chips", "POST", "/api/train/estimate", strings.Replace(est, `"chips":64`, `"chips":0`, 1), 400, "chips"},
		{"unknown chip in body", "POST", "/api/infer/curve", `{"chip":"rubin-x9","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":10,"output_tokens":10}}`, 404, "chip"},
		// A region is a value, not a resource: a 400 (it was a 404).
		{"unknown region", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","region":"mars"}`, 400, "region"},
		{"expert imbalance below 1", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":32,"model":"deepseek-v3","parallel":{"ep":32},"expert_imbalance":0.5,"workload":{"input_tokens":10,"output_tokens":10}}`, 400, "expert_imbalance"},
		{"unknown expert balancer", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":32,"model":"deepseek-v3","parallel":{"ep":32},"balancer":"sometimes","workload":{"input_tokens":10,"output_tokens":10}}`, 400, "balancer"},
		{"unknown FP8 recipe", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":32,"model":"deepseek-v3","parallel":{"ep":32},"precision":"fp8","fp8_recipe":"sometimes","workload":{"input_tokens":10,"output_tokens":10}}`, 400, "fp8_recipe"},
		{"train expert imbalance below 1", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"expert_imbalance":0.5,"plan"`, 1), 400, "expert_imbalance"},
		{"train capacity factor 0", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"capacity_factor":0,"plan"`, 1), 400, "capacity_factor"},
		{"train window pattern without a window", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"global_every":2,"plan"`, 1), 400, "global_every"},
		{"negative window", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":1,"model":"llama3.1-8b","window":-3,"workload":{"input_tokens":10,"output_tokens":10}}`, 400, "window"},
		{"train padding without capacity", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"pad_to_capacity":true,"plan"`, 1), 400, "pad_to_capacity"},
		{"train unknown MoE dispatch", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"moe_dispatch":"deepep","plan"`, 1), 400, "moe_dispatch"},
		{"train MoE dispatch on a dense model", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"moe_dispatch":"hierarchical","plan"`, 1), 400, "moe_dispatch"},
		{"train unknown FP8 recipe", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"fp8_recipe":"e4m3","plan"`, 1), 400, "fp8_recipe"},
		{"train FP8 recipe on a BF16 job", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"fp8_recipe":"blockwise","plan"`, 1), 400, "fp8_recipe"},
		{"train bad stack date", "POST", "/api/train/estimate", strings.Replace(est, `"plan"`, `"stack_date":"2025-02-30","plan"`, 1), 400, "stack_date"},
		{"recompute list length", "POST", "/api/train/estimate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","plan":{"tp":8,"pp":4,"recompute":"full","recompute_layers":[1,2]}}`, 400, "plan.recompute_layers"},
		{"zero prompt", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":0,"output_tokens":10}}`, 400, "workload.input_tokens"},
		{"curve batch too big", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"batches":[1,100000000]}`, 400, "batches"},
		{"too many seeds", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","days":1,"seeds":100000}`, 400, "seeds"},
		{"too many chips", "POST", "/api/train/estimate", strings.Replace(est, `"chips":64`, `"chips":10000000`, 1), 400, "chips"},
		{"simulation too long", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":65536,"model":"llama3.1-8b","tokens":1e17,"mfu":0.4,"seeds":1000}`, 400, "seeds"},
		{"run over ten years", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":16384,"model":"llama3.1-8b","tokens":1e22,"mfu":0.4,"seeds":1}`, 400, "tokens"},
		{"run comparison", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","tokens":1e12,"vs":"ascend-910b"}`, 400, "vs"},
		{"no budget", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b"}`, 400, "tokens"},
		{"run window shorter than a step", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-70b","mfu":0.4,"days":1e-8}`, 400, "days"},
		{"run tokens shorter than a step", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-70b","mfu":0.4,"tokens":1000}`, 400, "tokens"},
		{"run chips not a multiple of the node", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"chips_per_node":3,"model":"llama3.1-8b","days":1,"seeds":1}`, 400, "chips_per_node"},
		{"train node larger than the job", "POST", "/api/train/estimate", strings.Replace(est, `"chips":64`, `"chips":64,"chips_per_node":128`, 1), 400, "chips_per_node"},
		// It simulated 89 days at the fallback MFU (QA): 8 H100s hold
		// 8 × 85.9 = 687 GB, the 405B's bf16 weights alone 811 GB.
		{"run whose model fits no plan", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-405b","tokens":1e10,"seeds":1}`, 400, "chips"},
		// An interruption every 5.5 min and a checkpoint every hour: an
		// hour's work rarely runs uninterrupted (e^(−11)). Without the
		// interval the run finishes, at 1.3 % effective (1,740 days).
		{"run that never finishes", "POST", "/api/run/simulate", `{"chip":"ascend-910b","chips":262144,"model":"llama3.1-8b","mfu":0.3,"tokens":1e15,"seeds":1,"interval":"1h"}`, 400, "chips"},
		{"unknown endpoint", "GET", "/api/nothing", "", 404, "path"},
		{"scenario unknown key", "POST", "/api/report", `{"scenario":"format: chipgap-scenario/v1\nsamplez: 3\n"}`, 400, "scenario.samplez"},
		{"scenario too many samples", "POST", "/api/report", `{"samples":1000000}`, 400, "samples"},
		{"unknown job", "GET", "/api/jobs/feedface", "", 404, "id"},
		{"search with no plan that fits", "POST", "/api/train/search", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-405b","seq":131072}`, 400, "plan"},
		{"search past the sequence bound", "POST", "/api/train/search", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","seq":1000000000}`, 400, "seq"},
		{"search past the batch bound", "POST", "/api/train/search", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","global_batch":9223372036854775807}`, 400, "global_batch"},
		{"run with more spares than servers", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","days":1,"spares":1000000000}`, 400, "spares"},
		{"serving imbalance past 64", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":64,"model":"deepseek-v3","precision":"fp8","expert_imbalance":1e300}`, 400, "expert_imbalance"},
		{"disaggregated link under 1 MB/s", "POST", "/api/serve/simulate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","precision":"fp8","parallel":{"tp":8},"link_bandwidth":1,"prefill":{"chips":8},"workload":{"requests":100}}`, 400, "link_bandwidth"},
		{"negative batch", "POST", "/api/infer/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"batch":-3}`, 400, "batch"},
		{"serve ttft past a Duration", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10},"slo":{"ttft":1e300}}`, 400, "slo.ttft"},
		{"serve negative tpot", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10},"slo":{"tpot":"-5ms"}}`, 400, "slo.tpot"},
		{"serve output lengths wrapping int64", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"output":{"dist":"uniform","min":1,"max":9223372036854775807}}}`, 400, "workload.output.max"}, // its own range, before any product of it
		{"infer negative tpot", "POST", "/api/infer/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"slo":{"tpot":"-5ms"}}`, 400, "slo.tpot"},
		{"curve negative ttft", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"slo":{"ttft":-1}}`, 400, "slo.ttft"},
		{"malformed query", "GET", "/api/compare?%zz", "", 400, "query"},
		{"POST on the page", "POST", "/", "{}", 405, "method"},
		{"DELETE on a page file", "DELETE", "/index.html", "", 405, "method"},
		{"infer negative tp", "POST", "/api/infer/estimate", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"parallel":{"tp":-8}}`, 400, "parallel.tp"},
		{"infer negative dp", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","workload":{"input_tokens":100,"output_tokens":10},"parallel":{"tp":8,"dp":-1}}`, 400, "parallel.dp"},
		{"run days NaN", "POST", "/api/run/simulate", `{"chip":"h100-sxm","chips":1024,"model":"llama3.1-70b","days":"NaN"}`, 400, "days"},
		// dp × the instance's devices overflowed int and passed (QA, session 79).
		{"infer dp overflow", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","parallel":{"tp":8,"dp":9223372036854775807}}`, 400, "parallel.dp"},
		{"train negative pp", "POST", "/api/train/estimate", strings.Replace(est, `"tp":8`, `"tp":8,"pp":-4`, 1), 400, "plan.pp"},
		{"serve negative prefill tp", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"prefill":{"chip":"h100-sxm","chips":8,"parallel":{"tp":-2}},"workload":{"rate":1,"requests":10}}`, 400, "prefill.parallel.tp"},
		{"serve unknown router", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"router":"zz","workload":{"rate":1,"requests":10}}`, 400, "router"},
		{"serve unknown arrival", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"arrival":"zz"}}`, 400, "workload.arrival"},
		{"serve trace arrival", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"arrival":"trace"}}`, 400, "workload.arrival"},
		{"serve zero input", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"input":{"dist":"uniform","min":0,"max":5}}}`, 400, "workload.input.min"},
		{"serve negative output", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"rate":1,"requests":10,"output":{"tokens":-5}}}`, 400, "workload.output.tokens"},
		{"serve prefill chips over the cap", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"prefill":{"chip":"h100-sxm","chips":200000},"workload":{"rate":1,"requests":10}}`, 400, "prefill.chips"},
		{"serve unknown prefill chip", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"prefill":{"chip":"h101","chips":8},"workload":{"rate":1,"requests":10}}`, 404, "prefill.chip"},
		// The estimator names the degree behind an oversized instance,
		// on every path: the curve, a simulation's prefill pool.
		{"curve instance over the chips", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":1,"model":"llama3.1-8b","parallel":{"tp":2},"workload":{"input_tokens":100,"output_tokens":10}}`, 400, "parallel.tp"},
		{"serve prefill instance over its chips", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":2,"parallel":{"tp":1},"prefill":{"chips":1,"parallel":{"tp":2}},"workload":{"rate":1,"requests":10}}`, 400, "prefill.parallel.tp"},
		{"serve prefill tp over the heads", "POST", "/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"prefill":{"chip":"h100-sxm","chips":8,"parallel":{"tp":64}},"workload":{"rate":1,"requests":10}}`, 400, "prefill.parallel.tp"},
		// ... and the degree behind weights that overflow a device (to
		// raise) or a stage its degrees do not divide, never "parallel".
		{"curve weights over a device", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":16,"model":"llama3.1-405b","parallel":{"tp":8},"workload":{"input_tokens":100,"output_tokens":10}}`, 400, "parallel.tp"},
		{"curve tp and ep not dividing", "POST", "/api/infer/curve", `{"chip":"h100-sxm","chips":24,"model":"qwen3-30b-a3b","parallel":{"tp":4,"ep":6},"workload":{"input_tokens":100,"output_tokens":10}}`, 400, "parallel.ep"},
		{"estimate ep not dividing tp × attention_dp", "POST", "/api/infer/estimate", `{"chip":"h100-sxm","chips":24,"model":"qwen3-30b-a3b","parallel":{"tp":2,"attention_dp":3,"ep":4},"workload":{"input_tokens":100,"output_tokens":10}}`, 400, "parallel.ep"},
		{"serve prefill tp and ep not dividing", "POST", "/api/serve/simulate", `{"model":"qwen3-30b-a3b","chip":"h100-sxm","chips":8,"prefill":{"chips":24,"parallel":{"tp":4,"ep":6}},"workload":{"rate":1,"requests":10}}`, 400, "prefill.parallel.ep"},
		{"scenario not YAML", "POST", "/api/report", `{"scenario":"{{{"}`, 400, "scenario"},
		// A NaN in a scenario range was a 500 "internal error" (the Monte
		// Carlo refused it); validation names it.
		{"scenario NaN network share", "POST", "/api/report", `{"scenario":"format: chipgap-scenario/v1\neconomics:\n  network_share: {min: .nan, typ: 0.15, max: 0.2}\n"}`, 400, "scenario.economics.network_share"},
		{"scenario NaN utilisation", "POST", "/api/report", `{"scenario":"format: chipgap-scenario/v1\neconomics:\n  utilisation: {typ: .nan}\n"}`, 400, "scenario.economics.utilisation"},
		{"scenario NaN failure-rate scale", "POST", "/api/report", `{"scenario":"format: chipgap-scenario/v1\nfailure_rate_scale:\n  cann: {typ: .nan}\n"}`, 400, "scenario.failure_rate_scale.cann"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e Error
			st := do(t, tc.method, srv.URL+tc.path, tc.body, &e)
			if st != tc.status || e.Field != tc.field || e.Msg == "" {
				t.Errorf("%s %s %q = %d {field %q, error %q}, want %d naming field %q", tc.method, tc.path, tc.body, st, e.Field, e.Msg, tc.status, tc.field)
			}
		})
	}
}

// TestBodyLimit: a 10 MB body is refused with 413 and the server keeps
// serving.
func TestBodyLimit(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	big := `{"chip":"` + strings.Repeat("x", 10<<20) + `"}`
	var e Error
	if st := do(t, "POST", srv.URL+"/api/train/estimate", big, &e); st != http.StatusRequestEntityTooLarge || e.Field != "body" {
		t.Errorf("POST 10 MB body = %d field %q, want 413 naming body", st, e.Field)
	}
	if st := do(t, "GET", srv.URL+"/api/chips", "", nil); st != http.StatusOK {
		t.Errorf("GET /api/chips after a 10 MB body = %d, want 200", st)
	}
}

// TestPanicIsLogged500: a handler panic becomes a JSON 500 and a log line.
func TestPanicIsLogged500(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	s.init()
	h := s.api(func(w http.ResponseWriter, r *http.Request) error { panic("boom") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
	var e Error
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 500 || e.Msg == "" || !strings.Contains(buf.String(), "boom") {
		t.Errorf("panicking handler = %d %q, log %q; want 500, a JSON error and the panic logged", rec.Code, rec.Body.String(), buf.String())
	}
	// An answer that cannot be encoded (a NaN from an estimator) is a
	// logged 500, not a 200 with an empty body.
	h = s.api(func(w http.ResponseWriter, r *http.Request) error {
		writeJSON(w, http.StatusOK, map[string]float64{"days": math.NaN()})
		return nil
	})
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &e); rec.Code != 500 || err != nil || !strings.Contains(buf.String(), "NaN") {
		t.Errorf("unencodable answer = %d %q, log %q; want a JSON 500 and the cause logged", rec.Code, rec.Body.String(), buf.String())
	}
	// An unclassified error is a 500 whose detail stays in the log.
	h = s.api(func(w http.ResponseWriter, r *http.Request) error { return errors.New("disk on fire") })
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "disk on fire") || !strings.Contains(buf.String(), "disk on fire") {
		t.Errorf("internal error = %d %q; want 500 with the detail logged, not sent", rec.Code, rec.Body.String())
	}
}

// TestCompareRatios: ratios are typ over the baseline's typ, and the
// model rows follow their formulas: weights / HBM capacity and HBM
// bandwidth / active weight bytes.
func TestCompareRatios(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got comparison
	if st := do(t, "GET", srv.URL+"/api/compare?chips=h100-sxm,b200&model=llama3.1-8b&precision=bf16", "", &got); st != 200 {
		t.Fatalf("GET /api/compare = %d", st)
	}
	cat, _ := catalog.Load()
	h100, _ := cat.Chip("h100-sxm")
	b200, _ := cat.Chip("b200")
	m, _ := cat.Model("llama3.1-8b")
	rows := map[string]calc.CompareRow{}
	for _, r := range got.Rows {
		rows[r.Key] = r
	}
	peakRatio := float64(b200.Peak["bf16"].Typ / h100.Peak["bf16"].Typ)
	if r := rows["peak"].Cells[1].Ratio; !near(r, peakRatio, 1e-12) {
		t.Errorf("b200/h100 bf16 peak ratio = %g, want %g", r, peakRatio)
	}
	// Llama 3.1 8B: 8.03e9 published parameters × 2 bytes ≈ 16.1 GB, over
	// the H100's 80 GiB (85.9 GB) ≈ 0.187 of a chip; at 3.35 TB/s one chip
	// streams those weights ≈ 208 times a second. The page must agree with
	// the published count to 1 % and follow its own formula exactly.
	published := m.PublishedParams * 2
	weights := float64(m.Params().Total) * 2
	capTyp, bwTyp := float64(h100.HBM.Capacity.Typ), float64(h100.HBM.Bandwidth.Typ)
	if c := rows["chips_for_weights"].Cells[0]; !near(c.Typ, weights/capTyp, 1e-12) || !near(c.Typ, published/capTyp, 0.01) {
		t.Errorf("chips for llama3.1-8b weights on h100 = %g, want %g (published %g)", c.Typ, weights/capTyp, published/capTyp)
	}
	if c := rows["decode_ceiling"].Cells[0]; !near(c.Typ, bwTyp/weights, 1e-12) || !near(c.Typ, bwTyp/published, 0.01) {
		t.Errorf("h100 batch-1 decode ceiling for llama3.1-8b = %g tokens/s, want %g (published %g)", c.Typ, bwTyp/weights, bwTyp/published)
	}
	if len(got.Charts) == 0 || !strings.HasPrefix(got.Charts[0].SVG, "<svg") {
		t.Errorf("compare charts = %d, want SVG charts", len(got.Charts))
	}
}

// TestTrainEstimateMatchesEstimator: the endpoint returns what
// training.Estimate gives for the same inputs, and days = tokens ÷
// tokens/s.
func TestTrainEstimateMatchesEstimator(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	body := `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","tokens":1e11,"seq":4096,"global_batch":256,"plan":{"tp":2,"pp":1,"zero":1,"sequence_parallel":true}}`
	var got calc.TrainView
	if st := do(t, "POST", srv.URL+"/api/train/estimate", body, &got); st != 200 {
		t.Fatalf("POST /api/train/estimate = %d", st)
	}
	if got.Plan.DP != 32 || got.Plan.Recompute != "none" {
		t.Errorf("filled plan = %+v, want dp = 64/2 = 32 and recompute none (chipgap train fills in full recompute of as many layers as memory requires: none of an 8B model's here)", got.Plan)
	}
	days := 1e11 / got.TokensPerSec / 86400
	if !near(float64(got.BudgetTime), days, 1e-9) {
		t.Errorf("days = %g, want tokens/tokens_per_s = %g", float64(got.BudgetTime), days)
	}
	if got.MFU <= 0 || got.MFU >= 1 {
		t.Errorf("mfu = %g, want a fraction", got.MFU)
	}
	// Cost = chip-hours × rental typ: chip-hours = 64 × days × 24.
	cat, _ := catalog.Load()
	h100, _ := cat.Chip("h100-sxm")
	if want := 64 * float64(got.BudgetTime) * 24 * float64(h100.Rental.Typ); got.Cost == nil || !near(float64(got.Cost.Typ), want, 1e-9) {
		t.Errorf("cost = %+v, want typ %g", got.Cost, want)
	}
	if lo, hi := got.Ranges.Low, got.Ranges.High; lo == nil || hi == nil || float64(lo.Time) < float64(got.BudgetTime) || float64(hi.Time) > float64(got.BudgetTime) {
		t.Errorf("ranges = %+v, want low-end hardware slower (more days) and high-end faster than %g", got.Ranges, float64(got.BudgetTime))
	}
}

// TestAsyncJob: ?async=1 answers 202 with a job whose final state holds
// the same result as the synchronous call.
func TestAsyncJob(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	body := `{"chip":"h100-sxm","chips":16,"model":"llama3.1-8b","seq":4096,"global_batch":64,"top":3}`
	var sync trainSearch
	if st := do(t, "POST", srv.URL+"/api/train/search", body, &sync); st != 200 {
		t.Fatalf("POST /api/train/search = %d", st)
	}
	var j jobView
	if st := do(t, "POST", srv.URL+"/api/train/search?async=1", body, &j); st != http.StatusAccepted || j.ID == "" {
		t.Fatalf("POST /api/train/search?async=1 = %d %+v, want 202 with a job id", st, j)
	}
	deadline := time.Now().Add(20 * time.Second)
	var final struct {
		State    string
		Progress progressView
		Result   trainSearch
	}
	for time.Now().Before(deadline) {
		if do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &final); final.State != "running" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if final.State != "done" || final.Progress.Done != final.Progress.Total || final.Progress.Total == 0 {
		t.Fatalf("job = %s progress %+v, want done with every shape counted", final.State, final.Progress)
	}
	if final.Result.Evaluated != sync.Evaluated || final.Result.Top[0].PlanText != sync.Top[0].PlanText {
		t.Errorf("async result %d plans, best %q; sync %d plans, best %q", final.Result.Evaluated, final.Result.Top[0].PlanText, sync.Evaluated, sync.Top[0].PlanText)
	}
}

// TestBusyAndTimeout: with one slot a second heavy request waits and,
// past the timeout, gets 504; with the waiting room full it gets 503 at
// once. Fake time (testing/synctest): no sleeps.
func TestBusyAndTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &Server{Limits: Limits{MaxHeavy: 1, MaxWaiting: 1, Timeout: 50 * time.Millisecond}}
		s.init()
		release := make(chan struct{})
		go func() {
			_, _ = compute(context.Background(), s, func(ctx context.Context) (int, error) {
				<-release
				return 0, nil
			})
		}()
		synctest.Wait() // the first request holds the only slot
		start := time.Now()
		_, err := compute(context.Background(), s, func(ctx context.Context) (int, error) { return 1, nil })
		var e *Error
		if !errors.As(err, &e) || e.Status != http.StatusGatewayTimeout || time.Since(start) != 50*time.Millisecond {
			t.Errorf("second request while the slot is held = %v after %v, want 504 after the 50ms timeout", err, time.Since(start))
		}
		go func() { // fills the waiting room (one place) until its timeout
			_, _ = compute(context.Background(), s, func(ctx context.Context) (int, error) { return 1, nil })
		}()
		synctest.Wait()
		start = time.Now()
		_, err = compute(context.Background(), s, func(ctx context.Context) (int, error) { return 1, nil })
		if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable || time.Since(start) != 0 {
			t.Errorf("request with a full waiting room = %v after %v, want 503 at once", err, time.Since(start))
		}
		close(release)
	})
}

// TestComputePanic: a panic inside a computation is a logged 500 and
// frees the slot.
func TestComputePanic(t *testing.T) {
	var buf bytes.Buffer
	s := &Server{Limits: Limits{MaxHeavy: 1}, Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf}, nil))}
	s.init()
	_, err := compute(context.Background(), s, func(ctx context.Context) (int, error) { panic("kaboom") })
	var e *Error
	if !errors.As(err, &e) || e.Status != 500 || !strings.Contains(buf.String(), "kaboom") {
		t.Errorf("panicking computation = %v, log %q; want a 500 and the panic logged", err, buf.String())
	}
	if v, err := compute(context.Background(), s, func(ctx context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("next computation = %d, %v; want the slot freed", v, err)
	}
}

func TestStaticPageIsEmbedded(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for _, p := range []string{"/", "/app.js", "/style.css"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("GET %s = %d (%d bytes), want the embedded file", p, resp.StatusCode, len(b))
		}
		// Works offline: nothing is fetched from another host.
		if bytes.Contains(b, []byte("http://")) && p != "/" || bytes.Contains(b, []byte("https://cdn")) || bytes.Contains(b, []byte("<script src=\"http")) {
			t.Errorf("GET %s refers to another host", p)
		}
	}
	if st := do(t, "POST", srv.URL+"/", "", nil); st != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", st)
	}
}

// TestReport runs the built-in scenario with few samples: every system
// of the scenario gets a row, the report's sections carry SVG charts, and
// each system's "total days" figure is the results' total_days.
func TestReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gap report engine")
	}
	srv, _ := newTestServer(t, Limits{})
	var got reportResponse
	if st := do(t, "POST", srv.URL+"/api/report", `{"samples":20}`, &got); st != 200 {
		t.Fatalf("POST /api/report = %d", st)
	}
	if got.Results == nil || got.Results.Samples != 20 || len(got.Results.Systems) == 0 {
		t.Fatalf("report results = %+v, want 20 samples and systems", got.Results)
	}
	charts := 0
	for _, sec := range got.Report.Sections {
		for _, c := range sec.Charts {
			charts++
			if !strings.HasPrefix(c.SVG, "<svg") {
				t.Errorf("chart %s is not SVG", c.Key)
			}
		}
	}
	if charts == 0 {
		t.Error("the report has no charts")
	}
	totals := map[string]float64{}
	for _, f := range got.Report.Figures {
		if f.Name == "total days" {
			totals[f.Subject] = f.Stat.P50
		}
	}
	for _, sy := range got.Results.Systems {
		want := sy.Stats["total_days"].P50
		if got, ok := totals[sy.System.Label]; sy.TrainError == "" && (!ok || !near(got, want, 1e-12)) {
			t.Errorf("report figure total days of %s = %g (shown %v), results say %g", sy.System.Label, got, ok, want)
		}
	}
	if len(got.Sources) == 0 {
		t.Error("report answer resolves no sources")
	}
}

// TestCatalogEndpoints: models carry their parameter counts, every source
// key a chip cites resolves in /api/sources, systems and limits answer.
func TestCatalogEndpoints(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxPlans: 123})
	cat, _ := catalog.Load()
	var models struct{ Models []calc.ModelView }
	if st := do(t, "GET", srv.URL+"/api/models", "", &models); st != 200 || len(models.Models) != len(cat.Models()) {
		t.Fatalf("GET /api/models = %d with %d models, want 200 with %d", st, len(models.Models), len(cat.Models()))
	}
	for _, m := range models.Models {
		if m.TotalParams != m.Params().Total || m.ActiveParams > m.TotalParams || m.TotalParams <= 0 {
			t.Errorf("model %s: total %d active %d, want the llm counts (%d)", m.ID, m.TotalParams, m.ActiveParams, m.Params().Total)
		}
	}
	var srcs struct {
		Sources map[string]struct{ Title string }
	}
	do(t, "GET", srv.URL+"/api/sources", "", &srcs)
	for _, c := range cat.Chips() {
		for _, k := range c.SourceKeys() {
			if srcs.Sources[k].Title == "" {
				t.Errorf("chip %s cites %q, which /api/sources does not resolve", c.ID, k)
			}
		}
	}
	var sys struct{ Systems, Networks []json.RawMessage }
	if st := do(t, "GET", srv.URL+"/api/systems", "", &sys); st != 200 || len(sys.Systems) == 0 || len(sys.Networks) == 0 {
		t.Errorf("GET /api/systems = %d with %d systems, %d networks", st, len(sys.Systems), len(sys.Networks))
	}
	var lim limitsView
	if do(t, "GET", srv.URL+"/api/limits", "", &lim); lim.MaxPlans != 123 || lim.MaxBody != 1<<20 {
		t.Errorf("GET /api/limits = %+v, want the configured max_plans 123 and the default 1 MiB body", lim)
	}
}

// TestSearchCap: a search space over MaxPlans is refused before it runs,
// naming plan; fixing degrees brings it under.
func TestSearchCap(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxPlans: 200})
	var e Error
	body := `{"chip":"h100-sxm","chips":64,"model":"llama3.1-8b","seq":4096,"global_batch":64}`
	if st := do(t, "POST", srv.URL+"/api/train/search", body, &e); st != 400 || e.Field != "plan" {
		t.Errorf("search of the whole space under a 200-plan cap = %d %+v, want 400 naming plan", st, e)
	}
	fixed := strings.Replace(body, `}`, `,"plan":{"tp":2,"pp":1,"cp":1,"microbatch":1,"vpp":1}}`, 1)
	var res trainSearch
	if st := do(t, "POST", srv.URL+"/api/train/search", fixed, &res); st != 200 || res.Evaluated > 200 || res.Evaluated == 0 {
		t.Errorf("search with fixed degrees = %d, %d plans evaluated; want 200 and at most 200", st, res.Evaluated)
	}
}

// TestSearchCapCountsWhatTheSearchTries: the cap weighs the plans the
// search tries, after the stack's restrictions, not the stated space.
// Worked by hand (calc's TestCountPlansAfterTheStacksRestrictions): Llama
// 3.1 8B on 8 H100s, global batch 8, tp 2 and pp 2 on
// cuda-megatron-deepspeed leave cp 1, dp 2, a local batch of 4:
// microbatch 1, 2 or 4 × recompute none or full × ZeRO 0 or 1 = 12
// plans. A 12-plan cap admits it, every plan estimated (the stated space
// alone holds 768: it was refused); an 11-plan cap refuses it, naming
// plan and the cap.
func TestSearchCapCountsWhatTheSearchTries(t *testing.T) {
	const body = `{"chip":"h100-sxm","chips":8,"model":"llama3.1-8b","seq":4096,"global_batch":8,"stack":"cuda-megatron-deepspeed","plan":{"tp":2,"pp":2}}`
	srv, _ := newTestServer(t, Limits{MaxPlans: 12})
	var res trainSearch
	if st := do(t, "POST", srv.URL+"/api/train/search", body, &res); st != 200 || res.Evaluated != 12 {
		t.Errorf("search of 12 plans under a 12-plan cap = %d, %d plans evaluated; want 200 and 12", st, res.Evaluated)
	}
	srv, _ = newTestServer(t, Limits{MaxPlans: 11})
	var e Error
	if st := do(t, "POST", srv.URL+"/api/train/search", body, &e); st != 400 || e.Field != "plan" || !strings.Contains(e.Msg, "more than 11 plans") {
		t.Errorf("search of 12 plans under an 11-plan cap = %d %+v, want 400 naming plan and the cap", st, e)
	}
}

// TestJobsBounded: with MaxJobs 1 a second job is refused (429) while the
// first runs; once it is done the next one evicts it.
func TestJobsBounded(t *testing.T) {
	s := &Server{Limits: Limits{MaxJobs: 1}}
	s.init()
	release := make(chan struct{})
	j1, err := startJob(s, "block", func(ctx context.Context, p *Progress) (int, error) {
		p.Set("waiting", 1)
		<-release
		p.Step(1)
		return 42, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if _, err := startJob(s, "second", func(ctx context.Context, p *Progress) (int, error) { return 0, nil }); !errors.As(err, &e) || e.Status != http.StatusTooManyRequests {
		t.Errorf("second job while the first runs = %v, want 429", err)
	}
	close(release)
	for viewJob(j1, time.Now()).State == "running" {
		time.Sleep(time.Millisecond)
	}
	if v := viewJob(j1, time.Now()); v.State != "done" || v.Result != 42 || v.Progress.Done != 1 {
		t.Errorf("first job = %+v, want done with 42 and its progress", v)
	}
	if _, err := startJob(s, "third", func(ctx context.Context, p *Progress) (int, error) { return 0, nil }); err != nil {
		t.Errorf("third job after the first finished = %v, want the finished one evicted", err)
	}
	if _, ok := s.jobs.Get(j1.ID()); ok {
		t.Error("the finished first job is still kept")
	}
}

// apiRequest is an in-process POST as the page sends it: to 127.0.0.1,
// with a JSON content type.
func apiRequest(method, path string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, "http://127.0.0.1"+path, body)
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

// TestCancelJob: DELETE /api/jobs/{id} stops a running job; its state
// becomes cancelled, well before the report would have finished, and an
// unknown id is a 404.
func TestCancelJob(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxSamples: 20000})
	var j jobView
	if st := do(t, "POST", srv.URL+"/api/report?async=1", `{"samples":20000}`, &j); st != http.StatusAccepted || j.ID == "" {
		t.Fatalf("POST /api/report?async=1 = %d %+v, want 202 with a job id", st, j)
	}
	start := time.Now()
	var c jobView
	if st := do(t, "DELETE", srv.URL+"/api/jobs/"+j.ID, "", &c); st != http.StatusAccepted || (c.State != "cancelling" && c.State != "cancelled") {
		t.Fatalf("DELETE = %d %+v, want 202, cancelling", st, c)
	}
	for c.State == "cancelling" && time.Since(start) < 30*time.Second {
		time.Sleep(20 * time.Millisecond)
		do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &c)
	}
	if c.State != "cancelled" {
		t.Errorf("after cancelling: state %q, want cancelled", c.State)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("a cancelled 20,000-sample report took %v to stop", d)
	}
	if st := do(t, "DELETE", srv.URL+"/api/jobs/0000000000000000", "", nil); st != http.StatusNotFound {
		t.Errorf("DELETE of an unknown job = %d, want 404", st)
	}
}

// The serving answer names the engine whose limits apply and is scored on
// that engine's runs: vllm on a 910B is vllm-ascend and quotes GPUStack's
// vLLM-Ascend rows; without a framework, no engine and CloudMatrix's.
func TestInferNamesEngine(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for _, c := range []struct{ framework, engine, regime string }{
		{"vllm", "vllm-ascend", "huawei-moe-serving-offline"},
		{"", "", "huawei-moe-serving"},
	} {
		body := `{"chip":"ascend-910b","chips":2,"model":"qwen3-30b-a3b","framework":"` + c.framework + `","parallel":{"tp":2},"batches":[8],"workload":{"input_tokens":1000,"output_tokens":100}}`
		var got struct {
			Engine string `json:"engine"`
			Scored *struct {
				ID string `json:"id"`
			} `json:"scored"`
		}
		if st := do(t, "POST", srv.URL+"/api/infer/curve", body, &got); st != 200 {
			t.Fatalf("framework %q: POST /api/infer/curve = %d", c.framework, st)
		}
		if got.Engine != c.engine || got.Scored == nil || got.Scored.ID != c.regime {
			t.Errorf("framework %q: engine %q, scored %+v; want %q scored by %s", c.framework, got.Engine, got.Scored, c.engine, c.regime)
		}
	}
}

// TestFailedJob: a job that fails keeps its error, with the status a
// synchronous request would have had (docs/api.md: "its status in
// status"), and a DELETE after it failed changes nothing. Before: the
// error had no status, and the DELETE turned the job into "cancelled"
// and dropped its error.
func TestFailedJob(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var j jobView
	body := `{"chip":"h100-sxm","chips":1,"model":"llama3.1-405b"}` // no plan fits one chip
	if st := do(t, "POST", srv.URL+"/api/train/search?async=1", body, &j); st != http.StatusAccepted {
		t.Fatalf("POST /api/train/search?async=1 = %d, want 202", st)
	}
	type failed struct {
		State string
		Error *struct {
			Error, Field string
			Status       *int
		}
	}
	var got failed
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got = (failed{}); do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &got) == 200 && got.State != "running" {
			break
		}
	}
	check := func(when string, got failed) {
		t.Helper()
		if got.State != "failed" || got.Error == nil || got.Error.Field != "plan" || got.Error.Status == nil || *got.Error.Status != 400 || got.Error.Error == "" {
			t.Errorf("%s: %+v (error %+v), want failed with a 400 naming plan and its status", when, got, got.Error)
		}
	}
	check("the job", got)
	var del failed
	if st := do(t, "DELETE", srv.URL+"/api/jobs/"+j.ID, "", &del); st != http.StatusAccepted {
		t.Errorf("DELETE of a failed job = %d, want 202", st)
	}
	check("DELETE's answer", del)
	got = failed{}
	do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &got)
	check("the job after the DELETE", got)
}

// Disaggregated, the curve and the estimate carry the two pools sized
// together, as serve-estimate does: their points are the decode pool's
// per decode chip, and the pooled rate is that over 1 + prefill chips per
// decode chip (the API once gave only the decode pool's, 2.16× over).
func TestInferDisaggCarriesThePools(t *testing.T) {
	srv, _ := newTestServer(t, DefaultLimits())
	body := `{"chip":"h100-sxm","chips":16,"model":"deepseek-v3","precision":"fp8","mode":"disagg","parallel":{"tp":1,"ep":16},` +
		`"workload":{"input_tokens":4096,"output_tokens":1024},"slo":{"tpot":"100ms","ttft":"5s"}}`
	for _, path := range []string{"/api/infer/curve", "/api/infer/estimate"} {
		var got struct {
			Best   *inference.Point  `json:"best"`
			Point  *inference.Point  `json:"point"`
			Disagg *inference.Disagg `json:"disagg"`
		}
		if code := do(t, "POST", srv.URL+path, body, &got); code != 200 || got.Disagg == nil {
			t.Fatalf("%s: %d, disagg %v: want the pools", path, code, got.Disagg)
		}
		d := got.Disagg
		if want := d.Decode.OutputPerChip / (1 + d.PrefillPerDecodeChip); math.Abs(d.OutputPerChip/want-1) > 1e-9 {
			t.Errorf("%s: pooled %g tokens/s per chip, want decode's %g over 1 + %g = %g", path, d.OutputPerChip, d.Decode.OutputPerChip, d.PrefillPerDecodeChip, want)
		}
	}
}

// A pool that misses its latency target leaves the curve and the
// estimate standing, with disagg_error saying why the pools could not be
// sized together (the pooled sizing's refusal once sank the whole answer).
func TestInferDisaggTightSLOStillAnswers(t *testing.T) {
	srv, _ := newTestServer(t, DefaultLimits())
	body := `{"chip":"h100-sxm","chips":16,"model":"deepseek-v3","precision":"fp8","mode":"disagg","parallel":{"tp":1,"ep":16},` +
		`"workload":{"input_tokens":4096,"output_tokens":1024},"slo":{"tpot":"100ms","ttft":"60ms"}}`
	for _, path := range []string{"/api/infer/curve", "/api/infer/estimate"} {
		var got struct {
			Disagg      *inference.Disagg `json:"disagg"`
			DisaggError string            `json:"disagg_error"`
		}
		if code := do(t, "POST", srv.URL+path, body, &got); code != 200 || got.Disagg != nil || !strings.Contains(got.DisaggError, "prefill pool") {
			t.Errorf("%s: %d, disagg %v, disagg_error %q: want 200 and the prefill pool named", path, code, got.Disagg, got.DisaggError)
		}
	}
}
