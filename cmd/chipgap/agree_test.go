package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"chipgap/parallel"
	"chipgap/web"
)

// The CLI and the API cannot drift where they share a use case: the same
// whole-run request through `chipgap run --json` and POST
// /api/run/simulate gets the same steady-state throughput, plan and
// source from catalog.RunThroughput (issue 12), searched or at an MFU.
func TestRunThroughputAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	type tput struct {
		TokensPerSec float64 `json:"tokens_per_s"`
		MFU          float64 `json:"mfu"`
		Source       string  `json:"source"`
		Plan         string  `json:"plan"`
	}
	for _, c := range []struct {
		cli  []string
		body string
	}{
		{[]string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "64", "--days", "2", "--seeds", "2", "--seq", "4096", "--global-batch", "512"},
			`{"model":"llama3.1-8b","chip":"h100-sxm","chips":64,"days":2,"seeds":2,"seq":4096,"global_batch":512,"ranges":false}`},
		{[]string{"--model", "llama3.1-70b", "--chip", "ascend-910b", "--chips", "256", "--days", "2", "--seeds", "2", "--mfu", "0.3"},
			`{"model":"llama3.1-70b","chip":"ascend-910b","chips":256,"days":2,"seeds":2,"mfu":0.3,"ranges":false}`},
	} {
		var cli, api struct{ Throughput tput }
		cliJSON(t, &cli, append([]string{"run"}, c.cli...)...)
		postJSON(t, srv.URL+"/api/run/simulate", c.body, &api)
		// One throughput shape (the audit: the API's lacked
		// tokens_per_s_per_chip and held measured_band, the CLI's had it
		// beside): the same keys, the same band.
		var cliRaw, apiRaw struct{ Throughput map[string]json.RawMessage }
		cliJSON(t, &cliRaw, append([]string{"run"}, c.cli...)...)
		postJSON(t, srv.URL+"/api/run/simulate", c.body, &apiRaw)
		if ck, ak := slices.Sorted(maps.Keys(cliRaw.Throughput)), slices.Sorted(maps.Keys(apiRaw.Throughput)); !slices.Equal(ck, ak) {
			t.Errorf("%s: throughput keys: CLI %v, API %v", c.body, ck, ak)
		}
		if b := cliRaw.Throughput["measured_band"]; c.cli[len(c.cli)-2] != "--mfu" && (b == nil || !sameJSON(b, apiRaw.Throughput["measured_band"])) {
			t.Errorf("%s: measured_band: CLI %s, API %s", c.body, b, apiRaw.Throughput["measured_band"])
		}
		a, k := api.Throughput, cli.Throughput
		// The source names where an MFU came from (--mfu or the request).
		if a.TokensPerSec != k.TokensPerSec || a.MFU != k.MFU || a.Plan != k.Plan ||
			strings.Replace(a.Source, "(request)", "(--mfu)", 1) != k.Source {
			t.Errorf("%s:\n  CLI %+v\n  API %+v", c.body, k, a)
		}
	}
}

// postJSON posts body to the test server and decodes the 200 answer.
func postJSON(t *testing.T, url, body string, into any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s %s: %d %s", url, body, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
}

// getJSON gets url from the test server and decodes the 200 answer.
func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
}

// cliJSON runs a chipgap command with --json and decodes its output.
func cliJSON(t *testing.T, into any, args ...string) {
	t.Helper()
	code, out, errs := runCLI(append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("chipgap %v: exit %d: %s", args, code, errs)
	}
	if err := json.Unmarshal([]byte(out), into); err != nil {
		t.Fatal(err)
	}
}

