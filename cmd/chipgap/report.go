package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"chipgap/report"
	"chipgap/scenario"
)

const reportUsage = `Usage: chipgap [report] [SCENARIO.yaml] [flags]

The gap report, chipgap's main job: can a constrained supply chain make
accelerators at the scale and performance frontier training needs, and at
what price in time and money? On built-in defaults (or a scenario file,
see examples/), it compares a frontier-class training run and a large
inference service on NVIDIA (H100, H20, B200) and Ascend (910B, 910C,
CloudMatrix 384) plus the Ascend supply picture, with P10/P50/P90 from a
seeded Monte Carlo over every catalog range and named assumption, the
training-time gap decomposed into throughput, downtime and engineering,
a strategy comparison (iteration rate, lag, premium for independence), a
tornado chart, and every assumption and source.

Prints a terminal summary; --html FILE writes a self-contained page with
charts, --csv FILE every figure, --json the full results on stdout.
Progress goes to stderr when it is a terminal.

Examples:
  chipgap
  chipgap report examples/equal-peak.yaml --html gap.html
  chipgap report --samples 200 --seed 7 --json`

type reportFlags struct {
	html, csv      string
	asJSON, quiet  bool
	samples        int
	seed           uint64
	seedSet        bool
	scenarioSource string
}

func cmdReport(e *env, args []string) error {
	f, sc, err := parseReportFlags(e, args)
	if err != nil {
		return err
	}
	progress := reportProgress(e, f.quiet)
	if progress != nil {
		fmt.Fprint(e.stderr, "chipgap report: searching training plans and serving layouts…")
	}
	res, err := sc.Run(e.ctx, progress)
	if progress != nil {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	rep := report.Build(res)
	var outs []outFile
	if f.html != "" {
		outs = append(outs, outFile{f.html, func(w io.Writer) error { return report.HTML(w, rep) }})
	}
	if f.csv != "" {
		outs = append(outs, outFile{f.csv, func(w io.Writer) error { return report.CSV(w, rep) }})
	}
	if err := writeFilesAtomic(outs); err != nil {
		return err
	}
	if f.asJSON {
		return report.JSON(e.stdout, res)
	}
	return report.Text(e.stdout, rep)
}

func parseReportFlags(e *env, args []string) (reportFlags, *scenario.Scenario, error) {
	var f reportFlags
	fs := newFlags(e, "report", reportUsage)
	fs.StringVar(&f.html, "html", "", "write the self-contained HTML report to `FILE`")
	fs.StringVar(&f.csv, "csv", "", "write every figure as CSV to `FILE`")
	fs.BoolVar(&f.asJSON, "json", false, "print the full results as JSON instead of the summary")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	fs.IntVar(&f.samples, "samples", 0, "Monte Carlo samples (default: the scenario's, 1000)")
	fs.Func("seed", "random seed (default: the scenario's, 1)", func(s string) error {
		_, err := fmt.Sscan(s, &f.seed)
		f.seedSet = true
		return err
	})
	pos, err := parseFlags(fs, args)
	if err != nil {
		return f, nil, err
	}
	if len(pos) > 1 {
		return f, nil, usagef("want at most one scenario file, got %d arguments", len(pos))
	}
	if err := checkOutPaths(f.html, f.csv); err != nil {
		return f, nil, err
	}
	var sc *scenario.Scenario
	if len(pos) == 1 {
		if sc, err = scenario.Load(pos[0]); err != nil {
			return f, nil, err
		}
	} else {
		sc = scenario.Default()
	}
	if f.samples < 0 || f.samples > 100000 {
		return f, nil, usagef("--samples %d: want 1 to 100000", f.samples)
	}
	if f.samples > 0 {
		sc.Samples = f.samples
	}
	if f.seedSet {
		sc.Seed = f.seed
	}
	return f, sc, sc.Validate()
}

// reportProgress returns a progress printer when stderr is a terminal.
func reportProgress(e *env, quiet bool) scenario.Progress {
	fh, ok := e.stderr.(*os.File)
	if quiet || !ok {
		return nil
	}
	if st, err := fh.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(e.stderr, "\rchipgap report: Monte Carlo %d/%d samples", done, total)
	}
}

// checkOutPaths refuses, before any work, an output that is a directory,
// sits in a directory that does not exist, or is named twice.
func checkOutPaths(html, csv string) error {
	if html != "" && html == csv {
		return usagef("--html and --csv both name %s: want two files, not the same file", html)
	}
	for _, o := range []struct{ flag, path string }{{"--html", html}, {"--csv", csv}} {
		if o.path == "" {
			continue
		}
		if st, err := os.Stat(o.path); err == nil && st.IsDir() {
			return usagef("%s %s: is a directory; want a file path", o.flag, o.path)
		}
		if st, err := os.Stat(filepath.Dir(o.path)); err != nil || !st.IsDir() {
			return usagef("%s %s: want a file in an existing directory (%s is not one)", o.flag, o.path, filepath.Dir(o.path))
		}
	}
	return nil
}

// outFile is one output file and how to render it.
type outFile struct {
	path   string
	render func(io.Writer) error
}

// writeFilesAtomic renders every file into memory, writes each to a
// temporary file beside its path, and renames them only when all are
// written: a failure leaves neither a partial set nor a temporary file.
func writeFilesAtomic(outs []outFile) error {
	var tmps []string
	defer func() {
		for _, t := range tmps {
			os.Remove(t) // the renamed ones are gone already
		}
	}()
	for _, o := range outs {
		tmp, err := stageFile(o.path, o.render)
		if err != nil {
			return err
		}
		tmps = append(tmps, tmp)
	}
	for i, o := range outs {
		if err := os.Rename(tmps[i], o.path); err != nil {
			return err
		}
	}
	return nil
}

// stageFile renders into a temporary file beside path and returns its name.
func stageFile(path string, render func(io.Writer) error) (string, error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".chipgap-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(buf.Bytes())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}
