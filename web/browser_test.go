package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"chipgap/calc"
	"chipgap/examples"
)

// The browser tests drive the real page in headless Chromium. They run
// only when CHIPGAP_BROWSER=1 (set by .ci/web, which installs Chromium);
// CHIPGAP_CHROMIUM overrides the binary, and CHIPGAP_WEB_URL points them
// at a running "chipgap web" (e.g. http://127.0.0.1:8080) instead of an
// in-process server.

func needBrowser(t *testing.T) (context.Context, *browser, string) {
	t.Helper()
	if os.Getenv("CHIPGAP_BROWSER") != "1" {
		t.Skip("browser test: set CHIPGAP_BROWSER=1 (the .ci/web script does) to run it")
	}
	bin := os.Getenv("CHIPGAP_CHROMIUM")
	if bin == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				bin = p
				break
			}
		}
	}
	if bin == "" {
		t.Fatal("CHIPGAP_BROWSER=1 but no chromium on PATH (set CHIPGAP_CHROMIUM)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	b, err := startBrowser(ctx, bin)
	if err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(b.close)
	// Every page the test opens records script errors, unhandled
	// rejections and content-security-policy violations; the test fails
	// on any.
	watch := `window.__errors = [];
		addEventListener("securitypolicyviolation", e => __errors.push("csp " + e.violatedDirective + " " + e.blockedURI));
		addEventListener("error", e => __errors.push("error " + e.message));
		addEventListener("unhandledrejection", e => __errors.push("rejection " + e.reason));`
	if _, err := b.call(ctx, "Page.enable", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.call(ctx, "Page.addScriptToEvaluateOnNewDocument", map[string]any{"source": watch}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var errs []string
		if err := b.eval(ctx, `window.__errors`, &errs); err != nil || errs == nil || len(errs) > 0 {
			t.Errorf("the page's error watch: %v, %v", errs, err)
		}
		// No result shows a JavaScript placeholder instead of a number.
		var junk string
		js := `[...document.querySelectorAll("main .tab > div, #panel-body")].map(e => e.innerText).join("\n").match(/\b(null|undefined|NaN|Infinity|\[object Object\])\b/g)?.join(", ") ?? ""`
		if err := b.eval(ctx, js, &junk); err != nil || junk != "" {
			t.Errorf("the page shows %q (%v)", junk, err)
		}
	})
	if u := os.Getenv("CHIPGAP_WEB_URL"); u != "" {
		return ctx, b, strings.TrimSuffix(u, "/")
	}
	srv := httptest.NewServer((&Server{}).Handler())
	t.Cleanup(srv.Close)
	return ctx, b, srv.URL
}

// TestBrowserCompare loads the page, checks the landing comparison is
// drawn, then ticks another chip, clicks Compare and checks every rendered
// number against GET /api/compare for the same selection.
func TestBrowserCompare(t *testing.T) {
	ctx, b, base := needBrowser(t)
	start := time.Now()
	if err := b.navigate(ctx, base+"/"); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.body && document.body.dataset.ready === "1" && document.querySelector("#compare-table td.v")`); err != nil {
		t.Fatal(err)
	}
	t.Logf("landing comparison drawn %v after navigation", time.Since(start).Round(time.Millisecond))
	click := `(() => { for (const id of ["ascend-910b"]) document.querySelector('#compare-chips input[value="'+id+'"]').click();
		document.querySelector('#compare-chips input[value="gaudi3"]').click();
		document.querySelector('#compare-model').value = "deepseek-v3";
		document.querySelector('#compare-go').click(); })()`
	if err := b.eval(ctx, click, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#compare-table th[data-chip="gaudi3"]')`); err != nil {
		t.Fatal(err)
	}
	var hash string
	if err := b.eval(ctx, `location.hash`, &hash); err != nil {
		t.Fatal(err)
	}
	q := strings.SplitN(hash, "?", 2)
	if len(q) != 2 || !strings.Contains(q[1], "gaudi3") || strings.Contains(q[1], "ascend-910b%2C") {
		t.Fatalf("page hash after clicking = %q, want the new selection (gaudi3 in, ascend-910b out)", hash)
	}
	var api comparison
	getJSON(t, base+"/api/compare?"+q[1], &api)
	checkRendered(ctx, t, b, api)
	// Drill into a cell: the panel lists that cell's sources, titled.
	if err := b.eval(ctx, `document.querySelector('#compare-table tr[data-row="hbm_bandwidth"] td.v').click()`, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#panel-body li[data-source]')`); err != nil {
		t.Fatal(err)
	}
	var keys []string
	_ = b.eval(ctx, `[...document.querySelectorAll('#panel-body li[data-source]')].map(li => li.dataset.source)`, &keys)
	for _, r := range api.Rows {
		if r.Key == "hbm_bandwidth" && strings.Join(keys, ",") != strings.Join(r.Cells[0].Sources, ",") {
			t.Errorf("sources panel for %s HBM bandwidth lists %v, API cites %v", api.Chips[0].ID, keys, r.Cells[0].Sources)
		}
	}
	shot(ctx, t, b, "compare.png")
}

// renderedCell is what the page shows in one comparison cell.
type renderedCell struct {
	Row  string  `json:"row"`
	Chip string  `json:"chip"`
	Typ  float64 `json:"typ"`
	Text string  `json:"text"`

	exact float64 // the API's typ/scale
}

