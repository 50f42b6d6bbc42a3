package calc

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/hardware"
	"chipgap/input"
	"chipgap/training"
	"chipgap/units"
)

// TestRunRequestOneDefinition: the same run given as flags (the flag
// names chipgap run always had), as a JSON body and as a scenario file
// decodes to the same request.
func TestRunRequestOneDefinition(t *testing.T) {
	var fromFlags RunRequest
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	BindFlags(fs, &fromFlags)
	if err := fs.Parse([]string{"--model", "llama3.1-70b", "--chip", "h100-sxm", "--chips", "1024", "--chips-per-node", "8", "--stack", "cuda",
		"--precision", "fp8", "--tokens", "2e12", "--days", "54", "--seq", "4096", "--global-batch", "512", "--mfu", "0.4", "--seeds", "7",
		"--seed", "3", "--ranges", "--checkpoint", "blocking", "--interval", "30min", "--storage-bw", "2TB/s", "--bytes-per-param", "12",
		"--spares", "4", "--vs", "ascend-910c", "--vs-chips", "2048", "--vs-mfu", "0.3"}); err != nil {
		t.Fatal(err)
	}
	var fromJSON RunRequest
	body := `{"model":"llama3.1-70b","chip":"h100-sxm","chips":1024,"chips_per_node":8,"stack":"cuda","precision":"fp8","tokens":2e12,
		"days":54,"seq":4096,"global_batch":512,"mfu":0.4,"seeds":7,"seed":3,"ranges":true,"checkpoint":"blocking","interval":"30min",
		"storage_bw":"2TB/s","bytes_per_param":12,"spares":4,"vs":"ascend-910c","vs_chips":2048,"vs_mfu":0.3}`
	if err := json.Unmarshal([]byte(body), &fromJSON); err != nil {
		t.Fatal(err)
	}
	var fromFile RunRequest
	file := "model: llama3.1-70b\nchip: h100-sxm\nchips: 1024\nchips_per_node: 8\nstack: cuda\nprecision: fp8\ntokens: 2e12\ndays: 54d\n" +
		"seq: 4096\nglobal_batch: 512\nmfu: 0.4\nseeds: 7\nseed: 3\nranges: true\ncheckpoint: blocking\ninterval: 30min\nstorage_bw: 2TB/s\n" +
		"bytes_per_param: 12\nspares: 4\nvs: ascend-910c\nvs_chips: 2048\nvs_mfu: 0.3\n"
	if _, err := DecodeRunFile("run.yaml", []byte(file), &fromFile); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFlags, fromJSON) || !reflect.DeepEqual(fromFlags, fromFile) {
		t.Errorf("flags %+v\n JSON %+v\n file %+v", fromFlags, fromJSON, fromFile)
	}
	if fromFlags.Days != Days(54*86400) || fromFlags.Interval != 1800 || fromFlags.StorageBW != 2e12 {
		t.Errorf("days %v, interval %v, storage %v: want 54 days, 1800 s, 2e12 B/s", fromFlags.Days, fromFlags.Interval, fromFlags.StorageBW)
	}
	tt := reflect.TypeFor[RunRequest]()
	for i := range tt.NumField() {
		f := tt.Field(i)
		if j, _, _ := strings.Cut(f.Tag.Get("json"), ","); j != f.Tag.Get("yaml") {
			t.Errorf("%s: json %q, yaml %q: a file's key is the API's name", f.Name, j, f.Tag.Get("yaml"))
		}
	}
}

// TestRunDefaults: absent fields take the documented defaults; --vs
// CHIP:N splits; -1 spares is the catalog's policy.
func TestRunDefaults(t *testing.T) {
	cat := testCatalog(t)
	minus := -1
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Tokens: 1e12, VS: "ascend-910b:128", Spares: &minus}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	r := s.req
	if r.Seeds != 100 || r.Seed != 1 || r.Seq != 8192 || r.GlobalBatch != 2048 || r.Precision != "bf16" || r.Ranges || r.Spares != nil {
		t.Errorf("request %+v: want 100 seeds from seed 1, seq 8192, batch 2048, bf16, no ranges, the spare policy", r)
	}
	if len(s.Sides) != 2 || s.Sides[1].Cluster.ChipID != "ascend-910b" || s.Sides[1].Cluster.Chips != 128 || s.Sides[1].Cluster.Stack != "cann" {
		t.Errorf("vs side %+v: want 128 ascend-910b on cann", s.Sides[1].Cluster)
	}
}

