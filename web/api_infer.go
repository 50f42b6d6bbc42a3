package web

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/plot"
	"chipgap/units"
)

// inferRequest is the body of POST /api/infer/estimate and
// /api/infer/curve. Durations accept numbers (seconds) or strings with a
// unit ("50ms").
type inferRequest struct {
	Chip        string                `json:"chip"`
	Chips       int                   `json:"chips"`
	Model       string                `json:"model"`
	Precision   string                `json:"precision"`
	KVPrecision string                `json:"kv_precision"`
	Framework   string                `json:"framework"`
	Mode        string                `json:"mode"`
	Parallel    *inference.Parallel   `json:"parallel"`
	Speculative inference.Speculative `json:"speculative"`
	// ExpertImbalance is the hottest device's expert load over the mean
	// (at least 1; 0 = the stack's, with its balancer).
	ExpertImbalance float64            `json:"expert_imbalance"`
	Workload        inference.Workload `json:"workload"`
	SLO             inference.SLO      `json:"slo"`
	// Batch is the one batch size /api/infer/estimate evaluates (0: the
	// best under the SLO). Batches are the curve's points (nil: a
	// doubling grid up to the largest batch that fits).
	Batch   int   `json:"batch"`
	Batches []int `json:"batches"`
}

// inferSetup is a request resolved against the catalog.
type inferSetup struct {
	d        inference.Deployment
	mode     inference.Mode
	stackMsg string
}

func (s *Server) inferSetup(req inferRequest) (inferSetup, error) {
	if err := inferDegrees("parallel", req.Parallel); err != nil {
		return inferSetup{}, err
	}
	if x := req.ExpertImbalance; x != 0 && !(x >= 1) {
		return inferSetup{}, badField("expert_imbalance", "%g: want a factor of at least 1 (the hottest device's expert load over the mean; 1 = perfectly balanced), or 0 for the stack's", x)
	}
	for _, b := range []struct {
		field string
		v     units.Seconds
	}{{"slo.ttft", req.SLO.TTFT}, {"slo.tpot", req.SLO.TPOT}} {
		if b.v < 0 {
			return inferSetup{}, badField(b.field, "%g s: want 0 (no bound) or a positive time", float64(b.v))
		}
	}
	cat, err := s.catalogOf()
	if err != nil {
		return inferSetup{}, err
	}
	var st inferSetup
	cl, err := s.clusterFor(cat, req.Chip, req.Chips)
	if err != nil {
		return st, err
	}
	m, err := cat.Model(req.Model)
	if err != nil {
		return st, lookupError("model", err)
	}
	prec, err := hardware.ParsePrecision(cmp.Or(req.Precision, "bf16"))
	if err != nil {
		return st, badField("precision", "%v", err)
	}
	var kvp hardware.Precision
	if req.KVPrecision != "" {
		if kvp, err = hardware.ParsePrecision(req.KVPrecision); err != nil {
			return st, badField("kv_precision", "%v", err)
		}
	}
	if st.mode, err = inference.ParseMode(cmp.Or(req.Mode, "colocated")); err != nil {
		return st, err
	}
	stack, note, err := cat.InferenceProfile(req.Framework, cl.Chip)
	if err != nil {
		return st, err
	}
	st.stackMsg = note
	par := defaultParallel(cl)
	if req.Parallel != nil {
		par = *req.Parallel
		if err := catalog.CheckServingDegrees(m, par); err != nil {
			return st, err
		}
	}
	st.d = inference.Deployment{Model: m, Cluster: cl, Parallel: par, Precision: prec, KVPrecision: kvp,
		Profile: stack.Profile(), Speculative: req.Speculative, ExpertImbalance: req.ExpertImbalance}
	return st, nil
}

// clusterFor builds n chips of id with the catalog's defaults, n at most
// the server's MaxChips.
func (s *Server) clusterFor(cat *catalog.Catalog, id string, n int) (hardware.Cluster, error) {
	return clusterUpTo(cat, id, n, s.limits.MaxChips)
}

// clusterUpTo builds n chips of id with the catalog's defaults, n at most
// limit: the one cluster lookup of every endpoint (training, inference,
// whole run, a serving pool), with errors naming chip or chips.
func clusterUpTo(cat *catalog.Catalog, id string, n, limit int) (hardware.Cluster, error) {
	switch {
	case id == "":
		return hardware.Cluster{}, badField("chip", "missing: want a chip id (GET /api/chips)")
	case n < 1:
		return hardware.Cluster{}, badField("chips", "%d: want at least 1", n)
	}
	if err := capInt("chips", n, limit); err != nil {
		return hardware.Cluster{}, err
	}
	if _, err := cat.Chip(id); err != nil {
		return hardware.Cluster{}, lookupError("chip", err)
	}
	cl, err := cat.Cluster(id, n, catalog.ClusterOptions{})
	if err != nil {
		return cl, badField("chips", "%v", err)
	}
	return cl, nil
}

// defaultParallel is one instance per scale-up node: tensor parallel over
// the node's devices (capped at the cluster), replicated across nodes.
func defaultParallel(cl hardware.Cluster) inference.Parallel {
	dev := max(cl.Chip.DevicesPerChip, 1)
	return inference.Parallel{TP: min(cl.Chips, cl.ChipsPerNode) * dev, PP: 1, EP: 1}
}

