package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"chipgap/catalog"
	"chipgap/report"
	"chipgap/serve"
)

// poolInfo describes one pool in the output.
type poolInfo struct {
	Name            string             `json:"name"`
	Chip            string             `json:"chip"`
	Replicas        int                `json:"replicas"`
	ChipsPerReplica float64            `json:"chips_per_replica"`
	Engine          serve.EngineConfig `json:"engine"`
}

func simPools(s simSpec, d serve.Deployment) []poolInfo {
	var out []poolInfo
	for i, p := range d.Pools {
		chip := s.Chip
		if d.Disaggregated() && i == 0 {
			chip = cmp(s.PrefillChip, s.Chip)
		}
		out = append(out, poolInfo{Name: p.Name, Chip: chip, Replicas: p.Replicas, ChipsPerReplica: p.ChipsPerReplica, Engine: p.Engine})
	}
	return out
}

// simOutput is one simulation's JSON: the scenario, the pools, and the
// result's fields at the top level (requests_completed, ttft_ms, ...).
type simOutput struct {
	Scenario simSpec    `json:"scenario"`
	Pools    []poolInfo `json:"pools"`
	Link     serve.Link `json:"link"`
	Rate     float64    `json:"rate_per_s"`
	*serve.Result
}

// sweepOutput is a rate sweep's JSON.
type sweepOutput struct {
	Scenario simSpec      `json:"scenario"`
	Pools    []poolInfo   `json:"pools"`
	Link     serve.Link   `json:"link"`
	Sweep    []sweepPoint `json:"sweep"`
}

type sweepPoint struct {
	Rate float64 `json:"rate_per_s"`
	*serve.Result
}

func runSimulations(e *env, cat *catalog.Catalog, s simSpec, o simRun) error {
	d, err := s.build(cat)
	if err != nil {
		return err
	}
	rates := s.Rates
	if len(rates) == 0 {
		rates = []float64{s.Rate}
	}
	var pts []sweepPoint
	for _, rate := range rates {
		w, err := s.workload(rate)
		if err != nil {
			return err
		}
		bar := newSimProgress(e, o.progress, fmt.Sprintf("rate %g/s", rate))
		r, err := serve.Simulate(d, w, serve.Options{SLO: s.slo(), Progress: bar.update, Drain: true})
		bar.done()
		if err != nil {
			return err
		}
		pts = append(pts, sweepPoint{Rate: rate, Result: r})
	}
	if len(s.Rates) > 0 {
		if o.asJSON {
			return writeJSON(e.stdout, sweepOutput{Scenario: s, Pools: simPools(s, d), Link: d.Link, Sweep: pts})
		}
		simHeader(e.stdout, s, d)
		simSweep(e.stdout, pts, s.slo())
		return nil
	}
	if err := writeCharts(o.chart, pts[0].Result, d); err != nil {
		return err
	}
	if o.asJSON {
		return writeJSON(e.stdout, simOutput{Scenario: s, Pools: simPools(s, d), Link: d.Link, Rate: rates[0], Result: pts[0].Result})
	}
	simHeader(e.stdout, s, d)
	simPrintResult(e.stdout, pts[0].Result, s.slo(), d)
	return nil
}

// writeCharts writes the time-series charts when --chart names a prefix,
// through writeOutputs: both files or neither, never half-written.
func writeCharts(prefix string, r *serve.Result, d serve.Deployment) error {
	if prefix == "" {
		return nil
	}
	var names []string
	for _, p := range d.Pools {
		names = append(names, p.Name)
	}
	q, kv := report.ServeCharts(r, names)
	outs := chartOutputs(prefix)
	outs[0].render = func(w io.Writer) error { _, err := w.Write(q); return err }
	outs[1].render = func(w io.Writer) error { _, err := w.Write(kv); return err }
	return writeOutputs(io.Discard, outs)
}

// chartOutputs are the two files --chart PREFIX names.
func chartOutputs(prefix string) []outFile {
	return []outFile{{flag: "--chart", path: prefix + "-queue.svg"}, {flag: "--chart", path: prefix + "-kv.svg"}}
}

