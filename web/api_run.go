package web

import (
	"context"
	"fmt"
	"math"
	"net/http"

	"chipgap/calc"
	"chipgap/goodput"
	"chipgap/plot"
)

// runRequest is the body of POST /api/run/simulate: calc.RunRequest, the
// fields of `chipgap run` (one cluster: the API answers no comparison).
type runRequest struct {
	calc.RunRequest
}

// runThroughput says where the steady-state tokens/s came from.
type runThroughput struct {
	TokensPerSec float64 `json:"tokens_per_s"`
	MFU          float64 `json:"mfu"`
	Source       string  `json:"source"`
	Plan         string  `json:"plan,omitempty"`
}

// runResponse is POST /api/run/simulate's answer.
type runResponse struct {
	Chip       string         `json:"chip"`
	Chips      int            `json:"chips"`
	Model      string         `json:"model"`
	Stack      string         `json:"stack"`
	Throughput runThroughput  `json:"throughput"`
	Job        goodput.Job    `json:"job"`
	Result     goodput.Result `json:"result"`
	Charts     []chart        `json:"charts"`
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) error {
	var req runRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.VS != "" || req.VSChips != 0 || req.VSMFU != 0 {
		return badField("vs", "the API simulates one cluster: post one request per cluster, or compare with chipgap run --vs")
	}
	if err := capInt("chips", req.Chips, s.limits.MaxChips); err != nil {
		return err
	}
	if err := capInt("seeds", req.Seeds, s.limits.MaxSamples); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	st, err := req.Setup(cat)
	if err != nil {
		return err
	}
	return respondJobOrWait(s, w, r, "run-simulate", func(ctx context.Context, p *Progress) (runResponse, error) {
		p.Set("training estimator: plan shapes", 0)
		seeds := st.Seeds()
		res, err := calc.Run(st, calc.RunOptions{MFUFrom: "request",
			Progress: p.Count,
			Admit: func(side calc.RunSide) error {
				if err := ctx.Err(); err != nil {
					return timeoutError(ctx)
				}
				if b := eventBound(side.Job); float64(seeds)*b > s.limits.MaxSimEvents {
					return badField("seeds", "%d seeds × up to %.3g interruptions each is over this server's limit of %.3g simulated events (see docs/api.md): fewer seeds, chips or tokens",
						seeds, b, s.limits.MaxSimEvents)
				}
				p.Set(fmt.Sprintf("simulating %d runs", seeds), seeds)
				return nil
			}})
		if err != nil {
			return runResponse{}, err
		}
		p.Step(seeds)
		a, t := res.A, res.A.Throughput
		return runResponse{Chip: a.Cluster.ChipID, Chips: a.Cluster.Chips, Model: a.Model.ID, Stack: a.Cluster.Stack,
			Throughput: runThroughput{TokensPerSec: t.TokensPerSec, MFU: t.MFU, Source: t.Source, Plan: t.Plan},
			Job:        a.Job, Result: a.Result, Charts: runCharts(a.Result)}, nil
	})
}

// runCharts draws where the days go (P50, with P10–P90 whiskers).
func runCharts(res goodput.Result) []chart {
	parts := []struct {
		label string
		s     goodput.Summary
	}{
		{"Total", res.Total}, {"Productive compute", res.Productive}, {"Maturation slowdown", res.Slowdown},
		{"Lost work", res.Lost}, {"Restarts", res.Restart}, {"Checkpointing", res.Checkpointing}, {"Porting", res.Port},
	}
	var bars []plot.Bar
	for i, pt := range parts {
		bars = append(bars, plot.Bar{Label: pt.label, Value: pt.s.P50, Lo: pt.s.P10, Hi: pt.s.P90, Group: min(i, 1)})
	}
	return []chart{{Key: "days", SVG: string(plot.Bars("Where the days go (P50, P10–P90)", "days", bars))}}
}

// eventBound bounds the interruptions one seed simulates: the job's
// chips × the sum of its modes' highest rates × the hours simulated
// (the horizon; else twice the closed-form wall time, or the simulation's
// own cap of 50 × the failure-free time when the closed form diverges).
func eventBound(j goodput.Job) float64 {
	rate := 0.0
	for _, m := range j.Modes {
		rate += float64(max(m.Rate.Max, m.Rate.Typ))
	}
	hours := float64(j.Horizon) / 3600
	if j.Horizon <= 0 {
		hours = 50 * float64(j.Work) / 3600
		if est, err := goodput.Closed(j); err == nil && finite(float64(est.Wall)) && est.Wall > 0 {
			hours = min(hours, 2*float64(est.Wall)/3600)
		}
	}
	return max(1, rate*float64(j.Chips)*hours)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
