package scenario

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"chipgap/uncertain"
)

// Progress is told how much of the Monte Carlo is done; calls are
// serialised.
type Progress func(done, total int)

// series is one system's figures: at typical inputs and per sample.
type series struct {
	typ map[string]float64
	xs  map[string][]float64
}

// meter counts samples across goroutines and reports progress.
type meter struct {
	mu    sync.Mutex
	done  atomic.Int64
	total int
	fn    Progress
}

func (m *meter) tick() {
	d := m.done.Add(1)
	if m.fn != nil && (d%50 == 0 || int(d) == m.total) {
		m.mu.Lock()
		m.fn(int(d), m.total)
		m.mu.Unlock()
	}
}

// Run computes the gap report's figures: it resolves the scenario
// against the catalog, searches each system's training plan and serving
// layout once at typical values, then draws s.Samples Monte Carlo
// samples of every uncertain input (seeded by s.Seed, one goroutine per
// system and per supply chip) and re-evaluates the closed forms. The
// same scenario gives the same Results, bit for bit.
func (s *Scenario) Run(ctx context.Context, progress Progress) (*Results, error) {
	return s.RunWith(ctx, progress, 0)
}

// RunWith is Run with at most workers goroutines computing at once (0:
// one per system and supply chip). A server sets it below its cores so
// that it still answers requests while a report computes; the results do
// not depend on it.
func (s *Scenario) RunWith(ctx context.Context, progress Progress, workers int) (*Results, error) {
	w, err := newWorld(s)
	if err != nil {
		return nil, err
	}
	w.limit = newLimiter(workers)
	w.stop = ctx.Err
	systems, err := w.systems(ctx)
	if err != nil {
		return nil, err
	}
	m := &meter{total: s.Samples * (len(systems) + len(s.Supply.Chips)), fn: progress}
	reg := newRegistry()
	ser := make([]*series, len(systems))
	sup := make([]SupplyResult, len(s.Supply.Chips))
	errs := make([]error, len(systems)+len(sup))
	var wg sync.WaitGroup
	for i, sy := range systems {
		w.limit.do(&wg, func() { ser[i], errs[i] = w.sample(ctx, sy, reg, m) })
	}
	for i, id := range s.Supply.Chips {
		w.limit.do(&wg, func() { sup[i], errs[len(systems)+i] = w.supply(ctx, id, reg, m) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return w.results(systems, ser, sup, reg)
}

// systems resolves every system, searching plans concurrently.
func (w *world) systems(ctx context.Context) ([]*system, error) {
	basePeak := 0.0
	for _, cfg := range w.s.Systems {
		if cfg.Label == w.s.Strategy.Baseline {
			if ch, err := w.chipFor(cfg.Chip); err == nil {
				if pk, ok := ch.PeakFor(w.s.Training.Precision); ok {
					basePeak = float64(pk.Typ) * float64(w.s.Training.Chips)
				}
			}
		}
	}
	w.basePeak = basePeak
	out := make([]*system, len(w.s.Systems))
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	for i, cfg := range w.s.Systems {
		w.limit.do(&wg, func() { out[i], errs[i] = w.newSystem(cfg, basePeak) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("system %s: %w", w.s.Systems[i].Label, err)
		}
	}
	return out, ctx.Err()
}

// sample evaluates a system at typical inputs (registering them) and
// then for every Monte Carlo sample.
func (w *world) sample(ctx context.Context, sy *system, reg *registry, m *meter) (*series, error) {
	se := &series{typ: map[string]float64{}, xs: map[string][]float64{}}
	if err := w.eval(sy, newDrawer(uncertain.Typical(), reg), se.typ); err != nil {
		return nil, fmt.Errorf("system %s: %w", sy.cfg.Label, err)
	}
	trial := func(d *uncertain.Draw) (map[string]float64, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out := map[string]float64{}
		if err := w.eval(sy, newDrawer(d, nil), out); err != nil {
			return nil, err
		}
		for k, v := range out {
			se.xs[k] = append(se.xs[k], v)
		}
		m.tick()
		return nil, nil
	}
	if _, err := uncertain.Run(w.s.Samples, w.s.Seed, trial); err != nil {
		return nil, fmt.Errorf("system %s: %w", sy.cfg.Label, err)
	}
	return se, nil
}

func (se *series) stats() map[string]Stat {
	out := map[string]Stat{}
	for k, typ := range se.typ {
		if xs := se.xs[k]; len(xs) > 0 {
			out[k] = statOf(typ, xs)
		}
	}
	return out
}

// limiter bounds how many of Run's goroutines compute at once; a nil
// limiter bounds nothing.
type limiter chan struct{}

func newLimiter(n int) limiter {
	if n <= 0 {
		return nil
	}
	return make(limiter, n)
}

// do runs fn in a goroutine of wg, holding one of the limiter's slots.
func (l limiter) do(wg *sync.WaitGroup, fn func()) {
	wg.Go(func() {
		if l != nil {
			l <- struct{}{}
			defer func() { <-l }()
		}
		fn()
	})
}
