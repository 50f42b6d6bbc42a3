package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"chipgap/fileio"
	"chipgap/sweep"
)

const sweepReportUsage = `Usage: chipgap sweep report OUT [--html FILE]

Draws the Pareto frontiers of a sweep's output (OUT/sweep.parquet, or a
sweep Parquet file named directly): for training, run cost vs days to
train and run energy vs days (per watt), by model; for serving, $ per
million output tokens vs the TPOT reached and output tokens/s per kW vs
TPOT (per watt), by model and workload. A cell is on a frontier when no
other cell is at least as good on both axes and better on one; frontiers
use the typical-value outputs, and the P10–P90 of the money figure is
shown where the grid drew samples.

Prints each frontier as a table; --html FILE writes a self-contained page
(inline SVG charts, no scripts) with every cell coloured by chip and the
frontier joined, as chipgap report --html does. FILE - writes the page to
stdout instead of the tables. A sharded sweep is merged first
(chipgap sweep merge).

Examples:
  chipgap sweep examples/sweep-small.yaml --out /tmp/sweep
  chipgap sweep report /tmp/sweep --html /tmp/sweep/frontiers.html`

func cmdSweepReport(e *env, args []string) error {
	fs := newFlags(e, "sweep report", sweepReportUsage)
	htmlOut := fs.String("html", "", "write the self-contained HTML page to `FILE` (- for stdout)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one sweep output directory or file, got %s (chipgap sweep report --help)", gotArgs(pos))
	}
	path, err := sweepFile(pos[0])
	if err != nil {
		return err
	}
	var outs []fileio.Output
	if *htmlOut != "" {
		outs = append(outs, fileio.Output{Flag: "--html", Path: *htmlOut})
		if err := fileio.CheckOutputs(outs); err != nil {
			return err
		}
		if err := fileio.CheckNotInputs(outs, path); err != nil {
			return err
		}
	}
	rows, meta, err := readSweep(path)
	if err != nil {
		return err
	}
	if meta.Shard != "" && meta.Shard != "all" {
		// One slice of a grid: its frontiers would not be the grid's.
		return usagef("%s is shard %s of a sweep (%d cells in all), not the whole grid: merge the shards first (chipgap sweep merge DIR --out DIR2)", path, meta.Shard, meta.Cells)
	}
	rep := sweep.NewReport(rows, meta)
	if len(outs) > 0 {
		outs[0].Render = func(w io.Writer) error { return rep.WriteHTML(w) }
		if err := fileio.WriteOutputs(e.stdout, outs); err != nil {
			return err
		}
		if *htmlOut == fileio.Stdout {
			return nil
		}
	}
	return rep.WriteText(e.stdout)
}

// sweepFile is the Parquet file a report reads: DIR/sweep.parquet for a
// directory, else the file itself.
func sweepFile(arg string) (string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		// A path that cannot be read is exit 1, as validate's and run's
		// files are (README, "Exit codes").
		return "", fmt.Errorf("%s: %w", arg, fileio.BareError(err))
	}
	if !st.IsDir() {
		return arg, nil
	}
	path := filepath.Join(arg, sweep.DataFile)
	if _, err := os.Stat(path); err != nil {
		if m, _ := filepath.Glob(filepath.Join(arg, "shard-*-of-*.parquet")); len(m) > 0 {
			return "", usagef("%s holds shards, not %s: merge them first (chipgap sweep merge %s --out DIR2)", arg, sweep.DataFile, arg)
		}
		return "", usagef("%s has no %s: run chipgap sweep GRID.yaml --out %s first", arg, sweep.DataFile, arg)
	}
	return path, nil
}

// readSweep reads a sweep's Parquet file: one that cannot be opened or
// read is exit 1; one that reads but does not decode as a chipgap sweep
// (another file, a corrupt one) is bad input, exit 2, saying so rather
// than in the Parquet reader's terms ("negative offset").
func readSweep(path string) ([]sweep.Row, sweep.Meta, error) {
	rows, meta, err := sweep.ReadFile(path)
	var fe *sweep.Error
	if err != nil && !errors.As(err, &fe) {
		return nil, meta, fmt.Errorf("%s: %w", path, fileio.BareError(err))
	}
	return rows, meta, err
}
