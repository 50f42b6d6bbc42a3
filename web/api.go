package web

import (
	"net/http"
)

// route is one API endpoint: its ServeMux pattern, handler, the line
// GET /api prints about it and the query parameters it takes.
type route struct {
	pattern string
	h       apiFunc
	doc     string
	query   queryRule
}

// queryRule is the query string an endpoint takes (strictQuery refuses
// any other parameter, as an unknown field of a JSON body is refused).
type queryRule int

const (
	// noQuery: no parameter (a GET also takes "_", a client's cache-buster).
	noQuery queryRule = iota
	// asyncQuery: async=1 (answer with a job to poll) or async=0 (wait
	// for the answer, as without it).
	asyncQuery
	// ownQuery: the handler decodes its own (decodeQuery).
	ownQuery
)

// apiRoutes is the one table of API endpoints, in the order docs/api.md
// describes them.
func (s *Server) apiRoutes() []route {
	return []route{
		{"GET /api", s.handleIndex, "this list", noQuery},
		{"GET /api/limits", s.handleLimits, "the server's request limits", noQuery},
		{"GET /api/chips", s.handleChips, "every chip id, with name, vendor, year and precisions", noQuery},
		{"GET /api/chips/{id}", s.handleChip, "one chip's catalog entry, metrics and resolved sources", noQuery},
		{"GET /api/models", s.handleModels, "the model presets with parameter counts", noQuery},
		{"GET /api/models/{id}", s.handleModel, "one model preset", noQuery},
		{"GET /api/systems", s.handleSystems, "systems and network tiers", noQuery},
		{"GET /api/sources", s.handleSources, "every source the catalog cites, by key", noQuery},
		{"GET /api/sources/{key}", s.handleSource, "one source", noQuery},
		{"GET /api/compare", s.handleCompare, "side-by-side comparison: ?chips=a,b&model=m&precision=bf16", ownQuery},
		{"GET /api/forms/{job}", s.handleForm, "a job's request fields (name, flag, kind, help, default), read from its calc request struct: the page's form; job = train, infer, simulate or run", noQuery},
		{"POST /api/train/estimate", s.handleTrainEstimate, "one training plan: step time, MFU, memory, days and cost with ranges", noQuery},
		{"POST /api/train/search", s.handleTrainSearch, "search parallel plans (?async=1: a job with progress); the fastest first", asyncQuery},
		{"POST /api/infer/estimate", s.handleInferEstimate, "one serving operating point (a batch, or the best under the SLO) with memory use", noQuery},
		{"POST /api/infer/curve", s.handleInferCurve, "the throughput–latency curve over batch sizes, the best point under the SLO, charts", noQuery},
		{"POST /api/serve/simulate", s.handleServeSimulate, "serving under traffic, request by request: TTFT/TPOT percentiles, goodput, queue and KV charts (?async=1: a job)", asyncQuery},
		{"POST /api/run/simulate", s.handleRun, "whole-run simulation: failures, checkpoints, spares, porting (?async=1: a job)", asyncQuery},
		{"GET /api/jobs/{id}", s.handleJob, "state, progress and result of an asynchronous job", noQuery},
		{"DELETE /api/jobs/{id}", s.handleCancelJob, "cancel an asynchronous job (it stops at its next check; its state becomes cancelled)", noQuery},
		{"GET /api/report/scenario", s.handleDefaultScenario, "the built-in scenario, as JSON (an editable starting point)", noQuery},
		{"POST /api/report", s.handleReport, "the gap report for a posted scenario (?async=1: a job with progress): results, figures, sources", asyncQuery},
		{"GET /api/sweep/example", s.handleSweepExample, "examples/sweep-small.yaml, the design-space tab's starting grid (YAML)", noQuery},
		{"POST /api/sweep", s.handleSweep, "a small design-space sweep grid (?async=1: a job with progress): every cell's row, Pareto frontier charts", asyncQuery},
	}
}

// handleIndex lists the endpoints.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) error {
	type ep struct {
		Route string `json:"route"`
		Doc   string `json:"doc"`
	}
	var out []ep
	for _, rt := range s.apiRoutes() {
		out = append(out, ep{rt.pattern, rt.doc})
	}
	// Served beside the API (not an apiFunc: the Prometheus handler).
	out = append(out, ep{"GET /metrics", "Prometheus metrics: requests by route and status, latencies, jobs, admission"})
	writeJSON(w, http.StatusOK, map[string]any{"endpoints": out, "docs": "docs/api.md"})
	return nil
}

// limitsView is Limits as JSON, durations in seconds.
type limitsView struct {
	MaxBody        int64   `json:"max_body_bytes"`
	MaxDecoding    int     `json:"max_bodies_read_at_once"`
	BodyTimeout    float64 `json:"body_timeout_s"`
	MaxHeavy       int     `json:"max_concurrent_computations"`
	MaxWaiting     int     `json:"max_waiting_requests"`
	MaxReports     int     `json:"max_concurrent_reports"`
	Timeout        float64 `json:"request_timeout_s"`
	JobTimeout     float64 `json:"job_timeout_s"`
	MaxJobs        int     `json:"max_jobs"`
	JobTTL         float64 `json:"job_ttl_s"`
	MaxPlans       int     `json:"max_plans"`
	MaxSamples     int     `json:"max_samples"`
	MaxCurvePoints int     `json:"max_curve_points"`
	MaxChips       int     `json:"max_chips"`
	MaxSimEvents   float64 `json:"max_sim_events"`

	MaxServeRequests int     `json:"max_serve_requests"`
	MaxServeRates    int     `json:"max_serve_rates"`
	MaxServeChips    int     `json:"max_serve_chips"`
	MaxServeTokens   float64 `json:"max_serve_output_tokens"`
	MaxServeRouting  float64 `json:"max_serve_routing"`

	MaxSweepCells int     `json:"max_sweep_cells"`
	MaxSweepTime  float64 `json:"max_sweep_estimate_s"`
}

func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request) error {
	l := s.limits
	writeJSON(w, http.StatusOK, limitsView{
		MaxBody: l.MaxBody, MaxDecoding: l.MaxDecoding, BodyTimeout: l.BodyTimeout.Seconds(), MaxHeavy: l.MaxHeavy, MaxWaiting: l.MaxWaiting, MaxReports: l.MaxReports,
		Timeout: l.Timeout.Seconds(), JobTimeout: l.JobTimeout.Seconds(), MaxJobs: l.MaxJobs,
		JobTTL: l.JobTTL.Seconds(), MaxPlans: l.MaxPlans, MaxSamples: l.MaxSamples, MaxCurvePoints: l.MaxCurvePoints,
		MaxChips: l.MaxChips, MaxSimEvents: l.MaxSimEvents,
		MaxServeRequests: l.MaxServeRequests, MaxServeRates: l.MaxServeRates, MaxServeChips: l.MaxServeChips,
		MaxServeTokens: l.MaxServeTokens, MaxServeRouting: l.MaxServeRouting,
		MaxSweepCells: l.MaxSweepCells, MaxSweepTime: l.MaxSweepTime.Seconds(),
	})
	return nil
}
