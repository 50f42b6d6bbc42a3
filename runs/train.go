package runs

import (
	"fmt"
	"strings"

	"chipgap/catalog"
	"chipgap/hardware"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
	"chipgap/units"
)

// TrainingSetup is what a training run asks of the estimator: the
// cluster, the profile of its software stack, the job and the space of
// plans its stated parallel block leaves open.
type TrainingSetup struct {
	Cluster   hardware.Cluster
	Profile   training.Profile
	StackNote string
	Job       training.Job
	Space     parallel.Space
}

// SetupTraining turns a training run into estimator inputs.
func SetupTraining(cat *catalog.Catalog, r Run) (TrainingSetup, error) {
	var s TrainingSetup
	t := r.Training
	c, err := cat.Cluster(r.System.Chip, r.System.Chips, catalog.ClusterOptions{
		ChipsPerNode: r.System.ChipsPerNode, ScaleOut: r.System.ScaleOut})
	if err != nil {
		return s, err
	}
	prof, note, err := cat.TrainingProfile(c.Stack, r.System.Software)
	if err != nil {
		return s, err
	}
	if why := laterMegatron(prof, r); why != "" {
		_, tag := catalog.SplitRelease(r.System.Software)
		later, lnote, err := cat.TrainingProfile(c.Stack, strings.TrimSpace(megatronCore+" "+tag))
		if err != nil {
			return s, err
		}
		prof, note = later, fmt.Sprintf("%s: the run states %s, which the 2021-22 code that profile stands for did not run, so it ran Megatron-LM's Megatron-Core generation: %s", note, why, lnote)
	}
	gbs := t.GlobalBatch
	if gbs == 0 {
		// Only a chip_hours run may leave it out (check.go): the model's
		// own choice, as for an unstated plan field.
		gbs = training.DefaultGlobalBatch
		note = strings.TrimPrefix(note+fmt.Sprintf("; global batch not given: %d sequences assumed (chipgap run's default)", gbs), "; ")
	}
	s.Cluster, s.Profile, s.StackNote = c, prof, note
	// The format's devices_per_chip defaults to 1 (published-runs.md): a
	// run that omits it ran one device per package, whatever the chip's
	// own split is.
	s.Job = training.Job{Seq: t.SeqLen, GlobalBatch: gbs, Precision: hardware.Precision(t.Precision),
		DevicesPerChip: max(r.System.DevicesPerChip, 1), Tokens: t.Tokens, Dispatch: t.MoEDispatch, A2AOverlap: t.MoEA2AOverlap, Graphs: t.MoEGraphs, LayerGraphs: t.MoELayerGraphs, FullIteration: t.MoEFullIteration,
		CapacityFactor: t.CapacityFactor, PadToCapacity: t.PadToCapacity, FP8Recipe: t.FP8Recipe}
	pp := t.Parallel
	s.Space = parallel.Space{TP: pp.TP, PP: pp.PP, DP: pp.DP, CP: pp.CP, EP: pp.EP, ETP: pp.ETP, VPP: pp.VPP, Microbatch: pp.Microbatch,
		StageLayers: t.StageLayers, RecomputeLayers: t.RecomputeLayers}
	if t.Recompute != "" {
		s.Space.Recompute = []parallel.Recompute{parallel.Recompute(t.Recompute)}
	}
	if pp.Zero != nil {
		s.Space.ZeRO = []int{*pp.Zero}
	}
	if pp.SequenceParallel != nil {
		s.Space.SP = []bool{*pp.SequenceParallel}
	}
	if pp.CP == 0 && float64(t.SeqLen) < 2*prof.CPMinTokens.Value {
		// Left out, cp is the model's own choice (published-runs.md), as
		// tp, pp and dp are: the search tries it where the stack has it
		// (Profile.Restrict) and its practice could run it, at least
		// cp_min_tokens per rank for two ranks; shorter sequences ran
		// whole. A run that states tp, pp and dp filling its devices
		// leaves none to split the sequence over.
		s.Space.CP = 1
	}
	s.Profile = StatedFeatures(s.Profile, r)
	return s, nil
}

// megatronCore is the framework name of Megatron-LM's Megatron-Core
// generation (the cuda-mcore profile).
const megatronCore = "megatron-core"

// laterMegatron says what run r states that the profile's 2021-22
// Megatron-LM code path (always_recompute: Narayanan et al. 2021 and
// Korthikanti et al. 2022, GPT models with multi-head attention, a GeLU
// MLP, 16-bit, dense) did not run: grouped-query or latent attention, a
// gated MLP, FP8 or FP4, mixture-of-experts or context parallelism; "" when it
// states none of them or the profile is not that code path. A run naming
// megatron-lm with any of them ran the repository's later, Megatron-Core
// code, which the 2021 profile would refuse or force to recompute.
func laterMegatron(p training.Profile, r Run) string {
	if p.AlwaysRecompute.Value < 0.5 || r.Training == nil {
		return ""
	}
	var why []string
	m := r.Model
	if m.Attention == llm.GQA || m.Attention == llm.MLA {
		why = append(why, string(m.Attention)+" attention")
	}
	if m.Act == llm.SwiGLU {
		why = append(why, "a gated (swiglu) MLP")
	}
	if p := hardware.Precision(r.Training.Precision); p == hardware.FP8 || p == hardware.FP4 {
		why = append(why, string(p))
	}
	if m.MoE != nil {
		why = append(why, "mixture-of-experts")
	}
	if r.Training.Parallel.CP > 1 {
		why = append(why, "context parallelism")
	}
	return strings.Join(why, ", ")
}

