package calc

import (
	"chipgap/plot"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"chipgap/catalog"
	"chipgap/serve"
	"chipgap/units"
)

// shownTraffic is the rate and requests a header shows: the request's,
// or a capacity search's own.
type shownTraffic struct {
	rate     float64
	requests int
	burst    bool // rate is an unbounded capacity's burst probe's (serve.Result.BurstRate)
}

// writeHeader prints the deployment and the traffic shown.
func (r SimulateRequest) writeHeader(w io.Writer, pools []SimPool, link serve.Link, t shownTraffic) {
	rate, requests := t.rate, t.requests
	fmt.Fprintf(w, "%s, %s weights, router %s\n", r.Model, r.Precision, r.Router)
	for _, p := range pools {
		e := p.Engine
		adm := "on-demand KV"
		if e.ReserveOutput {
			adm = "reserved KV"
		}
		if e.PrefillFirst {
			adm += ", whole prompts in steps of their own ahead of the decodes"
		}
		fmt.Fprintf(w, "  %-7s %d × %g %s: %d KV blocks of %d tokens, ≤ %d seqs, %d tokens/step, %s, %s\n",
			p.Name, p.Replicas, p.ChipsPerReplica, p.Chip, e.KVBlocks, e.BlockTokens, e.MaxSeqs, e.MaxBatchTokens, e.Scheduler, adm)
		scored := catalog.Unscored("inference")
		if p.Scored != nil {
			scored = p.Scored.Summary()
		}
		if p.StackNote != "" {
			fmt.Fprintf(w, "          software: %s\n", p.StackNote)
		}
		fmt.Fprintf(w, "          scored on published runs: %s\n", scored)
	}
	if len(pools) > 1 {
		fmt.Fprintf(w, "  KV link %.4g GB/s per prefill replica, %.3g µs latency\n", float64(link.Bandwidth)/1e9, float64(link.Latency)*1e6)
	}
	wl := r.Workload
	in, out := wl.Input, wl.Output
	switch {
	case wl.Trace != "" && in.Dist != serve.Empirical && out.Dist != serve.Empirical:
		when := fmt.Sprintf("rescaled to %g requests/s", rate)
		if rate == 0 {
			when = "at its own times"
		}
		fmt.Fprintf(w, "Workload: trace %s, %s, seed %d\n\n", wl.Trace, when, wl.Seed)
	case wl.Arrival == serve.Offline:
		fmt.Fprintf(w, "Workload: offline, %d requests queued at once, input %s, output %s, seed %d\n\n",
			requests, in.text(), out.text(), wl.Seed)
	default:
		rt := fmt.Sprintf("%.6g/s", rate)
		switch {
		case len(wl.Rates) > 0:
			rt = "each rate below"
		case t.burst:
			rt = fmt.Sprintf("%.6g/s, a burst (every request arrived before the first completed)", rate)
		}
		fmt.Fprintf(w, "Workload: %s arrivals at %s, %d requests, input %s, output %s, seed %d\n\n",
			wl.Arrival, rt, requests, in.text(), out.text(), wl.Seed)
	}
}

func (l SimLengths) text() string {
	switch l.Dist {
	case serve.Uniform:
		return fmt.Sprintf("uniform %d–%d", l.Min, l.Max)
	case serve.LogNormal:
		return fmt.Sprintf("lognormal mean %d σ %.2g", l.Tokens, l.Sigma)
	case serve.Empirical:
		return "from the trace"
	}
	return fmt.Sprintf("%d tokens", l.Tokens)
}

func simSLOText(s serve.SLO) string {
	var parts []string
	if s.TTFT > 0 {
		parts = append(parts, "TTFT ≤ "+s.TTFT.String())
	}
	if s.TPOT > 0 {
		parts = append(parts, "TPOT ≤ "+s.TPOT.String())
	}
	if len(parts) == 0 {
		return "no SLO"
	}
	pct := s.Percentile
	if pct == 0 {
		pct = 0.99 // package serve's default, as it judges
	}
	return fmt.Sprintf("P%g %s", pct*100, strings.Join(parts, ", "))
}

