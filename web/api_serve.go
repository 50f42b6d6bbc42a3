package web

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/serve"
	"chipgap/units"
)

// The serving simulation (POST /api/serve/simulate) runs package serve
// the way `chipgap simulate` does (cmd/chipgap/simulate.go): pools from
// catalog.Deployment and serve.NewPool, a generated workload, the SLO.

// maxServeRequests caps one request's simulated requests (a million take
// a few seconds; more wants the command line).
const maxServeRequests = 1_000_000

// servePool is one pool of a serving-simulation request.
type servePool struct {
	Chip     string              `json:"chip"`
	Chips    int                 `json:"chips"`
	Parallel *inference.Parallel `json:"parallel"`
}

// serveLengths is a token-length distribution.
type serveLengths struct {
	Dist   string  `json:"dist"`
	Tokens int     `json:"tokens"`
	Min    int     `json:"min"`
	Max    int     `json:"max"`
	Sigma  float64 `json:"sigma"`
}

func (l serveLengths) lengths(def int) serve.Lengths {
	return serve.Lengths{Dist: cmp.Or(l.Dist, serve.Fixed), Mean: cmp.Or(l.Tokens, def), Min: l.Min, Max: l.Max, Sigma: l.Sigma}
}

// serveRequest is the body of POST /api/serve/simulate.
type serveRequest struct {
	Model       string                `json:"model"`
	Precision   string                `json:"precision"`
	KVPrecision string                `json:"kv_precision"`
	Framework   string                `json:"framework"`
	Speculative inference.Speculative `json:"speculative"`
	servePool
	// Prefill, when given, makes the deployment disaggregated: it
	// prefills, the pool above decodes.
	Prefill   *servePool `json:"prefill"`
	Router    string     `json:"router"`
	Scheduler string     `json:"scheduler"`
	Admission string     `json:"admission"` // auto, on-demand, reserve
	Workload  struct {
		Arrival  string       `json:"arrival"`
		Rate     float64      `json:"rate"`
		CV       float64      `json:"cv"`
		Requests int          `json:"requests"`
		Seed     uint64       `json:"seed"`
		Input    serveLengths `json:"input"`
		Output   serveLengths `json:"output"`
	} `json:"workload"`
	SLO struct {
		TTFT       units.Seconds `json:"ttft"`
		TPOT       units.Seconds `json:"tpot"`
		Percentile float64       `json:"percentile"`
	} `json:"slo"`
}

// serveResponse is the answer: the pools as built, the result and its
// two charts (queue, KV use).
type serveResponse struct {
	Pools  []servePoolView `json:"pools"`
	Link   serve.Link      `json:"link"`
	Result *serve.Result   `json:"result"`
	Charts []chart         `json:"charts"`
}

type servePoolView struct {
	Name            string             `json:"name"`
	Chip            string             `json:"chip"`
	Replicas        int                `json:"replicas"`
	ChipsPerReplica float64            `json:"chips_per_replica"`
	Engine          serve.EngineConfig `json:"engine"`
}

func (s *Server) handleServeSimulate(w http.ResponseWriter, r *http.Request) error {
	var req serveRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	req.Workload.Requests = cmp.Or(req.Workload.Requests, 10000)
	if err := capInt("workload.requests", req.Workload.Requests, maxServeRequests); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	d, views, err := s.serveDeployment(cat, req)
	if err != nil {
		return err
	}
	wl := req.Workload
	w8 := serve.Workload{Process: cmp.Or(wl.Arrival, serve.Poisson), Rate: wl.Rate, CV: cmp.Or(wl.CV, 2), Requests: wl.Requests,
		Seed: cmp.Or(wl.Seed, 1), Prompt: wl.Input.lengths(1000), Output: wl.Output.lengths(200)}
	slo := serve.SLO{TTFT: time.Duration(float64(req.SLO.TTFT) * 1e9), TPOT: time.Duration(float64(req.SLO.TPOT) * 1e9),
		Percentile: cmp.Or(req.SLO.Percentile, 0.99)}
	run := func(ctx context.Context, p *Progress) (serveResponse, error) {
		p.Set("requests simulated", w8.Requests)
		last := 0
		res, err := serve.Simulate(d, w8, serve.Options{SLO: slo, Progress: func(done, total int) bool {
			p.Step(done - last)
			last = done
			return ctx.Err() == nil
		}})
		if err != nil {
			if ctx.Err() != nil {
				return serveResponse{}, timeoutError(ctx)
			}
			return serveResponse{}, err
		}
		var names []string
		for _, v := range views {
			names = append(names, v.Name)
		}
		q, kv := res.Charts(names)
		return serveResponse{Pools: views, Link: d.Link, Result: res,
			Charts: []chart{{Key: "queue", SVG: string(q)}, {Key: "kv", SVG: string(kv)}}}, nil
	}
	return respondJobOrWait(s, w, r, "serve-simulate", run)
}

