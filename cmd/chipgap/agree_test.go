package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chipgap/web"
)

// The CLI and the API cannot drift where they share a use case: the same
// whole-run request through `chipgap run --json` and POST
// /api/run/simulate gets the same steady-state throughput, plan and
// source from catalog.RunThroughput (issue 12), searched or at an MFU.
func TestRunThroughputAgreesAcrossCLIAndAPI(t *testing.T) {
	srv := httptest.NewServer((&web.Server{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	defer srv.Close()
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
		code, out, errs := runCLI(append([]string{"run", "--json"}, c.cli...)...)
		if code != exitOK {
			t.Fatalf("chipgap run %v: exit %d: %s", c.cli, code, errs)
		}
		var cli struct{ Throughput tput }
		if err := json.Unmarshal([]byte(out), &cli); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", srv.URL+"/api/run/simulate", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("POST %s: %d %s", c.body, resp.StatusCode, b)
		}
		var api struct{ Throughput tput }
		if err := json.Unmarshal(b, &api); err != nil {
			t.Fatal(err)
		}
		a, k := api.Throughput, cli.Throughput
		// The source names where an MFU came from (--mfu or the request).
		if a.TokensPerSec != k.TokensPerSec || a.MFU != k.MFU || a.Plan != k.Plan ||
			strings.Replace(a.Source, "(request)", "(--mfu)", 1) != k.Source {
			t.Errorf("%s:\n  CLI %+v\n  API %+v", c.body, k, a)
		}
	}
}
