package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The browser tests of issue 13, "the web page as a calculator people
// like to use": one test per problem the issue lists (each failed on the
// page before it), the charts, the phone layout and the live latency.

// pageState runs js (an expression) and decodes it into dst, failing the
// test on a script error.
func pageState(ctx context.Context, t *testing.T, b *browser, js string, dst any) {
	t.Helper()
	if err := b.eval(ctx, js, dst); err != nil {
		t.Fatal(err)
	}
}

// statusOf is a tab's status line: its class and text.
func statusOf(ctx context.Context, t *testing.T, b *browser, tab string) string {
	t.Helper()
	var s string
	pageState(ctx, t, b, `document.querySelector('#`+tab+`-status').className + ": " + document.querySelector('#`+tab+`-status').textContent`, &s)
	return s
}

// waitResult waits until the tab shows a result newer than stamp, or an
// error.
func waitResult(ctx context.Context, t *testing.T, b *browser, tab string, stamp int) {
	t.Helper()
	js := `Number(document.querySelector('#` + tab + `-out').dataset.stamp || 0) > ` + itoa(stamp) + ` || document.querySelector('#` + tab + `-status.err')`
	if err := b.waitFor(ctx, js); err != nil {
		t.Fatal(err)
	}
}

func stampOf(ctx context.Context, t *testing.T, b *browser, tab string) int {
	var n int
	pageState(ctx, t, b, `Number(document.querySelector('#`+tab+`-out').dataset.stamp || 0)`, &n)
	return n
}

func itoa(n int) string { return jsonNum(n) }

func jsonNum(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestBrowserTrainPlan: problems 1 and 5. The search respects the plan
// fields (DeepSeek-V3 on 2048 H100, TP 8, PP 8, EP 8), writes no DP into
// the form (so a new Chips still works), DP 0 is automatic, a plan's
// click keeps the plans table, and an error counting 910C devices says
// how many devices the typed chips are.
func TestBrowserTrainPlan(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#train")
	set := `(() => { const f = document.querySelector('#train-form').elements;
		f.chip.value = "h100-sxm"; f.chips.value = "2048"; f.model.value = "deepseek-v3"; f.tokens.value = "1e12";
		f["plan.tp"].value = "8"; f["plan.pp"].value = "8"; f["plan.ep"].value = "8"; f["plan.dp"].value = "";
		document.querySelector('#train-search').click(); })()`
	st := stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, set, nil)
	waitResult(ctx, t, b, "train", st)
	if s := statusOf(ctx, t, b, "train"); strings.Contains(s, "err") {
		t.Fatalf("search with the plan fields: %s", s)
	}
	var body struct {
		Plan map[string]any `json:"plan"`
	}
	var raw string
	pageState(ctx, t, b, `JSON.stringify(trainBody(document.querySelector('#train-form')))`, &raw)
	_ = json.Unmarshal([]byte(raw), &body)
	if body.Plan["tp"] != 8.0 || body.Plan["pp"] != 8.0 || body.Plan["ep"] != 8.0 || body.Plan["dp"] != nil {
		t.Errorf("the search request's plan is %v, want tp, pp, ep 8 and dp absent", body.Plan)
	}
	var best string
	pageState(ctx, t, b, `document.querySelector('#train-out > p.muted').textContent`, &best)
	if !strings.Contains(best, "tp=8") || !strings.Contains(best, "pp=8") || !strings.Contains(best, "ep=8") {
		t.Errorf("best plan %q: want the fixed tp, pp and ep", best)
	}
	var dp string
	pageState(ctx, t, b, `document.querySelector('#train-form').elements["plan.dp"].value`, &dp)
	if dp != "" {
		t.Errorf("after the search DP = %q, want it left automatic", dp)
	}
	// A plan's click estimates it and keeps the table.
	st = stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `document.querySelectorAll('#train-plans tbody tr')[1].click()`, nil)
	waitResult(ctx, t, b, "train", st)
	var rows int
	pageState(ctx, t, b, `document.querySelectorAll('#train-plans tbody tr').length`, &rows)
	if rows < 2 {
		t.Errorf("after a plan's click the plans table has %d rows, want it kept", rows)
	}
	// Chips changed after the search: still an answer (DP follows).
	st = stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f.chips.value = "1024"; document.querySelector('#train-go').click(); })()`, nil)
	waitResult(ctx, t, b, "train", st)
	if s := statusOf(ctx, t, b, "train"); strings.Contains(s, "err") {
		t.Errorf("chips changed after a search: %s", s)
	}
	// DP 0 is automatic; the MoE inputs left from DeepSeek-V3 go back to
	// automatic for a dense model.
	st = stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f.model.value = "llama3.1-70b"; f.moe_dispatch.value = "hierarchical";
		f["plan.pp"].value = "4"; f["plan.dp"].value = "0"; document.querySelector('#train-go').click(); })()`, nil)
	waitResult(ctx, t, b, "train", st)
	if s := statusOf(ctx, t, b, "train"); strings.Contains(s, "err") {
		t.Errorf("DP 0: %s", s)
	}
	// Chips, not devices.
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f.chip.value = "ascend-910c"; f.chips.value = "8192";
		f["plan.tp"].value = "8"; f["plan.pp"].value = "4"; f["plan.dp"].value = "128"; document.querySelector('#train-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#train-status .devices-note')`); err != nil {
		t.Fatalf("910C device error: %v (%s)", err, statusOf(ctx, t, b, "train"))
	}
	if s := statusOf(ctx, t, b, "train"); !strings.Contains(s, "8,192 chips are 16,384 devices") {
		t.Errorf("910C error: %q, want it to say 8,192 chips are 16,384 devices", s)
	}
}

// TestBrowserInferParallel: problem 2. Llama 3.1 405B in bf16 on 16 H100
// with PP 2 is served (the request carries the parallel block).
func TestBrowserInferParallel(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	st := stampOf(ctx, t, b, "infer")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#infer-form').elements;
		f.chip.value = "h100-sxm"; f.chips.value = "16"; f.model.value = "llama3.1-405b"; f.precision.value = "bf16";
		f["parallel.tp"].value = "8"; f["parallel.pp"].value = "2"; document.querySelector('#infer-go').click(); })()`, nil)
	waitResult(ctx, t, b, "infer", st)
	s := statusOf(ctx, t, b, "infer")
	if strings.Contains(s, "err") || !strings.Contains(s, "tp=8 pp=2") {
		t.Errorf("405B on 16 H100 with PP 2: %q", s)
	}
	var body string
	pageState(ctx, t, b, `JSON.stringify(inferBody(document.querySelector('#infer-form')).parallel)`, &body)
	if body != `{"tp":8,"pp":2}` {
		t.Errorf("parallel block sent: %s", body)
	}
}

