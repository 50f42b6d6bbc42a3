package sweep

import (
	"errors"
	"fmt"
	"time"

	"chipgap/hardware"
	"chipgap/input"
	"chipgap/llm"
	"chipgap/parallel"
	"chipgap/training"
)

// Cost is the measured time of one cell on one core of the machine the
// sweep was built on (2 shared cores, go1.26; docs/sweeps.md, "The
// budget", lists the measurements). A training cell is its plan search:
// training.Search checks every plan of its space and estimates the valid
// ones (their memory, and the step of those that fit), so its time is
// the valid plans times a plan's cost, which is higher for a
// mixture-of-experts model (its expert layouts). The plans come from the
// cell's devices, scale-up node, model, sequence, global batch (the
// micro-batch sizes a data-parallel rank's batch allows) and stack
// (Profile.Restrict; training.SearchSpace): SearchPlans counts them. A serving cell is a
// layout search in each instance size its fleet tries (InstanceSizes)
// that no earlier cell of the run searched (the run keeps them). Each
// Monte Carlo draw re-evaluates the chosen plan or layout.
type Cost struct {
	// TrainPlan and MoEPlan are one valid plan of a search, dense and
	// mixture of experts. CPU time a plan (TestMeasureTrainCells): 0.77-1.11
	// µs dense (Llama 3.1 8B ×64 to 405B ×65,536 H100, 70B ×64 and ×8,192
	// 910C, global batches 512-65,536), 0.96-1.87 µs MoE (DeepSeek-V3,
	// Mixtral 8x7B, Qwen3-235B and gpt-oss-120b ×16 to ×4,096 H100;
	// DeepSeek-V3 ×65,536 910C, 131,072 devices, the slowest) → the top
	// of each range, 1.1 µs and 1.8 µs: a shared core's wall time runs
	// higher still (1.0-2.8× the CPU time, with the machine's load). A
	// search none of whose plans fits memory costs less a plan (the
	// 910C's DeepSeek-V3 ×16 and ×64 at global batch 512: 0.57 µs).
	TrainPlan, MoEPlan time.Duration
	// TrainCell is what a training cell costs besides its search (its
	// setup, the typical evaluation, a whole run's closed form: whole_run
	// changed no measured cell's time). An upper bound: the smallest
	// search TestMeasureTrainCells times, one H100 for Llama 3.1 8B
	// (CHIPGAP_MEASURE_CELLS="h100-sxm 1 llama3.1-8b 0 0"), took 0.28 ms
	// of CPU in all, its 144 plans included (docs/sweeps.md, "The
	// budget"); 1 ms rounds that up.
	TrainCell time.Duration
	// Serve and ServeMoE are one instance size's layout search (Llama
	// 3.1 70B on 8 chips 0.4 ms; DeepSeek-V3 on 64 chips 1.4 ms), its
	// typical evaluation included; a serving cell pays one per instance
	// size it searches first (an instance too small for the weights is
	// refused sooner, so this is an upper bound).
	Serve, ServeMoE time.Duration
	// TrainDraw and ServeDraw are one Monte Carlo draw (0.3 ms and
	// 0.05 ms).
	TrainDraw, ServeDraw time.Duration
}

// Measured is Cost as measured here (see Cost's fields).
func Measured() Cost {
	return Cost{TrainPlan: 1100 * time.Nanosecond, MoEPlan: 1800 * time.Nanosecond, TrainCell: time.Millisecond,
		Serve: 400 * time.Microsecond, ServeMoE: 1500 * time.Microsecond,
		TrainDraw: 300 * time.Microsecond, ServeDraw: 50 * time.Microsecond}
}

// Work is what a cell's cost depends on besides its target: whether its
// model is a mixture of experts and, for training, the valid plans its
// search estimates (SearchPlans), or that it fails before its search (a
// chip without the cell's precision: no search, no draws); for serving,
// the instance sizes whose layouts it searches first (Instances: the
// run's other fleets share them).
type Work struct {
	MoE       bool
	Plans     int
	Fails     bool
	Instances int
}

// Cell is the estimated time of one cell on one core.
func (k Cost) Cell(c Cell, samples int, w Work) time.Duration {
	if c.Target == TargetTraining {
		if w.Fails {
			return k.TrainCell
		}
		per := k.TrainPlan
		if w.MoE {
			per = k.MoEPlan
		}
		return k.TrainCell + time.Duration(w.Plans)*per + time.Duration(samples)*k.TrainDraw
	}
	d := k.Serve
	if w.MoE {
		d = k.ServeMoE
	}
	if w.Instances == 0 {
		// Every instance size searched already: the typical
		// evaluation, as a draw.
		return time.Duration(samples+1) * k.ServeDraw
	}
	return time.Duration(w.Instances)*d + time.Duration(samples)*k.ServeDraw
}

