package runs

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"chipgap/catalog"
	"chipgap/inference"
)

// Prediction is a model's value for a run's measured metric, with the
// plan and software stack it assumed.
type Prediction struct {
	Value float64
	Plan  string
	Stack string
	Note  string
	// Method says how an inference run was predicted: MethodOffline or
	// MethodCurve ("" for training runs).
	Method string
	// Engine is the serving engine's catalog id whose profile predicted
	// an inference run ("" for the stack's own defaults, and training).
	Engine string
}

// How an inference run is predicted: an offline max-throughput run is
// simulated request by request, any other read off the steady-state
// curve.
const (
	MethodOffline = "offline simulation"
	MethodCurve   = "steady-state curve"
)

// StackText is the result's stack and, where the run's software named
// one, its serving engine ("cann, engine vllm-ascend"), then the fields
// beyond the format the run states ("; states model.window").
func (r Result) StackText() string {
	s := r.Stack
	if r.Engine != "" {
		s += ", engine " + r.Engine
	}
	if len(r.BeyondFormat) > 0 {
		s += "; states " + strings.Join(r.BeyondFormat, ", ")
	}
	return s
}

// Result is one run's line of the validation table. Predicted and Error
// are nil when the run could not be predicted; Reason says why.
type Result struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Metric    string   `json:"metric"`
	Measured  float64  `json:"measured"`
	Predicted *float64 `json:"predicted"`
	Error     *float64 `json:"error"` // predicted / measured − 1
	Plan      string   `json:"plan,omitempty"`
	Method    string   `json:"method,omitempty"` // inference: MethodOffline or MethodCurve
	Stack     string   `json:"stack,omitempty"`
	Engine    string   `json:"engine,omitempty"` // inference: the serving engine's catalog id, where the run names one
	Reason    string   `json:"reason,omitempty"`
	Note      string   `json:"note,omitempty"` // the stack chosen and, for chip_hours, the whole-run parts
	Chip      string   `json:"chip,omitempty"`
	Family    string   `json:"family,omitempty"` // vendor and architecture, for the per-family summary
	// Derivation is the run's own account of its measured value.
	Derivation string `json:"derivation,omitempty"`
	// BeyondFormat names the fields chipgap reads beyond the format that
	// the run states (Run.BeyondFormat).
	BeyondFormat []string `json:"beyond_format,omitempty"`
	// With Options.Free (training throughput runs): the searched best
	// plan with every degree free, its prediction and its signed error
	// (free / measured − 1: the search's optimism over what was run).
	FreePredicted *float64 `json:"free_predicted,omitempty"`
	FreeError     *float64 `json:"free_error,omitempty"`
	FreePlan      string   `json:"free_plan,omitempty"`
	FreeReason    string   `json:"free_reason,omitempty"`
	// With Options.Free, for runs validated together (calc.Validate, every
	// file given; CompareOnChip): the best per-chip throughput measured on
	// the run's chip problem (ChipProblem: the same chip, model, sequence
	// and precision at any scale, batch, plan or release), in this run's
	// tokens (a run with MTP modules beside one without, by WorkPerToken),
	// the run that measured it (possibly this one) and the searched best
	// over it.
	FreeBest     *float64 `json:"free_best_measured,omitempty"`
	FreeBestAt   string   `json:"free_best_at,omitempty"`
	FreeOverBest *float64 `json:"free_over_best,omitempty"`
}