// checkChart refuses, before any simulation, a --chart prefix whose
// files chipgap must not write.
func checkChart(prefix string) error {
	if prefix == "" {
		return nil
	}
	if prefix == stdoutPath {
		return usagef("--chart -: writes two files, PREFIX-queue.svg and PREFIX-kv.svg; want a path prefix, not stdout")
	}
	for _, o := range chartOutputs(prefix) {
		if err := checkOutput(o.flag, o.path); err != nil {
			return err
		}
	}
	return nil
}

// capacityOutput is --capacity's JSON.
type capacityOutput struct {
	Scenario simSpec       `json:"scenario"`
	Pools    []poolInfo    `json:"pools"`
	Capacity float64       `json:"capacity_per_s"`
	Result   *serve.Result `json:"result"`
}

func runCapacity(e *env, cat *catalog.Catalog, s simSpec, o simRun) error {
	d, err := s.build(cat)
	if err != nil {
		return err
	}
	w, err := s.workload(1)
	if err != nil {
		return err
	}
	if s.Trace != "" && w.Process == serve.Trace {
		return usagef("--capacity generates arrivals: use --input-dist empirical to draw lengths from --trace")
	}
	if s.TTFT == 0 && s.TPOT == 0 {
		return usagef("--capacity: want an SLO, --ttft and/or --tpot")
	}
	rate, r, err := serve.Capacity(d, w, serve.CapacityOptions{SLO: s.slo(), Requests: reqOrZero(s.Requests)})
	if err != nil {
		return err
	}
	if o.asJSON {
		return writeJSON(e.stdout, capacityOutput{Scenario: s, Pools: simPools(s, d), Capacity: rate, Result: r})
	}
	s.Rate, s.Requests = rate, r.Requests
	simHeader(e.stdout, s, d)
	fmt.Fprintf(e.stdout, "Capacity: %.4g requests/s within the SLO (%s), bisected to 2 %%; the simulation there:\n\n", rate, simSLOText(s.slo()))
	simPrintResult(e.stdout, r, s.slo(), d)
	return nil
}

// reqOrZero keeps an explicit --requests for capacity probes; the flag's
// default (10 000) lets the search pick.
func reqOrZero(n int) int {
	if n == 10000 {
		return 0
	}
	return n
}

// planOutput is --plan's JSON.
type planOutput struct {
	Scenario simSpec         `json:"scenario"`
	Target   float64         `json:"target_rate_per_s"`
	Rows     []serve.PlanRow `json:"plans"`
	Skipped  []string        `json:"skipped,omitempty"`
}

func runPlan(e *env, cat *catalog.Catalog, s simSpec, o simRun) error {
	if !(o.target > 0) {
		return usagef("--plan: want --target-rate, the requests per second to serve")
	}
	if s.TTFT == 0 && s.TPOT == 0 {
		return usagef("--plan: want an SLO, --ttft and/or --tpot")
	}
	tps, err := simInts(o.planTP, "--plan-tp")
	if err != nil {
		return err
	}
	w, err := s.workload(1)
	if err != nil {
		return err
	}
	var cands []serve.Candidate
	var skipped []string
	chips := strings.Split(o.plan, ",")
	for _, chip := range chips {
		for _, tp := range tps {
			c, why := planCandidates(cat, s, strings.TrimSpace(chip), tp)
			cands = append(cands, c...)
			skipped = append(skipped, why...)
			if o.planMixed {
				c, why = mixedCandidates(cat, s, strings.TrimSpace(chip), chips, tp)
				cands = append(cands, c...)
				skipped = append(skipped, why...)
			}
		}
	}
	if len(cands) == 0 {
		return fmt.Errorf("--plan: no candidate deployment fits: %s", strings.Join(skipped, "; "))
	}
	rows, err := serve.Cheapest(cands, w, o.target, serve.CapacityOptions{SLO: s.slo(), Requests: reqOrZero(s.Requests)})
	if err != nil {
		return err
	}
	if o.asJSON {
		for i := range rows {
			if rows[i].Result != nil {
				rows[i].Result.Series = nil
			}
		}
		if err := writeJSON(e.stdout, planOutput{Scenario: s, Target: o.target, Rows: rows, Skipped: skipped}); err != nil {
			return err
		}
	} else {
		simPlan(e.stdout, s, o.target, rows, skipped)
	}
	if !slices.ContainsFunc(rows, func(r serve.PlanRow) bool { return r.Meets }) {
		return fmt.Errorf("--plan: no deployment meets the SLO at %.6g requests/s (see the table)", o.target)
	}
	return nil
}

