package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"chipgap/calc"
	"chipgap/fileio"
	"chipgap/sweep"
)

const sweepUsage = `Usage: chipgap sweep GRID.yaml --out DIR [--shard i/n] [--csv] [--workers N] [--yes] [--budget 10m]
       chipgap sweep merge DIR --out DIR2 [--csv]
       chipgap sweep report DIR [--html FILE]

Runs a design-space sweep: every cell of a grid file (format
chipgap-sweep/v1, see examples/sweep-small.yaml and docs/sweeps.md), the
cross product of chips (catalog ids and what-if chips), sizes, models,
precisions and the training and serving targets, through the same
estimators as the other commands (training plan search keeping the best
plan within published practice; the serving layout with the most tokens/s
per chip under the SLO; optionally the whole run and a seeded Monte Carlo
for P10/P50/P90). Each cell is one row of DIR/sweep.parquet (Apache
Parquet: DuckDB, pandas and polars read it as is), and of DIR/sweep.csv
with --csv.

Sharding: --shard i/n runs cells i, i+n, i+2n, … into
DIR/shard-IIIII-of-NNNNN.parquet (0/1 too: a stated shard always writes
its shard file, for merge). Without --shard, the index and count come
from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the Job's
completions in JOB_COMPLETIONS) or a Slurm job array (SLURM_ARRAY_TASK_ID,
SLURM_ARRAY_TASK_COUNT). A shard whose file is already there for the same
grid is skipped, so a rerun resumes; a rerun of a shard writes the same
bytes. "chipgap sweep merge DIR --out DIR2" joins the shards into
DIR2/sweep.parquet, byte-identical to the grid run as one process; shards
of different grids (a grid hash is stored in each) are refused.
See deploy/kubernetes/sweep-job.yaml and deploy/slurm/sweep.sbatch.

"chipgap sweep report DIR" prints the Pareto frontiers (cost vs time,
$/Mtok vs TPOT, per watt); --html FILE draws them on one page
(chipgap sweep report --help).

Budget: before running, chipgap estimates how long the cells of this shard
take here, from per-cell costs measured on its build machine (a training
cell: 1 ms + its search's valid plans x 1.1 us, 1.8 us for a mixture of
experts, the plans counted from its chips, node, model, sequence, global
batch and stack; a serving cell's layout search: 0.4 ms, 1.5 ms for a
mixture of experts; each Monte Carlo draw 0.3 ms training, 0.05 ms
serving), spread over the cores (docs/sweeps.md, "The budget"). Past --budget (default 10m) or 1,000,000 cells it stops
with exit status 2, saying how long it would take and how many shards
would fit (or, where even a shard of one cell is over, to raise --budget);
--yes runs it anyway. The closing line gives the time taken beside the
estimate.

Files: the grid file may be at most 1 MiB; - reads it from standard input.
--out DIR is created if
missing, but only inside an existing directory (as report --html takes a
new file only there): a missing parent is an error, not a new chain.
Output files are written through a temporary file beside them and renamed
into place once complete. DIR/sweep.parquet (a shard's file) and
DIR/sweep.csv must be regular files or new names, and not the grid file:
checked before any cell runs (exit 2).

Examples:
  chipgap sweep examples/sweep-small.yaml --out /tmp/sweep --csv
  chipgap sweep examples/sweep-small.yaml --out /tmp/shards --shard 0/4   # … 3/4
  chipgap sweep merge /tmp/shards --out /tmp/sweep`

func cmdSweep(e *env, args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return cmdSweepMerge(e, args[1:])
	}
	if len(args) > 0 && args[0] == "report" {
		return cmdSweepReport(e, args[1:])
	}
	fs := newFlags(e, "sweep", sweepUsage)
	out := fs.String("out", "", "output directory (created if missing, in an existing directory)")
	shardFlag := fs.String("shard", "", "run the slice i/n of the cells (default: from the Kubernetes or Slurm variables, else all)")
	withCSV := fs.Bool("csv", false, "also write DIR/sweep.csv (unsharded runs only: a shard refuses it; merge --csv for shards)")
	workers := fs.Int("workers", 0, "cells evaluated at once (0: every core)")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	yes := fs.Bool("yes", false, "run even past the budget")
	budget := fs.Duration("budget", defaultSweepBudget, "the longest a run may be estimated to take here without --yes")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one grid file, got %s (chipgap sweep --help)", gotArgs(pos))
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	if err := fileio.OutputDir("--out", *out); err != nil {
		return err
	}
	if *workers < 0 || *workers > 4096 {
		return usagef("--workers %d: want 0 (every core) to 4096", *workers)
	}
	if *budget <= 0 {
		return usagef("--budget %s: want a positive duration, e.g. 30m", *budget)
	}
	sh, err := shardOf(*shardFlag)
	if err != nil {
		return err
	}
	if *withCSV && sh.Sharded() {
		return usagef("--csv with shard %s: a shard writes no sweep.csv (its rows are one slice of the grid); drop --csv and run chipgap sweep merge DIR --out DIR2 --csv once every shard is done", sh)
	}
	if err := checkSweepOutputs(sweepOutputs(*out, sh.File(), *withCSV), pos[0]); err != nil {
		return err
	}
	text, err := e.readInput("", pos[0], sweep.MaxFileBytes)
	if err != nil {
		return err
	}
	g, err := calc.SweepRequest{Grid: string(text), File: pos[0]}.Setup()
	if err != nil {
		return err
	}
	cost, err := calc.EstimateSweep(g, sh.Of(g.Cells()), *workers)
	if err != nil {
		return err
	}
	if err := sweepBudget(cost, sh, *budget, *yes); err != nil {
		return err
	}
	return runSweep(e, g, *out, cost.Time, sweep.ExecOptions{Shard: sh, CSV: *withCSV,
		Options: sweep.Options{Workers: *workers, Progress: newProgress(e, "sweep", quietMode(*quiet)).fn("", "cells")}})
}

