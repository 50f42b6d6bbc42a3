package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportDefault: chipgap with no arguments runs the gap report on
// the built-in scenario (1,000 samples) and prints its summary; stderr
// is not a terminal, so no progress is printed.
func TestReportDefault(t *testing.T) {
	code, out, errs := runCmd(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if errs != "" {
		t.Errorf("stderr = %q, want nothing (not a terminal)", errs)
	}
	for _, want := range []string{"1000 Monte Carlo samples, seed 1", "The essay's claims, tested", "H100", "H20", "B200", "910B", "910C", "CM384",
		"The gap to H100, decomposed", "Δ downtime", "tokens/s per chip", "good per year", "premium for independence", "Sensitivity", "sources listed in full",
		"Cross-check of the assumed training profiles", "on stack mindformers, the cann profile fitted on published runs"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// TestReportFiles: a scenario file, --html, --csv and --json; the same
// seed gives the same bytes.
func TestReportFiles(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.yaml")
	os.WriteFile(sc, []byte("format: chipgap-scenario/v1\nsamples: 40\nseed: 9\n"), 0o644)
	html, csvf := filepath.Join(dir, "r.html"), filepath.Join(dir, "r.csv")
	code, out, errs := runCmd(t, "report", sc, "--html", html, "--csv", csvf, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Seed    uint64 `json:"seed"`
		Samples int    `json:"samples"`
		Systems []any  `json:"systems"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Seed != 9 || res.Samples != 40 || len(res.Systems) != 6 {
		t.Fatalf("--json = seed %d, samples %d, %d systems, err %v", res.Seed, res.Samples, len(res.Systems), err)
	}
	h, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(h), "<svg data-chart=") || strings.Contains(string(h), "<script src") {
		t.Errorf("--html file: err %v, %d bytes, want inline SVG with its data and no external script", err, len(h))
	}
	c, err := os.ReadFile(csvf)
	if err != nil || !strings.HasPrefix(string(c), "section,subject,figure,unit,typ,p10,p50,p90,trail\n") {
		t.Errorf("--csv file: err %v, starts %q", err, string(c[:min(60, len(c))]))
	}
	_, again, _ := runCmd(t, "report", sc, "--json")
	if again != out {
		t.Error("two runs of the same scenario and seed differ")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("directory holds %d files, want s.yaml, r.html, r.csv (no temporary leftovers)", len(entries))
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("format: chipgap-scenario/v1\ninference:\n  tpot: 50GB\n"), 0o644)
	html := filepath.Join(dir, "out.html")
	// A NaN in a range is a bad value like any other (exit 2, the file,
	// the line and the field); before, network_share's exited 1 from the
	// Monte Carlo ("invalid triangular parameters [NaN 0.15 0.2]") and
	// the others exited 2 naming no file, line or field.
	nan := func(name, text string) string {
		f := filepath.Join(dir, name)
		os.WriteFile(f, []byte("format: chipgap-scenario/v1\n"+text), 0o644)
		return f
	}
	share := nan("share.yaml", "economics:\n  network_share: {min: .nan, typ: 0.15, max: 0.2}\n")
	util := nan("util.yaml", "economics:\n  utilisation: {typ: .nan}\n")
	scale := nan("scale.yaml", "failure_rate_scale:\n  cann: {min: 0.3, typ: .nan, max: 0.6}\n")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", bad, "--html", html}, 2, "bad.yaml:3: field inference.tpot"},
		{[]string{"report", share, "--samples", "5"}, 2, "share.yaml:3: field economics.network_share: {min: NaN, typ: 0.15, max: 0.2}: want finite values"},
		{[]string{"report", util, "--samples", "5"}, 2, "util.yaml:3: field economics.utilisation: {min: NaN, typ: NaN, max: NaN}: want finite values"},
		{[]string{"report", scale, "--samples", "5"}, 2, "scale.yaml:3: field failure_rate_scale.cann: {min: 0.3, typ: NaN, max: 0.6}: want finite values"},
		{[]string{"report", filepath.Join(dir, "missing.yaml")}, 1, "no such file"},
		{[]string{"report", "--bogus"}, 2, "unknown flag --bogus (chipgap report --help"},
		{[]string{"report", "a.yaml", "b.yaml"}, 2, "at most one scenario file"},
		{[]string{"report", "--samples", "-5"}, 2, "--samples = -5: want 1 to 100000"},
	} {
		code, _, errs := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, err := os.Stat(html); err == nil {
		t.Error("a failed report left an HTML file behind")
	}
}

// TestReportOutputPaths: bad output paths fail before the Monte Carlo and
// leave nothing behind. Before: an --html that is a directory left a
// .chipgap-* temporary file beside it; a failing --csv left the --html
// written although the command failed; --html and --csv naming the same
// file exited 0 with the CSV over the HTML.
func TestReportOutputPaths(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.yaml")
	os.WriteFile(sc, []byte("format: chipgap-scenario/v1\nsamples: 10\n"), 0o644)
	html := filepath.Join(dir, "r.html")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--html", dir}, "is a directory"},
		{[]string{"--html", html, "--csv", filepath.Join(dir, "nope", "r.csv")}, "--csv"},
		{[]string{"--html", html, "--csv", html}, "the same file"},
	} {
		code, _, errs := runCmd(t, append([]string{"report", sc}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.Name() != "s.yaml" {
				t.Errorf("%v: left %s behind", c.args, e.Name())
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
}