// checkRendered compares every cell of the page's comparison table with
// the API's: the same rows and chips in order, each number's data-typ
// equal to the API's typ and its text equal to typ/scale to 4 digits.
func checkRendered(ctx context.Context, t *testing.T, b *browser, api comparison) {
	t.Helper()
	var cells []renderedCell
	js := `(() => { const chips = [...document.querySelectorAll('#compare-table th[data-chip]')].map(th => th.dataset.chip);
		const out = [];
		for (const tr of document.querySelectorAll('#compare-table tbody tr')) {
			[...tr.querySelectorAll('td')].slice(1).forEach((td, i) => {
				const n = td.querySelector('.num');
				out.push({row: tr.dataset.row, chip: chips[i], typ: td.dataset.typ ? Number(td.dataset.typ) : 0, text: n ? n.textContent : ""});
			});
		}
		return out; })()`
	if err := b.eval(ctx, js, &cells); err != nil {
		t.Fatal(err)
	}
	var want []renderedCell
	for _, r := range api.Rows {
		for i, c := range r.Cells {
			rc := renderedCell{Row: r.Key, Chip: api.Chips[i].ID}
			if c.Known {
				rc.Typ = c.Typ
				rc.exact = c.Typ / r.Scale
				rc.Text = strconv.FormatFloat(rc.exact, 'g', 4, 64)
			}
			want = append(want, rc)
		}
	}
	if len(cells) != len(want) {
		t.Fatalf("page shows %d cells, API returns %d", len(cells), len(want))
	}
	for i, w := range want {
		got := cells[i]
		if got.Row != w.Row || got.Chip != w.Chip || !near(got.Typ, w.Typ, 1e-12) {
			t.Errorf("cell %d: page (%s, %s, typ %g), API (%s, %s, typ %g)", i, got.Row, got.Chip, got.Typ, w.Row, w.Chip, w.Typ)
			continue
		}
		if w.Text == "" {
			continue
		}
		shown, err := strconv.ParseFloat(strings.ReplaceAll(got.Text, ",", ""), 64)
		// Four significant digits: within half a unit of the 4th digit.
		if err != nil || !near(shown, w.exact, 5.01e-4) {
			t.Errorf("%s/%s: page shows %q, API typ/scale = %s", w.Row, w.Chip, got.Text, w.Text)
		}
	}
}

// parseShown reads a number as the page writes it: 1,234, $641k, $1.2M,
// 15.3 s or 850 ms (durations in ms).
func parseShown(text string) (float64, error) {
	s := strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(text), "$"), ",", ""))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{" ms", 1}, {" min", 60e3}, {" s", 1e3}, {" h", 3.6e6}, {"k", 1e3}, {"M", 1e6}, {"B", 1e9}, {"T", 1e12}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return v * mult, err
}

// near reports |a-b| <= tol·max(|a|,|b|).
func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

