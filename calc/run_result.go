package calc

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"chipgap/catalog"
	"chipgap/goodput"
	"chipgap/uncertain"
	"chipgap/units"
)

// MarshalJSON writes `chipgap run --json`: one cluster's figures, or for
// a comparison both clusters (a, b) and the gap between them.
func (o RunResult) MarshalJSON() ([]byte, error) {
	if o.B == nil {
		return json.Marshal(o.A)
	}
	return json.Marshal(map[string]any{"a": o.A, "b": *o.B, "gap_days": o.Gap(),
		"gap_note": "b − a per seed (same seed numbers), days; throughput = steady-state compute, downtime = lost work + restarts + checkpointing, engineering = porting + maturation slowdown"})
}

// runSideJSON is one cluster's result in chipgap run --json. Day figures
// are P10/P50/P90 over seeds; closed_form is in seconds.
type runSideJSON struct {
	RunIdentity
	Throughput RunThroughput `json:"throughput"`
	Tokens     float64       `json:"tokens,omitempty"`
	Window     units.Days    `json:"window_days,omitempty"`
	Seeds      int           `json:"seeds"`
	Seed       uint64        `json:"seed"`
	Ranges     bool          `json:"ranges"`
	Finished   int           `json:"finished"`
	// Days: total (port + wall) and its parts.
	Days map[string]goodput.Summary `json:"days"`
	// Interruptions over the run (or window), with the closed-form
	// expectation, and by component with the record's count (cuda).
	Interruptions runCount        `json:"interruptions"`
	ByComponent   []runComponent  `json:"by_component"`
	Effective     goodput.Summary `json:"effective_training"` // productive ÷ wall time
	Checkpoint    runCheckpoint   `json:"checkpoint"`
	MTBI          units.Hours     `json:"mtbi_hours"` // every interruption, planned ones included
	// UnplannedMTBI is between the interruptions that lose work: what
	// the checkpoint's Young and Daly intervals take.
	UnplannedMTBI units.Hours      `json:"unplanned_mtbi_hours"`
	Closed        goodput.Estimate `json:"closed_form"`
	// Sweep is the simulated check of the interval: ½×, 1× and 2× Daly.
	Sweep []goodput.SweepPoint `json:"interval_sweep"`
	// InputRange propagates the input ranges through the closed form.
	InputRange RunRanges       `json:"input_range"`
	Job        goodput.Job     `json:"inputs"`
	SpareWaits goodput.Summary `json:"spare_waits"`
	Notes      []string        `json:"notes,omitempty"`
}

type runCount struct {
	goodput.Summary
	Expected float64 `json:"expected"`
}

type runComponent struct {
	Component string  `json:"component"`
	RatePerDH float64 `json:"rate_per_chip_hour"`
	runCount
	Share  float64 `json:"share_p50"`
	Record float64 `json:"record_count,omitempty"`
}

type runCheckpoint struct {
	Bytes    units.Bytes   `json:"bytes"`
	Async    bool          `json:"async"`
	Block    units.Seconds `json:"block"`
	Write    units.Seconds `json:"write"`
	Interval units.Seconds `json:"interval"`
	Young    units.Seconds `json:"young_interval"`
	Daly     units.Seconds `json:"daly_interval"`
	Best     string        `json:"best"`
}

// windowNote says what a window leaves out.
const windowNote = "window mode: porting and maturation are behind a run already under way and are left out"

// MarshalJSON writes one cluster as chipgap run --json does.
func (s RunSide) MarshalJSON() ([]byte, error) {
	r := s.Result
	c := r.Closed
	j := runSideJSON{RunIdentity: s.Identity(), Throughput: s.throughput(),
		Tokens: s.tokens, Window: units.Seconds(s.window).InDays(), Seeds: r.Seeds, Seed: r.Seed, Ranges: r.Ranges, Finished: r.Finished,
		Days: map[string]goodput.Summary{"total": r.Total, "wall": r.Wall, "productive": r.Productive,
			"maturation_slowdown": r.Slowdown, "lost_work": r.Lost, "restarts": r.Restart,
			"checkpointing": r.Checkpointing, "porting": r.Port, "engineering": r.Engineering},
		Interruptions: runCount{r.Interruptions, c.Interruptions}, Effective: r.Effective,
		Checkpoint: runCheckpoint{Bytes: s.Job.Checkpoint.Bytes, Async: s.Job.Checkpoint.Async, Block: c.Block,
			Write: c.Write, Interval: c.Interval, Young: c.Young, Daly: c.Daly,
			Best: "Daly (2006) for the blocking cost and the unplanned MTBI, at least the background write"},
		MTBI: c.MTBI.InHours(), UnplannedMTBI: c.UnplannedMTBI.InHours(), Closed: c, Job: s.Job, SpareWaits: r.SpareWaits, Sweep: s.Sweep,
		InputRange: s.Ranges()}
	for i, m := range s.Job.Modes {
		cj := runComponent{Component: m.Component, RatePerDH: float64(m.Rate.Typ), runCount: runCount{r.ByMode[i], c.ByMode[i]}}
		if r.Interruptions.P50 > 0 {
			cj.Share = r.ByMode[i].P50 / r.Interruptions.P50
		}
		if i < len(s.Counts) {
			cj.Record = s.Counts[i]
		}
		j.ByComponent = append(j.ByComponent, cj)
	}
	if s.Job.Work == 0 {
		j.Notes = append(j.Notes, windowNote)
	}
	return json.Marshal(j)
}