// serveDeployment builds the pools of req: one (aggregated) or prefill
// then decode.
func (s *Server) serveDeployment(cat *catalog.Catalog, req serveRequest) (serve.Deployment, []servePoolView, error) {
	pools := []servePool{req.servePool}
	names := []string{"serve"}
	if req.Prefill != nil {
		pools, names = []servePool{*req.Prefill, req.servePool}, []string{"prefill", "decode"}
	}
	d := serve.Deployment{Router: cmp.Or(req.Router, serve.LeastOutstanding)}
	var views []servePoolView
	var nic []units.ByteRate
	var lat units.Seconds
	for i, sp := range pools {
		p, cl, err := s.servePoolOf(cat, req, sp, names[i])
		if err != nil {
			return d, nil, err
		}
		d.Pools = append(d.Pools, p)
		views = append(views, servePoolView{Name: p.Name, Chip: sp.Chip, Replicas: p.Replicas, ChipsPerReplica: p.ChipsPerReplica, Engine: p.Engine})
		nic = append(nic, units.ByteRate(float64(cl.ScaleOut.Bandwidth)*p.ChipsPerReplica))
		lat = max(lat, cl.ScaleOut.Latency)
	}
	if len(nic) == 2 {
		d.Link = serve.Link{Bandwidth: min(nic[0], nic[1]), Latency: lat}
	}
	return d, views, nil
}

// serveCluster builds n chips of id (a pool's hardware).
func serveCluster(cat *catalog.Catalog, id string, n int) (hardware.Cluster, error) {
	switch {
	case id == "":
		return hardware.Cluster{}, badField("chip", "missing: want a chip id (GET /api/chips)")
	case n < 1:
		return hardware.Cluster{}, badField("chips", "%d: want at least 1", n)
	}
	if err := capInt("chips", n, 100_000); err != nil {
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

func (s *Server) servePoolOf(cat *catalog.Catalog, req serveRequest, sp servePool, name string) (serve.Pool, hardware.Cluster, error) {
	cl, err := serveCluster(cat, sp.Chip, sp.Chips)
	if err != nil {
		return serve.Pool{}, cl, err
	}
	m, err := cat.Model(req.Model)
	if err != nil {
		return serve.Pool{}, cl, lookupError("model", err)
	}
	par := defaultParallel(cl)
	if sp.Parallel != nil {
		par = *sp.Parallel
	}
	dep, _, err := cat.Deployment(catalog.DeploymentOptions{Chip: sp.Chip, Chips: sp.Chips, Software: req.Framework, Model: m,
		Parallel: par, Precision: req.Precision, KVPrecision: req.KVPrecision, Speculative: req.Speculative})
	if err != nil {
		return serve.Pool{}, cl, err
	}
	reserve := serve.ReservesOutput(req.Framework)
	switch req.Admission {
	case "", "auto":
	case "reserve", "on-demand":
		reserve = req.Admission == "reserve"
	default:
		return serve.Pool{}, cl, badField("admission", "%q: want auto, on-demand or reserve", req.Admission)
	}
	p, err := serve.NewPool(name, dep, serve.PoolOptions{Scheduler: req.Scheduler, ReserveOutput: reserve})
	return p, cl, err
}
