package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyGrid = `format: chipgap-sweep/v1
title: tiny <grid>
chips: [h100-sxm, b200]
sizes: [8]
models: [llama3.1-70b]
precisions: [bf16, fp8]
serving:
  slos: [{tpot: 30ms}, {tpot: 50ms}]
`

// TestSweepReport runs a small serving grid and draws its frontiers as
// text and as a page.
func TestSweepReport(t *testing.T) {
	dir := t.TempDir()
	grid := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(grid, []byte(tinyGrid), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := runCLI("sweep", grid, "--out", out, "--quiet"); code != exitOK {
		t.Fatalf("sweep: exit %d: %s", code, stderr)
	}
	page := filepath.Join(dir, "f.html")
	code, stdout, stderr := runCLI("sweep", "report", out, "--html", page)
	if code != exitOK || !strings.Contains(stdout, "llama3.1-70b: $/Mtok vs TPOT (4096 in, 1024 out):") {
		t.Fatalf("sweep report: exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(page)
	if err != nil || !strings.Contains(string(b), "<h1>Design-space sweep: tiny &lt;grid&gt;</h1>") || strings.Count(string(b), "<svg") != 2 {
		t.Errorf("page: %v\n%.400s", err, b)
	}
	// The file itself works as well as its directory; - writes the page.
	if code, stdout, _ := runCLI("sweep", "report", filepath.Join(out, "sweep.parquet"), "--html", "-"); code != exitOK || !strings.HasPrefix(stdout, "<!DOCTYPE html>") {
		t.Errorf("sweep report FILE --html -: exit %d, %.80q", code, stdout)
	}
}

func TestSweepReportUsageErrors(t *testing.T) {
	dir := t.TempDir()
	shards := filepath.Join(dir, "shards")
	os.MkdirAll(shards, 0o755)
	os.WriteFile(filepath.Join(shards, "shard-00000-of-00002.parquet"), []byte("x"), 0o644)
	junk := filepath.Join(dir, "junk.parquet")
	os.WriteFile(junk, []byte("not parquet"), 0o644)
	corrupt := filepath.Join(dir, "corrupt.parquet")
	os.WriteFile(corrupt, []byte("PAR1xxxxxxxxPAR1"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sweep", "report"}, exitUsage, "want one sweep output directory or file"},
		{[]string{"sweep", "report", filepath.Join(dir, "nope")}, exitFailure, "no such file or directory"}, // cannot be read: 1, as validate's files
		{[]string{"sweep", "report", dir}, exitUsage, "has no sweep.parquet: run chipgap sweep GRID.yaml --out"},
		{[]string{"sweep", "report", shards}, exitUsage, "holds shards, not sweep.parquet: merge them first"},
		// QA: a file that reads but is no sweep Parquet said "negative
		// offset" with exit 1: it is bad input (README, "Exit codes").
		{[]string{"sweep", "report", junk}, exitUsage, junk + ": not a chipgap sweep Parquet file"},
		{[]string{"sweep", "report", corrupt}, exitUsage, corrupt + ": not a chipgap sweep Parquet file"},
		// An absent directory is exit 1 for merge as for report (QA: merge said 2).
		{[]string{"sweep", "merge", filepath.Join(dir, "nope"), "--out", filepath.Join(dir, "merged")}, exitFailure, "no such file or directory"},
		{[]string{"sweep", "report", junk, "--html", dir}, exitUsage, "--html"},
		// QA: a shard that is no sweep Parquet stopped merge with exit 1 in
		// the reader's terms ("reading magic header of parquet file").
		{[]string{"sweep", "merge", shards, "--out", filepath.Join(dir, "merged")}, exitUsage,
			filepath.Join(shards, "shard-00000-of-00002.parquet") + ": not a chipgap sweep Parquet file"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// A grid past the budget stops with exit 2, one line saying how long it
// would take and how many shards fit; --yes runs it.
func TestSweepBudget(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	dir := t.TempDir()
	grid := filepath.Join(dir, "tiny.yaml")
	if err := os.WriteFile(grid, []byte(tinyGrid), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI("sweep", grid, "--out", dir, "--budget", "1ns")
	if code != exitUsage || !strings.Contains(stderr, "8 cells (shard all), about ") || !strings.Contains(stderr, "over the time budget of 1ns; pass --yes") || strings.Contains(stderr, "cell budget") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("over budget: exit %d, stderr %q; want exit 2 and one line", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "sweep.parquet")); err == nil {
		t.Error("a refused sweep wrote its file")
	}
	if code, _, stderr := runCLI("sweep", grid, "--out", dir, "--budget", "1ns", "--yes", "--quiet"); code != exitOK {
		t.Errorf("--yes: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCLI("sweep", grid, "--out", dir, "--budget", "-1s"); code != exitUsage || !strings.Contains(stderr, "--budget -1s") {
		t.Errorf("--budget -1s: exit %d, %q", code, stderr)
	}
}
