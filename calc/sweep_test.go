package calc

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"chipgap/examples"
	"chipgap/sweep"
)

// smallGrid is a serving grid of 3 cells (one chip at three sizes) that
// runs in milliseconds.
const smallGrid = `format: chipgap-sweep/v1
title: small
chips: [b200]
sizes: [8, 16, 32]
models: [llama3.1-8b]
precisions: [fp8]
serving: {}
`

// TestSweepSetup: no grid is the example grid; a file named is parsed as
// it is, even when empty; a bad grid names grid.<field> with sweep's own
// message.
func TestSweepSetup(t *testing.T) {
	g, err := SweepRequest{}.Setup()
	if err != nil {
		t.Fatal(err)
	}
	want, err := sweep.Parse("x", []byte(examples.SweepSmall()))
	if err != nil {
		t.Fatal(err)
	}
	if g.Hash() != want.Hash() {
		t.Error("an empty request is not examples/sweep-small.yaml")
	}
	for _, c := range []struct {
		req          SweepRequest
		field, start string
	}{
		{SweepRequest{Grid: strings.Replace(smallGrid, "title: small", "colours: [red]", 1)}, "grid.colours", "grid:2: field colours: unknown axis or setting"},
		{SweepRequest{Grid: strings.Replace(smallGrid, "[8, 16, 32]", "[8, -16, 32]", 1), File: "g.yaml"}, "grid.sizes[1]", "g.yaml:"},
		{SweepRequest{Grid: "- 1\n"}, "grid", "grid:1:"},
		{SweepRequest{File: "empty.yaml"}, "grid", "empty.yaml"},
	} {
		_, err := c.req.Setup()
		var fe *FileError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.HasPrefix(err.Error(), c.start) {
			t.Errorf("%+v: %v (%T); want a FileError naming %q, message starting %q", c.req, err, err, c.field, c.start)
		}
	}
}

// TestEstimateSweep: workers cap the cores, and the same cells spread
// over fewer cores take at least as long.
func TestEstimateSweep(t *testing.T) {
	g, err := SweepRequest{Grid: smallGrid}.Setup()
	if err != nil {
		t.Fatal(err)
	}
	one, err := EstimateSweep(g, g.Cells(), 1)
	if err != nil {
		t.Fatal(err)
	}
	all, err := EstimateSweep(g, g.Cells(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if one.Cells != 3 || one.Cores != 1 || all.Cores != runtime.GOMAXPROCS(0) {
		t.Errorf("one worker: %d cells on %d cores; every core: %d cores; want 3 cells, 1 and %d", one.Cells, one.Cores, all.Cores, runtime.GOMAXPROCS(0))
	}
	// 3 serving fleets, no samples (sweep.Cost's measurements): 8 chips
	// try instances of 1, 2, 4 and 8, 16 and 32 one more each (the run
	// searches an instance size once): 6 searches at 0.4 ms.
	if one.Time.Microseconds() != 6*400 || all.Time > one.Time {
		t.Errorf("one core %v, every core %v; want 2.4ms and no more than that", one.Time, all.Time)
	}
}

// The estimate of the 10,000-cell serving example is within a factor
// of 3 of what it measured (2.4–4.3 s on 2 cores with one instance a
// cell; as fleets 7.7 s of CPU, estimated 6.7 s; a machine of one core
// takes twice the estimate, still within it).
func TestEstimateServing10K(t *testing.T) {
	b, err := os.ReadFile("../examples/sweep-serving-10k.yaml")
	if err != nil {
		t.Fatal(err)
	}
	g, err := sweep.Parse("sweep-serving-10k.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	est, err := EstimateSweep(g, g.Cells(), 2)
	if err != nil || est.Time < 1500*time.Millisecond || est.Time > 12*time.Second {
		t.Errorf("EstimateSweep(10k serving, 2 workers) = %v, %v; want 1.5–12 s", est.Time, err)
	}
}

// TestSweep: every cell one row in cell order, the grid's hash in the
// metadata, the report titled by the grid.
func TestSweep(t *testing.T) {
	g, err := SweepRequest{Grid: smallGrid}.Setup()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Sweep(context.Background(), g, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || res.Meta.Hash != g.Hash() || res.Report.Title != "small" {
		t.Fatalf("%d rows, hash %s (grid %s), title %q; want 3 rows, the grid's hash, small", len(res.Rows), res.Meta.Hash, g.Hash(), res.Report.Title)
	}
	failed := 0
	for i, r := range res.Rows {
		if r.Cell != int64(i) {
			t.Errorf("row %d is cell %d", i, r.Cell)
		}
		if r.Error != "" {
			failed++
		}
	}
	if res.Failed() != failed {
		t.Errorf("Failed() = %d, rows with an error %d", res.Failed(), failed)
	}
}