func getJSON(t *testing.T, url string, dst any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// shot saves a screenshot into $CHIPGAP_SCREENSHOTS (default: the test's
// temporary directory), for a person to look at when a test fails.
func shot(ctx context.Context, t *testing.T, b *browser, name string) {
	t.Helper()
	dir := os.Getenv("CHIPGAP_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := b.screenshot(ctx, filepath.Join(dir, name)); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}

// TestBrowserTrainEstimate opens the training tab, fills the form, clicks
// Estimate and checks the headline numbers (days, cost, MFU, step time,
// throughput and their ranges) against POST /api/train/estimate with the
// same body.
func TestBrowserTrainEstimate(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	fill := `(() => {
		document.querySelector('#tabs button[data-tab="train"]').click();
		const f = document.querySelector('#train-form').elements;
		f.chip.value = "ascend-910c"; f.chips.value = "512"; f.model.value = "llama3.1-70b";
		f.tokens.value = "2e12"; f.seq.value = "4096"; f.global_batch.value = "512";
		f["plan.tp"].value = "8"; f["plan.pp"].value = "4"; f["plan.dp"].value = ""; f["plan.zero"].value = "1"; f["plan.sequence_parallel"].value = "yes"; f["plan.recompute"].value = "selective";
		document.querySelector('#train-go').click(); })()`
	submitAndWait(ctx, t, b, fill, `document.querySelector('#train-big [data-key="days"]') || document.querySelector('#train-status.err')`)
	var status string
	_ = b.eval(ctx, `document.querySelector('#train-status').className + ": " + document.querySelector('#train-status').textContent`, &status)
	if strings.HasPrefix(status, "status err") {
		t.Fatalf("page shows an error: %s", status)
	}
	var body string
	if err := b.eval(ctx, `JSON.stringify(trainBody(document.querySelector('#train-form')))`, &body); err != nil {
		t.Fatal(err)
	}
	var api calc.TrainView
	postJSON(t, base+"/api/train/estimate", body, &api)
	if api.Chip != "ascend-910c" || api.Chips != 512 || api.Plan.TP != 8 || api.Plan.PP != 4 {
		t.Fatalf("page sent %s: want the form's chip, chips and plan", body)
	}
	var shown []headline
	js := `[...document.querySelectorAll('#train-big > div')].map(d => ({key: d.dataset.key, typ: Number(d.dataset.typ),
		scale: Number(d.dataset.scale), text: d.querySelector('.num').textContent, range: (d.querySelector('.rng') || {}).textContent || ""}))`
	if err := b.eval(ctx, js, &shown); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"days": float64(api.BudgetTime), "mfu": api.MFU * 100, "step_time": float64(api.StepTime) * 1e3, "tokens_per_s": api.TokensPerSec}
	if api.Cost != nil {
		want["cost"] = float64(api.Cost.Typ)
	}
	if len(shown) != len(want) {
		t.Errorf("page shows %d headline numbers, want %d (%v)", len(shown), len(want), shown)
	}
	for _, s := range shown {
		w, ok := want[s.Key]
		if !ok {
			t.Errorf("unexpected headline %q", s.Key)
			continue
		}
		v, err := parseShown(s.Text)
		if !near(s.Typ, w, 1e-12) || err != nil || !near(v, w/s.Scale, 5.01e-3) {
			t.Errorf("%s: page shows %q (data %g), API gives %g", s.Key, s.Text, s.Typ, w)
		}
	}
	if lo, hi := api.Ranges.Low, api.Ranges.High; lo != nil && hi != nil && float64(lo.Time) != float64(hi.Time) {
		checkRange(t, shown, "days", float64(lo.Time), float64(hi.Time))
	}
	shot(ctx, t, b, "train.png")
	// The address reopens the same estimate.
	var hash string
	_ = b.eval(ctx, `location.hash`, &hash)
	if err := b.navigate(ctx, "about:blank"); err != nil {
		t.Fatal(err)
	}
	if err := b.navigate(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#train-big [data-key="days"]')`); err != nil {
		t.Fatalf("shared link %s: %v", hash, err)
	}
	var days float64
	_ = b.eval(ctx, `Number(document.querySelector('#train-big [data-key="days"]').dataset.typ)`, &days)
	if !near(days, float64(api.BudgetTime), 1e-12) {
		t.Errorf("shared link %s shows %g days, want %g", hash, days, float64(api.BudgetTime))
	}
}

// headline is one big number the page shows.
type headline struct {
	Key   string  `json:"key"`
	Typ   float64 `json:"typ"`
	Scale float64 `json:"scale"`
	Text  string  `json:"text"`
	Range string  `json:"range"`
}

// checkRange checks headline key shows "range a–b" with a, b the API's
// corners (in either order) to four significant digits.
func checkRange(t *testing.T, shown []headline, key string, x, y float64) {
	t.Helper()
	for _, h := range shown {
		if h.Key != key {
			continue
		}
		lo, hi, ok := strings.Cut(strings.TrimPrefix(h.Range, "range "), "–")
		a, err1 := parseShown(lo)
		b, err2 := parseShown(hi)
		if !ok || err1 != nil || err2 != nil || !near(a, min(x, y)/h.Scale, 5.01e-3) || !near(b, max(x, y)/h.Scale, 5.01e-3) {
			t.Errorf("%s range shown %q, want %g–%g", key, h.Range, min(x, y)/h.Scale, max(x, y)/h.Scale)
		}
		return
	}
	t.Errorf("no %s headline shown", key)
}

func postJSON(t *testing.T, url, body string, dst any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s %s: %s", url, body, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserReport edits the built-in scenario (fewer samples), builds
// the gap report, checks the systems table against POST /api/report for
// the same text, then reopens the shared URL and finds the edited
// scenario restored and re-run.
func TestBrowserReport(t *testing.T) {
	ctx, b, base := needBrowser(t)
	if err := b.navigate(ctx, base+"/#report"); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.body && document.body.dataset.ready === "1" && document.querySelector('#report-form').elements.scenario.value.includes('"samples": 1000')`); err != nil {
		t.Fatal(err)
	}
	edit := `(() => { const ta = document.querySelector('#report-form').elements.scenario;
		ta.value = ta.value.replace('"samples": 1000', '"samples": 40'); document.querySelector('#report-go').click(); })()`
	if err := b.eval(ctx, edit, nil); err != nil {
		t.Fatal(err)
	}
	ready := `document.querySelector('#report-systems td[data-stat="total_days"]') || document.querySelector('#report-status.err')`
	if err := b.waitFor(ctx, ready); err != nil {
		t.Fatal(err)
	}
	var text, hash string
	if err := b.eval(ctx, `document.querySelector('#report-form').elements.scenario.value`, &text); err != nil {
		t.Fatal(err)
	}
	_ = b.eval(ctx, `location.hash`, &hash)
	body, _ := json.Marshal(calc.ReportRequest{Scenario: text})
	var api reportResponse
	postJSON(t, base+"/api/report", string(body), &api)
	if api.Results.Samples != 40 {
		t.Fatalf("API ran %d samples, want the edited 40", api.Results.Samples)
	}
	var cells []struct {
		System string  `json:"system"`
		P50    float64 `json:"p50"`
	}
	js := `[...document.querySelectorAll('#report-systems tbody tr')].map(tr => ({system: tr.dataset.system,
		p50: Number((tr.querySelector('td[data-stat="total_days"]') || {dataset: {p50: "NaN"}}).dataset.p50)}))`
	if err := b.eval(ctx, js, &cells); err != nil {
		t.Fatal(err)
	}
	if len(cells) != len(api.Results.Systems) {
		t.Fatalf("page shows %d systems, API %d", len(cells), len(api.Results.Systems))
	}
	for i, sy := range api.Results.Systems {
		w := sy.Stats["total_days"].P50
		if cells[i].System != sy.System.Label || !(near(cells[i].P50, w, 1e-12) || math.IsNaN(cells[i].P50) && (math.IsNaN(w) || math.IsInf(w, 0))) {
			t.Errorf("system %d: page %s %g total days, API %s %g", i, cells[i].System, cells[i].P50, sy.System.Label, w)
		}
	}
	// A cell whose estimate at typical values lies outside its P10–P90
	// is marked as the report's text marks it, and the note under the
	// table says what the mark means; the others are not.
	var texts []string
	_ = b.eval(ctx, `[...document.querySelectorAll('#report-systems tbody tr')].map(tr => (tr.querySelector('td[data-stat="total_days"]') || {textContent: ""}).textContent)`, &texts)
	marked := false
	for i, sy := range api.Results.Systems {
		st, ok := sy.Stats["total_days"]
		if !ok || i >= len(texts) {
			continue
		}
		side := ""
		if st.Typ < st.P10 {
			side = "below"
		} else if st.Typ > st.P90 {
			side = "above"
		}
		if got := strings.Contains(texts[i], "(typical "+side+": "); side != "" && !got || side == "" && strings.Contains(texts[i], "(typical ") {
			t.Errorf("%s total days cell %q: typical %g against P10–P90 %g–%g (%q)", sy.System.Label, texts[i], st.Typ, st.P10, st.P90, side)
		}
		marked = marked || side != ""
	}
	var glance string
	_ = b.eval(ctx, `document.querySelector('#report-systems').closest('div').nextElementSibling.textContent`, &glance)
	if marked && !strings.Contains(glance, api.Report.TypicalLegend) {
		t.Errorf("marked cells, but the note under the table %q lacks the legend %q", glance, api.Report.TypicalLegend)
	}
	// "What you would have to believe": both break-even charts are drawn
	// (a curve per recovery time or efficiency, plus the claim's two
	// bounds), the region map has a cell per (recovery, failure) point,
	// and the section states the API's failure-rate window.
	var believe struct {
		Charts []int  `json:"charts"`
		Cells  int    `json:"cells"`
		Text   string `json:"text"`
	}
	_ = b.eval(ctx, `(() => { const s = document.querySelector('[data-section="believe"]');
		const cs = s ? [...s.querySelectorAll('[data-chart]')] : [];
		return {charts: cs.map(d => d.chart ? d.chart.spec.series.length : 0),
			cells: cs.length > 2 && cs[2].chart ? cs[2].chart.spec.z.length * cs[2].chart.spec.z[0].length : 0,
			text: s ? s.textContent : ""}; })()`, &believe)
	if bl := api.Results.Believe; bl == nil || len(believe.Charts) != 3 ||
		believe.Charts[0] != len(bl.ByFailure)+2 || believe.Charts[1] != len(bl.ByPort)+2 ||
		believe.Cells != len(bl.Map.Recovery)*len(bl.Map.Failure) {
		t.Errorf("believe section charts: %v lines and %d map cells, want %d and %d lines (curves + the claim's bounds) and %d cells", believe.Charts, believe.Cells,
			len(api.Results.Believe.ByFailure)+2, len(api.Results.Believe.ByPort)+2, len(api.Results.Believe.Map.Recovery)*len(api.Results.Believe.Map.Failure))
	} else if w := bl.FailWindows[2]; !strings.Contains(believe.Text, fmt.Sprintf("%.2f×–%.2f× at 15 min", w.Lo, w.Hi)) {
		t.Errorf("believe section does not state the 15 min window %.2f×–%.2f×", w.Lo, w.Hi)
	}
	shot(ctx, t, b, "report.png")
	// Long source URLs wrap: the page is no wider than the window, on a
	// desktop and on a phone.
	for _, w := range []int{1280, 390} {
		setViewport(ctx, t, b, w, 844, w < 500)
		time.Sleep(300 * time.Millisecond) // the charts follow the width
		var width int
		_ = b.eval(ctx, `(() => { document.querySelectorAll('.figure-rows').forEach(x => x.hidden = false); return document.documentElement.scrollWidth; })()`, &width)
		t.Logf("report drawn at %d px: the page is %d px wide", w, width)
		if width > w {
			var wide []string
			_ = b.eval(ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+strconv.Itoa(w+1)+` && e.offsetParent !== null && !e.closest('nav')).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`, &wide)
			t.Errorf("report at %d px: the page is %d px wide (%v)", w, width, wide)
		}
	}
	setViewport(ctx, t, b, 1280, 900, false)
	checkCharts(ctx, t, b, "#report-out", 8)
	checkReportEditor(ctx, t, b)
	// The shared link restores the edited scenario and re-runs it.
	if !strings.Contains(hash, "z=") {
		t.Fatalf("hash after an edited run = %q, want the packed scenario", hash)
	}
	if err := b.navigate(ctx, "about:blank"); err != nil {
		t.Fatal(err)
	}
	if err := b.navigate(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.body && document.body.dataset.ready === "1" && document.querySelector('#report-systems')`); err != nil {
		t.Fatal(err)
	}
	var restored string
	_ = b.eval(ctx, `document.querySelector('#report-form').elements.scenario.value`, &restored)
	if restored != text {
		t.Errorf("shared link restored a scenario of %d bytes, want the edited %d bytes", len(restored), len(text))
	}
}

// checkReportEditor: the form's fields rewrite the scenario; an error
// selects its line in the numbered editor.
func checkReportEditor(ctx context.Context, t *testing.T, b *browser) {
	t.Helper()
	var got struct {
		Chips  string `json:"chips"`
		Lines  string `json:"lines"`
		Source int    `json:"source"`
	}
	_ = b.eval(ctx, `(() => { const f = document.querySelector('#report-form').elements; const e = f["sc.training.chips"];
		e.value = "4096"; e.dispatchEvent(new Event("change", {bubbles: true}));
		const ta = f.scenario; return {chips: String(JSON.parse(ta.value).training.chips), lines: document.querySelector('#report-form .gutter').dataset.lines,
			source: ta.value.split("\n").length}; })()`, &got)
	if got.Chips != "4096" || got.Lines != strconv.Itoa(got.Source) {
		t.Errorf("report form: training chips %s in the scenario, gutter %s lines of %d; want 4096 and every line numbered", got.Chips, got.Lines, got.Source)
	}
	bad := `(() => { const ta = document.querySelector('#report-form').elements.scenario; const lines = ta.value.split("\n");
		const i = lines.findIndex(l => l.includes('"chips": 4096')); lines[i] = lines[i].replace("4096", "-5"); ta.value = lines.join("\n");
		document.querySelector('#report-go').click(); return i + 1; })()`
	var line int
	if err := b.eval(ctx, bad, &line); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#report-status.err') && document.querySelector('#report-form').elements.scenario.dataset.errorLine`); err != nil {
		t.Fatal(err)
	}
	var sel struct {
		Line  string `json:"line"`
		Text  string `json:"text"`
		Stale bool   `json:"stale"`
	}
	_ = b.eval(ctx, `(() => { const ta = document.querySelector('#report-form').elements.scenario;
		return {line: ta.dataset.errorLine, text: ta.value.slice(ta.selectionStart, ta.selectionEnd), stale: document.querySelector('#report-results').classList.contains('stale')}; })()`, &sel)
	if sel.Line != strconv.Itoa(line) || !strings.Contains(sel.Text, `"chips": -5`) || !sel.Stale {
		t.Errorf("report error: line %s selected (%q), stale %v; want line %d selected and the old report greyed", sel.Line, sel.Text, sel.Stale, line)
	}
	_ = b.eval(ctx, `(() => { const ta = document.querySelector('#report-form').elements.scenario; ta.value = ta.value.replace('"chips": -5', '"chips": 4096'); })()`, nil)
}

