package web

import (
	"context"
	"net/http"
	"runtime"

	"chipgap/calc"
	"chipgap/hardware"
	"chipgap/report"
	"chipgap/scenario"
)

// The gap report (POST /api/report): a scenario (chipgap-scenario/v1,
// YAML or JSON; empty = the built-in one) goes through calc.ReportRequest
// and calc.Report, the same path as `chipgap report`; the
// answer is the Results (every figure with P10/P50/P90, the systems'
// source keys, the assumptions), the report's layout (sections, tables,
// SVG charts from package plot, every figure with its trail) and the
// titled sources, so the page can drill from a figure to its sources.

// reportResponse is POST /api/report's answer.
type reportResponse struct {
	Results *scenario.Results          `json:"results"`
	Report  report.View                `json:"report"`
	Sources map[string]hardware.Source `json:"sources"`
}

// handleDefaultScenario is GET /api/report/scenario: the built-in
// scenario as JSON (which scenario.Parse reads back: JSON is YAML), for
// the page's editor.
func (s *Server) handleDefaultScenario(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, scenario.Default())
	return nil
}

// handleReport is POST /api/report. A synchronous report is admitted
// (admitReport) once its body has been read, so a client that is slow to
// send it holds no place in the report queue (before, ten stalled bodies
// turned every report away with 429s for 30 s); the admission comes
// before the scenario is parsed and is taken back if it turns out bad.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	var req calc.ReportRequest // the scenario's text, samples, seed
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if isAsync(r) {
		run, err := s.reportRun(req)
		if err != nil {
			return err
		}
		return respondJobOrWait(s, w, r, "report", run)
	}
	if err := admitReport(s, w); err != nil {
		return err
	}
	admitted := true
	defer func() {
		if admitted { // the request was bad: the report never runs
			s.admission.Withdraw()
		}
	}()
	run, err := s.reportRun(req)
	if err != nil {
		return err
	}
	admitted = false
	return reportSync(s, w, r, run)
}

// reportRun checks a report request, and returns its computation.
func (s *Server) reportRun(req calc.ReportRequest) (func(context.Context, *Progress) (reportResponse, error), error) {
	req.SampleCap = s.sampleCap()
	sc, err := req.Setup()
	if err != nil {
		return nil, err
	}
	if err := capInt("scenario.training.chips", sc.Training.Chips, s.limits.MaxChips); err != nil {
		return nil, err
	}
	return func(ctx context.Context, p *Progress) (reportResponse, error) {
		p.Set("Monte Carlo samples", 0)
		gr, err := calc.Report(ctx, sc, calc.ReportOptions{Workers: s.reportWorkers(), Progress: p.Reach})
		if err != nil {
			return reportResponse{}, err
		}
		return reportResponse{Results: gr.Results, Report: gr.Report.View(), Sources: sourceMap(gr.Results.Sources)}, nil
	}, nil
}

func sourceMap(srcs []hardware.Source) map[string]hardware.Source {
	m := make(map[string]hardware.Source, len(srcs))
	for _, s := range srcs {
		m[s.Key] = s
	}
	return m
}

// reportWorkers is how many of a report's goroutines compute at once:
// one core fewer than the server has (at least one), so that a report
// filling the machine does not hold up the answers to other requests,
// refusals included, behind the scheduler's time slices.
func (s *Server) reportWorkers() int { return max(1, runtime.GOMAXPROCS(0)-1) }