// planCandidates is the units --plan tries for one chip and TP degree:
// one aggregated replica, and disaggregated 1:1, 2:1 and 1:2 prefill to
// decode replicas.
func planCandidates(cat *catalog.Catalog, s simSpec, chip string, tp int) ([]serve.Candidate, []string) {
	s.Chip, s.PrefillChip, s.Chips, s.TP, s.PrefillTP, s.PrefillChips = chip, "", tp, tp, tp, tp
	s.Mode = "aggregated"
	name := fmt.Sprintf("%s tp%d", chip, tp)
	agg, err := s.build(cat)
	if err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", name, err)}
	}
	cands := []serve.Candidate{{Name: name + " aggregated", Unit: agg}}
	s.Mode = "disaggregated"
	dis, err := s.build(cat)
	if err != nil {
		return cands, []string{fmt.Sprintf("%s disaggregated: %v", name, err)}
	}
	for _, r := range [][2]int{{1, 1}, {2, 1}, {1, 2}} {
		u := dis
		u.Pools = []serve.Pool{dis.Pools[0], dis.Pools[1]}
		u.Pools[0].Replicas, u.Pools[1].Replicas = r[0], r[1]
		cands = append(cands, serve.Candidate{Name: fmt.Sprintf("%s disaggregated %d:%d", name, r[0], r[1]), Unit: u})
	}
	return cands, nil
}

// mixedCandidates are disaggregated units with prefill on chip and decode
// on each other chip of the plan, at TP tp, 1:1 and 2:1.
func mixedCandidates(cat *catalog.Catalog, s simSpec, chip string, chips []string, tp int) ([]serve.Candidate, []string) {
	var out []serve.Candidate
	var why []string
	for _, dec := range chips {
		dec = strings.TrimSpace(dec)
		if dec == chip {
			continue
		}
		s.Mode, s.PrefillChip, s.Chip = "disaggregated", chip, dec
		s.Chips, s.PrefillChips, s.TP, s.PrefillTP = tp, tp, tp, tp
		name := fmt.Sprintf("prefill %s, decode %s, tp%d", chip, dec, tp)
		u, err := s.build(cat)
		if err != nil {
			why = append(why, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		for _, r := range [][2]int{{1, 1}, {2, 1}} {
			v := u
			v.Pools = []serve.Pool{u.Pools[0], u.Pools[1]}
			v.Pools[0].Replicas, v.Pools[1].Replicas = r[0], r[1]
			out = append(out, serve.Candidate{Name: fmt.Sprintf("%s %d:%d", name, r[0], r[1]), Unit: v})
		}
	}
	return out, why
}

func simInts(s, flagName string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, usagef("%s: %q is not a positive integer", flagName, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// simProgress draws a progress bar on stderr while a simulation runs, and
// cancels it when the command's context is done.
type simProgress struct {
	e     *env
	show  bool
	label string
	last  int
}

func newSimProgress(e *env, mode, label string) *simProgress {
	p := &simProgress{e: e, label: label, last: -1}
	switch mode {
	case "on":
		p.show = true
	case "auto":
		p.show = simTerminal(e.stderr)
	}
	return p
}

func simTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *simProgress) update(done, total int) bool {
	if p.e.ctx.Err() != nil {
		return false
	}
	pct := done * 100 / max(total, 1)
	if !p.show || pct == p.last {
		return true
	}
	p.last = pct
	const width = 30
	n := pct * width / 100
	fmt.Fprintf(p.e.stderr, "\rsimulate %s [%s%s] %3d%% %d/%d requests", p.label,
		strings.Repeat("=", n), strings.Repeat(" ", width-n), pct, done, total)
	return true
}

func (p *simProgress) done() {
	if p.show && p.last >= 0 {
		fmt.Fprint(p.e.stderr, "\r\033[K")
	}
}