// TestRunAtMFU: at an assumed MFU the rate is MFU × dense peak × chips ÷
// 6N (Kaplan's 6·N FLOPs per token), the run's steady-state compute is
// the tokens over that rate, and the simulation runs the seeds asked.
func TestRunAtMFU(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Tokens: 1e11, MFU: 0.4, Seeds: 3}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ch, _ := cat.Chip("h100-sxm")
	m, _ := cat.Model("llama3.1-8b")
	peak, _ := ch.PeakFor(hardware.BF16)
	want := 0.4 * float64(peak.Typ) * 64 / (6 * float64(m.Params().Active))
	a := res.A
	if got := a.Throughput.TokensPerSec; math.Abs(got-want) > 1e-9*want || !strings.Contains(a.Throughput.Source, "(test)") {
		t.Errorf("throughput %g from %q, want %g at the assumed MFU", got, a.Throughput.Source, want)
	}
	if w := units.Seconds(1e11 / want); math.Abs(float64(a.Job.Work-w)) > 1e-6*float64(w) {
		t.Errorf("work %v, want %v", a.Job.Work, w)
	}
	if a.Result.Seeds != 3 || a.Result.Seed != 1 || res.B != nil || a.Samples != nil || a.Sweep != nil {
		t.Errorf("result: %d seeds from %d, B %v, samples %d, sweep %d: want 3 from 1, one cluster, no checks", a.Result.Seeds, a.Result.Seed, res.B, len(a.Samples), len(a.Sweep))
	}
	// An assumed MFU is not the estimator's: no regime scores it.
	if a.Throughput.Scored != nil || res.View().Throughput.MeasuredBand != nil {
		t.Errorf("an assumed MFU's rate scored %+v", a.Throughput.Scored)
	}
}

// TestRunIdentityOneOwner: chipgap run --json and POST /api/run/simulate
// (RunResult.View) say what the run is of from one place
// (RunSide.Identity): the same model, chip, chips, scale-up domain, seq,
// global batch and stack, the request's where stated.
func TestRunIdentityOneOwner(t *testing.T) {
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, ChipsPerNode: 4, Seq: 4096, GlobalBatch: 512,
		Tokens: 1e10, MFU: 0.4, Seeds: 2}.Setup(testCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{MFUFrom: "test"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"model": "llama3.1-8b", "chip": "h100-sxm", "chips": 64.0, "chips_per_node": 4.0,
		"seq": 4096.0, "global_batch": 512.0, "stack": "cuda"}
	for name, v := range map[string]any{"run --json": res, "the API's view": res.View()} {
		b, err := json.Marshal(v)
		var got map[string]any
		if err != nil || json.Unmarshal(b, &got) != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s = %v, want %v", name, k, got[k], w)
			}
		}
	}
}

// TestRunAtMFUStillNeedsAPlanThatFits: an assumed MFU sets the rate, not
// the memory. Llama 3.1 405B's bf16 weights alone, 405.9e9 × 2 B = 811.7
// GB, exceed 8 H100s' 8 × 85.9 = 687 GB of HBM, so no plan fits; at
// --mfu 0.4 run simulated it anyway. It is refused as the estimator's
// path refuses it (an error wrapping training.ErrNoPlan naming the
// closest plan's shortfall: tp=8 holds 811.7 / 8 = 101.5 GB of weights a
// device), and says the assumed mfu does not lift it; 128 H100s, where
// the estimator's path finds plans that fit (tp=4 pp=16 cp=2 zero=3 with
// full recompute the fastest), still run at the assumed MFU's 6·N·D.
func TestRunAtMFUStillNeedsAPlanThatFits(t *testing.T) {
	cat := testCatalog(t)
	for _, c := range []struct {
		chips int
		fits  bool
	}{{8, false}, {128, true}} {
		s, err := RunRequest{Model: "llama3.1-405b", Chip: "h100-sxm", Chips: c.chips, Tokens: 1e10, MFU: 0.4, Seeds: 2}.Setup(cat)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(s, RunOptions{MFUFrom: "test"})
		if c.fits {
			if err != nil || !strings.Contains(res.A.Throughput.Source, "assumed MFU of 0.40") {
				t.Errorf("%d chips: %v, source %q; want a run at the assumed MFU", c.chips, err, res.A.Throughput.Source)
			}
			continue
		}
		var fe *input.Error
		if !errors.Is(err, training.ErrNoPlan) || errors.As(err, &fe) || !strings.Contains(err.Error(), "llama3.1-405b on 8 × h100-sxm: no valid plan fits in memory") ||
			!strings.Contains(err.Error(), "weights 101.5 GB") || !strings.Contains(err.Error(), "an assumed mfu, 0.4, sets the rate, not the memory") {
			t.Errorf("%d chips at mfu 0.4: %v; want no plan fits, as without an mfu", c.chips, err)
		}
	}
}