// shardOf is --shard, else the batch engine's variables, else the whole
// grid. A bad value is a usage error.
func shardOf(flag string) (sweep.Shard, error) {
	if flag != "" {
		sh, err := sweep.ParseShard(flag)
		if err != nil {
			return sh, usagef("--shard: %v", err)
		}
		return sh, nil
	}
	sh, _, err := sweep.ShardFromEnv(os.Getenv)
	if err != nil {
		return sh, usagef("%v", err)
	}
	return sh, nil
}

// runSweep runs the cells of o.Shard into dir and says how long they took
// beside est, the estimate the budget was held to.
func runSweep(e *env, g *sweep.Grid, dir string, est time.Duration, o sweep.ExecOptions) error {
	start := time.Now()
	res, err := sweep.Execute(e.ctx, g, dir, o)
	if o.Progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return outDirError(dir, err)
	}
	if res.Skipped {
		fmt.Fprintf(e.stdout, "%s: already complete for this grid (shard %s, %s); skipped\n", res.Path, o.Shard, countOf(res.Cells, "cell"))
		return nil
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(e.stdout, "%s: %s (shard %s; the grid has %d) in %.1f s (estimated %s), %.0f cells/s on %s\n",
		res.Path, countOf(res.Cells, "cell"), o.Shard, g.Count(), secs, roundDuration(est), float64(res.Cells)/max(secs, 1e-9), countOf(runtime.GOMAXPROCS(0), "core"))
	return nil
}

// countOf is n and noun, plural but for one: "1 core", "2 cores".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// outDirError names --out where the directory it names cannot be
// created (QA: "mkdir /sys/kernel/sw: operation not permitted" named no
// flag); any other error is returned as it is.
func outDirError(dir string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "mkdir" || filepath.Clean(pe.Path) != filepath.Clean(dir) {
		return err
	}
	return fmt.Errorf("--out %s: cannot create the directory: %w", dir, pe.Err)
}

func cmdSweepMerge(e *env, args []string) error {
	fs := newFlags(e, "sweep merge", sweepUsage)
	out := fs.String("out", "", "output directory for the merged sweep.parquet")
	withCSV := fs.Bool("csv", false, "also write sweep.csv")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one shard directory, got %s (chipgap sweep --help)", gotArgs(pos))
	}
	if *out == "" {
		return usagef("--out DIR2 is required")
	}
	if err := fileio.OutputDir("--out", *out); err != nil {
		return err
	}
	if err := checkSweepOutputs(sweepOutputs(*out, sweep.DataFile, *withCSV)); err != nil {
		return err
	}
	if _, err := os.Stat(pos[0]); err != nil {
		// A path that cannot be read is exit 1, as sweep report's is
		// (README, "Exit codes").
		return fmt.Errorf("%s: %w", pos[0], fileio.BareError(err))
	}
	if m, _ := filepath.Glob(filepath.Join(pos[0], "shard-*-of-*.parquet")); len(m) == 0 {
		// The argument names no shard directory: bad input, as sweep
		// report's directory without a sweep.parquet is.
		return usagef("%s: no shard files (shard-*-of-*.parquet): run chipgap sweep --shard i/n --out %s first", pos[0], pos[0])
	}
	res, err := sweep.Merge(pos[0], *out, *withCSV)
	if err != nil {
		return outDirError(*out, err)
	}
	fmt.Fprintf(e.stdout, "%s: %s merged\n", res.Path, countOf(res.Cells, "cell"))
	return nil
}

// sweepOutputs are the files a sweep or a merge writes into dir: the
// Parquet file name (under --out) and, with csv, sweep.csv (--csv).
func sweepOutputs(dir, name string, csv bool) []fileio.Output {
	outs := []fileio.Output{{Flag: "--out", Path: filepath.Join(dir, name)}}
	if csv {
		outs = append(outs, fileio.Output{Flag: "--csv", Path: filepath.Join(dir, sweep.CSVFile)})
	}
	return outs
}

// checkSweepOutputs refuses, before any cell is run, an output file in
// --out that chipgap must not replace (a directory, a link, a device at
// DIR/sweep.csv) or that is one of the inputs (the grid file): exit 2,
// as report --csv's. A directory --out creates holds none yet.
func checkSweepOutputs(outs []fileio.Output, inputs ...string) error {
	if st, err := os.Stat(filepath.Dir(outs[0].Path)); err != nil || !st.IsDir() {
		return nil // a new directory (fileio.OutputDir checked its parent)
	}
	if err := fileio.CheckOutputs(outs); err != nil {
		return fileOnly(err)
	}
	return fileio.CheckNotInputs(outs, inputs...)
}
