package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runModels(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"models"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestModelsList(t *testing.T) {
	code, out, errs := runModels(t)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	// Llama 3.1 405B: 405 853 388 800 parameters (hand count in
	// catalog/models_test.go); KV at bf16 = 126 layers·2·8·128·2 B = 516 096 B.
	for _, want := range []string{"llama3.1-405b", "405.9B", "gqa 128/8", "516.1 kB", "deepseek-v3", "37.55B", "mla 128"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

// --seq shapes one preset's figures; the list's do not depend on it, so
// it is refused there (it was checked and then ignored).
func TestModelsSeqNeedsID(t *testing.T) {
	if code, out, errs := runModels(t, "--seq", "8"); code != exitUsage || out != "" || !strings.Contains(errs, "--seq applies to one preset") {
		t.Errorf("models --seq 8: exit %d, %q", code, errs)
	}
}

func TestModelsDetail(t *testing.T) {
	code, out, errs := runModels(t, "llama3.1-405b")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	// Weights at bf16: 2 × 405 853 388 800 = 811.7 GB. Sources print titles.
	for _, want := range []string{"126", "16384", "53248 (swiglu)", "405853388800", "bf16 811.7 GB", "Llama 3 Herd of Models", "training, full recompute"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
}

func TestModelsJSON(t *testing.T) {
	code, out, errs := runModels(t, "--json", "--seq", "2048", "megatron-gpt-1.7b")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var d struct {
		Params struct{ Total int64 } `json:"params"`
		FLOPs  struct {
			Megatron float64 `json:"megatron_eq3_full_recompute"`
		} `json:"flop_per_token"`
		Sources []struct{ Title string } `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	// Eq. 2: 1 652 226 048 + final layernorm 2·2304.
	if d.Params.Total != 1652226048+4608 {
		t.Errorf("params = %d", d.Params.Total)
	}
	// Eq. 3 per token: 15 466 830 067 924 992 / (512·2048) = 14 750 318 592.
	if got := d.FLOPs.Megatron; got < 14750318592-1 || got > 14750318592+1 {
		t.Errorf("Megatron FLOP/token = %v, want 14750318592", got)
	}
	if len(d.Sources) != 1 || !strings.Contains(d.Sources[0].Title, "Megatron-LM") {
		t.Errorf("sources = %+v", d.Sources)
	}
	code, out, _ = runModels(t, "--json")
	var rows []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) < 23 {
		t.Errorf("list --json: exit %d, %d rows", code, len(rows))
	}
}

func TestModelsErrors(t *testing.T) {
	code, _, errs := runModels(t, "llama3.1-450b")
	if code != exitUsage || !strings.Contains(errs, "llama3.1-405b") {
		t.Errorf("unknown id: exit %d, stderr %q; want 2 naming llama3.1-405b", code, errs)
	}
	if code, _, _ := runModels(t, "a", "b"); code != exitUsage {
		t.Errorf("two ids: exit %d, want 2", code)
	}
	if code, _, errs := runModels(t, "--seq", "0"); code != exitUsage || !strings.Contains(errs, "--seq") {
		t.Errorf("--seq 0: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := runModels(t, "--help"); code != exitOK {
		t.Errorf("--help: exit %d", code)
	}
}