// StatedFeatures lifts the stack's feature list where training run r
// states it used a feature: a published plan is a fact about the framework
// version the source ran (Megatron-LM gained SP and selective recompute in
// 2022). Callers that pick another state of the stack (Profile.At, a
// --stack override) lift again on the profile they end with.
func StatedFeatures(p training.Profile, r Run) training.Profile {
	t := r.Training
	if t == nil {
		return p
	}
	pp := t.Parallel
	if pp.SequenceParallel != nil && *pp.SequenceParallel {
		p.SequenceParallel.Value = 1
	}
	if t.Recompute == string(parallel.RecomputeSelective) {
		p.SelectiveRecompute.Value = 1
	}
	if t.Recompute != "" && t.Recompute != string(parallel.RecomputeFull) {
		p.AlwaysRecompute.Value = 0
	}
	if pp.Zero != nil && float64(*pp.Zero) > p.MaxZeRO.Value {
		p.MaxZeRO.Value = float64(*pp.Zero)
	}
	if pp.VPP > 1 {
		p.Interleaved.Value = 1
	}
	if pp.CP > 1 {
		p.ContextParallel.Value = 1
	}
	return p
}

// predictTraining predicts a training run: the fastest plan within what
// the run states (the stated fields fixed, the rest searched) and, where a
// plan within it does, within the stack's published practice
// (SearchResult.Best): a source that leaves a dimension unstated ran what
// teams run, not whatever the model finds fastest.
func predictTraining(cat *catalog.Catalog, r Run, o Options) (Prediction, error) {
	s, err := SetupTraining(cat, r)
	if err != nil {
		return Prediction{}, err
	}
	if s.Profile, err = s.Profile.At(o.StackDate); err != nil {
		return Prediction{}, err
	}
	s.Profile = StatedFeatures(s.Profile, r)
	sr, err := training.Search(r.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Space: s.Space, Top: 1, Workers: 1})
	if err != nil {
		return Prediction{}, fmt.Errorf("%w (%d plans: %d invalid, %d out of memory)", err, sr.Evaluated+sr.Invalid, sr.Invalid, sr.OutOfMemory)
	}
	best := sr.Best()
	p := Prediction{Plan: best.PlanText, Stack: s.Profile.ID, Note: s.StackNote}
	switch r.Measured.Metric {
	case MetricTokensPerChip:
		p.Value = best.TokensPerSecPerChip
	case MetricChipHours:
		if t := r.Training.Tokens; t <= 0 {
			return p, fmt.Errorf("training.tokens: not given; chip_hours needs the run's token budget")
		}
		w, err := wholeRun(cat, r.Model, s.Cluster, units.Seconds(r.Training.Tokens/best.TokensPerSec))
		if err != nil {
			return p, err
		}
		p.Value = w.Total
		p.Note = fmt.Sprintf("%s; steady state %.4g chip-h + maturation %.3g + lost work %.3g + restarts %.3g + checkpoints %.3g (%.0f interruptions)",
			p.Note, w.Steady, w.Slowdown, w.Lost, w.Restart, w.Checkpointing, w.Interruptions)
	default:
		return p, fmt.Errorf("measured.metric %q: not a training metric", r.Measured.Metric)
	}
	return p, nil
}

// predictFree is the throughput of r's searched best plan: the run's
// system, model, sequence, global batch and precision, every parallel
// degree, recompute and ZeRO stage free within what the stack offers,
// with the features the run shows its framework version had
// (StatedFeatures, as for the stated plan): the search may pick any plan
// the run's software could run, so it never falls short of the plan the
// team ran for want of a feature that plan used.
func predictFree(cat *catalog.Catalog, r Run, o Options) (float64, string, error) {
	s, err := SetupTraining(cat, r)
	if err != nil {
		return 0, "", err
	}
	if s.Profile, err = s.Profile.At(o.StackDate); err != nil {
		return 0, "", err
	}
	s.Profile = StatedFeatures(s.Profile, r)
	// Every degree free, the stated plan among them: a stated interleaving
	// deeper than a search tries by default is tried too (a vpp of 12 had
	// the free best slower than the stated plan).
	space := parallel.Space{MaxVPP: max(parallel.DefaultMaxVPP, r.Training.Parallel.VPP)}
	sr, err := training.Search(r.Model, s.Cluster, s.Profile, s.Job, training.SearchOptions{Top: 1, Workers: 1, Space: space})
	if err != nil {
		return 0, "", fmt.Errorf("free search: %w", err)
	}
	b := sr.Best()
	return b.TokensPerSecPerChip, b.PlanText, nil
}
