package web

import (
	"sync"

	"chipgap/catalog"
	"chipgap/training"
)

// memo caches catalog lookups that decode YAML on every call
// (Catalog.TrainingProfile reads stacks-training.yaml each time), so a
// request costs the estimate, not the parse. The catalog is immutable
// while the server runs, so entries never go stale. The map holds one
// entry per (stack, framework) pair clients name, at most maxMemo.
type memo struct {
	mu       sync.Mutex
	training map[[2]string]trainingProfile
}

type trainingProfile struct {
	p   training.Profile
	why string
}

// maxMemo bounds the cache against clients inventing framework names.
const maxMemo = 256

func (s *Server) trainingProfile(cat *catalog.Catalog, stack, framework string) (training.Profile, string, error) {
	key := [2]string{stack, framework}
	s.memo.mu.Lock()
	tp, ok := s.memo.training[key]
	s.memo.mu.Unlock()
	if ok {
		return tp.p, tp.why, nil
	}
	p, why, err := cat.TrainingProfile(stack, framework)
	if err != nil {
		return p, why, err
	}
	s.memo.mu.Lock()
	if s.memo.training == nil {
		s.memo.training = map[[2]string]trainingProfile{}
	}
	if len(s.memo.training) < maxMemo {
		s.memo.training[key] = trainingProfile{p, why}
	}
	s.memo.mu.Unlock()
	return p, why, nil
}
