package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/input"
	"chipgap/plot"
	"chipgap/report"
	"chipgap/serve"
	"chipgap/units"
)

// The serving simulation (POST /api/serve/simulate) runs package serve
// the way `chipgap simulate` does (cmd/chipgap/simulate.go): pools from
// catalog.Deployment and serve.NewPool, a generated workload, the SLO.

// The caps on one request are Limits fields (MaxServe*, documented in
// limits.go and docs/api.md). The run checks its context as requests
// complete (about every 1 %), so a timed-out request stops within a few
// seconds.
const (
	// maxServeSLO bounds an SLO's TTFT and TPOT (a day; a time.Duration
	// holds about 292 years, so larger values would wrap around).
	maxServeSLO units.Seconds = 86400
)

// durationOf converts a checked SLO bound to a time.Duration.
func durationOf(s units.Seconds) time.Duration { return time.Duration(float64(s) * 1e9) }

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
		Arrival string  `json:"arrival"`
		Rate    float64 `json:"rate"`
		// Rates, when given, sweeps the arrival rate: one simulation a
		// rate, the same seed for each.
		Rates    []float64    `json:"rates"`
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

// serveResponse is the answer: the pools as built, the result at Rate
// and its two charts (queue, KV use); for a sweep, every rate's result
// (without its time series) and a chart of latency against rate.
type serveResponse struct {
	Pools  []servePoolView   `json:"pools"`
	Link   serve.Link        `json:"link"`
	Rate   float64           `json:"rate"`
	Result *serve.Result     `json:"result"`
	Charts []chart           `json:"charts"`
	Sweep  []serveSweepPoint `json:"sweep,omitempty"`
}

