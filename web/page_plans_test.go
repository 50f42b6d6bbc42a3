package web

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Browser test of QA's page defect: a searched MoE plan the page could
// not estimate again (its etp dropped), and a search that left the form
// without the plan it showed.

// TestBrowserSearchedPlans: QA's case. DeepSeek-V3 on 2,048 H100, TP
// empty, PP 8, micro-batch 1, Search plans: the form then holds the
// fastest plan (docs/api.md, "The page"), etp included; each of the top
// plans clicked is estimated as listed (tokens/s per chip equal, no
// refusal: "plan.ep = 256: must divide dp·cp = 128" where etp was
// dropped) and marked picked. A second search explores again what the
// first found (TP), keeping what the user stated (PP) or edited since.
func TestBrowserSearchedPlans(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#train")
	st := stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements;
		f.model.value = "deepseek-v3"; f.chips.value = "2048"; f["plan.tp"].value = ""; f["plan.pp"].value = "8"; f["plan.microbatch"].value = "1";
		document.querySelector('#train-search').click(); })()`, nil)
	waitResult(ctx, t, b, "train", st)
	if s := statusOf(ctx, t, b, "train"); strings.Contains(s, "err") {
		t.Fatalf("search: %s", s)
	}
	var best struct {
		Plan map[string]any `json:"plan"`
		Form map[string]any `json:"form"`
		N    int            `json:"n"`
	}
	pageState(ctx, t, b, `({plan: lastSearch.best.plan, n: lastSearch.plans.length,
		form: Object.fromEntries([...document.querySelector('#train-form').elements].filter(e => e.name && e.name.startsWith("plan.")).map(e => [e.name.slice(5), e.value]))})`, &best)
	for k, v := range best.Plan {
		want := ""
		switch x := v.(type) {
		case bool:
			want = map[bool]string{true: "yes", false: "no"}[x]
		case float64:
			want = jsonNum(int(x))
		case string:
			want = x
		}
		if k == "dp" {
			want = "" // left automatic
		}
		if got, ok := best.Form[k]; ok && got != want {
			t.Errorf("after the search the form's %s = %q, want the fastest plan's %q", k, got, want)
		}
	}
	if best.Form["etp"] == "" || best.Form["tp"] == "" {
		t.Errorf("after the search the form's plan is %v: want tp and etp filled (the fastest plan %v)", best.Form, best.Plan)
	}
	for i := range min(best.N, 10) {
		st = stampOf(ctx, t, b, "train")
		pageState(ctx, t, b, `document.querySelectorAll('#train-plans tbody tr')[`+itoa(i)+`].click()`, nil)
		waitResult(ctx, t, b, "train", st)
		if s := statusOf(ctx, t, b, "train"); strings.Contains(s, "err") {
			t.Errorf("plan %d: %s", i+1, s)
			continue
		}
		var got struct {
			Listed, Shown float64
			Picked        int
		}
		pageState(ctx, t, b, `({listed: lastSearch.plans[`+itoa(i)+`].tokens_per_s_per_chip,
			shown: Number(document.querySelector('#train-big [data-key="tokens_per_s"]').dataset.typ) / 2048,
			picked: [...document.querySelectorAll('#train-plans tbody tr')].findIndex(r => r.classList.contains("picked"))})`, &got)
		if math.Abs(got.Shown/got.Listed-1) > 1e-9 || got.Picked != i {
			t.Errorf("plan %d: estimated %.1f tokens/s per chip, listed %.1f; row %d marked picked", i+1, got.Shown, got.Listed, got.Picked)
		}
	}
	// A second search on 1,024 chips: TP open again, PP 8 kept; an
	// edited micro-batch kept.
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f.chips.value = "1024";
		f["plan.vpp"].value = "2"; f["plan.vpp"].dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
	var body string
	pageState(ctx, t, b, `(() => { reopenPlan(document.querySelector('#train-form')); return JSON.stringify(trainBody(document.querySelector('#train-form')).plan); })()`, &body)
	var plan map[string]any
	_ = json.Unmarshal([]byte(body), &plan)
	if _, ok := plan["tp"]; ok || plan["pp"] != 8.0 || plan["vpp"] != 2.0 || plan["microbatch"] != 1.0 {
		t.Errorf("the second search's plan %s: want tp open, pp 8 and microbatch 1 as stated, vpp 2 as edited", body)
	}
}