// Spread is how long cells of the given costs take on cores cores: their
// sum divided among the cores the cells can use, and at least the
// longest cell (a cell runs on one core: fewer cells than cores leave
// some idle, and no split makes the longest cell shorter).
func Spread(costs []time.Duration, cores int) time.Duration {
	var sum, longest time.Duration
	for _, d := range costs {
		sum, longest = sum+d, max(longest, d)
	}
	return max(sum/time.Duration(max(1, min(cores, len(costs)))), longest)
}

// CellCosts is Measured().Cell of each cell (calc.EstimateSweep spreads
// them over the cores: the CLI's budget and the server's cap), its training search's plans
// counted once per distinct search (precision does not change them), a
// serving cell's instance sizes counted where no earlier cell of cells
// searches them (Run searches each once: layoutKey).
func (g *Grid) CellCosts(cells []Cell) ([]time.Duration, error) {
	e, err := newEvaluator(g)
	if err != nil {
		return nil, err
	}
	moe := map[string]bool{}
	for _, id := range g.Models {
		if m, err := e.c.Model(id); err == nil {
			moe[id] = m.MoE != nil
		}
	}
	k := Measured()
	plans := planCache{plans: map[string]int{}, refused: map[string]bool{}}
	searched := map[string]bool{}
	out := make([]time.Duration, len(cells))
	for i, c := range cells {
		w := Work{MoE: moe[c.Model]}
		if c.Target == TargetTraining && g.Training != nil {
			w.Plans, w.Fails = e.searchPlans(c, plans)
		}
		if c.Target == TargetServing {
			for _, n := range g.instanceSizes(c) {
				if key := layoutKey(c, n); !searched[key] {
					searched[key] = true
					w.Instances++
				}
			}
		}
		out[i] = k.Cell(c, g.Samples, w)
	}
	return out, nil
}

// planCache keeps searchPlans' answers across a grid's cells: the valid
// plans by search, and whether the search refuses a job before it
// searches, by what decides that (model, chip, precision, stack and its
// date; not the size: every size of a chip refuses alike), so a grid of
// many sizes asks training.Search once per such job (review: 120,000
// cells took 6.8 s to estimate, half of it in refused).
type planCache struct {
	plans   map[string]int
	refused map[string]bool
}

// searchPlans is the valid plans of cell c's search (SearchPlans), or
// fails where the cell fails before it searches (trainSetup's checks:
// a chip without the precision, a job the search refuses).
func (e *evaluator) searchPlans(c Cell, seen planCache) (plans int, fails bool) {
	ch, err := e.chip(c)
	if err != nil {
		return 0, true
	}
	if _, ok := ch.PeakFor(c.Precision); !ok {
		return 0, true
	}
	m, err := e.c.Model(c.Model)
	if err != nil {
		return 0, true
	}
	cl, err := e.trainCluster(c, ch)
	if err != nil {
		return 0, true
	}
	prof, _, err := e.profile(ch.Stack, c.Stack, c.StackDate)
	if err != nil {
		return 0, true
	}
	// As training.Search sets up its space (the job's devices per chip
	// are the chip's in a sweep).
	t := e.g.Training
	job := training.Job{Seq: t.Seq, GlobalBatch: t.GlobalBatch, Precision: c.Precision, Tokens: float64(t.Tokens)}
	prob, sp := training.SearchSpace(m, cl, prof, job, parallel.Space{})
	rk := fmt.Sprint(c.Model, "|", c.Chip, "|", c.Precision, "|", c.Stack, "|", c.StackDate)
	no, ok := seen.refused[rk]
	if !ok {
		no = refused(m, cl, prof, job, prob.Devices)
		seen.refused[rk] = no
	}
	if no {
		return 0, true
	}
	key := fmt.Sprint(c.Model, prob.Devices, prob.GlobalBatch, prob.Seq, sp)
	if n, ok := seen.plans[key]; ok {
		return n, false
	}
	n := SearchPlans(prob, sp)
	seen.plans[key] = n
	return n, false
}

// refused says whether training.Search refuses job before it searches
// (int8, which the training estimator does not take; FP4 where the stack
// has no rate): asked over a space with no plan (TP past the devices), a
// search that gets that far answers with a plan field's error.
func refused(m llm.Model, cl hardware.Cluster, prof training.Profile, job training.Job, devices int) bool {
	_, err := training.Search(m, cl, prof, job, training.SearchOptions{Space: parallel.Space{TP: devices + 1}, Workers: 1})
	var fe *input.Error
	return err != nil && !(errors.As(err, &fe) && parallel.IsPlanField(fe.Field))
}
