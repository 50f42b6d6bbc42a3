package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The browser tests drive the real page in headless Chromium. They run
// only when CHIPGAP_BROWSER=1 (set by .ci/web, which installs Chromium);
// CHIPGAP_CHROMIUM overrides the binary.

func needBrowser(t *testing.T) (context.Context, *browser, *httptest.Server) {
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
	srv := httptest.NewServer((&Server{}).Handler())
	t.Cleanup(srv.Close)
	return ctx, b, srv
}

// TestBrowserCompare loads the page, checks the landing comparison is
// drawn, then ticks another chip, clicks Compare and checks every rendered
// number against GET /api/compare for the same selection.
func TestBrowserCompare(t *testing.T) {
	ctx, b, srv := needBrowser(t)
	start := time.Now()
	if err := b.navigate(ctx, srv.URL+"/"); err != nil {
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
	getJSON(t, srv.URL+"/api/compare?"+q[1], &api)
	checkRendered(ctx, t, b, api)
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