// The same training plan through `chipgap train --json` and POST
// /api/train/estimate gets the same filled plan, step time, throughput,
// MFU and memory, unset plan fields included (parallel.Plan.WithDefaults
// fills both; before, the API took selective recompute and DP 0 where
// the CLI took full recompute as memory requires): dense and MoE, NVIDIA
// and Ascend.
func TestTrainEstimateAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	type est struct {
		PlanText          string          `json:"plan_text"`
		StepTime          float64         `json:"step_time"`
		TokensPerSPerChip float64         `json:"tokens_per_s_per_chip"`
		MFU               float64         `json:"mfu"`
		Memory            json.RawMessage `json:"memory"`
	}
	for _, c := range []struct {
		cli  []string
		body string
	}{
		{[]string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "64", "--seq", "4096", "--global-batch", "256", "--tp", "2", "--zero", "1"},
			`{"model":"llama3.1-8b","chip":"h100-sxm","chips":64,"seq":4096,"global_batch":256,"plan":{"tp":2,"zero":1},"ranges":false}`},
		{[]string{"--model", "llama3.1-70b", "--chip", "ascend-910b", "--chips", "256", "--seq", "4096", "--global-batch", "512", "--tp", "8", "--pp", "4", "--zero", "1", "--recompute", "selective"},
			`{"model":"llama3.1-70b","chip":"ascend-910b","chips":256,"seq":4096,"global_batch":512,"plan":{"tp":8,"pp":4,"zero":1,"recompute":"selective"},"ranges":false}`},
		{[]string{"--model", "mixtral-8x7b", "--chip", "h100-sxm", "--chips", "64", "--seq", "4096", "--global-batch", "256", "--tp", "2", "--pp", "4", "--ep", "8", "--zero", "0", "--software", "megatron-lm"},
			`{"model":"mixtral-8x7b","chip":"h100-sxm","chips":64,"seq":4096,"global_batch":256,"framework":"megatron-lm","plan":{"tp":2,"pp":4,"ep":8},"ranges":false}`},
	} {
		var cli, api est
		cliJSON(t, &cli, append([]string{"train"}, c.cli...)...)
		postJSON(t, srv.URL+"/api/train/estimate", c.body, &api)
		if cli.PlanText != api.PlanText || cli.StepTime != api.StepTime || cli.TokensPerSPerChip != api.TokensPerSPerChip ||
			cli.MFU != api.MFU || !sameJSON(cli.Memory, api.Memory) {
			t.Errorf("%s:\n  CLI %s %g s %g tok/s/chip mfu %g\n  API %s %g s %g tok/s/chip mfu %g", c.body,
				cli.PlanText, cli.StepTime, cli.TokensPerSPerChip, cli.MFU, api.PlanText, api.StepTime, api.TokensPerSPerChip, api.MFU)
		}
	}
}

// The same serving question through `chipgap serve-estimate --json` and
// POST /api/infer/estimate gets the same best point under the SLO (batch,
// TPOT, TTFT, throughput, step) and the same memory per device.
func TestServeEstimateAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	for _, c := range []struct {
		cli  []string
		body string
	}{
		{[]string{"--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "1", "--input", "1024", "--output", "256"},
			`{"model":"llama3.1-8b","chip":"h100-sxm","chips":1,"workload":{"input_tokens":1024,"output_tokens":256}}`},
		{[]string{"--model", "llama3.1-70b", "--chip", "ascend-910c", "--chips", "8", "--input", "2048", "--output", "512", "--tpot", "50ms"},
			`{"model":"llama3.1-70b","chip":"ascend-910c","chips":8,"workload":{"input_tokens":2048,"output_tokens":512},"slo":{"tpot":0.05}}`},
	} {
		var cli []struct {
			Best   json.RawMessage `json:"best"`
			Memory json.RawMessage `json:"memory_per_device"`
		}
		var api struct {
			Point  json.RawMessage `json:"point"`
			Memory json.RawMessage `json:"memory"`
		}
		cliJSON(t, &cli, append([]string{"serve-estimate"}, c.cli...)...)
		postJSON(t, srv.URL+"/api/infer/estimate", c.body, &api)
		if len(cli) != 1 {
			t.Fatalf("serve-estimate %v: %d results, want 1", c.cli, len(cli))
		}
		if !sameJSON(cli[0].Best, api.Point) {
			t.Errorf("%s: best point differs:\n  CLI %s\n  API %s", c.body, cli[0].Best, api.Point)
		}
		if !sameJSON(cli[0].Memory, api.Memory) {
			t.Errorf("%s: memory differs:\n  CLI %s\n  API %s", c.body, cli[0].Memory, api.Memory)
		}
	}
}

