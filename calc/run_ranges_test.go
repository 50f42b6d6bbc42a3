package calc

import (
	"math"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/uncertain"
)

// TestRunRangesDrawThePeak: at an assumed MFU the rate is MFU × peak ×
// chips ÷ 6N, so over the input ranges it follows the drawn peak alone.
// The 910C's bf16 peak is triangular over [752, 780, 800] TFLOPS (the
// catalog's min/typ/max), F(780) = 28/48 = 0.583, so
//
//	P10 = 752 + √(0.1 × 48 × 28) = 752 + √134.4 = 763.59 TFLOPS
//	P90 = 800 − √(0.1 × 48 × 20) = 800 − √96   = 790.20 TFLOPS
//
// and the rate's P10 and P90 are 763.59/780 = 0.97896 and 790.20/780 =
// 1.01308 of the typical rate (2,000 draws: a quantile's sampling error
// is about √(0.09/2000) ÷ the density 2·11.59/1344 = 0.39 TFLOPS, 0.05 %).
// Before the throughput was drawn, P10 = P50 = P90 = the typical rate.
func TestRunRangesDrawThePeak(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "ascend-910c", Chips: 384, Tokens: 1e11, MFU: 0.3, Seeds: 2}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test", Checks: true})
	if err != nil {
		t.Fatal(err)
	}
	a := res.A
	r := a.Ranges()
	if r.TokensPerSec == nil {
		t.Fatal("no throughput over the input ranges")
	}
	typ := a.Throughput.TokensPerSec
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"P10", float64(r.TokensPerSec.P10), 763.59 / 780}, {"P90", float64(r.TokensPerSec.P90), 790.20 / 780}} {
		if math.Abs(c.got/typ-c.want) > 0.003 {
			t.Errorf("rate %s %.6g = %.5f of the typical %.6g, want %.5f", c.name, c.got, c.got/typ, typ, c.want)
		}
	}
	if typ < float64(r.TokensPerSec.P10) || typ > float64(r.TokensPerSec.P90) || r.RateNote != "" {
		t.Errorf("typical %g beside P10–P90 %v (note %q): the peak's mode lies inside its own P10–P90", typ, r.TokensPerSec, r.RateNote)
	}
}

// TestRunGapRangesDrawThroughput: with the training estimator on both
// sides, the gap's throughput part over the input ranges spreads (the
// 910C's peak, HBM and scale-up bandwidth all have catalog ranges, and
// cann's kernel efficiency is drawn over [0.75, 1, 1.15]); it was one
// value, P10 = P90, when only the goodput inputs were drawn. Each side's
// typical rate lies inside its P10–P90 or the ranges say why not.
func TestRunGapRangesDrawThroughput(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 384, Tokens: 1e12, VS: "ascend-910c", Seeds: 2}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{Checks: true})
	if err != nil {
		t.Fatal(err)
	}
	g := res.Gap().InputRange
	if !(g.Throughput.P10 < g.Throughput.P90) || !(g.Ratio.P10 < g.Ratio.P90) {
		t.Errorf("gap from throughput %+v, ratio %+v over the input ranges: want P10 < P90", g.Throughput, g.Ratio)
	}
	for _, d := range []RunSide{res.A, *res.B} {
		r := d.Ranges()
		if r.TokensPerSec == nil || !(r.TokensPerSec.P10 < r.TokensPerSec.P90) {
			t.Errorf("%s: rate over the input ranges %+v, want P10 < P90", d.Cluster.ChipID, r.TokensPerSec)
			continue
		}
		typ := d.Throughput.TokensPerSec
		inside := typ >= float64(r.TokensPerSec.P10) && typ <= float64(r.TokensPerSec.P90)
		if inside != (r.RateNote == "") {
			t.Errorf("%s: typical %g, P10–P90 %v, note %q: a note exactly where it lies outside", d.Cluster.ChipID, typ, *r.TokensPerSec, r.RateNote)
		}
	}
}

// TestRunHeaderSaysNodeAndJob: the header names the node the catalog
// gives the chip and the training job used. The 910C's catalog node is
// 384 chips (chips_per_node 384, its CloudMatrix 384 scale-up domain), so
// 768 chips are 768 / 384 = 2 nodes; with no seq or global batch given,
// run's defaults are 8192 and 2048 (Llama 3 405B's 16M-token batch:
// 2048 × 8192 = 16,777,216 tokens), marked as defaults; a given seq is not.
func TestRunHeaderSaysNodeAndJob(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "ascend-910c", Chips: 768, Tokens: 1e11, MFU: 0.3, Seeds: 2, Seq: 4096}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"768 × ascend-910c (384 per node, the scale-up domain, × 2 nodes;", "training job: seq 4096, global batch 2048 (default), bf16 (default)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("want %q in:\n%s", want, out.String())
		}
	}
}

// TestRunRateNoteWordedPerOutput: a typical rate outside its draws'
// P10–P90 is one decision (RunRanges.RateApart) worded for each output:
// the JSON note names its field (tokens_per_s' P10–P90), the text's range
// line the band it has just printed (that P10–P90), no field name.
// Rates 110…200 tokens/s: P10 119, P90 191; the typical 100 lies below.
func TestRunRateNoteWordedPerOutput(t *testing.T) {
	d := RunSide{Throughput: catalog.Throughput{TokensPerSec: 100}, Samples: make([]goodput.Estimate, 10)}
	for i := range 10 {
		d.Rates = append(d.Rates, float64(110+10*i))
	}
	r := d.Ranges()
	if r.RateApart.Side != uncertain.Below || r.RateApart.Why != uncertain.NearEnd {
		t.Errorf("apart %+v, want below, %q", r.RateApart, uncertain.NearEnd)
	}
	if want := "the typical rate lies below tokens_per_s' P10–P90: " + uncertain.NearEnd; r.RateNote != want {
		t.Errorf("JSON note %q, want %q", r.RateNote, want)
	}
	line := d.rangeLine()
	if want := "(the typical rate, 100, lies below that P10–P90: " + uncertain.NearEnd + ")"; !strings.Contains(line, want) || strings.Contains(line, "tokens_per_s") {
		t.Errorf("text %q: want %q and no JSON field name", line, want)
	}
	d.Throughput.TokensPerSec = 150
	if r := d.Ranges(); r.RateApart.Side != "" || r.RateNote != "" || !strings.Contains(d.rangeLine(), "(typical 150)") {
		t.Errorf("inside: apart %+v, note %q, text %q; want none and the typical rate", r.RateApart, r.RateNote, d.rangeLine())
	}
}