// RunGap splits B − A (paired by seed) into its causes, in days.
type RunGap struct {
	Total       goodput.Summary `json:"total"`
	Throughput  goodput.Summary `json:"throughput"`
	Downtime    goodput.Summary `json:"downtime"`
	Engineering goodput.Summary `json:"engineering"`
	Ratio       goodput.Summary `json:"ratio"`
	// InputRange is the closed-form gap over paired draws of both
	// clusters' input ranges.
	InputRange RunGapRanges `json:"input_range"`
}

// Gap is B − A per seed; call it on a comparison only.
func (o RunResult) Gap() RunGap {
	a, b := o.A.Result.Outcomes, o.B.Result.Outcomes
	col := func(get func(goodput.Outcome) float64) goodput.Summary {
		xs := make([]float64, len(a))
		for i := range a {
			xs[i] = get(b[i]) - get(a[i])
		}
		return uncertain.Summarize(xs)
	}
	days := func(s units.Seconds) float64 { return s.Days() }
	ratios := make([]float64, len(a))
	for i := range a {
		ratios[i] = float64((b[i].Port + b[i].Wall) / (a[i].Port + a[i].Wall))
	}
	return RunGap{
		Total:       col(func(x goodput.Outcome) float64 { return days(x.Port + x.Wall) }),
		Throughput:  col(func(x goodput.Outcome) float64 { return days(x.Productive) }),
		Downtime:    col(func(x goodput.Outcome) float64 { return days(x.Lost + x.Restart + x.Checkpointing) }),
		Engineering: col(func(x goodput.Outcome) float64 { return days(x.Port + x.Slowdown) }),
		Ratio:       uncertain.Summarize(ratios),
		InputRange:  o.gapRanges(),
	}
}

// Maybe is a figure that may be infinite (a run that never finishes);
// it encodes +Inf as JSON null.
type Maybe float64

func (m Maybe) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(m))
}

func (m Maybe) text(format string) string {
	if math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		return "never"
	}
	return fmt.Sprintf(format, float64(m))
}

// Spread is P10/P50/P90 of draws that may be +Inf.
type Spread struct {
	P10 Maybe `json:"p10"`
	P50 Maybe `json:"p50"`
	P90 Maybe `json:"p90"`
}

func spreadOf(xs []float64) Spread {
	s := slices.Clone(xs)
	slices.Sort(s)
	q := func(p float64) Maybe { return Maybe(uncertain.Percentile(s, p)) } // +Inf draws stay +Inf
	return Spread{q(0.1), q(0.5), q(0.9)}
}

// RunRanges is one cluster's closed form over draws of its inputs.
type RunRanges struct {
	Draws int `json:"draws"`
	// Drawn says which inputs each draw moves (jobDrawn, after
	// ratesDrawn where the throughput is drawn).
	Drawn string `json:"drawn"`
	// TokensPerSec is the steady-state rate over the draws (absent in a
	// window, whose length no rate changes); RateNote says where the
	// typical rate (throughput.tokens_per_s) lies outside its P10–P90,
	// and why (uncertain.Apart.Note); "" where it lies inside. It words
	// RateApart, the one decision the text's range line words too.
	TokensPerSec *Spread `json:"tokens_per_s,omitempty"`
	RateNote     string  `json:"tokens_per_s_note,omitempty"`
	// RateApart is where the typical rate lies beside TokensPerSec's
	// P10–P90 (uncertain.Beside.Apart).
	RateApart  uncertain.Apart `json:"-"`
	TotalDays  Spread          `json:"total_days"`
	Effective  Spread          `json:"effective_training"`
	NoProgress float64         `json:"no_progress_share"`
	// Note says where the closed form at typical values (closed_form's
	// port + wall, in days) lies outside TotalDays' P10–P90, and why
	// (uncertain.Beside.Note); "" where it lies inside. It words Apart,
	// the one decision the text's range line words too.
	Note string `json:"note,omitempty"`
	// Apart is where the closed form at typical values lies beside
	// TotalDays' P10–P90 (uncertain.Beside.Apart).
	Apart uncertain.Apart `json:"-"`
}

// totalDays is an estimate's port + wall in days, +Inf when it never ends.
func totalDays(e goodput.Estimate) float64 {
	if e.NoProgress {
		return math.Inf(1)
	}
	return (e.Port + e.Wall).Days()
}

