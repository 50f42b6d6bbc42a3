package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// A run that leaves cp out leaves it to the model (published-runs.md:
// "each field left out is the model's own choice"): 1M-token sequences of
// an 8B model on 1024 H100 fit no plan that keeps each sequence whole
// (one layer's activations alone are ~140 GB), so validate splits them,
// within Megatron-Core's practice of at least 4,096 tokens per
// context-parallel rank (cp ≤ 1048576 / 4096 = 256). A run that states
// tp, pp and dp filling its devices leaves no rank to split over: its
// plan keeps cp 1, and at 16K tokens it is predicted without CP.
func TestValidateTriesUnstatedCP(t *testing.T) {
	const model = `{name: "Llama 3 8B", layers: 32, hidden: 4096, heads: 32, kv_heads: 8, ffn: 14336, ffn_act: swiglu, vocab: 128256, attention: gqa}`
	src := `format: published-runs/v1
runs:
  - id: open-1m
    kind: training
    source: "test"
    system: {chip: h100-sxm, chips: 1024, chips_per_node: 8, software: megatron-core}
    model: ` + model + `
    training: {seq_len: 1048576, global_batch: 16, precision: bf16}
    measured: {metric: tokens_per_s_per_chip, value: 100, derivation: "test"}
  - id: stated-16k
    kind: training
    source: "test"
    system: {chip: h100-sxm, chips: 64, chips_per_node: 8, software: megatron-core}
    model: ` + model + `
    training: {seq_len: 16384, global_batch: 64, precision: bf16, parallel: {tp: 8, pp: 1, dp: 8}}
    measured: {metric: tokens_per_s_per_chip, value: 100, derivation: "test"}
`
	path := filepath.Join(t.TempDir(), "cp.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, errs := runCmd(t, "validate", "--json", path)
	var rep struct {
		Results []struct {
			ID        string   `json:"id"`
			Predicted *float64 `json:"predicted"`
			Plan      string   `json:"plan"`
			Reason    string   `json:"reason"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) != 2 {
		t.Fatalf("validate --json: %v (%d results); stderr %s", err, len(rep.Results), errs)
	}
	cpOf := func(plan string) int {
		m := regexp.MustCompile(`\bcp=(\d+)`).FindStringSubmatch(plan)
		if m == nil {
			return 1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	open, stated := rep.Results[0], rep.Results[1]
	if cp := cpOf(open.Plan); open.Predicted == nil || cp < 2 || 1048576/cp < 4096 {
		t.Errorf("%s: plan %q (cp %d), reason %q; want a prediction at 2 ≤ cp ≤ 256", open.ID, open.Plan, cp, open.Reason)
	}
	if stated.Predicted == nil || cpOf(stated.Plan) != 1 {
		t.Errorf("%s: plan %q, reason %q; want a prediction at cp 1", stated.ID, stated.Plan, stated.Reason)
	}
}