func writeSimResult(w io.Writer, pt SimPoint, slo serve.SLO, pools []SimPool) {
	r, band := pt.Result, pt.MeasuredBand
	if o := r.Overload; o != nil && o.Drained {
		fmt.Fprintf(w, "OVERLOAD at %.4g s: %s.\n  Arrivals stopped there (%d requests never arrived) and the %d admitted were served to the end: the deployment's ceiling under saturation is %.4g requests/s; at the offered rate its queue grows without bound.\n\n",
			o.At, o.Reason, o.NotArrived, r.Requests-o.NotArrived, o.ServedRate)
	} else if o != nil {
		fmt.Fprintf(w, "OVERLOAD at %.4g s: %s.\n  The deployment served %.4g requests/s before the stop; at this rate its queue grows without bound.\n\n",
			o.At, o.Reason, o.ServedRate)
	}
	fmt.Fprintf(w, "Requests: %d completed, %d rejected (too long for the KV cache), %d unfinished; %d preemptions; %.5g s simulated\n\n",
		r.RequestsCompleted, r.RequestsRejected, r.RequestsUnfinished, r.Preemptions, r.SimulatedSeconds)
	if r.RequestsCompleted == 0 {
		fmt.Fprintln(w, "No request completed: no latencies.")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "latency (ms)\tP50\tP90\tP99\tmean\tmax\t")
		for _, l := range []struct {
			name string
			v    serve.Latency
		}{{"TTFT", r.TTFT}, {"TPOT", r.TPOT}, {"end to end", r.E2E}} {
			fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t\n", l.name, l.v.P50, l.v.P90, l.v.P99, l.v.Mean, l.v.Max)
		}
		tw.Flush()
	}
	t := r.Throughput
	fmt.Fprintf(w, "\nThroughput: %.4g requests/s, %.5g output tokens/s (%.4g per chip), %.5g input tokens/s\n",
		t.RequestsPerS, t.OutputTokensPerS, t.OutputTokensPerSPerChip, t.InputTokensPerS)
	writeBand(w, "  ", band, "output tokens/s per chip")
	g := r.Goodput
	meets := "does not meet"
	if g.Meets {
		meets = "meets"
	}
	if slo.TTFT > 0 || slo.TPOT > 0 {
		fmt.Fprintf(w, "Goodput: %.1f %% of requests within %s (%.4g requests/s); the deployment %s the SLO\n",
			g.Attained*100, simSLOText(slo), g.RequestsPerS, meets)
	} else {
		fmt.Fprintln(w, "Goodput: no SLO given (--ttft, --tpot)")
	}
	writeSimCost(w, pt)
	for i, p := range pools {
		fmt.Fprintf(w, "KV cache (%s): peak %.0f %%, mean %.0f %%\n", p.Name, r.KV.PeakUtil[i]*100, r.KV.MeanUtil[i]*100)
	}
	simSeries(w, r.Series, pools)
}

// simSeries draws the queue and each pool's KV use over time as rows of
// block characters, one column per slice of the run.
func simSeries(w io.Writer, pts []serve.Sample, pools []SimPool) {
	if len(pts) < 2 {
		return
	}
	const cols = 60
	n := min(cols, len(pts))
	col := func(get func(serve.Sample) float64) []float64 {
		out := make([]float64, n)
		for c := range n {
			lo, hi := c*len(pts)/n, max((c+1)*len(pts)/n, c*len(pts)/n+1)
			for _, p := range pts[lo:hi] {
				out[c] = max(out[c], get(p))
			}
		}
		return out
	}
	waiting := col(func(p serve.Sample) float64 { return float64(p.Waiting) })
	running := col(func(p serve.Sample) float64 { return float64(p.Running) })
	fmt.Fprintf(w, "\nOver time (0 to %.4g s, each column the peak of its slice):\n", pts[len(pts)-1].T)
	fmt.Fprintf(w, "  %-14s %s  max %.0f\n", "waiting", simSpark(waiting, 0), simMax(waiting))
	fmt.Fprintf(w, "  %-14s %s  max %.0f\n", "running", simSpark(running, 0), simMax(running))
	for i, p := range pools {
		kv := col(func(s serve.Sample) float64 { return s.KV[i] })
		fmt.Fprintf(w, "  %-14s %s  max %.0f %%\n", "KV "+p.Name, simSpark(kv, 1), simMax(kv)*100)
	}
}