// TestBrowserInference draws the curve for a form the test fills and
// checks the best point and the table against POST /api/infer/curve.
// runInferForm fills the inference form (fill clicks it), waits for the
// curve or an error, and posts the body the page sent to the API: the
// API's answer and that body.
func runInferForm(ctx context.Context, t *testing.T, b *browser, base, fill string) (curveResponse, string) {
	t.Helper()
	submitAndWait(ctx, t, b, fill, `document.querySelector('#infer-points tbody tr') || document.querySelector('#infer-status.err')`)
	var body string
	if err := b.eval(ctx, `JSON.stringify(inferBody(document.querySelector('#infer-form')))`, &body); err != nil {
		t.Fatal(err)
	}
	var api curveResponse
	postJSON(t, base+"/api/infer/curve", body, &api)
	return api, body
}

func TestBrowserInference(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	fill := `(() => { const f = document.querySelector('#infer-form').elements;
		f.chip.value = "mi300x"; f.chips.value = "8"; f.model.value = "llama3.1-70b"; f.precision.value = "fp8";
		f["workload.input_tokens"].value = "1024"; f["workload.output_tokens"].value = "512"; f["slo.tpot"].value = "40ms"; f["slo.ttft"].value = "3s";
		document.querySelector('#infer-go').click(); })()`
	api, _ := runInferForm(ctx, t, b, base, fill)
	var rows int
	var best float64
	_ = b.eval(ctx, `document.querySelectorAll('#infer-points tbody tr').length`, &rows)
	_ = b.eval(ctx, `Number((document.querySelector('#infer-big [data-key="throughput"]') || {dataset: {typ: "0"}}).dataset.typ)`, &best)
	if rows != len(api.Curve) {
		t.Errorf("page shows %d curve points, API %d", rows, len(api.Curve))
	}
	if api.Best == nil || !near(best, api.Best.OutputPerChip, 1e-12) {
		t.Errorf("page shows best %g tokens/s per chip, API %+v", best, api.Best)
	}
	// How the serving estimator scores on published runs: MI300X dense
	// serving is OCI's run and AMD's own vLLM table, nine runs.
	var scored string
	_ = b.eval(ctx, `(document.querySelector('#infer-scored') || {textContent: ""}).textContent`, &scored)
	if !strings.HasPrefix(scored, "Scored on published runs: AMD MI300X dense serving") || !strings.Contains(scored, "over 9 published runs, none of them used in fitting") {
		t.Errorf("infer scored note %q, want the AMD dense serving regime", scored)
	}
	// Nine runs are too few for a P10–P90 band (catalog.MinBandRuns).
	var bands int
	_ = b.eval(ctx, `document.querySelectorAll('#infer-band').length`, &bands)
	if bands != 0 || api.MeasuredBand != nil {
		t.Errorf("a measured band from 9 runs: page %d, API %+v", bands, api.MeasuredBand)
	}
	var svgs int
	_ = b.eval(ctx, `[...document.querySelectorAll('#infer-out [data-chart]')].filter(d => d.chart && d.chart.u).length`, &svgs)
	if svgs != 2 {
		t.Errorf("page shows %d curve charts, want TPOT and TTFT", svgs)
	}
	// The best point's step breakdown, as serve-estimate prints it.
	var step string
	_ = b.eval(ctx, `(document.querySelector('#infer-step') || {textContent: ""}).textContent`, &step)
	if !strings.HasPrefix(step, "step ") || !strings.Contains(step, "compute") || !strings.Contains(step, "overhead") {
		t.Errorf("page's step breakdown %q, want the best point's step = compute + memory + comm + overhead", step)
	}
	// A host-bound TensorRT-LLM step names its eager launches, as
	// serve-estimate does (the 16.8 ms of Qwen3-30B-A3B's 48 layers).
	var eager string
	_ = b.eval(ctx, `stepNote({time: 0.0637, compute: 0.002, memory: 0.029, comm: 0, overhead: 0.0327, host: 0.0637, eager: 0.0168, bound: "host"}).textContent`, &eager)
	if !strings.Contains(eager, "host 63.7 ms per step (of which 16.8 ms launching the layers eagerly") || !strings.Contains(eager, "it sets the step") {
		t.Errorf("step note with eager launches %q, want the host time and its eager part", eager)
	}
}

