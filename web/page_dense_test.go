package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Browser test of QA's page defect: a dense model refused for the
// MoE-only inputs a MoE model left in the inference and serving forms.

// TestBrowserDenseAfterMoE: QA's case. The MoE-only inputs a MoE model
// left (an expert degree, expert_imbalance, a balancer) go back to auto
// when the model is dense, as the training form's already did: inference
// (DeepSeek-V3 with EP 16, then Llama 3.1 70B) and serving (Mixtral with
// EP 8, then Llama 3.1 8B) are answered, not refused.
func TestBrowserDenseAfterMoE(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	moe := `f["parallel.ep"].value = "16"; f.expert_imbalance.value = "1.2"; f.balancer.value = "eplb";`
	submitAndWait(ctx, t, b, `(() => { const f = document.querySelector('#infer-form').elements; f.model.value = "deepseek-v3"; f.chips.value = "16"; f.precision.value = "fp8"; `+moe+`
		document.querySelector('#infer-go').click(); })()`, `document.querySelector('#infer-status').textContent.includes("batch sizes") || document.querySelector('#infer-status.err')`)
	if s := statusOf(ctx, t, b, "infer"); strings.Contains(s, "err") {
		t.Errorf("DeepSeek-V3 with EP 16: %s", s)
	}
	st := stampOf(ctx, t, b, "infer")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#infer-form').elements; f.model.value = "llama3.1-70b"; f.precision.value = "bf16"; document.querySelector('#infer-go').click(); })()`, nil)
	waitResult(ctx, t, b, "infer", st)
	if s := statusOf(ctx, t, b, "infer"); strings.Contains(s, "err") {
		t.Errorf("Llama 3.1 70B after DeepSeek-V3 with EP 16: %s", s)
	}
	checkCleared(ctx, t, b, "infer", "parallel.ep", "expert_imbalance", "balancer")

	pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="serve"]').click()`, nil)
	st = stampOf(ctx, t, b, "serve")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#serve-form').elements; f.model.value = "mixtral-8x7b"; f["workload.requests"].value = "200"; `+
		strings.Replace(moe, `"16"`, `"8"`, 1)+` document.querySelector('#serve-go').click(); })()`, nil)
	waitResult(ctx, t, b, "serve", st)
	if s := statusOf(ctx, t, b, "serve"); strings.Contains(s, "err") {
		t.Errorf("Mixtral with EP 8: %s", s)
	}
	st = stampOf(ctx, t, b, "serve")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#serve-form').elements; f.model.value = "llama3.1-8b"; f["prefill.parallel.ep"].value = "4";
		document.querySelector('#serve-go').click(); })()`, nil)
	waitResult(ctx, t, b, "serve", st)
	if s := statusOf(ctx, t, b, "serve"); strings.Contains(s, "err") {
		t.Errorf("Llama 3.1 8B after Mixtral with EP 8: %s", s)
	}
	checkCleared(ctx, t, b, "serve", "parallel.ep", "prefill.parallel.ep", "expert_imbalance", "balancer")
}

// checkCleared: the tab's named inputs are empty and out of its link.
func checkCleared(ctx context.Context, t *testing.T, b *browser, tab string, names ...string) {
	t.Helper()
	var got struct {
		Values []string `json:"values"`
		Hash   string   `json:"hash"`
	}
	list, _ := json.Marshal(names)
	pageState(ctx, t, b, `({values: `+string(list)+`.map(n => document.querySelector('#`+tab+`-form').elements[n].value), hash: location.hash})`, &got)
	for i, n := range names {
		if got.Values[i] != "" || strings.Contains(got.Hash, url.QueryEscape(n)+"=") {
			t.Errorf("%s with a dense model: %s = %q, link %s; want it back to auto", tab, n, got.Values[i], got.Hash)
		}
	}
}