// Summary aggregates a table: every run counts in Runs; the errors are
// over the predicted ones, nil (null in JSON) where none is predicted.
type Summary struct {
	Runs           int      `json:"runs"`
	Predicted      int      `json:"predicted"`
	MeanAbsError   *float64 `json:"mean_abs_error"`
	MedianAbsError *float64 `json:"median_abs_error"`
	Worst          string   `json:"worst,omitempty"`
	WorstError     *float64 `json:"worst_error"`
	// With Options.Free: the runs searched free, the median and largest
	// signed optimism of the searched best over the measured value, and
	// the median absolute error of the free prediction.
	FreeRuns           int     `json:"free_runs,omitempty"`
	FreeMedianOptimism float64 `json:"free_median_optimism,omitempty"`
	FreeMaxOptimism    float64 `json:"free_max_optimism,omitempty"`
	FreeMaxAt          string  `json:"free_max_at,omitempty"`
	FreeMedianAbsError float64 `json:"free_median_abs_error,omitempty"`
	// Where some run's chip problem was measured faster by another run
	// (Result.FreeBestAt): the median and largest signed optimism of the
	// searched best over the best measured per chip (Result.FreeOverBest).
	FreeMedianOverBest float64 `json:"free_median_over_best,omitempty"`
	FreeMaxOverBest    float64 `json:"free_max_over_best,omitempty"`
	FreeMaxOverBestAt  string  `json:"free_max_over_best_at,omitempty"`
}

// Options change how Validate predicts.
type Options struct {
	// StackDate takes each training stack as it stood on this date
	// (YYYY-MM-DD; see training.Profile.At); empty: the current state.
	StackDate string
	// Free also predicts every training throughput run at the searched
	// best plan, every parallel degree free (Result.Free*).
	Free bool
	// Serving, when set, adjusts each inference run's serving profile
	// after the catalog resolves it (the grid points of validation/fit
	// -serving); nil: the catalog's profile.
	Serving func(*inference.Profile)
	// Progress, when set, is called after each run is predicted.
	Progress func()
}

// Report is validate's output.
type Report struct {
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
}

// Validate predicts every run of f and tabulates the errors. A run it
// cannot predict gets a reason and does not stop the others.
func Validate(cat *catalog.Catalog, f *File) Report { return ValidateWith(cat, f, Options{}) }

// ValidateWith is Validate with options.
func ValidateWith(cat *catalog.Catalog, f *File, o Options) Report {
	rep := Report{Results: []Result{}} // an empty file's results are [], not null
	for _, r := range f.Runs {
		res := validateRun(cat, r, o)
		if o.Free && r.Kind == KindTraining && r.Measured.Metric == MetricTokensPerChip {
			freeRun(cat, r, o, &res)
		}
		rep.Results = append(rep.Results, res)
		if o.Progress != nil {
			o.Progress()
		}
	}
	rep.Summary = Summarize(rep.Results)
	return rep
}

// freeRun predicts r at the searched best plan (only the system, model,
// sequence, batch and precision kept) into res. The stated plan is one
// of the free ones: where chipgap's prediction of it (res) is faster than
// the search's best, it is the best (the search takes the stack's 16-bit
// moments or parameters only where no plan fits without them, which a
// stated plan may have needed).
// unknownChip is why run r cannot be predicted where the catalog lacks
// its chip, naming the field ("" where it has it): a run the tool cannot
// predict, not a malformed file, so the file's other runs still are.
func unknownChip(cat *catalog.Catalog, r Run) string {
	if _, err := cat.Chip(r.System.Chip); err != nil {
		return "system.chip: " + err.Error()
	}
	return ""
}

func freeRun(cat *catalog.Catalog, r Run, o Options, res *Result) {
	if why := unknownChip(cat, r); why != "" {
		res.FreeReason = why
		return
	}
	v, plan, err := predictFree(cat, r, o)
	if err != nil {
		res.FreeReason = err.Error()
		return
	}
	if res.Predicted != nil && *res.Predicted > v {
		v, plan = *res.Predicted, res.Plan
	}
	e := PredictionError(v, r.Measured.Value)
	res.FreePredicted, res.FreeError, res.FreePlan = &v, &e, plan
}

