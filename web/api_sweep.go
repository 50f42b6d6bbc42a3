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
	req.SampleCap = s.sampleCap()
	g, err := req.Setup()
	if err != nil {
		return err
	}
	if err := s.checkSweep(g, !isAsync(r)); err != nil {
		return err
	}
	run := func(ctx context.Context, p *Progress) (calc.SweepView, error) {
		p.Set("cells", g.Count())
		res, err := calc.Sweep(ctx, g, sweep.Options{Progress: func(int, int) { p.Step(1) }})
		if err != nil && ctx.Err() != nil {
			return calc.SweepView{}, timeoutError(ctx) // a 504, not an internal error
		}
		if err != nil {
			return calc.SweepView{}, err
		}
		return res.View(), nil
	}
	return respondJobOrWait(s, w, r, "sweep", run)
}

// checkSweep refuses a grid over the server's caps (its samples are
// checked as it is parsed, calc.SweepRequest.SampleCap): its sizes,
// (for a synchronous request, sync) the request timeout,
// cells, and its time here as `chipgap sweep` estimates it.
func (s *Server) checkSweep(g *sweep.Grid, sync bool) error {
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
	// A synchronous sweep expected to outlast the request's timeout
	// would end in a 504 after that work: it is refused at once (with
	// admission's margin, workq.Admission).
	if budget := time.Duration(0.8 * float64(s.limits.Timeout)); sync && s.limits.Timeout > 0 && cost.Time > budget {
		return badField("grid", "%s, about %s here on %d cores: more than this server's %s request timeout leaves a synchronous sweep (request_timeout_s, see docs/api.md): use POST /api/sweep?async=1 and poll the job",
			cellCount(cost.Cells), cost.Time.Round(100*time.Millisecond), cost.Cores, s.limits.Timeout)
	}
	return nil
}

func cellCount(n int) string {
	if n == 1 {
		return "1 cell"
	}
	return fmt.Sprintf("%d cells", n)
}
