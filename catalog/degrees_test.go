package catalog

import (
	"strings"
	"testing"

	"chipgap/inference"
)

func TestCheckServingDegrees(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model string
		p     inference.Parallel
		want  string // "" = accepted
	}{
		{"mixtral-8x7b", inference.Parallel{TP: 3}, "parallel.tp = 3: must divide the 32 attention heads"},
		{"mixtral-8x7b", inference.Parallel{EP: 7}, "parallel.ep = 7: must divide the 8 routed experts"},
		{"mixtral-8x7b", inference.Parallel{TP: 8, EP: 8}, ""},
		{"llama3.1-70b", inference.Parallel{TP: 16}, ""}, // 8 kv heads, replicated
		{"llama3.1-70b", inference.Parallel{TP: 6}, "must divide the 64"},
		{"deepseek-v3", inference.Parallel{EP: 144}, ""}, // 256 + 32 redundant
		{"deepseek-v3", inference.Parallel{EP: 320}, ""}, // one expert a device
		{"deepseek-v3", inference.Parallel{EP: 100}, "must divide the 256 routed experts"},
		{"llama3.1-8b", inference.Parallel{}, ""},
	} {
		m, err := cat.Model(c.model)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckServingDegrees(m, c.p)
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckServingDegrees(%s, %+v) = %v, want %q", c.model, c.p, err, c.want)
		}
	}
}