// TestBrowserStale: problems 3 and 6. A new error greys the old result
// and says so; bad input is an error, never a silent default: no chip
// ticked, "15 trillion" tokens, TP 3 on 8 serving chips; an empty token
// count says what it leaves out.
func TestBrowserStale(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	st := stampOf(ctx, t, b, "infer")
	pageState(ctx, t, b, `document.querySelector('#infer-go').click()`, nil)
	waitResult(ctx, t, b, "infer", st)
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#infer-form').elements; f.chip.value = "ascend-910c"; f.precision.value = "fp8";
		document.querySelector('#infer-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#infer-status.err')`); err != nil {
		t.Fatal(err)
	}
	var stale struct {
		Class string `json:"class"`
		Note  string `json:"note"`
		Op    string `json:"op"`
	}
	pageState(ctx, t, b, `({class: document.querySelector('#infer-results').className, note: (document.querySelector('#infer-results .stale-note') || {}).textContent || "",
		op: getComputedStyle(document.querySelector('#infer-out')).opacity})`, &stale)
	if !strings.Contains(stale.Class, "stale") || stale.Note == "" || stale.Op == "1" {
		t.Errorf("old result under a new error: %+v, want it greyed and marked", stale)
	}
	shot(ctx, t, b, "stale.png")
	// No chip ticked.
	pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="compare"]').click();
		for (const i of document.querySelectorAll('#compare-chips input:checked')) i.checked = false; document.querySelector('#compare-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#compare-status.err')`); err != nil {
		t.Fatal(err)
	}
	if s := statusOf(ctx, t, b, "compare"); !strings.Contains(s, "tick at least one chip") {
		t.Errorf("no chip ticked: %q", s)
	}
	// Tokens as words; then empty.
	pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="train"]').click(); const f = document.querySelector('#train-form').elements;
		f.tokens.value = "15 trillion"; document.querySelector('#train-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#train-status.err')`); err != nil {
		t.Fatal(err)
	}
	var focus string
	pageState(ctx, t, b, `document.activeElement.name`, &focus)
	if s := statusOf(ctx, t, b, "train"); !strings.Contains(s, "tokens: ") || focus != "tokens" {
		t.Errorf(`"15 trillion" tokens: %q, focus %q`, s, focus)
	}
	st = stampOf(ctx, t, b, "train")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#train-form').elements; f.tokens.value = ""; document.querySelector('#train-go').click(); })()`, nil)
	waitResult(ctx, t, b, "train", st)
	var days string
	pageState(ctx, t, b, `(document.querySelector('#train-big [data-key="days"]') || {textContent: ""}).textContent`, &days)
	if !strings.Contains(days, "enter Tokens") {
		t.Errorf("no token count: the days card says %q, want it to ask for Tokens", days)
	}
	// TP 3 on 8 serving chips.
	pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="serve"]').click(); const f = document.querySelector('#serve-form').elements;
		f.chips.value = "8"; f["parallel.tp"].value = "3"; document.querySelector('#serve-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#serve-status.err')`); err != nil {
		t.Fatal(err)
	}
	if s := statusOf(ctx, t, b, "serve"); !strings.Contains(s, "tp: TP 3 does not divide 8 chips") {
		t.Errorf("TP 3 on 8 chips: %q", s)
	}
}

// setViewport emulates a screen of w×h CSS pixels (a phone: mobile).
func setViewport(ctx context.Context, t *testing.T, b *browser, w, h int, mobile bool) {
	t.Helper()
	if _, err := b.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{"width": w, "height": h, "deviceScaleFactor": 1, "mobile": mobile}); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserPhone: problem 7. At 390×844 no tab scrolls sideways, the
// chip picker starts closed so the comparison is on the first screen,
// and charts fit.
func TestBrowserPhone(t *testing.T) {
	ctx, b, base := needBrowser(t)
	setViewport(ctx, t, b, 390, 844, true)
	openPage(ctx, t, b, base+"/")
	var first struct {
		Open bool    `json:"open"`
		Top  float64 `json:"top"`
	}
	pageState(ctx, t, b, `({open: document.querySelector('#compare-picker').open, top: document.querySelector('#compare-table').getBoundingClientRect().top})`, &first)
	if first.Open || first.Top > 844 {
		t.Errorf("phone: chip picker open %v, comparison starts at %g px; want it closed and the table on the first screen", first.Open, first.Top)
	}
	shot(ctx, t, b, "phone-compare.png")
	for _, tab := range []string{"compare", "train", "infer", "serve", "run", "report", "design"} {
		pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="`+tab+`"]').click()`, nil)
		if tab == "train" || tab == "infer" {
			st := stampOf(ctx, t, b, tab)
			pageState(ctx, t, b, `document.querySelector('#`+tab+`-go').click()`, nil)
			waitResult(ctx, t, b, tab, st)
		}
		// The advanced inputs, opened, fit too.
		pageState(ctx, t, b, `document.querySelectorAll('#`+tab+` details.more').forEach(d => d.open = true)`, nil)
		time.Sleep(50 * time.Millisecond)
		var w struct {
			Scroll int `json:"scroll"`
			Inner  int `json:"inner"`
		}
		pageState(ctx, t, b, `({scroll: document.documentElement.scrollWidth, inner: innerWidth})`, &w)
		t.Logf("phone %s: page %d px wide in a 390 px screen (layout viewport %d)", tab, w.Scroll, w.Inner)
		if w.Scroll > 390 {
			var wide []string
			pageState(ctx, t, b, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391 && e.offsetParent !== null).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`, &wide)
			t.Logf("wider than the screen: %v", wide)
			t.Errorf("phone %s: the page is %d px wide, the screen %d", tab, w.Scroll, w.Inner)
			shot(ctx, t, b, "phone-"+tab+".png")
		}
		pageState(ctx, t, b, `document.querySelectorAll('#`+tab+` details.more').forEach(d => d.open = false)`, nil)
	}
	shot(ctx, t, b, "phone-infer.png")
}

// TestBrowserHelp: problem 8. Every form control has a tooltip; the
// jargon has a "?" that opens its docs/glossary.md entry; headlines say
// what they include; Escape closes the panel.
func TestBrowserHelp(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	var bare []string
	pageState(ctx, t, b, `[...document.querySelectorAll('main form')].flatMap(f => [...f.elements].filter(e => e.name && e.type !== "submit" && e.type !== "button" && e.type !== "checkbox" && !(e.title || (e.closest("label") || {}).title)).map(e => f.id + "." + e.name))`, &bare)
	if len(bare) > 0 {
		t.Errorf("fields without a tooltip: %v", bare)
	}
	var terms []string
	pageState(ctx, t, b, `[...new Set([...document.querySelectorAll('.gl')].map(g => g.dataset.term))]`, &terms)
	gloss, err := os.ReadFile(filepath.Join("..", "docs", "glossary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tp", "pp", "dp", "cp", "ep", "vpp", "zero", "tpot", "ttft", "goodput"} {
		found := false
		for _, g := range terms {
			found = found || g == want
		}
		if !found {
			t.Errorf("no glossary link for %s (links: %v)", want, terms)
		}
	}
	for _, g := range terms {
		if !strings.Contains(string(gloss), "{#"+g+"}") {
			t.Errorf("glossary link %q has no entry in docs/glossary.md", g)
		}
	}
	pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="train"]').click(); document.querySelector('#train-form .gl[data-term="zero"]').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#panel-body p[data-term="zero"]')`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.call(ctx, "Input.dispatchKeyEvent", map[string]any{"type": "keyDown", "key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27}); err != nil {
		t.Fatal(err)
	}
	var hidden bool
	pageState(ctx, t, b, `document.querySelector('#panel').hidden`, &hidden)
	if !hidden {
		t.Error("Escape left the panel open")
	}
}

// TestBrowserNumbers: problem 10. Money as $641k / $1.2M, ratios to two
// digits, durations in s, no exponent in the results, efficiency rows at
// the chosen precision.
func TestBrowserNumbers(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#compare?chips=h100-sxm,h20&model=llama3.1-70b&precision=fp8")
	var txt string
	pageState(ctx, t, b, `document.querySelector('#compare-out table').innerText`, &txt)
	if !strings.Contains(txt, "FP8 TFLOP/s per watt") || strings.Contains(txt, "BF16 TFLOP/s per watt") {
		t.Error("fp8 chosen: the per-watt row is not FP8's")
	}
	var ratios []string
	pageState(ctx, t, b, `[...document.querySelectorAll('#compare-table .ratio')].map(r => r.textContent)`, &ratios)
	for _, r := range ratios {
		if len(strings.TrimPrefix(r, "×")) > 4 {
			t.Errorf("ratio %q: want two significant digits", r)
		}
	}
	pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="train"]').click(); const f = document.querySelector('#train-form').elements;
		f.tokens.value = "15T"; f.chips.value = "1024"; document.querySelector('#train-go').click(); })()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#train-big [data-key="cost"] .num') || document.querySelector('#train-status.err')`); err != nil {
		t.Fatal(err)
	}
	var cost, step string
	pageState(ctx, t, b, `document.querySelector('#train-big [data-key="cost"] .num').textContent`, &cost)
	pageState(ctx, t, b, `document.querySelector('#train-big [data-key="step_time"] .num').textContent`, &step)
	if !strings.HasPrefix(cost, "$") || !strings.ContainsAny(cost[len(cost)-1:], "kMB") || strings.Contains(cost, ".") && len(cost) > 6 {
		t.Errorf("rental cost shown %q, want $641k / $1.2M style", cost)
	}
	if !strings.HasSuffix(step, " s") && !strings.HasSuffix(step, " ms") {
		t.Errorf("step time shown %q, want a duration with its unit", step)
	}
	// The estimate says how its estimator scores on published runs (the
	// catalog's scorecard): 1,024 H100 training a dense model.
	var scored string
	pageState(ctx, t, b, `(document.querySelector('#train-scored') || {textContent: ""}).textContent`, &scored)
	if !strings.HasPrefix(scored, "Scored on published runs: NVIDIA dense training at 1,000 GPUs or more") || !strings.Contains(scored, "published runs, none of them used in fitting") {
		t.Errorf("train scored note %q, want the 1,000-GPU NVIDIA dense training regime", scored)
	}
	// With its 19 runs the regime also gives the band they measured.
	var band string
	pageState(ctx, t, b, `(document.querySelector('#train-band') || {textContent: ""}).textContent`, &band)
	if !strings.HasPrefix(band, "Measured where the estimator predicted this (80 % band: the P10–P90 of the 19 runs scored above, widened 1.3× for the spread between sources): ") || !strings.HasSuffix(band, " tokens/s per chip") {
		t.Errorf("train band note %q, want the regime's P10–P90 band in tokens/s per chip", band)
	}
	var all string
	pageState(ctx, t, b, `[...document.querySelectorAll('main .out')].map(e => e.innerText).join("\n")`, &all)
	if strings.Contains(all, "e+") || strings.Contains(all, "M$") {
		t.Errorf("an exponent or M$ in the results: %q", all)
	}
}