// TestBrowserWholeRun simulates a small run as a job (the page polls its
// progress) and checks the P50 total days against the synchronous API
// answer for the same body and seed.
func TestBrowserWholeRun(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#run")
	fill := `(() => { const f = document.querySelector('#run-form').elements;
		f.chip.value = "ascend-910b"; f.chips.value = "1024"; f.model.value = "llama3.1-8b";
		f.tokens.value = "2e11"; f.days.value = "0"; f.seeds.value = "30"; f.seed.value = "7";
		document.querySelector('#run-go').click(); })()`
	submitAndWait(ctx, t, b, fill, `document.querySelector('#run-big [data-key="total_days"]') || document.querySelector('#run-status.err')`)
	var body string
	if err := b.eval(ctx, `JSON.stringify(runBody(document.querySelector('#run-form')))`, &body); err != nil {
		t.Fatal(err)
	}
	var api calc.RunView
	postJSON(t, base+"/api/run/simulate", body, &api)
	var p50 float64
	_ = b.eval(ctx, `Number(document.querySelector('#run-big [data-key="total_days"]').dataset.typ)`, &p50)
	var closed string
	_ = b.eval(ctx, `document.querySelector('#run-big [data-key="closed"] .muted').textContent`, &closed)
	if !strings.Contains(closed, "porting included") {
		t.Errorf("closed-form headline %q: want it to say what it includes", closed)
	}
	if api.Result.Seeds != 30 || !near(p50, api.Result.Total.P50, 1e-12) {
		t.Errorf("page shows P50 %g total days, API %g over %d seeds (same seed: want identical)", p50, api.Result.Total.P50, api.Result.Seeds)
	}
}