func validateRun(cat *catalog.Catalog, r Run, o Options) Result {
	res := Result{ID: r.ID, Kind: r.Kind, Metric: r.Measured.Metric, Measured: r.Measured.Value}
	res.Chip, res.Family = r.System.Chip, chipFamily(cat, r.System.Chip)
	res.Derivation = r.Measured.Derivation
	res.BeyondFormat = r.BeyondFormat()
	var (
		p   Prediction
		err error
	)
	if why := unknownChip(cat, r); why != "" {
		res.Reason = why
		return res
	}
	if r.Kind == KindTraining {
		p, err = predictTraining(cat, r, o)
	} else {
		p, err = predictInference(cat, r, o)
	}
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	if p.Value <= 0 || math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		res.Reason = fmt.Sprintf("model returned %g", p.Value)
		return res
	}
	v, e := p.Value, PredictionError(p.Value, r.Measured.Value)
	res.Predicted, res.Error = &v, &e
	res.Plan, res.Stack, res.Note, res.Method, res.Engine = p.Plan, p.Stack, p.Note, p.Method, p.Engine
	return res
}

// PredictionError is a prediction's signed error against what the source
// measured, predicted/measured − 1 (+0.012: 1.2 % above): the one
// definition validate's errors, its summaries and train's measured line
// take.
func PredictionError(predicted, measured float64) float64 { return predicted/measured - 1 }

// Summarize computes the counts and the mean, median and worst absolute
// error of the predicted results.
func Summarize(rs []Result) Summary {
	s := Summary{Runs: len(rs)}
	var errs []float64
	worst := -1.0
	for _, r := range rs {
		if r.Error == nil {
			continue
		}
		a := math.Abs(*r.Error)
		errs = append(errs, a)
		if a > worst {
			worst, s.Worst = a, r.ID
		}
	}
	s.Predicted = len(errs)
	if len(errs) == 0 {
		return s
	}
	sort.Float64s(errs)
	var mean float64
	for _, e := range errs {
		mean += e / float64(len(errs))
	}
	med := median(errs)
	s.MeanAbsError, s.MedianAbsError, s.WorstError = &mean, &med, &worst
	var opt, fabs []float64
	for _, r := range rs {
		if r.FreeError == nil {
			continue
		}
		opt = append(opt, *r.FreeError)
		fabs = append(fabs, math.Abs(*r.FreeError))
		if len(opt) == 1 || *r.FreeError > s.FreeMaxOptimism {
			s.FreeMaxOptimism, s.FreeMaxAt = *r.FreeError, r.ID
		}
	}
	if s.FreeRuns = len(opt); s.FreeRuns > 0 {
		sort.Float64s(opt)
		sort.Float64s(fabs)
		s.FreeMedianOptimism, s.FreeMedianAbsError = median(opt), median(fabs)
	}
	summarizeOverBest(rs, &s)
	return s
}

// summarizeOverBest adds the optimism over the best measured per chip to
// s where at least one result's best is another run's.
func summarizeOverBest(rs []Result, s *Summary) {
	var over []float64
	elsewhere := false
	for _, r := range rs {
		if r.FreeOverBest == nil {
			continue
		}
		elsewhere = elsewhere || r.FreeBestAt != r.ID
		over = append(over, *r.FreeOverBest)
		if len(over) == 1 || *r.FreeOverBest > s.FreeMaxOverBest {
			s.FreeMaxOverBest, s.FreeMaxOverBestAt = *r.FreeOverBest, r.ID
		}
	}
	if !elsewhere {
		s.FreeMaxOverBest, s.FreeMaxOverBestAt = 0, ""
		return
	}
	sort.Float64s(over)
	s.FreeMedianOverBest = median(over)
}

// median of sorted xs.
func median(xs []float64) float64 {
	n := len(xs)
	if n%2 == 0 {
		return (xs[n/2-1] + xs[n/2]) / 2
	}
	return xs[n/2]
}

// chipFamily is catalog.Family of the chip, or the chip id if the
// catalog lacks it.
func chipFamily(cat *catalog.Catalog, id string) string {
	c, err := cat.Chip(id)
	if err != nil {
		return id
	}
	return catalog.Family(c)
}