// TestBrowserLive: problem 9. Compare, the training estimate and the
// inference curve follow an edit (no click) within 200 ms; a result can
// be pinned beside the next; each tab is a history entry.
func TestBrowserLive(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	edit := map[string]string{
		"compare": `(() => { const s = document.querySelector('#compare-model'); s.value = "deepseek-v3"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`,
		"train":   `(() => { const e = document.querySelector('#train-form').elements.chips; e.value = "2048"; e.dispatchEvent(new Event("input", {bubbles: true})); })()`,
		"infer":   `(() => { const e = document.querySelector('#infer-form').elements["workload.output_tokens"]; e.value = "300"; e.dispatchEvent(new Event("input", {bubbles: true})); })()`,
	}
	for _, tab := range []string{"compare", "train", "infer"} {
		pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="`+tab+`"]').click()`, nil)
		if tab != "compare" {
			st := stampOf(ctx, t, b, tab)
			pageState(ctx, t, b, `document.querySelector('#`+tab+`-go').click()`, nil)
			waitResult(ctx, t, b, tab, st)
		}
		var best float64 = 1e9
		for i := range 3 {
			st := stampOf(ctx, t, b, tab)
			js := strings.Replace(edit[tab], `"2048"`, `"`+[]string{"2048", "1024", "4096"}[i]+`"`, 1)
			js = strings.Replace(js, `"300"`, `"`+[]string{"300", "320", "280"}[i]+`"`, 1)
			js = strings.Replace(js, `"deepseek-v3"`, `"`+[]string{"deepseek-v3", "llama3.1-8b", "llama3.1-405b"}[i]+`"`, 1)
			pageState(ctx, t, b, js, nil)
			waitResult(ctx, t, b, tab, st)
			var ms float64
			pageState(ctx, t, b, `Number(document.querySelector('#`+tab+`-out').dataset.latencyMs || 1e9)`, &ms)
			t.Logf("%s: result %0.1f ms after the edit", tab, ms)
			best = min(best, ms)
			if s := statusOf(ctx, t, b, tab); strings.Contains(s, "err") {
				t.Errorf("%s live: %s", tab, s)
			}
		}
		if best > 200 {
			t.Errorf("%s: the fastest of three live updates took %.0f ms, want ≤ 200 ms", tab, best)
		}
	}
	// Pin the curve, change it: both shown, with ratios.
	pageState(ctx, t, b, `document.querySelector('#infer-form .pin').click()`, nil)
	st := stampOf(ctx, t, b, "infer")
	pageState(ctx, t, b, `(() => { const f = document.querySelector('#infer-form').elements; f.chip.value = "b200"; document.querySelector('#infer-go').click(); })()`, nil)
	waitResult(ctx, t, b, "infer", st)
	var pinned struct {
		Shown  bool `json:"shown"`
		Cards  int  `json:"cards"`
		Deltas int  `json:"deltas"`
	}
	pageState(ctx, t, b, `({shown: !document.querySelector('#infer-pin').hidden, cards: document.querySelectorAll('#infer-pin .big [data-key]').length,
		deltas: document.querySelectorAll('#infer-out .delta').length})`, &pinned)
	if !pinned.Shown || pinned.Cards == 0 || pinned.Deltas == 0 {
		t.Errorf("pinned result: %+v, want the pin shown beside the new result with ratios", pinned)
	}
	var width int
	pageState(ctx, t, b, `document.documentElement.scrollWidth`, &width)
	if width > 1280 {
		t.Errorf("with a pin the page is %d px wide in a 1280 px window", width)
	}
	shot(ctx, t, b, "pinned.png")
	// History: Back returns to the previous tab.
	pageState(ctx, t, b, `document.querySelector('#tabs button[data-tab="run"]').click()`, nil)
	pageState(ctx, t, b, `history.back()`, nil)
	if err := b.waitFor(ctx, `document.querySelector('#infer.tab.on')`); err != nil {
		t.Errorf("Back after infer → run: %v", err)
	}
}

