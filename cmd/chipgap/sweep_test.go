package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const sweepExample = "../../examples/sweep-small.yaml"

// TestSweepHelperProcess is chipgap itself when the test binary is run
// by TestSweepShardsAsProcesses: the arguments come in CHIPGAP_ARGS.
func TestSweepHelperProcess(t *testing.T) {
	if os.Getenv("CHIPGAP_SWEEP_HELPER") != "1" {
		t.Skip("run by TestSweepShardsAsProcesses")
	}
	args := strings.Split(os.Getenv("CHIPGAP_ARGS"), "\x1f")
	os.Exit(run(context.Background(), args, strings.NewReader(""), os.Stdout, os.Stderr))
}

// chipgapProcess runs chipgap as a separate process with the batch
// engine's variables in env (and none inherited).
func chipgapProcess(t *testing.T, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepHelperProcess$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "JOB_COMPLETION") && !strings.HasPrefix(kv, "SLURM_ARRAY") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CHIPGAP_SWEEP_HELPER=1", "CHIPGAP_ARGS="+strings.Join(args, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	return cmd.CombinedOutput()
}

// TestSweepShardsAsProcesses runs the example grid as one process and as
// four shard processes, two told their shard as a Kubernetes Indexed
// Job tells it and two as a Slurm job array does, merges the shards and
// checks the merged Parquet and CSV are byte-identical to the single run.
func TestSweepShardsAsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the example grid five times")
	}
	whole, shards, merged := t.TempDir(), t.TempDir(), t.TempDir()
	if out, err := chipgapProcess(t, nil, "sweep", sweepExample, "--out", whole, "--csv", "--quiet"); err != nil {
		t.Fatalf("whole run: %v\n%s", err, out)
	}
	envs := [][]string{
		{"JOB_COMPLETION_INDEX=0", "JOB_COMPLETIONS=4"},
		{"JOB_COMPLETION_INDEX=1", "JOB_COMPLETIONS=4"},
		{"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=4", "SLURM_ARRAY_TASK_MIN=0"},
		{"SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_COUNT=4"},
	}
	var wg sync.WaitGroup
	for _, env := range envs {
		wg.Go(func() {
			if out, err := chipgapProcess(t, env, "sweep", sweepExample, "--out", shards, "--workers", "1", "--quiet"); err != nil {
				t.Errorf("shard %v: %v\n%s", env, err, out)
			}
		})
	}
	wg.Wait()
	files, _ := filepath.Glob(filepath.Join(shards, "shard-*.parquet"))
	if len(files) != 4 {
		t.Fatalf("shard files = %v, want 4", files)
	}
	code, stdout, stderr := runCLI("sweep", "merge", shards, "--out", merged, "--csv")
	if code != exitOK {
		t.Fatalf("merge: exit %d, %s%s", code, stdout, stderr)
	}
	for _, f := range []string{"sweep.parquet", "sweep.csv"} {
		a, err1 := os.ReadFile(filepath.Join(whole, f))
		b, err2 := os.ReadFile(filepath.Join(merged, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) || len(a) == 0 {
			t.Errorf("%s: merged (%d bytes) differs from the single run (%d bytes) (%v, %v)", f, len(b), len(a), err1, err2)
		}
	}
	// One shard named directly is refused as a directory of them is: its
	// frontiers are not the grid's (QA: it printed 24 cells as the whole).
	if code, _, stderr := runCLI("sweep", "report", files[1]); code != exitUsage || !strings.Contains(stderr, "is shard 1/4 of a sweep") {
		t.Errorf("sweep report SHARD: exit %d, %s; want exit 2 naming shard 1/4", code, stderr)
	}
	// A finished shard is skipped when its task runs again.
	out, err := chipgapProcess(t, envs[2], "sweep", sweepExample, "--out", shards, "--quiet")
	if err != nil || !strings.Contains(string(out), "skipped") {
		t.Errorf("rerun of shard 2/4: %v, %s; want skipped", err, out)
	}
}