// curveResponse is POST /api/infer/curve's answer.
type curveResponse struct {
	Chip      string             `json:"chip"`
	Model     string             `json:"model"`
	Parallel  inference.Parallel `json:"parallel"`
	Profile   string             `json:"profile"`
	StackNote string             `json:"stack_note,omitempty"`
	SLO       inference.SLO      `json:"slo"`
	Points    []inference.Point  `json:"points"`
	// Best is the highest-throughput point meeting the SLO; BestError
	// says why there is none.
	Best      *inference.Point `json:"best,omitempty"`
	BestError string           `json:"best_error,omitempty"`
	Charts    []chart          `json:"charts"`
}

func (s *Server) handleInferCurve(w http.ResponseWriter, r *http.Request) error {
	var req inferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if err := capInt("batches", len(req.Batches), s.limits.MaxCurvePoints); err != nil {
		return err
	}
	st, err := s.inferSetup(req)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (curveResponse, error) {
		return inferCurve(st, req)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// inferError names the estimator's fields as the request does: the
// workload's token counts sit under "workload", curve batches under
// "batches".
func inferError(err error, curve bool) error {
	var fe *input.Error
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	switch {
	case field == "input_tokens" || field == "output_tokens":
		field = "workload." + field
	case field == "batch" && curve:
		field = "batches"
	}
	return &Error{Status: http.StatusBadRequest, Field: field, Msg: fe.Error()}
}

func inferCurve(st inferSetup, req inferRequest) (curveResponse, error) {
	pts, err := inference.Curve(st.d, st.mode, req.Workload, req.SLO, req.Batches)
	if err != nil {
		return curveResponse{}, inferError(err, true)
	}
	out := curveResponse{Chip: st.d.Cluster.ChipID, Model: st.d.Model.ID, Parallel: st.d.Parallel, Profile: st.d.Profile.ID,
		StackNote: st.stackMsg, SLO: req.SLO, Points: pts}
	best, err := inference.Best(st.d, st.mode, req.Workload, req.SLO)
	switch {
	case err == nil:
		out.Best = &best
	case errors.Is(err, inference.ErrNoOperatingPoint):
		out.BestError = err.Error()
	default:
		return curveResponse{}, inferError(err, true)
	}
	out.Charts = curveCharts(pts, req.SLO, st.d.Cluster.Chip.Name)
	return out, nil
}

// curveCharts plots latency against throughput per chip, with the SLO
// as a limit line: TPOT (decode) and TTFT.
func curveCharts(pts []inference.Point, slo inference.SLO, name string) []chart {
	x := make([]float64, len(pts))
	tpot := make([]float64, len(pts))
	ttft := make([]float64, len(pts))
	for i, p := range pts {
		x[i] = p.OutputPerChip
		tpot[i] = float64(p.TPOT / (units.Seconds(1e-3)))
		ttft[i] = float64(p.TTFT / (units.Seconds(1e-3)))
	}
	return []chart{
		{Key: "tpot", SVG: string(plot.Lines("Time per output token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TPOT", X: x, Y: tpot}}, float64(slo.TPOT)*1e3))},
		{Key: "ttft", SVG: string(plot.Lines("Time to first token vs throughput — "+name, "tokens/s per chip", "ms",
			[]plot.Series{{Name: "TTFT", X: x, Y: ttft}}, float64(slo.TTFT)*1e3))},
	}
}

// inferEstimate is POST /api/infer/estimate's answer: one operating point
// with the deployment's memory use.
type inferEstimate struct {
	Chip      string             `json:"chip"`
	Model     string             `json:"model"`
	Parallel  inference.Parallel `json:"parallel"`
	Profile   string             `json:"profile"`
	StackNote string             `json:"stack_note,omitempty"`
	Point     inference.Point    `json:"point"`
	Memory    inference.Memory   `json:"memory"`
	KV        inference.KV       `json:"kv"`
}

func (s *Server) handleInferEstimate(w http.ResponseWriter, r *http.Request) error {
	var req inferRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if req.Batch < 0 {
		return badField("batch", "%d: want a positive batch size, or 0 for the best under the SLO", req.Batch)
	}
	st, err := s.inferSetup(req)
	if err != nil {
		return err
	}
	res, err := compute(r.Context(), s, func(ctx context.Context) (inferEstimate, error) {
		return inferPoint(st, req)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func inferPoint(st inferSetup, req inferRequest) (inferEstimate, error) {
	out := inferEstimate{Chip: st.d.Cluster.ChipID, Model: st.d.Model.ID, Parallel: st.d.Parallel, Profile: st.d.Profile.ID, StackNote: st.stackMsg}
	var err error
	if req.Batch > 0 {
		var pts []inference.Point
		pts, err = inference.Curve(st.d, st.mode, req.Workload, req.SLO, []int{req.Batch})
		if err == nil {
			out.Point = pts[0]
		}
	} else {
		out.Point, err = inference.Best(st.d, st.mode, req.Workload, req.SLO)
	}
	if err != nil {
		return out, inferError(err, false)
	}
	if out.Memory, err = inference.MemoryUse(st.d); err != nil {
		return out, inferError(err, false)
	}
	out.KV, err = inference.KVCapacity(st.d)
	return out, inferError(err, false)
}