// TestRunScored: the estimator's rate carries the regime that scores it
// and the band its runs measured (catalog.Score.Band) in the text, the
// JSON of chipgap run and the API's view.
func TestRunScored(t *testing.T) {
	cat := testCatalog(t)
	s, err := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 1024, Tokens: 1e11, Seeds: 2}.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(s, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tp := res.A.Throughput
	sc := tp.Scored
	if sc == nil || sc.ID != "nvidia-dense-training-scale" {
		t.Fatalf("scored %+v, want the 1,000-GPU NVIDIA dense training regime", sc)
	}
	lo, hi, _ := sc.Band(tp.PerChip)
	if v := res.View().Throughput.MeasuredBand; v == nil || v.Low != lo || v.High != hi {
		t.Errorf("API band %+v, want %g–%g", v, lo, hi)
	}
	var j struct { // the band sits in throughput, as the API's does
		Throughput struct {
			Band *MeasuredBand `json:"measured_band"`
		} `json:"throughput"`
	}
	b, err := json.Marshal(res.A)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &j); err != nil || j.Throughput.Band == nil || j.Throughput.Band.Low != lo || j.Throughput.Band.High != hi {
		t.Errorf("run --json band %+v (%v), want %g–%g", j.Throughput.Band, err, lo, hi)
	}
	var out strings.Builder
	if err := res.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "scored on published runs: "+sc.Summary()) || !strings.Contains(out.String(), "the P10–P90 of the 19 runs scored above, widened 1.3×") {
		t.Errorf("text lacks the scored and band lines:\n%s", out.String())
	}
	// Productive compute is the tokens over the rate: at the band's rates
	// it is the modelled days × predicted / measured.
	p := res.A.Result.Closed.Productive.Days()
	if want := fmt.Sprintf("productive compute at those rates %.3g–%.3g days (%.3g modelled)", p*tp.PerChip/hi, p*tp.PerChip/lo, p); !strings.Contains(out.String(), want) {
		t.Errorf("text lacks %q:\n%s", want, out.String())
	}
}

// TestRunErrorsNameTheField: bad input is an *input.Error naming the
// request field (an unknown id also wraps catalog.ErrNotFound), and an
// admission hook's refusal stops the run.
func TestRunErrorsNameTheField(t *testing.T) {
	cat := testCatalog(t)
	base := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Days: 86400, MFU: 0.4}
	for _, c := range []struct {
		edit     func(*RunRequest)
		field    string
		notFound bool
	}{
		{func(r *RunRequest) { r.Chips = 0 }, "chips", false},
		{func(r *RunRequest) { r.Days = 0 }, "tokens", false},
		{func(r *RunRequest) { r.Days = Days(4000 * 86400) }, "days", false},
		{func(r *RunRequest) { r.VS = "ascend-910b" }, "vs", false}, // a comparison needs a token budget
		{func(r *RunRequest) { r.Tokens, r.VS = 1e12, "ascend-910z" }, "vs", true},
		{func(r *RunRequest) { r.Chip = "h100-sxz" }, "chip", true},
		{func(r *RunRequest) { r.Model = "llama9" }, "model", true},
		{func(r *RunRequest) { r.Checkpoint = "sometimes" }, "checkpoint", false},
		{func(r *RunRequest) { r.Seq = -1 }, "seq", false},
		{func(r *RunRequest) { r.Stack = "opencl" }, "stack", false},
	} {
		r := base
		c.edit(&r)
		_, err := r.Setup(cat)
		var ie *input.Error
		if !errors.As(err, &ie) || ie.Field != c.field || errors.Is(err, catalog.ErrNotFound) != c.notFound {
			t.Errorf("%+v: %v; want an *input.Error on %s (not found: %v)", r, err, c.field, c.notFound)
		}
	}
	r := base
	r.Stack = "opencl"
	if _, err := r.Setup(cat); err == nil || !strings.Contains(err.Error(), "want one of cuda, cann,") {
		t.Errorf("unknown stack: %v, want the stacks listed as words, not a Go slice", err)
	}
	r = base
	r.Tokens, r.Days = 1e30, 0
	s, err := r.Setup(cat)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(s, RunOptions{}); !strings.Contains(err.Error(), "ten years") {
		t.Errorf("a budget of 1e30 tokens: %v, want refused (over ten years of compute)", err)
	}
	s, _ = base.Setup(cat)
	stop := errors.New("no")
	if _, err := Run(s, RunOptions{Admit: func(RunSide) error { return stop }}); err != stop {
		t.Errorf("admission refused: %v, want its error", err)
	}
}