// One DeepSeek-V3 training cell on 16,384 chips (4.5 s by
// sweep.Measured: its search's valid plans × 1.8 µs) is over a 3 s
// budget on any number of cores or shards (QA: it was estimated at 2.2 s
// on 2 cores).
func TestSweepLongestCellOverBudget(t *testing.T) {
	g := filepath.Join(t.TempDir(), "ds.yaml")
	src := "format: chipgap-sweep/v1\nchips: [h100-sxm]\nsizes: [16384]\nmodels: [deepseek-v3]\nprecisions: [bf16]\ntraining: {tokens: 1e12}\n"
	if err := os.WriteFile(g, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI("sweep", g, "--out", filepath.Join(t.TempDir(), "o"), "--budget", "3s")
	if code != exitUsage || !strings.Contains(errs, "about 4.5s here") || !strings.Contains(errs, "even a shard of one cell would take about 4.5s (its longest cell)") {
		t.Errorf("one 4.5 s cell, --budget 3s: exit %d, %s; want exit 2, 4.5s and no sharding that helps", code, errs)
	}
}

func TestSweepUsageErrors(t *testing.T) {
	t.Setenv("JOB_COMPLETION_INDEX", "")
	t.Setenv("SLURM_ARRAY_TASK_ID", "")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("format: chipgap-sweep/v1\nchips: [h100-sxm]\nnodes: [8]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"sweep", sweepExample}, exitUsage, "--out DIR is required"},
		{[]string{"sweep", "--out", dir}, exitUsage, "want one grid file"},
		{[]string{"sweep", sweepExample, "--out", dir, "--shard", "4/4"}, exitUsage, "--shard: shard index 4: want 0 to 3"},
		{[]string{"sweep", bad, "--out", dir}, exitUsage, bad + ":3: field nodes: unknown axis or setting; allowed here:"}, // a grid that does not check is the user's input (exit 2)
		{[]string{"sweep", "merge", dir}, exitUsage, "--out DIR2 is required"},
		// A directory without shards is the argument's fault (exit 2), as
		// sweep report's without a sweep.parquet is.
		{[]string{"sweep", "merge", dir, "--out", dir}, exitUsage, "no shard files"},
		// --out naming a file: a refused output path (exit 2), as report's
		// --html naming a directory is; MkdirAll's error was an exit 1.
		{[]string{"sweep", sweepExample, "--out", bad}, exitUsage, "--out " + bad + ": not a directory"},
		{[]string{"sweep", "merge", dir, "--out", bad}, exitUsage, "not a directory"},
		// QA: --out under a missing parent created the whole chain; a new
		// directory is made only in an existing one, as report --html
		// takes a new file only there.
		{[]string{"sweep", sweepExample, "--out", filepath.Join(dir, "nonexist", "dir", "x")}, exitUsage, "want a directory that exists or a new one in an existing directory (" + filepath.Join(dir, "nonexist", "dir") + " is not one)"},
		{[]string{"sweep", "merge", dir, "--out", filepath.Join(dir, "nonexist", "x")}, exitUsage, "is not one"},
		// QA: a shard wrote no CSV with exit 0; a budget under a second
		// gave advice computed on a second ("about 2.8s ... over the time
		// budget of 1ms; shard it into at least 3"), and a small shard
		// was "about 0s ... over the time budget".
		{[]string{"sweep", sweepExample, "--out", dir, "--shard", "0/1000", "--csv"}, exitUsage, "--csv with shard 0/1000: a shard writes no sweep.csv"},
		{[]string{"sweep", sweepExample, "--out", dir, "--budget", "1ms"}, exitUsage, "over the time budget of 1ms; pass --yes to run it anyway, or raise --budget: even a shard of one cell would take about "},
		{[]string{"sweep", sweepExample, "--out", dir, "--budget", "1µs", "--shard", "0/48"}, exitUsage, "or raise --budget: even a shard of one cell would take about "},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line containing %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nonexist")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused --out left %s/nonexist behind (%v)", dir, err)
	}
	t.Setenv("JOB_COMPLETION_INDEX", "5")
	t.Setenv("JOB_COMPLETIONS", "4")
	if code, _, stderr := runCLI("sweep", sweepExample, "--out", dir); code != exitUsage || !strings.Contains(stderr, "JOB_COMPLETION_INDEX 5: want 0 to 3") {
		t.Errorf("JOB_COMPLETION_INDEX=5 of 4: exit %d, stderr %q", code, stderr)
	}
}

