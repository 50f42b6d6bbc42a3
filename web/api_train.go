package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/plot"
	"chipgap/training"
	"chipgap/units"
)

// trainRequest is the body of POST /api/train/estimate and
// /api/train/search.
type trainRequest struct {
	Chip        string  `json:"chip"`
	Chips       int     `json:"chips"`
	Model       string  `json:"model"`
	Precision   string  `json:"precision"`
	Seq         int     `json:"seq"`
	GlobalBatch int     `json:"global_batch"`
	Tokens      float64 `json:"tokens"`
	// Framework picks the training profile of the chip's stack that
	// lists it ("" = the stack's default profile).
	Framework string `json:"framework"`
	// StackDate takes the profile as it stood on that date (YYYY-MM-DD;
	// "" = its current state).
	StackDate string `json:"stack_date"`
	// ExpertImbalance (MoE) is the hottest expert rank's tokens over the
	// mean (0 = the stack's; else at least 1); CapacityFactor caps each
	// expert's tokens at that multiple of the mean (absent = dropless;
	// else > 0).
	ExpertImbalance float64  `json:"expert_imbalance"`
	CapacityFactor  *float64 `json:"capacity_factor"`
	// Plan is the parallel plan /api/train/estimate evaluates, its unset
	// fields filled by parallel.Plan.WithDefaults as the CLI's are; ZeRO
	// is as given (absent = 0). For /api/train/search it is the
	// space: non-zero degrees are fixed, zero ones searched.
	Plan *parallel.Plan `json:"plan"`
	// Top is how many plans a search returns (default 5, at most 20).
	Top int `json:"top"`
	// Charts adds SVG charts (step time and memory) to the answer.
	Charts bool `json:"charts"`
	// Ranges (default true) re-evaluates the plan at the low and high
	// ends of the chip's catalog ranges: two more estimates.
	Ranges *bool `json:"ranges"`
}

// trainSetup is a request resolved against the catalog.
type trainSetup struct {
	model   llm.Model
	cluster hardware.Cluster
	profile training.Profile
	stack   string // which profile and why
	job     training.Job
}

func (s *Server) trainSetup(req trainRequest) (trainSetup, error) {
	if p := req.Plan; p != nil {
		if err := checkDegrees("plan", degree{"tp", p.TP}, degree{"pp", p.PP}, degree{"dp", p.DP}, degree{"cp", p.CP},
			degree{"ep", p.EP}, degree{"vpp", p.VPP}, degree{"microbatch", p.Microbatch}); err != nil {
			return trainSetup{}, err
		}
	}
	cat, err := s.catalogOf()
	if err != nil {
		return trainSetup{}, err
	}
	var st trainSetup
	if st.cluster, err = s.clusterFor(cat, req.Chip, req.Chips); err != nil {
		return st, err
	}
	if st.model, err = cat.Model(req.Model); err != nil {
		return st, lookupError("model", err)
	}
	prec, err := hardware.ParsePrecision(cmp.Or(req.Precision, "bf16"))
	if err != nil {
		return st, badField("precision", "%v", err)
	}
	if req.Tokens < 0 {
		return st, badField("tokens", "%g: want 0 (no budget) or more", req.Tokens)
	}
	if st.profile, st.stack, err = s.trainingProfile(cat, st.cluster.Stack, req.Framework); err != nil {
		return st, badField("framework", "%v", err)
	}
	if st.profile, err = st.profile.At(req.StackDate); err != nil {
		return st, badField("stack_date", "%q: want a date YYYY-MM-DD (the stack as it stood then), or empty for its current state", req.StackDate)
	}
	if st.profile.State != "" {
		st.stack += ", as of " + st.profile.State
	}
	if x := req.ExpertImbalance; x != 0 && !(x >= 1 && x <= 64) {
		return st, badField("expert_imbalance", "%g: want 1 to 64 (the hottest expert rank's tokens over the mean; 1 = balanced), or 0 for the stack's", x)
	}
	var capf float64
	if c := req.CapacityFactor; c != nil {
		if !(*c > 0 && *c <= 64) {
			return st, badField("capacity_factor", "%g: want a positive multiple of the mean tokens per expert, up to 64 (absent: dropless)", *c)
		}
		capf = *c
	}
	st.job = training.Job{Seq: cmp.Or(req.Seq, 4096), GlobalBatch: cmp.Or(req.GlobalBatch, 1024), Precision: prec, Tokens: req.Tokens,
		ExpertImbalance: req.ExpertImbalance, CapacityFactor: capf}
	return st, nil
}

// devices is the device count the plan splits.
func (st trainSetup) devices() int {
	return st.cluster.Chips * max(st.cluster.Chip.DevicesPerChip, 1)
}

// trainEstimate is POST /api/train/estimate's answer.
type trainEstimate struct {
	training.Result
	Chip    string    `json:"chip"`
	Chips   int       `json:"chips"`
	Model   string    `json:"model"`
	Profile string    `json:"profile"`
	Cost    *runCost  `json:"cost,omitempty"`
	Charts  []chart   `json:"charts,omitempty"`
	Tokens  float64   `json:"tokens,omitempty"`
	Ranges  *trainRng `json:"ranges,omitempty"`
}