// TestRunFileErrors: a file's errors name the file, the line and the
// field; one the flags gave is left to them.
func TestRunFileErrors(t *testing.T) {
	cat := testCatalog(t)
	var r RunRequest
	f, err := DecodeRunFile("x/run.yaml", []byte("model: llama3.1-8b\nchip: h100-sxm\nchips: -4\ndays: 2\n"), &r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Setup(cat)
	if got := f.Explain(err, func(string) bool { return false }).Error(); got != "scenario x/run.yaml: line 3: field chips = -4: want at least 1" {
		t.Errorf("got %q", got)
	}
	if got := f.Explain(err, func(s string) bool { return s == "chips" }); got != err {
		t.Errorf("a flag's error: %v, want it as it was", got)
	}
	_, err = DecodeRunFile("run.yaml", []byte("model: llama3.1-8b\nchipz: 8\n"), &r)
	var ie *input.Error
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "line 2: unknown field chipz") || ie.Field != "chipz" {
		t.Errorf("unknown key: %v", err)
	}
	// A token budget takes an SI scale, as --tokens does; a bad one names
	// its line and field.
	var scaled RunRequest
	if _, err := DecodeRunFile("run.yaml", []byte("model: llama3.1-8b\ntokens: 15T\n"), &scaled); err != nil || scaled.Tokens != 15e12 {
		t.Errorf("tokens: 15T: %g, %v; want 1.5e13", float64(scaled.Tokens), err)
	}
	_, err = DecodeRunFile("run.yaml", []byte("model: llama3.1-8b\ntokens: 15 trillion\n"), &scaled)
	if err == nil || !strings.Contains(err.Error(), `line 2: field tokens: invalid count "15 trillion"`) {
		t.Errorf("tokens: 15 trillion: %v, want line 2 naming the field", err)
	}
	// yaml.v3 would run 8 chips for 8.5, and drop a second document.
	_, err = DecodeRunFile("run.yaml", []byte("model: llama3.1-8b\nchips: 8.5\n"), &r)
	if !errors.As(err, &ie) || ie.Field != "chips" || !strings.Contains(err.Error(), "line 2: field chips: got 8.5, want a whole number") {
		t.Errorf("chips: 8.5: %v", err)
	}
	_, err = DecodeRunFile("run.yaml", []byte("model: llama3.1-8b\n---\nchips: 8\n"), &r)
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "line 2: more than one YAML document") {
		t.Errorf("two documents: %v", err)
	}
}

// The interval check names a best interval only where some run finishes:
// with every wall at the simulation's cap, none is better (a spares
// shortage read "best 2× Daly" at 3,305 capped days).
func TestSweepLineNoneFinishes(t *testing.T) {
	s := RunSide{Job: goodput.Job{Work: 30 * units.Day}, Result: goodput.Result{Seeds: 10},
		Sweep: []goodput.SweepPoint{{Factor: 0.5, Wall: 3440}, {Factor: 1, Wall: 3350}, {Factor: 2, Wall: 3305}}}
	if got := s.sweepLine(); !strings.HasSuffix(got, "; no interval finishes a run (interruptions outpace recovery)") {
		t.Errorf("no seed finishes: %q", got)
	}
	s.Sweep[2].Finished = 1
	if got := s.sweepLine(); !strings.HasSuffix(got, "; best 2× Daly") {
		t.Errorf("one finishes at 2×: %q", got)
	}
}

// A window's days out of range are refused by one rule, whichever check
// finds them (review: --days 1e308 said "want 0 to 3650 days (ten
// years)", --days 4000 "want at most 3650 (ten years)"): a number whose
// duration overflows (the flag's and a file's text, the API's JSON) and
// one too long, negative or not a number (normalize).
func TestDaysOneRule(t *testing.T) {
	const rule = "want 0 to 3650 days (ten years)"
	var d Days
	var pe *units.ParseError
	if err := d.UnmarshalText([]byte("1e308")); !errors.As(err, &pe) || pe.Rule != rule {
		t.Errorf("--days 1e308: %v, want %q", err, rule)
	}
	var r RunRequest
	var ie *input.Error
	if err := DecodeJSON(strings.NewReader(`{"days": 1e308}`), &r); !errors.As(err, &ie) || ie.Field != "days" || ie.Want != rule {
		t.Errorf(`"days": 1e308: %v, want %q`, err, rule)
	}
	cat := testCatalog(t)
	for _, days := range []float64{4000, -1, math.NaN()} {
		r := RunRequest{Model: "llama3.1-8b", Chip: "h100-sxm", Chips: 64, Days: Days(units.Seconds(days) * units.Day), MFU: 0.4}
		if _, err := r.Setup(cat); !errors.As(err, &ie) || ie.Field != "days" || ie.Want != rule {
			t.Errorf("days %v: %v, want %q", days, err, rule)
		}
	}
}
