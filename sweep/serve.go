package sweep

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"chipgap/catalog"
	"chipgap/econ"
	"chipgap/hardware"
	"chipgap/inference"
	"chipgap/llm"
	"chipgap/uncertain"
)

// serveCell is what a serving cell's Monte Carlo holds fixed: the
// layout chosen at typical values.
type serveCell struct {
	ch  *hardware.Chip
	st  catalog.InferenceStack
	d   inference.Deployment
	wl  inference.Workload
	slo inference.SLO
}

// Names of a serving evaluation's outputs.
const (
	oServe, oMtok, oJTok, oTPOT, oTTFT, oPerKW = "serve_tps", "usd_per_mtok", "j_per_token", "tpot_s", "ttft_s", "per_kw"
)

// serving serves on a fleet of c.Size chips: it searches the instance
// sizes that divide the fleet (InstanceSizes) and, in each, the layouts
// (tensor-parallel 1, 2, 4 or 8; experts over the whole instance or
// not) for the most output tokens/s per chip that meets the SLO
// (inference.BestServing: colocated or disaggregated), as the gap report
// does over its instance sizes, and prices the tokens with the owned
// chip-hour. The fleet runs c.Size/n instances of the best size n, so
// its per-chip figures are the instance's.
func (e *evaluator) serving(c Cell, ch *hardware.Chip, r *Row) error {
	r.InputTokens, r.OutputTokens = i64(c.Workload.Input), i64(c.Workload.Output)
	r.SLOTPOT, r.SLOTTFT = f64(float64(c.SLO.TPOT)), f64(float64(c.SLO.TTFT))
	if _, ok := ch.PeakFor(c.Precision); !ok {
		return fmt.Errorf("%s has no %s peak", c.Chip, c.Precision)
	}
	sc, err := e.serveSetup(c, ch, r)
	if err != nil {
		return err
	}
	out, err := e.serveEval(sc, uncertain.Typical())
	setServe(r, out)
	if err != nil {
		return err
	}
	if e.g.Samples > 0 {
		xs, missing, err := samples(e.g, func(d *uncertain.Draw) (map[string]float64, error) { return e.serveEval(sc, d) })
		if err != nil {
			return err
		}
		r.Missing = i64(missing)
		r.ServeTPSP10, r.ServeTPSP50, r.ServeTPSP90 = quantiles(xs[oServe])
		r.USDPerMtokP10, r.USDPerMtokP50, r.USDPerMtokP90 = quantiles(xs[oMtok])
	}
	return nil
}

// InstanceSizes are the instance sizes a serving fleet of n chips tries:
// the divisors of n up to limit (0: n), smallest first, so that every
// instance serves and none idles. A fleet of n holds every instance size
// a fleet of a divisor of n does, so its best per-chip throughput is no
// lower.
func InstanceSizes(n, limit int) []int {
	if limit <= 0 || limit > n {
		limit = n
	}
	var small, large []int
	for d := 1; d*d <= n; d++ {
		if n%d != 0 {
			continue
		}
		if d <= limit {
			small = append(small, d)
		}
		if q := n / d; q != d && q <= limit {
			large = append(large, q)
		}
	}
	slices.Reverse(large)
	return append(small, large...)
}

// instanceSizes are cell c's instance sizes (InstanceSizes under the
// grid's cap).
func (g *Grid) instanceSizes(c Cell) []int {
	limit := 0
	if g.Serving != nil {
		limit = g.Serving.MaxInstanceChips
	}
	return InstanceSizes(c.Size, limit)
}

// serveSetup picks the fleet's instance size and the instance's layout
// at typical values: the first instance size (smallest) whose best
// layout serves the most output tokens/s per chip (ties within 1e-9 go
// to the smaller instance, as the gap report's search keeps its first).
func (e *evaluator) serveSetup(c Cell, ch *hardware.Chip, r *Row) (*serveCell, error) {
	m, err := e.c.Model(c.Model)
	if err != nil {
		return nil, err
	}
	st, note, err := e.c.InferenceProfile(c.Stack, ch)
	if err != nil {
		return nil, err
	}
	r.StackUsed = st.ID
	if note = strings.TrimSpace(note); note != "" {
		r.StackUsed += " (" + note + ")"
	}
	sc := &serveCell{ch: ch, st: st, wl: inference.Workload{Input: c.Workload.Input, Output: c.Workload.Output},
		slo: inference.SLO{TPOT: c.SLO.TPOT, TTFT: c.SLO.TTFT}}
	var best inference.Serving
	found := false
	lastErr := errors.New("no layout tried")
	for _, n := range e.g.instanceSizes(c) {
		d, p, err := e.instanceLayout(c, m, sc, n)
		if err != nil {
			lastErr = err
			continue
		}
		if !found || p.OutputPerChip > best.OutputPerChip*(1+1e-9) {
			sc.d, best, found = d, p, true
		}
	}
	if !found {
		return nil, lastErr
	}
	n := sc.d.Cluster.Chips
	r.InstanceChips, r.ChipsPerNode = i64(n), int64(sc.d.Cluster.ChipsPerNode)
	r.TP, r.EP, r.Batch, r.Bound = i64(sc.d.Parallel.TP), i64(sc.d.Parallel.EP), i64(best.Point.Batch), best.Point.Step.Bound
	r.Plan = fmt.Sprintf("%s tp=%d ep=%d batch=%d per instance; %s of %s", best.Mode(), sc.d.Parallel.TP, sc.d.Parallel.EP,
		best.Point.Batch, count(c.Size/n, "instance"), count(n, "chip"))
	return sc, nil
}

