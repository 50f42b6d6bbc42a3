package calc

import (
	"fmt"
	"io"
	"text/tabwriter"

	"chipgap/runs"
)

// WriteText prints each file's runs, summary and explained runs, as
// `chipgap validate` does; several files are headed by their names.
func (v Validation) WriteText(w io.Writer) error {
	for i, s := range v.Sections {
		if len(v.Sections) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, s.File)
		}
		if err := writeValidation(w, s.Report); err != nil {
			return err
		}
		writeExplained(w, v.Explained[i])
	}
	return nil
}

// WriteMarkdown prints the Markdown page docs/validation.md is generated
// as.
func (v Validation) WriteMarkdown(w io.Writer) error {
	return runs.WriteMarkdownPage(w, v.Sections, v.Calibrated, v.Scorecard)
}

func writeValidation(w io.Writer, rep runs.Report) error {
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
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%+.1f%%%s%s\t%s [%s]%s\n", r.ID, r.Metric, r.Measured, *r.Predicted, 100**r.Error, fv, fe, r.Plan, r.StackText(), fp)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := rep.Summary
	if s.Predicted == 0 {
		fmt.Fprintf(w, "\n%d runs, none predicted: no error to summarise (each run's reason is above)\n", s.Runs)
	} else {
		fmt.Fprintf(w, "\n%d runs, %d predicted: mean absolute error %.1f%%, median %.1f%%, worst %s (%.1f%%)\n",
			s.Runs, s.Predicted, 100**s.MeanAbsError, 100**s.MedianAbsError, s.Worst, 100**s.WorstError)
	}
	if free {
		fmt.Fprintf(w, "free search over %d training runs: searched best vs measured, median %+.1f%% (optimism), largest %+.1f%% (%s); median absolute error %.1f%%\n",
			s.FreeRuns, 100*s.FreeMedianOptimism, 100*s.FreeMaxOptimism, s.FreeMaxAt, 100*s.FreeMedianAbsError)
		if s.FreeMaxOverBestAt != "" {
			fmt.Fprintf(w, "against the best throughput per chip measured on the same chip, model, sequence and precision (any scale, batch, plan or release; MTP modules by their work) in the files given: median %+.1f%%, largest %+.1f%% (%s)\n",
				100*s.FreeMedianOverBest, 100*s.FreeMaxOverBest, s.FreeMaxOverBestAt)
		}
	}
	return nil
}

func writeExplained(w io.Writer, ex []ExplainedRun) {
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