// The shards advised are computed on the budget itself (QA: 1ms was
// counted as 1s, "about 2.8s ... over the time budget of 1ms; shard it
// into at least 3"); none are when even one cell a shard is over it.
func TestShardsFor(t *testing.T) {
	for _, c := range []struct {
		cells     int
		t, budget time.Duration
		count     int
		want      int64
	}{
		{96, 2800 * time.Millisecond, time.Second, 1, 3},
		{96, 2800 * time.Millisecond, 500 * time.Millisecond, 1, 6},
		{96, 2800 * time.Millisecond, 100 * time.Millisecond, 1, 28},
		{24, 700 * time.Millisecond, 100 * time.Millisecond, 4, 28}, // one shard of 4: 7 shards of it, 28 in all
		{96, 2800 * time.Millisecond, time.Millisecond, 1, 0},       // 2,800 shards of 96 cells: not possible
		{1, 30 * time.Millisecond, time.Millisecond, 1000, 0},
		{3_000_000, time.Second, time.Hour, 1, 3}, // the cell bound
	} {
		if got := shardsFor(c.cells, c.t, c.budget, c.count); got != c.want {
			t.Errorf("%d cells in %v, budget %v, shard of %d: %d shards, want %d", c.cells, c.t, c.budget, c.count, got, c.want)
		}
	}
}

