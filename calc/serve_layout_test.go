package calc

import (
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/inference"
)

// A serving answer echoes the layout the estimate ran, every degree
// resolved, in the header (the API's), the estimate (serve-estimate
// --json) and the text alike: a stated tp 8 once came back as ep 0 and
// dp 0, the defaults as ep 1 and dp 0, while the text said ep=1.
func TestServeEchoesResolvedLayout(t *testing.T) {
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, model, prec string
		chips             int
		par               ServeParallel
		want              inference.Parallel
		text              string
	}{
		// 8 devices, one instance of 8.
		{"stated tp", "llama3.1-70b", "fp8", 8, ServeParallel{TP: 8, PP: 1}, inference.Parallel{TP: 8, PP: 1, EP: 1, AttentionDP: 1, DP: 1}, "tp=8 pp=1 ep=1 dp=1"},
		// A dense model's default stage is one 8-GPU node: 16 devices hold two.
		{"default dense", "llama3.1-8b", "fp8", 16, ServeParallel{PP: 1}, inference.Parallel{TP: 8, PP: 1, EP: 1, AttentionDP: 1, DP: 2}, "tp=8 pp=1 ep=1 dp=2"},
		// Stated tp 2 and dp 4 on 8 devices.
		{"stated dp", "llama3.1-8b", "bf16", 8, ServeParallel{TP: 2, PP: 1, DP: 4}, inference.Parallel{TP: 2, PP: 1, EP: 1, AttentionDP: 1, DP: 4}, "tp=2 pp=1 ep=1 dp=4"},
		// DeepSeek-V3 in FP8 does not fit EP 8 on one node: widened to
		// EP 16, attention DP over the 16 devices of the one instance.
		{"widened moe", "deepseek-v3", "fp8", 16, ServeParallel{PP: 1}, inference.Parallel{TP: 1, PP: 1, EP: 16, AttentionDP: 16, DP: 1}, "tp=1 pp=1 ep=16 attention_dp=16 dp=1"},
	} {
		r := NewServeRequest()
		r.Chip, r.Chips, r.Model, r.Precision, r.Parallel = "h100-sxm", c.chips, c.model, c.prec, c.par
		s, err := r.Setup(cat)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		e, err := Serve(s)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var b strings.Builder
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(b.String(), "\n")
		if h := s.Header().Parallel; h != c.want || e.Parallel != c.want || !strings.HasSuffix(head, ", "+c.text) {
			t.Errorf("%s: header %+v, estimate %+v, text %q; want %+v and %q", c.name, h, e.Parallel, head, c.want, c.text)
		}
	}
}