// TestBrowserServe runs a small serving simulation from its panel (a job
// the page polls; the form holds values that do not apply, a sigma on a
// fixed length, a cv without gamma arrivals, an acceptance without draft
// tokens, which the page leaves out by their needs) and checks the rendered P50 TTFT and throughput against
// POST /api/serve/simulate for the same body (same seed: identical), that
// the queue and KV charts are drawn, and that the address re-runs it;
// then sweeps two rates and checks the sweep table and chart.
func TestBrowserServe(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#serve")
	checkServeErrors(ctx, t, b)
	fill := `(() => { const f = document.querySelector('#serve-form').elements;
		f.model.value = "llama3.1-8b"; f.chip.value = "h100-sxm"; f.chips.value = "2"; f["parallel.tp"].value = "1"; f.precision.value = "bf16";
		f["workload.rate"].value = "6"; f["workload.requests"].value = "600"; f["workload.seed"].value = "5";
		f["workload.input.tokens"].value = "800"; f["workload.input.dist"].value = "lognormal"; f["workload.input.sigma"].value = "0.7";
		f["workload.output.tokens"].value = "150"; f["workload.output.dist"].value = "fixed"; f["slo.ttft"].value = "1000ms"; f["slo.tpot"].value = "40ms";
		f["workload.cv"].value = "3"; f["speculative.acceptance"].value = "0.6";
		document.querySelector('#serve-go').click(); })()`
	if err := b.eval(ctx, fill, nil); err != nil {
		t.Fatal(err)
	}
	api := checkServePanel(ctx, t, b, base, 2)
	shot(ctx, t, b, "serve.png")
	if api.Result.Requests != 600 || api.Result.Completed != 600 {
		t.Errorf("API simulated %d requests, completed %d: want the form's 600, all completed", api.Result.Requests, api.Result.Completed)
	}
	// The pool says how the serving estimator scores on published runs
	// (a dense model on H100: the TensorRT-LLM Llama regime).
	var scored string
	_ = b.eval(ctx, `(document.querySelector('#serve-scored-serve') || {textContent: ""}).textContent`, &scored)
	if !strings.HasPrefix(scored, "Scored on published runs: NVIDIA dense serving") {
		t.Errorf("serve scored note %q, want the NVIDIA dense serving regime", scored)
	}
	// Under Poisson arrivals the throughput is the offered rate: no band.
	var bands int
	_ = b.eval(ctx, `document.querySelectorAll('#serve-band').length`, &bands)
	if bands != 0 {
		t.Errorf("a measured band under Poisson arrivals")
	}
	// The address reopens and re-runs the same simulation.
	var hash string
	_ = b.eval(ctx, `location.hash`, &hash)
	if err := b.navigate(ctx, "about:blank"); err != nil {
		t.Fatal(err)
	}
	if err := b.navigate(ctx, base+"/"+hash); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.body && document.body.dataset.ready === "1"`); err != nil {
		t.Fatalf("shared link %s: %v", hash, err)
	}
	var ttft float64
	_ = b.eval(ctx, `Number((document.querySelector('#serve-big [data-key="ttft_p50"]') || {dataset: {typ: "NaN"}}).dataset.typ)`, &ttft)
	if ttft != api.Result.TTFT.P50 {
		t.Errorf("shared link %s shows TTFT P50 %g ms, want %g", hash, ttft, api.Result.TTFT.P50)
	}
	checkServeSweep(ctx, t, b, base)
}

// TestBrowserServeSoftwareNote simulates with a TensorRT-LLM release
// before its XQA kernel named in the framework field: the page says, once,
// how the software mapped onto the pool's serving profile (the engine's
// era before v0.7), as the answer's pools[].stack_note does.
func TestBrowserServeSoftwareNote(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#serve")
	fill := `(() => { const f = document.querySelector('#serve-form').elements;
		f.model.value = "llama3.1-8b"; f.chip.value = "h100-sxm"; f.chips.value = "1"; f["parallel.tp"].value = "1"; f.precision.value = "fp8";
		f.framework.value = "tensorrt-llm 0.5.0"; f["workload.rate"].value = "2"; f["workload.rates"].value = ""; f["workload.requests"].value = "60";
		document.querySelector('#serve-out').replaceChildren(); document.querySelector('#serve-go').click(); })()`
	if err := b.eval(ctx, fill, nil); err != nil {
		t.Fatal(err)
	}
	checkServePanel(ctx, t, b, base, 2)
	var notes []string
	_ = b.eval(ctx, `[...document.querySelectorAll('#serve-out .serve-software')].map(p => p.textContent)`, &notes)
	if len(notes) != 1 || !strings.Contains(notes[0], "before v0.7") {
		t.Errorf("software notes %q, want one naming TensorRT-LLM's era before v0.7", notes)
	}
}

// checkServeErrors submits bad serving input: the status names the
// field and focuses its input.
func checkServeErrors(ctx context.Context, t *testing.T, b *browser) {
	t.Helper()
	for _, tc := range []struct{ set, field, input string }{
		{`f["workload.rates"].value = "4, x"`, "workload.rates", "workload.rates"},
		{`f.model.value = "llama3.1-8b"; f.chips.value = "100000"; f["parallel.tp"].value = "1"; f["workload.requests"].value = "200000"`, "chips", "chips"},
		{`f.model.value = "llama3.1-70b"; f["parallel.tp"].value = "1"`, "parallel.tp", "parallel.tp"},
	} {
		js := `(() => { const f = document.querySelector('#serve-form').elements; f["workload.rate"].value = "4"; f["workload.rates"].value = ""; f["workload.requests"].value = "100"; f.chips.value = "8"; ` + tc.set + `;
			document.querySelector('#serve-status').className = "status"; document.querySelector('#serve-go').click(); })()`
		if err := b.eval(ctx, js, nil); err != nil {
			t.Fatal(err)
		}
		if err := b.waitFor(ctx, `document.querySelector('#serve-status.err')`); err != nil {
			t.Fatal(err)
		}
		var got []string
		_ = b.eval(ctx, `[document.querySelector('#serve-status').textContent, document.activeElement.name]`, &got)
		if len(got) != 2 || !strings.HasPrefix(got[0], tc.field+": ") || got[1] != tc.input {
			t.Errorf("%s: page says %q, focus on %q; want the field %s named and input %s focused", tc.set, got, got[1:], tc.field, tc.input)
		}
	}
}

// checkServeSweep sweeps three rates from the panel and checks each row's
// verdict against the API's, then clicks the overloaded rate.
func checkServeSweep(ctx context.Context, t *testing.T, b *browser, base string) {
	t.Helper()
	// A sweep: one row a rate, the latency-against-rate chart added; the
	// result shown is the highest rate that keeps up (1). 50 requests/s of
	// 2000-token prompts overload two H100s serving the 70B model.
	sweep := `(() => { const f = document.querySelector('#serve-form').elements;
		f.model.value = "llama3.1-70b"; f["parallel.tp"].value = "2"; f["workload.rates"].value = "0.5, 1, 50"; f["workload.requests"].value = "400";
		f["workload.input.tokens"].value = "2000"; f["workload.input.dist"].value = "fixed"; f["workload.output.tokens"].value = "500";
		document.querySelector('#serve-out').replaceChildren(); document.querySelector('#serve-go').click(); })()`
	if err := b.eval(ctx, sweep, nil); err != nil {
		t.Fatal(err)
	}
	api := checkServePanel(ctx, t, b, base, 3)
	shot(ctx, t, b, "serve-sweep.png")
	var rows []string
	_ = b.eval(ctx, `[...document.querySelectorAll('#serve-sweep tbody tr')].map(tr => tr.dataset.rate + " " + tr.lastChild.textContent)`, &rows)
	var want []string
	for _, pt := range api.Sweep {
		v := map[bool]string{true: "meets SLO", false: "misses SLO"}[pt.Result.Goodput.Meets]
		if pt.Result.Overload != nil {
			v = "overload"
		}
		want = append(want, strconv.FormatFloat(pt.Rate, 'g', -1, 64)+" "+v)
	}
	var best string
	_ = b.eval(ctx, `(document.querySelector('#serve-best') || {dataset: {}}).dataset.best || ""`, &best)
	if best != "0.5" {
		t.Errorf("sweep headline: best rate meeting the SLO %q, want 0.5 (1 keeps up but misses it)", best)
	}
	if len(want) != 3 || api.Rate != 1 || !strings.HasSuffix(want[2], "50 overload") || strings.Join(rows, ", ") != strings.Join(want, ", ") {
		t.Errorf("sweep: page rows %q, API %q showing rate %g; want rates 0.5, 1, 50 (overloaded), showing 1", rows, want, api.Rate)
	}
	// Clicking the overloaded rate simulates it alone: the verdict says so.
	if err := b.eval(ctx, `document.querySelector('#serve-sweep tr[data-rate="50"]').click()`, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#serve-verdict[data-verdict="overload"]') || document.querySelector('#serve-status.err')`); err != nil {
		t.Fatal(err)
	}
	var text string
	_ = b.eval(ctx, `document.querySelector('#serve-verdict').textContent + " | " + location.hash`, &text)
	if !strings.Contains(text, "grows without bound") || !strings.Contains(text, "rate=50&") {
		t.Errorf("overloaded rate: page says %q", text)
	}
	shot(ctx, t, b, "serve-overload.png")
}

