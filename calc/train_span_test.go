package calc

import (
	"bytes"
	"strings"
	"testing"
)

// TestTrainNodeSpan: QA's case. tp 16 on 8-GPU H100 nodes spans 2 nodes
// and train says so; tp 8 with cp 2 keeps tp inside a node while its
// tp·cp ranks span 2; tp 8 alone spans none.
func TestTrainNodeSpan(t *testing.T) {
	cat := testCatalog(t)
	sp := true
	for _, c := range []struct {
		req  TrainRequest
		want *NodeSpan
		line string
	}{
		{TrainRequest{Model: "deepseek-v3", Chip: "h100-sxm", Chips: 256, Plan: PlanRequest{TP: 16, PP: 16}},
			&NodeSpan{Group: "tp", Size: 16, Nodes: 2, PerNode: 8}, "tp 16 spans 2 nodes of 8: its collectives cross the scale-out network"},
		{TrainRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, Seq: 32768, GlobalBatch: 64, Plan: PlanRequest{TP: 8, CP: 2, PP: 2, Microbatch: 1, SequenceParallel: &sp}},
			&NodeSpan{Group: "tp·cp", Size: 16, Nodes: 2, PerNode: 8}, "tp·cp 16 spans 2 nodes of 8: the context-parallel ring's K/V exchange crosses the scale-out network"},
		{TrainRequest{Model: "llama3.1-70b", Chip: "h100-sxm", Chips: 64, Plan: PlanRequest{TP: 8, PP: 2, Microbatch: 1, SequenceParallel: &sp}}, nil, ""},
	} {
		s, err := c.req.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		e, err := Train(s)
		if err != nil {
			t.Fatalf("%+v: %v", c.req.Plan, err)
		}
		var b bytes.Buffer
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		switch {
		case c.want == nil && (e.Span != nil || strings.Contains(b.String(), " spans ")):
			t.Errorf("%+v: span %+v; want none", c.req.Plan, e.Span)
		case c.want != nil && (e.Span == nil || *e.Span != *c.want || !strings.Contains(b.String(), c.line)):
			t.Errorf("%+v: span %+v, want %+v and the line %q:\n%s", c.req.Plan, e.Span, *c.want, c.line, b.String())
		}
	}
}
