package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"chipgap/calc"
	"chipgap/catalog"
	"chipgap/inference"
)

// inferModeBody is 8 × H100 serving Llama 3.1 70B at TP 8 under a 50 ms
// TPOT in mode: NVIDIA dense serving's 79 colocated offline runs score it.
func inferModeBody(mode string) string {
	return `{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","parallel":{"tp":8},"mode":"` + mode +
		`","workload":{"input_tokens":1024,"output_tokens":256},"slo":{"tpot":"50ms"}}`
}

// POST /api/infer/curve gives the measured band in colocated mode and, in
// disagg mode, none and the note serve-estimate prints (the same
// calc.Serve field), so the page, the API and the CLI agree.
func TestInferCurveBandByMode(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"colocated", "disagg"} {
		var got curveResponse
		if st := do(t, "POST", srv.URL+"/api/infer/curve", inferModeBody(mode), &got); st != http.StatusOK {
			t.Fatalf("%s: status %d", mode, st)
		}
		req := calc.NewServeRequest()
		if err := json.Unmarshal([]byte(inferModeBody(mode)), &req); err != nil {
			t.Fatal(err)
		}
		s, err := req.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		want, err := calc.Serve(s)
		if err != nil {
			t.Fatal(err)
		}
		if mode == "colocated" {
			if got.MeasuredBand == nil || want.MeasuredBand == nil || *got.MeasuredBand != *want.MeasuredBand || got.MeasuredBandNote != "" {
				t.Errorf("colocated: band %+v (note %q), want %+v and no note", got.MeasuredBand, got.MeasuredBandNote, want.MeasuredBand)
			}
			continue
		}
		if got.MeasuredBand != nil || got.MeasuredBandNote != want.MeasuredBandNote ||
			!strings.HasPrefix(got.MeasuredBandNote, "No measured band: the 79 runs scored above are colocated offline benchmarks") {
			t.Errorf("disagg: band %+v, note %q; want none and serve-estimate's note %q", got.MeasuredBand, got.MeasuredBandNote, want.MeasuredBandNote)
		}
	}
}

// TestBrowserInferenceBandNote: in disagg mode the page shows the API's
// note where a colocated estimate shows its band.
func TestBrowserInferenceBandNote(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	fill := `(() => { const f = document.querySelector('#infer-form').elements;
		f.chip.value = "h100-sxm"; f.chips.value = "8"; f.model.value = "llama3.1-70b"; f["parallel.tp"].value = "8"; f.mode.value = "disagg";
		f["workload.input_tokens"].value = "1024"; f["workload.output_tokens"].value = "256"; f["slo.tpot"].value = "50ms";
		document.querySelector('#infer-go').click(); })()`
	api, body := runInferForm(ctx, t, b, base, fill)
	var band string
	_ = b.eval(ctx, `(document.querySelector('#infer-band') || {textContent: ""}).textContent`, &band)
	if api.MeasuredBand != nil || api.MeasuredBandNote == "" || band != api.MeasuredBandNote {
		t.Errorf("disagg: page shows %q, API band %+v note %q (body %s); want the note on both", band, api.MeasuredBand, api.MeasuredBandNote, body)
	}
}

// The serving answers echo the layout the estimate ran: tp 8 on 8 H100s
// is one instance of tp 8, pp 1, ep 1 (it once came back as ep 0, dp 0),
// and without parallel a dense model's default one-node stage.
func TestInferEchoesResolvedLayout(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	want := inference.Parallel{TP: 8, PP: 1, EP: 1, AttentionDP: 1, DP: 1}
	for _, body := range []string{
		`{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b","parallel":{"tp":8}}`,
		`{"chip":"h100-sxm","chips":8,"model":"llama3.1-70b"}`,
	} {
		for _, path := range []string{"/api/infer/curve", "/api/infer/estimate"} {
			var got struct {
				Parallel inference.Parallel `json:"parallel"`
			}
			if st := do(t, "POST", srv.URL+path, body, &got); st != http.StatusOK || got.Parallel != want {
				t.Errorf("%s %s: %d, parallel %+v; want %+v", path, body, st, got.Parallel, want)
			}
		}
	}
}

// TestBrowserInferenceRangeAndCost: the page's inference tab shows the
// best point's P10–P90 range, its cost owned and rented per million
// output tokens and its energy per token, the API's (calc.Serve's, as
// serve-estimate prints them).
func TestBrowserInferenceRangeAndCost(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/#infer")
	fill := `(() => { const f = document.querySelector('#infer-form').elements;
		f.chip.value = "h100-sxm"; f.chips.value = "8"; f.model.value = "llama3.1-70b"; f.precision.value = "fp8"; f["parallel.tp"].value = "8"; f.mode.value = "colocated";
		f["workload.input_tokens"].value = "2048"; f["workload.output_tokens"].value = "256"; f["slo.tpot"].value = "50ms"; f["slo.ttft"].value = "2s";
		document.querySelector('#infer-go').click(); })()`
	api, body := runInferForm(ctx, t, b, base, fill)
	if api.BestLow == nil || api.BestHigh == nil || api.Cost == nil || api.Cost.Owned == nil || api.Cost.Rental == nil || api.Energy == nil {
		t.Fatalf("API answer to %s has no range, cost or energy: %+v", body, api)
	}
	var page struct {
		Range  string  `json:"range"`
		Owned  float64 `json:"owned"`
		Rented float64 `json:"rented"`
		Joules float64 `json:"joules"`
		Want   string  `json:"want"`
	}
	card := func(key string) string { return `document.querySelector('#infer-big [data-key="` + key + `"]')` }
	js := fmt.Sprintf(`({range: (%s.querySelector('.rng') || {textContent: ""}).textContent, owned: Number(%s.dataset.typ),
		rented: Number(%s.dataset.typ), joules: Number(%s.dataset.typ), want: "range " + fmtRange(%v, %v)})`,
		card("throughput"), card("usd_per_m_owned"), card("usd_per_m_rented"), card("joules_per_token"), *api.BestLow, *api.BestHigh)
	if err := b.eval(ctx, js, &page); err != nil {
		t.Fatal(err)
	}
	if page.Range != page.Want || page.Range != "range 316.9–330.5" || page.Owned != float64(api.Cost.Owned.USDPerMillion) ||
		page.Rented != float64(api.Cost.Rental.USDPerMillion) || page.Joules != float64(api.Energy.JoulesPerToken) {
		t.Errorf("page shows %+v; API range %g–%g, owned %v, rented %v, energy %v", page, *api.BestLow, *api.BestHigh,
			api.Cost.Owned.USDPerMillion, api.Cost.Rental.USDPerMillion, api.Energy.JoulesPerToken)
	}
}
