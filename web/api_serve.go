package web

import (
	"context"
	"net/http"

	"chipgap/calc"
)

// The serving simulation (POST /api/serve/simulate): its body is
// calc.SimulateRequest, which `chipgap simulate` takes too. The caps on one
// request are Limits fields (MaxServe*, documented in limits.go and
// docs/api.md). The run checks its context every 16 engine events
// (serve.Options.Stop), not only as requests complete (a burst of long
// outputs completes all at once, at the end), so a timed-out request or
// a cancelled job stops within milliseconds.

func (s *Server) handleServeSimulate(w http.ResponseWriter, r *http.Request) error {
	req := calc.NewSimulateRequest()
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	req.RequestCap = calc.Cap{N: s.limits.MaxServeRequests, Name: "this server's max_serve_requests, see docs/api.md"}
	if err := checkServeRequest(req, s.limits); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	st, err := req.Setup(cat, nil) // each field against its own range first
	if err != nil {
		return err
	}
	rates := req.Rates()
	if err := capTokens(req, s.limits.MaxServeTokens); err != nil {
		return err
	}
	if err := capRouting(st.Replicas(), req.Workload.Requests*len(rates), s.limits.MaxServeRouting); err != nil {
		return err
	}
	run := func(ctx context.Context, p *Progress) (calc.SimulateView, error) {
		total := req.Workload.Requests * len(rates)
		p.Set("requests simulated", total)
		count := rateProgress(rates, req.Workload.Requests, p)
		sim, err := calc.Simulate(st, calc.SimulateOptions{Progress: func(rate float64, done, _ int) bool {
			count(rate, done)
			return ctx.Err() == nil
		}, Stop: ctx.Err})
		if err != nil && ctx.Err() != nil {
			return calc.SimulateView{}, timeoutError(ctx)
		}
		if err != nil {
			return calc.SimulateView{}, err
		}
		p.Count(total, total) // the requests a run left unfinished or rejected
		return sim.View(len(req.Workload.Rates) > 0), nil
	}
	return respondJobOrWait(s, w, r, "serve-simulate", run)
}

// rateProgress counts a sweep's simulated requests into p by the index of
// the run in progress: calc.Simulate runs rates in order and reports
// (rate, requests done at it), done growing within a run. A report whose
// done does not grow, or whose rate is not the running one's, is from the
// next run at that rate. Rates may repeat ([5, 5, 5]), so a run is told
// apart by its index, not its rate; the count only grows.
func rateProgress(rates []float64, perRate int, p *Progress) func(rate float64, done int) {
	i, last := 0, 0
	return func(rate float64, done int) {
		if done <= last || rate != rates[i] {
			j := i + 1
			for j < len(rates) && rates[j] != rate {
				j++
			}
			if j == len(rates) {
				return // not a later run's: cannot be placed
			}
			i = j
		}
		last = done
		p.Reach(i*perRate+min(done, perRate), len(rates)*perRate)
	}
}

// checkServeRequest checks req against the server's caps that bound the
// work before the request is resolved: rates per request, chips per pool
// (requests are calc's, under RequestCap); a server reads no trace file.
func checkServeRequest(req calc.SimulateRequest, l Limits) error {
	wl := req.Workload
	if wl.Trace != "" {
		return badField("workload.trace", "the API reads no files; want arrival poisson, gamma, deterministic or offline (chipgap simulate --trace replays one)")
	}
	if len(wl.Rates) > l.MaxServeRates {
		return badField("workload.rates", "%d rates: want at most %d", len(wl.Rates), l.MaxServeRates)
	}
	if err := capInt("chips", req.Chips, l.MaxServeChips); err != nil {
		return err
	}
	return capInt("prefill.chips", req.Prefill.Chips, l.MaxServeChips)
}

// capTokens bounds the output tokens a request simulates, requests ×
// rates × output tokens, once each has passed its own range (calc).
func capTokens(req calc.SimulateRequest, limit float64) error {
	wl := req.Workload
	// In float64: min+max of huge lengths must not wrap around below the cap.
	rates := len(req.Rates())
	out := max(float64(wl.Output.Tokens), (float64(wl.Output.Min)+float64(wl.Output.Max))/2)
	if n := float64(wl.Requests*rates) * out; n > limit {
		return badField("workload.requests", "%d requests × %d rates × %g output tokens = %.3g tokens to simulate, over this server's limit of %.0e (see docs/api.md)",
			wl.Requests, rates, out, n, limit)
	}
	return nil
}

// capRouting bounds the router's work: it looks at every replica of a
// pool for each request (about 2.3 ns a replica, measured: 10,000
// replicas × 100,000 requests in 2.3 s), so requests × replicas is capped.
func capRouting(replicas, requests int, limit float64) error {
	if n := float64(requests) * float64(replicas); n > limit {
		return badField("chips", "%d replicas × %d requests = %.3g routing steps, over this server's limit of %.0e: use more tensor parallelism (fewer replicas) or fewer requests (see docs/api.md)",
			replicas, requests, n, limit)
	}
	return nil
}