// serveAnswer is the part of POST /api/serve/simulate the browser test
// checks.
type serveAnswer struct {
	Rate   float64 `json:"rate"`
	Result struct {
		Requests   int                   `json:"requests"`
		Completed  int                   `json:"requests_completed"`
		TTFT       struct{ P50 float64 } `json:"ttft_ms"`
		Throughput struct {
			OutputTokensPerS float64 `json:"output_tokens_per_s"`
		} `json:"throughput"`
	} `json:"result"`
	Charts []struct{ Key string } `json:"charts"`
	Owned  *struct {
		PerMOut float64 `json:"usd_per_m_output_tokens"`
	} `json:"owned_cost"`
	Sweep []struct {
		Rate   float64
		Result struct {
			Overload *struct{} `json:"overload"`
			Goodput  struct {
				Meets bool `json:"meets_slo"`
			} `json:"goodput"`
		}
	} `json:"sweep"`
}

// checkServePanel waits for the serving panel's result, posts the body
// the page sent to the API, and checks the page's P50 TTFT and
// throughput equal the API's and that it draws the API's charts.
func checkServePanel(ctx context.Context, t *testing.T, b *browser, base string, charts int) serveAnswer {
	t.Helper()
	if err := b.waitFor(ctx, `document.querySelector('#serve-big [data-key="ttft_p50"]') || document.querySelector('#serve-status.err')`); err != nil {
		t.Fatal(err)
	}
	var status string
	_ = b.eval(ctx, `document.querySelector('#serve-status').className + ": " + document.querySelector('#serve-status').textContent`, &status)
	if strings.HasPrefix(status, "status err") {
		t.Fatalf("page shows an error: %s", status)
	}
	var body string
	if err := b.eval(ctx, `JSON.stringify(serveBody(document.querySelector('#serve-form')))`, &body); err != nil {
		t.Fatal(err)
	}
	var api serveAnswer
	postJSON(t, base+"/api/serve/simulate", body, &api)
	var shown []headline
	js := `[...document.querySelectorAll('#serve-big > div')].map(d => ({key: d.dataset.key, typ: Number(d.dataset.typ),
		scale: Number(d.dataset.scale), text: d.querySelector('.num').textContent}))`
	if err := b.eval(ctx, js, &shown); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"ttft_p50": api.Result.TTFT.P50, "throughput": api.Result.Throughput.OutputTokensPerS}
	if api.Owned != nil {
		want["usd_per_m_owned"] = api.Owned.PerMOut
	}
	for _, s := range shown {
		w, ok := want[s.Key]
		if !ok {
			continue
		}
		delete(want, s.Key)
		// money prints to 3 significant digits, after a "$"
		tol := 5.01e-4
		if strings.HasPrefix(s.Text, "$") {
			tol = 5.01e-3
		}
		v, err := strconv.ParseFloat(strings.NewReplacer(",", "", "$", "").Replace(s.Text), 64)
		if s.Typ != w || err != nil || !near(v, w, tol) {
			t.Errorf("%s: page shows %q (data %g), API gives %g", s.Key, s.Text, s.Typ, w)
		}
	}
	if len(want) > 0 || !(api.Result.TTFT.P50 > 0) {
		t.Errorf("page lacks %v; API TTFT P50 %g ms", want, api.Result.TTFT.P50)
	}
	var drawn []string
	_ = b.eval(ctx, `[...document.querySelectorAll('#serve-out [data-chart]')].filter(d => d.chart && d.chart.u && d.chart.spec.kind === "lines").map(d => d.dataset.chart)`, &drawn)
	if len(drawn) != charts || len(api.Charts) != charts || drawn[0] != "queue" || drawn[1] != "kv" {
		t.Errorf("page draws charts %v, API returns %d; want %d starting queue, kv", drawn, len(api.Charts), charts)
	}
	var verdict string
	_ = b.eval(ctx, `(document.querySelector('#serve-verdict') || {dataset: {}}).dataset.verdict || ""`, &verdict)
	if verdict == "" {
		t.Error("page shows no overload/SLO verdict")
	}
	return api
}

