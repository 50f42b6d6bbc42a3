package main

import (
	"cmp"
	"io"

	"chipgap/calc"
	"chipgap/fileio"
	"chipgap/report"
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
tornado chart, and every assumption and source. A system whose training
profile is assumed (Ascend's cann-mindspeed) is also searched on its
stack's profile fitted on published runs (mindformers), and the claims
it decides show both.

Prints a terminal summary; --html FILE writes a self-contained page with
charts, --csv FILE every figure, --json the full results on stdout.
Progress goes to stderr when it is a terminal.

Files: the scenario file may be at most 4 MiB; - reads it from standard
input (cat s.yaml | chipgap report -). An output FILE must be a
regular file (replaced only once the whole report is written, through a
temporary file beside it) or a new name in an existing directory; a
symbolic link, directory, device or FIFO is refused before any work.
FILE - writes that file to stdout instead of the summary.

--samples and --seed are the fields of POST /api/report (docs/api.md);
calc.ReportRequest defines them once.

Examples:
  chipgap
  chipgap report examples/equal-peak.yaml --html gap.html
  chipgap report --samples 200 --seed 7 --json`

type reportFlags struct {
	html, csv     string
	asJSON, quiet bool
}

func cmdReport(e *env, args []string) error {
	var req calc.ReportRequest
	var f reportFlags
	fs := newFlags(e, "report", reportUsage)
	b := bindRequest(fs, &req)
	fs.StringVar(&f.html, "html", "", "write the self-contained HTML report to `FILE` (- for stdout)")
	fs.StringVar(&f.csv, "csv", "", "write every figure as CSV to `FILE` (- for stdout)")
	fs.BoolVar(&f.asJSON, "json", false, "print the full results as JSON instead of the summary")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress on stderr")
	pos, err := parseFlags(fs, args)
	if err = cmp.Or(err, b.StatedZero()); err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("want at most one scenario file, got %s", gotArgs(pos))
	}
	if err := fileio.CheckOutputs(reportOutputs(f, nil)); err != nil {
		return err
	}
	if err := fileio.CheckNotInputs(reportOutputs(f, nil), pos...); err != nil {
		return err
	}
	if f.asJSON && (f.html == fileio.Stdout || f.csv == fileio.Stdout) {
		return usagef("--json and an output to - (standard output) both want stdout: choose one")
	}
	if len(pos) == 1 {
		text, err := e.readInput("", pos[0], fileio.MaxConfigBytes)
		if err != nil {
			return err
		}
		req.Scenario, req.File = string(text), pos[0]
	}
	sc, err := req.Setup()
	if err != nil {
		return b.Rename(err)
	}
	bar := newProgress(e, "report", quietMode(f.quiet))
	gr, err := calc.Report(e.ctx, sc, calc.ReportOptions{Progress: bar.fn("Monte Carlo ", "samples")})
	bar.clear()
	if err != nil {
		return err
	}
	if err := fileio.WriteOutputs(e.stdout, reportOutputs(f, gr.Report)); err != nil {
		return err
	}
	switch {
	case f.html == fileio.Stdout || f.csv == fileio.Stdout:
		return nil // the file is the output
	case f.asJSON:
		return report.JSON(e.stdout, gr.Results)
	}
	if w := terminalWidth(e.stdout); w > 0 { // a terminal: fit its width; piped: full width
		fw := &fitWriter{w: e.stdout, width: w}
		if err := gr.WriteText(fw); err != nil {
			return err
		}
		return fw.Flush()
	}
	return gr.WriteText(e.stdout)
}

// reportOutputs are the files --html and --csv name (rep is nil when
// only the paths are wanted, for checking).
func reportOutputs(f reportFlags, rep *report.Report) []fileio.Output {
	var outs []fileio.Output
	if f.html != "" {
		outs = append(outs, fileio.Output{Flag: "--html", Path: f.html, Render: func(w io.Writer) error { return report.HTML(w, rep) }})
	}
	if f.csv != "" {
		outs = append(outs, fileio.Output{Flag: "--csv", Path: f.csv, Render: func(w io.Writer) error { return report.CSV(w, rep) }})
	}
	return outs
}