func simMax(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// simSpark maps values to eight block heights, scaled to top (or the
// largest value when top is 0).
func simSpark(xs []float64, top float64) string {
	if top == 0 {
		top = simMax(xs)
	}
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, x := range xs {
		i := 0
		if top > 0 {
			i = int(math.Ceil(x / top * 8))
		}
		b.WriteRune(blocks[min(max(i, 0), 8)])
	}
	return b.String()
}

func simSweep(w io.Writer, pts []SimPoint, slo serve.SLO) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rate/s\tdone\tTTFT P50\tTTFT P99\tTPOT P50\tTPOT P99\tout tok/s/chip\tgoodput %\t$/M out rented\towned\tstatus\t")
	for _, p := range pts {
		r := p.Result
		status := "ok"
		switch {
		case r.Overload != nil:
			status = "OVERLOAD"
		case !r.Goodput.Meets && (slo.TTFT > 0 || slo.TPOT > 0):
			status = "misses SLO"
		}
		lat := fmt.Sprintf("%.4g\t%.4g\t%.4g\t%.4g", r.TTFT.P50, r.TTFT.P99, r.TPOT.P50, r.TPOT.P99)
		if r.RequestsCompleted == 0 {
			lat = "–\t–\t–\t–"
		}
		cost := "n/a"
		if r.Cost.USDPerMOutputTokens > 0 {
			cost = fmt.Sprintf("%.4g", r.Cost.USDPerMOutputTokens)
		}
		owned := "n/a"
		if o := p.Owned; o != nil && o.USDPerMOutputTokens > 0 {
			owned = fmt.Sprintf("%.4g", o.USDPerMOutputTokens)
		}
		fmt.Fprintf(tw, "%g\t%d\t%s\t%.4g\t%.1f\t%s\t%s\t%s\t\n", p.Rate, r.RequestsCompleted,
			lat, r.Throughput.OutputTokensPerSPerChip, r.Goodput.Attained*100, cost, owned, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nLatencies in ms; SLO: %s. $/M out: per million output tokens, the chips rented at the catalog's rate, and owned%s (serve-estimate's owned cost).\n", simSLOText(slo), ownedRegion(pts))
	return err
}

// WriteText prints the plan's table as `chipgap simulate --plan` does.
func (p Plan) WriteText(w io.Writer) error {
	r := p.Request
	fmt.Fprintf(w, "Cheapest deployment of %s serving %g requests/s within %s (input %s, output %s):\n\n",
		r.Model, p.Target, simSLOText(r.slo()), r.Workload.Input.text(), r.Workload.Output.text())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPLOYMENT\tCHIPS/UNIT\tUNIT CAPACITY/s\tUNITS\tCHIPS\tRENTED $/h\tOWNED $/h\tTTFT P99 ms\tTPOT P99 ms\tNOTE")
	unbounded := false
	for _, r := range p.Rows {
		ttft, tpot := "–", "–"
		if r.Result != nil {
			ttft, tpot = fmt.Sprintf("%.4g", r.Result.TTFT.P99), fmt.Sprintf("%.4g", r.Result.TPOT.P99)
		}
		note := "meets the SLO"
		switch {
		case !r.Meets:
			note = r.Err
		case r.Unpriced:
			note = "meets the SLO; no rental price in the catalog, cost unknown"
		}
		capacity := fmt.Sprintf("%.4g", r.UnitCapacity)
		if r.UnitCapacity.Unbounded() {
			capacity, unbounded = "unbounded", true
		}
		owned := "n/a"
		if r.Owned != nil {
			owned = fmt.Sprintf("%.4g", r.Owned.USDPerHour)
		}
		fmt.Fprintf(tw, "%s\t%g\t%s\t%d\t%g\t%.4g\t%s\t%s\t%s\t%s\n", r.Name, r.UnitChips, capacity, r.Units, r.Chips, r.USDPerHour, owned, ttft, tpot, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nA unit is one replica (aggregated) or a prefill:decode ratio of replicas, each replica of tpN N devices (as --tp: a chip with two devices a package, the 910C, holds two), CHIPS/UNIT the unit's chips. Ranked by RENTED $/h, the chips at the catalog's rental rate; OWNED $/h is them owned, as serve-estimate's owned cost prices them.")
	if unbounded {
		fmt.Fprintf(w, "\nunbounded: %s; those units were sized by simulating the target rate alone.\n", unboundedWhy)
	}
	for _, why := range p.Skipped {
		if _, err := fmt.Fprintf(w, "skipped: %s\n", why); err != nil {
			return err
		}
	}
	return nil
}

// WriteText prints the simulation as `chipgap simulate` does: one
// rate's result, or a sweep's table.
func (s Simulation) WriteText(w io.Writer) error {
	r := s.Request
	ew := &plot.ErrWriter{W: w}
	r.writeHeader(ew, s.Pools, s.Link, shownTraffic{rate: r.Workload.Rate, requests: r.Workload.Requests})
	if len(r.Workload.Rates) > 0 {
		if err := simSweep(ew, s.Points, r.slo()); err != nil {
			return err
		}
		return ew.Err
	}
	writeSimResult(ew, s.Points[0], r.slo(), s.Pools)
	return ew.Err
}

// unboundedWhy says what an unbounded capacity (serve.CapacityRate) means.
const unboundedWhy = "every capacity probe met the SLO, up to a rate at which all of its requests arrive before the first of them completes, " +
	"a burst that measures no sustained rate: the probe's size (--requests), not the deployment, ended the search"

// WriteText prints the capacity and the simulation there.
func (c Capacity) WriteText(w io.Writer) error {
	r := c.Request
	ew := &plot.ErrWriter{W: w}
	unbounded := serve.CapacityRate(c.Capacity).Unbounded()
	shown := shownTraffic{rate: c.Capacity, requests: c.Result.Requests}
	if unbounded {
		shown.rate, shown.burst = c.Result.BurstRate, true
	}
	r.writeHeader(ew, c.Pools, c.Link, shown)
	if unbounded {
		fmt.Fprintf(ew, "Capacity: unbounded within the SLO (%s): %s; more requests find the rate it sustains. The burst of %d requests:\n\n",
			simSLOText(r.slo()), unboundedWhy, c.Result.Requests)
	} else {
		fmt.Fprintf(ew, "Capacity: %.4g requests/s within the SLO (%s), bisected to 2 %%; the simulation there:\n\n", c.Capacity, simSLOText(r.slo()))
	}
	if n := r.probeRequests(); n > 0 && n != c.Result.Requests {
		fmt.Fprintf(ew, "(--requests %d raised to %d a probe: a probe simulates at least %d requests and %d a replica of its largest pool (that floor at most %d), as a shorter one can end before its queue builds and pass rates the deployment cannot sustain)\n\n",
			n, c.Result.Requests, serve.MinProbeRequests, serve.ProbePerReplica, serve.MaxProbeRequests)
	}
	writeSimResult(ew, SimPoint{Rate: c.Capacity, Result: c.Result, Owned: c.Owned, OwnedNote: c.OwnedNote}, r.slo(), c.Pools)
	return ew.Err
}

// SimulateSpec is the request as `chipgap simulate --json` echoes it
// (`scenario`): by its flags' names, the lengths nested.
type SimulateSpec struct {
	Model          string  `json:"model"`
	Chip           string  `json:"chip"`
	Chips          int     `json:"chips"`
	ChipsPerNode   int     `json:"chips_per_node,omitempty"`
	DevicesPerChip int     `json:"devices_per_chip,omitempty"`
	Software       string  `json:"software,omitempty"`
	TP             int     `json:"tp,omitempty"`
	PP             int     `json:"pp,omitempty"`
	EP             int     `json:"ep,omitempty"`
	Precision      string  `json:"precision"`
	KVPrecision    string  `json:"kv_precision,omitempty"`
	SpecTokens     int     `json:"spec_tokens,omitempty"`
	SpecAcceptance float64 `json:"spec_acceptance,omitempty"`

	Mode         string         `json:"mode"`
	PrefillChip  string         `json:"prefill_chip,omitempty"`
	PrefillChips int            `json:"prefill_chips,omitempty"`
	PrefillTP    int            `json:"prefill_tp,omitempty"`
	PrefillEP    int            `json:"prefill_ep,omitempty"`
	LinkBW       units.ByteRate `json:"link_bandwidth,omitempty"`
	LinkLatency  units.Seconds  `json:"link_latency,omitempty"`

	Router         string `json:"router"`
	DecodeBinding  string `json:"decode_binding,omitempty"`
	Scheduler      string `json:"scheduler"`
	Admission      string `json:"admission"`
	MaxBatchTokens int    `json:"max_batch_tokens,omitempty"`
	MaxSeqs        int    `json:"max_seqs,omitempty"`
	NoChunking     bool   `json:"no_chunked_prefill,omitempty"`

	Arrival  string        `json:"arrival"`
	Rate     float64       `json:"rate"`
	Rates    []float64     `json:"rates,omitempty"`
	CV       float64       `json:"cv,omitempty"`
	Requests int           `json:"requests"`
	Seed     uint64        `json:"seed"`
	Trace    string        `json:"trace,omitempty"`
	Input    lengthsJSON   `json:"input"`
	Output   lengthsJSON   `json:"output"`
	TTFT     units.Seconds `json:"ttft,omitempty"`
	TPOT     units.Seconds `json:"tpot,omitempty"`
	SLOPct   float64       `json:"slo_percentile,omitempty"`
}

type lengthsJSON struct {
	Dist  string  `json:"dist"`
	Mean  int     `json:"tokens"`
	Min   int     `json:"min,omitempty"`
	Max   int     `json:"max,omitempty"`
	Sigma float64 `json:"sigma,omitempty"`
}

// Spec is the request's echo.
func (r SimulateRequest) Spec() SimulateSpec {
	mode := r.Mode
	if mode == "" {
		mode = map[bool]string{false: "aggregated", true: "disaggregated"}[r.Disaggregated()]
	}
	p, w := r.Parallel, r.Workload
	if w.Arrival == serve.Offline {
		w.Rate = 0 // not used: every request is queued at time 0
	}
	lj := func(l SimLengths) lengthsJSON { return lengthsJSON{l.Dist, l.Tokens, l.Min, l.Max, l.Sigma} }
	return SimulateSpec{Model: r.Model, Chip: r.Chip, Chips: r.Chips, ChipsPerNode: r.ChipsPerNode, DevicesPerChip: r.DevicesPerChip,
		Software: r.Framework, TP: p.TP, PP: p.PP, EP: p.EP, Precision: r.Precision, KVPrecision: r.KVPrecision,
		SpecTokens: r.Speculative.Tokens, SpecAcceptance: r.Speculative.Acceptance, Mode: mode, PrefillChip: r.Prefill.Chip,
		PrefillChips: r.Prefill.Chips, PrefillTP: r.Prefill.Parallel.TP, PrefillEP: r.Prefill.Parallel.EP, LinkBW: r.LinkBW,
		LinkLatency: r.LinkLatency, Router: r.Router, DecodeBinding: r.DecodeBinding, Scheduler: r.Scheduler, Admission: r.Admission, MaxBatchTokens: r.MaxBatchTokens,
		MaxSeqs: r.MaxSeqs, NoChunking: r.NoChunking, Arrival: w.Arrival, Rate: w.Rate, Rates: w.Rates, CV: w.CV, Requests: w.Requests,
		Seed: w.Seed, Trace: w.Trace, Input: lj(w.Input), Output: lj(w.Output), TTFT: r.SLO.TTFT, TPOT: r.SLO.TPOT, SLOPct: r.SLO.Percentile}
}

// ownedRegion words the region the sweep's owned costs are priced in.
func ownedRegion(pts []SimPoint) string {
	for _, p := range pts {
		if p.Owned != nil {
			return " in region " + p.Owned.Region
		}
	}
	return ""
}