// openPage navigates to url and waits until the page says it is ready.
func openPage(ctx context.Context, t *testing.T, b *browser, url string) {
	t.Helper()
	if err := b.navigate(ctx, url); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.body && document.body.dataset.ready === "1"`); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// submitAndWait runs the script that fills and submits a form, then waits
// until the done expression holds (a result or an error is shown).
func submitAndWait(ctx context.Context, t *testing.T, b *browser, fill, done string) {
	t.Helper()
	if err := b.eval(ctx, fill, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, done); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserDesignSpace opens the design-space tab (its editor holds
// examples/sweep-small.yaml), runs it as a job, watches the progress
// bar, then checks the table has a row per row of the job's answer (GET
// /api/jobs/{id}), every frontier is drawn and a header sorts the rows;
// then a bad grid shows its error in place, naming the field, and clears
// the old results.
func TestBrowserDesignSpace(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	if err := b.eval(ctx, `document.querySelector('#tabs button[data-tab="design"]').click()`, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#design-form').elements.grid.value.includes("format: chipgap-sweep/v1")`); err != nil {
		t.Fatal(err)
	}
	var text string
	_ = b.eval(ctx, `document.querySelector('#design-form').elements.grid.value`, &text)
	if text != examples.SweepSmall() {
		t.Errorf("the editor holds %d bytes, want examples/sweep-small.yaml (%d)", len(text), len(examples.SweepSmall()))
	}
	start := time.Now()
	if err := b.eval(ctx, `document.querySelector('#design-go').click()`, nil); err != nil {
		t.Fatal(err)
	}
	seen := watchProgress(ctx, t, b, `document.querySelector('#design-rows tbody tr') || document.querySelector('#design-status.err')`)
	t.Logf("example grid drawn %v after Run; progress seen: %q", time.Since(start).Round(time.Millisecond), seen)
	if len(seen) == 0 {
		t.Error("no progress bar while the sweep ran")
	}
	var status, id string
	_ = b.eval(ctx, `document.querySelector('#design-status').className + ": " + document.querySelector('#design-status').textContent`, &status)
	if strings.HasPrefix(status, "status err") {
		t.Fatalf("page shows an error: %s", status)
	}
	_ = b.eval(ctx, `document.querySelector('#design-out').dataset.job || ""`, &id)
	var job struct {
		State    string
		Progress progressView
		Result   calc.SweepView
	}
	getJSON(t, base+"/api/jobs/"+id, &job)
	var shown struct {
		Rows   int `json:"rows"`
		Charts int `json:"charts"`
	}
	_ = b.eval(ctx, `({rows: document.querySelectorAll('#design-rows tbody tr').length,
		charts: [...document.querySelectorAll('#design-out [data-chart]')].filter(d => d.chart && d.chart.u && d.chart.spec.kind === "scatter").length})`, &shown)
	if job.State != "done" || job.Progress.Done != 96 || shown.Rows != len(job.Result.Rows) || len(job.Result.Rows) != 96 {
		t.Errorf("page shows %d rows; job %q %s, progress %+v, %d rows; want the example's 96", shown.Rows, id, job.State, job.Progress, len(job.Result.Rows))
	}
	if shown.Charts == 0 || shown.Charts != len(job.Result.Frontiers) {
		t.Errorf("page draws %d frontier charts, the answer has %d", shown.Charts, len(job.Result.Frontiers))
	}
	checkDesignSort(ctx, t, b, job.Result)
	shot(ctx, t, b, "design.png")
	bad := `(() => { const ta = document.querySelector('#design-form').elements.grid;
		ta.value = ta.value.replace("hbm_capacity: 192GB", "hbm_capacity: -192GB"); document.querySelector('#design-go').click(); })()`
	if err := b.eval(ctx, bad, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.waitFor(ctx, `document.querySelector('#design-status.err')`); err != nil {
		t.Fatal(err)
	}
	var after []string
	_ = b.eval(ctx, `[document.querySelector('#design-status').textContent, document.activeElement.name, String(document.querySelector('#design-out').childElementCount)]`, &after)
	if len(after) != 3 || !strings.HasPrefix(after[0], "grid.what_if[0].hbm_capacity: grid:") || after[1] != "grid" || after[2] != "0" {
		t.Errorf("bad grid: page says %q, focus on %q, %s elements left in the results; want the field named, the editor focused, the old results cleared", after[0], after[1:2], after[2:])
	}
}

// watchProgress polls the design tab's status until done holds, and
// returns the progress texts it saw beside a progress bar.
func watchProgress(ctx context.Context, t *testing.T, b *browser, done string) []string {
	t.Helper()
	var seen []string
	for {
		var st struct {
			Done bool   `json:"done"`
			Bar  string `json:"bar"`
		}
		js := `({done: !!(` + done + `), bar: document.querySelector('#design-status .progress') ? document.querySelector('#design-status').textContent.trim() : ""})`
		if err := b.eval(ctx, js, &st); err != nil {
			t.Fatal(err)
		}
		if st.Bar != "" && (len(seen) == 0 || seen[len(seen)-1] != st.Bar) {
			seen = append(seen, st.Bar)
		}
		if st.Done {
			return seen
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", done, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// checkDesignSort clicks a numeric column's header and checks the first
// row is then the cell with the least value in the answer, and after a
// second click the greatest.
func checkDesignSort(ctx context.Context, t *testing.T, b *browser, res calc.SweepView) {
	t.Helper()
	col := slices.Index(res.Columns, "usd_per_mtok")
	lo, hi := int64(-1), int64(-1)
	var loV, hiV float64
	for _, r := range res.Rows {
		v, ok := r[col].(float64)
		if !ok {
			continue
		}
		if lo < 0 || v < loV {
			lo, loV = int64(r[0].(float64)), v
		}
		if hi < 0 || v > hiV {
			hi, hiV = int64(r[0].(float64)), v
		}
	}
	for _, want := range []int64{lo, hi} {
		var first int64
		js := `(() => { document.querySelector('#design-rows th[data-col="usd_per_mtok"]').click();
			return Number(document.querySelector('#design-rows tbody tr').dataset.cell); })()`
		if err := b.eval(ctx, js, &first); err != nil {
			t.Fatal(err)
		}
		if first != want {
			t.Errorf("sorted by usd_per_mtok, the first row is cell %d, want %d (least %g, greatest %g)", first, want, loV, hiV)
		}
	}
}