// The same serving question through `chipgap serve-estimate --json`, POST
// /api/infer/curve and /api/infer/estimate gets the same best point, the
// same P10–P90 range of its throughput, the same cost and energy and the
// same resolved layout, from the one calc.Serve (the API once drew the
// curve alone, without range or cost, and ignored region); and region
// prices the owned chip-hour: the answers for us, eu and china differ in
// cost, each the CLI's with --region.
func TestServeRangeAndCostAgreeAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	type answer struct {
		Best     json.RawMessage `json:"best"`
		Low      json.RawMessage `json:"best_low"`
		High     json.RawMessage `json:"best_high"`
		Cost     json.RawMessage `json:"cost"`
		Energy   json.RawMessage `json:"energy"`
		Parallel json.RawMessage `json:"parallel"`
	}
	type estimate struct {
		Point  json.RawMessage `json:"point"`
		Low    json.RawMessage `json:"low"`
		High   json.RawMessage `json:"high"`
		Cost   json.RawMessage `json:"cost"`
		Energy json.RawMessage `json:"energy"`
	}
	cliArgs := []string{"serve-estimate", "--chip", "h100-sxm", "--chips", "8", "--model", "llama3.1-70b", "--precision", "fp8",
		"--input", "2048", "--output", "256", "--tpot", "50ms", "--ttft", "2s", "--tp", "8"}
	body := `{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","precision":"fp8","workload":{"input_tokens":2048,"output_tokens":256},` +
		`"slo":{"tpot":"50ms","ttft":"2s"},"parallel":{"tp":8}`
	owned := map[string]float64{}
	for _, region := range []string{"", "us", "eu", "china"} {
		args, b := cliArgs, body+"}"
		if region != "" {
			args, b = append(slices.Clone(cliArgs), "--region", region), body+`,"region":"`+region+`"}`
		}
		var cli []answer
		var curve answer
		var est estimate
		cliJSON(t, &cli, args...)
		postJSON(t, srv.URL+"/api/infer/curve", b, &curve)
		postJSON(t, srv.URL+"/api/infer/estimate", b, &est)
		k := cli[0]
		for _, f := range []struct {
			name            string
			cli, curve, est json.RawMessage
		}{{"best", k.Best, curve.Best, est.Point}, {"best_low", k.Low, curve.Low, est.Low}, {"best_high", k.High, curve.High, est.High},
			{"cost", k.Cost, curve.Cost, est.Cost}, {"energy", k.Energy, curve.Energy, est.Energy}, {"parallel", k.Parallel, curve.Parallel, nil}} {
			if len(f.cli) == 0 || string(f.cli) == "null" || !sameJSON(f.cli, f.curve) || f.est != nil && !sameJSON(f.cli, f.est) {
				t.Errorf("region %q: %s differs:\n  CLI      %s\n  curve    %s\n  estimate %s", region, f.name, f.cli, f.curve, f.est)
			}
		}
		var c struct {
			Region string `json:"region"`
			Owned  struct {
				USD float64 `json:"usd_per_million_tokens"`
			} `json:"owned"`
		}
		if err := json.Unmarshal(curve.Cost, &c); err != nil {
			t.Fatal(err)
		}
		if want := cmp.Or(region, "us"); c.Region != want {
			t.Errorf("region %q: cost in %q, want %q", region, c.Region, want)
		}
		owned[cmp.Or(region, "default")] = c.Owned.USD
	}
	// The brief's figures: $1.622 per million output tokens owned in the
	// us (the default for an H100); other regions price it otherwise.
	if o := owned["us"]; o != owned["default"] || o < 1.62 || o > 1.625 || owned["eu"] == o || owned["china"] == o {
		t.Errorf("owned $/M output tokens by region %v: want the default's the us's (1.622) and eu's and china's other", owned)
	}
}

// sameJSON compares two JSON texts byte for byte after compaction (the
// CLI indents, the API does not).
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	return json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && ca.String() == cb.String()
}

// The built-in gap report through `chipgap report --json` and POST
// /api/report gets the same results, field for field, at the same seed
// and sample count (the API adds its rendered view and sources beside
// them).
func TestReportAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	var cli json.RawMessage
	cliJSON(t, &cli, "report", "--samples", "40")
	var api struct{ Results json.RawMessage }
	postJSON(t, srv.URL+"/api/report", `{"samples":40}`, &api)
	if !sameJSON(cli, api.Results) {
		t.Errorf("report --json and POST /api/report results differ (%d vs %d bytes compacted)", len(cli), len(api.Results))
	}
}

