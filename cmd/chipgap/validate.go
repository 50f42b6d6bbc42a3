package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/training"
)

const validateUsage = `Usage: chipgap validate FILE [FILE...] [--free] [--stack-date YYYY-MM-DD] [--json | --markdown]

Reads FILE (at most 4 MiB each) in the published-runs/v1 format
(docs/published-runs.md in the chipgap repository),
predicts every run from first principles (training: the fastest plan within
what the run states; inference: the serving estimator) and prints id,
metric, measured, predicted and error (predicted / measured − 1), then the
count, the mean and median absolute error and the worst run. A run that
cannot be predicted gets a reason and does not stop the others; a malformed
file stops with an error naming the run id and the field.

--free also predicts every training throughput run at the searched best
plan (every parallel degree, recompute and ZeRO stage free; the system,
model, sequence, batch and precision kept) and prints its signed error
beside the stated plan's: the search's optimism over what teams ran. The
summary adds the median and largest optimism.

--stack-date takes each training stack as it stood on that date (the
dated versions in catalog/data/stacks-training.yaml, e.g. MindFormers
tags); the default is each stack's current state.

Several files are reported one after another (--json merges them).
--markdown prints the Markdown page docs/validation.md is generated as:
  chipgap validate --free runs/testdata/published-runs.yaml runs/testdata/published-runs-ascend.yaml \
    validation/calibration-extra.yaml validation/calibration-mindformers.yaml validation/calibration-maxtext.yaml \
    validation/holdout-runs.yaml validation/holdout-mindformers.yaml --markdown > docs/validation.md
(the runs/testdata files are copies of ../shared/data, the calibration sets;
validation/calibration-*.yaml are chipgap's own calibration runs; the
validation/holdout-*.yaml files are never calibrated on).`

func cmdValidate(e *env, args []string) error {
	fs := newFlags(e, "validate", validateUsage)
	asJSON := fs.Bool("json", false, "one JSON object: results and summary")
	md := fs.Bool("markdown", false, "the Markdown page (docs/validation.md)")
	free := fs.Bool("free", false, "also predict training runs at the searched best plan and report the search's optimism")
	date := fs.String("stack-date", "", "training stacks as they stood on this date (YYYY-MM-DD)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("want at least one FILE")
	}
	if *asJSON && *md {
		return usagef("--json and --markdown are two output formats: want one")
	}
	if err := checkStackDate(*date); err != nil {
		return err
	}
	cat, err := catalog.Load()
	if err != nil {
		return err
	}
	opts := runs.Options{StackDate: *date, Free: *free}
	var sections []runs.Section
	for _, name := range pos {
		rep, err := validateFile(cat, name, opts)
		if err != nil {
			return err
		}
		sections = append(sections, runs.Section{File: name, Report: rep})
	}
	switch {
	case *asJSON:
		var all runs.Report
		for _, s := range sections {
			all.Results = append(all.Results, s.Report.Results...)
		}
		all.Summary = runs.Summarize(all.Results)
		ex, err := explainRuns(cat, all.Results)
		if err != nil {
			return err
		}
		return writeJSON(e.stdout, struct {
			runs.Report
			Explained []explainedRun `json:"explained,omitempty"`
		}{all, ex})
	case *md:
		calibrated, err := calibratedParams(cat)
		if err != nil {
			return err
		}
		return runs.WriteMarkdownPage(e.stdout, sections, calibrated)
	}
	for i, s := range sections {
		if len(sections) > 1 {
			fmt.Fprintf(e.stdout, "%s%s\n", map[bool]string{true: "\n", false: ""}[i > 0], s.File)
		}
		if err := printValidation(e.stdout, s.Report); err != nil {
			return err
		}
		ex, err := explainRuns(cat, s.Report.Results)
		if err != nil {
			return err
		}
		printExplained(e.stdout, ex)
	}
	return nil
}

// checkStackDate rejects a --stack-date that is not a date.
func checkStackDate(d string) error {
	if d == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return usagef("--stack-date = %q: want a date YYYY-MM-DD", d)
	}
	return nil
}

func validateFile(cat *catalog.Catalog, name string, o runs.Options) (runs.Report, error) {
	b, err := readInput(name, maxConfigBytes)
	if err != nil {
		return runs.Report{}, err
	}
	file, err := runs.Parse(b)
	if err != nil {
		return runs.Report{}, fmt.Errorf("%s: %w", name, err)
	}
	return runs.ValidateWith(cat, file, o), nil
}

