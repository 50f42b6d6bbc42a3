package calc

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"

	"chipgap/input"
)

// TestReportRequestOneDefinition: --samples and --seed and the API's
// samples and seed decode to the same request.
func TestReportRequestOneDefinition(t *testing.T) {
	var fromFlags ReportRequest
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	BindFlags(fs, &fromFlags)
	if err := fs.Parse([]string{"--samples", "40", "--seed", "7"}); err != nil {
		t.Fatal(err)
	}
	var fromJSON ReportRequest
	if err := json.Unmarshal([]byte(`{"samples":40,"seed":7}`), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFlags, fromJSON) || fromFlags.Seed == nil || *fromFlags.Seed != 7 {
		t.Errorf("flags %+v, JSON %+v: want the same request with seed 7", fromFlags, fromJSON)
	}
	if fs.Lookup("scenario") != nil || fs.Lookup("file") != nil {
		t.Error("the scenario's text and name are not flags (the CLI reads them from its argument)")
	}
}

// TestReportSetup: the built-in scenario (1,000 samples, seed 1, as
// docs/api.md and the README say) with the request's samples and seed
// laid over it; an explicit seed 0 differs from an absent one.
func TestReportSetup(t *testing.T) {
	zero, seven := uint64(0), uint64(7)
	for _, c := range []struct {
		req           ReportRequest
		samples, seed uint64
	}{
		{ReportRequest{}, 1000, 1},
		{ReportRequest{Samples: 40, Seed: &seven}, 40, 7},
		{ReportRequest{Seed: &zero}, 1000, 0},
		{ReportRequest{Scenario: "format: chipgap-scenario/v1\nsamples: 30\nseed: 9\n"}, 30, 9},
		{ReportRequest{Scenario: "format: chipgap-scenario/v1\nsamples: 30\nseed: 9\n", Samples: 12}, 12, 9},
	} {
		sc, err := c.req.Setup()
		if err != nil {
			t.Errorf("%+v: %v", c.req, err)
			continue
		}
		if uint64(sc.Samples) != c.samples || sc.Seed != c.seed {
			t.Errorf("%+v: samples %d seed %d, want %d and %d", c.req, sc.Samples, sc.Seed, c.samples, c.seed)
		}
	}
}

// TestReportSetupErrors: each bad request names its field by the API's
// path; a scenario's own error keeps the file's message (its name, line
// and field) for the command line.
func TestReportSetupErrors(t *testing.T) {
	const badTPOT = "format: chipgap-scenario/v1\ninference:\n  tpot: 50GB\n"
	for _, c := range []struct {
		req          ReportRequest
		field, start string
	}{
		{ReportRequest{Samples: -1}, "samples", "samples = -1: want 1 to 100000"},
		{ReportRequest{Samples: 100001}, "samples", "samples = 100001"},
		{ReportRequest{Scenario: badTPOT}, "scenario.inference.tpot", "scenario:3: field inference.tpot"},
		{ReportRequest{Scenario: badTPOT, File: "my.yaml"}, "scenario.inference.tpot", "my.yaml:3: field inference.tpot"},
		{ReportRequest{Scenario: "- 1\n- 2\n"}, "scenario", "scenario:1:"},
		{ReportRequest{Scenario: "{{{"}, "scenario", "scenario:1:"},
		{ReportRequest{File: "empty.yaml"}, "scenario", "empty.yaml"}, // a file named is read, never replaced by the built-in
	} {
		_, err := c.req.Setup()
		var fe *FileError
		var ie *input.Error
		field := ""
		switch {
		case errors.As(err, &fe):
			field = fe.Field
		case errors.As(err, &ie):
			field = ie.Field
		}
		if field != c.field || err == nil || !strings.HasPrefix(err.Error(), c.start) {
			t.Errorf("%+v: field %q, error %v; want field %q and a message starting %q", c.req, field, err, c.field, c.start)
		}
	}
}

// TestReport computes a small report: the results carry the request's
// samples and seed, and the layout is built from them.
func TestReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the gap report engine")
	}
	seed := uint64(3)
	sc, err := ReportRequest{Samples: 8, Seed: &seed}.Setup()
	if err != nil {
		t.Fatal(err)
	}
	g, err := Report(context.Background(), sc, ReportOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if g.Results.Samples != 8 || g.Results.Seed != 3 || g.Report == nil || len(g.Report.Sections) == 0 {
		t.Fatalf("results: %d samples, seed %d, report %v; want 8, 3 and sections", g.Results.Samples, g.Results.Seed, g.Report != nil)
	}
	var b strings.Builder
	if err := g.WriteText(&b); err != nil || !strings.Contains(b.String(), "8 Monte Carlo samples, seed 3") {
		t.Errorf("WriteText: err %v, want the samples and seed in the summary:\n%.400s", err, b.String())
	}
}
