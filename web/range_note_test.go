package web

import (
	"net/http"
	"strings"
	"testing"

	"chipgap/calc"
)

// trainNoteBody is 256 910B on Llama 3.1 70B at TP 8 PP 4 without
// sequence parallelism (stated: unstated, it is searched, and on it the
// case moves), whose MFU at typical values (37.5 %) lies above both
// corners (36.9 %, 34.4 %).
const trainNoteBody = `{"chip":"ascend-910b","chips":256,"model":"llama3.1-70b","tokens":1e12,"plan":{"tp":8,"pp":4,"sequence_parallel":false}}`

// POST /api/train/estimate names a figure whose estimate at typical
// values lies outside its corners (ranges.notes), and the page prints it.
func TestTrainRangeNotes(t *testing.T) {
	srv, _ := newTestServer(t, Limits{})
	var got calc.TrainView
	if st := do(t, "POST", srv.URL+"/api/train/estimate", trainNoteBody, &got); st != http.StatusOK || got.Ranges == nil {
		t.Fatalf("status %d, ranges %+v", st, got.Ranges)
	}
	if n := got.Ranges.Notes["mfu"]; len(got.Ranges.Notes) != 1 || !strings.HasPrefix(n, "the estimate at typical values lies above the span of the low and high corners: MFU is a share of the peak") {
		t.Errorf("ranges.notes %v, want the MFU's alone", got.Ranges.Notes)
	}
}

func TestBrowserTrainRangeNote(t *testing.T) {
	ctx, b, base := needBrowser(t)
	openPage(ctx, t, b, base+"/")
	fill := `(() => {
		document.querySelector('#tabs button[data-tab="train"]').click();
		const f = document.querySelector('#train-form').elements;
		f.chip.value = "ascend-910b"; f.chips.value = "256"; f.model.value = "llama3.1-70b"; f.tokens.value = "1e12";
		f["plan.tp"].value = "8"; f["plan.pp"].value = "4"; f["plan.sequence_parallel"].value = "no";
		document.querySelector('#train-go').click(); })()`
	submitAndWait(ctx, t, b, fill, `document.querySelector('#train-big [data-key="days"]') || document.querySelector('#train-status.err')`)
	var body string
	if err := b.eval(ctx, `JSON.stringify(trainBody(document.querySelector('#train-form')))`, &body); err != nil {
		t.Fatal(err)
	}
	var api calc.TrainView
	postJSON(t, base+"/api/train/estimate", body, &api)
	var shown string
	_ = b.eval(ctx, `(document.querySelector('#train-out .range-note[data-key="mfu"]') || {textContent: ""}).textContent`, &shown)
	if api.Ranges == nil || api.Ranges.Notes["mfu"] == "" || shown != "mfu: "+api.Ranges.Notes["mfu"] {
		t.Errorf("page shows %q, API ranges %+v (body %s): want the MFU note on both", shown, api.Ranges, body)
	}
}
