package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type fabJSON struct {
	Typical map[string]float64
	Binding string
	Ranges  map[string]struct{ P10, P50, P90 float64 }
	Tornado map[string][]struct{ Input string }
}

func runFabJSON(t *testing.T, args ...string) (fabJSON, string) {
	t.Helper()
	code, out, errs := runCmd(t, append([]string{"fab", "--json", "--trials", "2000"}, args...)...)
	if code != 0 {
		t.Fatalf("fab %v: exit %d: %s", args, code, errs)
	}
	var v fabJSON
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("fab %v: bad JSON: %v", args, err)
	}
	return v, out
}

// TestFabText: the default case (910C on SMIC N+2, 2026) prints the
// hand-checked typical values of catalog.TestFabCase910C: 75 dies per
// wafer, 40.0 % die yield, $466.5 per good die, 297,500 a year, HBM binding.
func TestFabText(t *testing.T) {
	code, out, errs := runCmd(t, "fab", "--chip", "ascend-910c", "--trials", "2000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"dies per wafer         75", "40.0 %", "$466.5", "297,500", "Binding constraint: hbm", "What moves cost per good package"} {
		if !strings.Contains(out, want) {
			t.Errorf("fab output lacks %q:\n%s", want, out)
		}
	}
}

// TestFabNothingMoves: with --hbm-stacks 0 no chip is packaged whatever
// the inputs, so no input moves good chips per year: one line says so
// where a heading stood with nothing under it.
func TestFabNothingMoves(t *testing.T) {
	code, out, errs := runCmd(t, "fab", "--hbm-stacks", "0", "--trials", "2000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := "\nNothing moves good chips per year: it stays at 0 from each input's P10 to its P90 (others typical).\n"; !strings.Contains(out, want) || strings.Contains(out, "What moves good chips per year") {
		t.Errorf("fab --hbm-stacks 0 lacks %q (or keeps the empty heading):\n%s", want, out)
	}
	if !strings.Contains(out, "What moves cost per good package most") {
		t.Errorf("the cost tornado went too:\n%s", out)
	}
}

// TestFabOverrides: --die-area 665.61 --defect-density 0.15 --wafer-price
// 14000 --model poisson fixes the die: yield e^(−0.998415) = 0.368463 in
// every trial, and a typical good die costs 14 000/(75 · 0.368463) =
// $506.61 (only dies per wafer still varies, with edge exclusion and
// scribe). With HBM plentiful (10 M stacks) and 60 000 wpm · 10 %, wafers
// allow 12·6 000·75/(2/(0.368463·0.85)) = 845 623 and packaging
// 850 000: wafers bind.
func TestFabOverrides(t *testing.T) {
	v, _ := runFabJSON(t, "--die-area", "665.61", "--defect-density", "0.15", "--wafer-price", "14000", "--model", "poisson",
		"--hbm-stacks", "1e7", "--wafers-per-month", "60000", "--ai-share", "0.1")
	if y := v.Typical["die_yield"]; math.Abs(y-0.368463) > 1e-6 {
		t.Errorf("die yield %g, want 0.368463", y)
	}
	if y := v.Ranges["die_yield"]; y.P10 != y.P90 {
		t.Errorf("die yield range %+v, want fixed", y)
	}
	if c := v.Typical["cost_per_good_die"]; math.Abs(c-506.61) > 0.01 {
		t.Errorf("cost per good die %g, want $506.61", c)
	}
	if v.Binding != "wafers" || math.Abs(v.Typical["good_per_year"]-845623) > 1 {
		t.Errorf("binding %s at %g, want wafers at 845 623", v.Binding, v.Typical["good_per_year"])
	}
}

// TestFabSameSeedSameBytes: the Monte Carlo is seeded.
func TestFabSameSeedSameBytes(t *testing.T) {
	_, a := runFabJSON(t, "--seed", "7")
	_, b := runFabJSON(t, "--seed", "7")
	_, c := runFabJSON(t, "--seed", "8")
	if a != b {
		t.Error("same seed, different output")
	}
	if a == c {
		t.Error("seeds 7 and 8 gave identical output")
	}
}

func TestFabErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--model", "bose"}, 2, "--model = bose: want poisson, murphy, negbin or seeds"},
		{[]string{"--defect-density", "-1"}, 2, "--defect-density = -1"},
		{[]string{"--ai-share", "1.5"}, 2, "--ai-share = 1.5"},
		{[]string{"--chip", "ascend-910"}, 2, "did you mean"},
		{[]string{"--chip", "h100-sxm", "--hbm-stacks", "1e6"}, 2, "--hbm-stacks: overrides a figure of a supply case, and chip h100-sxm has no supply case"},
		{[]string{"--process", "tsmc-n3"}, 2, "unknown fab process"},
		{[]string{"extra"}, 2, "unexpected argument"},
		// 10^7 trials (allowed) took ~45 s.
		{[]string{"--trials", "2000000"}, 2, "--trials = 2000000: want 1 to 1000000"},
		// No close match: the error lists what is allowed (it said only "not found").
		{[]string{"--chip", "nope"}, 2, "want one of ascend-910c"},
		{[]string{"--supply", "nope"}, 2, "want one of "},
		// QA: bad input exited 1 ("supply case china-2026 counts smic-n2
		// wafers, not tsmc-n4"); and a chip whose own supply case the
		// process dropped was said to have none.
		{[]string{"--chip", "h100-sxm", "--supply", "china-2026"}, 2, "--supply = china-2026: counts smic-n2 wafers, not tsmc-n4 (the process): want a supply case on tsmc-n4, or process smic-n2"},
		{[]string{"--chip", "ascend-910b", "--process", "tsmc-n7", "--ai-share", "0.5"}, 2, "--ai-share: overrides a figure of a supply case, and chip ascend-910b's supply case china-2025 counts smic-n2 wafers, not tsmc-n7 (the process), so it does not apply"},
	}
	for _, c := range cases {
		code, out, errs := runCmd(t, append([]string{"fab"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) || out != "" {
			t.Errorf("fab %v: exit %d, stderr %q, stdout %d bytes; want exit %d naming %q and no output", c.args, code, errs, len(out), c.code, c.want)
		}
	}
}

// TestFabDieAreaWithinTheReticle: one die is at most what one exposure
// prints, the 26 × 33 mm = 858 mm² reticle field. --die-area 4000 was
// taken as a monolithic die (6 dies a wafer at 11.3 % yield on h100-sxm's
// process); it is refused, on the command line and in a --request file,
// with what is allowed. 858 itself runs: 26 × 33 mm dies, stepped with
// the 0.1 mm scribe, fit ⌊π·147²/(√858 + 0.1)² − π·294/√(2·(√858 + 0.1)²)⌋
// = ⌊78.6 − 22.2⌋ = 56 a wafer (the square-die formula).
func TestFabDieAreaWithinTheReticle(t *testing.T) {
	const want = "want more than 0 and at most 858 mm², the 26 × 33 mm reticle field: the area of one die (a larger chip is several dies, which its chips.yaml entry counts in dies)"
	for _, area := range []string{"4000", "858.5"} {
		code, out, errs := runCmd(t, "fab", "--chip", "h100-sxm", "--die-area", area)
		if line := "chipgap fab: --die-area = " + area + ": " + want + "\n"; code != exitUsage || errs != line || out != "" {
			t.Errorf("fab --die-area %s: exit %d, stderr %q, stdout %d bytes; want exit 2 and the one line %q", area, code, errs, len(out), line)
		}
	}
	p := filepath.Join(t.TempDir(), "fab.json")
	if err := os.WriteFile(p, []byte(`{"chip":"h100-sxm","die_area":4000}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd(t, "fab", "--request", p); code != exitUsage || !strings.Contains(errs, p+": die_area = 4000: "+want) {
		t.Errorf("fab --request {die_area: 4000}: exit %d, stderr %q; want exit 2 naming %s's die_area", code, errs, p)
	}
	v, _ := runFabJSON(t, "--chip", "h100-sxm", "--die-area", "858")
	if got := v.Typical["dies_per_wafer"]; got != 56 {
		t.Errorf("fab --die-area 858: %g dies per wafer, want 56", got)
	}
}

// TestFabRequestErrorNamesTheFile: a --request file's die_area -1 was
// blamed on "--die-area" (QA): the error names the file and its field.
func TestFabRequestErrorNamesTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fab.json")
	if err := os.WriteFile(p, []byte(`{"die_area":-1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "fab", "--request", p)
	if code != exitUsage || !strings.Contains(errs, p+": die_area = -1: want") || strings.Contains(errs, "--die-area") {
		t.Errorf("fab --request {die_area: -1}: exit %d, stderr %q; want exit 2 naming %s's die_area", code, errs, p)
	}
	if code, _, errs := runCmd(t, "fab", "--request", p, "--die-area", "-2"); code != exitUsage || !strings.Contains(errs, "--die-area = -2") {
		t.Errorf("the flag beside it: exit %d, stderr %q; want --die-area = -2 named", code, errs)
	}
}

// TestRequestFileDecodeErrorOnce: a --request file that does not decode
// (an unknown field, a stated 0 where 0 is the default) is one line naming
// the file once and its field, exit 2, where the flag package's wrapping
// read "--request = r.json: r.json: sq: unknown field ... (chipgap train
// --help lists the flags)".
func TestRequestFileDecodeErrorOnce(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ cmd, body, want string }{
		{"train", `{"model":"llama3.1-8b","sq":1}`, `r.json: sq: unknown field "sq"`},
		{"train", `{"seq":0}`, `r.json: seq = 0: want a positive value (leave it out for the default)`},
		{"fab", `{"model":"x"}`, `r.json: model: unknown field "model"`},
	} {
		p := filepath.Join(dir, "r.json")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCmd(t, c.cmd, "--request", p)
		if want := "chipgap " + c.cmd + ": " + filepath.Join(dir, c.want) + "\n"; code != exitUsage || out != "" || errs != want {
			t.Errorf("%s --request %s: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.cmd, c.body, code, out, errs, want)
		}
	}
}

// TestTrainRequestChartsRefused: a request file's charts (an API field:
// the page's SVG charts) did nothing on the command line (QA); it is
// refused naming the file and the field. Its ranges (on by default) do
// act: false leaves the JSON's ranges out.
func TestTrainRequestChartsRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.yaml")
	if err := os.WriteFile(p, []byte("model: llama3.1-8b\nchip: h100-sxm\nchips: 8\ncharts: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "train", "--request", p); code != exitUsage || out != "" || !strings.Contains(errs, p+": field charts asks the API") {
		t.Errorf("train --request {charts: true}: exit %d, stdout %q, stderr %q; want exit 2 naming %s's charts", code, out, errs, p)
	}
	if err := os.WriteFile(p, []byte("model: llama3.1-8b\nchip: h100-sxm\nchips: 8\nranges: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, "train", "--request", p, "--json"); code != exitOK || strings.Contains(out, `"ranges"`) {
		t.Errorf("train --request {ranges: false} --json: exit %d, stderr %q, ranges in the JSON %v; want exit 0 without them", code, errs, strings.Contains(out, `"ranges"`))
	}
}