func (s *Server) handleTrainEstimate(w http.ResponseWriter, r *http.Request) error {
	var req trainRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Plan == nil {
		return badField("plan", "missing: want a parallel plan ({\"tp\":8,\"pp\":4}); POST /api/train/search finds one")
	}
	st, err := s.trainSetup(req)
	if err != nil {
		return err
	}
	pl := req.Plan.WithDefaults(st.devices())
	res, err := compute(r.Context(), s, func(ctx context.Context) (trainEstimate, error) {
		res, err := training.Estimate(st.model, pl, st.cluster, st.profile, st.job)
		if err != nil {
			return trainEstimate{}, planError(err)
		}
		return st.describe(res, req), nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// planError names plan fields as the request does ("plan.tp") and maps a
// plan that does not fit to a 400 on "plan".
func planError(err error) error {
	var fe *input.Error
	var nf *training.NotFitError
	switch {
	case errors.As(err, &fe):
		field := fe.Field
		if parallel.IsPlanField(field) {
			field = "plan." + field
		}
		return badField(field, "%v", fe)
	case errors.As(err, &nf):
		return badField("plan", "%v", nf)
	case errors.Is(err, training.ErrNoPlan):
		return badField("plan", "%v in the searched space: add chips, shorten seq or global_batch, or use a narrower precision", err)
	}
	return err
}

// describe adds the run's cost and ranges to an estimate.
func (st trainSetup) describe(res training.Result, req trainRequest) trainEstimate {
	out := trainEstimate{Result: res, Chip: st.cluster.ChipID, Chips: st.cluster.Chips, Model: st.model.ID,
		Profile: st.stack, Tokens: st.job.Tokens}
	if res.ChipHours > 0 {
		out.Cost = rentalCost(st.cluster.Chip, res.ChipHours)
	}
	if req.Ranges == nil || *req.Ranges {
		out.Ranges = st.ranges(res)
	}
	if req.Charts {
		out.Charts = trainCharts(res)
	}
	return out
}

// trainCharts draws where a step's time goes and the memory per device.
func trainCharts(r training.Result) []chart {
	b := r.Breakdown
	ms := func(v units.Seconds) float64 { return float64(v) * 1e3 }
	step := []plot.Bar{{Label: "Compute", Value: ms(b.Compute)}, {Label: "TP comm", Value: ms(b.TP)}, {Label: "PP comm", Value: ms(b.PP)},
		{Label: "DP comm", Value: ms(b.DP)}, {Label: "EP comm", Value: ms(b.EP)}, {Label: "CP comm", Value: ms(b.CP)},
		{Label: "Pipeline bubble", Value: ms(b.Bubble)}, {Label: "Optimizer", Value: ms(b.Optimizer)}, {Label: "Other", Value: ms(b.Other)}}
	if b.Experts > 0 || b.MoEHost > 0 {
		step = append(step[:1], append([]plot.Bar{{Label: "Expert GEMMs", Value: ms(b.Experts)}, {Label: "MoE host", Value: ms(b.MoEHost)}}, step[1:]...)...)
	}
	for i := 1; i < len(step); i++ {
		step[i].Group = 1
	}
	gb := func(v units.Bytes) float64 { return float64(v) / 1e9 }
	m := r.Memory
	mem := []plot.Bar{{Label: "Weights", Value: gb(m.Weights)}, {Label: "Gradients", Value: gb(m.Grads)}, {Label: "Optimizer", Value: gb(m.Optimizer)},
		{Label: "Activations", Value: gb(m.Activations)}, {Label: "Overhead", Value: gb(m.Overhead)},
		{Label: "Total", Value: gb(m.Total), Group: 2}, {Label: "Capacity", Value: gb(m.Capacity), Group: 4}}
	return []chart{
		{Key: "step", SVG: string(plot.Bars("Step time breakdown (exposed)", "ms", step))},
		{Key: "memory", SVG: string(plot.Bars("Memory per device", "GB", mem))},
	}
}

// trainSearch is POST /api/train/search's answer.
type trainSearch struct {
	training.SearchResult
	Best *trainEstimate `json:"best"`
}

func (s *Server) handleTrainSearch(w http.ResponseWriter, r *http.Request) error {
	var req trainRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	st, err := s.trainSetup(req)
	if err != nil {
		return err
	}
	var space parallel.Space
	if p := req.Plan; p != nil {
		space = parallel.Space{TP: p.TP, PP: p.PP, DP: p.DP, CP: p.CP, EP: p.EP, VPP: p.VPP, Microbatch: p.Microbatch}
	}
	if req.Top < 0 {
		return badField("top", "%d: want 1 to 20 plans (0 for the default, 5)", req.Top)
	}
	if err := capInt("top", req.Top, 20); err != nil {
		return err
	}
	if n := countPlans(st, space, s.limits.MaxPlans); n > s.limits.MaxPlans {
		return badField("plan", "the search space holds more than %d plans, over this server's limit of %d (see docs/api.md): fix some degrees (tp, pp, microbatch) in plan",
			s.limits.MaxPlans, s.limits.MaxPlans)
	}
	return respondJobOrWait(s, w, r, "train-search", func(ctx context.Context, p *Progress) (trainSearch, error) {
		p.Set("plan shapes", 0)
		sr, err := training.Search(st.model, st.cluster, st.profile, st.job, training.SearchOptions{
			Space: space, Top: cmp.Or(req.Top, 5),
			Progress: func(done, total int) {
				if p != nil {
					p.total.Store(int64(total))
					p.done.Store(int64(done))
				}
			},
		})
		if err != nil {
			return trainSearch{}, planError(err)
		}
		out := trainSearch{SearchResult: sr}
		if len(sr.Top) > 0 {
			best := st.describe(sr.Top[0], req)
			out.Best = &best
		}
		return out, nil
	})
}

// countPlans counts the valid plans of space, stopping past limit.
func countPlans(st trainSetup, space parallel.Space, limit int) int {
	prob := parallel.Problem{Model: st.model, Devices: st.devices(), GlobalBatch: st.job.GlobalBatch, Seq: st.job.Seq}
	shapes, _ := space.Shapes(prob)
	n := 0
	for _, sh := range shapes {
		space.Each(prob, sh, func(parallel.Plan) bool {
			n++
			return n <= limit
		})
		if n > limit {
			break
		}
	}
	return n
}