// Ranges is the closed form over the side's draws of its input ranges.
func (s RunSide) Ranges() RunRanges {
	var tot, eff []float64
	stuck := 0
	for _, e := range s.Samples {
		tot = append(tot, totalDays(e))
		eff = append(eff, e.Effective)
		if e.NoProgress {
			stuck++
		}
	}
	r := RunRanges{Draws: len(s.Samples), Drawn: jobDrawn, TotalDays: spreadOf(tot), Effective: spreadOf(eff),
		NoProgress: float64(stuck) / float64(max(len(s.Samples), 1))}
	if len(s.Rates) > 0 {
		t := spreadOf(s.Rates)
		r.Drawn = ratesDrawn + jobDrawn
		r.TokensPerSec = &t
		r.RateApart = (uncertain.Beside{Typ: s.Throughput.TokensPerSec, Lo: float64(t.P10), Hi: float64(t.P90)}).Apart(uncertain.NearEnd)
		r.RateNote = r.RateApart.Note(typicalRate, "tokens_per_s' P10–P90")
	}
	r.Apart = (uncertain.Beside{Typ: totalDays(s.Result.Closed), Lo: float64(r.TotalDays.P10), Hi: float64(r.TotalDays.P90)}).Apart(uncertain.NearEnd)
	r.Note = r.Apart.Note(typicalClosedForm, "total_days' P10–P90")
	return r
}

// typicalRate is what lies outside the rate's band in
// uncertain.Apart.Note's words.
const typicalRate = "the typical rate"

// typicalClosedForm is what lies outside a band in uncertain.Apart.Note's
// words where run's closed form does.
const typicalClosedForm = "the closed form at typical values"

// RunGapRanges is B − A in days over paired draws of both clusters'
// inputs (draw i of each): +Inf where B never finishes.
type RunGapRanges struct {
	Draws       int    `json:"draws"`
	Total       Spread `json:"total"`
	Throughput  Spread `json:"throughput"`
	Downtime    Spread `json:"downtime"`
	Engineering Spread `json:"engineering"`
	Ratio       Spread `json:"ratio"`
}

func (o RunResult) gapRanges() RunGapRanges {
	a, b := o.A.Samples, o.B.Samples
	n := min(len(a), len(b))
	var tot, thr, down, eng, ratio []float64
	for i := range n {
		x, y := a[i], b[i]
		tot = append(tot, totalDays(y)-totalDays(x))
		thr = append(thr, (y.Productive - x.Productive).Days())
		ratio = append(ratio, totalDays(y)/totalDays(x))
		if x.NoProgress || y.NoProgress {
			down = append(down, math.Inf(1))
		} else {
			down = append(down, (y.Lost + y.Restart + y.Checkpointing - x.Lost - x.Restart - x.Checkpointing).Days())
		}
		eng = append(eng, (y.Port + y.Slowdown - x.Port - x.Slowdown).Days())
	}
	return RunGapRanges{Draws: n, Total: spreadOf(tot), Throughput: spreadOf(thr), Downtime: spreadOf(down),
		Engineering: spreadOf(eng), Ratio: spreadOf(ratio)}
}

// RunThroughput says where the steady-state tokens/s came from, as
// chipgap run --json and POST /api/run/simulate both write it: the rate,
// per chip too, its MFU, source and plan, how the training estimator
// scores on published runs like this one (scored) and what they
// measured where it predicted this rate per chip (measured_band; both
// absent for an assumed MFU).
type RunThroughput struct {
	catalog.Throughput
	MeasuredBand *MeasuredBand `json:"measured_band,omitempty"`
}

// throughput is the side's RunThroughput.
func (s RunSide) throughput() RunThroughput {
	return RunThroughput{s.Throughput, measuredBand(s.Throughput.Scored, s.Throughput.PerChip)}
}

// RunIdentity is what a run is of, as chipgap run --json (each
// cluster's) and POST /api/run/simulate both write it first: the model,
// the cluster (its chips and scale-up domain) and its software stack, and
// the training job's seq and global batch (the request's, or the
// defaults).
type RunIdentity struct {
	Model        string `json:"model"`
	Chip         string `json:"chip"`
	Chips        int    `json:"chips"`
	ChipsPerNode int    `json:"chips_per_node"`
	Seq          int    `json:"seq"`
	GlobalBatch  int    `json:"global_batch"`
	Stack        string `json:"stack"`
}

// Identity is what s is a run of.
func (s RunSide) Identity() RunIdentity {
	return RunIdentity{Model: s.Model.ID, Chip: s.Cluster.ChipID, Chips: s.Cluster.Chips, ChipsPerNode: s.Cluster.ChipsPerNode,
		Seq: s.seq, GlobalBatch: s.globalBatch, Stack: s.Cluster.Stack}
}

// RunView is POST /api/run/simulate's answer.
type RunView struct {
	RunIdentity
	Throughput RunThroughput  `json:"throughput"`
	Job        goodput.Job    `json:"job"`
	Result     goodput.Result `json:"result"`
	Charts     []Chart        `json:"charts"`
}

// View is the run as POST /api/run/simulate returns it (one cluster: A).
func (r RunResult) View() RunView {
	a := r.A
	return RunView{RunIdentity: a.Identity(), Throughput: a.throughput(), Job: a.Job, Result: a.Result, Charts: RunCharts(a.Result)}
}