// chartCheck is what the page shows of one chart.
type chartCheck struct {
	Key     string   `json:"key"`
	Kind    string   `json:"kind"`
	XTicks  int      `json:"x_ticks"`
	YTicks  int      `json:"y_ticks"`
	Legend  []string `json:"legend"`
	Colours []string `json:"colours"`
	Series  []string `json:"series"`
	Hover   string   `json:"hover"`
}

// checkCharts checks every drawn chart under sel: ticks on both axes, a
// legend in the series' colours, and a value read out on hover.
func checkCharts(ctx context.Context, t *testing.T, b *browser, sel string, want int) {
	t.Helper()
	var n int
	pageState(ctx, t, b, `document.querySelectorAll('`+sel+` .chart').length`, &n)
	var svgOnly []string
	pageState(ctx, t, b, `[...document.querySelectorAll('`+sel+` .chart')].filter(d => !d.chart.u).map(d => d.chart.spec.kind + ": " + d.chart.spec.title)`, &svgOnly)
	if len(svgOnly) > 0 {
		t.Logf("%s: drawn as SVG (with downloads): %v", sel, svgOnly)
	}
	if n < want {
		t.Errorf("%s: %d charts drawn, want %d", sel, n, want)
	}
	for i := range n {
		var drawn bool
		pageState(ctx, t, b, `!!document.querySelectorAll('`+sel+` .chart')[`+jsonNum(i)+`].chart.u`, &drawn)
		if !drawn {
			continue
		}
		// Hover the middle of the plot.
		var box struct{ X, Y float64 }
		pageState(ctx, t, b, `(() => { const o = document.querySelectorAll('`+sel+` .chart')[`+jsonNum(i)+`].querySelector('.u-over'); o.scrollIntoView({block: "center"});
			const r = o.getBoundingClientRect(); return {x: r.left + r.width * 0.5, y: r.top + r.height * 0.5}; })()`, &box)
		for _, dx := range []float64{0, 3} {
			if _, err := b.call(ctx, "Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": box.X + dx, "y": box.Y}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(30 * time.Millisecond)
		var c chartCheck
		pageState(ctx, t, b, `(() => { const d = document.querySelectorAll('`+sel+` .chart')[`+jsonNum(i)+`]; const u = d.chart.u, s = d.chart.spec;
			const rows = [...d.querySelectorAll('.u-legend .u-series')].slice(1);
			return {key: d.dataset.chart || "", kind: s.kind, x_ticks: (u.axes[0]._splits || []).length, y_ticks: (u.axes[1]._splits || []).length,
				legend: rows.map(r => getComputedStyle(r.querySelector('.u-label')).color),
				colours: rows.map(r => getComputedStyle(r.querySelector('.u-marker')).borderColor),
				series: s.series.map(x => x.name),
				hover: s.kind === "scatter" ? d.querySelector('.chart-readout').textContent : [...d.querySelectorAll('.u-legend .u-value')].map(v => v.textContent).join(" | ")}; })()`, &c)
		if c.XTicks < 2 || c.YTicks < 2 {
			t.Errorf("%s chart %q: %d x ticks, %d y ticks; want both axes ticked", sel, c.Key, c.XTicks, c.YTicks)
		}
		for j := range c.Legend {
			if c.Kind != "bars" && c.Legend[j] != c.Colours[j] {
				t.Errorf("%s chart %q: legend %d in %s, its series %s", sel, c.Key, j, c.Legend[j], c.Colours[j])
			}
		}
		if strings.Trim(strings.ReplaceAll(c.Hover, "–", ""), " |") == "" || c.Hover == "hover a point" {
			t.Errorf("%s chart %q: hovering shows %q", sel, c.Key, c.Hover)
		}
	}
}

// TestBrowserCharts: every chart has ticks on both axes, a coloured
// legend, hover values, the chosen point and SLO marked, and its PNG and
// CSV download (files checked on disk).
func TestBrowserCharts(t *testing.T) {
	ctx, b, base := needBrowser(t)
	dir := t.TempDir()
	if _, err := b.call(ctx, "Page.setDownloadBehavior", map[string]any{"behavior": "allow", "downloadPath": dir}); err != nil {
		t.Fatal(err)
	}
	openPage(ctx, t, b, base+"/")
	checkCharts(ctx, t, b, "#compare-out", 5)
	openPage(ctx, t, b, base+"/#infer?chip=h100-sxm&chips=8&model=llama3.1-70b&prompt=2048&output=256&precision=bf16&tpot_ms=50&ttft_ms=2000")
	if err := b.waitFor(ctx, `document.querySelector('#infer-out .chart')`); err != nil {
		t.Fatal(err)
	}
	checkCharts(ctx, t, b, "#infer-out", 2)
	var marks []string
	pageState(ctx, t, b, `[...document.querySelectorAll('#infer-out .chart')].map(d => (d.chart.spec.mark ? d.chart.spec.mark.label : "") + " / " + (d.chart.spec.limit_label || ""))`, &marks)
	for _, m := range marks {
		if !strings.HasPrefix(m, "best under the SLO") || !strings.HasSuffix(m, "SLO") {
			t.Errorf("curve chart markers %q: want the best point and the SLO line", m)
		}
	}
	// Downloads of the first curve chart.
	pageState(ctx, t, b, `(() => { const d = document.querySelector('#infer-out .chart'); d.querySelector('[data-dl="csv"]').click(); d.querySelector('[data-dl="png"]').click(); })()`, nil)
	var files []string
	for range 100 {
		files, _ = filepath.Glob(filepath.Join(dir, "*"))
		done := 0
		for _, f := range files {
			if !strings.HasSuffix(f, ".crdownload") {
				done++
			}
		}
		if done >= 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var gotPNG, gotCSV bool
	for _, f := range files {
		data, _ := os.ReadFile(f)
		switch filepath.Ext(f) {
		case ".png":
			gotPNG = len(data) > 1000 && string(data[1:4]) == "PNG"
		case ".csv":
			gotCSV = strings.HasPrefix(string(data), "series,x (tokens/s per chip),y (ms)\n") && strings.Count(string(data), "\n") > 3
		}
	}
	if !gotPNG || !gotCSV {
		t.Errorf("downloads: %v; want a PNG and the chart's CSV", files)
	}
	// The whole run's bars carry their P10–P90 band.
	openPage(ctx, t, b, base+"/#run?chip=h100-sxm&chips=1024&model=llama3.1-8b&tokens=2e11&days=0&seeds=20&seed=1")
	if err := b.waitFor(ctx, `document.querySelector('#run-out .chart')`); err != nil {
		t.Fatal(err)
	}
	checkCharts(ctx, t, b, "#run-out", 1)
	var band bool
	pageState(ctx, t, b, `!!document.querySelector('#run-out .chart').chart.spec.series[0].hi`, &band)
	if !band {
		t.Error("run chart: no P10–P90 band")
	}
	shot(ctx, t, b, "charts-run.png")
	// Nothing left this server: every resource the page loaded is ours.
	var res []string
	pageState(ctx, t, b, `performance.getEntriesByType("resource").map(e => e.name).concat([location.href])`, &res)
	for _, r := range res {
		if !strings.HasPrefix(r, base+"/") {
			t.Errorf("the page loaded %s, outside %s", r, base)
		}
	}
	t.Logf("%d resources loaded, all from %s", len(res), base)
}

// TestBrowserForms: issue 13, "build the forms from the request structs".
// Each built tab's inputs are exactly the fields GET /api/forms/{job}
// lists (less those it marks omit), named by their JSON paths; a request
// the form builds with advanced (nested) fields set gets the answer the
// API gives for the same body.
func TestBrowserForms(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	for _, tc := range []struct {
		tab, job, set, post, key, path string
		scale                          float64
	}{
		{"train", "train", `f["plan.etp"].value = ""; f.chips.value = "512"; f.stack_date.value = ""`, "train/estimate", "mfu", "mfu", 100},
		{"infer", "infer", `f["speculative.tokens"].value = "1"; f["speculative.acceptance"].value = "0.8"; f.kv_precision.value = "fp8"; f["parallel.dp"].value = ""`,
			"infer/curve", "throughput", "best.output_tokens_per_s_per_chip", 1},
		{"serve", "simulate", `f.model.value = "llama3.1-8b"; f["parallel.tp"].value = "1"; f["workload.requests"].value = "300"; f["workload.arrival"].value = "gamma";
			f["workload.cv"].value = "3"; f.router.value = "round-robin"; f["slo.percentile"].value = "0.9"`, "serve/simulate", "ttft_p50", "result.ttft_ms.p50", 1},
		{"run", "run", `f.model.value = "llama3.1-8b"; f.chips.value = "1024"; f.tokens.value = "2e11"; f.seeds.value = "20"; f.checkpoint.value = "blocking"; f.interval.value = "30min"`,
			"run/simulate", "total_days", "result.total_days.p50", 1},
	} {
		var form struct {
			Fields []struct{ Name, Omit string }
		}
		getJSON(t, base+"/api/forms/"+tc.job, &form)
		var want []string
		for _, f := range form.Fields {
			if f.Omit == "" && !(tc.tab == "train" && f.Name == "ranges") {
				want = append(want, f.Name)
			}
		}
		var got []string
		pageState(ctx, t, b, `[...document.querySelector('#`+tc.tab+`-form').elements].filter(e => e.name && e.type !== "submit" && e.type !== "button").map(e => e.name)`, &got)
		if !sameSet(got, want) {
			t.Errorf("%s form: inputs %v, want the request's fields %v", tc.tab, got, want)
		}
		st := stampOf(ctx, t, b, tc.tab)
		pageState(ctx, t, b, `(() => { document.querySelector('#tabs button[data-tab="`+tc.tab+`"]').click(); const f = document.querySelector('#`+tc.tab+`-form').elements; `+
			tc.set+`; document.querySelector('#`+tc.tab+`-go').click(); })()`, nil)
		waitResult(ctx, t, b, tc.tab, st)
		if s := statusOf(ctx, t, b, tc.tab); strings.Contains(s, "err") {
			t.Errorf("%s: %s", tc.tab, s)
			continue
		}
		var body string
		pageState(ctx, t, b, `JSON.stringify(`+tc.tab+`Body(document.querySelector('#`+tc.tab+`-form')))`, &body)
		var api map[string]any
		postJSON(t, base+"/api/"+tc.post, body, &api)
		var shown float64
		pageState(ctx, t, b, `Number((document.querySelector('#`+tc.tab+`-big [data-key="`+tc.key+`"]') || {dataset: {typ: "NaN"}}).dataset.typ)`, &shown)
		var v any = api
		for _, k := range strings.Split(tc.path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		w, ok := v.(float64)
		if !ok || shown != w*tc.scale && !near(shown, w*tc.scale, 1e-12) {
			t.Errorf("%s: page shows %s %g for %s; the API answers %v", tc.tab, tc.key, shown, body, v)
		}
		t.Logf("%s: %d inputs; %s = %g for %s", tc.tab, len(got), tc.key, shown, body)
	}
	// The advanced groups are closed: the first screen is the usual form.
	var open int
	pageState(ctx, t, b, `document.querySelectorAll('main form details.more[open]').length`, &open)
	if open != 0 {
		t.Errorf("%d advanced groups open on load", open)
	}
}

// sameSet reports whether a and b hold the same names (each once).
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x] != 1 {
			return false
		}
		delete(m, x)
	}
	return len(m) == 0
}
