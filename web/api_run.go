package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"chipgap/calc"
	"chipgap/training"
)

// handleRun is POST /api/run/simulate: its body is calc.RunRequest, the
// fields of `chipgap run` (one cluster: the API answers no comparison).
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) error {
	var req calc.RunRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"vs", req.VS != ""}, {"vs_chips", req.VSChips != 0}, {"vs_mfu", req.VSMFU != 0}} {
		if f.set {
			return badField(f.name, "the API simulates one cluster: post one request per cluster, or compare with chipgap run --vs")
		}
	}
	if err := capInt("chips", req.Chips, s.limits.MaxChips); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	req.SeedCap = s.sampleCap()
	st, err := req.Setup(cat)
	if err != nil {
		return err
	}
	return respondJobOrWait(s, w, r, "run-simulate", func(ctx context.Context, p *Progress) (calc.RunView, error) {
		p.Set("training estimator: plan shapes", 0)
		seeds := st.Seeds()
		res, err := calc.Run(st, calc.RunOptions{MFUFrom: "request", MaxEvents: s.limits.MaxSimEvents, Lift: "the limit is this server's max_sim_events (docs/api.md)",
			Progress: p.Count,
			Stop: func() error {
				if ctx.Err() != nil {
					return timeoutError(ctx)
				}
				return nil
			},
			Admit: func(side calc.RunSide) error {
				if err := ctx.Err(); err != nil {
					return timeoutError(ctx)
				}
				p.Set(fmt.Sprintf("simulating %d runs", seeds), seeds)
				return nil
			}})
		if errors.Is(err, training.ErrNoPlan) {
			// Plans were estimated and none fits in memory: a 400 naming
			// chips, as a search with no plan that fits names plan.
			return calc.RunView{}, badField("chips", "%v", err)
		}
		if err != nil {
			return calc.RunView{}, err
		}
		p.Step(seeds)
		return res.View(), nil
	})
}
