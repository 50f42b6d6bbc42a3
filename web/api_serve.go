package web

import (
	"context"
	"net/http"

	"chipgap/calc"
)

// The serving simulation (POST /api/serve/simulate): its body is
// calc.SimulateRequest, which `chipgap simulate` takes too. The caps on one
// request are Limits fields (MaxServe*, documented in limits.go and
// docs/api.md). The run checks its context as requests complete (about
// every 1 %), so a timed-out request stops within a few seconds.

func (s *Server) handleServeSimulate(w http.ResponseWriter, r *http.Request) error {
	req := calc.NewSimulateRequest()
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	if err := checkServeRequest(req, s.limits); err != nil {
		return err
	}
	cat, err := s.catalogOf()
	if err != nil {
		return err
	}
	st, err := req.Setup(cat, nil)
	if err != nil {
		return err
	}
	rates := req.Rates()
	if err := capRouting(st.Replicas(), req.Workload.Requests*len(rates), s.limits.MaxServeRouting); err != nil {
		return err
	}
	run := func(ctx context.Context, p *Progress) (calc.SimulateView, error) {
		p.Set("requests simulated", req.Workload.Requests*len(rates))
		last, lastRate := 0, rates[0]
		sim, err := calc.Simulate(st, calc.SimulateOptions{Progress: func(rate float64, done, total int) bool {
			if rate != lastRate { // the requests the last rate left unfinished or rejected
				p.Step(req.Workload.Requests - last)
				last, lastRate = 0, rate
			}
			p.Step(done - last)
			last = done
			return ctx.Err() == nil
		}})
		if err != nil && ctx.Err() != nil {
			return calc.SimulateView{}, timeoutError(ctx)
		}
		if err != nil {
			return calc.SimulateView{}, err
		}
		p.Step(req.Workload.Requests - last)
		return sim.View(len(req.Workload.Rates) > 0), nil
	}
	return respondJobOrWait(s, w, r, "serve-simulate", run)
}

// checkServeRequest checks req against the server's caps: requests and
// rates per request, simulated tokens, chips per pool; a server reads no
// trace file.
func checkServeRequest(req calc.SimulateRequest, l Limits) error {
	wl := req.Workload
	if wl.Trace != "" {
		return badField("workload.trace", "the API reads no files; want arrival poisson, gamma, deterministic or offline (chipgap simulate --trace replays one)")
	}
	if err := capInt("workload.requests", wl.Requests, l.MaxServeRequests); err != nil {
		return err
	}
	if len(wl.Rates) > l.MaxServeRates {
		return badField("workload.rates", "%d rates: want at most %d", len(wl.Rates), l.MaxServeRates)
	}
	if err := capInt("chips", req.Chips, l.MaxServeChips); err != nil {
		return err
	}
	if err := capInt("prefill.chips", req.Prefill.Chips, l.MaxServeChips); err != nil {
		return err
	}
	// In float64: min+max of huge lengths must not wrap around below the cap.
	rates := len(req.Rates())
	out := max(float64(wl.Output.Tokens), (float64(wl.Output.Min)+float64(wl.Output.Max))/2)
	if n := float64(wl.Requests*rates) * out; n > l.MaxServeTokens {
		return badField("workload.requests", "%d requests × %d rates × %g output tokens = %.3g tokens to simulate, over this server's limit of %.0e (see docs/api.md)",
			wl.Requests, rates, out, n, l.MaxServeTokens)
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
