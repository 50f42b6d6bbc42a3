package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"chipgap/calc"
	"chipgap/sweep"
)

// tinyGrid is a serving grid of 8 cells that runs in milliseconds.
const tinyGrid = `format: chipgap-sweep/v1
title: tiny
chips: [h100-sxm, b200]
sizes: [8, 16]
models: [llama3.1-8b]
precisions: [bf16, fp8]
serving: {}
`

func sweepBody(t *testing.T, grid string) string {
	t.Helper()
	b, err := json.Marshal(calc.SweepRequest{Grid: grid})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSweepAPI runs a small grid synchronously and as a job: the rows
// are sweep.Run's (the CSV's columns, in cell order), the frontiers are
// the report's with an SVG each, and the job counts every cell.
func TestSweepAPI(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	g, err := sweep.Parse("grid", []byte(tinyGrid))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := sweep.Run(context.Background(), g, g.Cells(), sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got calc.SweepView
	if st := do(t, "POST", srv.URL+"/api/sweep", sweepBody(t, tinyGrid), &got); st != 200 {
		t.Fatalf("POST /api/sweep = %d", st)
	}
	if got.Title != "tiny" || got.Cells != len(rows) || len(got.Rows) != len(rows) || !slices.Equal(got.Columns, sweep.Columns()) {
		t.Fatalf("answer %q: %d cells, %d rows, columns %v; want tiny, %d rows, sweep.Columns()", got.Title, got.Cells, len(got.Rows), got.Columns, len(rows))
	}
	for i := range rows {
		want, _ := json.Marshal(sweep.Values(&rows[i]))
		have, _ := json.Marshal(got.Rows[i])
		if string(want) != string(have) {
			t.Errorf("row %d = %s, want sweep.Run's %s", i, have, want)
		}
	}
	if len(got.Frontiers) != 2 { // serving: $/Mtok and tokens/s per kW vs TPOT
		t.Fatalf("%d frontiers, want 2", len(got.Frontiers))
	}
	for _, f := range got.Frontiers {
		if len(f.Frontier) == 0 || !strings.HasPrefix(f.SVG, "<svg") || f.Points == 0 {
			t.Errorf("frontier %s: %d cells on it of %d, svg %.20q", f.Key, len(f.Frontier), f.Points, f.SVG)
		}
	}
	var j jobView
	if st := do(t, "POST", srv.URL+"/api/sweep?async=1", sweepBody(t, tinyGrid), &j); st != http.StatusAccepted || j.Kind != "sweep" {
		t.Fatalf("POST /api/sweep?async=1 = %d %+v, want 202 and a sweep job", st, j)
	}
	var final struct {
		State    string
		Progress progressView
		Result   calc.SweepView
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &final); final.State != "running" {
			break
		}
	}
	if final.State != "done" || final.Progress.Total != int64(len(rows)) || final.Progress.Done != final.Progress.Total || len(final.Result.Rows) != len(rows) {
		t.Errorf("job = %s, progress %+v, %d rows; want done with %d cells counted", final.State, final.Progress, len(final.Result.Rows), len(rows))
	}
	var ex struct{ Name, Grid string }
	if st := do(t, "GET", srv.URL+"/api/sweep/example", "", &ex); st != 200 || !strings.Contains(ex.Grid, "format: chipgap-sweep/v1") {
		t.Errorf("GET /api/sweep/example = %d %q", st, ex.Grid)
	}
}

// TestSweepLimits: a grid over the server's cells or time estimate is
// refused before any work, 400 naming the grid and the limit; the caps
// are Limits fields reported by GET /api/limits.
func TestSweepLimits(t *testing.T) {
	def, _ := newTestServer(t, Limits{})
	var lim map[string]float64
	do(t, "GET", def.URL+"/api/limits", "", &lim)
	if lim["max_sweep_cells"] != 2000 || lim["max_sweep_estimate_s"] != 60 {
		t.Errorf("GET /api/limits: max_sweep_cells %g, max_sweep_estimate_s %g; want the defaults 2000 and 60", lim["max_sweep_cells"], lim["max_sweep_estimate_s"])
	}
	srv, _ := newTestServer(t, Limits{MaxSweepCells: 4, MaxSweepTime: time.Second, MaxSamples: 10})
	// 16 384-chip DeepSeek-V3 training: about 4.5 s a cell on one core.
	slow := "format: chipgap-sweep/v1\nchips: [h100-sxm]\nsizes: [16384]\nmodels: [deepseek-v3]\nprecisions: [bf16]\ntraining: {}\n"
	for _, tc := range []struct{ name, grid, field, says string }{
		{"cells", tinyGrid, "grid", "8 cells is over this server's limit of 4 (max_sweep_cells"},
		{"time", slow, "grid", "over this server's limit of 1s (max_sweep_estimate_s"},
		{"samples", strings.Replace(tinyGrid, "title: tiny", "samples: 11", 1), "grid.samples", "11: want 0 (typical values only) to 10 (this server's max_samples"},
		{"negative samples", strings.Replace(tinyGrid, "title: tiny", "samples: -1", 1), "grid.samples", "-1: want 0 (typical values only) to 10 (this server's max_samples"},
		{"chips", strings.Replace(tinyGrid, "[8, 16]", "[8, 300000]", 1), "grid.sizes[1]", "300000 is over this server's limit of 262144"},
	} {
		var e Error
		start := time.Now()
		if st := do(t, "POST", srv.URL+"/api/sweep?async=1", sweepBody(t, tc.grid), &e); st != 400 || e.Field != tc.field || !strings.Contains(e.Msg, tc.says) {
			t.Errorf("%s: %d %+v, want 400 naming %s: %q", tc.name, st, e, tc.field, tc.says)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refused after %v, want at once", tc.name, d)
		}
	}
	// Synchronous, a grid within max_sweep_estimate_s but past 80 % of the
	// request timeout is refused at once, pointing to ?async=1 (before,
	// the 60 s default let a grid of 15-60 s run into a certain 504).
	short, _ := newTestServer(t, Limits{Timeout: time.Second})
	var e Error
	if st := do(t, "POST", short.URL+"/api/sweep", sweepBody(t, slow), &e); st != 400 || e.Field != "grid" || !strings.Contains(e.Msg, "?async=1") {
		t.Errorf("a sync sweep longer than the timeout: %d %+v, want 400 naming grid and ?async=1", st, e)
	}
	var ok calc.SweepView
	if st := do(t, "POST", srv.URL+"/api/sweep", sweepBody(t, strings.Replace(tinyGrid, "[8, 16]", "[8]", 1)), &ok); st != 200 || len(ok.Rows) != 4 {
		t.Errorf("a 4-cell grid under a 4-cell cap = %d with %d rows, want 200 with 4", st, len(ok.Rows))
	}
}

// TestSweepSyncGlobalBatch: QA's grid (DeepSeek-V3 on 65,536 910C at
// global batch 65,536, a whole run) took 14-16.5 s and was estimated at
// 5.3 s, so a synchronous POST /api/sweep ran into a 504 after 15 s. Its
// estimate now counts the plans the global batch multiplies (18 s): at
// the default 15 s request timeout it is refused at once, 400 naming
// grid and pointing to ?async=1.
func TestSweepSyncGlobalBatch(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	grid := "format: chipgap-sweep/v1\nchips: [ascend-910c]\nsizes: [65536]\nmodels: [deepseek-v3]\nprecisions: [bf16]\ntraining: {tokens: 20e12, global_batch: 65536, whole_run: true}\n"
	var e Error
	start := time.Now()
	if st := do(t, "POST", srv.URL+"/api/sweep", sweepBody(t, grid), &e); st != 400 || e.Field != "grid" || !strings.Contains(e.Msg, "?async=1") || !strings.Contains(e.Msg, "about 18s here") {
		t.Errorf("QA's grid, synchronous: %d %+v, want 400 naming grid, about 18s and ?async=1", st, e)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refused after %v, want at once", d)
	}
}

// TestSweepBadGrid: a grid that does not check is a 400 naming its field
// as grid.<path>, with sweep's one-line message (file "grid", line,
// field).
func TestSweepBadGrid(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	for _, tc := range []struct{ grid, field, says string }{
		{strings.Replace(tinyGrid, "title: tiny", "colours: [red]", 1), "grid.colours", "grid:2: field colours: unknown axis or setting"},
		{tinyGrid + "what_if:\n  - {label: x, base: h100-sxm, tdp: -500W}\n", "grid.what_if[0].tdp", "grid:9: field what_if[0].tdp: -500 W: want a positive finite value"},
		{strings.Replace(tinyGrid, "h100-sxm", "h100", 1), "grid.chips[0]", "unknown chip"},
		{strings.Replace(tinyGrid, "chipgap-sweep/v1", "chipgap-sweep/v9", 1), "grid.format", `"chipgap-sweep/v9": want "chipgap-sweep/v1"`},
		{"format: [", "grid", "grid:1:"},
	} {
		var e Error
		if st := do(t, "POST", srv.URL+"/api/sweep", sweepBody(t, tc.grid), &e); st != 400 || e.Field != tc.field || !strings.Contains(e.Msg, tc.says) {
			t.Errorf("%q: %d %+v, want 400 naming %s: %q", tc.grid, st, e, tc.field, tc.says)
		}
	}
	var e Error
	if st := do(t, "POST", srv.URL+"/api/sweep", `{"grids": ""}`, &e); st != 400 || e.Field != "grids" {
		t.Errorf("unknown request field: %d %+v, want 400 naming grids", st, e)
	}
}

// TestSweepJobTimeout: a sweep job that outlives job_timeout_s fails
// as a timeout (504), not as an internal error.
func TestSweepJobTimeout(t *testing.T) {
	srv, _ := newTestServer(t, Limits{JobTimeout: 50 * time.Millisecond})
	grid := "format: chipgap-sweep/v1\nchips: [h100-sxm, b200, h20, ascend-910c]\nsizes: [64]\nmodels: [deepseek-v3]\nprecisions: [bf16]\ntraining: {}\n"
	var j jobView
	if st := do(t, "POST", srv.URL+"/api/sweep?async=1", sweepBody(t, grid), &j); st != http.StatusAccepted {
		t.Fatalf("POST /api/sweep?async=1 = %d", st)
	}
	var final jobView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if do(t, "GET", srv.URL+"/api/jobs/"+j.ID, "", &final); final.State != "running" {
			break
		}
	}
	if final.State != "failed" || final.Error == nil || !strings.Contains(final.Error.Msg, "timed out") {
		t.Errorf("job past its timeout = %s %+v, want failed: timed out", final.State, final.Error)
	}
}
