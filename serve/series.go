package serve

import (
	"fmt"
	"time"
)

// series is the queue and KV time series, sampled every interval; when
// it reaches limit points it keeps every other one and doubles the
// interval, so its memory stays bounded however long the run.
type series struct {
	interval time.Duration
	limit    int
	pts      []Sample
}

// sample records the deployment's state, checks for overload by waiting
// time (in a replica's queue or its KV link's), and schedules the next sample while requests remain.
func (s *runState) sample() {
	now := s.eng.Now()
	p := Sample{T: now.Seconds(), Waiting: s.waiting, InTransit: s.inTransit, KV: make([]float64, len(s.reps))}
	for i, reps := range s.reps {
		used, total := 0, 0
		for _, r := range reps {
			p.Running += len(r.running)
			used += r.cfg.KVBlocks - r.free
			total += r.cfg.KVBlocks
			if t, ok := r.oldest(); ok && now-t > s.opt.MaxWait && s.arrived < s.total {
				s.overloaded(fmt.Sprintf("a request has waited %.0f s, more than the %.0f s allowed", (now - t).Seconds(), s.opt.MaxWait.Seconds()))
			}
		}
		p.KV[i] = float64(used) / float64(total)
	}
	s.series.pts = append(s.series.pts, p)
	next := now + s.series.interval
	if len(s.series.pts) >= s.series.limit {
		kept := s.series.pts[:0]
		for i := 0; i < len(s.series.pts); i += 2 {
			kept = append(kept, s.series.pts[i])
		}
		s.series.pts = kept
		s.series.interval *= 2
		next = time.Duration(kept[len(kept)-1].T*1e9) + s.series.interval
		next = max(next, now+1)
	}
	switch {
	case s.overload != nil && !s.overload.Drained, s.done(), s.drained():
	case s.eng.Pending() == 0:
		s.stalled = true // nothing left to happen, yet requests remain: a bug
	default:
		s.eng.Schedule(next, prioSample, s.sample)
	}
}
