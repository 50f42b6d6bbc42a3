package calc

import (
	"errors"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/input"
)

// An instance larger than the deployment names the stated degree by its
// request path (parallel.tp), as the API reports it, not "parallel".
func TestServeInstanceField(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p     ServeParallel
		chips int
		field string
		value int
	}{
		{ServeParallel{TP: 2}, 1, "parallel.tp", 2},
		{ServeParallel{PP: 4}, 2, "parallel.pp", 4},
		{ServeParallel{TP: 2, PP: 2}, 2, "parallel.tp", 2},
		{ServeParallel{TP: 1, AttentionDP: 4}, 2, "parallel.attention_dp", 4},
	} {
		r := NewServeRequest()
		r.Model, r.Chip, r.Chips, r.Parallel = "llama3.1-8b", "h100-sxm", c.chips, c.p
		_, err := r.Setup(cat)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Value != c.value {
			t.Errorf("%+v on %d chips: error %v, want one naming %s = %d", c.p, c.chips, err, c.field, c.value)
		}
	}
}

// The estimator names the degree itself, so a simulation's pools get it
// too: an oversized serving pool is parallel.tp's, an oversized prefill
// pool prefill.parallel.tp's, as the request states them.
func TestSimulateInstanceField(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	main := NewSimulateRequest()
	main.Model, main.Chip, main.Chips, main.Parallel = "llama3.1-8b", "h100-sxm", 1, ServeParallel{TP: 2, PP: 1}
	pre := NewSimulateRequest()
	pre.Model, pre.Chip, pre.Chips, pre.Parallel = "llama3.1-8b", "h100-sxm", 2, ServeParallel{TP: 1, PP: 1}
	pre.Prefill = ServePool{Chips: 1, Parallel: ServeParallel{TP: 2}}
	for field, r := range map[string]SimulateRequest{"parallel.tp": main, "prefill.parallel.tp": pre} {
		_, err := r.Setup(cat, nil)
		var fe *input.Error
		if !errors.As(err, &fe) || fe.Field != field || fe.Value != 2 || !strings.Contains(fe.Want, "want tp at most 1") {
			t.Errorf("%s: error %v, want one naming %s = 2 and tp at most 1", field, err, field)
		}
	}
}