func printValidation(w io.Writer, rep runs.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	free := rep.Summary.FreeRuns > 0
	if free {
		fmt.Fprintln(tw, "id\tmetric\tmeasured\tpredicted\terror\tfree\tfree error\tplan / reason\tfree plan")
	} else {
		fmt.Fprintln(tw, "id\tmetric\tmeasured\tpredicted\terror\tplan / reason")
	}
	for _, r := range rep.Results {
		fv, fe, fp := "", "", ""
		if free {
			fv, fe, fp = "\t–", "\t–", "\t"+r.FreeReason
			if r.FreePredicted != nil {
				fv, fe, fp = fmt.Sprintf("\t%.4g", *r.FreePredicted), fmt.Sprintf("\t%+.1f%%", 100**r.FreeError), "\t"+r.FreePlan
			}
		}
		if r.Predicted == nil {
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t—\t—%s%s\t%s%s\n", r.ID, r.Metric, r.Measured, fv, fe, r.Reason, fp)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%+.1f%%%s%s\t%s [%s]%s\n", r.ID, r.Metric, r.Measured, *r.Predicted, 100**r.Error, fv, fe, r.Plan, r.Stack, fp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := rep.Summary
	fmt.Fprintf(w, "\n%d runs, %d predicted: mean absolute error %.1f%%, median %.1f%%, worst %s (%.1f%%)\n",
		s.Runs, s.Predicted, 100*s.MeanAbsError, 100*s.MedianAbsError, s.Worst, 100*s.WorstError)
	if free {
		fmt.Fprintf(w, "free search over %d training runs: searched best vs measured, median %+.1f%% (optimism), largest %+.1f%% (%s); median absolute error %.1f%%\n",
			s.FreeRuns, 100*s.FreeMedianOptimism, 100*s.FreeMaxOptimism, s.FreeMaxAt, 100*s.FreeMedianAbsError)
	}
	return nil
}

// calibratedParams lists every training-stack parameter whose basis is
// "calibrated", with its value and the note saying on what it was fitted.
func calibratedParams(cat *catalog.Catalog) ([]string, error) {
	stacks, err := cat.TrainingStacks()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range stacks {
		ps := st.Params()
		names := make([]string, 0, len(ps))
		for n := range ps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if p := ps[n]; p.Basis == training.Calibrated {
				out = append(out, fmt.Sprintf("`%s.%s` = %g: %s", st.ID, n, p.Value, p.Note))
			}
		}
	}
	return out, nil
}

// explainedRun is a run the model misses whose gap the evidence leaves
// open (catalog/data/explained-runs.yaml): the range of measured values
// the evidence allows around the prediction, and whether the measured
// value lies in it.
type explainedRun struct {
	ID         string                  `json:"id"`
	Measured   float64                 `json:"measured"`
	Predicted  float64                 `json:"predicted"`
	AllowedLo  float64                 `json:"allowed_min"`
	AllowedTyp float64                 `json:"allowed_typ"`
	AllowedHi  float64                 `json:"allowed_max"`
	Explained  bool                    `json:"explained"`
	Reason     string                  `json:"reason"`
	Factors    []catalog.ExplainFactor `json:"factors"`
}

func explainRuns(cat *catalog.Catalog, rs []runs.Result) ([]explainedRun, error) {
	ex, err := cat.ExplainedRuns()
	if err != nil {
		return nil, err
	}
	var out []explainedRun
	for _, r := range rs {
		e, ok := ex[r.ID]
		if !ok || r.Predicted == nil {
			continue
		}
		lo, typ, hi := e.Allowed(*r.Predicted)
		out = append(out, explainedRun{ID: r.ID, Measured: r.Measured, Predicted: *r.Predicted, AllowedLo: lo, AllowedTyp: typ, AllowedHi: hi,
			Explained: r.Measured >= lo && r.Measured <= hi, Reason: e.Reason, Factors: e.Factors})
	}
	return out, nil
}

func printExplained(w io.Writer, ex []explainedRun) {
	for _, x := range ex {
		state := "explained"
		if !x.Explained {
			state = "NOT explained"
		}
		fmt.Fprintf(w, "%s: %s. Measured %.4g; the evidence allows %.4g–%.4g (typ %.4g), the prediction divided by the open factors:\n", x.ID, state, x.Measured, x.AllowedLo, x.AllowedHi, x.AllowedTyp)
		for _, f := range x.Factors {
			fmt.Fprintf(w, "  %s: %g [%g–%g], %s (%s)\n", f.Name, float64(f.Value.Typ), float64(f.Value.Min), float64(f.Value.Max), f.Value.Basis, f.Value.Note)
		}
		fmt.Fprintf(w, "  Why: %s\n", x.Reason)
	}
}
