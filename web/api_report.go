package web

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"

	"chipgap/hardware"
	"chipgap/plot"
	"chipgap/scenario"
)

// The gap report (POST /api/report): a scenario (chipgap-scenario/v1,
// YAML or JSON; empty = the built-in one) goes through scenario.Parse
// and Scenario.Run, the same engine the CLI's report uses; the answer is
// the Results plus the headline figures as SVG (package plot), each with
// the rows it draws and the source keys behind every row, so the page can
// drill into a figure's sources. When a `report` package lands with the
// report's own figure list, figures() should call it instead.

// reportRequest is the body of POST /api/report.
type reportRequest struct {
	// Scenario is the scenario file's text; "" is the built-in scenario.
	Scenario string `json:"scenario"`
	// Samples overrides the scenario's Monte Carlo samples (0: keep).
	Samples int `json:"samples"`
}

// figure is one chart of the report with the data behind it.
type figure struct {
	Key   string      `json:"key"`
	Title string      `json:"title"`
	Unit  string      `json:"unit"`
	SVG   string      `json:"svg"`
	Rows  []figureRow `json:"rows"`
}

// figureRow is one bar: its label, figure and the sources behind it.
type figureRow struct {
	Label   string        `json:"label"`
	Stat    scenario.Stat `json:"stat"`
	Sources []string      `json:"sources,omitempty"`
}

// reportResponse is POST /api/report's answer.
type reportResponse struct {
	Results *scenario.Results          `json:"results"`
	Figures []figure                   `json:"figures"`
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
	var req reportRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	sc, err := parseScenario(req.Scenario)
	if err != nil {
		return err
	}
	if req.Samples < 0 {
		return badField("samples", "%d: want ≥ 1 (0 keeps the scenario's)", req.Samples)
	}
	if req.Samples > 0 {
		sc.Samples = req.Samples
	}
	if err := capInt("samples", sc.Samples, s.limits.MaxSamples); err != nil {
		return err
	}
	return respondJobOrWait(s, w, r, "report", func(ctx context.Context, p *Progress) (reportResponse, error) {
		p.Set("Monte Carlo samples", 0)
		res, err := sc.Run(ctx, func(done, total int) {
			if p != nil {
				p.total.Store(int64(total))
				for { // calls may arrive out of order: keep the largest
					cur := p.done.Load()
					if int64(done) <= cur || p.done.CompareAndSwap(cur, int64(done)) {
						break
					}
				}
			}
		})
		if err != nil {
			return reportResponse{}, err
		}
		return reportResponse{Results: res, Figures: figures(res), Sources: sourceMap(res.Sources)}, nil
	})
}

// parseScenario reads the posted text, or the built-in scenario.
func parseScenario(text string) (*scenario.Scenario, error) {
	if strings.TrimSpace(text) == "" {
		b, err := json.Marshal(scenario.Default())
		if err != nil {
			return nil, err
		}
		text = string(b)
	}
	sc, err := scenario.Parse("scenario", []byte(text))
	if err != nil {
		var se *scenario.Error
		if errors.As(err, &se) {
			return nil, badField("scenario."+se.Field, "%v", se)
		}
		return nil, badField("scenario", "%v", err)
	}
	return sc, nil
}

func sourceMap(srcs []hardware.Source) map[string]hardware.Source {
	m := make(map[string]hardware.Source, len(srcs))
	for _, s := range srcs {
		m[s.Key] = s
	}
	return m
}

// figures are the report's headline charts: total days per system with
// P10–P90, the gap decomposition, cost, serving and the tornado.
func figures(res *scenario.Results) []figure {
	out := []figure{
		systemFigure(res, "total_days", "Total training time: port + run (P50, P10–P90)", "days", scenario.OutTotalDays, 1),
		systemFigure(res, "run_cost", "Training run cost, owned chips (P50, P10–P90)", "M$", scenario.OutRunCost, 1e-6),
		systemFigure(res, "w_per_achieved", "Watts per achieved PFLOP/s in training", "W", scenario.OutWPerAchieved, 1),
		systemFigure(res, "serve_tps", "Serving: output tokens/s per chip under the SLO", "tokens/s", scenario.OutServeTPS, 1),
		systemFigure(res, "usd_per_mtok", "Serving: cost per million output tokens", "$", scenario.OutUSDPerMtok, 1),
		gapFigure(res),
	}
	if t := tornadoFigure(res); t != nil {
		out = append(out, *t)
	}
	return out
}

// systemFigure is one figure per system, scaled for display.
func systemFigure(res *scenario.Results, key, title, unit, stat string, scale float64) figure {
	f := figure{Key: key, Title: title, Unit: unit}
	var bars []plot.Bar
	for _, sy := range res.Systems {
		st, ok := sy.Stats[stat]
		if !ok || !finite(st.P50) {
			continue
		}
		st = st.Scale(scale)
		f.Rows = append(f.Rows, figureRow{Label: sy.System.Label, Stat: st, Sources: sy.Sources})
		bars = append(bars, plot.Bar{Label: sy.System.Label, Value: st.P50, Lo: clean(st.P10), Hi: clean(st.P90), Group: sideGroup(sy)})
	}
	f.SVG = string(plot.Bars(title, unit, bars))
	return f
}

// gapFigure splits each challenger's extra days into throughput,
// downtime and engineering (P50 of each part).
func gapFigure(res *scenario.Results) figure {
	f := figure{Key: "gap", Title: "Where the gap comes from: days over the baseline (P50)", Unit: "days"}
	var bars []plot.Bar
	parts := []struct{ key, name string }{{scenario.GapSteady, "throughput"}, {scenario.GapDowntime, "downtime"}, {scenario.GapEngineering, "engineering"}}
	for _, g := range res.Gaps {
		for i, pt := range parts {
			st, ok := g.Stats[pt.key]
			if !ok || !finite(st.P50) {
				continue
			}
			label := g.Label + " vs " + g.Versus + ": " + pt.name
			f.Rows = append(f.Rows, figureRow{Label: label, Stat: st})
			bars = append(bars, plot.Bar{Label: label, Value: st.P50, Lo: clean(st.P10), Hi: clean(st.P90), Group: i})
		}
	}
	f.SVG = string(plot.Bars(f.Title, "days", bars))
	return f
}

// tornadoFigure ranks the inputs by their swing of the headline ratio.
func tornadoFigure(res *scenario.Results) *figure {
	t := res.Tornado
	if len(t.Swings) == 0 {
		return nil
	}
	f := figure{Key: "tornado", Title: "What moves the headline: " + t.Output, Unit: "ratio"}
	srcs := map[string][]string{}
	for _, in := range res.Inputs {
		srcs[in.Name] = in.Sources
	}
	var rows []plot.Swing
	for i, sw := range t.Swings {
		if i == 12 {
			break
		}
		rows = append(rows, plot.Swing{Label: sw.Input, Low: sw.LowOut, High: sw.HighOut})
		f.Rows = append(f.Rows, figureRow{Label: sw.Input, Stat: scenario.Stat{Typ: t.Base, P10: sw.LowOut, P90: sw.HighOut, P50: t.Base}, Sources: srcs[sw.Input]})
	}
	f.SVG = string(plot.Tornado(f.Title, "ratio", t.Base, rows))
	return &f
}

func sideGroup(sy scenario.SystemResult) int {
	if sy.System.Side == "ascend" {
		return 1
	}
	return 0
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// clean maps a non-finite bound to 0 (no whisker) for drawing.
func clean(x float64) float64 {
	if finite(x) {
		return x
	}
	return 0
}
