package web

import (
	"context"
	"fmt"
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

// reportView is report.Report (the CLI's layout of the gap report:
// headline, claims, sections of text, tables and charts, every figure
// with its trail) as JSON.
type reportView struct {
	Title    string        `json:"title"`
	Subtitle string        `json:"subtitle"`
	Headline []string      `json:"headline"`
	Claims   tableView     `json:"claims"`
	Sections []sectionView `json:"sections"`
	Figures  []figureView  `json:"figures"`
}

type sectionView struct {
	ID     string       `json:"id"`
	Title  string       `json:"title"`
	Text   []string     `json:"text,omitempty"`
	Tables []tableView  `json:"tables,omitempty"`
	Charts []calc.Chart `json:"charts,omitempty"`
}

type tableView struct {
	Caption string     `json:"caption,omitempty"`
	Header  []string   `json:"header"`
	Rows    [][]string `json:"rows"`
	Note    string     `json:"note,omitempty"`
}

// figureView is one number of the report: the system or pair it is
// about, its range and its trail (the model or data behind it).
type figureView struct {
	Section string        `json:"section"`
	Subject string        `json:"subject"`
	Name    string        `json:"name"`
	Unit    string        `json:"unit"`
	Stat    scenario.Stat `json:"stat"`
	Trail   string        `json:"trail,omitempty"`
}

func viewReport(rep *report.Report) reportView {
	v := reportView{Title: rep.Title, Subtitle: rep.Subtitle, Headline: rep.Headline, Claims: viewTable(rep.Claims)}
	for _, sec := range rep.Sections {
		sv := sectionView{ID: sec.ID, Title: sec.Title, Text: sec.Text}
		for _, t := range sec.Tables {
			sv.Tables = append(sv.Tables, viewTable(t))
		}
		for i, c := range sec.Charts {
			sv.Charts = append(sv.Charts, calc.Chart{Key: fmt.Sprintf("%s-%d", sec.ID, i), SVG: string(c.SVG)})
		}
		v.Sections = append(v.Sections, sv)
	}
	for _, f := range rep.Figures {
		v.Figures = append(v.Figures, figureView{Section: f.Section, Subject: f.Subject, Name: f.Name, Unit: f.Unit, Stat: f.Stat, Trail: f.Trail})
	}
	return v
}

func viewTable(t report.Table) tableView {
	return tableView{Caption: t.Caption, Header: t.Header, Rows: t.Rows, Note: t.Note}
}

// reportResponse is POST /api/report's answer.
type reportResponse struct {
	Results *scenario.Results          `json:"results"`
	Report  reportView                 `json:"report"`
	Sources map[string]hardware.Source `json:"sources"`
}

// handleDefaultScenario is GET /api/report/scenario: the built-in
// scenario as JSON (which scenario.Parse reads back: JSON is YAML), for
// the page's editor.
func (s *Server) handleDefaultScenario(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, scenario.Default())
	return nil
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	async := r.URL.Query().Get("async") == "1"
	if !async {
		if err := admitReport(s, w); err != nil {
			return err
		}
		admitted := true
		defer func() {
			if admitted { // the body was bad: the report never runs
				s.admission.Withdraw()
			}
		}()
		return s.reportBody(w, r, func(run func(context.Context, *Progress) (reportResponse, error)) error {
			admitted = false
			return reportSync(s, w, r, run)
		})
	}
	return s.reportBody(w, r, func(run func(context.Context, *Progress) (reportResponse, error)) error {
		return respondJobOrWait(s, w, r, "report", run)
	})
}

// reportBody decodes and checks a report request, then hands its
// computation to answer (synchronous or a job).
func (s *Server) reportBody(w http.ResponseWriter, r *http.Request, answer func(func(context.Context, *Progress) (reportResponse, error)) error) error {
	var req calc.ReportRequest // the scenario's text, samples, seed
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	sc, err := req.Setup()
	if err != nil {
		return err
	}
	if err := capInt("samples", sc.Samples, s.limits.MaxSamples); err != nil {
		return err
	}
	run := func(ctx context.Context, p *Progress) (reportResponse, error) {
		p.Set("Monte Carlo samples", 0)
		gr, err := calc.Report(ctx, sc, calc.ReportOptions{Workers: s.reportWorkers(), Progress: p.Reach})
		if err != nil {
			return reportResponse{}, err
		}
		return reportResponse{Results: gr.Results, Report: viewReport(gr.Report), Sources: sourceMap(gr.Results.Sources)}, nil
	}
	return answer(run)
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
