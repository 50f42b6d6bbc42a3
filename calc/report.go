package calc

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"chipgap/input"
	"chipgap/report"
	"chipgap/scenario"
)

// ReportRequest is the input of the gap report (Report): `chipgap report
// [SCENARIO.yaml]` and POST /api/report.
type ReportRequest struct {
	// Scenario is a scenario file's text (chipgap-scenario/v1, YAML or
	// JSON); empty, with no File named, is the built-in scenario.
	Scenario string `json:"scenario" flag:"-"`
	// File names the scenario in errors: the path the command line read
	// it from ("scenario" when empty, as the API names the field).
	File string `json:"-"`
	// Samples and Seed override the scenario's Monte Carlo samples and
	// random seed (absent: the scenario's own; a stated 0 samples is
	// refused, zero.go).
	Samples int     `json:"samples,omitempty" zero:"default" help:"Monte Carlo samples (default: the scenario's, 1000)"`
	Seed    *uint64 `json:"seed" help:"random seed (default: the scenario's, 1)"`
	// SampleCap bounds the samples, the request's and its scenario's,
	// below scenario.MaxSamples (a server's max_samples).
	SampleCap Cap `json:"-" yaml:"-"`
}

// Setup parses the request's scenario (or takes the built-in one), lays
// the request's samples and seed over it and checks the result. A
// scenario that does not decode or check is a *FileError naming
// scenario.<field>.
func (r ReportRequest) Setup() (*scenario.Scenario, error) {
	var sc *scenario.Scenario
	if r.File == "" && strings.TrimSpace(r.Scenario) == "" {
		sc = scenario.Default()
	} else {
		var err error
		if sc, err = scenario.Parse(cmp.Or(r.File, "scenario"), []byte(r.Scenario)); err != nil {
			return nil, fileError("scenario", err)
		}
	}
	limit, note := r.SampleCap.bound(scenario.MaxSamples)
	if r.Samples < 0 || r.Samples > limit {
		return nil, bad("samples", r.Samples, "want 1 to %d%s (absent: the scenario's)", limit, note)
	}
	if r.Samples > 0 {
		sc.Samples = r.Samples
	} else if sc.Samples > limit { // the scenario's own: its message as a file's, its field the request's path
		return nil, &FileError{Field: "scenario.samples", Err: &input.Error{Prefix: cmp.Or(r.File, "scenario") + ": ", Field: "samples", Labelled: true,
			Value: sc.Samples, Want: fmt.Sprintf("want 1 to %d%s, or give the request's samples", limit, note)}}
	}
	if r.Seed != nil {
		sc.Seed = *r.Seed
	}
	return sc, sc.Validate()
}

// ReportOptions steer a report's computation; the zero value is the
// default.
type ReportOptions struct {
	Progress scenario.Progress // Monte Carlo samples done (called concurrently)
	Workers  int               // goroutines computing at once (0: one per system and supply chip)
}

// GapReport is the gap report: every figure with its P10/P50/P90
// (Results) and the report's layout (sections, tables, charts, every
// figure with its trail) that the text, HTML and CSV renderers and the
// API draw.
type GapReport struct {
	Results *scenario.Results
	Report  *report.Report
}

// Report computes the gap report of a scenario (ReportRequest.Setup).
// The same scenario gives the same report, bit for bit, whatever the
// workers.
func Report(ctx context.Context, sc *scenario.Scenario, o ReportOptions) (GapReport, error) {
	res, err := sc.RunWith(ctx, o.Progress, o.Workers)
	if err != nil {
		return GapReport{}, err
	}
	return GapReport{Results: res, Report: report.Build(res)}, nil
}

// WriteText prints the report's terminal summary, as `chipgap report`
// does.
func (g GapReport) WriteText(w io.Writer) error { return report.Text(w, g.Report) }
