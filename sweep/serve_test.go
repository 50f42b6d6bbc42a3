package sweep

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"chipgap/inference"
)

// The layout cache runs one key's search once however many cells ask
// for it at once (review: the check and the store were two locked
// sections, so cells sharing a key could both search), hands every
// caller the same result, refusal included, and searches another key
// apart.
func TestLayoutCacheSearchesOnce(t *testing.T) {
	var lc layoutCache
	var calls atomic.Int64
	release := make(chan struct{})
	refusal := errors.New("no layout fits")
	search := func() (inference.Deployment, inference.Serving, error) {
		calls.Add(1)
		<-release // hold the search until every goroutine has asked
		return inference.Deployment{Parallel: inference.Parallel{TP: 4}}, inference.Serving{OutputPerChip: 572.5}, refusal
	}
	const n = 64
	got := make([]*layoutEntry, n)
	var asked, wg sync.WaitGroup
	asked.Add(n)
	for i := range n {
		wg.Go(func() {
			asked.Done()
			got[i] = lc.get("h100-sxm\x00llama3.1-70b\x008", search)
		})
	}
	asked.Wait()
	close(release)
	wg.Wait()
	if c := calls.Load(); c != 1 {
		t.Errorf("%d goroutines asking for one key ran its search %d times, want 1", n, c)
	}
	for i, le := range got {
		if le != got[0] || le.d.Parallel.TP != 4 || le.s.OutputPerChip != 572.5 || !errors.Is(le.err, refusal) {
			t.Fatalf("goroutine %d: entry %p tp=%d %v tokens/s, err %v; want goroutine 0's %p, tp=4, 572.5, %v",
				i, le, le.d.Parallel.TP, le.s.OutputPerChip, le.err, got[0], refusal)
		}
	}
	lc.get("h100-sxm\x00llama3.1-70b\x0016", search)
	if c := calls.Load(); c != 2 {
		t.Errorf("a second key: %d searches in all, want 2", c)
	}
}