// The same traffic through `chipgap simulate --json` and POST
// /api/serve/simulate (the CLI's defaults stated in the body) gets the
// same simulation, request for request: every field of the API's result.
func TestSimulateAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	var cli map[string]json.RawMessage
	cliJSON(t, &cli, "simulate", "--model", "llama3.1-8b", "--chip", "h100-sxm", "--chips", "8", "--rate", "5", "--requests", "200", "--seed", "3")
	var api struct{ Result map[string]json.RawMessage }
	postJSON(t, srv.URL+"/api/serve/simulate", `{"model":"llama3.1-8b","chip":"h100-sxm","chips":8,"workload":{"arrival":"poisson","rate":5,"requests":200,"seed":3,`+
		`"input":{"dist":"fixed","tokens":1000},"output":{"dist":"fixed","tokens":200}},"slo":{"percentile":0.99}}`, &api)
	if len(api.Result) < 10 {
		t.Fatalf("the API's result has %d fields", len(api.Result))
	}
	for k, v := range api.Result {
		if !sameJSON(cli[k], v) {
			t.Errorf("%s differs:\n  CLI %.300s\n  API %.300s", k, cli[k], v)
		}
	}
}

// compare-chips --json and GET /api/compare answer the same request with
// the same view, key for key and byte for byte, but the API's charts
// (the audit: the CLI wrote its own chip columns and only the extra
// rows, without model, at fp8 with a model): the default set, and FP8
// with a model, where the 910C has no FP8 peak.
func TestCompareAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	for _, c := range []struct{ args, query string }{
		{"", ""},
		{"--precision fp8 --model llama3.1-70b h100-sxm ascend-910c b200 tpu-v6e", "chips=h100-sxm,ascend-910c,b200,tpu-v6e&precision=fp8&model=llama3.1-70b"},
	} {
		var cli, api map[string]json.RawMessage
		cliJSON(t, &cli, append([]string{"compare-chips"}, strings.Fields(c.args)...)...)
		getJSON(t, srv.URL+"/api/compare?"+c.query, &api)
		if len(api["charts"]) < 10 {
			t.Errorf("%q: the API's answer has no charts", c.query)
		}
		delete(api, "charts")
		if !slices.Equal(slices.Sorted(maps.Keys(cli)), slices.Sorted(maps.Keys(api))) {
			t.Errorf("%q: CLI keys %v, API keys %v", c.args, slices.Sorted(maps.Keys(cli)), slices.Sorted(maps.Keys(api)))
		}
		for k, v := range api {
			if !sameJSON(cli[k], v) {
				t.Errorf("%q: %s differs:\n  CLI %.300s\n  API %.300s", c.args, k, cli[k], v)
			}
		}
		if c.args != "" && (cli["model"] == nil || !bytes.Contains(cli["rows"], []byte(`"decode_ceiling"`)) || !bytes.Contains(cli["rows"], []byte(`"hbm_bandwidth"`))) {
			t.Errorf("%q: the CLI's view lacks the model or a row: model %.80s", c.args, cli["model"])
		}
	}
}

