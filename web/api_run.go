package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/plot"
	"chipgap/training"
	"chipgap/units"
)

// The whole-run simulation (POST /api/run/simulate) assembles a
// goodput.Job with catalog.Job, as `chipgap run` does: throughput from the training
// estimator's best plan (or the stack's labelled fallback MFU), failure
// modes and checkpoint/spare defaults from reliability.yaml, porting and
// maturation from stacks-engineering.yaml.

// runRequest is the body of POST /api/run/simulate.
type runRequest struct {
	Chip        string  `json:"chip"`
	Chips       int     `json:"chips"`
	Model       string  `json:"model"`
	Tokens      float64 `json:"tokens"` // run to completion of this budget
	Days        float64 `json:"days"`   // or simulate this window
	Seeds       int     `json:"seeds"`  // simulated runs (default 100)
	Seed        uint64  `json:"seed"`   // base seed (default 1)
	Ranges      *bool   `json:"ranges"` // draw ranged inputs per seed (default true)
	MFU         float64 `json:"mfu"`    // assumed MFU; 0 = the training estimator
	Precision   string  `json:"precision"`
	Seq         int     `json:"seq"`
	GlobalBatch int     `json:"global_batch"`
}

func (r runRequest) check(maxSeeds int) error {
	switch {
	case !(r.Tokens >= 0) || math.IsInf(r.Tokens, 0):
		return badField("tokens", "%g: want ≥ 0", r.Tokens)
	case !(r.Days >= 0) || math.IsInf(r.Days, 0) || r.Days > 3650:
		return badField("days", "%g: want 0 to 3650", r.Days)
	case r.Tokens == 0 && r.Days == 0:
		return badField("tokens", "give tokens (run to completion) or days (a window)")
	case r.Seeds < 0:
		return badField("seeds", "%d: want ≥ 1", r.Seeds)
	case !(r.MFU >= 0 && r.MFU <= 1):
		return badField("mfu", "%g: want a fraction in (0, 1] (0 = the training estimator)", r.MFU)
	}
	return capInt("seeds", r.Seeds, maxSeeds)
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
	if err := req.check(s.limits.MaxSamples); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	cl, err := s.clusterFor(cat, req.Chip, req.Chips)
	if err != nil {
		return err
	}
	m, err := cat.Model(req.Model)
	if err != nil {
		return lookupError("model", err)
	}
	prec, err := hardware.ParsePrecision(cmp.Or(req.Precision, "bf16"))
	if err != nil {
		return badField("precision", "%v", err)
	}
	in := runInputs{cat: cat, req: req, cluster: cl, model: m, prec: prec, maxEvents: s.limits.MaxSimEvents}
	return respondJobOrWait(s, w, r, "run-simulate", in.simulate)
}

// runInputs is a resolved run request.
type runInputs struct {
	cat     *catalog.Catalog
	req     runRequest
	cluster hardware.Cluster
	model   llm.Model
	prec    hardware.Precision
	// maxEvents bounds seeds × interruptions per seed (Limits.MaxSimEvents).
	maxEvents float64
}

func (in runInputs) simulate(ctx context.Context, p *Progress) (runResponse, error) {
	eng, err := in.cat.Engineering()
	if err != nil {
		return runResponse{}, err
	}
	se := eng[in.cluster.Stack]
	p.Set("training estimator: plan shapes", 0)
	tp, err := in.throughput(p)
	if err != nil {
		return runResponse{}, err
	}
	job, err := in.job(tp, se.Engineering)
	if err != nil {
		return runResponse{}, err
	}
	if err := ctx.Err(); err != nil {
		return runResponse{}, timeoutError(ctx)
	}
	seeds := cmp.Or(in.req.Seeds, 100)
	if b := eventBound(job); float64(seeds)*b > in.maxEvents {
		return runResponse{}, badField("seeds", "%d seeds × up to %.3g interruptions each is over this server's limit of %.3g simulated events (see docs/api.md): fewer seeds, chips or tokens",
			seeds, b, in.maxEvents)
	}
	p.Set(fmt.Sprintf("simulating %d runs", seeds), seeds)
	ranges := in.req.Ranges == nil || *in.req.Ranges
	res, err := goodput.Simulate(job, goodput.Options{Seeds: seeds, Seed: cmp.Or(in.req.Seed, 1), Ranges: ranges})
	if err != nil {
		return runResponse{}, err
	}
	p.Step(seeds)
	out := runResponse{Chip: in.cluster.ChipID, Chips: in.cluster.Chips, Model: in.model.ID, Stack: in.cluster.Stack,
		Throughput: tp, Job: job, Result: res}
	out.Charts = runCharts(res)
	return out, nil
}

// throughput is catalog.RunThroughput (the one owner, as chipgap run):
// 6·N·D at the request's MFU, else the estimator's best plan, else the
// stack's fallback MFU.
func (in runInputs) throughput(p *Progress) (runThroughput, error) {
	t, err := in.cat.RunThroughput(catalog.ThroughputRequest{Model: in.model, Cluster: in.cluster, MFU: in.req.MFU, MFUFrom: "request",
		Job: training.Job{Seq: cmp.Or(in.req.Seq, 8192), GlobalBatch: cmp.Or(in.req.GlobalBatch, 2048), Precision: in.prec},
		Progress: func(done, total int) {
			if p != nil {
				p.total.Store(int64(total))
				p.done.Store(int64(done))
			}
		}})
	var ie *input.Error
	switch {
	case errors.As(err, &ie) && ie.Field == "precision":
		return runThroughput{}, badField("precision", "%s", ie.Want)
	case errors.As(err, &ie):
		return runThroughput{}, badField(ie.Field, "%v", ie)
	case err != nil:
		return runThroughput{}, err
	}
	return runThroughput{TokensPerSec: t.TokensPerSec, MFU: t.MFU, Source: t.Source, Plan: t.Plan}, nil
}

// job assembles the goodput input: catalog.Job, the same assembly as
// `chipgap run`, validate and the gap report.
func (in runInputs) job(tp runThroughput, eng goodput.Engineering) (goodput.Job, error) {
	o := catalog.JobOptions{Horizon: units.Seconds(in.req.Days) * units.Day, Engineering: &eng}
	if in.req.Tokens > 0 {
		o.Work = units.Seconds(in.req.Tokens / tp.TokensPerSec)
	}
	return in.cat.Job(in.model, in.cluster, o)
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
