package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A duration string without a unit is a 400 naming its field on every
// endpoint that takes a duration, as the command line refuses --tpot 50
// (the audit: "tpot": "50" was read as 50 s); a JSON number is seconds
// and "0" (no bound) is taken, as --tpot 0 is.
func TestUnitlessDurationIsRefused(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	const job = `"model":"llama3.1-8b","chip":"h100-sxm","chips":8`
	sim := job + `,"workload":{"rate":1,"requests":10}`
	for _, c := range []struct{ path, body, field, value string }{
		{"/api/infer/curve", `{` + job + `,"slo":{"tpot":"50"}}`, "slo.tpot", "50"},
		{"/api/infer/estimate", `{` + job + `,"workload":{"input_tokens":100,"output_tokens":10},"slo":{"ttft":" 2 "}}`, "slo.ttft", " 2 "},
		{"/api/serve/simulate", `{` + sim + `,"slo":{"tpot":"0.05"}}`, "slo.tpot", "0.05"},
		{"/api/serve/simulate", `{` + sim + `,"mode":"disaggregated","link_latency":"20"}`, "link_latency", "20"},
		{"/api/run/simulate", `{` + job + `,"days":1,"interval":"3600"}`, "interval", "3600"},
	} {
		var e Error
		st := do(t, "POST", srv.URL+c.path, c.body, &e)
		if st != 400 || e.Field != c.field || !strings.Contains(e.Msg, `"`+c.value+`"`) || !strings.Contains(e.Msg, "want a unit (50ms) or a JSON number of seconds") {
			t.Errorf("%s %s: %d %q %q; want 400 naming %s, quoting %q and asking for a unit", c.path, c.body, st, e.Field, e.Msg, c.field, c.value)
		}
	}
	for _, body := range []string{`{` + job + `,"slo":{"tpot":0.05}}`, `{` + job + `,"slo":{"tpot":"50ms"}}`, `{` + job + `,"slo":{"tpot":"0"}}`} {
		if st := do(t, "POST", srv.URL+"/api/infer/curve", body, nil); st != 200 {
			t.Errorf("%s: %d, want 200", body, st)
		}
	}
}

// A report's samples and a run's seeds out of range are refused with the
// bound that applies here, max_samples, whichever side they fall (the
// audit: -1 quoted the CLI's 100000, 5000 the server's 1000), and a
// scenario's own samples over it name scenario.samples; the cap is not
// a field a client can send.
func TestSampleBoundsQuoteTheServers(t *testing.T) {
	srv, _ := newTestServer(t, Limits{MaxSamples: 50})
	const run = `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"days":1`
	for _, c := range []struct{ path, body, field, msg string }{
		{"/api/report", `{"samples":-1}`, "samples", "samples = -1: want 1 to 50 (this server's max_samples"},
		{"/api/report", `{"samples":5000}`, "samples", "samples = 5000: want 1 to 50 (this server's max_samples"},
		{"/api/report", `{"scenario":"format: chipgap-scenario/v1\nsamples: 60\n"}`, "scenario.samples", "field samples: 60: want 1 to 50 (this server's max_samples"},
		{"/api/run/simulate", run + `,"seeds":-1}`, "seeds", "seeds = -1: want 1 to 50 (this server's max_samples"},
		{"/api/run/simulate", run + `,"seeds":5000}`, "seeds", "seeds = 5000: want 1 to 50 (this server's max_samples"},
		{"/api/run/simulate", run + `}`, "seeds", "seeds: absent, the default 100 is over 1 to 50 (this server's max_samples, see docs/api.md): state the seeds"}, // the default is over it
		{"/api/run/simulate", run + `,"seeds":0}`, "seeds", "seeds = 0: want a positive value (leave it out for the default)"},
		{"/api/run/simulate", run + `,"SeedCap":{"N":100000}}`, "SeedCap", "unknown field"},
	} {
		var e Error
		if st := do(t, "POST", srv.URL+c.path, c.body, &e); st != 400 || e.Field != c.field || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s %s: %d %q %q; want 400 naming %s, %q", c.path, c.body, st, e.Field, e.Msg, c.field, c.msg)
		}
	}
	if st := do(t, "POST", srv.URL+"/api/run/simulate", run+`,"seeds":50}`, nil); st != 200 {
		t.Errorf("50 seeds under a max_samples of 50: %d, want 200", st)
	}
}

// A serving simulation's counts are checked against their own ranges
// before the server's token budget on their product (the audit: 16777217
// output tokens were blamed on workload.requests), and requests out of
// range quote this server's max_serve_requests, not the CLI's 10,000,000,
// whichever side they fall.
func TestServeCountsQuoteTheirOwnRange(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	const sim = `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{%s}}`
	for _, c := range []struct{ workload, field, msg string }{
		{`"output":{"tokens":16777217}`, "workload.output.tokens", "workload.output.tokens = 16777217: want at most 16777216 tokens"},
		{`"input":{"dist":"uniform","min":1,"max":16777217}`, "workload.input.max", "want at most 16777216 tokens"},
		{`"requests":-3`, "workload.requests", "workload.requests = -3: want 1..1000000 (this server's max_serve_requests, see docs/api.md)"},
		{`"requests":1000001`, "workload.requests", "workload.requests = 1000001: want 1..1000000 (this server's max_serve_requests"},
		{`"requests":1000000,"output":{"tokens":2000}`, "workload.requests", "tokens to simulate, over this server's limit"},
	} {
		var e Error
		body := fmt.Sprintf(sim, c.workload)
		if st := do(t, "POST", srv.URL+"/api/serve/simulate", body, &e); st != 400 || e.Field != c.field || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s: %d %q %q; want 400 naming %s, %q", body, st, e.Field, e.Msg, c.field, c.msg)
		}
	}
}