// count is n things, "1 chip" or "8 chips".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// layoutEntry is one instance's best layout, kept for the grid's other
// cells; once guards its search.
type layoutEntry struct {
	once sync.Once
	d    inference.Deployment
	s    inference.Serving
	err  error
}

// layoutCache holds each serving instance's layout search (layoutKey),
// searched once per key however many cells ask at once: the first to
// ask runs it, the others wait on its entry's once (Grid.CellCosts
// counts each key once). The zero value is empty and ready.
type layoutCache struct {
	mu sync.Mutex
	m  map[string]*layoutEntry
}

// get is key's entry, its search run by the first caller alone.
func (lc *layoutCache) get(key string, search func() (inference.Deployment, inference.Serving, error)) *layoutEntry {
	lc.mu.Lock()
	le, ok := lc.m[key]
	if !ok {
		if lc.m == nil {
			lc.m = map[string]*layoutEntry{}
		}
		le = &layoutEntry{}
		lc.m[key] = le
	}
	lc.mu.Unlock()
	le.once.Do(func() { le.d, le.s, le.err = search() })
	return le
}

// layoutKey names what an instance's layout search depends on: the
// cell's chip, model, precision, stack, workload and SLO, and the
// instance size (not the fleet's: fleets of 16 and 64 both try 8).
func layoutKey(c Cell, n int) string {
	return fmt.Sprint(c.Chip, "\x00", c.Model, "\x00", c.Precision, "\x00", c.Stack, "\x00", c.Workload, "\x00", c.SLO, "\x00", n)
}

// instanceLayout is bestLayout searched once per grid: the fleets that
// hold an instance size share its search, cells evaluated at once
// included (layoutCache).
func (e *evaluator) instanceLayout(c Cell, m llm.Model, sc *serveCell, n int) (inference.Deployment, inference.Serving, error) {
	le := e.layouts.get(layoutKey(c, n), func() (inference.Deployment, inference.Serving, error) {
		return e.bestLayout(c, m, sc, n)
	})
	return le.d, le.s, le.err
}

// bestLayout is the best layout of one instance of n chips: its
// deployment and serving, or the last layout's refusal.
func (e *evaluator) bestLayout(c Cell, m llm.Model, sc *serveCell, n int) (inference.Deployment, inference.Serving, error) {
	var bestD inference.Deployment
	var best inference.Serving
	cl, err := e.serveCluster(sc.ch, n)
	if err != nil {
		return bestD, best, err
	}
	found := false
	lastErr := errors.New("no layout tried")
	dev := n * max(1, sc.ch.DevicesPerChip)
	for _, tp := range []int{1, 2, 4, 8} {
		if tp > dev || dev%tp != 0 {
			continue
		}
		for _, ep := range []int{dev, 1} {
			d := inference.Deployment{Model: m, Cluster: cl, Parallel: inference.Parallel{TP: tp, PP: 1, EP: ep, DP: 1},
				Precision: c.Precision, Profile: sc.st.Profile()}
			p, err := inference.BestServing(d, sc.wl, sc.slo)
			if err != nil {
				lastErr = err
				continue
			}
			if !found || p.OutputPerChip > best.OutputPerChip*(1+1e-9) {
				bestD, best, found = d, p, true
			}
		}
	}
	if !found {
		return bestD, best, lastErr
	}
	return bestD, best, nil
}

// serveEval re-evaluates the fixed layout with the chip, the serving
// stack's parameters and the economics drawn from d. A draw in which no
// batch meets the SLO gives no outputs.
func (e *evaluator) serveEval(sc *serveCell, d *uncertain.Draw) (map[string]float64, error) {
	out := map[string]float64{}
	ch, err := drawChip(sc.ch, sc.d.Precision, d)
	if err != nil {
		return out, err
	}
	dep := sc.d
	dep.Cluster.Chip = ch
	if dep.Profile, err = sc.st.Sample(d); err != nil {
		return out, err
	}
	eff, err := drawEfficiency(dep.Cluster.Stack, d)
	if err != nil {
		return out, err
	}
	dep.Profile.MatmulEff = min(1, dep.Profile.MatmulEff*eff)
	dep.Profile.MemoryEff = min(1, dep.Profile.MemoryEff*eff)
	sv, err := inference.BestServing(dep, sc.wl, sc.slo)
	if err != nil || sv.OutputPerChip <= 0 {
		return out, err
	}
	p := sv.Point
	p.OutputPerChip = sv.OutputPerChip
	out[oServe], out[oTPOT], out[oTTFT] = p.OutputPerChip, float64(p.TPOT), float64(sv.TTFT())
	own, hour, err := e.hour(ch, d)
	if err != nil {
		return out, err
	}
	wall := own.Power.Wall()
	out[oHour], out[oWallW], out[oPerKW] = float64(hour.Total()), float64(wall), p.OutputPerChip/float64(wall)*1000
	use, err := econ.PerMillionTokens(p.OutputPerChip, hour.Total(), wall)
	if err != nil {
		return out, err
	}
	out[oMtok], out[oJTok] = float64(use.Cost), float64(use.Energy)/1e6
	return out, nil
}

func setServe(r *Row, out map[string]float64) {
	for k, p := range map[string]**float64{oServe: &r.ServeTPSPerChip, oMtok: &r.USDPerMtok, oJTok: &r.JPerToken, oTPOT: &r.TPOTS,
		oTTFT: &r.TTFTS, oPerKW: &r.ServeTPSPerKW, oHour: &r.USDPerChipHour, oWallW: &r.WallWPerChip} {
		if v, ok := out[k]; ok {
			*p = f64(v)
		}
	}
}
