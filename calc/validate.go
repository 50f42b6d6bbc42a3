package calc

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"chipgap/catalog"
	"chipgap/runs"
	"chipgap/training"
)

// ValidateRequest is the input of `chipgap validate`: published runs
// (published-runs/v1 files) predicted from first principles and compared
// with what was measured.
type ValidateRequest struct {
	// Free also predicts every training throughput run at the searched
	// best plan, for the search's optimism over what teams ran.
	Free bool `json:"free" help:"also predict training runs at the searched best plan and report the search's optimism"`
	// StackDate takes each training stack as it stood on that date.
	StackDate string `json:"stack_date" help:"training stacks as they stood on this date (YYYY-MM-DD)"`
	// Files are the published-runs files, by name, in order.
	Files []RunsFile `json:"-"`
	// Progress, when set, is told each run predicted: the runs done and
	// the runs of every file (the CLI's progress line on a terminal).
	Progress func(done, total int) `json:"-"`
}

// RunsFile is one published-runs file: its name (for errors and the
// report's headings) and its bytes.
type RunsFile struct {
	Name string
	Data []byte
}

// check applies the request's own limits.
func (r ValidateRequest) check() error {
	if r.StackDate != "" {
		if _, err := time.Parse(time.DateOnly, r.StackDate); err != nil {
			return bad("stack_date", fmt.Sprintf("%q", r.StackDate), "want a date YYYY-MM-DD")
		}
	}
	if len(r.Files) == 0 {
		return missing("files", "at least one published-runs file")
	}
	return nil
}

// Validation is the answer: each file's runs predicted and summarised
// (Sections), the runs the model misses whose gap the evidence leaves
// open (Explained, per section) and the calibrated stack parameters the
// Markdown page lists.
type Validation struct {
	Sections   []runs.Section
	Explained  [][]ExplainedRun
	Calibrated []string
	// Scorecard is the catalog's scorecard (the regimes the report and
	// the commands quote), for the Markdown page.
	Scorecard []catalog.Score
}

// ExplainedRun is a run the model misses whose gap the evidence leaves
// open (catalog/data/explained-runs.yaml): the range of measured values
// the evidence allows around the prediction, and whether the measured
// value lies in it.
type ExplainedRun struct {
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

// Validate predicts every run of the request's files. A run that cannot
// be predicted gets a reason and does not stop the others; a malformed
// file is an error naming the file, the run id and the field.
func Validate(cat *catalog.Catalog, r ValidateRequest) (Validation, error) {
	if err := r.check(); err != nil {
		return Validation{}, err
	}
	ex, err := cat.ExplainedRuns()
	if err != nil {
		return Validation{}, err
	}
	var v Validation
	var in []runs.Run
	files := make([]*runs.File, len(r.Files))
	total := 0
	for i, f := range r.Files {
		file, err := runs.Parse(f.Data)
		if err != nil {
			return Validation{}, fmt.Errorf("%s: %w", f.Name, err)
		}
		files[i], total = file, total+len(file.Runs)
	}
	opts := runs.Options{StackDate: r.StackDate, Free: r.Free}
	done := 0
	if r.Progress != nil {
		opts.Progress = func() { done++; r.Progress(done, total) }
	}
	for i, f := range r.Files {
		file := files[i]
		rep := runs.ValidateWith(cat, file, opts)
		v.Sections = append(v.Sections, runs.Section{File: f.Name, Report: rep})
		v.Explained = append(v.Explained, explainRuns(ex, rep.Results))
		in = append(in, file.Runs...)
	}
	if r.Free {
		v.compareOnChip(cat, in)
	}
	v.Calibrated, err = calibratedParams(cat)
	v.Scorecard = cat.Scorecard()
	return v, err
}

// compareOnChip sets each free result's best measured per chip over
// every file's runs (runs.CompareOnChip; in is the runs of all sections,
// in order) and summarises each section again.
func (v *Validation) compareOnChip(cat *catalog.Catalog, in []runs.Run) {
	var all []runs.Result
	for _, s := range v.Sections {
		all = append(all, s.Report.Results...)
	}
	runs.CompareOnChip(all, in, func(chip string) int { return runs.UsualNode(cat, chip) })
	for i := range v.Sections {
		rep := &v.Sections[i].Report
		rep.Results, all = all[:len(rep.Results)], all[len(rep.Results):]
		rep.Summary = runs.Summarize(rep.Results)
	}
}

// ValidationSummary is every file's runs as one report, with one summary
// and the explained runs: `chipgap validate --json`.
type ValidationSummary struct {
	runs.Report
	Explained []ExplainedRun `json:"explained,omitempty"`
}

// Merged is the validation of every file as one report.
func (v Validation) Merged() ValidationSummary {
	m := ValidationSummary{Report: runs.Report{Results: []runs.Result{}}} // no runs: results [], not null
	for i, s := range v.Sections {
		m.Results = append(m.Results, s.Report.Results...)
		m.Explained = append(m.Explained, v.Explained[i]...)
	}
	m.Summary = runs.Summarize(m.Results)
	return m
}

func explainRuns(ex map[string]catalog.Explained, rs []runs.Result) []ExplainedRun {
	var out []ExplainedRun
	for _, r := range rs {
		e, ok := ex[r.ID]
		if !ok || r.Predicted == nil {
			continue
		}
		lo, typ, hi := e.Allowed(*r.Predicted)
		out = append(out, ExplainedRun{ID: r.ID, Measured: r.Measured, Predicted: *r.Predicted, AllowedLo: lo, AllowedTyp: typ, AllowedHi: hi,
			Explained: r.Measured >= lo && r.Measured <= hi, Reason: e.Reason, Factors: e.Factors})
	}
	return out
}

// calibratedParams lists every training-stack parameter whose basis is
// "calibrated", with its value and the note saying on what it was fitted,
// then every serving-stack parameter marked calibrated (on what).
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
		// A framework's own fitted values within the profile (NeMo
		// AutoModel's attention under cuda-fsdp).
		for _, fw := range slices.Sorted(maps.Keys(st.FrameworkParams)) {
			fp := st.FrameworkParams[fw]
			for _, n := range slices.Sorted(maps.Keys(fp)) {
				if p := fp[n]; p.Basis == training.Calibrated {
					out = append(out, fmt.Sprintf("`%s.framework_params.%s.%s` = %g: %s", st.ID, fw, n, p.Value, p.Note))
				}
			}
		}
		// The dated versions' own fitted values (MindFormers tags, the
		// Megatron-Core releases), each with the version it belongs to.
		for _, v := range st.Versions {
			vnames := make([]string, 0, len(v.Params))
			for n := range v.Params {
				vnames = append(vnames, n)
			}
			sort.Strings(vnames)
			for _, n := range vnames {
				if p := v.Params[n]; p.Basis == training.Calibrated {
					out = append(out, fmt.Sprintf("`%s.%s` at version %s (%s) = %g: %s", st.ID, n, v.Tag, v.Date, p.Value, p.Note))
				}
			}
		}
	}
	inf, err := cat.InferenceStacksData()
	if err != nil {
		return nil, err
	}
	return append(out, inf.Calibrated()...), nil
}