// roundDuration never prints a time that is not zero as "0s" (QA: "about
// 0s ... over the time budget").
func TestRoundDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		3*time.Hour + 12*time.Minute + 7*time.Second: "3h12m0s", 14*time.Minute + 30*time.Second + 200*time.Millisecond: "14m30s",
		9430 * time.Millisecond: "9.4s", 37400 * time.Microsecond: "37ms", 420 * time.Microsecond: "420µs",
	} {
		if got := roundDuration(d); got != want {
			t.Errorf("roundDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// oneCellGrid is a sweep grid of one serving cell (a fraction of a
// second).
const oneCellGrid = `format: chipgap-sweep/v1
title: one cell
seed: 1
samples: 0
chips: [h100-sxm]
sizes: [8]
models: [llama3.1-8b]
precisions: [bf16]
serving:
  workloads:
    - {input_tokens: 1024, output_tokens: 128}
  slos:
    - {tpot: 50ms}
`

// TestSweepWording (audit): sweep merge's and sweep report's errors
// said "chipgap sweep:"; the summary of a one-cell sweep on one core
// said "1 cells ... on 1 cores"; a grid read from standard input (-)
// runs as the file does; the summary gives the budget's estimate beside
// the time taken (docs QA: docs/sweeps.md said it was printed, and it was
// not).
func TestSweepWording(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"merge", "report"} {
		args := []string{"sweep", sub, filepath.Join(dir, "nope")}
		if sub == "merge" {
			args = append(args, "--out", filepath.Join(dir, "merged"))
		}
		if _, _, errs := runCLI(args...); !strings.HasPrefix(errs, "chipgap sweep "+sub+": "+filepath.Join(dir, "nope")+": ") {
			t.Errorf("%q: stderr %q; want it to name chipgap sweep %s", args, errs, sub)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	out := filepath.Join(dir, "out")
	code, stdout, errs := runStdin(oneCellGrid, "sweep", "-", "--out", out, "--quiet")
	if want := filepath.Join(out, "sweep.parquet") + ": 1 cell (shard all; the grid has 1) in "; code != exitOK || !strings.HasPrefix(stdout, want) || !strings.HasSuffix(stdout, " cells/s on 1 core\n") ||
		!regexp.MustCompile(` s \(estimated [0-9.]+(ms|s)\), `).MatchString(stdout) {
		t.Errorf("sweep - on one core: exit %d, stdout %q, stderr %q; want %q… (estimated …) … on 1 core", code, stdout, errs, want)
	}
	if _, stdout, _ := runStdin(oneCellGrid, "sweep", "-", "--out", out); stdout != filepath.Join(out, "sweep.parquet")+": already complete for this grid (shard all, 1 cell); skipped\n" {
		t.Errorf("the same grid again: stdout %q; want it skipped, 1 cell", stdout)
	}
}

// TestSweepOutThatCannotBeMade: a --out directory whose creation fails
// (QA: "mkdir /sys/kernel/sw: operation not permitted") names --out.
func TestSweepOutThatCannotBeMade(t *testing.T) {
	err := outDirError("/sys/kernel/sw", &fs.PathError{Op: "mkdir", Path: "/sys/kernel/sw", Err: syscall.EPERM})
	if err.Error() != "--out /sys/kernel/sw: cannot create the directory: operation not permitted" || !errors.Is(err, syscall.EPERM) {
		t.Errorf("outDirError = %v", err)
	}
	other := &fs.PathError{Op: "open", Path: "/sys/kernel/sw/x", Err: syscall.EPERM}
	if outDirError("/sys/kernel/sw", other) != error(other) {
		t.Error("outDirError rewrote an error of another operation")
	}
	if st, err := os.Stat("/sys/kernel"); err != nil || !st.IsDir() {
		t.Skip("no /sys/kernel to try the command on")
	}
	code, _, errs := runStdin(oneCellGrid, "sweep", "-", "--out", "/sys/kernel/chipgap-test-sw")
	if code != exitFailure || !strings.HasPrefix(errs, "chipgap sweep: --out /sys/kernel/chipgap-test-sw: cannot create the directory: ") {
		t.Errorf("--out under /sys/kernel: exit %d, stderr %q; want exit 1 naming --out", code, errs)
	}
}

// TestSweepOutputsCheckedFirst (QA): a grid file named DIR/sweep.csv or
// DIR/sweep.parquet was replaced by the sweep's own output (exit 0); a
// directory at DIR/sweep.csv was found only after every cell ran, exit 1
// with "not a regular file (d---------)". Both are refused before any
// cell, exit 2, naming the flag, for sweep and sweep merge; a stated
// --shard 0/1 writes its shard file, which merge then joins.
func TestSweepOutputsCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"sweep.csv", "sweep.parquet"} {
		grid := filepath.Join(dir, name)
		if err := os.WriteFile(grid, []byte(oneCellGrid), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runCLI("sweep", grid, "--out", dir, "--csv", "--quiet")
		if code != exitUsage || out != "" || !strings.Contains(errs, " is the input "+grid) {
			t.Errorf("grid %s: exit %d, stdout %q, stderr %q; want exit 2, it is the input", name, code, out, errs)
		}
		if b, _ := os.ReadFile(grid); string(b) != oneCellGrid {
			t.Errorf("grid %s was replaced", name)
		}
		os.Remove(grid)
	}
	grid := filepath.Join(dir, "g.yaml")
	if err := os.WriteFile(grid, []byte(oneCellGrid), 0o644); err != nil {
		t.Fatal(err)
	}
	shards, csvDir := filepath.Join(dir, "shards"), filepath.Join(dir, "csvdir")
	if err := os.MkdirAll(filepath.Join(csvDir, "sweep.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := "--csv " + filepath.Join(csvDir, "sweep.csv") + ": is a directory; want a regular file or a new file name\n"
	if code, out, errs := runCLI("sweep", grid, "--out", csvDir, "--csv", "--quiet"); code != exitUsage || out != "" || !strings.HasSuffix(errs, want) {
		t.Errorf("sweep --csv onto a directory: exit %d, stdout %q, stderr %q; want exit 2 ending %q", code, out, errs, want)
	}
	if _, err := os.Stat(filepath.Join(csvDir, "sweep.parquet")); err == nil {
		t.Error("sweep --csv onto a directory ran the cells and wrote sweep.parquet")
	}
	if code, out, errs := runCLI("sweep", grid, "--out", shards, "--shard", "0/1", "--quiet"); code != exitOK ||
		!strings.HasPrefix(out, filepath.Join(shards, "shard-00000-of-00001.parquet")+": 1 cell (shard 0/1;") {
		t.Fatalf("sweep --shard 0/1: exit %d, stdout %q, stderr %q; want the shard file", code, out, errs)
	}
	if code, out, errs := runCLI("sweep", "merge", shards, "--out", csvDir, "--csv"); code != exitUsage || out != "" || !strings.HasSuffix(errs, want) {
		t.Errorf("merge --csv onto a directory: exit %d, stdout %q, stderr %q; want exit 2 ending %q", code, out, errs, want)
	}
	merged := filepath.Join(dir, "merged")
	if code, out, errs := runCLI("sweep", "merge", shards, "--out", merged); code != exitOK || out != filepath.Join(merged, "sweep.parquet")+": 1 cell merged\n" {
		t.Errorf("merge of shard 0/1: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