// A number of days whose duration overflows is refused quoting what was
// sent and the bound (the audit: "days = +Inf ns: want a finite number
// of days"), as a number, negative, or a string.
func TestOverflowingDaysQuoteWhatWasSent(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for days, msg := range map[string]string{
		`1e308`:   "days = 1e308: want 0 to 3650 days (ten years)",
		`-1e308`:  "days = -1e308: want 0 to 3650 days (ten years)",
		`"1e308"`: `invalid number of days "1e308": want 0 to 3650 days (ten years)`,
		`1e5`:     "days = 100000 d: want 0 to 3650 days (ten years)", // finite: normalize's check, the same rule
	} {
		var e Error
		body := `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"days":` + days + `}`
		if st := do(t, "POST", srv.URL+"/api/run/simulate", body, &e); st != 400 || e.Field != "days" || e.Msg != msg {
			t.Errorf("days %s: %d %q %q; want 400 naming days, %q", days, st, e.Field, e.Msg, msg)
		}
	}
}

// /metrics counts a 405 under /api by the endpoint whose path matched
// (the audit: every one was route "/api/"), a foreign Host's 403 by the
// endpoint it went to (it was "other"), an unknown path still under
// the one "/api/"; GET /metrics refuses an unknown parameter as every
// other GET does, and POST /metrics is a 405 about the metrics, not
// about the page's files.
func TestMetricsRoutesAndRefusals(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for _, c := range []struct{ method, path string }{{"PUT", "/api/compare"}, {"GET", "/api/run/simulate"}, {"DELETE", "/api/chips/h100-sxm"}, {"GET", "/api/nope"}, {"PATCH", "/api/nope/x"}} {
		do(t, c.method, srv.URL+c.path, "", nil)
	}
	var e Error
	if st := do(t, "GET", srv.URL+"/metrics?x=1", "", &e); st != 400 || e.Field != "x" || !strings.Contains(e.Msg, `unknown query parameter "x"`) {
		t.Errorf("GET /metrics?x=1: %d %q %q; want 400 naming x", st, e.Field, e.Msg)
	}
	if st := do(t, "POST", srv.URL+"/metrics", "", &e); st != 405 || e.Field != "method" || e.Msg != "POST /metrics: the Prometheus metrics answer only GET and HEAD (see docs/api.md)" {
		t.Errorf("POST /metrics: %d %q %q; want a 405 about the metrics", st, e.Field, e.Msg)
	}
	foreign, _ := http.NewRequest("GET", srv.URL+"/api/limits", nil)
	foreign.Host = "evil.example"
	if resp, err := http.DefaultClient.Do(foreign); err != nil || resp.StatusCode != 403 {
		t.Errorf("a foreign Host: %v %v, want a 403", resp, err)
	} else {
		resp.Body.Close()
	}
	if st := do(t, "GET", srv.URL+"/metrics?_=1", "", nil); st != 200 { // the cache-buster every GET takes
		t.Errorf("GET /metrics?_=1: %d, want 200", st)
	}
	text := getMetrics(t, srv.URL)
	for _, want := range []string{
		`chipgap_http_requests_total{code="405",route="/api/compare"} 1`,
		`chipgap_http_requests_total{code="405",route="/api/run/simulate"} 1`,
		`chipgap_http_requests_total{code="405",route="/api/chips/{id}"} 1`,
		`chipgap_http_requests_total{code="404",route="/api/"} 2`,
		`chipgap_http_requests_total{code="400",route="GET /metrics"} 1`,
		`chipgap_http_requests_total{code="405",route="/metrics"} 1`,
		`chipgap_http_requests_total{code="403",route="GET /api/limits"} 1`, // a foreign Host: by the endpoint, not "other"
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(text, `code="405",route="/api/"`) {
		t.Error(`a 405 is still counted under route "/api/"`)
	}
}

// Refusals word what was sent as it is (the audit): an integer past its
// type or in exponent form is an integer, not "want an integer"; a
// duration that overflows says so, not "want a number with one of the
// units"; and an SLO no batch meets prints an absent TTFT bound as none,
// not "ttft=0 ns", a bound nothing could meet.
func TestRefusalsWordWhatWasSent(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	const body = `{"chip":"h100-sxm","model":"llama3.1-70b","chips":8,%s}`
	for _, c := range []struct{ path, fields, field, msg string }{
		{"/api/infer/curve", `"parallel":{"tp":9999999999999999999999}`, "parallel.tp", "got 9999999999999999999999: an integer out of range, want -9223372036854775808 to 9223372036854775807"},
		{"/api/infer/curve", `"chips":9999999999999999999999`, "chips", "an integer out of range"},
		{"/api/infer/curve", `"chips":1e12`, "chips", "got 1e12: an integer in exponent form"},
		{"/api/infer/curve", `"batches":[1e12]`, "batches", "got 1e12: an integer in exponent form, want it in digits (1000000000000)"},
		{"/api/infer/curve", `"batches":[1.5]`, "batches", "got a JSON number 1.5, want an integer"},
		{"/api/infer/curve", `"slo":{"tpot":"1e400s"}`, "slo.tpot", `invalid duration "1e400s": the number overflows: want a finite one`},
		{"/api/infer/estimate", `"slo":{"tpot":"1ms"}`, "slo", "slo = tpot=1 ms, no TTFT bound: no batch size meets it"},
	} {
		var e Error
		b := strings.Replace(fmt.Sprintf(body, c.fields), `"chips":8,`, "", strings.Count(c.fields, "chips"))
		if st := do(t, "POST", srv.URL+c.path, b, &e); st != 400 || e.Field != c.field || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s %s: %d %q %q; want 400 naming %s, %q", c.path, b, st, e.Field, e.Msg, c.field, c.msg)
		}
	}
}