// serveSweepPoint is one rate of a sweep.
type serveSweepPoint struct {
	Rate   float64       `json:"rate"`
	Result *serve.Result `json:"result"`
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
	rates, err := checkServeRequest(&req, s.limits)
	if err != nil {
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
	if err := capRouting(d, req.Workload.Requests*len(rates), s.limits.MaxServeRouting); err != nil {
		return err
	}
	wl := req.Workload
	w8 := serve.Workload{Process: cmp.Or(wl.Arrival, serve.Poisson), CV: cmp.Or(wl.CV, 2), Requests: wl.Requests,
		Seed: cmp.Or(wl.Seed, 1), Prompt: wl.Input.lengths(1000), Output: wl.Output.lengths(200)}
	slo := serve.SLO{TTFT: durationOf(req.SLO.TTFT), TPOT: durationOf(req.SLO.TPOT), Percentile: cmp.Or(req.SLO.Percentile, 0.99)}
	var names []string
	for _, v := range views {
		names = append(names, v.Name)
	}
	run := func(ctx context.Context, p *Progress) (serveResponse, error) {
		p.Set("requests simulated", w8.Requests*len(rates))
		resp := serveResponse{Pools: views, Link: d.Link}
		for _, rate := range rates {
			w8.Rate = rate
			res, err := simulateServe(ctx, p, d, w8, slo)
			if err != nil {
				return resp, err
			}
			resp.Sweep = append(resp.Sweep, serveSweepPoint{Rate: rate, Result: res})
		}
		resp.pick(names, len(req.Workload.Rates) > 0)
		return resp, nil
	}
	return respondJobOrWait(s, w, r, "serve-simulate", run)
}

// checkServeRequest fills the defaults of req's workload, checks it
// against the caps and returns the rates to simulate.
func checkServeRequest(req *serveRequest, l Limits) ([]float64, error) {
	wl := &req.Workload
	wl.Requests = cmp.Or(wl.Requests, 10000)
	if err := capInt("workload.requests", wl.Requests, l.MaxServeRequests); err != nil {
		return nil, err
	}
	rates := []float64{wl.Rate}
	switch {
	case len(wl.Rates) > l.MaxServeRates:
		return nil, badField("workload.rates", "%d rates: want at most %d", len(wl.Rates), l.MaxServeRates)
	case len(wl.Rates) > 0 && wl.Rate != 0:
		return nil, badField("workload.rates", "give rate or rates, not both")
	case len(wl.Rates) > 0:
		rates = wl.Rates
	}
	for i, r := range rates {
		if !(r > 0) || math.IsInf(r, 0) {
			field := "workload.rate"
			if len(wl.Rates) > 0 {
				field = fmt.Sprintf("workload.rates[%d]", i)
			}
			return nil, badField(field, "%g: want a positive request rate per second", r)
		}
	}
	for _, b := range []struct {
		field string
		v     units.Seconds
	}{{"slo.ttft", req.SLO.TTFT}, {"slo.tpot", req.SLO.TPOT}} {
		if !(b.v >= 0 && b.v <= maxServeSLO) {
			return nil, badField(b.field, "%g s: want 0 (no bound) to %g s", float64(b.v), float64(maxServeSLO))
		}
	}
	// In float64: min+max of huge lengths must not wrap around below the cap.
	out := max(float64(cmp.Or(wl.Output.Tokens, 200)), (float64(wl.Output.Min)+float64(wl.Output.Max))/2)
	if n := float64(wl.Requests*len(rates)) * out; n > l.MaxServeTokens {
		return nil, badField("workload.requests", "%d requests × %d rates × %g output tokens = %.3g tokens to simulate, over this server's limit of %.0e (see docs/api.md)",
			wl.Requests, len(rates), out, n, l.MaxServeTokens)
	}
	return rates, nil
}

// capRouting bounds the router's work: it looks at every replica of a
// pool for each request (about 2.3 ns a replica, measured: 10,000
// replicas × 100,000 requests in 2.3 s), so requests × replicas is capped.
func capRouting(d serve.Deployment, requests int, limit float64) error {
	replicas := 0
	for _, p := range d.Pools {
		replicas += p.Replicas
	}
	if n := float64(requests) * float64(replicas); n > limit {
		return badField("chips", "%d replicas × %d requests = %.3g routing steps, over this server's limit of %.0e: use more tensor parallelism (fewer replicas) or fewer requests (see docs/api.md)",
			replicas, requests, n, limit)
	}
	return nil
}

// simulateServe runs one simulation, reporting completed requests to p
// and stopping when ctx ends.
func simulateServe(ctx context.Context, p *Progress, d serve.Deployment, w serve.Workload, slo serve.SLO) (*serve.Result, error) {
	last := 0
	res, err := serve.Simulate(d, w, serve.Options{SLO: slo, Drain: true, Progress: func(done, total int) bool {
		p.Step(done - last)
		last = done
		return ctx.Err() == nil
	}})
	if err != nil && ctx.Err() != nil {
		return nil, timeoutError(ctx)
	}
	if err != nil {
		return nil, serveFieldError(err)
	}
	p.Step(w.Requests - last) // requests rejected or left unfinished by an overload
	return res, err
}

// pick sets the response's result: the one rate simulated, or for a
// sweep the highest rate not overloaded (else the lowest), whose charts
// it draws; a sweep keeps its points without their time series, and adds
// a chart of latency against rate (when any rate keeps up).
func (r *serveResponse) pick(pools []string, sweep bool) {
	best := 0
	for i, pt := range r.Sweep {
		if pt.Result.Overload == nil && pt.Rate >= r.Sweep[best].Rate || r.Sweep[best].Result.Overload != nil && pt.Rate < r.Sweep[best].Rate {
			best = i
		}
	}
	r.Rate, r.Result = r.Sweep[best].Rate, r.Sweep[best].Result
	q, kv := report.ServeCharts(r.Result, pools)
	r.Charts = []chart{{Key: "queue", SVG: string(q)}, {Key: "kv", SVG: string(kv)}}
	if !sweep {
		r.Sweep = nil
		return
	}
	if c := sweepChart(r.Sweep); c != nil {
		r.Charts = append(r.Charts, chart{Key: "sweep", SVG: string(c)})
	}
	for i, pt := range r.Sweep {
		if i != best {
			res := *pt.Result
			res.Series = nil
			r.Sweep[i].Result = &res
		}
	}
}

// sweepChart draws TTFT P50 and P99 and TPOT P99 against the arrival
// rate, over the rates that keep up, sorted (an overloaded run's
// latencies are those of the few requests it completed before the stop);
// nil when none does.
func sweepChart(pts []serveSweepPoint) []byte {
	pts = slices.DeleteFunc(slices.Clone(pts), func(p serveSweepPoint) bool { return p.Result.Overload != nil || p.Result.TTFT.N == 0 })
	if len(pts) == 0 {
		return nil
	}
	slices.SortFunc(pts, func(a, b serveSweepPoint) int { return cmp.Compare(a.Rate, b.Rate) })
	names := []string{"TTFT P50", "TTFT P99", "TPOT P99"}
	ss := make([]plot.Series, len(names))
	for i := range ss {
		ss[i].Name = names[i]
	}
	for _, pt := range pts {
		res := pt.Result
		for i, y := range []float64{res.TTFT.P50, res.TTFT.P99, res.TPOT.P99} {
			ss[i].X, ss[i].Y = append(ss[i].X, pt.Rate), append(ss[i].Y, y)
		}
	}
	return plot.Lines("Latency against arrival rate (rates that keep up)", "requests/s", "ms", ss, 0)
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
			return d, nil, prefillField(names[i], err)
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

func (s *Server) servePoolOf(cat *catalog.Catalog, req serveRequest, sp servePool, name string) (serve.Pool, hardware.Cluster, error) {
	if err := inferDegrees("parallel", sp.Parallel); err != nil {
		return serve.Pool{}, hardware.Cluster{}, err
	}
	cl, err := clusterUpTo(cat, sp.Chip, sp.Chips, s.limits.MaxServeChips)
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
	return p, cl, serveFieldError(err)
}

// prefillField puts "prefill." before the field of an error about the
// prefill pool's own fields (chip, chips, parallel), which the pool's
// checks name as for the top-level pool.
func prefillField(pool string, err error) error {
	field, ok := fieldOf(err)
	if pool != "prefill" || !ok || !(field == "chip" || field == "chips" || field == "parallel" || strings.HasPrefix(field, "parallel.")) {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Field = "prefill." + field
		return &c
	}
	return badField("prefill."+field, "%v", err)
}

// serveFields maps package serve's field names to this API's request
// fields (serve names the Go structs: workload.prompt, .mean, process).
var serveFields = []struct{ from, to string }{
	{"deployment.router", "router"},
	{"workload.process", "workload.arrival"},
	{"workload.trace", "workload.arrival"},
	{"workload.prompt", "workload.input"},
}

// serveFieldError renames the field of package serve's *input.Error (which
// serve returns unwrapped; an error serve wraps, such as an estimator's, keeps
// its field) to the request's.
func serveFieldError(err error) error {
	fe, ok := err.(*input.Error)
	if !ok {
		return err
	}
	f := *fe
	for _, m := range serveFields {
		if f.Field == m.from || strings.HasPrefix(f.Field, m.from+".") {
			f.Field = m.to + strings.TrimPrefix(f.Field, m.from)
			break
		}
	}
	if strings.HasPrefix(f.Field, "workload.") && strings.HasSuffix(f.Field, ".mean") {
		f.Field = strings.TrimSuffix(f.Field, ".mean") + ".tokens"
	}
	if f.Field == "workload.arrival" && fe.Field == "workload.trace" {
		return badField(f.Field, "trace: the API has no trace upload; want poisson, gamma or deterministic (chipgap simulate --trace replays one)")
	}
	return badField(f.Field, "%v", &f)
}