// apiServer is the web API on a test server, closed when the test ends.
func apiServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer((&web.Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// TestTrainRequestFile: `train --request FILE` takes the API's body (JSON,
// or the same keys in YAML) and gives what POST /api/train/estimate gives
// for it; a flag beside the file overrides its field.
func TestTrainRequestFile(t *testing.T) {
	body := `{"model":"llama3.1-70b","chip":"h100-sxm","chips":64,"global_batch":256,"plan":{"tp":8,"pp":2,"zero":1}}`
	dir := t.TempDir()
	jf, yf := filepath.Join(dir, "req.json"), filepath.Join(dir, "req.yaml")
	yml := "model: llama3.1-70b\nchip: h100-sxm\nchips: 64\nglobal_batch: 256\nplan: {tp: 8, pp: 2, zero: 1}\n"
	if os.WriteFile(jf, []byte(body), 0o644) != nil || os.WriteFile(yf, []byte(yml), 0o644) != nil {
		t.Fatal("writing the request files")
	}
	srv := apiServer(t)
	var api struct {
		Plan     parallel.Plan `json:"plan"`
		StepTime float64       `json:"step_time"`
	}
	postJSON(t, srv.URL+"/api/train/estimate", body, &api)
	for _, f := range []string{jf, yf} {
		var cli struct {
			Plan     parallel.Plan `json:"plan"`
			StepTime float64       `json:"step_time"`
		}
		cliJSON(t, &cli, "train", "--request", f)
		if cli.Plan.String() != api.Plan.String() || cli.StepTime != api.StepTime {
			t.Errorf("%s: CLI %s %g s, API %s %g s", f, cli.Plan, cli.StepTime, api.Plan, api.StepTime)
		}
	}
	var over struct {
		Plan parallel.Plan `json:"plan"`
	}
	cliJSON(t, &over, "train", "--pp", "4", "--request", yf) // the flag comes first and still wins
	if over.Plan.PP != 4 || over.Plan.TP != 8 {
		t.Errorf("--pp 4 beside the file: plan %s, want tp=8 pp=4", over.Plan)
	}
	os.WriteFile(jf, []byte(`{"chipz":1}`), 0o644)
	if code, _, errs := runCLI("train", "--request", jf); code != exitUsage || !strings.Contains(errs, `chipz: unknown field "chipz"`) {
		t.Errorf("an unknown field in the file: exit %d, %q", code, errs)
	}
	// A second --request was dropped unread, even a bad one (QA, session
	// 79), and a second YAML document in one file too: refused as any
	// flag given twice is.
	for _, second := range []string{jf, yf} { // another file, or the same one again
		if code, _, errs := runCLI("train", "--request", yf, "--request", second); code != exitUsage || !strings.Contains(errs, "--request given twice ("+yf+", "+second+"): give it once") {
			t.Errorf("two request files (%s): exit %d, %q; want a usage error", second, code, errs)
		}
	}
	// A request file that cannot be read is a failure (exit 1), as a
	// --file that cannot be read is, not a bad flag value (exit 2).
	if code, _, errs := runCLI("train", "--request", filepath.Join(dir, "nosuch.json")); code != exitFailure || !strings.Contains(errs, "--request: ") {
		t.Errorf("a missing request file: exit %d, %q; want exit 1 naming --request", code, errs)
	}
	os.WriteFile(jf, []byte(yml+"---\nchips: 3\n"), 0o644)
	if code, _, errs := runCLI("train", "--request", jf); code != exitUsage || !strings.Contains(errs, "more than one YAML document") {
		t.Errorf("two YAML documents: exit %d, %q; want a usage error", code, errs)
	}
}

// POST /api/infer/curve answers serve-estimate --json's view, key for key
// and byte for byte, with the ids it resolved and its charts beside (the
// audit: the API copied some of calc.ServeEstimate's fields and left out
// fp8_context_attention, fp8_block_scale, max_batch_per_instance and
// max_batch_sizing, so the page's "prompt attention in FP8" never showed).
func TestServeCurveAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := apiServer(t)
	for _, c := range []struct {
		args, body string
		want       []string // keys this request must carry
	}{
		{"--chip h100-sxm --chips 8 --model llama3.1-70b --precision fp8 --software tensorrt-llm --tp 8 --tpot 50ms",
			`{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","precision":"fp8","framework":"tensorrt-llm","parallel":{"tp":8},"slo":{"tpot":"50ms"}}`,
			[]string{"fp8_context_attention", "max_batch_per_instance", "max_batch_sizing", "points"}},
		{"--chip h100-sxm --chips 16 --model deepseek-v3 --precision fp8",
			`{"chip":"h100-sxm","chips":16,"model":"deepseek-v3","precision":"fp8"}`,
			[]string{"fp8_block_scale", "max_batch_per_instance"}},
	} {
		var cli []map[string]json.RawMessage
		var api map[string]json.RawMessage
		cliJSON(t, &cli, append([]string{"serve-estimate"}, strings.Fields(c.args)...)...)
		postJSON(t, srv.URL+"/api/infer/curve", c.body, &api)
		if len(cli) != 1 {
			t.Fatalf("%s: %d results", c.args, len(cli))
		}
		k := cli[0]
		for _, key := range c.want {
			if k[key] == nil {
				t.Errorf("%s: the CLI's JSON lacks %s", c.args, key)
			}
		}
		for key, v := range k {
			if key == "spec" { // the request, as each was given it
				continue
			}
			if !sameJSON(v, api[key]) {
				t.Errorf("%s: %s differs:\n  CLI %.300s\n  API %.300s", c.args, key, v, api[key])
			}
		}
		for key := range api {
			if _, ok := k[key]; !ok && !slices.Contains([]string{"chip", "model", "profile", "charts"}, key) {
				t.Errorf("%s: the API answers %s, the CLI does not", c.args, key)
			}
		}
	}
}
