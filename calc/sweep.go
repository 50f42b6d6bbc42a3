package calc

import (
	"cmp"
	"context"
	"runtime"
	"strings"
	"time"

	"chipgap/examples"
	"chipgap/sweep"
)

// SweepRequest is the input of a design-space sweep: `chipgap sweep
// GRID.yaml` and POST /api/sweep.
type SweepRequest struct {
	// Grid is a grid file's text (chipgap-sweep/v1, YAML or JSON);
	// empty, with no File named, is examples/sweep-small.yaml.
	Grid string `json:"grid" flag:"-"`
	// File names the grid in errors: the path the command line read it
	// from ("grid" when empty, as the API names the field).
	File string `json:"-"`
	// SampleCap bounds the grid's samples below sweep.MaxSamples (a
	// server's max_samples), quoted by the one check.
	SampleCap Cap `json:"-"`
}

// Setup parses and checks the request's grid. A grid that does not
// decode or check is a *FileError naming grid.<field>.
func (r SweepRequest) Setup() (*sweep.Grid, error) {
	text := r.Grid
	if r.File == "" && strings.TrimSpace(text) == "" {
		text = examples.SweepSmall()
	}
	limit, why := r.SampleCap.bound(sweep.MaxSamples)
	g, err := sweep.ParseWithin(cmp.Or(r.File, "grid"), []byte(text), sweep.Bounds{Samples: limit, Why: why})
	if err != nil {
		return nil, fileError("grid", err)
	}
	return g, nil
}

// SweepCost is what running cells of a grid takes here: the cells, the
// cores they are spread over and the time they take
// (sweep.Spread of sweep.Grid.CellCosts, sweep.Measured per cell: a training cell by the plans its search
// estimates, sweep.SearchPlans, so its global batch counts).
type SweepCost struct {
	Cells int
	Cores int
	Time  time.Duration
	// Longest is the longest cell's time: no sharding makes a shard
	// shorter.
	Longest time.Duration
}

// EstimateSweep estimates cells of g on this machine with at most
// workers cells at once (0: every core). A caller compares the cost with
// its own limits: the CLI's budget, a server's caps.
func EstimateSweep(g *sweep.Grid, cells []sweep.Cell, workers int) (SweepCost, error) {
	cores := runtime.GOMAXPROCS(0)
	if workers > 0 {
		cores = min(cores, workers)
	}
	costs, err := g.CellCosts(cells)
	if err != nil {
		return SweepCost{}, err
	}
	// Each cell on a core of its own: the longest cell.
	return SweepCost{Cells: len(cells), Cores: cores, Time: sweep.Spread(costs, cores), Longest: sweep.Spread(costs, max(len(cells), 1))}, nil
}

// SweepResult is a whole grid swept: one row per cell in cell order, the
// grid's metadata as a sweep file stores it, and the report's Pareto
// frontiers (`chipgap sweep report`).
type SweepResult struct {
	Rows   []sweep.Row
	Meta   sweep.Meta
	Report *sweep.Report
}

// Failed counts the cells whose row holds an error.
func (s SweepResult) Failed() int {
	n := 0
	for i := range s.Rows {
		if s.Rows[i].Error != "" {
			n++
		}
	}
	return n
}

// Sweep evaluates every cell of g (SweepRequest.Setup) in memory; the
// command line's sharded runs into a directory go through
// sweep.Execute, which writes the same rows.
func Sweep(ctx context.Context, g *sweep.Grid, o sweep.Options) (SweepResult, error) {
	rows, err := sweep.Run(ctx, g, g.Cells(), o)
	if err != nil {
		return SweepResult{}, err
	}
	meta, err := sweep.MetaOf(g)
	if err != nil {
		return SweepResult{}, err
	}
	return SweepResult{Rows: rows, Meta: meta, Report: sweep.NewReport(rows, meta)}, nil
}

// SweepView is POST /api/sweep's answer: one row per cell, in cell
// order, with the columns of the Parquet and CSV files, and the Pareto
// frontiers of `chipgap sweep report`, each drawn as SVG.
type SweepView struct {
	Title     string         `json:"title"`
	GridHash  string         `json:"grid_hash"`
	Cells     int            `json:"cells"`
	Failed    int            `json:"cells_with_error"`
	Columns   []string       `json:"columns"`
	Rows      [][]any        `json:"rows"`
	Frontiers []FrontierView `json:"frontiers"`
}

// FrontierView is one chart of the report: its cells, those on the
// frontier (by cell number, best X first) and the SVG.
type FrontierView struct {
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
// View is the answer for a sweep: the rows as JSON values and the
// report's frontiers with their charts.
func (res SweepResult) View() SweepView {
	rows, rep := res.Rows, res.Report
	v := SweepView{Title: rep.Title, GridHash: res.Meta.Hash, Cells: len(rows), Failed: res.Failed(), Columns: sweep.Columns(), Rows: make([][]any, len(rows))}
	for i := range rows {
		v.Rows[i] = sweep.JSONValues(&rows[i])
	}
	for i := range rep.Sets {
		fs := &rep.Sets[i]
		fv := FrontierView{Key: fs.ID, Title: fs.Title, Target: fs.Target, Model: fs.Model, X: fs.XName, Y: fs.YName,
			Points: len(fs.Points), Left: fs.Left, SVG: string(rep.Chart(fs)), Frontier: []int64{}}
		for _, k := range fs.Front {
			fv.Frontier = append(fv.Frontier, rows[fs.Rows[k]].Cell)
		}
		v.Frontiers = append(v.Frontiers, fv)
	}
	return v
}
