package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"chipgap/calc"
	"chipgap/examples"
	"chipgap/sweep"
)

// A design-space sweep (POST /api/sweep): a grid (chipgap-sweep/v1, YAML
// or JSON; empty = examples/sweep-small.yaml) goes through
// calc.SweepRequest and calc.Sweep, the same path as `chipgap sweep`, and
// sweep.NewReport, the same frontiers and charts as `chipgap sweep
// report`. Only small grids: the cells and the time the CLI's budget
// estimates are capped (max_sweep_cells, max_sweep_estimate_s); bigger
// ones belong to the CLI.

// sweepResponse is POST /api/sweep's answer: one row per cell, in cell
// order, with the columns of the Parquet and CSV files, and the Pareto
// frontiers of `chipgap sweep report`, each drawn as SVG.
type sweepResponse struct {
	Title     string         `json:"title"`
	GridHash  string         `json:"grid_hash"`
	Cells     int            `json:"cells"`
	Failed    int            `json:"cells_with_error"`
	Columns   []string       `json:"columns"`
	Rows      [][]any        `json:"rows"`
	Frontiers []frontierView `json:"frontiers"`
}

// frontierView is one chart of the report: its cells, those on the
// frontier (by cell number, best X first) and the SVG.
type frontierView struct {
	Key      string  `json:"key"`
	Title    string  `json:"title"`
	Target   string  `json:"target"`
	Model    string  `json:"model"`
	X        string  `json:"x"`
	Y        string  `json:"y"`
	Points   int     `json:"points"`
	Frontier []int64 `json:"frontier_cells"`
	Left     int     `json:"left_out"`
	SVG      string  `json:"svg"`
}

// handleSweepExample is GET /api/sweep/example: the example grid as text,
// for the page's editor.
func (s *Server) handleSweepExample(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"name": "examples/sweep-small.yaml", "grid": examples.SweepSmall()})
	return nil
}

func (s *Server) handleSweep(w http.ResponseWriter, r *http.Request) error {
	var req calc.SweepRequest // the grid's text
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	g, err := req.Setup()
	if err != nil {
		return err
	}
	if err := s.checkSweep(g); err != nil {
		return err
	}
	run := func(ctx context.Context, p *Progress) (sweepResponse, error) {
		p.Set("cells", g.Count())
		res, err := calc.Sweep(ctx, g, sweep.Options{Progress: func(int, int) { p.Step(1) }})
		if err != nil && ctx.Err() != nil {
			return sweepResponse{}, timeoutError(ctx) // a 504, not an internal error
		}
		if err != nil {
			return sweepResponse{}, err
		}
		return viewSweep(res), nil
	}
	return respondJobOrWait(s, w, r, "sweep", run)
}

// checkSweep refuses a grid over the server's caps: its samples, sizes,
// cells, and its time here as `chipgap sweep` estimates it.
func (s *Server) checkSweep(g *sweep.Grid) error {
	if err := capInt("grid.samples", g.Samples, s.limits.MaxSamples); err != nil {
		return err
	}
	for i, n := range g.Sizes {
		if err := capInt(fmt.Sprintf("grid.sizes[%d]", i), n, s.limits.MaxChips); err != nil {
			return err
		}
	}
	if n := g.Count(); n > s.limits.MaxSweepCells {
		return badField("grid", "%s is over this server's limit of %d (max_sweep_cells, see docs/api.md): run it with chipgap sweep", cellCount(n), s.limits.MaxSweepCells)
	}
	cost, err := calc.EstimateSweep(g, g.Cells(), 0)
	if err != nil {
		return err
	}
	if cost.Time > s.limits.MaxSweepTime {
		return badField("grid", "%s, about %s here on %d cores: over this server's limit of %s (max_sweep_estimate_s, see docs/api.md): run it with chipgap sweep",
			cellCount(cost.Cells), cost.Time.Round(100*time.Millisecond), cost.Cores, s.limits.MaxSweepTime)
	}
	return nil
}

func cellCount(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}

// viewSweep is the answer for a sweep: the rows as JSON values and the
// report's frontiers with their charts.
func viewSweep(res calc.SweepResult) sweepResponse {
	rows, rep := res.Rows, res.Report
	v := sweepResponse{Title: rep.Title, GridHash: res.Meta.Hash, Cells: len(rows), Failed: res.Failed(), Columns: sweep.Columns(), Rows: make([][]any, len(rows))}
	for i := range rows {
		v.Rows[i] = sweep.JSONValues(&rows[i])
	}
	for i := range rep.Sets {
		fs := &rep.Sets[i]
		fv := frontierView{Key: fs.ID, Title: fs.Title, Target: fs.Target, Model: fs.Model, X: fs.XName, Y: fs.YName,
			Points: len(fs.Points), Left: fs.Left, SVG: string(rep.Chart(fs)), Frontier: []int64{}}
		for _, k := range fs.Front {
			fv.Frontier = append(fv.Frontier, rows[fs.Rows[k]].Cell)
		}
		v.Frontiers = append(v.Frontiers, fv)
	}
	return v
}
